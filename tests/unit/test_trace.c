/* validate/trace.c: tracefs and perf script lines parse into typed events; real traces stream. */
#include "validate/trace.h"

#include "tests/unit/cu_main.h"

#include <string.h>

static enum val_line_kind parse(const char *line, struct val_trace_event *ev,
                                struct val_line_info *info)
{
    char buf[1024];
    g_strlcpy(buf, line, sizeof buf);
    return val_trace_parse_line(buf, ev, info);
}

static void test_trace_tracefs_rx_entry_fields(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(
        parse("         python3-6673    [000] ..s1.  1238.328313: napi_gro_receive_entry: dev=vB "
              "napi_id=0x105 queue_mapping=0 skbaddr=00000000a801d38b vlan_tagged=0 "
              "vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=3 hash=0x617e47a7 "
              "l4_hash=1 len=60 data_len=0 truesize=832 mac_header_valid=1 mac_header=-14 "
              "nr_frags=0 gso_size=0 gso_type=0x1",
              &ev, &info),
        VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_NAPI_GRO_RECEIVE_ENTRY);
    CU_ASSERT_STRING_EQUAL(ev.comm, "python3");
    CU_ASSERT_EQUAL(ev.tid, 6673);
    CU_ASSERT_EQUAL(ev.cpu, 0);
    CU_ASSERT_STRING_EQUAL(ev.flags, "..s1.");
    CU_ASSERT_EQUAL(ev.ts_ns, 1238328313000ULL);
    CU_ASSERT_STRING_EQUAL(ev.u.rx.dev, "vB");
    CU_ASSERT_EQUAL(ev.u.rx.napi_id, 0x105);
    CU_ASSERT_EQUAL(ev.u.rx.queue_mapping, 0);
    CU_ASSERT_EQUAL(ev.u.rx.skbaddr, 0xa801d38bULL);
    CU_ASSERT_EQUAL(ev.u.rx.hash, 0x617e47a7U);
    CU_ASSERT_TRUE(ev.u.rx.l4_hash);
    CU_ASSERT_EQUAL(ev.u.rx.len, 60);
    CU_ASSERT_EQUAL(ev.u.rx.protocol, 0x0800);
    CU_ASSERT_EQUAL(ev.u.rx.ip_summed, 3);
    CU_ASSERT_EQUAL(ev.u.rx.truesize, 832);
    CU_ASSERT_EQUAL(ev.u.rx.gso_type, 1);
}

static void test_trace_perf_script_raw_pointers_and_subsystem_prefix(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(parse("         python3  7995 [001]  1273.186149:              "
                                "napi:napi_poll: napi poll on napi struct 0xffff8881023d9800 for "
                                "device vB work 1 budget 64",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_NAPI_POLL);
    CU_ASSERT_STRING_EQUAL(ev.comm, "python3");
    CU_ASSERT_EQUAL(ev.tid, 7995);
    CU_ASSERT_EQUAL(ev.cpu, 1);
    CU_ASSERT_STRING_EQUAL(ev.flags, "");
    CU_ASSERT_EQUAL(ev.u.napi_poll.napi, 0xffff8881023d9800ULL);
    CU_ASSERT_STRING_EQUAL(ev.u.napi_poll.dev, "vB");
    CU_ASSERT_TRUE(ev.u.napi_poll.has_work);
    CU_ASSERT_EQUAL(ev.u.napi_poll.work, 1);
    CU_ASSERT_EQUAL(ev.u.napi_poll.budget, 64);

    /* perf prints %#x of 0 as "0" where tracefs prints "0x0". */
    CU_ASSERT_EQUAL_FATAL(
        parse("         python3  7995 [001]  1273.186122:  net:napi_gro_receive_entry: dev=vB "
              "napi_id=0 queue_mapping=3 skbaddr=0xffff88810993c2e0 vlan_tagged=0 "
              "vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=3 hash=0x3a889913 "
              "l4_hash=1 len=60 data_len=0 truesize=832 mac_header_valid=1 mac_header=-14 "
              "nr_frags=0 gso_size=0 gso_type=0",
              &ev, &info),
        VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.rx.skbaddr, 0xffff88810993c2e0ULL);
    CU_ASSERT_EQUAL(ev.u.rx.queue_mapping, 3);
    CU_ASSERT_EQUAL(ev.u.rx.hash, 0x3a889913U);
    CU_ASSERT_EQUAL(ev.ts_ns, 1273186122000ULL);
}

static void test_trace_comm_with_spaces_and_dashes(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(parse(" Web Content-x-2-1234  [003] d.h1. 10.000001: irq_handler_entry: "
                                "irq=36 name=virtio1-req.0",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_STRING_EQUAL(ev.comm, "Web Content-x-2");
    CU_ASSERT_EQUAL(ev.tid, 1234);
    CU_ASSERT_EQUAL(ev.cpu, 3);
    CU_ASSERT_STRING_EQUAL(ev.u.irq.name, "virtio1-req.0");
    CU_ASSERT_EQUAL(ev.u.irq.irq, 36);

    CU_ASSERT_EQUAL_FATAL(parse("     Web Content  1234 [003]    10.000002:     irq:softirq_raise: "
                                "vec=3 [action=NET_RX]",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_STRING_EQUAL(ev.comm, "Web Content");
    CU_ASSERT_EQUAL(ev.tid, 1234);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_SOFTIRQ_RAISE);
    CU_ASSERT_EQUAL(ev.u.softirq.vec, 3);

    /* record-tgid option adds "(tgid)" after the pid. */
    CU_ASSERT_EQUAL_FATAL(parse("          <idle>-0       (-------) [001] d.h1.  3264.271966: "
                                "irq_handler_entry: irq=36 name=virtio1-req.0",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_STRING_EQUAL(ev.comm, "<idle>");
    CU_ASSERT_EQUAL(ev.tid, 0);
    CU_ASSERT_EQUAL(ev.cpu, 1);
    CU_ASSERT_EQUAL_FATAL(parse("         python3-21285   (  21243) [001] .....  3265.407185: "
                                "sys_recvfrom(fd: 4, ubuf: 0x7f8520000bc0, size: 0x10000)",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.tid, 21285);
    CU_ASSERT_EQUAL(ev.u.sys.fd, 4);

    /* memfd:sealed-91-2433: comm has a dash and digits; the pid is after the last '-'. */
    CU_ASSERT_EQUAL_FATAL(parse(" memfd:sealed-91-2433    [001] d..2.  3264.270642: sched_switch: "
                                "prev_comm=memfd:sealed-91 prev_pid=2433 prev_prio=120 "
                                "prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_STRING_EQUAL(ev.comm, "memfd:sealed-91");
    CU_ASSERT_EQUAL(ev.tid, 2433);
    CU_ASSERT_STRING_EQUAL(ev.u.sw.prev_comm, "memfd:sealed-91");
    CU_ASSERT_EQUAL(ev.u.sw.prev_pid, 2433);
    CU_ASSERT_STRING_EQUAL(ev.u.sw.prev_state, "S");
    CU_ASSERT_STRING_EQUAL(ev.u.sw.next_comm, "swapper/1");
    CU_ASSERT_EQUAL(ev.u.sw.next_pid, 0);
}

static void test_trace_flags_column_four_five_or_absent(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL(parse("  <...>-2110  [001] dNH1   466.634916: irq_handler_entry: irq=126 "
                          "name=eth0-TxRx-0",
                          &ev, &info),
                    VAL_LINE_EVENT);
    CU_ASSERT_STRING_EQUAL(ev.flags, "dNH1");
    CU_ASSERT_STRING_EQUAL(ev.comm, "<...>");
    CU_ASSERT_EQUAL(ev.tid, 2110);
    CU_ASSERT_EQUAL(
        parse("  bash-7 [002]  5.000001: softirq_exit: vec=3 [action=NET_RX]", &ev, &info),
        VAL_LINE_EVENT);
    CU_ASSERT_STRING_EQUAL(ev.flags, "");
    CU_ASSERT_EQUAL(ev.cpu, 2);
    CU_ASSERT_EQUAL(parse("  bash-7 [002] d.h1.xx 5.000001: softirq_exit: vec=3", &ev, &info),
                    VAL_LINE_GARBLED);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.why, "4 or 5"));
}

static void test_trace_timestamps_exact_in_ns(void)
{
    uint64_t ns;
    CU_ASSERT_TRUE(val_trace_parse_ts("1238.328336", 11, &ns));
    CU_ASSERT_EQUAL(ns, 1238328336000ULL);
    CU_ASSERT_TRUE(val_trace_parse_ts("19555667.046219", 15, &ns));
    CU_ASSERT_EQUAL(ns, 19555667046219000ULL);
    CU_ASSERT_TRUE(val_trace_parse_ts("3.000000001", 11, &ns));
    CU_ASSERT_EQUAL(ns, 3000000001ULL);
    CU_ASSERT_TRUE(val_trace_parse_ts("12.5", 4, &ns));
    CU_ASSERT_EQUAL(ns, 12500000000ULL);
    CU_ASSERT_FALSE(val_trace_parse_ts("1.0000000001", 12, &ns)); /* 10 fraction digits */
    CU_ASSERT_FALSE(val_trace_parse_ts("99999999999999999999.1", 22, &ns));
    CU_ASSERT_FALSE(val_trace_parse_ts("12.", 3, &ns));
    CU_ASSERT_FALSE(val_trace_parse_ts(".5", 2, &ns));
}

static void test_trace_syscall_entry_forms(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(parse("         python3-21735   [001] .....  3275.165290: "
                                "sys_recvfrom(fd: 0xb, ubuf: 0x7ff030000dc0, size: 0x10000, "
                                "flags: 0, addr: 0, addr_len: 0)",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_SYSCALL_ENTER);
    CU_ASSERT_EQUAL(ev.u.sys.nr, VAL_SYS_RECVFROM);
    CU_ASSERT_EQUAL(ev.u.sys.fd, 11);
    CU_ASSERT_EQUAL(ev.tid, 21735);
    CU_ASSERT_EQUAL(ev.cpu, 1);

    CU_ASSERT_EQUAL_FATAL(parse("  python3  4242 [000]  10.000001: syscalls:sys_enter_recvmsg: "
                                "fd: 0x00000010, msg: 0x7ffd, flags: 0x00000000",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.sys.nr, VAL_SYS_RECVMSG);
    CU_ASSERT_EQUAL(ev.u.sys.fd, 16);

    CU_ASSERT_EQUAL(parse("  bash-1 [000] ..... 1.000001: sys_enter_recvmmsg: fd: 0x00000003, "
                          "mmsg: 0x1, vlen: 0x8, flags: 0x0, timeout: 0x0",
                          &ev, &info),
                    VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.sys.nr, VAL_SYS_RECVMMSG);
    CU_ASSERT_EQUAL(ev.u.sys.fd, 3);

    CU_ASSERT_EQUAL(parse("  pid-2275  6.594721: sys_futex -> 0x0", &ev, &info),
                    VAL_LINE_SYSCALL_EXIT);
    CU_ASSERT_EQUAL(
        parse("  python3  4242 [000]  10.000002: syscalls:sys_exit_recvmsg: 0x64", &ev, &info),
        VAL_LINE_SYSCALL_EXIT);
    CU_ASSERT_EQUAL(
        parse("  pid-2275  6.594720: sys_futex(uaddr: 7fbd2bfe3a88, op: 81)", &ev, &info),
        VAL_LINE_UNKNOWN_EVENT);
    CU_ASSERT_STRING_EQUAL(info.event_name, "sys_futex");
}

static void test_trace_old_kernel_field_names(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(
        parse("  <idle>-0 [002] ..s. 100.000001: netif_receive_skb_entry: dev=eth0 "
              "napi_id=0x9 queue_mapping=4 skbaddr=ffff88003a1b2c00 "
              "vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 "
              "ip_summed=0 rxhash=0xdeadbeef l4_rxhash=1 len=84 data_len=0",
              &ev, &info),
        VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.rx.hash, 0xdeadbeefU);
    CU_ASSERT_TRUE(ev.u.rx.l4_hash);
    CU_ASSERT_EQUAL(ev.u.rx.queue_mapping, 4);
    CU_ASSERT_EQUAL(ev.u.rx.skbaddr, 0xffff88003a1b2c00ULL);

    CU_ASSERT_EQUAL_FATAL(parse("  <idle>-0 [002] ..s. 100.000002: napi_poll: napi poll on napi "
                                "struct ffff88003a000000 for device eth0",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_FALSE(ev.u.napi_poll.has_work);
    CU_ASSERT_STRING_EQUAL(ev.u.napi_poll.dev, "eth0");

    CU_ASSERT_EQUAL_FATAL(parse("  <idle>-0 [002] d.s. 100.000003: sched_wakeup: comm=iperf "
                                "pid=77 prio=120 success=1 target_cpu=002",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.wake.target_cpu, 2);
    CU_ASSERT_EQUAL(ev.u.wake.pid, 77);
}

static void test_trace_tx_and_migrate_events(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(parse("  python3-4748 [001] b.... 1215.539499: net_dev_xmit: dev=vA "
                                "skbaddr=000000007243d29f len=42 rc=0",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_NET_DEV_XMIT);
    CU_ASSERT_EQUAL(ev.u.skb.len, 42);
    CU_ASSERT_EQUAL(ev.u.skb.rc, 0);
    CU_ASSERT_EQUAL_FATAL(parse("  python3-4748 [001] b.... 1215.539490: net_dev_start_xmit: "
                                "dev=vA queue_mapping=2 skbaddr=000000007243d29f vlan_tagged=0 "
                                "vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=3 "
                                "len=42 data_len=0 network_offset=14",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.skb.queue_mapping, 2);
    CU_ASSERT_EQUAL_FATAL(parse("  python3-6673 [000] d.s5. 1238.328369: sched_migrate_task: "
                                "comm=python3 pid=6598 prio=120 orig_cpu=1 dest_cpu=0",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.u.wake.orig_cpu, 1);
    CU_ASSERT_EQUAL(ev.u.wake.dest_cpu, 0);
    CU_ASSERT_EQUAL(
        parse("  python3-6673 [000] d.s5. 1238.328369: netif_rx: dev=vB len=60", &ev, &info),
        VAL_LINE_GARBLED);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.why, "skbaddr"));
}

/* The IPI and nested-interrupt events the NET_RX cost model counts inside a run. */
static void test_trace_csd_and_interrupt_vector_events(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(parse("  python3-10274 [000] ..s2. 5747.848875: csd_queue_cpu: cpu=1 "
                                "callsite=generic_exec_single+0x36/0x150 func=rps_trigger_softirq "
                                "csd=00000000ef5d9c90",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_CSD_QUEUE_CPU);
    CU_ASSERT_EQUAL(ev.u.csd.cpu, 1);
    CU_ASSERT_STRING_EQUAL(ev.u.csd.func, "rps_trigger_softirq");
    CU_ASSERT_EQUAL(
        parse("  p-1 [001] d.h.. 5747.848920: call_function_single_entry: vector=251", &ev, &info),
        VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_CALL_FUNCTION_SINGLE_ENTRY);
    CU_ASSERT_EQUAL(parse("  p-1 [001] d.h.. 1.000001: hrtimer_expire_entry: "
                          "hrtimer=00000000a now=1 function=tick_nohz_handler",
                          &ev, &info),
                    VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_HRTIMER_EXPIRE_ENTRY);
    CU_ASSERT_EQUAL(
        parse("  p-1 [001] ..s2. 1.000002: csd_queue_cpu: cpu=1 callsite=x", &ev, &info),
        VAL_LINE_GARBLED);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.why, "func="));
}

/* skb:kfree_skb: the CPU_BACKLOG reason marks enqueue_to_backlog()'s drops; other reasons and
 * kernels without a reason are not backlog drops; raw_syscalls:sys_enter is no syscall of ours. */
static void test_trace_kfree_skb_reason_cpu_backlog(void)
{
    struct val_trace_event ev;
    struct val_line_info info;
    CU_ASSERT_EQUAL_FATAL(parse("  udpblast-16196 [000] b.... 52519.054192: kfree_skb: "
                                "skbaddr=00000000af4e3842 rx_sk=0000000000000000 protocol=2048 "
                                "location=enqueue_to_backlog+0x17d/0x320 reason: CPU_BACKLOG",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_KFREE_SKB);
    CU_ASSERT_EQUAL(ev.u.kfree.skbaddr, 0xaf4e3842u);
    CU_ASSERT_TRUE(ev.u.kfree.cpu_backlog);
    CU_ASSERT_EQUAL_FATAL(
        parse("  k-5258 [001] ..s1. 1.000093: kfree_skb: skbaddr=00000000938d1c2f "
              "rx_sk=0000000000000000 protocol=34525 "
              "location=ip6_mc_input+0xd4/0x100 reason: NOT_SPECIFIED",
              &ev, &info),
        VAL_LINE_EVENT);
    CU_ASSERT_FALSE(ev.u.kfree.cpu_backlog);
    CU_ASSERT_EQUAL_FATAL(parse("  k-1 [001] ..s1. 1.000093: kfree_skb: skbaddr=ffff8881 "
                                "protocol=2048 location=0xffffffff81000000",
                                &ev, &info),
                          VAL_LINE_EVENT);
    CU_ASSERT_FALSE(ev.u.kfree.cpu_backlog);
    CU_ASSERT_EQUAL(parse("  k-1 [001] ..s1. 1.000093: kfree_skb: protocol=2048", &ev, &info),
                    VAL_LINE_GARBLED);
    CU_ASSERT_EQUAL(parse("  p-1 [001] ..... 1.000094: sys_enter: NR 0 (3, 0, 0)", &ev, &info),
                    VAL_LINE_UNKNOWN_EVENT);
}

static struct val_trace_reader *reader_on(const char *text, FILE **f)
{
    *f = fmemopen((void *)text, strlen(text), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(*f);
    return val_trace_open_stream(*f, "mem.txt");
}

/* Events out of time order (two traces concatenated) are counted and the first
 * such line named, for the report's warning (#10). */
/* val_trace_only: the same events of that kind, in order, as filtering every event. */
static void test_trace_only_returns_one_kind_and_counts_every_line(void)
{
    const char *text =
        "# tracer: nop\n"
        "  bash-1 [001] d.h.. 2.000001: softirq_raise: vec=3 [action=NET_RX]\n"
        "  softirq_raise-7 [001] ..... 2.000002: softirq_entry: vec=3 [action=NET_RX]\n"
        "  bash-1 [001] d.h.. 2.000003: softirq_raise: vec=x [action=NET_RX]\n"
        "  bash-1 [002] d.h.. 2.000004: softirq_raise: vec=1 [action=TIMER]\n";
    FILE *f;
    struct val_trace_reader *r = reader_on(text, &f);
    val_trace_only(r, VAL_EV_SOFTIRQ_RAISE);
    struct val_trace_event ev;
    CU_ASSERT_EQUAL_FATAL(val_trace_next(r, &ev, NULL), 1);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_SOFTIRQ_RAISE);
    CU_ASSERT_EQUAL(ev.u.softirq.vec, 3);
    CU_ASSERT_EQUAL(ev.line, 2);
    CU_ASSERT_EQUAL_FATAL(val_trace_next(r, &ev, NULL), 1); /* past the entry and the garbled one */
    CU_ASSERT_EQUAL(ev.u.softirq.vec, 1);
    CU_ASSERT_EQUAL(ev.cpu, 2);
    CU_ASSERT_EQUAL(ev.line, 5);
    CU_ASSERT_EQUAL(val_trace_next(r, &ev, NULL), 0);
    CU_ASSERT_EQUAL(val_trace_get_stats(r)->lines, 5);
    CU_ASSERT_EQUAL(val_trace_get_stats(r)->garbled, 1);
    val_trace_free(r);
    fclose(f);
}

static void test_trace_stream_counts_timestamps_going_backwards(void)
{
    const char *text = "# tracer: nop\n"
                       "  bash-1 [001] ..... 2.000001: softirq_entry: vec=3 [action=NET_RX]\n"
                       "  bash-1 [001] ..... 2.000009: softirq_exit: vec=3 [action=NET_RX]\n"
                       "  bash-1 [000] ..... 1.500000: softirq_entry: vec=3 [action=NET_RX]\n"
                       "  bash-1 [000] ..... 1.500004: softirq_exit: vec=3 [action=NET_RX]\n"
                       "  bash-1 [000] ..... 1.400000: softirq_entry: vec=3 [action=NET_RX]\n";
    FILE *f;
    struct val_trace_reader *r = reader_on(text, &f);
    struct val_trace_event ev;
    while (val_trace_next(r, &ev, NULL) == 1)
        ;
    const struct val_trace_stats *st = val_trace_get_stats(r);
    CU_ASSERT_EQUAL(st->backwards, 2);
    CU_ASSERT_EQUAL(st->backwards_line, 4);
    CU_ASSERT_EQUAL(st->backwards_ns, 500009000);
    val_trace_free(r);
    fclose(f);
    /* Equal stamps (two CPUs in the same ns) are in order. */
    r = reader_on("  a-1 [000] ..... 1.000001: softirq_entry: vec=3 [action=NET_RX]\n"
                  "  a-1 [001] ..... 1.000001: softirq_entry: vec=3 [action=NET_RX]\n",
                  &f);
    while (val_trace_next(r, &ev, NULL) == 1)
        ;
    CU_ASSERT_EQUAL(val_trace_get_stats(r)->backwards, 0);
    val_trace_free(r);
    fclose(f);
}

static void test_trace_stream_lost_events_headers_unknown_garbled(void)
{
    GString *s = g_string_new("# tracer: nop\n#\n##### CPU 1 buffer started ####\n");
    g_string_append(s, "  bash-1 [001] ..... 1.000001: softirq_entry: vec=3 [action=NET_RX]\n");
    g_string_append(s, "CPU:1 [LOST 17 EVENTS]\n");
    g_string_append(s, "CPU:3 [LOST 5 EVENTS]\n");
    g_string_append(s, "  bash-1 [001] ..... 1.000002: mm_page_alloc: order=0\n");
    g_string_append(s, "  bash-1 [001] ..... 1.000003: mm_page_alloc: order=0\n");
    g_string_append(s, "  bash-1 [001] ..... 1.000003: bpf_trace_printk: x\n");
    for (int i = 0; i < 25; i++)
        g_string_append(s, "this is not a trace line\n");
    g_string_append(s, "  bash-1 [001] ..... 1.000009: softirq_exit: vec=3 [action=NET_RX]\n");
    FILE *f;
    struct val_trace_reader *r = reader_on(s->str, &f);
    struct val_trace_event ev;
    GError *err = NULL;
    int n = 0, rc;
    uint64_t last_line = 0;
    while ((rc = val_trace_next(r, &ev, &err)) == 1) {
        n++;
        last_line = ev.line;
    }
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(last_line, 35);
    const struct val_trace_stats *st = val_trace_get_stats(r);
    CU_ASSERT_EQUAL(st->lines, 35);
    CU_ASSERT_EQUAL(st->header_lines, 2);
    CU_ASSERT_EQUAL(st->lost_events, 22);
    CU_ASSERT_EQUAL_FATAL(st->lost_per_cpu->len, 4);
    CU_ASSERT_EQUAL(g_array_index(st->lost_per_cpu, uint64_t, 1), 17);
    CU_ASSERT_EQUAL(g_array_index(st->lost_per_cpu, uint64_t, 3), 5);
    CU_ASSERT_EQUAL(g_array_index(st->lost_per_cpu, uint64_t, 0), 0);
    CU_ASSERT_EQUAL_FATAL(st->buffer_started_cpus->len, 1);
    CU_ASSERT_EQUAL(g_array_index(st->buffer_started_cpus, int, 0), 1);
    CU_ASSERT_EQUAL(st->garbled, 25);
    CU_ASSERT_EQUAL(st->warnings->len, VAL_TRACE_MAX_WARNINGS);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(st->warnings, 0), "mem.txt:10: "));
    CU_ASSERT_EQUAL(st->unknown_events, 3);
    GPtrArray *u = val_trace_unknown_sorted(r);
    CU_ASSERT_EQUAL_FATAL(u->len, 2);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(u, 0), "bpf_trace_printk 1");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(u, 1), "mm_page_alloc 2");
    g_ptr_array_free(u, TRUE);
    val_trace_free(r);
    fclose(f);
    g_string_free(s, TRUE);
}

static void test_trace_overlong_line_is_skipped_with_bounded_buffer(void)
{
    GString *s =
        g_string_new("  bash-1 [001] ..... 1.000001: napi_poll: napi poll on napi struct 1 "
                     "for device ");
    for (int i = 0; i < 3 * VAL_TRACE_MAX_LINE; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\n  bash-1 [001] ..... 1.000002: softirq_exit: vec=3 [action=NET_RX]\n");
    FILE *f;
    struct val_trace_reader *r = reader_on(s->str, &f);
    struct val_trace_event ev;
    CU_ASSERT_EQUAL(val_trace_next(r, &ev, NULL), 1);
    CU_ASSERT_EQUAL(ev.kind, VAL_EV_SOFTIRQ_EXIT);
    CU_ASSERT_EQUAL(ev.line, 2);
    CU_ASSERT_EQUAL(val_trace_next(r, &ev, NULL), 0);
    const struct val_trace_stats *st = val_trace_get_stats(r);
    CU_ASSERT_EQUAL(st->garbled, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(st->warnings, 0), "longer than"));
    val_trace_free(r);
    fclose(f);
    g_string_free(s, TRUE);
}

static void test_trace_open_missing_file_names_it(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(val_trace_open("/nonexistent/trace.txt", &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nonexistent/trace.txt"));
    g_error_free(err);
}

/* Independent count: lines whose event column is " <name>: " (strstr per line). */
static void naive_counts(const char *path, const char *const *names, int n, uint64_t *out)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char *line = NULL;
    size_t cap = 0;
    char pat[64];
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#')
            continue;
        for (int i = 0; i < n; i++) {
            snprintf(pat, sizeof pat, ": %s", names[i]);
            char *p = strstr(line, pat);
            size_t pl = strlen(pat);
            if (p && (p[pl] == ':' || p[pl] == '('))
                out[i]++;
        }
    }
    free(line);
    fclose(f);
}

static void test_trace_rps2_event_counts_match_naive_scan(void)
{
    char *path = cu_shared_path("traces/veth/rps2/trace.txt");
    if (!path)
        return;
    static const char *const names[] = {
        "napi_gro_receive_entry", "netif_rx_entry",   "netif_receive_skb",  "napi_poll",
        "softirq_raise",          "sched_switch",     "sched_migrate_task", "sys_recvfrom",
        "net_dev_start_xmit",     "irq_handler_entry"};
    static const enum val_ev_kind kinds[] = {
        VAL_EV_NAPI_GRO_RECEIVE_ENTRY, VAL_EV_NETIF_RX_ENTRY,
        VAL_EV_NETIF_RECEIVE_SKB,      VAL_EV_NAPI_POLL,
        VAL_EV_SOFTIRQ_RAISE,          VAL_EV_SCHED_SWITCH,
        VAL_EV_SCHED_MIGRATE_TASK,     VAL_EV_SYSCALL_ENTER,
        VAL_EV_NET_DEV_START_XMIT,     VAL_EV_IRQ_HANDLER_ENTRY};
    enum { N = G_N_ELEMENTS(names) };
    uint64_t expect[N] = {0};
    naive_counts(path, names, N, expect);
    CU_ASSERT(expect[0] > 5000); /* the capture has 5081 received packets */

    GError *err = NULL;
    struct val_trace_reader *r = val_trace_open(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct val_trace_event ev;
    uint64_t prev_ts = 0, backwards = 0, rx_cpu_bad = 0;
    while (val_trace_next(r, &ev, &err) == 1) {
        if (ev.ts_ns < prev_ts)
            backwards++;
        prev_ts = ev.ts_ns;
        if (ev.cpu < 0 || ev.cpu > 1)
            rx_cpu_bad++;
    }
    CU_ASSERT_PTR_NULL(err);
    const struct val_trace_stats *st = val_trace_get_stats(r);
    for (int i = 0; i < N; i++) {
        if (st->by_kind[kinds[i]] != expect[i])
            fprintf(stderr, "%s: parsed %" G_GUINT64_FORMAT " naive %" G_GUINT64_FORMAT "\n",
                    names[i], st->by_kind[kinds[i]], expect[i]);
        CU_ASSERT_EQUAL(st->by_kind[kinds[i]], expect[i]);
    }
    CU_ASSERT_EQUAL(st->garbled, 0);
    CU_ASSERT_EQUAL(st->lost_events, 0);
    CU_ASSERT_EQUAL(rx_cpu_bad, 0); /* a 2-CPU host */
    CU_ASSERT_EQUAL(st->lines, st->events + st->header_lines + st->unknown_events);
    GPtrArray *u = val_trace_unknown_sorted(r);
    CU_ASSERT_EQUAL_FATAL(u->len, 2);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(u, 0), "call_function_single_exit 1043");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(u, 1), "tracing_mark_write 2");
    g_ptr_array_free(u, TRUE);
    val_trace_free(r);
    g_free(path);
}

static void test_trace_all_shared_bundles_parse_cleanly(void)
{
    static const char *const cases[] = {
        "traces/veth/rps2/trace.txt", "traces/veth/rps-perqueue-xps/trace.txt",
        "traces/veth/rps-rfs-unpinned/trace.txt", "traces/veth/udp-burst-rps2/trace.txt",
        "traces/veth-highrate/backlog-default/trace.txt"};
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        char *path = cu_shared_path(cases[c]);
        if (!path)
            return;
        struct val_trace_reader *r = val_trace_open(path, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        struct val_trace_event ev;
        uint64_t rx_entries = 0, receives = 0;
        while (val_trace_next(r, &ev, NULL) == 1) {
            if ((ev.kind == VAL_EV_NAPI_GRO_RECEIVE_ENTRY || ev.kind == VAL_EV_NETIF_RX_ENTRY) &&
                strcmp(ev.u.rx.dev, "vB") == 0)
                rx_entries++;
            else if (ev.kind == VAL_EV_NETIF_RECEIVE_SKB && strcmp(ev.u.skb.dev, "vB") == 0)
                receives++;
        }
        const struct val_trace_stats *st = val_trace_get_stats(r);
        CU_ASSERT_EQUAL(st->garbled, 0);
        CU_ASSERT(rx_entries > 3900);
        /* Every packet entering vB is received once on vB (no drops in these captures). */
        CU_ASSERT_EQUAL(rx_entries, receives);
        val_trace_free(r);
        g_free(path);
    }
    char *hr = cu_shared_path("traces/veth-highrate/backlog-default/trace.txt");
    if (!hr)
        return;
    struct val_trace_reader *r = val_trace_open(hr, NULL);
    struct val_trace_event ev;
    uint64_t full = 0, backlog = 0;
    while (val_trace_next(r, &ev, NULL) == 1)
        if (ev.kind == VAL_EV_NAPI_POLL && ev.cpu == 1 &&
            strcmp(ev.u.napi_poll.dev, "(no_device)") == 0) {
            backlog++;
            full += ev.u.napi_poll.work == 64;
        }
    /* README: 689 backlog polls on CPU1, 153 of them full. */
    CU_ASSERT_EQUAL(backlog, 689);
    CU_ASSERT_EQUAL(full, 153);
    val_trace_free(r);
    g_free(hr);
}

static struct val_trace_reader *read_all(const char *rel, GPtrArray *evs)
{
    char *path = cu_shared_path(rel);
    if (!path)
        return NULL;
    struct val_trace_reader *r = val_trace_open(path, NULL);
    g_free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct val_trace_event ev;
    while (val_trace_next(r, &ev, NULL) == 1)
        g_ptr_array_add(evs, g_memdup2(&ev, sizeof ev));
    return r;
}

static void test_trace_snippet_atom_v414_old_flags(void)
{
    GPtrArray *evs = g_ptr_array_new_with_free_func(g_free);
    struct val_trace_reader *r = read_all(
        "traces/public/trace-snippets/netdev-20190717-atom-v4.14-eth0-TxRx-ftrace.txt", evs);
    if (!r)
        goto out;
    const struct val_trace_stats *st = val_trace_get_stats(r);
    CU_ASSERT_EQUAL(st->garbled, 0);
    CU_ASSERT_EQUAL_FATAL(evs->len, 10);
    struct val_trace_event *e0 = evs->pdata[0], *e3 = evs->pdata[3];
    CU_ASSERT_EQUAL(e0->kind, VAL_EV_IRQ_HANDLER_ENTRY);
    CU_ASSERT_STRING_EQUAL(e0->u.irq.name, "eth0-TxRx-0");
    CU_ASSERT_EQUAL(e0->u.irq.irq, 126);
    CU_ASSERT_STRING_EQUAL(e0->flags, "dNH1");
    CU_ASSERT_EQUAL(e0->ts_ns, 466634916000ULL);
    CU_ASSERT_EQUAL(e3->kind, VAL_EV_SOFTIRQ_ENTRY);
    CU_ASSERT_STRING_EQUAL(e3->comm, "ksoftirqd/1");
    CU_ASSERT_EQUAL(e3->tid, 15);
    CU_ASSERT_EQUAL(e3->cpu, 1);
    CU_ASSERT_STRING_EQUAL(e3->flags, "..s.");
    CU_ASSERT_EQUAL(e3->ts_ns - e0->ts_ns, 910000); /* softirq ran 0.9 ms after the IRQ */
    val_trace_free(r);
out:
    g_ptr_array_free(evs, TRUE);
}

/* Decision: lines without [CPU] are read (cpu -1, counted); function-tracer lines and syscall
 * exits are skipped as known non-events; sched_switch lines with the comms cut out are rejected. */
static void test_trace_snippet_tg3_without_cpu_column(void)
{
    GPtrArray *evs = g_ptr_array_new_with_free_func(g_free);
    struct val_trace_reader *r =
        read_all("traces/public/trace-snippets/netdev-20220523-tg3-5720-cpu32-ftrace.txt", evs);
    if (!r)
        goto out;
    const struct val_trace_stats *st = val_trace_get_stats(r);
    CU_ASSERT_EQUAL(st->lines, 35);
    CU_ASSERT_EQUAL(evs->len, 17);
    CU_ASSERT_EQUAL(st->lines_without_cpu, 17);
    CU_ASSERT_EQUAL(st->function_lines, 11);
    CU_ASSERT_EQUAL(st->syscall_exit_lines, 1);
    CU_ASSERT_EQUAL(st->unknown_events, 2); /* sys_futex, sys_epoll_wait */
    CU_ASSERT_EQUAL(st->garbled, 4);        /* sched_switch without prev_comm/next_comm */
    CU_ASSERT_EQUAL_FATAL(st->warnings->len, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(st->warnings, 0), ":26: sched_switch: "));
    CU_ASSERT_EQUAL(st->by_kind[VAL_EV_NAPI_POLL], 4);
    struct val_trace_event *p = NULL;
    for (guint i = 0; i < evs->len && !p; i++)
        if (((struct val_trace_event *)evs->pdata[i])->kind == VAL_EV_NAPI_POLL)
            p = evs->pdata[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->cpu, -1);
    CU_ASSERT_STRING_EQUAL(p->comm, "<idle>");
    CU_ASSERT_EQUAL(p->tid, 0);
    CU_ASSERT_EQUAL(p->u.napi_poll.napi, 0x06e44edaULL);
    CU_ASSERT_EQUAL(p->u.napi_poll.work, 1);
    CU_ASSERT_EQUAL(p->u.napi_poll.budget, 64);
    val_trace_free(r);
out:
    g_ptr_array_free(evs, TRUE);
}

/* Decision: an editor's "Line N:" prefix is stripped (and counted); the rest is a normal line. */
static void test_trace_snippet_hns3_line_prefix(void)
{
    GPtrArray *evs = g_ptr_array_new_with_free_func(g_free);
    struct val_trace_reader *r = read_all(
        "traces/public/trace-snippets/netdev-20240924-hns3-arm64-napi_poll-backlog.txt", evs);
    if (!r)
        goto out;
    const struct val_trace_stats *st = val_trace_get_stats(r);
    CU_ASSERT_EQUAL(st->garbled, 0);
    CU_ASSERT_EQUAL(st->prefixed_lines, 18);
    CU_ASSERT_EQUAL_FATAL(evs->len, 18);
    struct val_trace_event *e0 = evs->pdata[0], *e2 = evs->pdata[2];
    CU_ASSERT_EQUAL(e0->kind, VAL_EV_NAPI_POLL);
    CU_ASSERT_STRING_EQUAL(e0->comm, "<...>");
    CU_ASSERT_EQUAL(e0->tid, 2530388);
    CU_ASSERT_EQUAL(e0->cpu, 45);
    CU_ASSERT_EQUAL(e0->ts_ns, 19555667046219000ULL);
    CU_ASSERT_STRING_EQUAL(e0->u.napi_poll.dev, "(no_device)");
    CU_ASSERT_EQUAL(e0->u.napi_poll.napi, 0xffff003ffffab350ULL);
    CU_ASSERT_EQUAL(e2->u.napi_poll.work, 18);
    val_trace_free(r);
out:
    g_ptr_array_free(evs, TRUE);
}

static CU_TestInfo cases[] = {
    {"test_trace_csd_and_interrupt_vector_events", test_trace_csd_and_interrupt_vector_events},
    {"test_trace_kfree_skb_reason_cpu_backlog", test_trace_kfree_skb_reason_cpu_backlog},
    {"test_trace_only_returns_one_kind_and_counts_every_line",
     test_trace_only_returns_one_kind_and_counts_every_line},
    {"test_trace_stream_counts_timestamps_going_backwards",
     test_trace_stream_counts_timestamps_going_backwards},
    {"test_trace_tracefs_rx_entry_fields", test_trace_tracefs_rx_entry_fields},
    {"test_trace_perf_script_raw_pointers_and_subsystem_prefix",
     test_trace_perf_script_raw_pointers_and_subsystem_prefix},
    {"test_trace_comm_with_spaces_and_dashes", test_trace_comm_with_spaces_and_dashes},
    {"test_trace_flags_column_four_five_or_absent", test_trace_flags_column_four_five_or_absent},
    {"test_trace_timestamps_exact_in_ns", test_trace_timestamps_exact_in_ns},
    {"test_trace_syscall_entry_forms", test_trace_syscall_entry_forms},
    {"test_trace_old_kernel_field_names", test_trace_old_kernel_field_names},
    {"test_trace_tx_and_migrate_events", test_trace_tx_and_migrate_events},
    {"test_trace_stream_lost_events_headers_unknown_garbled",
     test_trace_stream_lost_events_headers_unknown_garbled},
    {"test_trace_overlong_line_is_skipped_with_bounded_buffer",
     test_trace_overlong_line_is_skipped_with_bounded_buffer},
    {"test_trace_open_missing_file_names_it", test_trace_open_missing_file_names_it},
    {"test_trace_rps2_event_counts_match_naive_scan",
     test_trace_rps2_event_counts_match_naive_scan},
    {"test_trace_all_shared_bundles_parse_cleanly", test_trace_all_shared_bundles_parse_cleanly},
    {"test_trace_snippet_atom_v414_old_flags", test_trace_snippet_atom_v414_old_flags},
    {"test_trace_snippet_tg3_without_cpu_column", test_trace_snippet_tg3_without_cpu_column},
    {"test_trace_snippet_hns3_line_prefix", test_trace_snippet_hns3_line_prefix},
    CU_TEST_INFO_NULL,
};

CU_MAIN("trace", cases)
