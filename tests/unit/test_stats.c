/* sim/stats.c: log-linear histogram precision, quantiles and merging. */
#include "sim/stats.h"
#include "tests/unit/cu_main.h"

static struct sim_hist *hist_new(void)
{
    struct sim_hist *h = g_new(struct sim_hist, 1);
    sim_hist_init(h);
    return h;
}

static void test_stats_empty_histogram_reports_zero(void)
{
    struct sim_hist *h = hist_new();
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 0);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 0);
    CU_ASSERT_EQUAL(h->count, 0);
    g_free(h);
}

static void test_stats_small_values_are_exact(void)
{
    for (uint64_t v = 0; v < 64; v++) {
        struct sim_hist *h = hist_new();
        sim_hist_add(h, v);
        sim_hist_add(h, 1000000); /* a far larger value must not blur v */
        CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), v);
        g_free(h);
    }
    struct sim_hist *h = hist_new();
    for (uint64_t v = 1; v <= 63; v++)
        sim_hist_add(h, v);
    /* rank ceil(0.5 * 63) = 32 -> value 32 exactly */
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 32);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.0), 1);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 63);
    g_free(h);
}

static void test_stats_large_values_within_one_64th(void)
{
    /* Pairs of (v, 2v): the p50 answer is v's bucket, never below v, at most v/64 above. */
    uint64_t vs[] = {64,
                     65,
                     127,
                     128,
                     1000,
                     4095,
                     4096,
                     123456,
                     999999937,
                     (1ull << 40) + 12345,
                     (1ull << 43) + 999,
                     (1ull << 44) - 1};
    for (size_t i = 0; i < G_N_ELEMENTS(vs); i++) {
        struct sim_hist *h = hist_new();
        sim_hist_add(h, vs[i]);
        sim_hist_add(h, vs[i] * 2);
        uint64_t got = sim_hist_quantile(h, 0.5);
        CU_ASSERT(got >= vs[i]);
        CU_ASSERT((double)(got - vs[i]) <= (double)vs[i] / 64.0);
        g_free(h);
    }
}

static void test_stats_bucket_upper_edge_is_reported(void)
{
    /* 1000 = 0b1111101000: e = 9, bucket width 8, bucket [1000, 1007]. */
    struct sim_hist *h = hist_new();
    sim_hist_add(h, 1000);
    sim_hist_add(h, 5000);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 1007);
    g_free(h);
}

static void test_stats_quantile_capped_at_max(void)
{
    struct sim_hist *h = hist_new();
    sim_hist_add(h, 1000);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.99), 1000);
    CU_ASSERT_EQUAL(h->max, 1000);
    /* beyond the bucket range: clamped into the last bucket, reported as max */
    sim_hist_add(h, 1ull << 50);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 1ull << 50);
    g_free(h);
}

static void test_stats_uniform_percentiles(void)
{
    struct sim_hist *h = hist_new();
    for (uint64_t v = 1; v <= 100000; v++)
        sim_hist_add(h, v);
    struct {
        double q;
        uint64_t exact;
    } cases[] = {{0.5, 50000}, {0.99, 99000}, {0.999, 99900}, {1.0, 100000}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t got = sim_hist_quantile(h, cases[i].q);
        CU_ASSERT(got >= cases[i].exact);
        CU_ASSERT((double)got <= (double)cases[i].exact * (1.0 + 1.0 / 64.0));
    }
    /* 50000 lies in [49920, 50175] (e = 15, width 256): upper edge 50175 */
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 50175);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 100000);
    CU_ASSERT_EQUAL(h->count, 100000);
    CU_ASSERT_EQUAL(h->sum, 100000ull * 100001ull / 2);
    g_free(h);
}

static void test_stats_merge_equals_adding_all(void)
{
    struct sim_hist *a = hist_new(), *b = hist_new(), *all = hist_new();
    uint64_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t v = (x >> 33) % 5000000;
        sim_hist_add(i % 3 ? a : b, v);
        sim_hist_add(all, v);
    }
    sim_hist_merge(a, b);
    CU_ASSERT_EQUAL(memcmp(a, all, sizeof(*a)), 0);
    CU_ASSERT_EQUAL(sim_hist_quantile(a, 0.99), sim_hist_quantile(all, 0.99));
    /* merging an empty histogram changes nothing */
    struct sim_hist *empty = hist_new();
    sim_hist_merge(a, empty);
    CU_ASSERT_EQUAL(memcmp(a, all, sizeof(*a)), 0);
    g_free(a);
    g_free(b);
    g_free(all);
    g_free(empty);
}

static CU_TestInfo cases[] = {
    {"empty histogram reports zero", test_stats_empty_histogram_reports_zero},
    {"small values are exact", test_stats_small_values_are_exact},
    {"large values within 1/64", test_stats_large_values_within_one_64th},
    {"bucket upper edge is reported", test_stats_bucket_upper_edge_is_reported},
    {"quantile capped at max", test_stats_quantile_capped_at_max},
    {"uniform 1..100000 percentiles", test_stats_uniform_percentiles},
    {"merge equals adding all", test_stats_merge_equals_adding_all},
    CU_TEST_INFO_NULL,
};

CU_MAIN("stats", cases)
