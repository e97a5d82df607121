/* validate/nnls.c: Lawson-Hanson NNLS on known-answer systems. */
#include "validate/nnls.h"

#include "tests/unit/cu_main.h"

#include <math.h>

static void fit(const double *a, const double *b, size_t rows, size_t n, double *x)
{
    double g[16] = {0}, h[4] = {0};
    for (size_t i = 0; i < rows; i++)
        val_nnls_add_row(g, h, n, a + i * n, b[i]);
    CU_ASSERT_TRUE(val_nnls_gram(g, h, n, x));
}

/* Consistent system with a positive solution: recovered exactly. */
static void test_nnls_recovers_exact_positive_solution(void)
{
    const double a[] = {1, 0, 0, 1, 1, 1, 2, 1};
    const double b[] = {2, 3, 5, 7};
    double x[2];
    fit(a, b, 4, 2, x);
    CU_ASSERT_DOUBLE_EQUAL(x[0], 2, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(x[1], 3, 1e-9);
}

/* Line through (1,3) (2,2) (3,1): least squares says slope -1, intercept 4; with x >= 0 the
 * slope is held at 0 and the intercept is the mean, 2 (the Kuhn-Tucker point). */
static void test_nnls_clamps_negative_term_to_zero(void)
{
    const double a[] = {1, 1, 1, 2, 1, 3};
    const double b[] = {3, 2, 1};
    double x[2];
    fit(a, b, 3, 2, x);
    CU_ASSERT_DOUBLE_EQUAL(x[0], 2, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(x[1], 0, 1e-12);
}

/* Three unknowns, one never exercised (all-zero column) and one pushed negative: 0 for both,
 * the third fitted on what is left. */
static void test_nnls_unused_and_negative_columns(void)
{
    const double a[] = {1, 0, 1, 1, 0, 2, 1, 0, 3};
    const double b[] = {-1, -2, -3};
    double x[3];
    fit(a, b, 3, 3, x);
    CU_ASSERT_DOUBLE_EQUAL(x[0], 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(x[1], 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(x[2], 0, 1e-12);
    const double b2[] = {4, 5, 6}; /* = 3 + 1 * col2 */
    fit(a, b2, 3, 3, x);
    CU_ASSERT_DOUBLE_EQUAL(x[0], 3, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(x[1], 0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(x[2], 1, 1e-9);
}

static CU_TestInfo cases[] = {
    {"test_nnls_recovers_exact_positive_solution", test_nnls_recovers_exact_positive_solution},
    {"test_nnls_clamps_negative_term_to_zero", test_nnls_clamps_negative_term_to_zero},
    {"test_nnls_unused_and_negative_columns", test_nnls_unused_and_negative_columns},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nnls", cases)
