/* validate/trace_fields.c: a line's "key=value" fields read in one pass give what
 * strstr-ing " key=" and strtoull/strtol/sscanf gave (first occurrence, value ends,
 * hex prefixes, overflow, signs). */
#include "validate/trace_fields.h"

#include "tests/unit/cu_main.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char *fields(enum val_ev_kind k, const char *f, struct val_trace_event *ev)
{
    static char buf[4096];
    g_strlcpy(buf, f, sizeof buf);
    memset(ev, 0, sizeof *ev);
    ev->kind = k;
    return val_trace_parse_fields(ev, buf);
}

static void test_trace_fields_key_is_first_whole_key_after_a_space(void)
{
    struct val_trace_event ev;
    /* data_len= is not len=; the first len= wins over a later one */
    CU_ASSERT_PTR_NULL(
        fields(VAL_EV_NETIF_RECEIVE_SKB, "data_len=7 dev=eth0 skbaddr=ff len=60 len=61", &ev));
    CU_ASSERT_EQUAL(ev.u.skb.len, 60);
    CU_ASSERT_STRING_EQUAL(ev.u.skb.dev, "eth0");
    CU_ASSERT_EQUAL(ev.u.skb.skbaddr, 0xff);
    CU_ASSERT_PTR_NOT_NULL(fields(VAL_EV_NETIF_RECEIVE_SKB, "dev=eth0 skbaddr=ff data_len=9", &ev));
}

static void test_trace_fields_numbers_as_strto_reads_them(void)
{
    struct val_trace_event ev;
    /* 16 hex digits, a 0x prefix, a hex value too long for 64 bits */
    CU_ASSERT_PTR_NULL(
        fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=ffff888100a0b0c0 len=1 rc=-1", &ev));
    CU_ASSERT_EQUAL(ev.u.skb.skbaddr, 0xffff888100a0b0c0ULL);
    CU_ASSERT_EQUAL(ev.u.skb.rc, -1);
    CU_ASSERT_PTR_NULL(fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=0xab len=1 rc=+3", &ev));
    CU_ASSERT_EQUAL(ev.u.skb.skbaddr, 0xab);
    CU_ASSERT_EQUAL(ev.u.skb.rc, 3);
    CU_ASSERT_PTR_NOT_NULL(
        fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=1ffff888100a0b0c0 len=1 rc=0", &ev));
    /* len above 32 bits, a decimal field in hex, a value not ended by a separator */
    CU_ASSERT_PTR_NOT_NULL(fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=1 len=4294967296 rc=0", &ev));
    CU_ASSERT_PTR_NULL(fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=1 len=4294967295 rc=0", &ev));
    CU_ASSERT_PTR_NOT_NULL(fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=1 len=ab rc=0", &ev));
    CU_ASSERT_PTR_NOT_NULL(fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=1 len=5x rc=0", &ev));
    CU_ASSERT_PTR_NOT_NULL(
        fields(VAL_EV_NET_DEV_XMIT, "dev=e skbaddr=1 len=1 rc=99999999999", &ev));
    CU_ASSERT_EQUAL(val_trace_dec_long("0000000000000000000042"), 42);
    CU_ASSERT_EQUAL(val_trace_dec_long("99999999999999999999"), LONG_MAX);
    CU_ASSERT_EQUAL(val_trace_dec_long("-17"), -17);
}

static void test_trace_fields_comm_runs_to_the_stop_key(void)
{
    struct val_trace_event ev;
    CU_ASSERT_PTR_NULL(
        fields(VAL_EV_SCHED_WAKEUP, "comm=kworker a-pid=9 pid=15 prio=120 target_cpu=008", &ev));
    CU_ASSERT_STRING_EQUAL(ev.u.wake.comm, "kworker a-pid=9");
    CU_ASSERT_EQUAL(ev.u.wake.pid, 15);
    CU_ASSERT_EQUAL(ev.u.wake.target_cpu, 8);
    CU_ASSERT_PTR_NULL(fields(VAL_EV_SCHED_WAKEUP, "comm= pid=1 prio=120 target_cpu=0", &ev));
    CU_ASSERT_STRING_EQUAL(ev.u.wake.comm, "");
    CU_ASSERT_PTR_NOT_NULL(fields(VAL_EV_SCHED_WAKEUP, "comm=x prio=120 target_cpu=0", &ev));
}

static void test_trace_fields_napi_poll_work_budget_forms(void)
{
    struct val_trace_event ev;
    const char *pre = "napi poll on napi struct 00000000c0ffee00 for device eth0";
    char buf[256];
    snprintf(buf, sizeof buf, "%s work 64 budget 64", pre);
    CU_ASSERT_PTR_NULL(fields(VAL_EV_NAPI_POLL, buf, &ev));
    CU_ASSERT_TRUE(ev.u.napi_poll.has_work);
    CU_ASSERT_EQUAL(ev.u.napi_poll.work, 64);
    snprintf(buf, sizeof buf, "%s work  -1 budget 64", pre); /* sscanf's spelling */
    CU_ASSERT_PTR_NULL(fields(VAL_EV_NAPI_POLL, buf, &ev));
    CU_ASSERT_EQUAL(ev.u.napi_poll.work, -1);
    snprintf(buf, sizeof buf, "%s work 3 budget 64 x", pre);
    CU_ASSERT_PTR_NOT_NULL(fields(VAL_EV_NAPI_POLL, buf, &ev));
    CU_ASSERT_PTR_NULL(fields(VAL_EV_NAPI_POLL, pre, &ev));
    CU_ASSERT_FALSE(ev.u.napi_poll.has_work);
}

static void test_trace_fields_more_keys_than_the_index_holds(void)
{
    struct val_trace_event ev;
    GString *s = g_string_new("dev=e skbaddr=1 len=2");
    for (int i = 0; i < 40; i++)
        g_string_append_printf(s, " k%d=%d", i, i);
    g_string_append(s, " queue_mapping=7 hash=0x5");
    CU_ASSERT_PTR_NULL(fields(VAL_EV_NETIF_RECEIVE_SKB_ENTRY, s->str, &ev));
    CU_ASSERT_EQUAL(ev.u.rx.queue_mapping, 7);
    CU_ASSERT_EQUAL(ev.u.rx.hash, 5);
    g_string_free(s, TRUE);
}

static CU_TestInfo cases[] = {
    {"test_trace_fields_key_is_first_whole_key_after_a_space",
     test_trace_fields_key_is_first_whole_key_after_a_space},
    {"test_trace_fields_numbers_as_strto_reads_them",
     test_trace_fields_numbers_as_strto_reads_them},
    {"test_trace_fields_comm_runs_to_the_stop_key", test_trace_fields_comm_runs_to_the_stop_key},
    {"test_trace_fields_napi_poll_work_budget_forms",
     test_trace_fields_napi_poll_work_budget_forms},
    {"test_trace_fields_more_keys_than_the_index_holds",
     test_trace_fields_more_keys_than_the_index_holds},
    CU_TEST_INFO_NULL,
};

CU_MAIN("trace_fields", cases)
