/* models/sched/topology.c: LLC / NUMA / SMT spans, domain levels, and JSON errors that
 * name the place. */
#include "models/sched/topology.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

#include <glib/gstdio.h>
#include <unistd.h>

static struct cpus_topology *parse(const char *text, GError **err)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    struct cpus_topology *t = cpus_topology_from_json(root, "topo.json", err);
    json_decref(root);
    return t;
}

/* The error text must name the JSON place and say what was wrong. */
static void expect_error(const char *text, const char *place, const char *what)
{
    GError *err = NULL;
    struct cpus_topology *t = parse(text, &err);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT(g_error_matches(err, SIM_ERROR, SIM_ERROR_INPUT));
    if (strstr(err->message, place) == NULL || strstr(err->message, what) == NULL)
        fprintf(stderr, "\nunexpected message: %s (want %s / %s)\n", err->message, place, what);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "topo.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, place));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, what));
    g_error_free(err);
    cpus_topology_free(t);
}

static void test_topology_default_is_one_llc_one_node(void)
{
    GError *err = NULL;
    struct cpus_topology *t = parse("{\"cpus\": 16}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(cpus_topology_nr_cpus(t), 16);
    CU_ASSERT_EQUAL(cpus_topology_nr_llcs(t), 1);
    CU_ASSERT_EQUAL(cpus_topology_nr_nodes(t), 1);
    CU_ASSERT_EQUAL(cpus_topology_llc_size(t, 9), 16);
    CU_ASSERT(cpus_topology_share_cache(t, 0, 15));
    CU_ASSERT_FALSE(cpus_topology_has_smt(t));
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 3, 12), CPUS_DOM_LLC);
    cpus_topology_free(t);

    t = cpus_topology_new_flat(4);
    CU_ASSERT_EQUAL(cpus_topology_llc_size(t, 0), 4);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 0, 3), CPUS_DOM_LLC);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 2, 2), CPUS_DOM_SMT);
    cpus_topology_free(t);
    cpus_topology_free(NULL);
}

static void test_topology_two_socket_spans_and_levels(void)
{
    GError *err = NULL;
    struct cpus_topology *t =
        parse("{\"cpus\": 16, \"llc\": [[0,1,2,3,4,5,6,7],[8,9,10,11,12,13,14,15]],"
              " \"numa\": [0,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1]}",
              &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(cpus_topology_nr_llcs(t), 2);
    CU_ASSERT_EQUAL(cpus_topology_nr_nodes(t), 2);
    CU_ASSERT_EQUAL(cpus_topology_llc_of(t, 9), 1);
    CU_ASSERT_EQUAL(cpus_topology_node_of(t, 7), 0);
    CU_ASSERT_EQUAL(cpus_topology_llc_size(t, 12), 8);
    CU_ASSERT_FALSE(cpus_topology_share_cache(t, 7, 8));
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 7, 8), CPUS_DOM_SYSTEM);
    const struct sim_cpumask *llc = cpus_topology_span(t, 10, CPUS_DOM_LLC);
    CU_ASSERT_EQUAL(sim_cpumask_weight(llc), 8);
    CU_ASSERT_EQUAL(sim_cpumask_first(llc), 8);
    CU_ASSERT_EQUAL(sim_cpumask_weight(cpus_topology_span(t, 0, CPUS_DOM_SYSTEM)), 16);
    /* distance 21 (two sockets) keeps SD_WAKE_AFFINE on the NUMA level */
    CU_ASSERT(cpus_topology_wake_affine(t, CPUS_DOM_SYSTEM));
    cpus_topology_free(t);
}

static void test_topology_far_numa_loses_wake_affine(void)
{
    GError *err = NULL;
    struct cpus_topology *t = parse(
        "{\"cpus\": 4, \"llc\": [[0,1],[2,3]], \"numa\": [0,0,1,1], \"numa_distance\": 40}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_FALSE(cpus_topology_wake_affine(t, CPUS_DOM_SYSTEM));
    CU_ASSERT(cpus_topology_wake_affine(t, CPUS_DOM_LLC));
    cpus_topology_free(t);
}

static void test_topology_llcs_within_a_node_make_a_pkg_level(void)
{
    GError *err = NULL; /* AMD-like: two CCX LLCs in one node */
    struct cpus_topology *t = parse("{\"cpus\": 8, \"llc\": [[0,1,2,3],[4,5,6,7]]}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 1, 6), CPUS_DOM_NODE);
    CU_ASSERT_EQUAL(cpus_topology_llc_size(t, 6), 4);
    cpus_topology_free(t);
}

static void test_topology_smt_siblings(void)
{
    GError *err = NULL;
    struct cpus_topology *t = parse("{\"cpus\": 4, \"smt\": [[0,2],[1,3]]}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT(cpus_topology_has_smt(t));
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 0, 2), CPUS_DOM_SMT);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 0, 1), CPUS_DOM_LLC);
    const struct sim_cpumask *core = cpus_topology_span(t, 3, CPUS_DOM_SMT);
    CU_ASSERT(sim_cpumask_test(core, 1) && sim_cpumask_test(core, 3));
    CU_ASSERT_EQUAL(sim_cpumask_weight(core), 2);
    cpus_topology_free(t);
}

static void test_topology_sd_init_constants(void)
{
    CU_ASSERT_EQUAL(cpus_topology_imbalance_pct(CPUS_DOM_SMT), 110);
    CU_ASSERT_EQUAL(cpus_topology_imbalance_pct(CPUS_DOM_LLC), 117);
    CU_ASSERT_EQUAL(cpus_topology_cache_nice_tries(CPUS_DOM_SMT), 0);
    CU_ASSERT_EQUAL(cpus_topology_cache_nice_tries(CPUS_DOM_LLC), 1);
    CU_ASSERT_EQUAL(cpus_topology_cache_nice_tries(CPUS_DOM_SYSTEM), 2);
    CU_ASSERT_STRING_EQUAL(cpus_domain_level_name(CPUS_DOM_LLC), "MC");
}

static void test_topology_errors_name_the_json_place(void)
{
    expect_error("{\"cpus\": 4, \"llc\": [[0,1],[2,7]]}", "/llc/1/1", "out of range 0..3");
    expect_error("{\"cpus\": 4, \"llc\": [[0,1,3],[3,2]]}", "/llc/1/0",
                 "CPU 3 already listed in /llc/0");
    expect_error("{\"cpus\": 4, \"llc\": [[0,1],[3]]}", "/llc", "CPU 2 is in no LLC");
    expect_error("{\"cpus\": 4, \"llc\": [[0,1],[]]}", "/llc/1", "non-empty array");
    expect_error("{\"cpus\": 4, \"llc\": [[0,\"x\"]]}", "/llc/0/1", "expected a CPU number");
    expect_error("{\"cpus\": 4, \"numa\": [0,0,1]}", "/numa", "3 entries, expected one per CPU");
    expect_error("{\"cpus\": 4, \"numa\": [0,0,1,-1]}", "/numa/3", "node number");
    expect_error("{\"cpus\": 4, \"llc\": [[0,1,2,3]], \"numa\": [0,0,1,1]}", "/llc/0",
                 "share an LLC but not a NUMA node");
    expect_error("{\"cpus\": 4, \"llc\": [[0,1],[2,3]], \"smt\": [[1,2]]}", "/smt/0",
                 "different LLCs");
    expect_error("{\"cpus\": 0}", "/cpus", "expected 1..1024");
    expect_error("{\"cpus\": 2000}", "/cpus", "expected 1..1024");
    expect_error("{\"cpus\": 4, \"numa_distance\": 5}", "/numa_distance", "10..254");
    expect_error("{\"cpus\": 4, \"llcs\": []}", "/", "llcs");
    expect_error("{\"llc\": [[0]]}", "/", "cpus");
    expect_error("[1,2]", "/", "expected a topology object");
}

static void test_topology_load_reports_file_and_line(void)
{
    GError *err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("topoXXXXXX.json", &path, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT(g_file_set_contents(path, "{\"cpus\": 4,\n \"llc\": [[0,1]\n", -1, NULL));
    CU_ASSERT_PTR_NULL(cpus_topology_load(path, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, path));
    g_clear_error(&err);
    CU_ASSERT(g_file_set_contents(path, "{\"cpus\": 2, \"llc\": [[0],[1]]}", -1, NULL));
    struct cpus_topology *t = cpus_topology_load(path, &err);
    CU_ASSERT_PTR_NOT_NULL(t);
    CU_ASSERT_EQUAL(cpus_topology_nr_llcs(t), 2);
    cpus_topology_free(t);
    CU_ASSERT_PTR_NULL(cpus_topology_load("/nonexistent/topo.json", &err));
    CU_ASSERT(err && strstr(err->message, "/nonexistent/topo.json"));
    g_clear_error(&err);
    g_unlink(path);
    g_free(path);
}

/* /topology {packages, llc_per_package, threads_per_core}: 16 CPUs as 2 packages x 2 LLCs
 * x 2 cores x 2 threads, enumerated first threads first (CPU c and c + 8 are siblings). */
static void test_topology_shape_packages_llcs_threads(void)
{
    GError *err = NULL;
    struct cpus_topology *t = parse(
        "{\"cpus\": 16, \"packages\": 2, \"llc_per_package\": 2, \"threads_per_core\": 2}", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(cpus_topology_nr_llcs(t), 4);
    CU_ASSERT_EQUAL(cpus_topology_nr_nodes(t), 2);
    CU_ASSERT_TRUE(cpus_topology_has_smt(t));
    char *span[CPUS_DOM_NR];
    for (int l = 0; l < CPUS_DOM_NR; l++)
        span[l] = sim_cpumask_print_list(cpus_topology_span(t, 0, (enum cpus_domain_level)l), 16);
    CU_ASSERT_STRING_EQUAL(span[CPUS_DOM_SMT], "0,8");
    CU_ASSERT_STRING_EQUAL(span[CPUS_DOM_LLC], "0-1,8-9");
    CU_ASSERT_STRING_EQUAL(span[CPUS_DOM_NODE], "0-3,8-11");
    CU_ASSERT_STRING_EQUAL(span[CPUS_DOM_SYSTEM], "0-15");
    for (int l = 0; l < CPUS_DOM_NR; l++)
        g_free(span[l]);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 0, 8), CPUS_DOM_SMT);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 0, 9), CPUS_DOM_LLC);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 1, 3), CPUS_DOM_NODE);
    CU_ASSERT_EQUAL(cpus_topology_level_of(t, 0, 12), CPUS_DOM_SYSTEM);
    CU_ASSERT_EQUAL(cpus_topology_llc_size(t, 15), 4);
    CU_ASSERT_EQUAL(cpus_topology_node_of(t, 12), 1);
    cpus_topology_free(t);
    /* 1024 CPUs, 4 packages of 8 LLCs, SMT2. */
    t = parse("{\"cpus\": 1024, \"packages\": 4, \"llc_per_package\": 8, \"threads_per_core\": 2}",
              &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(cpus_topology_nr_llcs(t), 32);
    CU_ASSERT_EQUAL(cpus_topology_llc_size(t, 1023), 32);
    CU_ASSERT_TRUE(cpus_topology_share_cache(t, 1023, 511));
    CU_ASSERT_EQUAL(cpus_topology_node_of(t, 1023), 3);
    cpus_topology_free(t);
    expect_error("{\"cpus\": 12, \"packages\": 2, \"threads_per_core\": 4}",
                 "/:", "expected a multiple of 8");
    expect_error("{\"cpus\": 4, \"packages\": 0}", "/packages", "expected an integer in [1, 1024]");
    expect_error("{\"cpus\": 4, \"packages\": 2, \"llc\": [[0, 1], [2, 3]]}", "/:", "not both");
}

static CU_TestInfo cases[] = {
    {"default is one LLC one node", test_topology_default_is_one_llc_one_node},
    {"two-socket spans and levels", test_topology_two_socket_spans_and_levels},
    {"far NUMA loses wake affine", test_topology_far_numa_loses_wake_affine},
    {"LLCs within a node make a PKG level", test_topology_llcs_within_a_node_make_a_pkg_level},
    {"SMT siblings", test_topology_smt_siblings},
    {"sd_init constants", test_topology_sd_init_constants},
    {"errors name the JSON place", test_topology_errors_name_the_json_place},
    {"load reports file", test_topology_load_reports_file_and_line},
    {"shape: packages, LLCs, threads", test_topology_shape_packages_llcs_threads},
    CU_TEST_INFO_NULL,
};

CU_MAIN("topology", cases)
