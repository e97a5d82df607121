/* validate/softirq_model.c: a traced NET_RX run priced with struct kern_cost. */
#include "tests/unit/cu_main.h"
#include "validate/softirq_model.h"

#include <stdio.h>
#include <string.h>

/* Feeds a tracefs text through the model; returns the durations of closed runs (up to 8). */
static unsigned run(const char *text, const struct kern_cost *c, int64_t *out)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    struct val_trace_reader *r = val_trace_open_stream(f, "mem.txt");
    struct val_nrx_model *m = val_nrx_model_new(2, c, "vB");
    struct val_trace_event ev;
    unsigned n = 0;
    while (val_trace_next(r, &ev, NULL) == 1) {
        int64_t d = val_nrx_model_event(m, &ev);
        if (d >= 0 && n < 8)
            out[n++] = d;
    }
    val_nrx_model_free(m);
    val_trace_free(r);
    fclose(f);
    return n;
}

/* A veth device poll of 2 packets, then the backlog poll delivering them (one to the reader's
 * socket of vB, one ACK of vA), and one wake-up: every term of the run's price. */
static const char *RUN =
    "  p-10 [001] ..s1.  10.000000: softirq_entry: vec=3 [action=NET_RX]\n"
    "  p-10 [001] ..s1.  10.000001: napi_poll: napi poll on napi struct 00000000aa for device vB "
    "work 2 budget 64\n"
    "  p-10 [001] ..s1.  10.000002: netif_receive_skb: dev=vB skbaddr=00000000b1 len=84\n"
    "  p-10 [001] d.s2.  10.000003: sched_waking: comm=r pid=20 prio=120 target_cpu=000\n"
    "  p-10 [001] ..s1.  10.000004: netif_receive_skb: dev=vA skbaddr=00000000b2 len=52\n"
    "  p-10 [001] ..s1.  10.000005: napi_poll: napi poll on napi struct 00000000bb for device "
    "(no_device) work 2 budget 64\n"
    "  p-10 [000] ..s1.  10.000005: netif_receive_skb: dev=vB skbaddr=00000000b3 len=84\n"
    "  p-10 [001] ..s1.  10.000009: softirq_exit: vec=3 [action=NET_RX]\n";

static void test_softirq_model_prices_run_with_default_costs(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    int64_t d[8];
    CU_ASSERT_EQUAL_FATAL(run(RUN, &c, d), 1);
    /* pass 100 + net_rx_action 150 + 2 polls x 250 + veth 2 x (200 + 60) + 2 x stack 450
     * + 1 socket enqueue 200 + 1 wakeup 600; the CPU 0 skb is outside the run */
    CU_ASSERT_EQUAL(d[0], 100 + 150 + 500 + 520 + 900 + 200 + 600);
}

static void test_softirq_model_uses_calibrated_costs(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    json_t *j = json_pack("{s:i, s:i}", "stack_skb", 1000, "wakeup", 0);
    CU_ASSERT_TRUE_FATAL(kern_cost_load(&c, j, "costs.json: ", NULL));
    json_decref(j);
    int64_t d[8];
    CU_ASSERT_EQUAL_FATAL(run(RUN, &c, d), 1);
    CU_ASSERT_EQUAL(d[0], 100 + 150 + 500 + 520 + 2000 + 200);
}

/* Other softirqs and a run whose entry precedes the trace give no sample. */
static void test_softirq_model_ignores_other_vectors_and_open_runs(void)
{
    const char *t = "  p-10 [000] ..s1.  1.000000: softirq_exit: vec=3 [action=NET_RX]\n"
                    "  p-10 [000] ..s1.  1.000001: softirq_entry: vec=4 [action=BLOCK]\n"
                    "  p-10 [000] ..s1.  1.000002: softirq_exit: vec=4 [action=BLOCK]\n";
    struct kern_cost c;
    kern_cost_defaults(&c);
    int64_t d[8];
    CU_ASSERT_EQUAL(run(t, &c, d), 0);
}

/* RPS from CPU 0 to CPU 1 outside a run (netif_rx in process context) costs nothing in the
 * softirq; CPU 0's next NET_RX run sends the one IPI it owes CPU 1 (net_rps_send_ipi), once. */
static void test_softirq_model_charges_rps_ipi_on_next_run(void)
{
    const char *t = "  p-10 [000] ..s1.  1.000000: softirq_entry: vec=3 [action=NET_RX]\n"
                    "  p-10 [000] ..s1.  1.000001: softirq_exit: vec=3 [action=NET_RX]\n";
    struct kern_cost c;
    kern_cost_defaults(&c);
    struct val_nrx_model *m = val_nrx_model_new(2, &c, "vB");
    val_nrx_model_rps_enqueue(m, 0, 1);
    val_nrx_model_rps_enqueue(m, 0, 1);
    for (int round = 0; round < 2; round++) {
        FILE *f = fmemopen((void *)t, strlen(t), "r");
        struct val_trace_reader *r = val_trace_open_stream(f, "mem.txt");
        struct val_trace_event ev;
        int64_t d = -1;
        while (val_trace_next(r, &ev, NULL) == 1) {
            int64_t x = val_nrx_model_event(m, &ev);
            if (x >= 0)
                d = x;
        }
        CU_ASSERT_EQUAL(d, round == 0 ? 100 + 150 + 200 : 100 + 150);
        val_trace_free(r);
        fclose(f);
    }
    val_nrx_model_free(m);
}

static CU_TestInfo cases[] = {
    {"test_softirq_model_charges_rps_ipi_on_next_run",
     test_softirq_model_charges_rps_ipi_on_next_run},
    {"test_softirq_model_prices_run_with_default_costs",
     test_softirq_model_prices_run_with_default_costs},
    {"test_softirq_model_uses_calibrated_costs", test_softirq_model_uses_calibrated_costs},
    {"test_softirq_model_ignores_other_vectors_and_open_runs",
     test_softirq_model_ignores_other_vectors_and_open_runs},
    CU_TEST_INFO_NULL,
};

CU_MAIN("softirq_model", cases)
