/* validate/calibrate.c: NNLS fit of NET_RX runs recovers known prices, writes them into the
 * kern_cost fields behind each term, and round-trips through the /costs loader. */
#include "validate/calibrate.h"

#include "tests/unit/cu_main.h"

/* Runs priced exactly 1000/run + 300/skb + 20000/IPI (+ 100 ns of alternating noise). */
static GArray *synthetic(unsigned n)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(struct val_nrx_run));
    for (unsigned i = 0; i < n; i++) {
        struct val_nrx_run r = {0};
        r.n[VAL_NRX_RUN] = 1;
        r.n[VAL_NRX_SKB] = i % 7;
        r.n[VAL_NRX_IPI] = i % 3 == 0;
        r.trace_ns = 1000 + 300 * r.n[VAL_NRX_SKB] + 20000 * r.n[VAL_NRX_IPI] + (i % 2 ? 100 : 0);
        g_array_append_val(a, r);
    }
    return a;
}

static void test_calibrate_recovers_prices_and_keeps_residuals_as_jitter(void)
{
    GArray *runs = synthetic(420);
    struct val_calib_fit f;
    CU_ASSERT_TRUE_FATAL(val_calib_fit(runs, &f, NULL));
    CU_ASSERT_DOUBLE_EQUAL(f.price[VAL_NRX_RUN], 1050, 5);
    CU_ASSERT_DOUBLE_EQUAL(f.price[VAL_NRX_SKB], 300, 2);
    CU_ASSERT_DOUBLE_EQUAL(f.price[VAL_NRX_IPI], 20000, 5);
    CU_ASSERT_EQUAL(f.used[VAL_NRX_WAKE], 0);
    CU_ASSERT(f.r2 > 0.999);
    CU_ASSERT_DOUBLE_EQUAL(f.abs_res_p50, 50, 5);
    CU_ASSERT(f.jitter[0] <= -45 && f.jitter[0] >= -55);
    CU_ASSERT(f.jitter[KERN_COST_JITTER_Q - 1] >= 45 && f.jitter[KERN_COST_JITTER_Q - 1] <= 55);
    struct kern_cost prior, out;
    kern_cost_defaults(&prior);
    val_calib_apply(&f, &prior, &out);
    /* run = softirq_pass + net_rx_action, split 100:150 as the prior */
    CU_ASSERT_EQUAL(out.softirq_pass + out.net_rx_action, (uint32_t)(f.price[VAL_NRX_RUN] + 0.5));
    CU_ASSERT_DOUBLE_EQUAL(out.softirq_pass, 0.4 * f.price[VAL_NRX_RUN], 1);
    CU_ASSERT_EQUAL(out.stack_skb, 300);
    CU_ASSERT_EQUAL(out.wakeup, prior.wakeup); /* no run woke anyone: prior kept */
    CU_ASSERT_EQUAL(out.n_net_rx_jitter, KERN_COST_JITTER_Q);
    const char *b[] = {"a/b"}, *hosts[] = {"6.18.44-fc-v769, 2 CPUs", NULL};
    json_t *j = val_calib_costs_json(&out, &f, b, 1, hosts);
    /* the host the costs belong to is recorded, for validate --costs to compare */
    json_t *h = json_object_get(json_object_get(j, "calibration"), "hosts");
    CU_ASSERT_EQUAL(json_array_size(h), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(h, 0)), hosts[0]);
    struct kern_cost back;
    kern_cost_defaults(&back);
    CU_ASSERT_TRUE(kern_cost_load(&back, j, "/costs", NULL));
    json_decref(j);
    CU_ASSERT_EQUAL(back.ipi_send, out.ipi_send);
    CU_ASSERT_EQUAL(back.net_rx_jitter_ns[3], out.net_rx_jitter_ns[3]);
    CU_ASSERT_EQUAL(val_nrx_price_run(&g_array_index(runs, struct val_nrx_run, 3), &back),
                    (uint64_t)(out.softirq_pass + out.net_rx_action + 3 * 300 + out.ipi_send));
    g_array_free(runs, TRUE);
}

static void test_calibrate_needs_more_runs_than_terms(void)
{
    GArray *runs = synthetic(3);
    struct val_calib_fit f;
    GError *err = NULL;
    CU_ASSERT_FALSE(val_calib_fit(runs, &f, &err));
    CU_ASSERT_PTR_NOT_NULL(err && g_strstr_len(err->message, -1, "3 traced NET_RX runs"));
    g_clear_error(&err);
    g_array_free(runs, TRUE);
}

static CU_TestInfo cases[] = {
    {"test_calibrate_recovers_prices_and_keeps_residuals_as_jitter",
     test_calibrate_recovers_prices_and_keeps_residuals_as_jitter},
    {"test_calibrate_needs_more_runs_than_terms", test_calibrate_needs_more_runs_than_terms},
    CU_TEST_INFO_NULL,
};

CU_MAIN("calibrate", cases)
