/* Wake-up placement of CFS threads: select_task_rq_fair(), wake_wide(), wake_affine(),
 * select_idle_sibling(), select_idle_cpu() (kernel/sched/fair.c, Linux 6.12). */
#include "models/sched/fair.h"

#include <glib.h>

#define NSEC_PER_SEC INT64_C(1000000000)

/* record_wakee(): decays at most once per call, after HZ jiffies (one second). */
void cpus_record_wakee(struct cpus_task *waker, const struct cpus_task *p, int64_t now_ns)
{
    if (now_ns > waker->wakee_flip_decay_ts + NSEC_PER_SEC) {
        waker->wakee_flips >>= 1;
        waker->wakee_flip_decay_ts = now_ns;
    }
    if (waker->last_wakee != p) {
        waker->last_wakee = p;
        waker->wakee_flips++;
    }
}

/* wake_wide(): both sides must flip at least llc_size times, the busier one llc_size
 * times more than the other (a 1:N dispatcher waking N workers). */
bool cpus_wake_wide(const struct cpus_topology *t, const struct cpus_task *waker,
                    const struct cpus_task *p, int waker_cpu)
{
    unsigned master = waker ? waker->wakee_flips : 0;
    unsigned slave = p->wakee_flips;
    unsigned factor = (unsigned)cpus_topology_llc_size(t, waker_cpu);
    if (master < slave) {
        unsigned tmp = master;
        master = slave;
        slave = tmp;
    }
    return !(slave < factor || master < slave * factor);
}

/* wake_affine_idle(): returns the CPU or -1 (nr_cpumask_bits in Linux). */
static int wake_affine_idle(const struct cpus_topology *t, const struct cpus_state *s, int this_cpu,
                            int prev_cpu, bool sync, enum cpus_affine_reason *why)
{
    /* An idle waker CPU means an interrupt woke p: pull only within the cache. */
    if (cpus_state_idle(s, this_cpu) && cpus_topology_share_cache(t, this_cpu, prev_cpu)) {
        bool prev_idle = cpus_state_idle(s, prev_cpu);
        *why = prev_idle ? CPUS_AFFINE_IDLE_PREV : CPUS_AFFINE_IDLE_WAKER;
        return prev_idle ? prev_cpu : this_cpu;
    }
    if (sync && s->cpu[this_cpu].nr_running == 1) {
        *why = CPUS_AFFINE_SYNC;
        return this_cpu;
    }
    if (cpus_state_idle(s, prev_cpu)) {
        *why = CPUS_AFFINE_PREV_IDLE;
        return prev_cpu;
    }
    return -1;
}

/* wake_affine_weight() with WA_BIAS. Capacities are equal (capacity_of() cancels out).
 * Linux subtracts task_h_load(p) from prev's cpu_load() because PELT keeps the sleeping
 * task's blocked load there; our snapshot load never contains the sleeping wakee. */
static int wake_affine_weight(const struct cpus_state *s, const struct cpus_task *waker,
                              const struct cpus_task *p, int this_cpu, int prev_cpu, bool sync,
                              int imbalance_pct, enum cpus_affine_reason *why)
{
    int64_t this_eff = (int64_t)s->cpu[this_cpu].load;
    if (sync) {
        int64_t current_load = waker ? (int64_t)waker->load : 0;
        if (current_load > this_eff) {
            *why = CPUS_AFFINE_WEIGHT_WAKER;
            return this_cpu;
        }
        this_eff -= current_load;
    }
    this_eff += (int64_t)p->load;
    this_eff *= 100;
    int64_t prev_eff = (int64_t)s->cpu[prev_cpu].load;
    prev_eff *= 100 + (imbalance_pct - 100) / 2;
    if (sync) /* on a tie, let select_idle_sibling() consider stacking on the waker */
        prev_eff += 1;
    if (this_eff < prev_eff) {
        *why = CPUS_AFFINE_WEIGHT_WAKER;
        return this_cpu;
    }
    *why = CPUS_AFFINE_WEIGHT_PREV;
    return -1;
}

/* wake_affine(): WA_IDLE then WA_WEIGHT; anything but the waker CPU means prev. */
static int wake_affine(const struct cpus_topology *t, const struct cpus_state *s,
                       const struct cpus_task *waker, const struct cpus_task *p, int this_cpu,
                       int prev_cpu, bool sync, enum cpus_affine_reason *why)
{
    int target = wake_affine_idle(t, s, this_cpu, prev_cpu, sync, why);
    if (target < 0) {
        enum cpus_domain_level lvl = cpus_topology_level_of(t, this_cpu, prev_cpu);
        target = wake_affine_weight(s, waker, p, this_cpu, prev_cpu, sync,
                                    cpus_topology_imbalance_pct(lvl), why);
    }
    return target == this_cpu ? this_cpu : prev_cpu;
}

/* Every SMT sibling of `cpu` idle (the condition select_idle_core() tests). */
static bool core_idle(const struct cpus_topology *t, const struct cpus_state *s, int cpu)
{
    int sib;
    sim_cpumask_for_each(sib, cpus_topology_span(t, cpu, CPUS_DOM_SMT))
    {
        if (!cpus_state_idle(s, sib))
            return false;
    }
    return true;
}

/* test_idle_cores(): Linux keeps a hint in sd_llc_shared; we compute it exactly. */
static bool llc_has_idle_core(const struct cpus_topology *t, const struct cpus_state *s, int target)
{
    int cpu;
    sim_cpumask_for_each(cpu, cpus_topology_span(t, target, CPUS_DOM_LLC))
    {
        if (core_idle(t, s, cpu))
            return true;
    }
    return false;
}

/* select_idle_smt(): an idle, allowed SMT sibling of prev. */
static int select_idle_smt(const struct cpus_topology *t, const struct cpus_state *s,
                           const struct cpus_task *p, int prev)
{
    int cpu;
    sim_cpumask_for_each(cpu, cpus_topology_span(t, prev, CPUS_DOM_SMT))
    {
        if (cpu != prev && sim_cpumask_test(&p->allowed, cpu) && cpus_state_idle(s, cpu))
            return cpu;
    }
    return -1;
}

/* select_idle_cpu(): scan target's LLC ∩ p's mask from target+1, wrapping
 * (for_each_cpu_wrap). The SIS_UTIL scan-depth limit is not modelled: the whole LLC is
 * scanned. With an idle core around, a whole idle core wins; else the first idle CPU met. */
static int select_idle_cpu(const struct cpus_topology *t, const struct cpus_state *s,
                           const struct cpus_task *p, bool has_idle_core, int target,
                           enum cpus_sis_reason *why)
{
    const struct sim_cpumask *llc = cpus_topology_span(t, target, CPUS_DOM_LLC);
    int n = cpus_topology_nr_cpus(t);
    int idle_cpu = -1;
    for (int k = 1; k <= n; k++) {
        int cpu = (target + k) % n;
        if (!sim_cpumask_test(llc, cpu) || !sim_cpumask_test(&p->allowed, cpu))
            continue;
        if (has_idle_core && core_idle(t, s, cpu)) {
            *why = CPUS_SIS_IDLE_CORE;
            return cpu;
        }
        if (cpus_state_idle(s, cpu)) {
            if (!has_idle_core) {
                *why = CPUS_SIS_IDLE_CPU;
                return cpu;
            }
            if (idle_cpu < 0)
                idle_cpu = cpu;
        }
    }
    *why = CPUS_SIS_IDLE_CPU;
    return idle_cpu;
}

/* select_idle_sibling(). Not modelled: asymmetric capacity, clusters, SCHED_IDLE CPUs and
 * the per-CPU-kthread stacking rule (needs in_task(); network wake-ups run in softirq). */
static int select_idle_sibling(const struct cpus_topology *t, const struct cpus_state *s,
                               struct cpus_task *p, int prev, int target, enum cpus_sis_reason *why)
{
    if (cpus_state_idle(s, target)) {
        *why = CPUS_SIS_TARGET_IDLE;
        return target;
    }
    /* "If the previous CPU is cache affine and idle, don't be stupid" */
    if (prev != target && cpus_topology_share_cache(t, prev, target) && cpus_state_idle(s, prev)) {
        *why = CPUS_SIS_PREV_IDLE;
        return prev;
    }
    int recent = p->recent_used_cpu;
    p->recent_used_cpu = prev;
    if (recent != prev && recent != target && recent >= 0 && recent < cpus_topology_nr_cpus(t) &&
        cpus_topology_share_cache(t, recent, target) && cpus_state_idle(s, recent) &&
        sim_cpumask_test(&p->allowed, recent)) {
        *why = CPUS_SIS_RECENT_IDLE;
        return recent;
    }
    bool has_idle_core = false;
    if (cpus_topology_has_smt(t)) {
        has_idle_core = llc_has_idle_core(t, s, target);
        if (!has_idle_core && cpus_topology_share_cache(t, prev, target)) {
            int i = select_idle_smt(t, s, p, prev);
            if (i >= 0) {
                *why = CPUS_SIS_IDLE_SMT;
                return i;
            }
        }
    }
    int i = select_idle_cpu(t, s, p, has_idle_core, target, why);
    if (i >= 0)
        return i;
    *why = CPUS_SIS_BUSY_TARGET;
    return target;
}

/* select_fallback_rq(): first allowed CPU of prev's node, then any allowed CPU. */
static int select_fallback_rq(const struct cpus_topology *t, const struct cpus_task *p, int prev)
{
    int cpu;
    sim_cpumask_for_each(cpu, cpus_topology_span(t, prev, CPUS_DOM_NODE))
    {
        if (sim_cpumask_test(&p->allowed, cpu))
            return cpu;
    }
    cpu = sim_cpumask_first(&p->allowed);
    return cpu >= 0 && cpu < cpus_topology_nr_cpus(t) ? cpu : prev;
}

int cpus_select_task_rq_fair(const struct cpus_topology *t, const struct cpus_state *snap,
                             struct cpus_task *p, int waker_cpu, bool sync,
                             struct cpus_wake_why *why)
{
    g_assert(cpus_state_check(t, snap));
    g_assert(waker_cpu >= 0 && waker_cpu < snap->nr_cpus && p->cpu >= 0 && p->cpu < snap->nr_cpus);
    struct cpus_wake_why local;
    if (why == NULL)
        why = &local;
    int prev = p->cpu;
    *why = (struct cpus_wake_why){.target = prev};
    /* select_task_rq(): a task with one allowed CPU never reaches the fair class. */
    if (sim_cpumask_single(&p->allowed)) {
        why->affine = CPUS_AFFINE_PINNED;
        why->sis = CPUS_SIS_PINNED;
        return why->target = sim_cpumask_first(&p->allowed);
    }
    struct cpus_task *waker = snap->cpu[waker_cpu].curr;
    if (waker != NULL && waker != p)
        cpus_record_wakee(waker, p, snap->now_ns);
    why->wide = cpus_wake_wide(t, waker, p, waker_cpu);
    int new_cpu = prev;
    if (why->wide)
        why->affine = CPUS_AFFINE_WIDE;
    else if (!sim_cpumask_test(&p->allowed, waker_cpu))
        why->affine = CPUS_AFFINE_NOT_ALLOWED;
    else if (waker_cpu == prev)
        why->affine = CPUS_AFFINE_SAME_CPU;
    else if (!cpus_topology_wake_affine(t, cpus_topology_level_of(t, waker_cpu, prev)))
        why->affine = CPUS_AFFINE_NO_DOMAIN; /* no affine domain: fast path on prev */
    else
        new_cpu = wake_affine(t, snap, waker, p, waker_cpu, prev, sync, &why->affine);
    why->target = new_cpu;
    int cpu = select_idle_sibling(t, snap, p, prev, new_cpu, &why->sis);
    /* select_task_rq(): is_cpu_allowed() else select_fallback_rq() */
    if (!sim_cpumask_test(&p->allowed, cpu)) {
        cpu = select_fallback_rq(t, p, prev);
        why->sis = CPUS_SIS_FALLBACK;
    }
    return cpu;
}

bool cpus_state_check(const struct cpus_topology *t, const struct cpus_state *snap)
{
    if (snap == NULL || snap->cpu == NULL || snap->nr_cpus != cpus_topology_nr_cpus(t))
        return false;
    for (int c = 0; c < snap->nr_cpus; c++) {
        const struct cpus_cpu_state *cs = &snap->cpu[c];
        if (cs->nr_queued > 0 && cs->nr_queued >= cs->nr_running)
            return false;
        if (cs->nr_queued > 0 && cs->queued == NULL)
            return false;
    }
    return true;
}

const char *cpus_affine_reason_name(enum cpus_affine_reason r)
{
    static const char *const names[CPUS_AFFINE_NR] = {
        "pinned",           "wake_wide",    "waker_not_allowed", "same_cpu",
        "no_affine_domain", "idle_prev",    "idle_waker",        "sync",
        "prev_idle",        "weight_waker", "weight_prev",
    };
    return r < CPUS_AFFINE_NR ? names[r] : "?";
}

const char *cpus_sis_reason_name(enum cpus_sis_reason r)
{
    static const char *const names[CPUS_SIS_NR] = {
        "pinned",    "target_idle", "prev_idle",   "recent_idle", "idle_smt",
        "idle_core", "idle_cpu",    "busy_target", "fallback",
    };
    return r < CPUS_SIS_NR ? names[r] : "?";
}
