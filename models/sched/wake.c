/* Wake-up of a sleeping CFS thread: try_to_wake_up(), ttwu_queue_cond() and the
 * sched_waking -> sched_migrate_task -> sched_wakeup order (kernel/sched/core.c, 6.12). */
#include "models/sched/wake.h"

/* ttwu_queue_cond() with TTWU_QUEUE on: hand the activation to the target CPU when it
 * does not share our cache, or when it is idle (it is about to schedule anyway). */
bool cpus_ttwu_queue_cond(const struct cpus_topology *t, const struct cpus_task *p, int this_cpu,
                          int cpu, unsigned nr_running)
{
    if (!sim_cpumask_test(&p->allowed, cpu))
        return false;
    if (!cpus_topology_share_cache(t, this_cpu, cpu))
        return true;
    if (cpu == this_cpu)
        return false;
    return nr_running == 0;
}

static bool ttwu_queue_cond(const struct cpus_topology *t, const struct cpus_state *s,
                            const struct cpus_task *p, int this_cpu, int cpu)
{
    return cpus_ttwu_queue_cond(t, p, this_cpu, cpu, s->cpu[cpu].nr_running);
}

static void emit(struct cpus_wakeup *out, enum cpus_trace_event ev, int cpu, int orig, int dest)
{
    out->events[out->nr_events++] = (struct cpus_trace_rec){ev, cpu, orig, dest};
}

void cpus_try_to_wake_up(const struct cpus_topology *t, const struct cpus_migrate_cost *c,
                         struct cpus_migrate_stats *stats, const struct cpus_state *snap,
                         struct cpus_task *p, int waker_cpu, bool sync, struct cpus_wakeup *out)
{
    *out = (struct cpus_wakeup){.orig_cpu = p->cpu};
    /* trace_sched_waking() runs in the waker's context before placement; its target_cpu
     * field is task_cpu(p) at that point */
    emit(out, CPUS_EV_SCHED_WAKING, waker_cpu, -1, p->cpu);
    int cpu = cpus_select_task_rq_fair(t, snap, p, waker_cpu, sync, &out->why);
    /* set_task_cpu() -> trace_sched_migrate_task(), still on the waker's CPU */
    out->migrated = cpus_set_task_cpu(t, c, stats, p, cpu, CPUS_MIGRATE_WAKEUP);
    if (out->migrated)
        emit(out, CPUS_EV_SCHED_MIGRATE_TASK, waker_cpu, out->orig_cpu, cpu);
    /* ttwu_queue(): sched_wakeup comes from ttwu_do_activate() on whichever CPU activates */
    out->queued = ttwu_queue_cond(t, snap, p, waker_cpu, cpu);
    emit(out, CPUS_EV_SCHED_WAKEUP, out->queued ? cpu : waker_cpu, -1, cpu);
    out->cpu = cpu;
}

bool cpus_dequeue_delays(bool delay_dequeue, bool blocking, bool ineligible)
{
    return delay_dequeue && blocking && ineligible;
}

const char *cpus_trace_event_name(enum cpus_trace_event ev)
{
    static const char *const names[] = {"sched_waking", "sched_migrate_task", "sched_wakeup"};
    return ev <= CPUS_EV_SCHED_WAKEUP ? names[ev] : "?";
}
