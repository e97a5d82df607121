/* models/nic/reta.c: ethtool_rxfh_indir_default, `ethtool -X` equal/weight/
 * start/default (ethtool fill_indir_table), entry range checks, spread. */
#include <string.h>

#include "models/nic/reta.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static struct nic_reta *reta(unsigned size, unsigned nq)
{
    struct nic_reta *r = nic_reta_new(size, nq, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

static void test_reta_default_is_i_mod_n(void)
{
    struct nic_reta *r = reta(128, 10);
    for (unsigned i = 0; i < 128; i++)
        CU_ASSERT_EQUAL(nic_reta_entry(r, i), i % 10);
    /* queue = RETA[hash & 127] */
    CU_ASSERT_EQUAL(nic_reta_queue(r, 0x51ccc178), 120 % 10);
    CU_ASSERT_EQUAL(nic_reta_queue(r, 0xffffff80), 0);
    nic_reta_free(r);
}

static void test_reta_sizes(void)
{
    unsigned ok[] = {1, 2, 64, 128, 256, 512};
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        struct nic_reta *r = reta(ok[i], 4);
        CU_ASSERT_EQUAL(nic_reta_size(r), ok[i]);
        nic_reta_free(r);
    }
    unsigned bad[] = {0, 100, 1024};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        CU_ASSERT_PTR_NULL(nic_reta_new(bad[i], 4, &err));
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "power of two") : NULL);
        g_clear_error(&err);
    }
}

/* Entries are 16-bit: a queue count they cannot hold is refused, never truncated
 * (found by fuzz_reta: queue 333306 of 2^26 read back as 5114). */
static void test_reta_rejects_queue_counts_entries_cannot_hold(void)
{
    struct nic_reta *r = reta(4, NIC_RETA_QUEUES_MAX);
    const unsigned q[4] = {0, 1, 2, NIC_RETA_QUEUES_MAX - 1};
    CU_ASSERT_TRUE(nic_reta_set_list(r, q, 4, "/reta", NULL));
    CU_ASSERT_EQUAL(nic_reta_entry(r, 3), NIC_RETA_QUEUES_MAX - 1);
    nic_reta_free(r);
    unsigned bad[] = {0, NIC_RETA_QUEUES_MAX + 1, 1u << 26};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        CU_ASSERT_PTR_NULL(nic_reta_new(4, bad[i], &err));
        CU_ASSERT(err && strstr(err->message, "RX queues, expected 1 to 65536"));
        g_clear_error(&err);
    }
}

static void test_reta_equal_and_start(void)
{
    struct nic_reta *r = reta(128, 16);
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "equal 5", "x", NULL));
    /* the real dump (intel-wired-lan 2023-04-16): 0 1 2 3 4 0 1 2 / 3 4 0 .. */
    unsigned want[16] = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0};
    for (unsigned i = 0; i < 16; i++)
        CU_ASSERT_EQUAL(nic_reta_entry(r, i), want[i]);
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "start 4 equal 4", "x", NULL));
    for (unsigned i = 0; i < 128; i++)
        CU_ASSERT_EQUAL(nic_reta_entry(r, i), 4 + i % 4);
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "equal 2 start 1", "x", NULL));
    CU_ASSERT_EQUAL(nic_reta_entry(r, 0), 1);
    CU_ASSERT_EQUAL(nic_reta_entry(r, 1), 2);
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "default", "x", NULL));
    CU_ASSERT_EQUAL(nic_reta_entry(r, 17), 1);
    nic_reta_free(r);
}

static void test_reta_weight_contiguous_runs(void)
{
    struct nic_reta *r = reta(128, 16);
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "weight 1 1 2", "x", NULL));
    for (unsigned i = 0; i < 128; i++)
        CU_ASSERT_EQUAL(nic_reta_entry(r, i), i < 32 ? 0u : i < 64 ? 1u : 2u);
    /* zero weight: that queue gets nothing */
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "weight 0 1 start 3", "x", NULL));
    for (unsigned i = 0; i < 128; i++)
        CU_ASSERT_EQUAL(nic_reta_entry(r, i), 4);
    /* uneven: 3 weights of 1 over 128 -> i < 128*k/3 in integer division
     * (42, 85): runs 42/43/43 */
    CU_ASSERT_TRUE(nic_reta_apply_ethtool(r, "weight 1 1 1", "x", NULL));
    struct nic_reta_spread s;
    nic_reta_spread(r, &s);
    CU_ASSERT_EQUAL(s.entries[0], 42);
    CU_ASSERT_EQUAL(s.entries[1], 43);
    CU_ASSERT_EQUAL(s.entries[2], 43);
    CU_ASSERT_EQUAL(nic_reta_entry(r, 41), 0);
    CU_ASSERT_EQUAL(nic_reta_entry(r, 42), 1);
    nic_reta_free(r);
}

static void expect_err(struct nic_reta *r, const char *spec, const char *want)
{
    GError *err = NULL;
    unsigned before = nic_reta_entry(r, 5);
    CU_ASSERT_FALSE(nic_reta_apply_ethtool(r, spec, "/nic/steering/rss/reta", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (!strstr(err->message, want))
        fprintf(stderr, "message '%s' lacks '%s'\n", err->message, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nic/steering/rss/reta"));
    CU_ASSERT_EQUAL(nic_reta_entry(r, 5), before); /* all or nothing */
    g_error_free(err);
}

static void test_reta_rejects_bad_requests(void)
{
    struct nic_reta *r = reta(128, 8);
    expect_err(r, "equal 9", "entry 8 is queue 8, expected < 8");
    expect_err(r, "start 6 equal 4", "entry 2 is queue 8");
    expect_err(r, "weight 0 0", "at least one non-zero weight");
    expect_err(r, "weight 100 100", "at most the table size 128");
    expect_err(r, "equal", "expected a number after 'equal'");
    expect_err(r, "equal 0", "N >= 1");
    expect_err(r, "bogus 3", "unexpected 'bogus'");
    expect_err(r, "equal 2 weight 1 1", "exactly one of");
    nic_reta_free(r);
}

static void test_reta_explicit_list_names_entry(void)
{
    struct nic_reta *r = reta(4, 4);
    unsigned good[4] = {3, 2, 1, 0}, bad[4] = {0, 1, 7, 0};
    CU_ASSERT_TRUE(nic_reta_set_list(r, good, 4, "/x", NULL));
    CU_ASSERT_EQUAL(nic_reta_queue(r, 1), 2);
    GError *err = NULL;
    CU_ASSERT_FALSE(nic_reta_set_list(r, bad, 4, "/nic/steering/rss/reta", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nic/steering/rss/reta/2: queue 7"));
    g_clear_error(&err);
    json_t *j = json_loads("[1, 1, 1, 1]", 0, NULL);
    CU_ASSERT_TRUE(nic_reta_apply_json(r, j, "/r", NULL));
    CU_ASSERT_EQUAL(nic_reta_queue(r, 0), 1);
    json_decref(j);
    j = json_loads("[1, 1]", 0, NULL);
    CU_ASSERT_FALSE(nic_reta_apply_json(r, j, "/r", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/r: 2 entries, expected 4") : NULL);
    g_clear_error(&err);
    json_decref(j);
    nic_reta_free(r);
}

static void test_reta_spread_ceil_floor(void)
{
    /* field-figures: T entries over N queues -> ceil(T/N) vs floor(T/N) */
    struct nic_reta *r = reta(128, 12);
    struct nic_reta_spread s;
    nic_reta_spread(r, &s);
    CU_ASSERT_EQUAL(s.max, 11);
    CU_ASSERT_EQUAL(s.min, 10);
    CU_ASSERT_EQUAL(s.used, 12);
    CU_ASSERT_DOUBLE_EQUAL(s.mean, 128.0 / 12, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s.max_over_mean, 11 / (128.0 / 12), 1e-9);
    unsigned eleven = 0;
    for (unsigned q = 0; q < 12; q++)
        eleven += s.entries[q] == 11;
    CU_ASSERT_EQUAL(eleven, 128 % 12);
    nic_reta_free(r);
}

static CU_TestInfo cases[] = {
    {"test_reta_default_is_i_mod_n", test_reta_default_is_i_mod_n},
    {"test_reta_sizes", test_reta_sizes},
    {"test_reta_rejects_queue_counts_entries_cannot_hold",
     test_reta_rejects_queue_counts_entries_cannot_hold},
    {"test_reta_equal_and_start", test_reta_equal_and_start},
    {"test_reta_weight_contiguous_runs", test_reta_weight_contiguous_runs},
    {"test_reta_rejects_bad_requests", test_reta_rejects_bad_requests},
    {"test_reta_explicit_list_names_entry", test_reta_explicit_list_names_entry},
    {"test_reta_spread_ceil_floor", test_reta_spread_ceil_floor},
    CU_TEST_INFO_NULL,
};

CU_MAIN("reta", cases)
