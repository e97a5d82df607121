/* Moving a thread between CPUs: set_task_cpu(), __set_cpus_allowed_ptr()
 * (kernel/sched/core.c, Linux 6.12) and the cache-refill cost of the move. */
#include "models/sched/migrate.h"

#include "sim/core/err.h"

#define CACHE_LINE_BYTES 64

void cpus_migrate_cost_from_working_set(struct cpus_migrate_cost *c, int64_t ws_bytes,
                                        int64_t l3_ns, int64_t dram_ns, int64_t remote_ns, int mlp)
{
    int64_t lines = ws_bytes / CACHE_LINE_BYTES;
    if (mlp < 1)
        mlp = 1;
    c->smt_ns = 0;
    c->llc_ns = lines * l3_ns / mlp;
    c->cross_llc_ns = lines * dram_ns / mlp;
    c->cross_numa_ns = lines * remote_ns / mlp;
}

void cpus_migrate_cost_default(struct cpus_migrate_cost *c)
{
    cpus_migrate_cost_from_working_set(c, 256 * 1024, 40, 90, 140, 8);
}

static bool cost_key_ok(json_int_t v, const char *where, const char *key, json_int_t min,
                        GError **err)
{
    if (v >= min)
        return true;
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                "%s/%s: %" JSON_INTEGER_FORMAT ", expected an integer >= %" JSON_INTEGER_FORMAT,
                where, key, v, min);
    return false;
}

bool cpus_migrate_cost_from_json(const json_t *obj, const char *where, struct cpus_migrate_cost *c,
                                 GError **err)
{
    json_int_t ws = 256 * 1024, l3 = 40, dram = 90, remote = 140, mlp = 8;
    json_int_t smt = -1, llc = -1, xllc = -1, xnuma = -1;
    json_error_t jerr;
    if (json_unpack_ex((json_t *)obj, &jerr, JSON_STRICT,
                       "{s?:I, s?:I, s?:I, s?:I, s?:I, s?:I, s?:I, s?:I, s?:I}",
                       "working_set_bytes", &ws, "l3_ns", &l3, "dram_ns", &dram, "remote_dram_ns",
                       &remote, "mlp", &mlp, "smt_ns", &smt, "llc_ns", &llc, "cross_llc_ns", &xllc,
                       "cross_numa_ns", &xnuma) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: %s", where, jerr.text);
        return false;
    }
    if (!cost_key_ok(ws, where, "working_set_bytes", 0, err) ||
        !cost_key_ok(l3, where, "l3_ns", 0, err) || !cost_key_ok(dram, where, "dram_ns", 0, err) ||
        !cost_key_ok(remote, where, "remote_dram_ns", 0, err) ||
        !cost_key_ok(mlp, where, "mlp", 1, err))
        return false;
    struct cpus_migrate_cost tmp;
    cpus_migrate_cost_from_working_set(&tmp, ws, l3, dram, remote, (int)MIN(mlp, 1024));
    const struct {
        json_int_t v;
        const char *key;
        int64_t *dst;
    } over[] = {{smt, "smt_ns", &tmp.smt_ns},
                {llc, "llc_ns", &tmp.llc_ns},
                {xllc, "cross_llc_ns", &tmp.cross_llc_ns},
                {xnuma, "cross_numa_ns", &tmp.cross_numa_ns}};
    for (size_t i = 0; i < G_N_ELEMENTS(over); i++) {
        if (json_object_get(obj, over[i].key) == NULL)
            continue;
        if (!cost_key_ok(over[i].v, where, over[i].key, 0, err))
            return false;
        *over[i].dst = over[i].v;
    }
    *c = tmp;
    return true;
}

int64_t cpus_migrate_penalty(const struct cpus_migrate_cost *c, const struct cpus_topology *t,
                             int src, int dst)
{
    if (src == dst)
        return 0;
    switch (cpus_topology_level_of(t, src, dst)) {
    case CPUS_DOM_SMT:
        return c->smt_ns;
    case CPUS_DOM_LLC:
        return c->llc_ns;
    case CPUS_DOM_NODE:
        return c->cross_llc_ns;
    default:
        return c->cross_numa_ns;
    }
}

bool cpus_set_task_cpu(const struct cpus_topology *t, const struct cpus_migrate_cost *c,
                       struct cpus_migrate_stats *stats, struct cpus_task *p, int dst,
                       enum cpus_migrate_reason reason)
{
    int src = p->cpu;
    if (src == dst)
        return false; /* set_task_cpu() traces only a real change of CPU */
    int64_t penalty = cpus_migrate_penalty(c, t, src, dst);
    p->cpu = dst;
    p->nr_migrations[reason]++;
    p->cache_penalty_ns += penalty;
    if (stats != NULL) {
        stats->nr[reason]++;
        stats->by_level[cpus_topology_level_of(t, src, dst)]++;
        stats->penalty_ns += penalty;
    }
    return true;
}

int64_t cpus_task_take_penalty(struct cpus_task *p)
{
    int64_t v = p->cache_penalty_ns;
    p->cache_penalty_ns = 0;
    return v;
}

/* cpumask_any_and_distribute() rotates through the new mask with per-CPU history; we take
 * the next allowed CPU after the current one (wrapping), which spreads the same way
 * without hidden state. */
static int next_allowed_after(const struct sim_cpumask *m, int cpu, int n)
{
    for (int k = 1; k <= n; k++) {
        int c = (cpu + k) % n;
        if (sim_cpumask_test(m, c))
            return c;
    }
    return -1;
}

int cpus_set_affinity(const struct cpus_topology *t, const struct cpus_migrate_cost *c,
                      struct cpus_migrate_stats *stats, struct cpus_task *p,
                      const struct sim_cpumask *mask, bool on_rq)
{
    int n = cpus_topology_nr_cpus(t);
    struct sim_cpumask valid;
    sim_cpumask_fill(&valid, n);
    if (!sim_cpumask_intersects(mask, &valid))
        return -1; /* -EINVAL: no valid CPU in the new mask */
    sim_cpumask_clear(&p->allowed);
    int cpu;
    sim_cpumask_for_each(cpu, mask)
    {
        if (cpu < n)
            sim_cpumask_set(&p->allowed, cpu);
    }
    if (!on_rq || sim_cpumask_test(&p->allowed, p->cpu))
        return p->cpu; /* affine_move_task(): nothing to do while the CPU stays allowed */
    cpus_set_task_cpu(t, c, stats, p, next_allowed_after(&p->allowed, p->cpu, n),
                      CPUS_MIGRATE_AFFINITY);
    return p->cpu;
}

const char *cpus_migrate_reason_name(enum cpus_migrate_reason r)
{
    static const char *const names[CPUS_MIGRATE_NR] = {"wakeup", "balance", "affinity"};
    return r < CPUS_MIGRATE_NR ? names[r] : "?";
}
