/* validate/report.c (named apart from the test of sim/report.c): the JSON keys users
 * script against and the text report's layout. */
#include "tests/unit/cu_main.h"
#include "validate/report.h"

#include <string.h>

static struct val_report *sample_report(void)
{
    struct val_report *r = val_report_new(2, 4);
    r->bundle = g_strdup("b");
    r->rx_dev = g_strdup("vB");
    r->rx_driver = g_strdup("veth");
    r->pcap_packets = 10;
    r->trace_entries = 9;
    r->matched = 8;
    for (int i = 0; i < 8; i++)
        val_agree_add(&r->cpu, i == 5 ? 0 : 1, 1, i + 1, 100 + i);
    r->cpus[0].model_processed = 3;
    r->cpus[0].trace_processed = 4;
    r->cpus[0].softnet_processed = 4;
    r->cpus[1].model_processed = 5;
    r->cpus[1].trace_processed = 4;
    r->napi_kind = "backlog";
    sim_hist_add(&r->napi_model, 3);
    sim_hist_add(&r->napi_trace, 3);
    sim_hist_add(&r->napi_trace, 64);
    return r;
}

static void test_report_json_has_required_keys_and_nulls(void)
{
    struct val_report *r = sample_report();
    json_t *j = val_report_json(r);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "packets"), "pcap")), 10);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "packets"), "trace")), 9);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "packets"), "matched")),
                    8);
    json_t *ag = json_object_get(j, "agreement");
    CU_ASSERT(json_is_null(json_object_get(ag, "rx_queue")));
    CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(ag, "cpu")), 7.0 / 8.0, 1e-12);
    json_t *pc = json_object_get(j, "per_cpu");
    CU_ASSERT_EQUAL_FATAL(json_array_size(pc), 2);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(pc, 0), "softnet_processed")),
                    4);
    CU_ASSERT(json_is_null(json_object_get(json_array_get(pc, 1), "softnet_processed")));
    json_t *np = json_object_get(j, "napi_poll");
    CU_ASSERT_DOUBLE_EQUAL(json_real_value(json_object_get(np, "ks_distance")), 0.5, 1e-12);
    CU_ASSERT(json_is_object(json_object_get(np, "model_hist")));
    CU_ASSERT(json_is_object(json_object_get(np, "trace_hist")));
    CU_ASSERT(json_is_array(json_object_get(j, "warnings")));
    CU_ASSERT(json_is_false(json_object_get(j, "partial")));
    CU_ASSERT(json_is_null(json_object_get(json_object_get(j, "irq"), "vectors")));
    json_t *dis = json_object_get(json_object_get(j, "disagreements"), "cpu");
    CU_ASSERT_EQUAL(json_array_size(dis), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(dis, 0), "trace_line")), 105);
    json_decref(j);
    val_report_free(r);
}

static void test_report_text_puts_warnings_first_and_marks_partial(void)
{
    struct val_report *r = sample_report();
    val_report_warn(r, "trace lost 12 events on CPU 1");
    val_report_partial(r, "no softnet_stat snapshot");
    char *t = val_report_text(r);
    const char *w = strstr(t, "WARNING: trace lost 12 events");
    const char *p = strstr(t, "PARTIAL: no softnet_stat");
    const char *a = strstr(t, "agreement");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT(w < a && p < a);
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "87.5000%  (7/8)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t, "trace line 105"));
    g_free(t);
    json_t *j = val_report_json(r);
    CU_ASSERT(json_is_true(json_object_get(j, "partial")));
    CU_ASSERT_EQUAL(json_array_size(json_object_get(j, "warnings")), 1);
    json_decref(j);
    val_report_free(r);
}

static CU_TestInfo cases[] = {
    {"JSON has the required keys, n/a as null", test_report_json_has_required_keys_and_nulls},
    {"text: warnings first, partial marked",
     test_report_text_puts_warnings_first_and_marks_partial},
    CU_TEST_INFO_NULL,
};

CU_MAIN("validate_report", cases)
