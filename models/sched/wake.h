/* Wake-up of a sleeping CFS thread as try_to_wake_up() does it: placement, set_task_cpu()
 * and the sched tracepoints in order (kernel/sched/core.c, Linux 6.12; spec §5, §6). */
#ifndef NICSTEER_MODELS_SCHED_WAKE_H
#define NICSTEER_MODELS_SCHED_WAKE_H

#include "models/sched/fair.h"
#include "models/sched/migrate.h"

enum cpus_trace_event {
    CPUS_EV_SCHED_WAKING = 0,   /* sched:sched_waking */
    CPUS_EV_SCHED_MIGRATE_TASK, /* sched:sched_migrate_task orig_cpu dest_cpu */
    CPUS_EV_SCHED_WAKEUP,       /* sched:sched_wakeup target_cpu */
};

struct cpus_trace_rec {
    enum cpus_trace_event ev;
    int cpu;      /* CPU whose trace buffer logs the event */
    int orig_cpu; /* MIGRATE_TASK only, else -1 */
    int dest_cpu; /* MIGRATE_TASK: new CPU; WAKING / WAKEUP: target_cpu */
};

struct cpus_wakeup {
    int cpu;       /* where p will run */
    int orig_cpu;  /* p->cpu before the wake-up */
    bool migrated; /* set_task_cpu() moved it */
    bool queued;   /* activation sent to the target's wake list (IPI), TTWU_QUEUE */
    struct cpus_wake_why why;
    unsigned nr_events;
    struct cpus_trace_rec events[3]; /* waking, [migrate_task,] wakeup */
};

/* ttwu_queue_cond() (kernel/sched/core.c): true = the wake-up goes on the target's
 * wake_list with an IPI (no shared LLC, or the target has nr_running == 0). */
bool cpus_ttwu_queue_cond(const struct cpus_topology *t, const struct cpus_task *p, int this_cpu,
                          int cpu, unsigned nr_running);
/* try_to_wake_up() of sleeping p from `waker_cpu`: select_task_rq(), set_task_cpu()
 * (migration accounting, `stats` may be NULL), then the activation, in place (same LLC
 * and busy target, or the waker's own CPU) or through the target's wake list
 * (ttwu_queue_cond(): other LLC, or an idle target), which decides the CPU that logs
 * sched_wakeup. */
void cpus_try_to_wake_up(const struct cpus_topology *t, const struct cpus_migrate_cost *c,
                         struct cpus_migrate_stats *stats, const struct cpus_state *snap,
                         struct cpus_task *p, int waker_cpu, bool sync, struct cpus_wakeup *out);

/* dequeue_entity() with DELAY_DEQUEUE (kernel/sched/fair.c, on by default since 6.12): a
 * task that blocks while it is not eligible (EEVDF lag < 0) is not dequeued but stays on
 * its run queue, se->sched_delayed, until it is picked again or its CPU goes idle. The
 * caller decides eligibility from what it knows: the simulator from vruntime
 * (entity_eligible()), validate, which sees no vruntime in a trace, from "another task is
 * still running there" (a reader that ran ahead of the task it shares the CPU with). A task
 * blocking alone is always eligible and leaves. */
bool cpus_dequeue_delays(bool delay_dequeue, bool blocking, bool ineligible);
/* try_to_wake_up() of a sched_delayed task: ttwu_runnable() requeues it where it is
 * (ENQUEUE_DELAYED), no select_task_rq(), no migration. */
static inline bool cpus_ttwu_runnable_delayed(bool delayed)
{
    return delayed;
}

const char *cpus_trace_event_name(enum cpus_trace_event ev);

#endif
