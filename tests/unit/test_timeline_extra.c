/* sim/host/timeline_extra.c: flow arrows bind inside the slices they join (clear of
 * slice edges), arrows whose end falls outside the window are left out, and
 * counters are drawn in time order from deltas that arrive out of order. */
#include <jansson.h>
#include <string.h>

#include "sim/host/timeline.h"
#include "tests/unit/cu_main.h"

static void slice(struct kern_observer *o, unsigned cpu, enum kern_acct what, uint64_t from,
                  uint64_t to, const char *label)
{
    struct kern_slice s = {.cpu = cpu, .what = what, .from = from, .to = to, .label = label};
    o->slice(o->ctx, &s);
}

/* The document's events of phase `ph`, in file order. */
static json_t *phase(struct sim_timeline *tl, const char *ph, json_t **doc)
{
    size_t len;
    char *txt = sim_timeline_json(tl, &len);
    json_error_t e;
    *doc = json_loadb(txt, len, 0, &e);
    g_free(txt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*doc);
    json_t *out = json_array(), *ev;
    size_t i;
    json_array_foreach(json_object_get(*doc, "traceEvents"), i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "ph")), ph) == 0)
            json_array_append(out, ev);
    }
    return out;
}

static double num(json_t *ev, const char *k)
{
    return json_number_value(json_object_get(ev, k));
}

static void test_timeline_extra_irq_to_net_rx_and_wakeup_flows(void)
{
    static const char sink[] = "sink/1";
    struct sim_timeline *tl = sim_timeline_new(2, 1000000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    slice(&o, 0, KERN_IRQ, 0, 400, "eth0-TxRx-0");
    o.softirq_raise(o.ctx, 0, NET_RX_SOFTIRQ, 400, true);
    o.softirq_raise(o.ctx, 0, TIMER_SOFTIRQ, 400, true); /* not NET_RX: no arrow */
    slice(&o, 0, KERN_IRQ, 400, 800, "eth0-TxRx-0");
    o.softirq_entry(o.ctx, 0, NET_RX_SOFTIRQ, 800);
    o.wakeup(o.ctx, 0, 2000, sink);
    o.wakeup(o.ctx, 0, 2100, sink); /* already woken: the first arrow stands */
    slice(&o, 0, KERN_SOFT, 800, 3000, "NET_RX");
    slice(&o, 1, KERN_SYS, 1000, 1500, sink); /* before the wake-up: not its end */
    slice(&o, 1, KERN_SYS, 2500, 2600, sink);
    json_t *doc, *s = phase(tl, "s", &doc), *fdoc, *f = phase(tl, "f", &fdoc);
    CU_ASSERT_EQUAL_FATAL(json_array_size(s), 2);
    CU_ASSERT_EQUAL_FATAL(json_array_size(f), 2);
    json_t *irq = json_array_get(s, 0), *rx = json_array_get(f, 0);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(irq, "name")), "NET_RX raised");
    CU_ASSERT_DOUBLE_EQUAL(num(irq, "ts"), 0.4, 1e-9);  /* the two halves merged: 400 is inside */
    CU_ASSERT_DOUBLE_EQUAL(num(rx, "ts"), 0.801, 1e-9); /* inside NET_RX, not at its start */
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(rx, "bp")), "e");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(irq, "id")),
                    json_integer_value(json_object_get(rx, "id")));
    json_t *waker = json_array_get(s, 1), *woken = json_array_get(f, 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(waker, "name")), "sched_wakeup");
    CU_ASSERT_DOUBLE_EQUAL(num(waker, "ts"), 2.0, 1e-9);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(woken, "tid")), 1);
    CU_ASSERT_DOUBLE_EQUAL(num(woken, "ts"), 2.501, 1e-9);
    json_decref(s);
    json_decref(f);
    json_decref(doc);
    json_decref(fdoc);
    sim_timeline_free(tl);
}

static void test_timeline_extra_flow_ending_after_the_window_is_left_out(void)
{
    struct sim_timeline *tl = sim_timeline_new(1, 1000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    slice(&o, 0, KERN_IRQ, 0, 800, "eth0-TxRx-0");
    o.softirq_raise(o.ctx, 0, NET_RX_SOFTIRQ, 400, true);
    o.softirq_entry(o.ctx, 0, NET_RX_SOFTIRQ, 1200); /* after the 1 us window */
    slice(&o, 0, KERN_SOFT, 1200, 3000, "NET_RX");
    json_t *doc, *s = phase(tl, "s", &doc);
    CU_ASSERT_EQUAL(json_array_size(s), 0);
    json_decref(s);
    json_decref(doc);
    sim_timeline_free(tl);
}

static void test_timeline_extra_counters_in_time_order_one_sample_per_change(void)
{
    struct sim_timeline *tl = sim_timeline_new(2, 1000000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    /* the ring's deltas as CPUs and the NIC report them: not in time order */
    o.counter(o.ctx, KERN_CTR_RX_RING, 3, 100, 1);
    o.counter(o.ctx, KERN_CTR_RX_RING, 3, 50, 1);
    o.counter(o.ctx, KERN_CTR_RX_RING, 3, 300, -1);
    o.counter(o.ctx, KERN_CTR_RX_RING, 3, 200, -1);
    o.counter(o.ctx, KERN_CTR_RX_RING, 3, 200, 1); /* no net change at 200: no sample */
    o.counter(o.ctx, KERN_CTR_BACKLOG, 1, 70, 1);
    o.counter(o.ctx, KERN_CTR_BACKLOG, 1, 2000000, 1); /* after the window */
    json_t *doc, *c = phase(tl, "C", &doc);
    CU_ASSERT_EQUAL_FATAL(json_array_size(c), 6);
    static const double ts[] = {0, 0.05, 0.1, 0.3};
    static const int val[] = {0, 1, 2, 1};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(c, i);
        CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "name")), "eth0 rx ring 3");
        CU_ASSERT_DOUBLE_EQUAL(num(e, "ts"), ts[i], 1e-9);
        CU_ASSERT_EQUAL(
            json_integer_value(json_object_get(json_object_get(e, "args"), "descriptors")), val[i]);
    }
    json_t *b = json_array_get(c, 5);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "name")), "CPU 1 backlog");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(b, "args"), "skbs")), 1);
    json_decref(c);
    json_decref(doc);
    sim_timeline_free(tl);
}

static void test_timeline_extra_cap_counts_flows_and_counters(void)
{
    struct sim_timeline *tl = sim_timeline_new(1, 1000000, 4);
    struct kern_observer o = sim_timeline_observer(tl);
    o.softirq_raise(o.ctx, 0, NET_RX_SOFTIRQ, 10, true); /* a flow: two events */
    o.counter(o.ctx, KERN_CTR_BACKLOG, 0, 20, 1);
    o.counter(o.ctx, KERN_CTR_BACKLOG, 0, 30, 1);
    CU_ASSERT_EQUAL(sim_timeline_events(tl), 4);
    CU_ASSERT_FALSE(sim_timeline_truncated(tl));
    o.counter(o.ctx, KERN_CTR_BACKLOG, 0, 40, 1);
    CU_ASSERT_EQUAL(sim_timeline_events(tl), 4);
    CU_ASSERT(sim_timeline_truncated(tl));
    sim_timeline_free(tl);
}

static CU_TestInfo cases[] = {
    {"test_timeline_extra_irq_to_net_rx_and_wakeup_flows",
     test_timeline_extra_irq_to_net_rx_and_wakeup_flows},
    {"test_timeline_extra_flow_ending_after_the_window_is_left_out",
     test_timeline_extra_flow_ending_after_the_window_is_left_out},
    {"test_timeline_extra_counters_in_time_order_one_sample_per_change",
     test_timeline_extra_counters_in_time_order_one_sample_per_change},
    {"test_timeline_extra_cap_counts_flows_and_counters",
     test_timeline_extra_cap_counts_flows_and_counters},
    CU_TEST_INFO_NULL,
};

CU_MAIN("timeline_extra", cases)
