/* Load-balancer decisions: task_hot(), can_migrate_task(), an idle/newidle pull and the
 * busy-CPU periodic pass, reduced from sched_balance_domains() / sched_balance_rq() /
 * sched_balance_find_src_{group,rq}() / calculate_imbalance() (fair.c, Linux 6.12). */
#include "models/sched/balance.h"

#include <glib.h>

/* Per-domain state of struct sched_domain the periodic balancer keeps. */
struct cpus_sd_state {
    int64_t last_balance_ns; /* sd->last_balance (jiffies in Linux) */
    unsigned interval_shift; /* sd->balance_interval = min_interval << shift */
};

struct cpus_balance {
    int nr_cpus;
    unsigned *failed;         /* [cpu * CPUS_DOM_NR + level] */
    struct cpus_sd_state *sd; /* same index */
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
    if (!sim_cpumask_test(&p->allowed, env->dst_cpu))
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
    b->sd = g_new0(struct cpus_sd_state, (gsize)b->nr_cpus * CPUS_DOM_NR);
    return b;
}

void cpus_balance_free(struct cpus_balance *b)
{
    if (b == NULL)
        return;
    g_free(b->failed);
    g_free(b->sd);
    g_free(b);
}

unsigned cpus_balance_failed(const struct cpus_balance *b, int cpu, enum cpus_domain_level lvl)
{
    return b->failed[cpu * CPUS_DOM_NR + lvl];
}

int64_t cpus_balance_sd_interval(const struct cpus_balance *b, int cpu, enum cpus_domain_level lvl,
                                 int64_t min_interval_ns)
{
    return min_interval_ns << b->sd[cpu * CPUS_DOM_NR + lvl].interval_shift;
}

/* sched_balance_rq() out_balanced / out_one_pinned: "tune up the balancing interval",
 * doubling sd->balance_interval up to sd->max_interval (2 x min_interval, sd_init()). */
static void sd_balanced(struct cpus_balance *b, int slot)
{
    b->failed[slot] = 0;
    if (b->sd[slot].interval_shift < 1)
        b->sd[slot].interval_shift++;
}

/* sched_balance_find_src_rq()'s order: more runnable tasks, then more load (the lower CPU
 * number wins a full tie, by the callers' scan order). */
static bool busier(const struct cpus_state *s, int cpu, int than)
{
    return s->cpu[cpu].nr_running > s->cpu[than].nr_running ||
           (s->cpu[cpu].nr_running == s->cpu[than].nr_running &&
            s->cpu[cpu].load > s->cpu[than].load);
}

/* sched_balance_find_src_rq(), reduced: the CPU of the span with the most runnable tasks
 * (then most load, then lowest number); it needs ≥ 2 so one stays (detach_tasks() stops
 * at nr_running <= 1 when the puller is idle). */
static int find_busiest_cpu(const struct cpus_state *s, const struct sim_cpumask *span,
                            int this_cpu)
{
    int busiest = -1;
    int cpu;
    sim_cpumask_for_each(cpu, span)
    {
        if (cpu == this_cpu || cpu >= s->nr_cpus || s->cpu[cpu].nr_running < 2)
            continue;
        if (busiest < 0 || busier(s, cpu, busiest))
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
    unsigned w = sim_cpumask_weight(cpus_topology_span(t, cpu, lvl));
    if (lvl == CPUS_DOM_SMT)
        return w > 1;
    return w > sim_cpumask_weight(cpus_topology_span(t, cpu, lvl - 1));
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
        int slot = this_cpu * CPUS_DOM_NR + lvl;
        unsigned *failed = &b->failed[slot];
        /* sched_balance_newidle() neither reads nor moves sd->last_balance's interval */
        bool periodic = idle != CPUS_CPU_NEWLY_IDLE;
        if (periodic)
            b->sd[slot].last_balance_ns = snap->now_ns;
        int src = find_busiest_cpu(snap, cpus_topology_span(t, this_cpu, lvl), this_cpu);
        if (src < 0) {
            if (periodic)
                sd_balanced(b, slot); /* out_balanced */
            else
                *failed = 0;
            continue;
        }
        struct cpus_lb_env env = {src, this_cpu, lvl, *failed, snap->now_ns, migration_cost_ns};
        if (detach_one(snap, &env, out)) {
            *failed = 0;
            if (periodic)
                b->sd[slot].interval_shift = 0; /* unbalanced: back to sd->min_interval */
            return true;
        }
        /* Only periodic balance counts failures (newidle would pollute the counter). */
        if (periodic) {
            (*failed)++;
            b->sd[slot].interval_shift = 0;
        }
    }
    return false;
}

/* get_sd_balance_interval(): a busy CPU stretches sd->balance_interval by busy_factor. */
static int64_t busy_interval(const struct cpus_balance *b, int slot, int64_t min_interval_ns)
{
    return (min_interval_ns << b->sd[slot].interval_shift) * CPUS_BUSY_FACTOR;
}

bool cpus_busy_balance_due(const struct cpus_topology *t, const struct cpus_balance *b,
                           int this_cpu, int64_t now_ns, int64_t min_interval_ns)
{
    for (enum cpus_domain_level lvl = CPUS_DOM_SMT; lvl < CPUS_DOM_NR; lvl++) {
        int slot = this_cpu * CPUS_DOM_NR + lvl;
        if (level_exists(t, this_cpu, lvl) &&
            now_ns - b->sd[slot].last_balance_ns >= busy_interval(b, slot, min_interval_ns))
            return true;
    }
    return false;
}

/* sched_balance_find_src_group() + calculate_imbalance(), reduced to CPUs of equal
 * capacity running equal-weight CFS tasks (the group_has_spare / migrate_task case with
 * single-CPU groups): the busiest CPU of the span not in `skip`, and imbalance =
 * (busiest nr_running - local nr_running) >> 1 tasks ("env->imbalance >>= 1"). */
static int find_busiest_busy(const struct cpus_state *s, const struct sim_cpumask *span,
                             const struct sim_cpumask *skip, int this_cpu, unsigned *imbalance)
{
    unsigned local = s->cpu[this_cpu].nr_running;
    int busiest = -1;
    int cpu;
    sim_cpumask_for_each(cpu, span)
    {
        if (cpu == this_cpu || cpu >= s->nr_cpus || sim_cpumask_test(skip, cpu))
            continue;
        if (busiest < 0 || busier(s, cpu, busiest))
            busiest = cpu;
    }
    if (busiest < 0 || s->cpu[busiest].nr_running < local + 2)
        return -1; /* out_balanced: 2 vs 1 is as even as whole tasks get */
    *imbalance = (s->cpu[busiest].nr_running - local) >> 1;
    return busiest;
}

/* detach_tasks(), migrate_task: from the tail of cfs_tasks, up to `imbalance` tasks that
 * can_migrate_task() lets go. *any_allowed reports whether some task (the running one
 * included) may run on dst_cpu, i.e. LBF_ALL_PINNED was cleared. */
static unsigned detach_busy(const struct cpus_state *s, const struct cpus_lb_env *env,
                            unsigned imbalance, struct cpus_pull *out, unsigned max,
                            bool *any_allowed)
{
    const struct cpus_cpu_state *src = &s->cpu[env->src_cpu];
    unsigned n = 0;
    *any_allowed = src->curr && sim_cpumask_test(&src->curr->allowed, env->dst_cpu);
    for (unsigned i = src->nr_queued; i-- > 0 && n < imbalance && n < max;) {
        struct cpus_task *p = src->queued[i];
        if (p == NULL || p == src->curr)
            continue;
        enum cpus_lb_verdict v = cpus_can_migrate_task(p, false, env);
        *any_allowed |= v != CPUS_LB_NOT_ALLOWED;
        if (v <= CPUS_LB_MOVE_FORCED)
            out[n++] = (struct cpus_pull){p, env->src_cpu, env->level, v};
    }
    return n;
}

unsigned cpus_busy_balance(const struct cpus_topology *t, struct cpus_balance *b,
                           const struct cpus_state *snap, int this_cpu, int64_t min_interval_ns,
                           int64_t migration_cost_ns, struct cpus_pull *out, unsigned max)
{
    if (cpus_state_idle(snap, this_cpu) || max == 0)
        return 0;
    /* sched_balance_domains(): each level on its own interval, smallest first */
    for (enum cpus_domain_level lvl = CPUS_DOM_SMT; lvl < CPUS_DOM_NR; lvl++) {
        int slot = this_cpu * CPUS_DOM_NR + lvl;
        if (!level_exists(t, this_cpu, lvl) ||
            snap->now_ns - b->sd[slot].last_balance_ns < busy_interval(b, slot, min_interval_ns))
            continue;
        b->sd[slot].last_balance_ns = snap->now_ns;
        const struct sim_cpumask *span = cpus_topology_span(t, this_cpu, lvl);
        struct sim_cpumask pinned; /* CPUs dropped from env->cpus: all their tasks pinned */
        sim_cpumask_clear(&pinned);
        unsigned imbalance = 0;
        int src;
        bool any_allowed = false;
        unsigned n = 0;
        while ((src = find_busiest_busy(snap, span, &pinned, this_cpu, &imbalance)) >= 0) {
            struct cpus_lb_env env = {src,          this_cpu,         lvl, b->failed[slot],
                                      snap->now_ns, migration_cost_ns};
            n = detach_busy(snap, &env, imbalance, out, max, &any_allowed);
            if (n > 0 || any_allowed)
                break;
            sim_cpumask_set(&pinned, src); /* LBF_ALL_PINNED: redo without that CPU */
        }
        if (n > 0) {
            b->failed[slot] = 0;
            b->sd[slot].interval_shift = 0; /* unbalanced: back to sd->min_interval */
            return n; /* the snapshot is stale now; higher levels wait for the next tick */
        }
        if (src >= 0) {
            /* Hot or running tasks only: nr_balance_failed++ (active balance, which would
             * push the running task after cache_nice_tries + 2 failures, is not modelled). */
            b->failed[slot]++;
            b->sd[slot].interval_shift = 0;
        } else {
            sd_balanced(b, slot); /* out_balanced / out_all_pinned */
        }
    }
    return 0;
}
