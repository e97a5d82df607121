/* sim/core/cpumask.c: the one CPU bitmap; sysfs hex masks and CPU lists parse as
 * bitmap_parse / bitmap_parselist read them and print as %*pb / %*pbl print them. */
#include "sim/core/cpumask.h"
#include "tests/unit/cu_main.h"

static void expect_print(const struct sim_cpumask *m, unsigned nbits, const char *hex,
                         const char *list)
{
    char *s = sim_cpumask_print(m, nbits);
    CU_ASSERT_STRING_EQUAL(s, hex);
    struct sim_cpumask back;
    CU_ASSERT_FATAL(sim_cpumask_parse(&back, s, nbits, NULL));
    CU_ASSERT(sim_cpumask_equal(&back, m));
    g_free(s);
    s = sim_cpumask_print_list(m, nbits);
    CU_ASSERT_STRING_EQUAL(s, list);
    CU_ASSERT_FATAL(sim_cpumask_parselist(&back, s, nbits, NULL));
    CU_ASSERT(sim_cpumask_equal(&back, m));
    g_free(s);
}

/* Strings as a kernel prints them (rps_cpus, smp_affinity: "%*pb\n"; *_list: "%*pbl\n"). */
static void test_cpumask_prints_as_the_kernel(void)
{
    struct sim_cpumask m = {0};
    sim_cpumask_set(&m, 0);
    expect_print(&m, 40, "00,00000001", "0"); /* 40 CPUs: a 2-digit first group */
    expect_print(&m, 1, "1", "0");
    sim_cpumask_fill(&m, 4);
    expect_print(&m, 4, "f", "0-3");
    sim_cpumask_fill(&m, 12);
    expect_print(&m, 12, "fff", "0-11");
    sim_cpumask_fill(&m, 32);
    expect_print(&m, 64, "00000000,ffffffff", "0-31");
    sim_cpumask_fill(&m, 256);
    expect_print(&m, 256, "ffffffff,ffffffff,ffffffff,ffffffff,ffffffff,ffffffff,ffffffff,ffffffff",
                 "0-255");
    sim_cpumask_clear(&m);
    expect_print(&m, 8, "00", "");
    sim_cpumask_set(&m, 0), sim_cpumask_set(&m, 2), sim_cpumask_set(&m, 3);
    sim_cpumask_set(&m, 8), sim_cpumask_set(&m, 200);
    expect_print(&m, 201, "100,00000000,00000000,00000000,00000000,00000000,0000010d",
                 "0,2-3,8,200");
}

/* 1024 CPUs: 32 groups, the leftmost bit is CPU 1023. */
static void test_cpumask_full_width(void)
{
    struct sim_cpumask m = {0};
    sim_cpumask_set(&m, 1023);
    GString *s = g_string_new("80000000");
    for (int i = 0; i < 31; i++)
        g_string_append(s, ",00000000");
    expect_print(&m, SIM_NR_CPUS, s->str, "1023");
    CU_ASSERT_EQUAL(sim_cpumask_last(&m), 1023);
    g_string_free(s, TRUE);
    sim_cpumask_fill(&m, SIM_NR_CPUS);
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), SIM_NR_CPUS);
    CU_ASSERT_EQUAL(sim_cpumask_nth(&m, 700), 700);
    char *l = sim_cpumask_print_list(&m, SIM_NR_CPUS);
    CU_ASSERT_STRING_EQUAL(l, "0-1023");
    g_free(l);
}

static void test_cpumask_parse_sysfs_groups(void)
{
    struct sim_cpumask m;
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "00000000,0000ffff\n", 64, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 16);
    CU_ASSERT(sim_cpumask_test(&m, 15) && !sim_cpumask_test(&m, 16));
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "1,00000000", 64, NULL));
    CU_ASSERT(sim_cpumask_weight(&m) == 1 && sim_cpumask_test(&m, 32));
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "80000000,00000001", 64, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_nth(&m, 1), 63);
    /* Leading groups may be omitted, at any width. */
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "f", 256, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 4);
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "", 16, NULL));
    CU_ASSERT(sim_cpumask_empty(&m));
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "0", 16, NULL));
    CU_ASSERT(sim_cpumask_empty(&m));
    /* bitmap_find_region_reverse skips spaces and commas: empty groups vanish. */
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "ff,,ff ", 64, NULL));
    CU_ASSERT(sim_cpumask_test(&m, 39) && sim_cpumask_test(&m, 7) && !sim_cpumask_test(&m, 8));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 16);
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "3,", 64, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 2);
    /* The text ends at the first newline. */
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, "3\nzz", 4, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 2);
}

static void expect_parse_error(const char *s, unsigned nbits, const char *fragment)
{
    struct sim_cpumask m;
    sim_cpumask_fill(&m, 3);
    struct sim_cpumask orig = m;
    GError *err = NULL;
    CU_ASSERT_FALSE(sim_cpumask_parse(&m, s, nbits, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, fragment));
    CU_ASSERT(sim_cpumask_equal(&m, &orig)); /* untouched on error */
    g_error_free(err);
}

/* -EINVAL (not hex) and -EOVERFLOW (a group of more than 8 digits, more groups than
 * nbits needs, a bit >= nbits). */
static void test_cpumask_parse_errors(void)
{
    expect_parse_error("xyz", 64, "position 1: expected a hex digit");
    expect_parse_error("3z", 64, "position 2: expected a hex digit");
    expect_parse_error("0000ffff,xyz", 64, "expected a hex digit");
    expect_parse_error("123456789", 64, "at most 8 hex digits");
    expect_parse_error("0,00000001", 32, "at most 1 comma-separated 32-bit groups");
    expect_parse_error("0,00000000,00000001", 40, "at most 2 comma-separated 32-bit groups");
    expect_parse_error("1f", 4, "no bit above 3 set");
    expect_parse_error("100,00000000", 40, "no bit above 39 set");
    GString *s = g_string_new("1");
    for (int i = 0; i < 32; i++)
        g_string_append(s, ",00000000");
    expect_parse_error(s->str, SIM_NR_CPUS, "at most 32 comma-separated 32-bit groups");
    g_string_free(s, TRUE);
}

static void test_cpumask_list_ranges_and_strides(void)
{
    struct sim_cpumask m;
    CU_ASSERT_FATAL(sim_cpumask_parselist(&m, "0-3,8\n", 16, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 5);
    CU_ASSERT(sim_cpumask_test(&m, 3) && sim_cpumask_test(&m, 8) && !sim_cpumask_test(&m, 4));
    CU_ASSERT_FATAL(sim_cpumask_parselist(&m, "0-15:2/4", 16, NULL));
    int want[] = {0, 1, 4, 5, 8, 9, 12, 13};
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 8);
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++)
        CU_ASSERT_EQUAL(sim_cpumask_nth(&m, i), want[i]);
    CU_ASSERT_EQUAL(sim_cpumask_nth(&m, 8), -1);
    CU_ASSERT_FATAL(sim_cpumask_parselist(&m, "", 16, NULL));
    CU_ASSERT(sim_cpumask_empty(&m));
    /* "N" is the last bit, "all" every bit (bitmap_parselist since 5.13). */
    CU_ASSERT_FATAL(sim_cpumask_parselist(&m, "1-N", 256, NULL));
    CU_ASSERT(sim_cpumask_weight(&m) == 255 && sim_cpumask_last(&m) == 255);
    CU_ASSERT_FATAL(sim_cpumask_parselist(&m, "all:1/2", 8, NULL));
    char *l = sim_cpumask_print_list(&m, 8);
    CU_ASSERT_STRING_EQUAL(l, "0,2,4,6");
    g_free(l);
}

static void test_cpumask_list_errors(void)
{
    const char *bad[] = {"3-1", "a", "0-", "1,", "1;2", "0-7:0/4", "2000", "0,a", "16"};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct sim_cpumask m;
        GError *err = NULL;
        CU_ASSERT_FALSE(sim_cpumask_parselist(&m, bad[i], 16, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "expected"));
        g_error_free(err);
    }
}

static void test_cpumask_iteration_helpers(void)
{
    struct sim_cpumask m = {0}, n = {0}, r;
    sim_cpumask_set(&m, 70);
    sim_cpumask_set(&m, 2);
    sim_cpumask_set(&m, 1023);
    sim_cpumask_set(&m, 1024); /* beyond NR_CPUS: ignored */
    CU_ASSERT_EQUAL(sim_cpumask_first(&m), 2);
    CU_ASSERT_EQUAL(sim_cpumask_next(&m, 2), 70);
    CU_ASSERT_EQUAL(sim_cpumask_next(&m, 70), 1023);
    CU_ASSERT_EQUAL(sim_cpumask_next(&m, 1023), -1);
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 3);
    CU_ASSERT(!sim_cpumask_test(&m, 1024) && !sim_cpumask_single(&m));
    sim_cpumask_set(&n, 70);
    sim_cpumask_set(&n, 500);
    sim_cpumask_and(&r, &m, &n);
    CU_ASSERT(sim_cpumask_single(&r) && sim_cpumask_first(&r) == 70);
    sim_cpumask_or(&r, &m, &n);
    CU_ASSERT_EQUAL(sim_cpumask_weight(&r), 4);
    CU_ASSERT(sim_cpumask_intersects(&m, &n));
    sim_cpumask_unset(&n, 70);
    CU_ASSERT(!sim_cpumask_intersects(&m, &n));
    int sum = 0, cpu;
    sim_cpumask_for_each(cpu, &m) sum += cpu;
    CU_ASSERT_EQUAL(sum, 2 + 70 + 1023);
    sim_cpumask_fill(&r, 65);
    CU_ASSERT(sim_cpumask_weight(&r) == 65 && sim_cpumask_last(&r) == 64);
    sim_cpumask_clear(&r);
    CU_ASSERT(sim_cpumask_empty(&r) && sim_cpumask_first(&r) == -1 && sim_cpumask_last(&r) == -1);
}

static CU_TestInfo cases[] = {
    {"test_cpumask_prints_as_the_kernel", test_cpumask_prints_as_the_kernel},
    {"test_cpumask_full_width", test_cpumask_full_width},
    {"test_cpumask_parse_sysfs_groups", test_cpumask_parse_sysfs_groups},
    {"test_cpumask_parse_errors", test_cpumask_parse_errors},
    {"test_cpumask_list_ranges_and_strides", test_cpumask_list_ranges_and_strides},
    {"test_cpumask_list_errors", test_cpumask_list_errors},
    {"test_cpumask_iteration_helpers", test_cpumask_iteration_helpers},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cpumask", cases)
