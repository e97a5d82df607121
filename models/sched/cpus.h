/* Minimal CPU scheduler: threads with a (changeable) CPU, one FIFO run queue
 * per CPU, round-robin time slices. Stands for kernel/sched/core.c + fair.c
 * at the level this issue needs (wake-affine and migration come later). */
#ifndef NICSTEER_SCHED_CPUS_H
#define NICSTEER_SCHED_CPUS_H

#include <stdbool.h>
#include <stdint.h>

enum cpus_state { CPUS_SLEEPING, CPUS_RUNNABLE, CPUS_RUNNING };

struct cpus_thread;
/* Runs one chunk of the thread on its CPU (charging time through the
 * kernel). Returns false when the thread blocks (it is then SLEEPING). */
typedef bool (*cpus_step_fn)(struct cpus_thread *t, void *arg);

struct cpus_thread {
    char name[24]; /* comm, e.g. "ksoftirqd/0" */
    unsigned id;
    unsigned cpu; /* CPU whose run queue holds it (may change: migration) */
    enum cpus_state state;
    bool is_ksoftirqd;
    cpus_step_fn step;
    void *arg;
    struct cpus_thread *rq_next;
    uint64_t slice_start; /* ns: when it was last switched in */
    uint64_t wake_at;     /* ns: pending wake event, UINT64_MAX if none */
};

struct cpus_sched;

struct cpus_sched *cpus_new(unsigned n_cpus, uint64_t slice_ns);
void cpus_free(struct cpus_sched *s);
/* New sleeping thread on `cpu` (owned by the scheduler). */
struct cpus_thread *cpus_thread_new(struct cpus_sched *s, const char *name, unsigned cpu,
                                    cpus_step_fn step, void *arg);
/* try_to_wake_up(): SLEEPING -> RUNNABLE on its CPU's queue. False if it was
 * not sleeping. */
bool cpus_wake(struct cpus_sched *s, struct cpus_thread *t);
/* The running thread blocks (schedule() from a wait loop). */
void cpus_block(struct cpus_sched *s, unsigned cpu);
/* Thread running on cpu, NULL = idle task. */
struct cpus_thread *cpus_current(const struct cpus_sched *s, unsigned cpu);
/* need_resched(): idle with work queued, or the slice of the current thread
 * is used up while others wait (tick preemption). */
bool cpus_need_resched(const struct cpus_sched *s, unsigned cpu, uint64_t now);
/* __schedule(): put the current thread back (if still runnable) and pick the
 * next one. Returns the new current thread (NULL = idle); *switched tells if
 * it differs from the previous one. */
struct cpus_thread *cpus_schedule(struct cpus_sched *s, unsigned cpu, uint64_t now, bool *switched);
unsigned cpus_nr_queued(const struct cpus_sched *s, unsigned cpu);
/* Thread by id (creation order). */
struct cpus_thread *cpus_thread_get(struct cpus_sched *s, unsigned id);

#endif
