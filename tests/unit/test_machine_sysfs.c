/* sim/host/machine_sysfs.c: sysfs.txt (/outputs/sysfs) prints eth0's steering files as the
 * kernel does: rps_cpus and xps_cpus at nr_cpu_ids bits (%*pb), xps_rxqs at num_rx_queues
 * bits, /proc/irq/N/smp_affinity (default: all CPUs) and effective_affinity. */
#include "tests/unit/sim_harness.h"

static GHashTable *sysfs_of(const char *text)
{
    struct sim_result r = run(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.sysfs);
    GHashTable *kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **lines = g_strsplit(r.sysfs, "\n", -1);
    for (char **l = lines; *l && **l; l++) {
        char *colon = strchr(*l, ':');
        CU_ASSERT_PTR_NOT_NULL_FATAL(colon);
        g_hash_table_insert(kv, g_strndup(*l, (gsize)(colon - *l)), g_strdup(colon + 1));
    }
    g_strfreev(lines);
    sim_result_clear(&r);
    return kv;
}

static void expect(GHashTable *kv, const char *path, const char *want)
{
    const char *got = g_hash_table_lookup(kv, path);
    if (!got || strcmp(got, want))
        fprintf(stderr, "\n%s: got %s, want %s\n", path, got ? got : "(none)", want);
    CU_ASSERT(got && strcmp(got, want) == 0);
}

/* 40 CPUs (a 2-digit first group), 2 queues: rx-1's rps_cpus as given, vector 1 pinned to
 * CPU 33 by a hex smp_affinity, vector 0 and the other-causes vector on the default mask. */
static void test_sysfs_prints_masks_at_the_cpu_count(void)
{
    GHashTable *kv = sysfs_of(
        "{\"cpus\": 40, \"duration_ms\": 1, \"outputs\": {\"sysfs\": true},"
        " \"nic\": {\"rx_queues\": 2, \"irq_affinity\": [0, {\"smp_affinity\": \"2,00000000\"}],"
        " \"rx\": [{}, {\"rps_cpus\": \"ff,00000000\", \"rps_flow_cnt\": 256}],"
        " \"tx\": [{\"xps_cpus\": \"1\", \"xps_rxqs\": \"2\"}, {}]},"
        " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 4, \"rate_pps\": 10000}]}}");
    const char *q = "/sys/class/net/eth0/queues/";
    char p[128];
    g_snprintf(p, sizeof p, "%srx-0/rps_cpus", q), expect(kv, p, "00,00000000");
    g_snprintf(p, sizeof p, "%srx-1/rps_cpus", q), expect(kv, p, "ff,00000000");
    g_snprintf(p, sizeof p, "%srx-1/rps_flow_cnt", q), expect(kv, p, "256");
    g_snprintf(p, sizeof p, "%stx-0/xps_cpus", q), expect(kv, p, "00,00000001");
    g_snprintf(p, sizeof p, "%stx-0/xps_rxqs", q), expect(kv, p, "2");
    g_snprintf(p, sizeof p, "%stx-1/xps_cpus", q), expect(kv, p, "00,00000000");
    expect(kv, "/proc/irq/40/smp_affinity", "00,00000001");
    expect(kv, "/proc/irq/41/smp_affinity", "02,00000000");
    expect(kv, "/proc/irq/41/smp_affinity_list", "33");
    expect(kv, "/proc/irq/41/effective_affinity_list", "33");
    expect(kv, "/proc/irq/42/smp_affinity", "ff,ffffffff"); /* irq_default_affinity */
    expect(kv, "/proc/irq/42/smp_affinity_list", "0-39");
    g_hash_table_destroy(kv);
}

/* Without /outputs/sysfs there is no dump. */
static void test_sysfs_only_when_asked(void)
{
    struct sim_result r = run("{\"cpus\": 2, \"duration_ms\": 1, \"traffic\": {\"duration_s\": "
                              "0.001, \"flows\": [{\"count\": 2, \"rate_pps\": 10000}]}}");
    CU_ASSERT_PTR_NULL(r.sysfs);
    sim_result_clear(&r);
}

static CU_TestInfo cases[] = {
    {"test_sysfs_prints_masks_at_the_cpu_count", test_sysfs_prints_masks_at_the_cpu_count},
    {"test_sysfs_only_when_asked", test_sysfs_only_when_asked},
    CU_TEST_INFO_NULL,
};

CU_MAIN("machine_sysfs", cases)
