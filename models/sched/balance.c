/* Load-balancer decisions: task_hot(), can_migrate_task(), and an idle/newidle pull
 * reduced from sched_balance_rq() / sched_balance_find_src_{group,rq}() (fair.c, 6.12). */
#include "models/sched/balance.h"

#include <glib.h>

struct cpus_balance {
    int nr_cpus;
    unsigned *failed; /* [cpu * CPUS_DOM_NR + level] */
};

bool cpus_task_hot(const struct cpus_task *p, int64_t now_ns, int64_t migration_cost_ns)
{
    /* task_hot(): sysctl_sched_migration_cost -1 = always hot, 0 = never */
    if (migration_cost_ns == -1)
        return true;
    if (migration_cost_ns == 0)
        return false;
    return now_ns - p->last_ran_ns < migration_cost_ns;
}

enum cpus_lb_verdict cpus_can_migrate_task(const struct cpus_task *p, bool running,
                                           const struct cpus_lb_env *env)
{
    if (!cpus_mask_test(&p->allowed, env->dst_cpu))
        return CPUS_LB_NOT_ALLOWED;
    if (running)
        return CPUS_LB_RUNNING;
    /* task_hot(): SMT siblings share every cache level, never hot between them */
    bool hot = env->level != CPUS_DOM_SMT && cpus_task_hot(p, env->now_ns, env->migration_cost_ns);
    if (!hot)
        return CPUS_LB_MOVE;
    if (env->nr_balance_failed > cpus_topology_cache_nice_tries(env->level))
        return CPUS_LB_MOVE_FORCED;
    return CPUS_LB_HOT;
}

const char *cpus_lb_verdict_name(enum cpus_lb_verdict v)
{
    static const char *const names[CPUS_LB_NR] = {"move", "move_forced", "not_allowed", "running",
                                                  "hot"};
    return v < CPUS_LB_NR ? names[v] : "?";
}

struct cpus_balance *cpus_balance_new(const struct cpus_topology *t)
{
    struct cpus_balance *b = g_new0(struct cpus_balance, 1);
    b->nr_cpus = cpus_topology_nr_cpus(t);
    b->failed = g_new0(unsigned, (gsize)b->nr_cpus *CPUS_DOM_NR);
    return b;
}

void cpus_balance_free(struct cpus_balance *b)
{
    if (b == NULL)
        return;
    g_free(b->failed);
    g_free(b);
}

unsigned cpus_balance_failed(const struct cpus_balance *b, int cpu, enum cpus_domain_level lvl)
{
    return b->failed[cpu * CPUS_DOM_NR + lvl];
}

/* sched_balance_find_src_rq(), reduced: the CPU of the span with the most runnable tasks
 * (then most load, then lowest number); it needs ≥ 2 so one stays (detach_tasks() stops
 * at nr_running <= 1 when the puller is idle). */
static int find_busiest_cpu(const struct cpus_state *s, const struct cpus_mask *span, int this_cpu)
{
    int busiest = -1;
    int cpu;
    cpus_mask_for_each(cpu, span)
    {
        if (cpu == this_cpu || cpu >= s->nr_cpus || s->cpu[cpu].nr_running < 2)
            continue;
        if (busiest < 0 || s->cpu[cpu].nr_running > s->cpu[busiest].nr_running ||
            (s->cpu[cpu].nr_running == s->cpu[busiest].nr_running &&
             s->cpu[cpu].load > s->cpu[busiest].load))
            busiest = cpu;
    }
    return busiest;
}

/* detach_tasks(): walk the source's tasks from the tail of cfs_tasks (least recently run)
 * and take the first that can_migrate_task() lets go; one task, as an idle pull with
 * migrate_task imbalance of one (and PREEMPTION's newidle break) would move. */
static bool detach_one(const struct cpus_state *s, const struct cpus_lb_env *env,
                       struct cpus_pull *out)
{
    const struct cpus_cpu_state *src = &s->cpu[env->src_cpu];
    for (unsigned i = src->nr_queued; i-- > 0;) {
        struct cpus_task *p = src->queued[i];
        if (p == NULL || p == src->curr)
            continue;
        enum cpus_lb_verdict v = cpus_can_migrate_task(p, false, env);
        if (v <= CPUS_LB_MOVE_FORCED) {
            *out = (struct cpus_pull){p, env->src_cpu, env->level, v};
            return true;
        }
    }
    return false;
}

/* Domain levels that exist for `cpu` (sched_domain degeneration drops a level whose span
 * equals its child's). */
static bool level_exists(const struct cpus_topology *t, int cpu, enum cpus_domain_level lvl)
{
    int w = cpus_mask_weight(cpus_topology_span(t, cpu, lvl));
    if (lvl == CPUS_DOM_SMT)
        return w > 1;
    return w > cpus_mask_weight(cpus_topology_span(t, cpu, lvl - 1));
}

bool cpus_find_busiest_and_pull(const struct cpus_topology *t, struct cpus_balance *b,
                                const struct cpus_state *snap, int this_cpu,
                                enum cpus_idle_type idle, int64_t migration_cost_ns,
                                struct cpus_pull *out)
{
    if (!cpus_state_idle(snap, this_cpu))
        return false; /* busy-CPU periodic balance is not modelled */
    for (enum cpus_domain_level lvl = CPUS_DOM_SMT; lvl < CPUS_DOM_NR; lvl++) {
        if (!level_exists(t, this_cpu, lvl))
            continue;
        unsigned *failed = &b->failed[this_cpu * CPUS_DOM_NR + lvl];
        int src = find_busiest_cpu(snap, cpus_topology_span(t, this_cpu, lvl), this_cpu);
        if (src < 0) {
            *failed = 0; /* out_balanced */
            continue;
        }
        struct cpus_lb_env env = {src, this_cpu, lvl, *failed, snap->now_ns, migration_cost_ns};
        if (detach_one(snap, &env, out)) {
            *failed = 0;
            return true;
        }
        /* Only periodic balance counts failures (newidle would pollute the counter). */
        if (idle != CPUS_CPU_NEWLY_IDLE)
            (*failed)++;
    }
    return false;
}
