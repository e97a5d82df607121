/* sim/jsonval.c: the "got …" half of an input error shows what the user wrote. */
#include <string.h>

#include "sim/core/jsonval.h"
#include "tests/unit/cu_main.h"

static void expect_got(const char *json, const char *want)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    char buf[SIM_JSON_GOT_LEN];
    CU_ASSERT_STRING_EQUAL(sim_json_got(v, buf), want);
    json_decref(v);
}

static void test_jsonval_renders_what_was_written(void)
{
    expect_got("\"four\"", "\"four\"");
    expect_got("-3", "-3");
    expect_got("2.5", "2.5");
    expect_got("1e300", "1e+300");
    expect_got("null", "null");
    expect_got("false", "false");
    expect_got("{\"a\": 1}", "an object");
    expect_got("[1, 2, 3]", "an array of 3");
    /* A long string is cut so the error stays one line. */
    expect_got("\"0123456789012345678901234567890123456789\"",
               "\"01234567890123456789012345678...\"");
}

static CU_TestInfo cases[] = {
    {"renders what was written", test_jsonval_renders_what_was_written},
    CU_TEST_INFO_NULL,
};

CU_MAIN("jsonval", cases)
