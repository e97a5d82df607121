/* validate/compare.c: Kolmogorov-Smirnov distance and agreement counters. */
#include "tests/unit/cu_main.h"
#include "validate/compare.h"

#include <math.h>

static void test_compare_ks_identical_samples_is_zero(void)
{
    uint64_t a[] = {3, 1, 4, 1, 5, 9, 2, 6};
    CU_ASSERT_DOUBLE_EQUAL(val_ks_distance(a, 8, a, 8), 0.0, 1e-12);
}

static void test_compare_ks_disjoint_samples_is_one(void)
{
    uint64_t a[] = {1, 2, 3}, b[] = {10, 11};
    CU_ASSERT_DOUBLE_EQUAL(val_ks_distance(a, 3, b, 2), 1.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(val_ks_distance(b, 2, a, 3), 1.0, 1e-12);
}

/* a = {1,2,3,4}, b = {3,4,5,6}: F_a(2) = 0.5, F_b(2) = 0 and F_a(4) = 1, F_b(4) = 0.5, so the
 * supremum is 0.5; ties at 3 and 4 must be taken together on both sides. */
static void test_compare_ks_hand_computed_with_ties(void)
{
    uint64_t a[] = {4, 1, 3, 2}, b[] = {6, 3, 5, 4};
    CU_ASSERT_DOUBLE_EQUAL(val_ks_distance(a, 4, b, 4), 0.5, 1e-12);
    /* a = {1,1,1,2}, b = {1,2,2,2}: F_a(1) = 3/4, F_b(1) = 1/4 -> 0.5 */
    uint64_t c[] = {1, 1, 1, 2}, d[] = {1, 2, 2, 2};
    CU_ASSERT_DOUBLE_EQUAL(val_ks_distance(c, 4, d, 4), 0.5, 1e-12);
    /* unequal sizes: a = {0}, b = {0, 1, 2}: F_a(0) = 1, F_b(0) = 1/3 -> 2/3 */
    uint64_t e[] = {0}, f[] = {2, 1, 0};
    CU_ASSERT_DOUBLE_EQUAL(val_ks_distance(e, 1, f, 3), 2.0 / 3.0, 1e-12);
}

static void test_compare_ks_empty_is_not_applicable(void)
{
    uint64_t a[] = {1};
    CU_ASSERT(val_ks_distance(a, 1, a, 0) < 0);
    CU_ASSERT(val_ks_distance(a, 0, a, 1) < 0);
}

static void test_compare_agree_keeps_first_disagreements_in_order(void)
{
    struct val_agree a;
    val_agree_init(&a, 2);
    CU_ASSERT(val_agree_fraction(&a) < 0);
    val_agree_add(&a, 1, 1, 1, 10);
    val_agree_add(&a, 0, 1, 2, 20);
    val_agree_add(&a, 1, 1, 3, 30);
    val_agree_add(&a, 1, 0, 4, 40);
    val_agree_add(&a, 1, 0, 5, 50);
    CU_ASSERT_EQUAL(a.compared, 5);
    CU_ASSERT_EQUAL(a.agreed, 2);
    CU_ASSERT_DOUBLE_EQUAL(val_agree_fraction(&a), 0.4, 1e-12);
    CU_ASSERT_EQUAL_FATAL(a.first->len, 2);
    struct val_disagreement *d = &g_array_index(a.first, struct val_disagreement, 0);
    CU_ASSERT_EQUAL(d->trace_line, 20);
    CU_ASSERT_EQUAL(d->model, 0);
    CU_ASSERT_EQUAL(d->actual, 1);
    CU_ASSERT_EQUAL(g_array_index(a.first, struct val_disagreement, 1).packet, 4);
    val_agree_clear(&a);
}

static void test_compare_rel_error(void)
{
    CU_ASSERT_DOUBLE_EQUAL(val_rel_error(101, 100), 0.01, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(val_rel_error(99, 100), 0.01, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(val_rel_error(0, 0), 0.0, 0);
    CU_ASSERT(isinf(val_rel_error(1, 0)));
}

static CU_TestInfo cases[] = {
    {"KS of identical samples is 0", test_compare_ks_identical_samples_is_zero},
    {"KS of disjoint samples is 1", test_compare_ks_disjoint_samples_is_one},
    {"KS hand-computed with ties", test_compare_ks_hand_computed_with_ties},
    {"KS with an empty side is n/a", test_compare_ks_empty_is_not_applicable},
    {"agreement keeps first disagreements", test_compare_agree_keeps_first_disagreements_in_order},
    {"relative error", test_compare_rel_error},
    CU_TEST_INFO_NULL,
};

CU_MAIN("compare", cases)
