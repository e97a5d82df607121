/* models/kernel/rfs.c: RFS table sizing, validation and the sock-flow entry format. */
#include "models/kernel/rfs.h"
#include "tests/unit/cu_main.h"

static struct kern_sock_flow_table *sock_table(int64_t entries, unsigned ncpus)
{
    struct kern_sock_flow_table *t = NULL;
    CU_ASSERT_FATAL(kern_sock_flow_table_create(entries, ncpus, &t, NULL));
    return t;
}

static void test_rfs_sock_table_rounds_up_to_power_of_two(void)
{
    struct kern_sock_flow_table *t = sock_table(32768, 2);
    CU_ASSERT_EQUAL(kern_sock_flow_table_size(t), 32768);
    kern_sock_flow_table_free(t);
    t = sock_table(1000, 2);
    CU_ASSERT_EQUAL(kern_sock_flow_table_size(t), 1024);
    kern_sock_flow_table_free(t);
    t = sock_table(1, 2);
    CU_ASSERT_EQUAL(kern_sock_flow_table_size(t), 1);
    kern_sock_flow_table_free(t);
}

static void test_rfs_sock_table_zero_is_off_and_bad_sizes_fail(void)
{
    struct kern_sock_flow_table *t = (void *)1;
    CU_ASSERT(kern_sock_flow_table_create(0, 2, &t, NULL));
    CU_ASSERT_PTR_NULL(t);
    int64_t bad[] = {-1, (INT64_C(1) << 29) + 1, INT32_MAX};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        CU_ASSERT_FALSE(kern_sock_flow_table_create(bad[i], 2, &t, &err));
        CU_ASSERT_PTR_NULL(t);
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "expected 0..536870912"));
        g_error_free(err);
    }
}

static void test_rfs_parse_sock_flow_entries_like_proc_dointvec(void)
{
    int64_t v;
    CU_ASSERT(kern_parse_rps_sock_flow_entries("32768\n", &v, NULL) && v == 32768);
    CU_ASSERT(kern_parse_rps_sock_flow_entries("-5", &v, NULL) && v == -5);
    GError *err = NULL;
    CU_ASSERT_FALSE(kern_parse_rps_sock_flow_entries("lots", &v, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    CU_ASSERT_FALSE(kern_parse_rps_sock_flow_entries("4294967296", &v, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

static void test_rfs_cpu_mask_is_roundup_pow2_of_cpus_minus_one(void)
{
    unsigned ncpus[] = {1, 2, 16, 20, 64};
    uint32_t mask[] = {0, 1, 15, 31, 63};
    for (unsigned i = 0; i < G_N_ELEMENTS(ncpus); i++) {
        struct kern_sock_flow_table *t = sock_table(64, ncpus[i]);
        CU_ASSERT_EQUAL(kern_rps_cpu_mask(t), mask[i]);
        kern_sock_flow_table_free(t);
    }
}

static void test_rfs_record_flow_entry_format(void)
{
    /* 2 CPUs: mask 1 keeps 31 hash bits above the CPU. */
    struct kern_sock_flow_table *t = sock_table(32768, 2);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0xdeadbeef), KERN_RPS_NO_CPU);
    kern_rps_record_flow(t, 0xdeadbeef, 0);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0xdeadbeef), 0xdeadbeee);
    kern_rps_record_flow(t, 0xdeadbeef, 1);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0xdeadbeef), 0xdeadbeef);
    /* Same index (hash & 32767), other flow: overwrites the slot. */
    kern_rps_record_flow(t, 0x1234beef, 0);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0xdeadbeef), 0x1234beee);
    kern_sock_flow_table_free(t);
    /* 16 CPUs: mask 15; 20 CPUs: mask 31. */
    t = sock_table(32768, 16);
    kern_rps_record_flow(t, 0xdeadbeef, 5);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0xdeadbeef), 0xdeadbee5);
    kern_sock_flow_table_free(t);
    t = sock_table(32768, 20);
    kern_rps_record_flow(t, 0xdeadbeef, 19);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0xdeadbeef), 0xdeadbef3);
    kern_sock_flow_table_free(t);
}

static void test_rfs_record_flow_ignores_hash_zero_and_no_table(void)
{
    struct kern_sock_flow_table *t = sock_table(16, 2);
    kern_rps_record_flow(t, 0, 1);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(t, 0), KERN_RPS_NO_CPU);
    kern_rps_record_flow(NULL, 0x1234, 1); /* RFS off: nothing to write, no crash */
    kern_sock_flow_table_free(t);
}

static void test_rfs_dev_flow_table_sizes(void)
{
    struct kern_rps_dev_flow_table *t = NULL;
    CU_ASSERT_FATAL(kern_rps_dev_flow_table_create(8192, &t, NULL));
    CU_ASSERT_EQUAL(kern_rps_dev_flow_table_size(t), 8192);
    CU_ASSERT_EQUAL(kern_rps_dev_flow_at(t, 77)->cpu, KERN_RPS_NO_CPU);
    CU_ASSERT_EQUAL(kern_rps_dev_flow_at(t, 77)->filter, KERN_RPS_NO_FILTER);
    kern_rps_dev_flow_table_free(t);
    CU_ASSERT_FATAL(kern_rps_dev_flow_table_create(1000, &t, NULL));
    CU_ASSERT_EQUAL(kern_rps_dev_flow_table_size(t), 1024);
    CU_ASSERT_EQUAL(kern_rps_dev_flow_table_mask(t), 1023);
    kern_rps_dev_flow_table_free(t);
    CU_ASSERT(kern_rps_dev_flow_table_create(0, &t, NULL));
    CU_ASSERT_PTR_NULL(t);
}

static void test_rfs_dev_flow_table_rejects_what_the_kernel_rejects(void)
{
    GError *err = NULL;
    struct kern_rps_dev_flow_table *t = NULL;
    CU_ASSERT_FALSE(kern_rps_dev_flow_table_create((UINT64_C(1) << 32) + 1, &t, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "EINVAL"));
    g_clear_error(&err);
    CU_ASSERT_FALSE(kern_rps_dev_flow_table_create(UINT64_C(1) << 32, &t, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "model's limit"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(t);
}

static void test_rfs_parse_flow_cnt_like_kstrtoul(void)
{
    uint64_t v;
    CU_ASSERT(kern_parse_rps_flow_cnt("8192\n", &v, NULL) && v == 8192);
    CU_ASSERT(kern_parse_rps_flow_cnt("0x100", &v, NULL) && v == 256);
    CU_ASSERT(kern_parse_rps_flow_cnt("010", &v, NULL) && v == 8);
    const char *bad[] = {"-1", "", "12abc", "99999999999999999999999"};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        CU_ASSERT_FALSE(kern_parse_rps_flow_cnt(bad[i], &v, &err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "rps_flow_cnt"));
        g_error_free(err);
    }
}

static CU_TestInfo cases[] = {
    {"test_rfs_sock_table_rounds_up_to_power_of_two",
     test_rfs_sock_table_rounds_up_to_power_of_two},
    {"test_rfs_sock_table_zero_is_off_and_bad_sizes_fail",
     test_rfs_sock_table_zero_is_off_and_bad_sizes_fail},
    {"test_rfs_parse_sock_flow_entries_like_proc_dointvec",
     test_rfs_parse_sock_flow_entries_like_proc_dointvec},
    {"test_rfs_cpu_mask_is_roundup_pow2_of_cpus_minus_one",
     test_rfs_cpu_mask_is_roundup_pow2_of_cpus_minus_one},
    {"test_rfs_record_flow_entry_format", test_rfs_record_flow_entry_format},
    {"test_rfs_record_flow_ignores_hash_zero_and_no_table",
     test_rfs_record_flow_ignores_hash_zero_and_no_table},
    {"test_rfs_dev_flow_table_sizes", test_rfs_dev_flow_table_sizes},
    {"test_rfs_dev_flow_table_rejects_what_the_kernel_rejects",
     test_rfs_dev_flow_table_rejects_what_the_kernel_rejects},
    {"test_rfs_parse_flow_cnt_like_kstrtoul", test_rfs_parse_flow_cnt_like_kstrtoul},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rfs", cases)
