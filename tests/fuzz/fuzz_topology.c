/* libFuzzer target: CPU topology JSON (models/sched/topology.c). A topology
 * that loads answers every query for every CPU consistently: a CPU shares its
 * LLC with itself, spans grow with the level, and level_of is symmetric. */
#include <jansson.h>
#include <stdio.h>

#include "models/sched/topology.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

static bool subset(const struct sim_cpumask *a, const struct sim_cpumask *b)
{
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++)
        if (a->bits[i] & ~b->bits[i])
            return false;
    return true;
}

static void check(const struct cpus_topology *t)
{
    int n = cpus_topology_nr_cpus(t);
    FUZZ_CHECK(n >= 1 && n <= SIM_NR_CPUS);
    FUZZ_CHECK(cpus_topology_nr_llcs(t) >= 1 && cpus_topology_nr_nodes(t) >= 1);
    cpus_topology_numa_distance(t);
    cpus_topology_has_smt(t);
    for (int cpu = 0; cpu < n; cpu++) {
        int llc = cpus_topology_llc_of(t, cpu), node = cpus_topology_node_of(t, cpu);
        FUZZ_CHECK(llc >= 0 && llc < cpus_topology_nr_llcs(t));
        FUZZ_CHECK(node >= 0 && node < cpus_topology_nr_nodes(t));
        FUZZ_CHECK(cpus_topology_llc_size(t, cpu) >= 1);
        FUZZ_CHECK(cpus_topology_share_cache(t, cpu, cpu));
        const struct sim_cpumask *prev = NULL;
        for (int l = CPUS_DOM_SMT; l < CPUS_DOM_NR; l++) {
            const struct sim_cpumask *s = cpus_topology_span(t, cpu, (enum cpus_domain_level)l);
            FUZZ_CHECK(s && sim_cpumask_test(s, cpu));
            FUZZ_CHECK(!prev || subset(prev, s));
            prev = s;
            cpus_topology_wake_affine(t, (enum cpus_domain_level)l);
        }
        FUZZ_CHECK((int)sim_cpumask_weight(cpus_topology_span(t, cpu, CPUS_DOM_LLC)) ==
                   cpus_topology_llc_size(t, cpu));
        int other = (cpu * 7 + 3) % n;
        FUZZ_CHECK(cpus_topology_level_of(t, cpu, other) == cpus_topology_level_of(t, other, cpu));
        FUZZ_CHECK(cpus_topology_level_of(t, cpu, cpu) == CPUS_DOM_SMT);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return 0;
    GError *err = NULL;
    struct cpus_topology *t = cpus_topology_from_json(j, "fuzz.json", &err);
    FUZZ_CHECK((t == NULL) == (err != NULL));
    if (t)
        check(t);
    g_clear_error(&err);
    cpus_topology_free(t);
    json_decref(j);
    return 0;
}
