/* validate/softirq_model.c: a traced NET_RX run's operations counted and priced with struct
 * kern_cost; the modelled duration read through the trace's µs clock, plus fitted jitter. */
#include "tests/unit/cu_main.h"
#include "validate/softirq_model.h"

#include <stdio.h>
#include <string.h>

/* Feeds a tracefs text through the model; returns the durations of closed runs (up to 8) and
 * records the runs into rec when given. */
static unsigned run(const char *text, const struct kern_cost *c, int64_t *out, GArray *rec)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    struct val_trace_reader *r = val_trace_open_stream(f, "mem.txt");
    struct val_nrx_model *m = val_nrx_model_new(2, c, "vB");
    val_nrx_model_record(m, rec);
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

/* floor((phase + d) / 1 µs) µs for some phase in [0, 1 µs): d's µs floor or the next µs. */
static bool on_us_clock(int64_t got, uint64_t d)
{
    return got == (int64_t)(d / 1000 * 1000) || got == (int64_t)(d / 1000 * 1000 + 1000);
}

static void test_softirq_model_prices_run_with_default_costs(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    int64_t d[8];
    GArray *rec = g_array_new(FALSE, TRUE, sizeof(struct val_nrx_run));
    CU_ASSERT_EQUAL_FATAL(run(RUN, &c, d, rec), 1);
    CU_ASSERT_EQUAL_FATAL(rec->len, 1);
    const struct val_nrx_run *r = &g_array_index(rec, struct val_nrx_run, 0);
    CU_ASSERT_EQUAL(r->trace_ns, 9000);
    CU_ASSERT_EQUAL(r->n[VAL_NRX_POLL], 2);
    CU_ASSERT_EQUAL(r->n[VAL_NRX_DEV_PKT], 2);
    CU_ASSERT_EQUAL(r->n[VAL_NRX_SKB], 2);
    CU_ASSERT_EQUAL(r->n[VAL_NRX_SOCK], 1);
    CU_ASSERT_EQUAL(r->n[VAL_NRX_WAKE], 1);
    /* pass 100 + net_rx_action 150 + 2 polls x 250 + veth 2 x (200 + 60) + 2 x stack 450
     * + 1 socket enqueue 200 + 1 wakeup 600; the CPU 0 skb is outside the run */
    uint64_t want = 100 + 150 + 500 + 520 + 900 + 200 + 600;
    CU_ASSERT_EQUAL(val_nrx_price_run(r, &c), want);
    CU_ASSERT_TRUE(on_us_clock(d[0], want));
    g_array_free(rec, TRUE);
}

static void test_softirq_model_uses_calibrated_costs(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    json_t *j = json_pack("{s:i, s:i}", "stack_skb", 1000, "wakeup", 0);
    CU_ASSERT_TRUE_FATAL(kern_cost_load(&c, j, "costs.json: ", NULL));
    json_decref(j);
    int64_t d[8];
    CU_ASSERT_EQUAL_FATAL(run(RUN, &c, d, NULL), 1);
    CU_ASSERT_TRUE(on_us_clock(d[0], 100 + 150 + 500 + 520 + 2000 + 200));
}

/* Fitted jitter is added to the price and, on a µs trace clock, rounded to the µs. */
static void test_softirq_model_adds_fitted_jitter(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    c.n_net_rx_jitter = KERN_COST_JITTER_Q;
    for (int i = 0; i < KERN_COST_JITTER_Q; i++)
        c.net_rx_jitter_ns[i] = 5000;
    int64_t d[8];
    CU_ASSERT_EQUAL_FATAL(run(RUN, &c, d, NULL), 1);
    CU_ASSERT_EQUAL(d[0], 8000); /* 2970 + 5000 = 7970 -> 8 µs */
    for (int i = 0; i < KERN_COST_JITTER_Q; i++)
        c.net_rx_jitter_ns[i] = -100000;
    CU_ASSERT_EQUAL_FATAL(run(RUN, &c, d, NULL), 1);
    CU_ASSERT_EQUAL(d[0], 0); /* never negative */
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
    CU_ASSERT_EQUAL(run(t, &c, d, NULL), 0);
}

/* CPU 0's run queues an RPS IPI (csd_queue_cpu) and takes a tick; CPU 1's allocator kicks CPU
 * 0's defer list (trigger_rx_softirq), so CPU 0's next run pays skb_defer_free_flush once. */
static void test_softirq_model_counts_ipis_nested_irqs_and_defer_flush(void)
{
    const char *t =
        "  p-10 [000] ..s1.  1.000000: softirq_entry: vec=3 [action=NET_RX]\n"
        "  p-10 [000] ..s2.  1.000001: csd_queue_cpu: cpu=1 callsite=generic_exec_single+0x36 "
        "func=rps_trigger_softirq csd=00000000ef\n"
        "  p-10 [000] d.h1.  1.000002: hrtimer_expire_entry: hrtimer=00000000a now=1 "
        "function=tick_nohz_handler\n"
        "  p-10 [000] ..s1.  1.000030: softirq_exit: vec=3 [action=NET_RX]\n"
        "  p-11 [001] ....1  1.000040: csd_queue_cpu: cpu=0 callsite=kick_defer_list_purge+0x1 "
        "func=trigger_rx_softirq csd=00000000ee\n"
        "  p-10 [000] ..s1.  1.000050: softirq_entry: vec=3 [action=NET_RX]\n"
        "  p-10 [000] ..s1.  1.000063: softirq_exit: vec=3 [action=NET_RX]\n"
        "  p-10 [000] ..s1.  1.000070: softirq_entry: vec=3 [action=NET_RX]\n"
        "  p-10 [000] ..s1.  1.000071: softirq_exit: vec=3 [action=NET_RX]\n";
    struct kern_cost c;
    kern_cost_defaults(&c);
    int64_t d[8];
    GArray *rec = g_array_new(FALSE, TRUE, sizeof(struct val_nrx_run));
    CU_ASSERT_EQUAL_FATAL(run(t, &c, d, rec), 3);
    const struct val_nrx_run *r = (const struct val_nrx_run *)(void *)rec->data;
    CU_ASSERT_EQUAL(r[0].n[VAL_NRX_IPI], 1);
    CU_ASSERT_EQUAL(r[0].n[VAL_NRX_IRQ], 1);
    CU_ASSERT_EQUAL(r[0].n[VAL_NRX_DEFER], 0);
    CU_ASSERT_EQUAL(r[0].trace_ns, 30000);
    CU_ASSERT_EQUAL(r[1].n[VAL_NRX_IPI], 0); /* the kick was queued by CPU 1, not in this run */
    CU_ASSERT_EQUAL(r[1].n[VAL_NRX_DEFER], 1);
    CU_ASSERT_EQUAL(r[2].n[VAL_NRX_DEFER], 0);
    CU_ASSERT_EQUAL(val_nrx_price_run(&r[0], &c), 100 + 150 + c.ipi_send + c.hardirq);
    CU_ASSERT_EQUAL(val_nrx_price_run(&r[1], &c), 100 + 150 + c.skb_defer_flush);
    g_array_free(rec, TRUE);
}

/* __smp_call_single_queue(): CPU 0's first csd onto CPU 1 finds its call_single_queue empty
 * and sends the IPI (ipi_send); the second, before CPU 1's call_function_single_entry drained
 * it, is an llist_add only (csd_enqueue); after the drain the next sends again. */
static void test_softirq_model_csd_onto_a_non_empty_queue_sends_no_ipi(void)
{
    const char *t =
        "  p-10 [000] ..s1.  1.000000: softirq_entry: vec=3 [action=NET_RX]\n"
        "  p-10 [000] ..s2.  1.000001: csd_queue_cpu: cpu=1 callsite=ttwu_queue_wakelist+0x1 "
        "func=sched_ttwu_pending csd=00000000e1\n"
        "  p-10 [000] ..s2.  1.000027: csd_queue_cpu: cpu=1 callsite=generic_exec_single+0x36 "
        "func=rps_trigger_softirq csd=00000000ef\n"
        "  p-10 [000] ..s1.  1.000028: softirq_exit: vec=3 [action=NET_RX]\n"
        "  q-11 [001] d.h1.  1.000030: call_function_single_entry: vector=251\n"
        "  p-10 [000] ..s1.  1.000050: softirq_entry: vec=3 [action=NET_RX]\n"
        "  p-10 [000] ..s2.  1.000051: csd_queue_cpu: cpu=1 callsite=generic_exec_single+0x36 "
        "func=rps_trigger_softirq csd=00000000ef\n"
        "  p-10 [000] ..s1.  1.000077: softirq_exit: vec=3 [action=NET_RX]\n";
    struct kern_cost c;
    kern_cost_defaults(&c);
    int64_t d[8];
    GArray *rec = g_array_new(FALSE, TRUE, sizeof(struct val_nrx_run));
    CU_ASSERT_EQUAL_FATAL(run(t, &c, d, rec), 2);
    const struct val_nrx_run *r = (const struct val_nrx_run *)(void *)rec->data;
    CU_ASSERT_EQUAL(r[0].n[VAL_NRX_IPI], 1);
    CU_ASSERT_EQUAL(r[0].n[VAL_NRX_CSD_ENQ], 1);
    CU_ASSERT_EQUAL(r[1].n[VAL_NRX_IPI], 1);
    CU_ASSERT_EQUAL(r[1].n[VAL_NRX_CSD_ENQ], 0);
    CU_ASSERT_EQUAL(val_nrx_price_run(&r[0], &c), 100 + 150 + c.ipi_send + c.csd_enqueue);
    g_array_free(rec, TRUE);
}

static CU_TestInfo cases[] = {
    {"test_softirq_model_csd_onto_a_non_empty_queue_sends_no_ipi",
     test_softirq_model_csd_onto_a_non_empty_queue_sends_no_ipi},
    {"test_softirq_model_counts_ipis_nested_irqs_and_defer_flush",
     test_softirq_model_counts_ipis_nested_irqs_and_defer_flush},
    {"test_softirq_model_prices_run_with_default_costs",
     test_softirq_model_prices_run_with_default_costs},
    {"test_softirq_model_uses_calibrated_costs", test_softirq_model_uses_calibrated_costs},
    {"test_softirq_model_adds_fitted_jitter", test_softirq_model_adds_fitted_jitter},
    {"test_softirq_model_ignores_other_vectors_and_open_runs",
     test_softirq_model_ignores_other_vectors_and_open_runs},
    CU_TEST_INFO_NULL,
};

CU_MAIN("softirq_model", cases)
