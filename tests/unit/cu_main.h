/* Shared CUnit runner: each tests/unit/test_<source>.c declares its cases in a
 * `static CU_TestInfo cases[]` and ends with CU_MAIN("<source>", cases).
 * Exit status = number of failed assertions (0 = pass), so ctest reports it;
 * CUnit's basic interface prints which case failed and where. */
#ifndef NICSTEER_TESTS_CU_MAIN_H
#define NICSTEER_TESTS_CU_MAIN_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

/* Path into ../shared (or NULL when absent: tests that need it skip). */
static inline char *cu_shared_path(const char *rel)
{
    const char *base = g_getenv("NICSTEER_SHARED");
    char *p = g_build_filename(base ? base : NICSTEER_SOURCE_DIR "/../shared", rel, NULL);
    if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
        fprintf(stderr, "SKIP: %s not found (shared/ folder absent)\n", p);
        g_free(p);
        return NULL;
    }
    return p;
}

#define CU_MAIN(suite_name, cases_array)                                                           \
    int main(void)                                                                                 \
    {                                                                                              \
        if (CU_initialize_registry() != CUE_SUCCESS)                                               \
            return 1;                                                                              \
        CU_SuiteInfo suites[] = {{suite_name, NULL, NULL, NULL, NULL, cases_array},                \
                                 CU_SUITE_INFO_NULL};                                              \
        if (CU_register_suites(suites) != CUE_SUCCESS)                                             \
            return 1;                                                                              \
        CU_basic_set_mode(CU_BRM_VERBOSE);                                                         \
        CU_basic_run_tests();                                                                      \
        unsigned fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();            \
        CU_cleanup_registry();                                                                     \
        return fails ? 1 : 0;                                                                      \
    }

#endif
