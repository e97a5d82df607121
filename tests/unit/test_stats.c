/* sim/stats.c: log-linear histogram precision, quantiles and merging. */
#include <math.h>

#include "sim/core/stats.h"
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

/* ---- per-flow summary ---- */

static void test_flow_lat_is_104_bytes(void)
{
    CU_ASSERT(sizeof(struct sim_flow_lat) <= 104);
}

static void test_flow_lat_empty_reports_zero(void)
{
    struct sim_flow_lat l;
    sim_flow_lat_init(&l);
    CU_ASSERT_EQUAL(sim_flow_lat_quantile(&l, 0.5), 0);
    CU_ASSERT_EQUAL(l.count, 0);
}

/* Deterministic pseudo-random latencies, log-uniform over [lo, lo * 2^span). */
static uint64_t lcg_value(uint64_t *s, uint64_t lo, unsigned span)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    double u = (double)(*s >> 11) / 9007199254740992.0;
    return (uint64_t)((double)lo * exp2(u * span));
}

static void check_flow_lat_against_exact(uint64_t lo, unsigned span, unsigned n)
{
    struct sim_flow_lat l;
    struct sim_hist *h = hist_new();
    sim_flow_lat_init(&l);
    uint64_t s = lo + span;
    for (unsigned i = 0; i < n; i++) {
        uint64_t v = lcg_value(&s, lo, span);
        sim_flow_lat_add(&l, v);
        sim_hist_add(h, v);
    }
    CU_ASSERT_EQUAL(l.count, n);
    CU_ASSERT_EQUAL(l.max, h->max);
    double qs[] = {0.5, 0.99, 0.999, 1.0};
    for (unsigned k = 0; k < 4; k++) {
        /* exact histogram: within 1/64 above the truth; summary: never below it, <= 25% above */
        double truth = (double)sim_hist_quantile(h, qs[k]) / (1.0 + 1.0 / 64);
        double got = (double)sim_flow_lat_quantile(&l, qs[k]);
        CU_ASSERT(got >= truth * 0.999);
        CU_ASSERT(got <= truth * 1.25 + 1);
    }
    g_free(h);
}

static void test_flow_lat_quantiles_within_25_percent_over_four_decades(void)
{
    check_flow_lat_against_exact(1000, 13, 5000); /* 1 us .. 8 ms */
    check_flow_lat_against_exact(200, 4, 100000); /* narrow, many samples */
    check_flow_lat_against_exact(50000, 1, 3);    /* few samples */
}

static void test_flow_lat_small_values_are_exact(void)
{
    for (uint64_t v = 0; v < 4; v++) {
        struct sim_flow_lat l;
        sim_flow_lat_init(&l);
        sim_flow_lat_add(&l, v);
        sim_flow_lat_add(&l, v + 100);
        CU_ASSERT_EQUAL(sim_flow_lat_quantile(&l, 0.5), v);
    }
}

static void test_flow_lat_window_follows_large_values(void)
{
    /* A first sample of 100 ns, then values far above: the window moves up,
     * the early small sample reads as the lowest kept bucket (not below 100). */
    struct sim_flow_lat l;
    sim_flow_lat_init(&l);
    sim_flow_lat_add(&l, 100);
    for (int i = 0; i < 9; i++)
        sim_flow_lat_add(&l, 100000000000ull); /* 100 s: 2^20 above */
    CU_ASSERT_EQUAL(l.max, 100000000000ull);
    uint64_t p10 = sim_flow_lat_quantile(&l, 0.1);
    CU_ASSERT(p10 >= 100 && p10 < 100000000000ull);
    CU_ASSERT_EQUAL(sim_flow_lat_quantile(&l, 0.5), 100000000000ull);
    /* then a value far below: kept in the lowest bucket, never reported below itself */
    sim_flow_lat_add(&l, 5);
    CU_ASSERT(sim_flow_lat_quantile(&l, 0.01) >= 5);
    CU_ASSERT_EQUAL(l.count, 11);
}

static void test_flow_lat_window_moves_down_when_top_is_empty(void)
{
    struct sim_flow_lat l;
    sim_flow_lat_init(&l);
    sim_flow_lat_add(&l, 1000000); /* 1 ms first */
    sim_flow_lat_add(&l, 10000);   /* 2^6.6 below: the empty top lets the window move */
    CU_ASSERT_EQUAL(sim_flow_lat_quantile(&l, 0.5), 10239); /* its [8192, 10239] bucket */
    CU_ASSERT(sim_flow_lat_quantile(&l, 1.0) == 1000000);
}

static void test_flow_lat_saturation_keeps_proportions(void)
{
    /* 3:1 mix far beyond 65,535 per bucket: p50 stays in the larger group,
     * p90 in the smaller one, count exact. */
    struct sim_flow_lat l;
    sim_flow_lat_init(&l);
    for (unsigned i = 0; i < 400000; i++)
        sim_flow_lat_add(&l, i % 4 == 3 ? 80000 : 20000);
    CU_ASSERT_EQUAL(l.count, 400000);
    CU_ASSERT(l.halvings > 0);
    uint64_t p50 = sim_flow_lat_quantile(&l, 0.5), p90 = sim_flow_lat_quantile(&l, 0.9);
    CU_ASSERT(p50 >= 20000 && p50 <= 25000);
    CU_ASSERT(p90 >= 80000 && p90 <= 80000);
}

static CU_TestInfo cases[] = {
    {"empty histogram reports zero", test_stats_empty_histogram_reports_zero},
    {"small values are exact", test_stats_small_values_are_exact},
    {"large values within 1/64", test_stats_large_values_within_one_64th},
    {"bucket upper edge is reported", test_stats_bucket_upper_edge_is_reported},
    {"quantile capped at max", test_stats_quantile_capped_at_max},
    {"uniform 1..100000 percentiles", test_stats_uniform_percentiles},
    {"merge equals adding all", test_stats_merge_equals_adding_all},
    {"flow summary is 104 bytes", test_flow_lat_is_104_bytes},
    {"flow summary empty reports zero", test_flow_lat_empty_reports_zero},
    {"flow summary quantiles within 25% over four decades",
     test_flow_lat_quantiles_within_25_percent_over_four_decades},
    {"flow summary small values are exact", test_flow_lat_small_values_are_exact},
    {"flow summary window follows large values", test_flow_lat_window_follows_large_values},
    {"flow summary window moves down when top is empty",
     test_flow_lat_window_moves_down_when_top_is_empty},
    {"flow summary saturation keeps proportions", test_flow_lat_saturation_keeps_proportions},
    CU_TEST_INFO_NULL,
};

CU_MAIN("stats", cases)
