/* CPU topology as the scheduler sees it: SMT / LLC / NUMA spans and the sched_domain
 * levels sd_init() builds from them (kernel/sched/topology.c, Linux 6.12). */
#include "models/sched/topology.h"

#include "sim/core/err.h"
#include "sim/core/file.h"

struct cpus_topology {
    int nr_cpus;
    int nr_llcs;
    int nr_nodes;
    int nr_cores;
    int numa_distance; /* SLIT distance between distinct nodes (local = 10) */
    bool smt;          /* some core has more than one hardware thread */
    int *llc_of;       /* cpu -> LLC index (per_cpu(sd_llc_id) modulo renumbering) */
    int *node_of;      /* cpu -> NUMA node (cpu_to_node) */
    int *core_of;      /* cpu -> core index (topology_sibling_cpumask) */
    struct sim_cpumask *llc_span;
    struct sim_cpumask *node_span;
    struct sim_cpumask *core_span;
    struct sim_cpumask all;
};

static struct cpus_topology *topo_alloc(int nr_cpus)
{
    struct cpus_topology *t = g_new0(struct cpus_topology, 1);
    t->nr_cpus = nr_cpus;
    t->numa_distance = CPUS_DEFAULT_NUMA_DISTANCE;
    t->llc_of = g_new0(int, nr_cpus);
    t->node_of = g_new0(int, nr_cpus);
    t->core_of = g_new0(int, nr_cpus);
    sim_cpumask_fill(&t->all, nr_cpus);
    return t;
}

/* Builds the span masks once the per-CPU ids are final. */
static void topo_build_spans(struct cpus_topology *t)
{
    t->nr_llcs = t->nr_nodes = t->nr_cores = 0;
    for (int c = 0; c < t->nr_cpus; c++) {
        t->nr_llcs = MAX(t->nr_llcs, t->llc_of[c] + 1);
        t->nr_nodes = MAX(t->nr_nodes, t->node_of[c] + 1);
        t->nr_cores = MAX(t->nr_cores, t->core_of[c] + 1);
    }
    t->llc_span = g_new0(struct sim_cpumask, t->nr_llcs);
    t->node_span = g_new0(struct sim_cpumask, t->nr_nodes);
    t->core_span = g_new0(struct sim_cpumask, t->nr_cores);
    for (int c = 0; c < t->nr_cpus; c++) {
        sim_cpumask_set(&t->llc_span[t->llc_of[c]], c);
        sim_cpumask_set(&t->node_span[t->node_of[c]], c);
        sim_cpumask_set(&t->core_span[t->core_of[c]], c);
    }
    t->smt = false;
    for (int k = 0; k < t->nr_cores; k++)
        t->smt |= sim_cpumask_weight(&t->core_span[k]) > 1;
}

struct cpus_topology *cpus_topology_new_flat(int nr_cpus)
{
    g_return_val_if_fail(nr_cpus >= 1 && nr_cpus <= SIM_NR_CPUS, NULL);
    struct cpus_topology *t = topo_alloc(nr_cpus);
    for (int c = 0; c < nr_cpus; c++)
        t->core_of[c] = c;
    topo_build_spans(t);
    return t;
}

void cpus_topology_free(struct cpus_topology *t)
{
    if (t == NULL)
        return;
    g_free(t->llc_of);
    g_free(t->node_of);
    g_free(t->core_of);
    g_free(t->llc_span);
    g_free(t->node_span);
    g_free(t->core_span);
    g_free(t);
}

static bool fail(GError **err, const char *where, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool fail(GError **err, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: %s", where, msg);
    g_free(msg);
    return false;
}

/* Reads a CPU number at `ptr` (JSON pointer) and checks its range. */
static bool parse_cpu(const json_t *v, int nr_cpus, const char *where, const char *ptr, int *out,
                      GError **err)
{
    if (!json_is_integer(v))
        return fail(err, where, "%s: expected a CPU number", ptr);
    json_int_t c = json_integer_value(v);
    if (c < 0 || c >= nr_cpus)
        return fail(err, where, "%s: CPU %" JSON_INTEGER_FORMAT " out of range 0..%d", ptr, c,
                    nr_cpus - 1);
    *out = (int)c;
    return true;
}

/* Partition-like list of CPU groups ("llc", "smt"): group index per CPU, -1 when absent. */
static bool parse_groups(const json_t *arr, const char *key, int nr_cpus, const char *where,
                         int *group_of, GError **err)
{
    for (int c = 0; c < nr_cpus; c++)
        group_of[c] = -1;
    if (!json_is_array(arr))
        return fail(err, where, "/%s: expected an array of CPU arrays", key);
    size_t gi;
    const json_t *grp;
    json_array_foreach(arr, gi, grp)
    {
        if (!json_is_array(grp) || json_array_size(grp) == 0)
            return fail(err, where, "/%s/%zu: expected a non-empty array of CPU numbers", key, gi);
        size_t ci;
        const json_t *v;
        json_array_foreach(grp, ci, v)
        {
            char ptr[64];
            g_snprintf(ptr, sizeof(ptr), "/%s/%zu/%zu", key, gi, ci);
            int cpu = -1;
            if (!parse_cpu(v, nr_cpus, where, ptr, &cpu, err))
                return false;
            if (group_of[cpu] >= 0)
                return fail(err, where, "%s: CPU %d already listed in /%s/%d", ptr, cpu, key,
                            group_of[cpu]);
            group_of[cpu] = (int)gi;
        }
    }
    return true;
}

static bool parse_numa(const json_t *arr, int nr_cpus, const char *where, int *node_of,
                       GError **err)
{
    if (!json_is_array(arr))
        return fail(err, where, "/numa: expected an array with one node number per CPU");
    if ((int)json_array_size(arr) != nr_cpus)
        return fail(err, where, "/numa: %zu entries, expected one per CPU (%d)",
                    json_array_size(arr), nr_cpus);
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= nr_cpus)
            return fail(err, where, "/numa/%zu: expected a node number 0..%d", i, nr_cpus - 1);
        node_of[i] = (int)json_integer_value(v);
    }
    return true;
}

/* An LLC lives inside one node and an SMT core inside one LLC (x86/arm64 topology). */
static bool check_nesting(const struct cpus_topology *t, const int *smt_of, const char *where,
                          GError **err)
{
    int first_in_llc[SIM_NR_CPUS];
    int first_in_core[SIM_NR_CPUS];
    for (int i = 0; i < t->nr_cpus; i++)
        first_in_llc[i] = first_in_core[i] = -1;
    for (int c = 0; c < t->nr_cpus; c++) {
        int l = t->llc_of[c];
        if (first_in_llc[l] < 0)
            first_in_llc[l] = c;
        else if (t->node_of[first_in_llc[l]] != t->node_of[c])
            return fail(err, where,
                        "/llc/%d: CPUs %d (node %d) and %d (node %d) share an LLC "
                        "but not a NUMA node",
                        l, first_in_llc[l], t->node_of[first_in_llc[l]], c, t->node_of[c]);
        if (smt_of[c] < 0)
            continue;
        int s = smt_of[c];
        if (first_in_core[s] < 0)
            first_in_core[s] = c;
        else if (t->llc_of[first_in_core[s]] != l)
            return fail(err, where, "/smt/%d: SMT siblings %d and %d are in different LLCs", s,
                        first_in_core[s], c);
    }
    return true;
}

static bool fill_from_json(struct cpus_topology *t, const json_t *llc, const json_t *numa,
                           const json_t *smt, const char *where, GError **err)
{
    int n = t->nr_cpus;
    int *smt_of = g_new(int, n);
    bool ok = true;
    if (llc != NULL) {
        ok = parse_groups(llc, "llc", n, where, t->llc_of, err);
        for (int c = 0; ok && c < n; c++)
            if (t->llc_of[c] < 0)
                ok = fail(err, where, "/llc: CPU %d is in no LLC", c);
    }
    if (ok && numa != NULL)
        ok = parse_numa(numa, n, where, t->node_of, err);
    for (int c = 0; c < n; c++)
        smt_of[c] = -1;
    if (ok && smt != NULL)
        ok = parse_groups(smt, "smt", n, where, smt_of, err);
    if (ok)
        ok = check_nesting(t, smt_of, where, err);
    if (ok) {
        /* Unlisted CPUs are single-threaded cores numbered after the SMT groups. */
        int next = smt ? (int)json_array_size(smt) : 0;
        for (int c = 0; c < n; c++)
            t->core_of[c] = smt_of[c] >= 0 ? smt_of[c] : next++;
    }
    g_free(smt_of);
    return ok;
}

/* A shape key (packages, llc_per_package, threads_per_core): absent = 1. */
static bool shape_key(const json_t *v, const char *key, const char *where, int *out, GError **err)
{
    *out = 1;
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > SIM_NR_CPUS)
        return fail(err, where, "/%s: expected an integer in [1, %d]", key, SIM_NR_CPUS);
    *out = (int)json_integer_value(v);
    return true;
}

/* A regular machine as x86 enumerates it (arch/x86/kernel/smpboot.c, the ACPI MADT order of
 * a BIOS listing first threads first): CPU c is thread c / cores of core c % cores; cores
 * fill the packages in order and each package splits its cores into equal LLCs (an AMD CCX,
 * an Intel sub-NUMA cluster's L3 slice); every package is its own NUMA node, so the domains
 * are SMT / MC (LLC) / PKG (node) / NUMA. */
static bool fill_from_shape(struct cpus_topology *t, const json_t *obj, const char *where,
                            GError **err)
{
    int pk, lpp, tpc;
    if (!shape_key(json_object_get(obj, "packages"), "packages", where, &pk, err) ||
        !shape_key(json_object_get(obj, "llc_per_package"), "llc_per_package", where, &lpp, err) ||
        !shape_key(json_object_get(obj, "threads_per_core"), "threads_per_core", where, &tpc, err))
        return false;
    int n = t->nr_cpus;
    if (n % (pk * lpp * tpc))
        return fail(err, where,
                    "/: %d CPUs do not split into %d packages x %d LLCs x %d threads per core "
                    "(expected a multiple of %d)",
                    n, pk, lpp, tpc, pk * lpp * tpc);
    int cores = n / tpc, cores_per_llc = cores / (pk * lpp);
    for (int c = 0; c < n; c++) {
        int core = c % cores;
        t->core_of[c] = core;
        t->llc_of[c] = core / cores_per_llc;
        t->node_of[c] = core / (cores_per_llc * lpp);
    }
    return true;
}

static bool has_shape(const json_t *obj)
{
    return json_object_get(obj, "packages") || json_object_get(obj, "llc_per_package") ||
           json_object_get(obj, "threads_per_core");
}

struct cpus_topology *cpus_topology_from_json(const json_t *obj, const char *where, GError **err)
{
    json_int_t cpus = 0, dist = CPUS_DEFAULT_NUMA_DISTANCE;
    json_t *llc = NULL, *numa = NULL, *smt = NULL, *pk = NULL, *lpp = NULL, *tpc = NULL;
    json_error_t jerr;
    if (!json_is_object(obj))
        return fail(err, where, "/: expected a topology object"), NULL;
    if (json_unpack_ex((json_t *)obj, &jerr, JSON_STRICT,
                       "{s:I, s?:o, s?:o, s?:o, s?:I, s?o, s?o, s?o}", "cpus", &cpus, "llc", &llc,
                       "numa", &numa, "smt", &smt, "numa_distance", &dist, "packages", &pk,
                       "llc_per_package", &lpp, "threads_per_core", &tpc) != 0)
        return fail(err, where,
                    "/: %s (keys: cpus, llc, numa, smt, numa_distance, packages, "
                    "llc_per_package, threads_per_core)",
                    jerr.text),
               NULL;
    if (has_shape(obj) && (llc || numa || smt))
        return fail(err, where,
                    "/: give the shape (packages, llc_per_package, threads_per_core) or the "
                    "groups (llc, numa, smt), not both"),
               NULL;
    if (cpus < 1 || cpus > SIM_NR_CPUS)
        return fail(err, where, "/cpus: %" JSON_INTEGER_FORMAT " CPUs, expected 1..%d", cpus,
                    SIM_NR_CPUS),
               NULL;
    if (dist < 10 || dist > 254)
        return fail(err, where,
                    "/numa_distance: %" JSON_INTEGER_FORMAT ", expected a SLIT distance 10..254",
                    dist),
               NULL;
    struct cpus_topology *t = topo_alloc((int)cpus);
    t->numa_distance = (int)dist;
    if (!(has_shape(obj) ? fill_from_shape(t, obj, where, err)
                         : fill_from_json(t, llc, numa, smt, where, err))) {
        cpus_topology_free(t);
        return NULL;
    }
    topo_build_spans(t);
    return t;
}

struct cpus_topology *cpus_topology_load(const char *path, GError **err)
{
    json_t *root = sim_file_load_json(path, JSON_REJECT_DUPLICATES, err);
    if (root == NULL)
        return NULL;
    struct cpus_topology *t = cpus_topology_from_json(root, path, err);
    json_decref(root);
    return t;
}

int cpus_topology_nr_cpus(const struct cpus_topology *t)
{
    return t->nr_cpus;
}

int cpus_topology_nr_llcs(const struct cpus_topology *t)
{
    return t->nr_llcs;
}

int cpus_topology_nr_nodes(const struct cpus_topology *t)
{
    return t->nr_nodes;
}

int cpus_topology_llc_of(const struct cpus_topology *t, int cpu)
{
    return t->llc_of[cpu];
}

int cpus_topology_node_of(const struct cpus_topology *t, int cpu)
{
    return t->node_of[cpu];
}

int cpus_topology_numa_distance(const struct cpus_topology *t)
{
    return t->numa_distance;
}

bool cpus_topology_has_smt(const struct cpus_topology *t)
{
    return t->smt;
}

int cpus_topology_llc_size(const struct cpus_topology *t, int cpu)
{
    return sim_cpumask_weight(&t->llc_span[t->llc_of[cpu]]);
}

bool cpus_topology_share_cache(const struct cpus_topology *t, int a, int b)
{
    return t->llc_of[a] == t->llc_of[b];
}

const struct sim_cpumask *cpus_topology_span(const struct cpus_topology *t, int cpu,
                                             enum cpus_domain_level level)
{
    switch (level) {
    case CPUS_DOM_SMT:
        return &t->core_span[t->core_of[cpu]];
    case CPUS_DOM_LLC:
        return &t->llc_span[t->llc_of[cpu]];
    case CPUS_DOM_NODE:
        return &t->node_span[t->node_of[cpu]];
    default:
        return &t->all;
    }
}

enum cpus_domain_level cpus_topology_level_of(const struct cpus_topology *t, int a, int b)
{
    if (t->core_of[a] == t->core_of[b])
        return CPUS_DOM_SMT;
    if (t->llc_of[a] == t->llc_of[b])
        return CPUS_DOM_LLC;
    if (t->node_of[a] == t->node_of[b])
        return CPUS_DOM_NODE;
    return CPUS_DOM_SYSTEM;
}

bool cpus_topology_wake_affine(const struct cpus_topology *t, enum cpus_domain_level level)
{
    /* sd_init(): NUMA levels beyond node_reclaim_distance clear SD_WAKE_AFFINE */
    if (level == CPUS_DOM_SYSTEM && t->nr_nodes > 1)
        return t->numa_distance <= CPUS_RECLAIM_DISTANCE;
    return true;
}

int cpus_topology_imbalance_pct(enum cpus_domain_level level)
{
    return level == CPUS_DOM_SMT ? 110 : 117; /* sd_init() */
}

unsigned cpus_topology_cache_nice_tries(enum cpus_domain_level level)
{
    switch (level) { /* sd_init() */
    case CPUS_DOM_SMT:
        return 0;
    case CPUS_DOM_SYSTEM:
        return 2;
    default:
        return 1;
    }
}

const char *cpus_domain_level_name(enum cpus_domain_level level)
{
    static const char *const names[] = {"SMT", "MC", "PKG", "NUMA"};
    return level < CPUS_DOM_NR ? names[level] : "?";
}
