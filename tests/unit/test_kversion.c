/* models/kernel/kversion.c: a release string (uname -r) as the model's version parameter. */
#include "models/kernel/kversion.h"
#include "tests/unit/cu_main.h"

static void test_kversion_reads_major_minor(void)
{
    unsigned v = 0;
    CU_ASSERT_TRUE(kern_version_parse("6.12.0-fc-v657-gpu", &v));
    CU_ASSERT_EQUAL(v, 612);
    CU_ASSERT_TRUE(kern_version_parse("6.8.0-45-generic", &v));
    CU_ASSERT_EQUAL(v, KERN_VERSION(6, 8));
    CU_ASSERT_TRUE(v < KERN_VERSION(6, 10)); /* 6.8 < 6.10, not "6.8" > "6.1" */
    CU_ASSERT_TRUE(kern_version_parse("4.19", &v));
    CU_ASSERT_EQUAL(v, 419);
    v = 7;
    CU_ASSERT_FALSE(kern_version_parse("linux", &v));
    CU_ASSERT_FALSE(kern_version_parse("6", &v));
    CU_ASSERT_FALSE(kern_version_parse("6.100", &v));
    CU_ASSERT_FALSE(kern_version_parse(NULL, &v));
    CU_ASSERT_EQUAL(v, 7); /* untouched on failure */
}

static CU_TestInfo cases[] = {
    {"reads MAJOR.MINOR", test_kversion_reads_major_minor},
    CU_TEST_INFO_NULL,
};

CU_MAIN("kversion", cases)
