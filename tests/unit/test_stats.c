/* sim/core/stats.c: the per-flow latency summary (sim_flow_lat). */
#include <math.h>

#include "sim/core/hist.h"
#include "sim/core/stats.h"
#include "tests/unit/cu_main.h"

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
    struct sim_hist hist, *h = &hist;
    sim_hist_init(h);
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
    sim_hist_clear(h);
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
