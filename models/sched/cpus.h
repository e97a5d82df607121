/* The engine's CPU scheduler: threads with affinity masks, per-CPU run queues with a
 * CFS-like fair share (kernel/sched/fair.c pick_next_entity / check_preempt_tick /
 * place_entity), SCHED_FIFO above CFS (kernel/sched/rt.c), try_to_wake_up() placement
 * through select_task_rq_fair() (fair.h / wake.h), migration refill penalties
 * (migrate.h) and newidle / periodic idle and busy pulls (balance.h). Linux 6.12. */
#ifndef NICSTEER_SCHED_CPUS_H
#define NICSTEER_SCHED_CPUS_H

#include <stdbool.h>
#include <stdint.h>

#include "models/sched/balance.h"
#include "models/sched/migrate.h"
#include "models/sched/task.h"
#include "models/sched/topology.h"

enum cpus_run_state { CPUS_SLEEPING, CPUS_RUNNABLE, CPUS_RUNNING };

/* SCHED_OTHER (CFS) or SCHED_FIFO (rt class: runs before every CFS thread). */
enum cpus_policy { CPUS_SCHED_OTHER = 0, CPUS_SCHED_FIFO };

struct cpus_thread;
/* Runs one chunk of the thread on its CPU (charging time through the
 * kernel). Returns false when the thread blocks (it is then SLEEPING). */
typedef bool (*cpus_step_fn)(struct cpus_thread *t, void *arg);

struct cpus_thread {
    char name[24]; /* comm, e.g. "ksoftirqd/0" */
    unsigned id;
    unsigned cpu; /* CPU whose run queue holds it (== task.cpu) */
    enum cpus_run_state state;
    bool is_ksoftirqd;
    enum cpus_policy policy;
    cpus_step_fn step;
    void *arg;
    struct cpus_thread *rq_next; /* next queued SCHED_FIFO thread */
    int rq_pos;                  /* index in its run queue's CFS heap, -1 if not there */
    uint64_t rq_seq;             /* enqueue order: breaks vruntime ties */
    uint64_t slice_start;        /* ns: when it was last switched in */
    uint64_t wake_at;            /* ns: pending wake event, UINT64_MAX if none */
    int waker_cpu;               /* CPU that asked for the pending wake-up (-1: own CPU) */
    bool wake_sync;              /* WF_SYNC: the waker is about to sleep (sock_def_readable) */
    struct cpus_task task;       /* what select_task_rq_fair() and the balancer read */
    uint64_t vruntime;           /* se->vruntime, ns at nice 0 */
    uint64_t exec_start;         /* ns: se->exec_start while running */
    bool sched_delayed;          /* blocked but left queued (DELAY_DEQUEUE) ... */
    uint64_t delayed_idle_gen;   /* ... until its rq's idle_gen moves past this */
    /* Per-thread results. */
    uint64_t wakeups;    /* try_to_wake_up() that made it runnable */
    uint64_t run_ns;     /* its own work (steps), ns */
    uint64_t penalty_ns; /* cache refill paid after migrations, ns */
    uint64_t switches_in;
};

/* Tunables of the fair class and the machine's shape. */
struct cpus_sched_cfg {
    struct cpus_topology *topology; /* owned by the scheduler after cpus_configure; NULL = flat */
    struct cpus_migrate_cost refill;
    uint64_t latency_ns;            /* sysctl_sched_latency: period shared by runnable threads */
    uint64_t min_granularity_ns;    /* sysctl_sched_min_granularity: shortest slice */
    uint64_t wakeup_granularity_ns; /* sysctl_sched_wakeup_granularity */
    int64_t migration_cost_ns;      /* sysctl_sched_migration_cost: task_hot() window */
    uint64_t balance_interval_ns;   /* periodic balance tick; busy CPUs x16 (0: off) */
    bool ksoftirqd_fifo;            /* chrt -f on ksoftirqd/N */
    bool delay_dequeue;             /* sched_feat DELAY_DEQUEUE (6.12+; cpus_dequeue_delays) */
};

/* 6 ms / 3 ms / 1 ms, 0.5 ms cache-hot, 4 ms balance, ksoftirqd SCHED_OTHER. */
void cpus_sched_cfg_defaults(struct cpus_sched_cfg *c);

struct cpus_sched;

struct cpus_sched *cpus_new(unsigned n_cpus, uint64_t slice_ns);
void cpus_free(struct cpus_sched *s);
/* Install tunables and topology (takes ownership of c->topology; its CPU count must be
 * n_cpus, else it is freed and a flat one used). Call before threads run. */
void cpus_configure(struct cpus_sched *s, const struct cpus_sched_cfg *c);
const struct cpus_topology *cpus_topology_of(const struct cpus_sched *s);
/* New sleeping thread on `cpu`, pinned there (owned by the scheduler). */
struct cpus_thread *cpus_thread_new(struct cpus_sched *s, const char *name, unsigned cpu,
                                    cpus_step_fn step, void *arg);
/* sched_setaffinity() of a sleeping thread (before it first runs): false when no CPU of
 * the mask exists. Its CPU moves into the mask if needed (not counted as a migration). */
bool cpus_thread_set_affinity(struct cpus_sched *s, struct cpus_thread *t,
                              const struct sim_cpumask *mask);
void cpus_thread_set_policy(struct cpus_sched *s, struct cpus_thread *t, enum cpus_policy p);
/* try_to_wake_up() without placement (per-CPU kthreads, first wake-ups): SLEEPING ->
 * RUNNABLE on its CPU's queue. False if it was not sleeping. */
bool cpus_wake(struct cpus_sched *s, struct cpus_thread *t);
/* try_to_wake_up() from `waker_cpu` at `now`: select_task_rq_fair() with the current
 * run-queue snapshot, set_task_cpu() (migration + refill penalty), enqueue, and
 * check_preempt_wakeup. t->cpu is the chosen CPU afterwards. */
bool cpus_wake_from(struct cpus_sched *s, struct cpus_thread *t, int waker_cpu, bool sync,
                    uint64_t now);
/* What cpus_ttwu() decided: the CPU, whether ttwu_queue_cond() sends the activation to
 * its wake_list (IPI), whether the wakee preempts the target's current thread. */
struct cpus_ttwu {
    unsigned cpu;
    bool queued;
    bool preempt;
};
/* cpus_wake_from() that also reports the ttwu_queue() path (out may be NULL). */
bool cpus_ttwu(struct cpus_sched *s, struct cpus_thread *t, int waker_cpu, bool sync, uint64_t now,
               struct cpus_ttwu *out);
/* The running thread blocks (schedule() from a wait loop); _at gives the CPU's clock. */
void cpus_block(struct cpus_sched *s, unsigned cpu);
void cpus_block_at(struct cpus_sched *s, unsigned cpu, uint64_t now);
/* Thread running on cpu, NULL = idle task. */
struct cpus_thread *cpus_current(const struct cpus_sched *s, unsigned cpu);
/* need_resched(): idle with work queued, a wake-up preempted the current thread, an
 * rt thread waits behind a CFS one, or the CFS slice is used up while others wait. */
bool cpus_need_resched(const struct cpus_sched *s, unsigned cpu, uint64_t now);
/* __schedule(): put the current thread back (if still runnable) and pick the next one
 * (rt first, then smallest vruntime); an idle pick first tries a newidle pull.
 * Returns the new current thread (NULL = idle); *switched tells if it changed. */
struct cpus_thread *cpus_schedule(struct cpus_sched *s, unsigned cpu, uint64_t now, bool *switched);
/* Periodic balance, every balance_interval_ns: each idle CPU in turn tries one pull (the
 * nohz idle balancer's pass); each busy CPU whose domains are due (balance interval x
 * busy_factor 16) runs the busy pass of balance.h. Calls kick(ctx, cpu) for every idle CPU
 * that got a thread. */
void cpus_balance_tick(struct cpus_sched *s, uint64_t now, void (*kick)(void *, unsigned),
                       void *ctx);
uint64_t cpus_balance_interval(const struct cpus_sched *s);
/* The cache refill a migrated thread owes on this run (clears it). */
uint64_t cpus_take_penalty(struct cpus_sched *s, struct cpus_thread *t);
unsigned cpus_nr_queued(const struct cpus_sched *s, unsigned cpu);
unsigned cpus_nr_threads(const struct cpus_sched *s);
/* Thread by id (creation order). */
struct cpus_thread *cpus_thread_get(struct cpus_sched *s, unsigned id);
const struct cpus_migrate_stats *cpus_migrate_totals(const struct cpus_sched *s);
/* Threads moved onto `cpu` (any reason). */
uint64_t cpus_migrations_in(const struct cpus_sched *s, unsigned cpu);

#endif
