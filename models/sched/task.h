/* The scheduler's view of a thread (the task_struct fields fair.c reads) and of the CPUs
 * (struct rq) at one instant, as the engine hands them to the decisions (Linux 6.12). */
#ifndef NICSTEER_MODELS_SCHED_TASK_H
#define NICSTEER_MODELS_SCHED_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/cpumask.h"

#define CPUS_NICE_0_LOAD 1024 /* scale_load_down(NICE_0_LOAD): weight of a nice-0 task */

/* Why set_task_cpu() moved a task (the three callers of sched_migrate_task in §5). */
enum cpus_migrate_reason {
    CPUS_MIGRATE_WAKEUP = 0, /* try_to_wake_up() placement */
    CPUS_MIGRATE_BALANCE,    /* load balancer pull (detach_task) */
    CPUS_MIGRATE_AFFINITY,   /* sched_setaffinity() evicting the task from its CPU */
    CPUS_MIGRATE_NR,
};

/* Owned by the engine (one per application thread); the decisions update it in place. */
struct cpus_task {
    int pid;
    int cpu;                            /* task_cpu(p): CPU it runs on or last ran on */
    int recent_used_cpu;                /* p->recent_used_cpu */
    const struct cpus_task *last_wakee; /* p->last_wakee (record_wakee) */
    unsigned wakee_flips;               /* p->wakee_flips */
    int64_t wakee_flip_decay_ts;        /* ns; p->wakee_flip_decay_ts (jiffies in Linux) */
    int64_t last_ran_ns;                /* ns; se.exec_start when it last stopped running */
    unsigned long load;                 /* task_h_load(p): CPUS_NICE_0_LOAD for nice 0 */
    struct sim_cpumask allowed;         /* p->cpus_ptr */
    /* Accounting kept by migrate.c. */
    uint64_t nr_migrations[CPUS_MIGRATE_NR]; /* per reason */
    int64_t cache_penalty_ns;                /* ns of cache refill owed on the next run */
};

/* A thread allowed on CPUs 0..nr_cpus-1, last seen on `cpu`, never run. */
static inline void cpus_task_init(struct cpus_task *p, int pid, int cpu, int nr_cpus)
{
    *p = (struct cpus_task){
        .pid = pid,
        .cpu = cpu,
        .recent_used_cpu = cpu,
        .last_ran_ns = INT64_MIN / 2,
        .load = CPUS_NICE_0_LOAD,
    };
    sim_cpumask_fill(&p->allowed, nr_cpus);
}

/* One CPU's run queue as the decisions need it (struct rq / cfs_rq). */
struct cpus_cpu_state {
    unsigned nr_running;    /* rq->nr_running, including the running task; 0 = idle_cpu() */
    unsigned long load;     /* cpu_load(): summed weight of runnable tasks; the sleeping
                             * wakee is never counted (its blocked load is not modelled) */
    struct cpus_task *curr; /* rq->curr when a task runs: the waker in record_wakee() for
                             * wake-ups done on this CPU; NULL = the idle task */
    /* Runnable but not running, most recently run first (rq->cfs_tasks order);
     * only the load balancer reads it. Borrowed. */
    struct cpus_task *const *queued;
    unsigned nr_queued;
};

/* Snapshot the engine passes in: one entry per CPU of the topology. */
struct cpus_state {
    int64_t now_ns; /* simulated clock (jiffies / rq_clock in Linux) */
    int nr_cpus;
    const struct cpus_cpu_state *cpu; /* [nr_cpus], borrowed */
};

/* available_idle_cpu(): nothing runnable (a softirq running on an idle CPU still counts
 * as idle, as in Linux where rq->curr is the idle task). */
static inline bool cpus_state_idle(const struct cpus_state *s, int cpu)
{
    return s->cpu[cpu].nr_running == 0;
}

#endif
