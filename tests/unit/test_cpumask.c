/* models/kernel/cpumask.c: sysfs hex masks and CPU lists parse as the kernel reads them. */
#include "models/kernel/cpumask.h"
#include "tests/unit/cu_main.h"

static void test_cpumask_hex_sysfs_groups(void)
{
    struct kern_cpumask m;
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "00000000,0000ffff", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 16);
    CU_ASSERT(kern_cpumask_test(&m, 0) && kern_cpumask_test(&m, 15));
    CU_ASSERT(!kern_cpumask_test(&m, 16));
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "1,00000000", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 1);
    CU_ASSERT(kern_cpumask_test(&m, 32));
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "3\n", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 2);
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "", NULL));
    CU_ASSERT(kern_cpumask_empty(&m));
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "0", NULL));
    CU_ASSERT(kern_cpumask_empty(&m));
}

/* Pinned from the validate room's former parser: sysfs text as real hosts print it. */
static void test_cpumask_hex_sysfs_text_as_captured(void)
{
    struct kern_cpumask m;
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "00000000,0000ffff\n", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 16);
    CU_ASSERT_TRUE(kern_cpumask_test(&m, 15));
    CU_ASSERT_FALSE(kern_cpumask_test(&m, 16));
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "3", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 2);
    CU_ASSERT_EQUAL(kern_cpumask_nth(&m, 0), 0);
    CU_ASSERT_EQUAL(kern_cpumask_nth(&m, 1), 1);
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, "80000000,00000001", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 2);
    CU_ASSERT_EQUAL(kern_cpumask_nth(&m, 1), 63);

    /* 1024 CPUs: 32 groups, the leftmost bit is CPU 1023. */
    GString *s = g_string_new("80000000");
    for (int i = 0; i < 31; i++)
        g_string_append(s, ",00000000");
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, s->str, NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 1);
    CU_ASSERT_TRUE(kern_cpumask_test(&m, 1023));
    g_string_free(s, TRUE);
}

/* An NR_CPUS=8192 host prints 256 groups; the zero ones above CPU 1023 name no CPU. */
static void test_cpumask_hex_accepts_zero_groups_beyond_nr_cpus(void)
{
    struct kern_cpumask m;
    GString *s = g_string_new("00000000");
    for (int i = 0; i < 254; i++)
        g_string_append(s, ",00000000");
    g_string_append(s, ",0000ffff\n");
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&m, s->str, NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 16);
    CU_ASSERT_EQUAL(kern_cpumask_nth(&m, 15), 15);
    /* A set CPU 1024 behind the same zero groups is still beyond the model (-EOVERFLOW). */
    g_string_assign(s, "00000000");
    for (int i = 0; i < 222; i++)
        g_string_append(s, ",00000000");
    g_string_append(s, ",00000001");
    for (int i = 0; i < 32; i++)
        g_string_append(s, ",00000000");
    GError *err = NULL;
    CU_ASSERT_FALSE(kern_cpumask_parse_hex(&m, s->str, &err));
    CU_ASSERT(err && strstr(err->message, "CPUs below 1024"));
    g_clear_error(&err);
    g_string_free(s, TRUE);
}

static void expect_hex_error(const char *s, const char *fragment)
{
    struct kern_cpumask m;
    GError *err = NULL;
    CU_ASSERT_FALSE(kern_cpumask_parse_hex(&m, s, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, fragment));
    g_error_free(err);
}

static void test_cpumask_hex_errors_name_what_was_expected(void)
{
    expect_hex_error("xyz", "position 1: expected a hex digit");
    expect_hex_error("3z", "position 2: expected a hex digit");
    expect_hex_error("123456789", "at most 8 hex digits");
    expect_hex_error(",3", "before the first comma");
    expect_hex_error("3,", "between commas");
    expect_hex_error("ff,,ff", "between commas");
    expect_hex_error("0000ffff,xyz", "position 10: expected a hex digit");
    expect_hex_error("1,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                     "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                     "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                     "00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                     "00000000",
                     "CPUs below 1024");
}

static void test_cpumask_list_ranges_and_strides(void)
{
    struct kern_cpumask m;
    CU_ASSERT_FATAL(kern_cpumask_parse_list(&m, "0-3,8", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 5);
    CU_ASSERT(kern_cpumask_test(&m, 3) && kern_cpumask_test(&m, 8) && !kern_cpumask_test(&m, 4));
    CU_ASSERT_FATAL(kern_cpumask_parse_list(&m, "0-15:2/4", NULL));
    int want[] = {0, 1, 4, 5, 8, 9, 12, 13};
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 8);
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++)
        CU_ASSERT_EQUAL(kern_cpumask_nth(&m, i), want[i]);
    CU_ASSERT_EQUAL(kern_cpumask_nth(&m, 8), -1);
    CU_ASSERT_FATAL(kern_cpumask_parse_list(&m, "", NULL));
    CU_ASSERT(kern_cpumask_empty(&m));
}

static void test_cpumask_list_as_sysfs_prints_it(void)
{
    struct kern_cpumask m;
    GError *err = NULL;
    CU_ASSERT_FATAL(kern_cpumask_parse_list(&m, "0-3,8\n", NULL));
    CU_ASSERT_EQUAL(kern_cpumask_weight(&m), 5);
    CU_ASSERT_TRUE(kern_cpumask_test(&m, 8));
    CU_ASSERT_FALSE(kern_cpumask_test(&m, 4));
    CU_ASSERT_FALSE(kern_cpumask_parse_list(&m, "3-1", &err));
    CU_ASSERT(err && strstr(err->message, "\"3-1\""));
    g_clear_error(&err);
    CU_ASSERT_FALSE(kern_cpumask_parse_list(&m, "0,a", &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

static void test_cpumask_list_errors(void)
{
    const char *bad[] = {"3-1", "a", "0-", "1,", "1;2", "0-7:0/4", "2000"};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct kern_cpumask m;
        GError *err = NULL;
        CU_ASSERT_FALSE(kern_cpumask_parse_list(&m, bad[i], &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "expected"));
        g_error_free(err);
    }
}

static void test_cpumask_next_walks_ascending(void)
{
    struct kern_cpumask m = {0};
    kern_cpumask_set(&m, 70);
    kern_cpumask_set(&m, 2);
    kern_cpumask_set(&m, 1023);
    CU_ASSERT_EQUAL(kern_cpumask_next(&m, -1), 2);
    CU_ASSERT_EQUAL(kern_cpumask_next(&m, 2), 70);
    CU_ASSERT_EQUAL(kern_cpumask_next(&m, 70), 1023);
    CU_ASSERT_EQUAL(kern_cpumask_next(&m, 1023), -1);
}

static void test_cpumask_format_hex_round_trips(void)
{
    struct kern_cpumask m, back;
    CU_ASSERT_FATAL(kern_cpumask_parse_list(&m, "0-15", NULL));
    char *s = kern_cpumask_format_hex(&m, 64);
    CU_ASSERT_STRING_EQUAL(s, "00000000,0000ffff");
    CU_ASSERT_FATAL(kern_cpumask_parse_hex(&back, s, NULL));
    CU_ASSERT_EQUAL(memcmp(&m, &back, sizeof(m)), 0);
    g_free(s);
    s = kern_cpumask_format_hex(&m, 2);
    CU_ASSERT_STRING_EQUAL(s, "3");
    g_free(s);
}

static CU_TestInfo cases[] = {
    {"test_cpumask_hex_sysfs_groups", test_cpumask_hex_sysfs_groups},
    {"test_cpumask_hex_errors_name_what_was_expected",
     test_cpumask_hex_errors_name_what_was_expected},
    {"test_cpumask_hex_sysfs_text_as_captured", test_cpumask_hex_sysfs_text_as_captured},
    {"test_cpumask_hex_accepts_zero_groups_beyond_nr_cpus",
     test_cpumask_hex_accepts_zero_groups_beyond_nr_cpus},
    {"test_cpumask_list_ranges_and_strides", test_cpumask_list_ranges_and_strides},
    {"test_cpumask_list_as_sysfs_prints_it", test_cpumask_list_as_sysfs_prints_it},
    {"test_cpumask_list_errors", test_cpumask_list_errors},
    {"test_cpumask_next_walks_ascending", test_cpumask_next_walks_ascending},
    {"test_cpumask_format_hex_round_trips", test_cpumask_format_hex_round_trips},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cpumask", cases)
