/* Load-balancer decisions: task_hot(), can_migrate_task() and a reduced idle/newidle and
 * busy periodic sched_balance_rq() (load_balance() before 6.10), kernel/sched/fair.c,
 * Linux 6.12. */
#ifndef NICSTEER_MODELS_SCHED_BALANCE_H
#define NICSTEER_MODELS_SCHED_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/sched/task.h"
#include "models/sched/topology.h"

/* sysctl_sched_migration_cost (debugfs sched/migration_cost_ns) default, ns. */
#define CPUS_MIGRATION_COST_NS INT64_C(500000)

/* task_hot(): p ran less than migration_cost_ns before now (cost -1: always hot,
 * 0: never). */
bool cpus_task_hot(const struct cpus_task *p, int64_t now_ns, int64_t migration_cost_ns);

enum cpus_lb_verdict {
    CPUS_LB_MOVE = 0,    /* cache-cold (or SMT sibling): may move */
    CPUS_LB_MOVE_FORCED, /* cache-hot, but nr_balance_failed > cache_nice_tries */
    CPUS_LB_NOT_ALLOWED, /* dst_cpu not in p's mask */
    CPUS_LB_RUNNING,     /* task_on_cpu(): only active balance could move it */
    CPUS_LB_HOT,         /* cache-hot on src_cpu */
    CPUS_LB_NR,
};

/* The part of struct lb_env can_migrate_task() reads. */
struct cpus_lb_env {
    int src_cpu;
    int dst_cpu;
    enum cpus_domain_level level; /* domain being balanced (sd) */
    unsigned nr_balance_failed;   /* sd->nr_balance_failed */
    int64_t now_ns;
    int64_t migration_cost_ns;
};

/* can_migrate_task(); `running` = p is rq->curr on src_cpu. Verdicts < NOT_ALLOWED move. */
enum cpus_lb_verdict cpus_can_migrate_task(const struct cpus_task *p, bool running,
                                           const struct cpus_lb_env *env);
const char *cpus_lb_verdict_name(enum cpus_lb_verdict v);

/* enum cpu_idle_type of the balancing CPU. */
enum cpus_idle_type {
    CPUS_CPU_IDLE = 0,   /* periodic balance on an idle CPU (tick / nohz kick) */
    CPUS_CPU_NEWLY_IDLE, /* sched_balance_newidle(): the CPU is about to go idle */
};

/* Per-CPU, per-level sd->nr_balance_failed: the balancer's only memory. */
struct cpus_balance;
struct cpus_balance *cpus_balance_new(const struct cpus_topology *t);
void cpus_balance_free(struct cpus_balance *b);
unsigned cpus_balance_failed(const struct cpus_balance *b, int cpu, enum cpus_domain_level lvl);

struct cpus_pull {
    struct cpus_task *task; /* task to move to the balancing CPU (borrowed from snapshot) */
    int src_cpu;
    enum cpus_domain_level level;
    enum cpus_lb_verdict verdict; /* MOVE or MOVE_FORCED */
};

/* An idle `this_cpu` looks, domain by domain from its SMT siblings outward, for the
 * busiest CPU (most runnable, ≥ 2) and pulls its least recently run movable task.
 * Decision only: apply it with cpus_set_task_cpu(..., CPUS_MIGRATE_BALANCE).
 * Returns false when nothing is pulled (this_cpu busy, balanced, or all hot/pinned). */
bool cpus_find_busiest_and_pull(const struct cpus_topology *t, struct cpus_balance *b,
                                const struct cpus_state *snap, int this_cpu,
                                enum cpus_idle_type idle, int64_t migration_cost_ns,
                                struct cpus_pull *out);

/* sd->busy_factor from sd_init(): a busy CPU balances 16 times less often. */
#define CPUS_BUSY_FACTOR 16

/* sd->balance_interval of `cpu`'s domain at `lvl`: min_interval doubled (up to
 * sd->max_interval = 2 x min_interval) by each periodic pass that found it balanced, back
 * to min_interval when it was not. */
int64_t cpus_balance_sd_interval(const struct cpus_balance *b, int cpu, enum cpus_domain_level lvl,
                                 int64_t min_interval_ns);

/* Some domain of a busy `this_cpu` is due: sd->balance_interval x busy_factor elapsed
 * since its sd->last_balance (cheap test before building a snapshot). */
bool cpus_busy_balance_due(const struct cpus_topology *t, const struct cpus_balance *b,
                           int this_cpu, int64_t now_ns, int64_t min_interval_ns);

/* Periodic balance of a busy `this_cpu` (sched_balance_domains() with CPU_NOT_IDLE): each
 * due domain level, smallest first, finds the CPU with the most runnable tasks; when it
 * has at least 2 more than this_cpu, up to (difference / 2) of its queued, allowed,
 * cache-cold (or forced after cache_nice_tries failures) tasks are pulled, least recently
 * run first. The running task never moves (active balance is not modelled). Stops at the
 * first level that pulls. Fills out[0..max) and returns the count (0: balanced,
 * not due, idle this_cpu, or nothing movable). Apply like cpus_find_busiest_and_pull(). */
unsigned cpus_busy_balance(const struct cpus_topology *t, struct cpus_balance *b,
                           const struct cpus_state *snap, int this_cpu, int64_t min_interval_ns,
                           int64_t migration_cost_ns, struct cpus_pull *out, unsigned max);

#endif
