/* models/nic/toeplitz_bench.c: the benchmark cross-checks implementations and
 * reports every documented figure (no speed assertion: no timed unit tests). */
#include <string.h>

#include "models/nic/toeplitz_bench.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static void test_toeplitz_bench_reports_all_figures(void)
{
    struct nic_toeplitz_bench b;
    GError *err = NULL;
    CU_ASSERT_TRUE_FATAL(nic_toeplitz_bench_run(20000, 3, &b, &err));
    CU_ASSERT_EQUAL(b.count, 20000);
    CU_ASSERT(b.table_mhps > 0);
    CU_ASSERT(b.bitwise_mhps > 0);
    CU_ASSERT_DOUBLE_EQUAL(b.ratio_vs_bitwise, b.table_mhps / b.bitwise_mhps, 1e-9);
    /* DPDK is optional: its figures appear exactly when it was compiled in,
     * and then rte_softrss agreed with the table (else the run fails). */
    if (b.have_rte) {
        CU_ASSERT(b.rte_softrss_mhps > 0);
        CU_ASSERT_DOUBLE_EQUAL(b.ratio_vs_rte_softrss, b.table_mhps / b.rte_softrss_mhps, 1e-9);
    } else {
        CU_ASSERT_EQUAL(b.rte_softrss_mhps, 0);
    }
}

static void test_toeplitz_bench_rejects_zero_count(void)
{
    struct nic_toeplitz_bench b;
    GError *err = NULL;
    CU_ASSERT_FALSE(nic_toeplitz_bench_run(0, 1, &b, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_EQUAL(err->code, SIM_ERROR_USAGE);
    g_error_free(err);
}

static CU_TestInfo cases[] = {
    {"test_toeplitz_bench_reports_all_figures", test_toeplitz_bench_reports_all_figures},
    {"test_toeplitz_bench_rejects_zero_count", test_toeplitz_bench_rejects_zero_count},
    CU_TEST_INFO_NULL,
};

CU_MAIN("toeplitz_bench", cases)
