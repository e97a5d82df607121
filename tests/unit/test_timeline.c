/* sim/host/timeline.c: slices merge into bars, NAPI polls nest inside them, the
 * recording window and the event cap hold, and the file is valid JSON. */
#include <jansson.h>
#include <string.h>

#include "sim/host/timeline.h"
#include "tests/unit/cu_main.h"

static void slice(struct kern_observer *o, unsigned cpu, enum kern_acct what, bool ks,
                  uint64_t from, uint64_t to, const char *label)
{
    struct kern_slice s = {
        .cpu = cpu, .what = what, .ksoftirqd = ks, .from = from, .to = to, .label = label};
    o->slice(o->ctx, &s);
}

/* The X events of the document, in file order. */
static json_t *events_of(struct sim_timeline *tl, json_t **doc)
{
    size_t len;
    char *txt = sim_timeline_json(tl, &len);
    json_error_t e;
    *doc = json_loadb(txt, len, 0, &e);
    g_free(txt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*doc);
    json_t *out = json_array(), *ev;
    size_t i;
    json_array_foreach(json_object_get(*doc, "traceEvents"), i,
                       ev) if (strcmp(json_string_value(json_object_get(ev, "ph")), "X") == 0)
        json_array_append(out, ev);
    return out;
}

static const char *str(json_t *ev, const char *k)
{
    return json_string_value(json_object_get(ev, k));
}

static double num(json_t *ev, const char *k)
{
    return json_number_value(json_object_get(ev, k));
}

static void test_timeline_adjacent_softirq_slices_merge_with_polls_inside(void)
{
    struct sim_timeline *tl = sim_timeline_new(2, 1000000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    slice(&o, 0, KERN_IRQ, false, 0, 850, "eth0-TxRx-0");
    slice(&o, 0, KERN_SOFT, false, 850, 1100, "NET_RX");
    struct napi_struct n = {.name = "eth0-TxRx-0"};
    slice(&o, 0, KERN_SOFT, false, 1100, 3000, "NET_RX");
    o.napi_poll(o.ctx, 0, &n, 1100, 3000, 64);
    slice(&o, 0, KERN_SOFT, false, 3000, 5000, "NET_RX");
    json_t *doc, *ev = events_of(tl, &doc);
    CU_ASSERT_EQUAL_FATAL(json_array_size(ev), 3); /* irq, napi, one NET_RX bar */
    json_t *irq = json_array_get(ev, 0), *napi = json_array_get(ev, 1),
           *soft = json_array_get(ev, 2);
    CU_ASSERT_STRING_EQUAL(str(irq, "name"), "eth0-TxRx-0");
    CU_ASSERT_STRING_EQUAL(str(irq, "cat"), "irq");
    CU_ASSERT_STRING_EQUAL(str(napi, "name"), "napi_poll eth0-TxRx-0");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(napi, "args"), "work")), 64);
    CU_ASSERT_STRING_EQUAL(str(soft, "name"), "NET_RX");
    CU_ASSERT_DOUBLE_EQUAL(num(soft, "ts"), 0.85, 1e-9); /* microseconds */
    CU_ASSERT_DOUBLE_EQUAL(num(soft, "dur"), 4.15, 1e-9);
    CU_ASSERT(num(napi, "ts") >= num(soft, "ts") &&
              num(napi, "ts") + num(napi, "dur") <= num(soft, "ts") + num(soft, "dur") + 1e-9);
    json_decref(ev);
    json_decref(doc);
    sim_timeline_free(tl);
}

static void test_timeline_ksoftirqd_and_threads_are_told_apart(void)
{
    struct sim_timeline *tl = sim_timeline_new(1, 1000000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    slice(&o, 0, KERN_SOFT, false, 0, 100, "NET_RX");
    slice(&o, 0, KERN_SOFT, true, 100, 200, "NET_RX"); /* same label, now in ksoftirqd */
    slice(&o, 0, KERN_SYS, false, 200, 300, "sink/1");
    slice(&o, 0, KERN_USR, false, 300, 400, "sink/1");
    slice(&o, 0, KERN_SOFT, false, 500, 600, "NET_RX"); /* a gap: a new bar */
    json_t *doc, *ev = events_of(tl, &doc);
    CU_ASSERT_EQUAL_FATAL(json_array_size(ev), 5);
    CU_ASSERT_STRING_EQUAL(str(json_array_get(ev, 1), "name"), "NET_RX (ksoftirqd)");
    CU_ASSERT_STRING_EQUAL(str(json_array_get(ev, 2), "cat"), "sys");
    CU_ASSERT_STRING_EQUAL(str(json_array_get(ev, 3), "cat"), "usr");
    json_decref(ev);
    json_decref(doc);
    sim_timeline_free(tl);
}

static void test_timeline_stops_at_the_window_end(void)
{
    struct sim_timeline *tl = sim_timeline_new(1, 1000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    slice(&o, 0, KERN_SOFT, false, 900, 1500, "NET_RX");      /* clipped at 1 us */
    slice(&o, 0, KERN_IRQ, false, 1500, 2000, "eth0-TxRx-0"); /* after: dropped */
    json_t *doc, *ev = events_of(tl, &doc);
    CU_ASSERT_EQUAL_FATAL(json_array_size(ev), 1);
    CU_ASSERT_DOUBLE_EQUAL(num(json_array_get(ev, 0), "dur"), 0.1, 1e-9);
    json_decref(ev);
    json_decref(doc);
    sim_timeline_free(tl);
}

static void test_timeline_cap_is_reported_not_silent(void)
{
    struct sim_timeline *tl = sim_timeline_new(1, UINT64_MAX, 3);
    struct kern_observer o = sim_timeline_observer(tl);
    for (uint64_t i = 0; i < 10; i++) /* alternating labels: nothing merges */
        slice(&o, 0, i % 2 ? KERN_IRQ : KERN_SOFT, false, i * 10, i * 10 + 5,
              i % 2 ? "eth0-TxRx-0" : "NET_RX");
    json_t *doc, *ev = events_of(tl, &doc);
    CU_ASSERT_EQUAL(json_array_size(ev), 3);
    CU_ASSERT(sim_timeline_truncated(tl));
    CU_ASSERT(json_is_true(json_object_get(json_object_get(doc, "otherData"), "truncated")));
    json_decref(ev);
    json_decref(doc);
    sim_timeline_free(tl);
}

static void test_timeline_labels_are_escaped_and_cpus_named(void)
{
    struct sim_timeline *tl = sim_timeline_new(2, 1000000, 100);
    struct kern_observer o = sim_timeline_observer(tl);
    slice(&o, 1, KERN_USR, false, 0, 10, "odd \"name\"\\");
    json_t *doc, *ev = events_of(tl, &doc);
    CU_ASSERT_STRING_EQUAL(str(json_array_get(ev, 0), "name"), "odd \"name\"\\");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(ev, 0), "tid")), 1);
    int named = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(doc, "traceEvents"), i,
                       m) if (str(m, "name") && strcmp(str(m, "name"), "thread_name") == 0) named++;
    CU_ASSERT_EQUAL(named, 2);
    json_decref(ev);
    json_decref(doc);
    sim_timeline_free(tl);
}

static CU_TestInfo cases[] = {
    {"test_timeline_adjacent_softirq_slices_merge_with_polls_inside",
     test_timeline_adjacent_softirq_slices_merge_with_polls_inside},
    {"test_timeline_ksoftirqd_and_threads_are_told_apart",
     test_timeline_ksoftirqd_and_threads_are_told_apart},
    {"test_timeline_stops_at_the_window_end", test_timeline_stops_at_the_window_end},
    {"test_timeline_cap_is_reported_not_silent", test_timeline_cap_is_reported_not_silent},
    {"test_timeline_labels_are_escaped_and_cpus_named",
     test_timeline_labels_are_escaped_and_cpus_named},
    CU_TEST_INFO_NULL,
};

CU_MAIN("timeline", cases)
