/* sim/core/hist.c: the one histogram. Pins the quantile definition (upper inclusive edge of
 * the bin reaching rank ceil(q * n), capped at the largest sample) on both layouts, the
 * log-linear precision, the KS distance and merging. */
#include <math.h>
#include <string.h>

#include "sim/core/hist.h"
#include "tests/unit/cu_main.h"
#include "validate/compare.h"

static struct sim_hist *hist_new(void)
{
    struct sim_hist *h = g_new(struct sim_hist, 1);
    sim_hist_init(h);
    return h;
}

static void hist_free(struct sim_hist *h)
{
    sim_hist_clear(h);
    g_free(h);
}

/* Same samples counted: every bin and summary field equal. */
static bool hist_equal(const struct sim_hist *a, const struct sim_hist *b)
{
    return sim_hist_same_layout(a, b) && a->count == b->count && a->sum == b->sum &&
           a->max == b->max && a->clamped == b->clamped &&
           !memcmp(a->bins, b->bins, a->nbins * sizeof a->bins[0]);
}

static void test_hist_loglin_empty_histogram_reports_zero(void)
{
    struct sim_hist *h = hist_new();
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 0);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 0);
    CU_ASSERT_EQUAL(h->count, 0);
    hist_free(h);
}

static void test_hist_loglin_small_values_are_exact(void)
{
    for (uint64_t v = 0; v < 64; v++) {
        struct sim_hist *h = hist_new();
        sim_hist_add(h, v);
        sim_hist_add(h, 1000000); /* a far larger value must not blur v */
        CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), v);
        hist_free(h);
    }
    struct sim_hist *h = hist_new();
    for (uint64_t v = 1; v <= 63; v++)
        sim_hist_add(h, v);
    /* rank ceil(0.5 * 63) = 32 -> value 32 exactly */
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 32);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.0), 1);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 63);
    hist_free(h);
}

static void test_hist_loglin_large_values_within_one_64th(void)
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
        hist_free(h);
    }
}

static void test_hist_loglin_bucket_upper_edge_is_reported(void)
{
    /* 1000 = 0b1111101000: e = 9, bucket width 8, bucket [1000, 1007]. */
    struct sim_hist *h = hist_new();
    sim_hist_add(h, 1000);
    sim_hist_add(h, 5000);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.5), 1007);
    hist_free(h);
}

static void test_hist_loglin_quantile_capped_at_max(void)
{
    struct sim_hist *h = hist_new();
    sim_hist_add(h, 1000);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 0.99), 1000);
    CU_ASSERT_EQUAL(h->max, 1000);
    /* beyond the bucket range: clamped into the last bucket, reported as max */
    sim_hist_add(h, 1ull << 50);
    CU_ASSERT_EQUAL(sim_hist_quantile(h, 1.0), 1ull << 50);
    hist_free(h);
}

static void test_hist_loglin_uniform_percentiles(void)
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
    hist_free(h);
}

static void test_hist_loglin_merge_equals_adding_all(void)
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
    CU_ASSERT(hist_equal(a, all));
    CU_ASSERT_EQUAL(sim_hist_quantile(a, 0.99), sim_hist_quantile(all, 0.99));
    /* merging an empty histogram changes nothing */
    struct sim_hist *empty = hist_new();
    sim_hist_merge(a, empty);
    CU_ASSERT(hist_equal(a, all));
    hist_free(a);
    hist_free(b);
    hist_free(all);
    hist_free(empty);
}

/* ---- linear layout ---- */

static void test_hist_linear_bins_clamp_and_stats(void)
{
    struct sim_hist h;
    sim_hist_init_linear(&h, 4, 10); /* [0,10) [10,20) [20,30) [30,..) */
    sim_hist_add(&h, 0);
    sim_hist_add(&h, 9);
    sim_hist_add(&h, 10);
    sim_hist_add(&h, 39);
    sim_hist_add(&h, 40);
    CU_ASSERT_EQUAL(h.bins[0], 2);
    CU_ASSERT_EQUAL(h.bins[1], 1);
    CU_ASSERT_EQUAL(h.bins[2], 0);
    CU_ASSERT_EQUAL(h.bins[3], 2);
    CU_ASSERT_EQUAL(h.clamped, 1); /* only 40 is beyond the last edge */
    CU_ASSERT_EQUAL(h.count, 5);
    CU_ASSERT_EQUAL(h.sum, 98);
    CU_ASSERT_EQUAL(h.max, 40);
    json_t *j = sim_hist_json(&h);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "bins")), 4);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "nbins")), 4);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "bin_width")), 10);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "clamped")), 1);
    json_decref(j);
    sim_hist_clear(&h);
    CU_ASSERT_PTR_NULL(h.bins);
}

/* The definition, pinned: 100 ns bins, samples 120, 150, 180 (bin [100,199]) and 950 (bin
 * [900,999]). p50 = rank 2 -> bin [100,199] -> its upper edge 199 (the lower edge 100 is what
 * validate reported before the two histograms became one); p100 -> 999 capped at max 950. */
static void test_hist_linear_quantile_is_upper_edge_capped_at_max(void)
{
    struct sim_hist h;
    sim_hist_init_linear(&h, 10, 100);
    sim_hist_add(&h, 120);
    sim_hist_add(&h, 150);
    sim_hist_add(&h, 180);
    sim_hist_add(&h, 950);
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 0.5), 199);
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 0.75), 199); /* rank 3: still the first bin */
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 0.76), 950); /* rank 4: [900,999] capped at 950 */
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 0.0), 199);  /* rank at least 1 */
    /* the last bin holding clamped samples reads as the largest sample */
    sim_hist_add(&h, 123456);
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 1.0), 123456);
    sim_hist_clear(&h);
    /* width 1: the upper edge is the value itself */
    sim_hist_init_linear(&h, 65, 1);
    sim_hist_add_n(&h, 7, 3);
    sim_hist_add(&h, 64);
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 0.5), 7);
    CU_ASSERT_EQUAL(sim_hist_quantile(&h, 1.0), 64);
    sim_hist_clear(&h);
}

/* Both layouts answer the same definition: a sample of 1000 sits in log-linear bin
 * [1000, 1007] and linear-8 bin [1000, 1007]: p50 of {1000, 5000} is 1007 in both. */
static void test_hist_quantile_same_definition_on_both_layouts(void)
{
    struct sim_hist lg, ln;
    sim_hist_init(&lg);
    sim_hist_init_linear(&ln, 1000, 8);
    uint64_t v[] = {1000, 5000};
    for (unsigned i = 0; i < 2; i++) {
        sim_hist_add(&lg, v[i]);
        sim_hist_add(&ln, v[i]);
    }
    CU_ASSERT_EQUAL(sim_hist_quantile(&lg, 0.5), 1007);
    CU_ASSERT_EQUAL(sim_hist_quantile(&ln, 0.5), 1007);
    CU_ASSERT_EQUAL(sim_hist_quantile(&lg, 1.0), 5000);
    CU_ASSERT_EQUAL(sim_hist_quantile(&ln, 1.0), 5000);
    sim_hist_clear(&lg);
    sim_hist_clear(&ln);
}

/* ---- KS ---- */

/* The binned distance equals the sample distance when the bins are unit wide. */
static void test_hist_ks_matches_samples(void)
{
    uint64_t a[] = {1, 2, 2, 7, 64, 30, 41, 41}, b[] = {2, 3, 41, 48, 48, 64};
    struct sim_hist ha, hb;
    sim_hist_init_linear(&ha, 65, 1);
    sim_hist_init_linear(&hb, 65, 1);
    for (unsigned i = 0; i < G_N_ELEMENTS(a); i++)
        sim_hist_add(&ha, a[i]);
    for (unsigned i = 0; i < G_N_ELEMENTS(b); i++)
        sim_hist_add(&hb, b[i]);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_ks(&ha, &hb),
                           val_ks_distance(a, G_N_ELEMENTS(a), b, G_N_ELEMENTS(b)), 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_ks(&ha, &ha), 0.0, 1e-12);
    sim_hist_clear(&ha);
    sim_hist_clear(&hb);
}

/* a = {10, 20, 30, 40}, b = {30, 40, 50, 60} in log-linear bins (exact below 64): F_a(20) = 0.5,
 * F_b(20) = 0 and F_a(40) = 1, F_b(40) = 0.5 -> 0.5; disjoint -> 1. */
static void test_hist_ks_hand_computed_log_linear(void)
{
    struct sim_hist a, b, c;
    sim_hist_init(&a);
    sim_hist_init(&b);
    sim_hist_init(&c);
    for (uint64_t v = 10; v <= 40; v += 10) {
        sim_hist_add(&a, v);
        sim_hist_add(&b, v + 20);
        sim_hist_add(&c, v * 1000000);
    }
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_ks(&a, &b), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_ks(&b, &a), 0.5, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(sim_hist_ks(&a, &c), 1.0, 1e-12);
    sim_hist_clear(&a);
    sim_hist_clear(&b);
    sim_hist_clear(&c);
}

static void test_hist_ks_not_applicable(void)
{
    struct sim_hist a, b, lin10, lin_w;
    sim_hist_init(&a);
    sim_hist_init(&b);
    sim_hist_init_linear(&lin10, 10, 1);
    sim_hist_init_linear(&lin_w, 10, 2);
    sim_hist_add(&a, 3);
    sim_hist_add(&lin10, 3);
    sim_hist_add(&lin_w, 3);
    CU_ASSERT(sim_hist_ks(&a, &b) < 0);         /* one side empty */
    CU_ASSERT(sim_hist_ks(&a, &lin10) < 0);     /* log-linear vs linear */
    CU_ASSERT(sim_hist_ks(&lin10, &lin_w) < 0); /* bin widths differ */
    struct sim_hist zero = {0};
    CU_ASSERT(sim_hist_ks(&zero, &zero) < 0);
    CU_ASSERT_EQUAL(sim_hist_quantile(&zero, 0.5), 0);
    sim_hist_clear(&a);
    sim_hist_clear(&b);
    sim_hist_clear(&lin10);
    sim_hist_clear(&lin_w);
}

/* ---- merge ---- */

static void test_hist_linear_merge_and_layout_mismatch(void)
{
    struct sim_hist a, b, all, other, fresh = {0};
    sim_hist_init_linear(&a, 20, 50);
    sim_hist_init_linear(&b, 20, 50);
    sim_hist_init_linear(&all, 20, 50);
    sim_hist_init_linear(&other, 20, 25);
    for (uint64_t v = 0; v < 3000; v += 7) {
        sim_hist_add(v % 2 ? &a : &b, v);
        sim_hist_add(&all, v);
    }
    CU_ASSERT(sim_hist_merge(&a, &b));
    CU_ASSERT(hist_equal(&a, &all));
    CU_ASSERT(a.clamped > 0 && a.clamped == all.clamped);
    /* a different bin width is refused and changes nothing */
    sim_hist_add(&other, 1);
    CU_ASSERT_FALSE(sim_hist_merge(&a, &other));
    CU_ASSERT(hist_equal(&a, &all));
    /* an uninitialised destination takes the source's layout */
    CU_ASSERT(sim_hist_merge(&fresh, &all));
    CU_ASSERT(hist_equal(&fresh, &all));
    CU_ASSERT_EQUAL(sim_hist_quantile(&fresh, 0.5), sim_hist_quantile(&all, 0.5));
    sim_hist_clear(&a);
    sim_hist_clear(&b);
    sim_hist_clear(&all);
    sim_hist_clear(&other);
    sim_hist_clear(&fresh);
}

static CU_TestInfo cases[] = {
    {"empty histogram reports zero", test_hist_loglin_empty_histogram_reports_zero},
    {"log-linear small values are exact", test_hist_loglin_small_values_are_exact},
    {"log-linear large values within 1/64", test_hist_loglin_large_values_within_one_64th},
    {"log-linear bucket upper edge is reported", test_hist_loglin_bucket_upper_edge_is_reported},
    {"log-linear quantile capped at max", test_hist_loglin_quantile_capped_at_max},
    {"log-linear uniform 1..100000 percentiles", test_hist_loglin_uniform_percentiles},
    {"log-linear merge equals adding all", test_hist_loglin_merge_equals_adding_all},
    {"linear bins, clamp and stats", test_hist_linear_bins_clamp_and_stats},
    {"linear quantile is the upper edge capped at max",
     test_hist_linear_quantile_is_upper_edge_capped_at_max},
    {"one quantile definition on both layouts", test_hist_quantile_same_definition_on_both_layouts},
    {"KS of unit bins equals KS of samples", test_hist_ks_matches_samples},
    {"KS hand-computed on log-linear bins", test_hist_ks_hand_computed_log_linear},
    {"KS not applicable: empty or layouts differ", test_hist_ks_not_applicable},
    {"linear merge; layout mismatch refused", test_hist_linear_merge_and_layout_mismatch},
    CU_TEST_INFO_NULL,
};

CU_MAIN("hist", cases)
