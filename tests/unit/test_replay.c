/* validate/replay.c: the replay joins pcap and trace, predicts RX queue (Toeplitz + RETA on a
 * hashing NIC) and CPU (RPS map, RFS from socket reads) and compares them with the trace. */
#include "tests/unit/cu_main.h"
#include "validate/replay.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>

/* Microsoft RSS verification key and vectors ("Verifying the RSS Hash Calculation", also in
 * the 82599 datasheet 7.1.2.8.1): the TCP 4-tuple hash and the IPv4 2-tuple hash (what ixgbe
 * uses for UDP by default). */
static const char *MS_KEY = "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:"
                            "30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa";

struct synth_pkt {
    const char *src, *dst;
    uint16_t sport, dport;
    uint8_t proto;
    uint32_t hash;
    uint8_t tcp_flags;
};

#define TCP_ACK 0x10
static const struct synth_pkt TCP1 = {"66.9.149.187", "161.142.100.80", 2794, 1766, 6,
                                      0x51ccc178,     TCP_ACK};
static const struct synth_pkt UDP2 = {
    "199.92.111.2", "65.69.140.83", 14230, 4739, 17, 0xd718262a, 0};
static const struct synth_pkt TCP3 = {"24.19.198.95", "12.22.207.184", 12898, 38024, 6,
                                      0x5c2b394a,     TCP_ACK};
/* The receiver's SYN-ACK of TCP3's connection (the receiver's address is 12.22.207.184). */
static const struct synth_pkt TCP3_REPLY = {
    "12.22.207.184", "24.19.198.95", 38024, 12898, 6, 0, 0x12};

/* Ethernet + IPv4 + TCP (20 B) or UDP (8 B) header, no payload. Returns the frame length. */
/* When set, frames carry an 802.1Q tag (VLAN 100) as tcpdump shows a tag the NIC stripped. */
static bool synth_vlan;

static unsigned build_frame(const struct synth_pkt *p, uint8_t *f)
{
    unsigned l4 = p->proto == 6 ? 20 : 8, ip_len = 20 + l4, eth = synth_vlan ? 18 : 14;
    memset(f, 0, eth + ip_len);
    if (synth_vlan) {
        f[12] = 0x81;
        f[15] = 100;
    }
    f[eth - 2] = 0x08; /* IPv4 */
    uint8_t *ip = f + eth;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(ip_len >> 8);
    ip[3] = (uint8_t)ip_len;
    ip[8] = 64;
    ip[9] = p->proto;
    inet_pton(AF_INET, p->src, ip + 12);
    inet_pton(AF_INET, p->dst, ip + 16);
    uint8_t *l = ip + 20;
    l[0] = (uint8_t)(p->sport >> 8);
    l[1] = (uint8_t)p->sport;
    l[2] = (uint8_t)(p->dport >> 8);
    l[3] = (uint8_t)p->dport;
    if (p->proto == 6) {
        l[12] = 5 << 4;
        l[13] = p->tcp_flags;
    } else
        l[5] = 8;
    return eth + ip_len;
}

static void write_pcap(const char *path, const struct synth_pkt *const *pk, const uint64_t *ts,
                       int n)
{
    pcap_t *pd =
        pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    pcap_dumper_t *d = pcap_dump_open(pd, path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (int i = 0; i < n; i++) {
        uint8_t f[128];
        unsigned len = build_frame(pk[i], f);
        struct pcap_pkthdr h = {.caplen = len, .len = len};
        h.ts.tv_sec = (time_t)(ts[i] / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(ts[i] % 1000000000u); /* ns in a nano-precision file */
        pcap_dump((u_char *)d, &h, f);
    }
    pcap_dump_close(d);
    pcap_close(pd);
}

static char *entry_line(int cpu, uint64_t ts_us, unsigned qm, unsigned skb,
                        const struct synth_pkt *p)
{
    return g_strdup_printf(
        "          <idle>-0       [%03d] ..s1.  %" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT
        ": napi_gro_receive_entry: dev=eth0 napi_id=0x9 queue_mapping=%u skbaddr=%016x "
        "vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=0 hash=0x%08x "
        "l4_hash=%d len=%u data_len=0 truesize=768 mac_header_valid=1 mac_header=-14 nr_frags=0 "
        "gso_size=0 gso_type=0x0\n",
        cpu, ts_us / 1000000, ts_us % 1000000, qm, skb, p->hash, p->proto == 6,
        p->proto == 6 ? 40u : 28u);
}

static char *rx_line(int cpu, uint64_t ts_us, unsigned skb, const struct synth_pkt *p)
{
    return g_strdup_printf("          <idle>-0       [%03d] ..s1.  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": netif_receive_skb: dev=eth0 skbaddr=%016x len=%u\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, skb, p->proto == 6 ? 40u : 28u);
}

static char *read_line(int cpu, uint64_t ts_us, int fd)
{
    return g_strdup_printf("         python3-100     [%03d] .....  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": sys_recvfrom(fd: %d, ubuf: 0x7f0000001000, size: 0x10000, flags: "
                           "0, addr: 0, addr_len: 0)\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, fd);
}

static char *ethtool_x_text(void)
{
    GString *s = g_string_new("RX flow hash indirection table for eth0 with 4 RX ring(s):\n");
    for (int row = 0; row < 16; row++) {
        g_string_append_printf(s, "%5d:", row * 8);
        for (int i = 0; i < 8; i++)
            g_string_append_printf(s, "%6d", (row * 8 + i) % 4);
        g_string_append(s, "\n");
    }
    g_string_append_printf(s,
                           "RSS hash key:\n%s\nRSS hash function:\n    toeplitz: on\n"
                           "    xor: off\n    crc32: off\n",
                           MS_KEY);
    return g_string_free(s, FALSE);
}

static const char *IRQ_BEFORE =
    "           CPU0       CPU1       \n"
    "  0:         20          0   IO-APIC   2-edge      timer\n"
    " 40:          1          0  PCI-MSIX-0000:01:00.0    0-edge      eth0\n"
    " 41:         10         10  PCI-MSIX-0000:01:00.0    1-edge      eth0-TxRx-0\n"
    " 42:         10         10  PCI-MSIX-0000:01:00.0    2-edge      eth0-TxRx-1\n"
    " 43:         10         10  PCI-MSIX-0000:01:00.0    3-edge      eth0-TxRx-2\n"
    " 44:         10         10  PCI-MSIX-0000:01:00.0    4-edge      eth0-TxRx-3\n"
    "LOC:        100        100   Local timer interrupts\n";
static const char *IRQ_AFTER =
    "           CPU0       CPU1       \n"
    "  0:         20          0   IO-APIC   2-edge      timer\n"
    " 40:          1          0  PCI-MSIX-0000:01:00.0    0-edge      eth0\n"
    " 41:         11         11  PCI-MSIX-0000:01:00.0    1-edge      eth0-TxRx-0\n"
    " 42:         10         10  PCI-MSIX-0000:01:00.0    2-edge      eth0-TxRx-1\n"
    " 43:         11         10  PCI-MSIX-0000:01:00.0    3-edge      eth0-TxRx-2\n"
    " 44:         10         10  PCI-MSIX-0000:01:00.0    4-edge      eth0-TxRx-3\n"
    "LOC:        200        200   Local timer interrupts\n";

static const char *SOFTNET_BEFORE = "00000000 00000000 00000000 00000000 00000000 00000000 "
                                    "00000000 00000000 00000000 00000000 00000000 00000000 "
                                    "00000000\n"
                                    "00000000 00000000 00000000 00000000 00000000 00000000 "
                                    "00000000 00000000 00000000 00000000 00000000 00000000 "
                                    "00000001\n";
static const char *SOFTNET_AFTER = "00000002 00000000 00000000 00000000 00000000 00000000 "
                                   "00000000 00000000 00000000 00000000 00000000 00000000 "
                                   "00000000\n"
                                   "00000002 00000000 00000000 00000000 00000000 00000000 "
                                   "00000000 00000000 00000000 00000000 00000000 00000000 "
                                   "00000001\n";

/* An ixgbe-like host, 2 CPUs, 4 queues, RPS 0-1 + RFS, TCP socket fd 5 and UDP socket fd 6.
 * The trace, line by line (after one header line):
 *  2 TCP1 on queue 0 (qm 1), CPU0 per RPS       3 its netif_receive_skb on CPU0
 *  4 recvfrom(fd 5) on CPU1 -> RFS              5 recvfrom(fd 6) on CPU0 (UDP: no RFS)
 *  6 TCP1 again: RFS -> CPU1                    7 its netif_receive_skb on CPU1
 *  8 UDP2 on queue 2 (qm 3), RPS -> CPU1        9 its netif_receive_skb on CPU1
 * 10 TCP3 recorded on queue 1 (qm 2) but RETA says 2: an RX-queue disagreement
 * 11 its netif_receive_skb on CPU0
 * 12-14 one NET_RX softirq run on CPU0 with a backlog poll of 2 packets
 * 15-17 interrupts of vectors eth0-TxRx-0 (twice) and eth0-TxRx-2. */
static char *tx_line(int cpu, uint64_t ts_us, unsigned txq, unsigned skb)
{
    return g_strdup_printf("          <idle>-0       [%03d] b....  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": net_dev_start_xmit: dev=eth0 queue_mapping=%u skbaddr=%016x "
                           "vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 "
                           "ip_summed=3 len=54 data_len=0 network_offset=14 "
                           "transport_offset_valid=1 transport_offset=34 tx_flags=0 gso_size=0 "
                           "gso_segs=0 gso_type=0x0\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, txq, skb);
}

/* with_reply: the receiver's SYN-ACK of TCP3 leaves on TX ring 1 (a trace line and an outgoing
 * pcap frame between lines 9 and 10), so ixgbe ATR steers TCP3 to RX queue 1. */
static char *make_bundle_opts(bool with_reply)
{
    char *dir = g_dir_make_tmp("nicsteer-replay-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    const uint64_t t0 = 100000000; /* us */
    GString *tr = g_string_new("# tracer: nop\n");
    char *l[] = {entry_line(0, t0 + 100, 1, 0xa1, &TCP1),
                 rx_line(0, t0 + 105, 0xa1, &TCP1),
                 read_line(1, t0 + 200, 5),
                 read_line(0, t0 + 210, 6),
                 entry_line(0, t0 + 300, 1, 0xa2, &TCP1),
                 rx_line(1, t0 + 320, 0xa2, &TCP1),
                 entry_line(0, t0 + 400, 3, 0xa3, &UDP2),
                 rx_line(1, t0 + 420, 0xa3, &UDP2),
                 with_reply ? tx_line(0, t0 + 450, 1, 0xb1) : g_strdup(""),
                 entry_line(0, t0 + 500, 2, 0xa4, &TCP3),
                 rx_line(0, t0 + 505, 0xa4, &TCP3)};
    for (unsigned i = 0; i < G_N_ELEMENTS(l); i++) {
        g_string_append(tr, l[i]);
        g_free(l[i]);
    }
    g_string_append(tr, "          <idle>-0       [000] ..s1.  100.000600: softirq_entry: vec=3 "
                        "[action=NET_RX]\n"
                        "          <idle>-0       [000] ..s1.  100.000601: napi_poll: napi poll on "
                        "napi struct 00000000b9f35633 for device (no_device) work 2 budget 64\n"
                        "          <idle>-0       [000] ..s1.  100.000603: softirq_exit: vec=3 "
                        "[action=NET_RX]\n"
                        "          <idle>-0       [000] d.h1.  100.000700: irq_handler_entry: "
                        "irq=41 name=eth0-TxRx-0\n"
                        "          <idle>-0       [001] d.h1.  100.000710: irq_handler_entry: "
                        "irq=41 name=eth0-TxRx-0\n"
                        "          <idle>-0       [000] d.h1.  100.000720: irq_handler_entry: "
                        "irq=43 name=eth0-TxRx-2\n");
    char *p = g_build_filename(dir, "trace.txt", NULL);
    CU_ASSERT_FATAL(g_file_set_contents(p, tr->str, -1, NULL));
    g_free(p);
    g_string_free(tr, TRUE);

    const struct synth_pkt *pk[] = {&TCP1, &TCP1, &UDP2, &TCP3_REPLY, &TCP3};
    const uint64_t ts[] = {(t0 + 100) * 1000 + 300, (t0 + 300) * 1000 + 300,
                           (t0 + 400) * 1000 + 300, (t0 + 450) * 1000 + 300,
                           (t0 + 500) * 1000 + 300};
    const struct synth_pkt *pk_plain[] = {&TCP1, &TCP1, &UDP2, &TCP3};
    const uint64_t ts_plain[] = {ts[0], ts[1], ts[2], ts[4]};
    p = g_build_filename(dir, "pcap.pcap", NULL);
    if (with_reply)
        write_pcap(p, pk, ts, 5);
    else
        write_pcap(p, pk_plain, ts_plain, 4);
    g_free(p);

    json_t *q = json_object();
    for (int i = 0; i < 4; i++) {
        char k[16];
        g_snprintf(k, sizeof k, "rx-%d", i);
        json_object_set_new(q, k, json_pack("{s:s, s:s}", "rps_cpus", "3", "rps_flow_cnt", "256"));
    }
    char *ethx = ethtool_x_text();
    json_t *cfg = json_pack(
        "{s:s, s:{s:s, s:i, s:i}, s:{s:{s:s, s:s, s:s}, s:i}, s:{s:o}, s:{s:s}, s:{s:s, s:s},"
        " s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:{s:I}, s:{s:I}},"
        " s:{s:{s:[{s:i, s:i}], s:{s:{s:s, s:s, s:i}, s:{s:s, s:i, s:i}}}}}",
        "schema", "nicsteer-capture/1", "host", "kernel", "6.12.0", "ncpus", 2, "hz", 250,
        "topology", "receiver", "dev", "eth0", "driver", "ixgbe", "addr", "12.22.207.184",
        "queues_per_side", 4, "sysfs_queues", "eth0", q, "sysctl_net_core", "rps_sock_flow_entries",
        "1024", "ethtool", "ethtool_x_eth0", ethx, "ethtool_k_eth0",
        "Features for eth0:\nntuple-filters: off\n", "softnet_stat", "before", SOFTNET_BEFORE,
        "after", SOFTNET_AFTER, "interrupts", "before", IRQ_BEFORE, "after", IRQ_AFTER, "trace",
        "file", "trace.txt", "clock", "mono", "clock", "before", "realtime_minus_mono_ns",
        (json_int_t)0, "after", "realtime_minus_mono_ns", (json_int_t)0, "workload", "rx_result",
        "threads", "thread", 0, "tid", 100, "sockets", "5", "kind", "tcp", "peer",
        "66.9.149.187:2794", "thread", 0, "6", "kind", "udp", "port", 4739, "thread", 0);
    g_free(ethx);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    p = g_build_filename(dir, "config.json", NULL);
    CU_ASSERT_FATAL(json_dump_file(cfg, p, JSON_INDENT(1)) == 0);
    g_free(p);
    json_decref(cfg);
    return dir;
}

static char *make_bundle(void)
{
    return make_bundle_opts(false);
}

static void rm_bundle(char *dir)
{
    const char *names[] = {"trace.txt", "pcap.pcap", "config.json"};
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        g_unlink(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
}

static struct val_report *replay(const char *dir)
{
    struct val_replay_opts o;
    val_replay_opts_init(&o);
    GError *err = NULL;
    struct val_report *r = val_replay_bundle(dir, &o, &err);
    if (!r)
        fprintf(stderr, "replay %s: %s\n", dir, err->message);
    g_clear_error(&err);
    return r;
}

static void test_replay_toeplitz_queue_and_hash_on_hashing_nic(void)
{
    char *dir = make_bundle();
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->rx_queue_mode, "toeplitz+atr");
    CU_ASSERT_EQUAL(r->atr_steered, 0); /* no TX seen: no Flow Director filter */
    CU_ASSERT_EQUAL(r->matched, 4);
    CU_ASSERT_EQUAL(r->trace_entries, 4);
    /* the Microsoft vectors' hashes are what the trace recorded */
    CU_ASSERT_EQUAL(r->hash.compared, 4);
    CU_ASSERT_EQUAL(r->hash.agreed, 4);
    /* RETA[0x51ccc178 & 127] = 120 % 4 = 0 (qm 1) and RETA[0xd718262a & 127] = 42 % 4 = 2
     * (qm 3) agree; TCP3 hashes to RETA[74] = 2 but was recorded on queue 1. */
    CU_ASSERT_EQUAL(r->rx_queue.compared, 4);
    CU_ASSERT_EQUAL(r->rx_queue.agreed, 3);
    CU_ASSERT_EQUAL_FATAL(r->rx_queue.first->len, 1);
    const struct val_disagreement *d =
        &g_array_index(r->rx_queue.first, struct val_disagreement, 0);
    CU_ASSERT_EQUAL(d->trace_line, 10);
    CU_ASSERT_EQUAL(d->packet, 4);
    CU_ASSERT_EQUAL(d->model, 2);
    CU_ASSERT_EQUAL(d->actual, 1);
    val_report_free(r);
    rm_bundle(dir);
}

/* RPS alone would keep TCP1 on CPU0 ((0x51ccc178 * 2) >> 32 = 0); the read of its connected
 * socket on CPU1 moves its next packet there. */
static void test_replay_rfs_follows_reads_of_connected_tcp(void)
{
    char *dir = make_bundle();
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->cpu_mode, "rps+rfs");
    CU_ASSERT_EQUAL(r->cpu.compared, 4);
    CU_ASSERT_EQUAL(r->cpu.agreed, 4);
    CU_ASSERT_EQUAL(r->cpus[0].model_processed, 2);
    CU_ASSERT_EQUAL(r->cpus[1].model_processed, 2);
    CU_ASSERT_EQUAL(r->cpus[0].trace_processed, 2);
    CU_ASSERT_EQUAL(r->cpus[1].softnet_processed, 2);
    CU_ASSERT_EQUAL(r->warnings->len, 0);
    /* The only partial comparison: the bundle lists 4 TxRx vectors on a 2-CPU host, which
     * ixgbe_acquire_msix_vectors() (min(queues, online CPUs)) cannot give, so the IRQ model has
     * no count for eth0-TxRx-2/3. */
    CU_ASSERT_TRUE(r->partial);
    CU_ASSERT_EQUAL_FATAL(r->partial_reasons->len, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->partial_reasons->pdata[0], "beyond the model's 2 q_vectors"));
    /* one NET_RX run on CPU0 drains the two packets RPS/RFS queued there in one backlog poll */
    CU_ASSERT_EQUAL(r->napi_trace.count, 1);
    CU_ASSERT_EQUAL(r->napi_model.count, 1);
    CU_ASSERT_EQUAL(r->napi_model.bins[2], 1);
    CU_ASSERT_DOUBLE_EQUAL(val_report_napi_ks(r), 0.0, 1e-12);
    CU_ASSERT_EQUAL(r->cpus[0].net_rx_runs, 1);
    CU_ASSERT_EQUAL(r->cpus[0].net_rx_ns, 3000);
    val_report_free(r);
    rm_bundle(dir);
}

static char *poll_line(int cpu, uint64_t ts_us, int work)
{
    return g_strdup_printf("          <idle>-0       [%03d] ..s1.  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": napi_poll: napi poll on napi struct 00000000b9f35633 for device "
                           "(no_device) work %d budget 64\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, work);
}

/* RFS's in-order rule (get_rps_cpu: switch only once the old CPU's input_queue_head passed the
 * flow's last_qtail). TCP1 is bound to CPU0 by a read there; its second packet was dequeued on
 * CPU0 but the backlog poll has not ended when a read on CPU1 comes and the third packet
 * arrives. Since 6.10 the head moves at the end of the poll, so the flow stays on CPU0; before,
 * it moved per packet and the flow switches to CPU1. Lines: 2-3 P1, 4 poll, 5 read CPU0, 6-7 P2,
 * 8 read CPU1, 9-10 P3 (host: CPU0), 11 poll. */
static struct val_report *replay_qtail_case(const char *kernel)
{
    char *dir = make_bundle();
    const uint64_t t0 = 100000000;
    char *l[] = {entry_line(0, t0 + 100, 1, 0xa1, &TCP1),
                 rx_line(0, t0 + 105, 0xa1, &TCP1),
                 poll_line(0, t0 + 106, 1),
                 read_line(0, t0 + 200, 5),
                 entry_line(0, t0 + 300, 1, 0xa2, &TCP1),
                 rx_line(0, t0 + 305, 0xa2, &TCP1),
                 read_line(1, t0 + 400, 5),
                 entry_line(0, t0 + 500, 1, 0xa3, &TCP1),
                 rx_line(0, t0 + 505, 0xa3, &TCP1),
                 poll_line(0, t0 + 510, 2)};
    GString *tr = g_string_new("# tracer: nop\n");
    for (unsigned i = 0; i < G_N_ELEMENTS(l); i++) {
        g_string_append(tr, l[i]);
        g_free(l[i]);
    }
    char *p = g_build_filename(dir, "trace.txt", NULL);
    CU_ASSERT_FATAL(g_file_set_contents(p, tr->str, -1, NULL));
    g_free(p);
    g_string_free(tr, TRUE);
    const struct synth_pkt *pk[] = {&TCP1, &TCP1, &TCP1};
    const uint64_t ts[] = {(t0 + 100) * 1000, (t0 + 300) * 1000, (t0 + 500) * 1000};
    p = g_build_filename(dir, "pcap.pcap", NULL);
    write_pcap(p, pk, ts, 3);
    g_free(p);
    p = g_build_filename(dir, "config.json", NULL);
    json_t *cfg = json_load_file(p, 0, NULL);
    json_object_set_new(json_object_get(cfg, "host"), "kernel", json_string(kernel));
    json_dump_file(cfg, p, 0);
    json_decref(cfg);
    g_free(p);
    struct val_report *r = replay(dir);
    rm_bundle(dir);
    return r;
}

static void test_replay_rfs_qtail_rule_follows_kernel_version(void)
{
    struct val_report *r = replay_qtail_case("6.12.0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cpu.compared, 3);
    CU_ASSERT_EQUAL(r->cpu.agreed, 3);
    val_report_free(r);
    r = replay_qtail_case("5.15.0-91-generic");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cpu.agreed, 2);
    CU_ASSERT_EQUAL_FATAL(r->cpu.first->len, 1);
    const struct val_disagreement *d = &g_array_index(r->cpu.first, struct val_disagreement, 0);
    CU_ASSERT_EQUAL(d->trace_line, 9);
    CU_ASSERT_EQUAL(d->model, 1);
    CU_ASSERT_EQUAL(d->actual, 0);
    val_report_free(r);
}

/* An entry whose skb is freed before netif_receive_skb (GRO merged it, or a drop) and whose
 * address the next entry reuses: it is unpaired and its steering leaves the model's counts. */
static void test_replay_unpaired_entry_leaves_model_counts(void)
{
    char *dir = make_bundle();
    char *p = g_build_filename(dir, "trace.txt", NULL);
    gchar *text = NULL;
    CU_ASSERT_FATAL(g_file_get_contents(p, &text, NULL, NULL));
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    char *extra = entry_line(0, 100000250, 1, 0xa2, &TCP1); /* P2's address, no frame of len 99 */
    char *l99 = strstr(extra, "len=40");
    CU_ASSERT_PTR_NOT_NULL_FATAL(l99);
    memcpy(l99, "len=99", 6);
    GString *out = g_string_new(NULL);
    for (int i = 0; lines[i]; i++) {
        if (i == 5)
            g_string_append(out, extra); /* before P2's entry, after the two reads */
        if (*lines[i])
            g_string_append_printf(out, "%s\n", lines[i]);
    }
    CU_ASSERT_FATAL(g_file_set_contents(p, out->str, -1, NULL));
    g_string_free(out, TRUE);
    g_strfreev(lines);
    g_free(extra);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->trace_entries, 5);
    CU_ASSERT_EQUAL(r->matched, 4);
    CU_ASSERT_EQUAL(r->unpaired, 1);
    CU_ASSERT_EQUAL(r->cpus[0].model_processed + r->cpus[1].model_processed, 4);
    CU_ASSERT_EQUAL(r->cpu.agreed, 4);
    val_report_free(r);
    rm_bundle(dir);
}

/* ixgbe ATR: the SYN-ACK sent on TX ring 1 installs a signature filter, so TCP3 arrives on RX
 * queue 1 although RETA[hash] says 2; the descriptor hash is still the RSS hash. */
static void test_replay_atr_steers_tcp_to_the_tx_ring_queue(void)
{
    char *dir = make_bundle_opts(true);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->pcap_outgoing, 1);
    CU_ASSERT_EQUAL(r->tx_matched, 1);
    CU_ASSERT_EQUAL(r->atr_steered, 1);
    CU_ASSERT_EQUAL(r->rx_queue.compared, 4);
    CU_ASSERT_EQUAL(r->rx_queue.agreed, 4);
    CU_ASSERT_EQUAL(r->hash.agreed, 4);
    val_report_free(r);
    rm_bundle(dir);
}

/* The host hashed UDP over ports (rx-flow-hash udp4 sdfn): the trace carries the 4-tuple hash
 * (Microsoft vector 2's TCP value, same input bytes). The model keeps the ixgbe default, so the
 * hash disagrees, and the report says why. */
static void test_replay_udp_4tuple_hash_is_reported(void)
{
    char *dir = make_bundle();
    char *p = g_build_filename(dir, "trace.txt", NULL);
    gchar *text = NULL;
    CU_ASSERT_FATAL(g_file_get_contents(p, &text, NULL, NULL));
    char *hit = strstr(text, "hash=0xd718262a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
    memcpy(hit, "hash=0xc626b0ea", 15);
    CU_ASSERT_FATAL(g_file_set_contents(p, text, -1, NULL));
    g_free(text);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->hash.agreed, 3);
    CU_ASSERT_EQUAL_FATAL(r->warnings->len, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(r->warnings, 0), "rx-flow-hash"));
    val_report_free(r);
    rm_bundle(dir);
}

/* Frames whose VLAN tag the NIC stripped (trace len without it, pcap with it) still join, and
 * the Toeplitz input past the tag is the same. */
static void test_replay_joins_frames_with_stripped_vlan_tag(void)
{
    synth_vlan = true;
    char *dir = make_bundle();
    synth_vlan = false;
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 4);
    CU_ASSERT_EQUAL(r->hash.agreed, 4);
    CU_ASSERT_EQUAL(r->cpu.agreed, 4);
    val_report_free(r);
    rm_bundle(dir);
}

/* A NIC with MSI-X queue vectors: per vector, irq_handler_entry events vs /proc/interrupts. */
static void test_replay_irq_per_vector(void)
{
    char *dir = make_bundle();
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(r->irq_applicable);
    CU_ASSERT_EQUAL_FATAL(r->vectors->len, 4);
    const struct val_report_vector *v = &g_array_index(r->vectors, struct val_report_vector, 0);
    CU_ASSERT_STRING_EQUAL(v[0].name, "eth0-TxRx-0");
    CU_ASSERT_EQUAL(v[0].trace, 2);
    CU_ASSERT_EQUAL(v[0].procfs, 2);
    CU_ASSERT_EQUAL(v[1].trace, 0);
    CU_ASSERT_EQUAL(v[1].procfs, 0);
    CU_ASSERT_EQUAL(v[2].trace, 1);
    CU_ASSERT_EQUAL(v[2].procfs, 1);
    json_t *j = val_report_json(r);
    CU_ASSERT_EQUAL(json_array_size(json_object_get(json_object_get(j, "irq"), "vectors")), 4);
    json_decref(j);
    val_report_free(r);
    rm_bundle(dir);
}

/* ---- a synthetic ixgbe bundle generated consistently with EITR ---- */

#define HW_ITR_US 100 /* ethtool -C eth0 rx-usecs 100 */

/* 82599 EITR as the host applied it: a vector's interrupt is asserted at the first arrival not
 * served yet, but no earlier than ITR after its previous one; its poll takes every frame
 * written back by then. Appends the vector's (irq time, work) pairs. */
static void hw_irqs_of(const uint64_t *ts_us, const int *q, int n, int vec, GArray *irq_t,
                       GArray *irq_w)
{
    uint64_t last = 0;
    bool any = false;
    for (int i = 0; i < n;) {
        if (q[i] != vec) {
            i++;
            continue;
        }
        uint64_t t = any && last + HW_ITR_US > ts_us[i] ? last + HW_ITR_US : ts_us[i];
        int work = 0;
        for (; i < n && ts_us[i] <= t; i++)
            work += q[i] == vec;
        g_array_append_val(irq_t, t);
        g_array_append_val(irq_w, work);
        last = t;
        any = true;
    }
}

struct hw_line {
    uint64_t ts_us;
    int order;
    char *text;
};

static int cmp_hw_line(const void *a, const void *b)
{
    const struct hw_line *x = a, *y = b;
    if (x->ts_us != y->ts_us)
        return x->ts_us < y->ts_us ? -1 : 1;
    return x->order - y->order;
}

/* trace.txt of a synthetic hardware bundle: the lines in time order (frees them). */
static void write_hw_trace(const char *dir, GArray *lines)
{
    g_array_sort(lines, cmp_hw_line);
    GString *tr = g_string_new("# tracer: nop\n");
    for (guint k = 0; k < lines->len; k++) {
        g_string_append(tr, g_array_index(lines, struct hw_line, k).text);
        g_free(g_array_index(lines, struct hw_line, k).text);
    }
    g_array_free(lines, TRUE);
    char *p = g_build_filename(dir, "trace.txt", NULL);
    CU_ASSERT_FATAL(g_file_set_contents(p, tr->str, -1, NULL));
    g_free(p);
    g_string_free(tr, TRUE);
}

static char *hw_irq_line(int cpu, uint64_t ts_us, int vec)
{
    return g_strdup_printf("          <idle>-0       [%03d] d.h1.  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": irq_handler_entry: irq=%d name=eth0-TxRx-%d\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, 41 + vec, vec);
}

static char *hw_poll_line(int cpu, uint64_t ts_us, int work)
{
    return g_strdup_printf("          <idle>-0       [%03d] ..s1.  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT ": napi_poll: napi poll on napi struct "
                           "00000000b9f3563%d for device eth0 work %d budget 64\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, cpu, work);
}

static char *hw_interrupts(const int64_t *count)
{
    return g_strdup_printf("           CPU0       CPU1       \n"
                           " 40:          1          0  PCI-MSIX-0000:01:00.0    0-edge      eth0\n"
                           " 41: %10" G_GINT64_FORMAT "          0  PCI-MSIX-0000:01:00.0    "
                           "1-edge      eth0-TxRx-0\n"
                           " 42:          0 %10" G_GINT64_FORMAT "  PCI-MSIX-0000:01:00.0    "
                           "2-edge      eth0-TxRx-1\n",
                           count[0], count[1]);
}

static char *hw_softnet(const int64_t *processed)
{
    GString *s = g_string_new(NULL);
    for (int c = 0; c < 2; c++) {
        g_string_append_printf(s, "%08x", (unsigned)processed[c]);
        for (int k = 0; k < 11; k++)
            g_string_append(s, " 00000000");
        g_string_append_printf(s, " %08x\n", c);
    }
    return g_string_free(s, FALSE);
}

/* 2 CPUs, ixgbe eth0 with 2 queues (queue q, vector eth0-TxRx-q on CPU q), rx-usecs 100, no
 * RPS. UDP arrivals: 10 single frames 500 us apart (one interrupt each), 20 per queue 150 us
 * apart (beyond the ITR: one each), then 3 ms at one frame per 10 us per queue (EITR-bound:
 * an interrupt per 100 us taking ~10 frames). 650 frames; the trace's IRQ and napi_poll lines
 * and the /proc/interrupts deltas follow hw_irqs_of(). */
/* pcap_n: frames written to the pcap (the first ones; N = all). */
static char *make_hw_bundle(int64_t *irqs_out, int pcap_n)
{
    char *dir = g_dir_make_tmp("nicsteer-hw-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    enum { N = 650 };
    static uint64_t ts[N];
    static int q[N];
    static struct synth_pkt flows[8];
    static const struct synth_pkt *pk[N];
    const uint64_t t0 = 200000000; /* us */
    int n = 0;
    for (int i = 0; i < 10; i++, n++)
        ts[n] = t0 + 500 * (uint64_t)i, q[n] = i % 2;
    for (int i = 0; i < 20; i++)
        for (int v = 0; v < 2; v++, n++)
            ts[n] = t0 + 6000 + 150 * (uint64_t)i + 7 * (uint64_t)v, q[n] = v;
    for (int i = 0; i < 300; i++)
        for (int v = 0; v < 2; v++, n++)
            ts[n] = t0 + 10000 + 10 * (uint64_t)i + 5 * (uint64_t)v, q[n] = v;
    CU_ASSERT_EQUAL_FATAL(n, N);
    for (int f = 0; f < 8; f++)
        flows[f] = (struct synth_pkt){"10.0.0.1", "10.0.0.2", (uint16_t)(4000 + f),
                                      9000,       17,         0x9e3779b1u * (uint32_t)(f + 1),
                                      0};
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct hw_line));
    int64_t processed[2] = {0, 0};
    for (int i = 0; i < N; i++) {
        pk[i] = &flows[(i / 2) % 4 * 2 + q[i]];
        struct hw_line a = {
            ts[i], 2, entry_line(q[i], ts[i], (unsigned)q[i] + 1, 0x1000u + (unsigned)i, pk[i])};
        struct hw_line b = {ts[i], 3, rx_line(q[i], ts[i], 0x1000u + (unsigned)i, pk[i])};
        g_array_append_val(lines, a);
        g_array_append_val(lines, b);
        processed[q[i]]++;
    }
    for (int v = 0; v < 2; v++) {
        GArray *it = g_array_new(FALSE, FALSE, sizeof(uint64_t)),
               *iw = g_array_new(FALSE, FALSE, sizeof(int));
        hw_irqs_of(ts, q, N, v, it, iw);
        irqs_out[v] = it->len;
        for (guint k = 0; k < it->len; k++) {
            uint64_t t = g_array_index(it, uint64_t, k);
            struct hw_line a = {t, 1, hw_irq_line(v, t, v)};
            struct hw_line b = {t + 1, 4, hw_poll_line(v, t + 1, g_array_index(iw, int, k))};
            g_array_append_val(lines, a);
            g_array_append_val(lines, b);
        }
        g_array_free(it, TRUE);
        g_array_free(iw, TRUE);
    }
    write_hw_trace(dir, lines);
    char *p;
    uint64_t ts_ns[N];
    for (int i = 0; i < N; i++)
        ts_ns[i] = ts[i] * 1000;
    p = g_build_filename(dir, "pcap.pcap", NULL);
    write_pcap(p, pk, ts_ns, pcap_n);
    g_free(p);
    int64_t zero[2] = {0, 0};
    char *ib = hw_interrupts(zero), *ia = hw_interrupts(irqs_out), *sb = hw_softnet(zero),
         *sa = hw_softnet(processed);
    json_t *cfg = json_pack(
        "{s:s, s:{s:s, s:i, s:i}, s:{s:{s:s, s:s, s:s}, s:i}, s:{s:{s:{s:s}, s:{s:s}}},"
        " s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:{s:I}, s:{s:I}}}",
        "schema", "nicsteer-capture/1", "host", "kernel", "6.12.0", "ncpus", 2, "hz", 1000,
        "topology", "receiver", "dev", "eth0", "driver", "ixgbe", "addr", "10.0.0.2",
        "queues_per_side", 2, "sysfs_queues", "eth0", "rx-0", "rps_cpus", "0", "rx-1", "rps_cpus",
        "0", "ethtool", "ethtool_l_eth0",
        "Channel parameters for eth0:\nPre-set maximums:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\t1\n"
        "Combined:\t63\nCurrent hardware settings:\nRX:\t\tn/a\nTX:\t\tn/a\nOther:\t\t1\n"
        "Combined:\t2\n",
        "ethtool_c_eth0",
        "Coalesce parameters for eth0:\nAdaptive RX: off  TX: off\nstats-block-usecs: n/a\n"
        "sample-interval: n/a\n\nrx-usecs: 100\nrx-frames: n/a\nrx-usecs-irq: n/a\n\n"
        "tx-usecs: 0\ntx-frames-irq: 256\n",
        "softnet_stat", "before", sb, "after", sa, "interrupts", "before", ib, "after", ia, "trace",
        "file", "trace.txt", "clock", "mono", "clock", "before", "realtime_minus_mono_ns",
        (json_int_t)0, "after", "realtime_minus_mono_ns", (json_int_t)0);
    g_free(ib);
    g_free(ia);
    g_free(sb);
    g_free(sa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    p = g_build_filename(dir, "config.json", NULL);
    CU_ASSERT_FATAL(json_dump_file(cfg, p, JSON_INDENT(1)) == 0);
    g_free(p);
    json_decref(cfg);
    return dir;
}

/* The model's NIC + ixgbe driver, configured from the bundle (2 queues from ethtool -l,
 * rx-usecs 100 from ethtool -c, vector CPUs from /proc/interrupts), replays the 650 frames at
 * their pcap stamps: its interrupts per vector agree with the trace and /proc/interrupts
 * within 5 %, and its poll sizes follow the trace's. */
static void test_replay_hw_bundle_model_irqs_agree(void)
{
    int64_t irqs[2];
    char *dir = make_hw_bundle(irqs, 650);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 650);
    const struct val_report_irq_model *im = &r->irq_model;
    CU_ASSERT_TRUE_FATAL(im->applicable);
    CU_ASSERT_EQUAL(im->rx_usecs, HW_ITR_US);
    CU_ASSERT_EQUAL(im->queues, 2);
    CU_ASSERT_EQUAL(im->vectors, 2);
    CU_ASSERT_EQUAL(im->packets, 650);
    CU_ASSERT_STRING_EQUAL(im->queue_source, "recorded");
    CU_ASSERT_EQUAL_FATAL(r->vectors->len, 2);
    for (int v = 0; v < 2; v++) {
        const struct val_report_vector *vr =
            &g_array_index(r->vectors, struct val_report_vector, v);
        CU_ASSERT_EQUAL(vr->trace, irqs[v]);
        CU_ASSERT_EQUAL(vr->procfs, irqs[v]);
        CU_ASSERT_EQUAL(vr->model_cpu, v);
        CU_ASSERT(val_rel_error((double)vr->model, (double)vr->trace) <= 0.05);
        CU_ASSERT(val_rel_error((double)vr->model, (double)vr->procfs) <= 0.05);
    }
    double ks = val_report_napi_device_ks(r);
    CU_ASSERT(ks >= 0.0 && ks <= 0.2);
    json_t *j = val_report_json(r);
    json_t *v0 = json_array_get(json_object_get(json_object_get(j, "irq"), "vectors"), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(v0, "vector")), 0);
    CU_ASSERT_TRUE(json_is_integer(json_object_get(v0, "model")));
    CU_ASSERT_TRUE(json_is_real(json_object_get(v0, "rel_error_trace")));
    CU_ASSERT_TRUE(json_is_true(
        json_object_get(json_object_get(json_object_get(j, "irq"), "model"), "applicable")));
    CU_ASSERT_TRUE(json_is_real(json_object_get(
        json_object_get(json_object_get(j, "napi_poll"), "device"), "ks_distance")));
    json_decref(j);
    val_report_free(r);
    rm_bundle(dir);
}

/* rx-usecs 0 on the same arrivals: the model interrupts per frame batch, far more often than
 * the host did under its 100 us ITR, and the report shows the gap instead of hiding it. */
static void test_replay_hw_bundle_itr_mismatch_shows(void)
{
    int64_t irqs[2];
    char *dir = make_hw_bundle(irqs, 650);
    char *p = g_build_filename(dir, "config.json", NULL);
    json_t *cfg = json_load_file(p, 0, NULL);
    json_object_set_new(json_object_get(cfg, "ethtool"), "ethtool_c_eth0",
                        json_string("Coalesce parameters for eth0:\nrx-usecs: 0\n"));
    CU_ASSERT_FATAL(json_dump_file(cfg, p, JSON_INDENT(1)) == 0);
    json_decref(cfg);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->irq_model.rx_usecs, 0);
    for (int v = 0; v < 2; v++) {
        const struct val_report_vector *vr =
            &g_array_index(r->vectors, struct val_report_vector, v);
        CU_ASSERT(vr->model > 2 * vr->trace);
    }
    val_report_free(r);
    rm_bundle(dir);
}

/* A pcap missing the last 100 frames: the model replays only the 550 matched ones, and the
 * report says its IRQ comparison is partial. */
static void test_replay_hw_bundle_unmatched_is_partial(void)
{
    int64_t irqs[2];
    char *dir = make_hw_bundle(irqs, 550);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 550);
    CU_ASSERT_TRUE(r->irq_model.applicable);
    CU_ASSERT_EQUAL(r->irq_model.packets, 550);
    CU_ASSERT_TRUE(r->partial);
    bool said = false;
    for (guint i = 0; i < r->partial_reasons->len; i++)
        said |= strstr(r->partial_reasons->pdata[i], "replays the 550 matched of 650") != NULL;
    CU_ASSERT_TRUE(said);
    const struct val_report_vector *v = &g_array_index(r->vectors, struct val_report_vector, 0);
    CU_ASSERT(v[0].model < v[0].trace);
    val_report_free(r);
    rm_bundle(dir);
}

/* A receive entry whose queue_mapping lies past 65536 (a corrupt trace) is a queue beyond the
 * device's, left out of the IRQ model with a partial note, never wrapped onto ring 0. */
static void test_replay_hw_bundle_huge_queue_mapping_is_left_out(void)
{
    int64_t irqs[2];
    char *dir = make_hw_bundle(irqs, 650);
    char *p = g_build_filename(dir, "trace.txt", NULL), *txt = NULL;
    CU_ASSERT_FATAL(g_file_get_contents(p, &txt, NULL, NULL));
    char *at = strstr(txt, "queue_mapping=1 ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    GString *fixed = g_string_new_len(txt, at - txt);
    g_string_append(fixed, "queue_mapping=65537 ");
    g_string_append(fixed, at + strlen("queue_mapping=1 "));
    CU_ASSERT_FATAL(g_file_set_contents(p, fixed->str, -1, NULL));
    g_string_free(fixed, TRUE);
    g_free(txt);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(r->irq_model.applicable);
    CU_ASSERT_EQUAL(r->irq_model.packets, 649);
    bool said = false;
    for (guint i = 0; i < r->partial_reasons->len; i++)
        said |= strstr(r->partial_reasons->pdata[i], "1 matched packets were recorded on RX "
                                                     "queues beyond the 2") != NULL;
    CU_ASSERT_TRUE(said);
    val_report_free(r);
    rm_bundle(dir);
}

/* ---- a TCP bulk receiver on the same host: its ACKs interrupt the TxRx vectors too ---- */

#define HW_ACK_US 5 /* the ACKs of a poll leave this long after its interrupt */
#define HW_WB_US  1 /* TX descriptor write-back after the tail write (DMA + 78 B on the wire) */

/* How the trace shows the ACKs; HW_TX_BUSY_RETRY: each is first refused by the ring
 * (net_dev_xmit rc=16, NETDEV_TX_BUSY) and sent again at once. */
/* How the host's ACKs show: traced as start_xmit, as net_dev_xmit only, only in the pcap,
 * traced with a refused first attempt, or nowhere (an inbound-only capture). */
enum hw_tx_trace {
    HW_TX_START_XMIT,
    HW_TX_XMIT_ONLY,
    HW_TX_UNTRACED,
    HW_TX_BUSY_RETRY,
    HW_TX_INBOUND_ONLY
};

/* 82599 EITR on a TxRx vector as the host applied it: an interrupt is asserted at the first
 * event not served yet (a frame's arrival or an ACK's descriptor write-back), no earlier than
 * ITR after the previous one; its poll takes the frames arrived and the write-backs done by
 * then, and the receiver ACKs every second segment (at least one per poll with data), HW_ACK_US
 * later, on the vector's own TX ring (XPS by the softirq CPU). Appends the vector's
 * (irq time, work) pairs and the ACK times. */
static void hw_tcp_irqs_of(const uint64_t *ts_us, const int *q, int n, int vec, GArray *irq_t,
                           GArray *irq_w, GArray *ack_t)
{
    uint64_t last = 0;
    bool any = false;
    guint wb = ack_t->len; /* first write-back not served yet */
    int i = 0;
    for (;;) {
        while (i < n && q[i] != vec)
            i++;
        bool rx = i < n, txp = wb < ack_t->len;
        if (!rx && !txp)
            break;
        uint64_t e = rx ? ts_us[i] : UINT64_MAX;
        if (txp && g_array_index(ack_t, uint64_t, wb) + HW_WB_US < e)
            e = g_array_index(ack_t, uint64_t, wb) + HW_WB_US;
        uint64_t t = any && last + HW_ITR_US > e ? last + HW_ITR_US : e;
        int work = 0;
        for (; i < n && ts_us[i] <= t; i++)
            work += q[i] == vec;
        while (wb < ack_t->len && g_array_index(ack_t, uint64_t, wb) + HW_WB_US <= t)
            wb++;
        g_array_append_val(irq_t, t);
        g_array_append_val(irq_w, work);
        for (int a = 0; a < (work + 1) / 2; a++) {
            uint64_t at = t + HW_ACK_US;
            g_array_append_val(ack_t, at);
        }
        last = t;
        any = true;
    }
}

static char *hw_xmit_line(int cpu, uint64_t ts_us, unsigned skb, int rc)
{
    return g_strdup_printf("          <idle>-0       [%03d] ..s1.  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": net_dev_xmit: dev=eth0 skbaddr=%016x len=54 rc=%d\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, skb, rc);
}

struct hw_frame {
    uint64_t ts_ns;
    const struct synth_pkt *pk;
};

static int cmp_hw_frame(const void *a, const void *b)
{
    const struct hw_frame *x = a, *y = b;
    return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

/* The arrivals of make_hw_bundle() as 8 TCP flows to a bulk receiver at 10.0.0.2:5001 (2 CPUs,
 * 2 queues, vector q on CPU q, rx-usecs 100, no RPS), whose ACKs (pcap frames from 10.0.0.2)
 * follow hw_tcp_irqs_of(). The trace records them as net_dev_start_xmit (queue_mapping = the
 * ring), as net_dev_xmit only (tx-q/xps_cpus = CPU q gives the ring), or not at all. irqs_out:
 * the host's interrupts per vector, RX and TX; acks_out: ACKs per TX queue. */
static char *make_tcp_hw_bundle(int64_t *irqs_out, int64_t *acks_out, enum hw_tx_trace mode)
{
    char *dir = g_dir_make_tmp("nicsteer-hwtcp-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    enum { N = 650 };
    static uint64_t ts[N];
    static int q[N];
    static struct synth_pkt flows[8], acks[8];
    const uint64_t t0 = 200000000; /* us */
    int n = 0;
    for (int i = 0; i < 10; i++, n++)
        ts[n] = t0 + 500 * (uint64_t)i, q[n] = i % 2;
    for (int i = 0; i < 20; i++)
        for (int v = 0; v < 2; v++, n++)
            ts[n] = t0 + 6000 + 150 * (uint64_t)i + 7 * (uint64_t)v, q[n] = v;
    for (int i = 0; i < 300; i++)
        for (int v = 0; v < 2; v++, n++)
            ts[n] = t0 + 10000 + 10 * (uint64_t)i + 5 * (uint64_t)v, q[n] = v;
    CU_ASSERT_EQUAL_FATAL(n, N);
    for (int f = 0; f < 8; f++) {
        flows[f] = (struct synth_pkt){"10.0.0.1", "10.0.0.2", (uint16_t)(4000 + f),
                                      5001,       6,          0x9e3779b1u * (uint32_t)(f + 1),
                                      TCP_ACK};
        acks[f] =
            (struct synth_pkt){"10.0.0.2", "10.0.0.1", 5001, (uint16_t)(4000 + f), 6, 0, TCP_ACK};
    }
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct hw_line));
    GArray *frames = g_array_new(FALSE, FALSE, sizeof(struct hw_frame));
    for (int i = 0; i < N; i++) {
        const struct synth_pkt *pk = &flows[(i / 2) % 4 * 2 + q[i]];
        struct hw_line a = {ts[i], 2,
                            entry_line(q[i], ts[i], (unsigned)q[i] + 1, 0x1000u + (unsigned)i, pk)};
        struct hw_line b = {ts[i], 3, rx_line(q[i], ts[i], 0x1000u + (unsigned)i, pk)};
        g_array_append_val(lines, a);
        g_array_append_val(lines, b);
        struct hw_frame fr = {ts[i] * 1000, pk};
        g_array_append_val(frames, fr);
    }
    int64_t processed[2] = {N / 2, N / 2};
    unsigned skb = 0x9000;
    for (int v = 0; v < 2; v++) {
        GArray *it = g_array_new(FALSE, FALSE, sizeof(uint64_t)),
               *iw = g_array_new(FALSE, FALSE, sizeof(int)),
               *at = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        hw_tcp_irqs_of(ts, q, N, v, it, iw, at);
        irqs_out[v] = it->len;
        acks_out[v] = at->len;
        for (guint k = 0; k < it->len; k++) {
            uint64_t t = g_array_index(it, uint64_t, k);
            struct hw_line a = {t, 1, hw_irq_line(v, t, v)};
            struct hw_line b = {t + 1, 4, hw_poll_line(v, t + 1, g_array_index(iw, int, k))};
            g_array_append_val(lines, a);
            g_array_append_val(lines, b);
        }
        for (guint k = 0; k < at->len; k++, skb++) {
            uint64_t t = g_array_index(at, uint64_t, k);
            struct hw_frame fr = {t * 1000, &acks[k % 4 * 2 + (unsigned)v]};
            if (mode == HW_TX_INBOUND_ONLY)
                continue;
            g_array_append_val(frames, fr);
            if (mode == HW_TX_UNTRACED)
                continue;
            if (mode == HW_TX_BUSY_RETRY) {
                struct hw_line b = {t, 5 + 3 * (int)k, tx_line(v, t, (unsigned)v, skb)};
                struct hw_line c = {t, 6 + 3 * (int)k, hw_xmit_line(v, t, skb, 16)};
                g_array_append_val(lines, b);
                g_array_append_val(lines, c);
            }
            struct hw_line a = {t, 7 + 3 * (int)k,
                                mode == HW_TX_XMIT_ONLY ? hw_xmit_line(v, t, skb, 0)
                                                        : tx_line(v, t, (unsigned)v, skb)};
            g_array_append_val(lines, a);
        }
        g_array_free(it, TRUE);
        g_array_free(iw, TRUE);
        g_array_free(at, TRUE);
    }
    write_hw_trace(dir, lines);
    char *p;
    g_array_sort(frames, cmp_hw_frame);
    const struct synth_pkt **pk = g_new(const struct synth_pkt *, frames->len);
    uint64_t *ts_ns = g_new(uint64_t, frames->len);
    for (guint k = 0; k < frames->len; k++) {
        pk[k] = g_array_index(frames, struct hw_frame, k).pk;
        ts_ns[k] = g_array_index(frames, struct hw_frame, k).ts_ns;
    }
    p = g_build_filename(dir, "pcap.pcap", NULL);
    write_pcap(p, pk, ts_ns, (int)frames->len);
    g_free(p);
    g_free(pk);
    g_free(ts_ns);
    g_array_free(frames, TRUE);
    int64_t zero[2] = {0, 0};
    char *ib = hw_interrupts(zero), *ia = hw_interrupts(irqs_out), *sb = hw_softnet(zero),
         *sa = hw_softnet(processed);
    json_t *cfg = json_pack(
        "{s:s, s:{s:s, s:i, s:i}, s:{s:{s:s, s:s, s:s}, s:i},"
        " s:{s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}},"
        " s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:{s:I}, s:{s:I}}}",
        "schema", "nicsteer-capture/1", "host", "kernel", "6.12.0", "ncpus", 2, "hz", 1000,
        "topology", "receiver", "dev", "eth0", "driver", "ixgbe", "addr", "10.0.0.2",
        "queues_per_side", 2, "sysfs_queues", "eth0", "rx-0", "rps_cpus", "0", "rx-1", "rps_cpus",
        "0", "tx-0", "xps_cpus", "1", "tx-1", "xps_cpus", "2", "ethtool", "ethtool_l_eth0",
        "Channel parameters for eth0:\nPre-set maximums:\nCombined:\t63\n"
        "Current hardware settings:\nCombined:\t2\n",
        "ethtool_c_eth0",
        "Coalesce parameters for eth0:\nAdaptive RX: off  TX: off\n"
        "rx-usecs: 100\ntx-usecs: 0\n",
        "softnet_stat", "before", sb, "after", sa, "interrupts", "before", ib, "after", ia, "trace",
        "file", "trace.txt", "clock", "mono", "clock", "before", "realtime_minus_mono_ns",
        (json_int_t)0, "after", "realtime_minus_mono_ns", (json_int_t)0);
    g_free(ib);
    g_free(ia);
    g_free(sb);
    g_free(sa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    p = g_build_filename(dir, "config.json", NULL);
    CU_ASSERT_FATAL(json_dump_file(cfg, p, JSON_INDENT(1)) == 0);
    g_free(p);
    json_decref(cfg);
    return dir;
}

static bool has_warning(const struct val_report *r, const char *part)
{
    for (guint i = 0; i < r->warnings->len; i++)
        if (strstr(r->warnings->pdata[i], part))
            return true;
    return false;
}

/* Agreement of the model's IRQs per vector with the trace's (worst vector). */
static double hw_worst_irq_error(const struct val_report *r)
{
    double worst = 0;
    for (guint v = 0; v < r->vectors->len; v++) {
        const struct val_report_vector *vr =
            &g_array_index(r->vectors, struct val_report_vector, v);
        double e = val_rel_error((double)vr->model, (double)vr->trace);
        worst = e > worst ? e : worst;
    }
    return worst;
}

/* The bundle's ACKs went through the model's TX rings: all of them, each on its vector's ring,
 * with the queue taken from `source` (NULL: not checked). */
static void assert_acks_replayed(const struct val_report *r, const int64_t acks[2],
                                 const char *source)
{
    const struct val_report_irq_model *im = &r->irq_model;
    CU_ASSERT_TRUE_FATAL(im->applicable);
    if (source)
        CU_ASSERT_STRING_EQUAL(im->tx_queue_source, source);
    CU_ASSERT_EQUAL(im->tx_frames, (uint64_t)(acks[0] + acks[1]));
    CU_ASSERT_EQUAL_FATAL(im->tx_queues, 2);
    CU_ASSERT_EQUAL(im->tx_per_queue[0], (uint64_t)acks[0]);
    CU_ASSERT_EQUAL(im->tx_per_queue[1], (uint64_t)acks[1]);
}

/* A bulk receiver's ACKs traced as net_dev_start_xmit: they are posted on the model's TX rings
 * of the recorded queues at their times, their write-backs interrupt the TxRx vectors under the
 * same EITR, and the model's IRQs per vector agree with the host's within 5 %; the report
 * counts the replayed transmits per queue and drops the lower-bound warning. */
static void test_replay_hw_tcp_acks_replayed_irqs_agree(void)
{
    int64_t irqs[2], acks[2];
    char *dir = make_tcp_hw_bundle(irqs, acks, HW_TX_START_XMIT);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 650);
    assert_acks_replayed(r, acks, "recorded");
    const struct val_report_irq_model *im = &r->irq_model;
    CU_ASSERT_EQUAL(im->tx_ring_full, 0);
    CU_ASSERT_EQUAL_FATAL(r->vectors->len, 2);
    for (int v = 0; v < 2; v++) {
        const struct val_report_vector *vr =
            &g_array_index(r->vectors, struct val_report_vector, v);
        CU_ASSERT_EQUAL(vr->trace, irqs[v]);
        CU_ASSERT_EQUAL(vr->procfs, irqs[v]);
    }
    double err = hw_worst_irq_error(r);
    CU_ASSERT(err <= 0.05);
    CU_ASSERT_FALSE(has_warning(r, "lower bound"));
    json_t *j = val_report_json(r);
    json_t *tx = json_object_get(json_object_get(json_object_get(j, "irq"), "model"), "tx");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(tx, "frames")), acks[0] + acks[1]);
    CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(tx, "per_queue"), 1)),
                    acks[1]);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(tx, "queue_source")), "recorded");
    json_decref(j);
    val_report_free(r);
    rm_bundle(dir);
}

/* An inbound-only capture of a TCP receiver: no transmit anywhere, so the model replays RX
 * only, undercounts, and says its counts are a lower bound. */
static void test_replay_hw_tcp_inbound_only_undercounts(void)
{
    int64_t irqs[2], acks[2];
    char *dir = make_tcp_hw_bundle(irqs, acks, HW_TX_INBOUND_ONLY);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE_FATAL(r->irq_model.applicable);
    CU_ASSERT_EQUAL(r->irq_model.tx_frames, 0);
    CU_ASSERT_STRING_EQUAL(r->irq_model.tx_queue_source, "none");
    for (int v = 0; v < 2; v++) {
        const struct val_report_vector *vr =
            &g_array_index(r->vectors, struct val_report_vector, v);
        CU_ASSERT(vr->model < vr->trace);
    }
    CU_ASSERT(hw_worst_irq_error(r) > 0.05);
    bool said = false;
    for (guint i = 0; i < r->irq_model.notes->len; i++)
        said |= strstr(g_ptr_array_index(r->irq_model.notes, i), "lower bound") != NULL;
    CU_ASSERT_TRUE(said);
    val_report_free(r);
    rm_bundle(dir);
}

/* The same host with its transmits missing from the trace: the pcap still shows the ACKs, so
 * they are replayed at their pcap stamps on their flow's RX ring (where ixgbe's XPS sends a
 * flow's ACKs from the CPU that received it), the counts agree again, and the report says the
 * TX side is an estimate from the pcap. */
static void test_replay_hw_tcp_untraced_acks_from_pcap(void)
{
    int64_t irqs[2], acks[2];
    char *dir = make_tcp_hw_bundle(irqs, acks, HW_TX_UNTRACED);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    assert_acks_replayed(r, acks, "pcap");
    CU_ASSERT(hw_worst_irq_error(r) <= 0.05);
    CU_ASSERT_TRUE(has_warning(r, "taken from the pcap"));
    CU_ASSERT_FALSE(has_warning(r, "lower bound"));
    val_report_free(r);
    rm_bundle(dir);
}

/* Transmits traced as net_dev_xmit only (no queue recorded): the queue comes from
 * netdev_core_pick_tx() with the device's xps_cpus (tx-q on CPU q), so the same rings are
 * replayed and the model agrees as well as with the recorded queues. */
static void test_replay_hw_tcp_xmit_only_queue_from_xps(void)
{
    int64_t irqs[2], acks[2];
    char *dir = make_tcp_hw_bundle(irqs, acks, HW_TX_XMIT_ONLY);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    assert_acks_replayed(r, acks, "xps");
    CU_ASSERT(hw_worst_irq_error(r) <= 0.05);
    CU_ASSERT_FALSE(has_warning(r, "lower bound"));
    val_report_free(r);
    rm_bundle(dir);
}

/* A transmit the ring refused (net_dev_xmit rc=16 right after its net_dev_start_xmit) posted
 * nothing: only the retry that went out is replayed, so the counts stay those of the ACKs. */
static void test_replay_hw_tcp_busy_transmit_not_replayed(void)
{
    int64_t irqs[2], acks[2];
    char *dir = make_tcp_hw_bundle(irqs, acks, HW_TX_BUSY_RETRY);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    assert_acks_replayed(r, acks, NULL);
    CU_ASSERT(hw_worst_irq_error(r) <= 0.05);
    val_report_free(r);
    rm_bundle(dir);
}

/* net_dev_xmit-only trace with a malformed tx-0/xps_cpus: the IRQ model does not run and the
 * report names the file and the key. */
static void test_replay_hw_tcp_bad_xps_names_the_key(void)
{
    int64_t irqs[2], acks[2];
    char *dir = make_tcp_hw_bundle(irqs, acks, HW_TX_XMIT_ONLY);
    char *p = g_build_filename(dir, "config.json", NULL);
    json_t *cfg = json_load_file(p, 0, NULL);
    json_object_set_new(
        json_object_get(json_object_get(json_object_get(cfg, "sysfs_queues"), "eth0"), "tx-0"),
        "xps_cpus", json_string("zz"));
    CU_ASSERT_FATAL(json_dump_file(cfg, p, JSON_INDENT(1)) == 0);
    json_decref(cfg);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_FALSE(r->irq_model.applicable);
    CU_ASSERT_TRUE(r->partial);
    bool said = false;
    for (guint i = 0; i < r->partial_reasons->len; i++) {
        const char *m = r->partial_reasons->pdata[i];
        said |= strstr(m, "config.json") && strstr(m, "/sysfs_queues/eth0/tx-0/xps_cpus");
    }
    CU_ASSERT_TRUE(said);
    val_report_free(r);
    rm_bundle(dir);
}

/* veth: no hardware vectors, so no model numbers, only the reason. */
static void test_replay_veth_has_no_irq_model(void)
{
    char *dir = make_bundle();
    char *p = g_build_filename(dir, "config.json", NULL);
    json_t *cfg = json_load_file(p, 0, NULL);
    json_object_set_new(json_object_get(json_object_get(cfg, "topology"), "receiver"), "driver",
                        json_string("veth"));
    CU_ASSERT_FATAL(json_dump_file(cfg, p, JSON_INDENT(1)) == 0);
    json_decref(cfg);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_FALSE(r->irq_model.applicable);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->irq_model.why_not, "veth"));
    CU_ASSERT(val_report_napi_device_ks(r) < 0);
    json_t *j = val_report_json(r);
    json_t *v0 = json_array_get(json_object_get(json_object_get(j, "irq"), "vectors"), 0);
    CU_ASSERT_TRUE(json_is_null(json_object_get(v0, "model")));
    CU_ASSERT_TRUE(json_is_null(json_object_get(
        json_object_get(json_object_get(j, "napi_poll"), "device"), "ks_distance")));
    json_decref(j);
    val_report_free(r);
    rm_bundle(dir);
}

/* The same bundle with RFS off: TCP1's second packet now follows the RPS map to CPU0 while the
 * host ran it on CPU1, and the report lists it with its trace line. */
static void test_replay_without_rfs_lists_the_disagreement(void)
{
    char *dir = make_bundle();
    char *p = g_build_filename(dir, "config.json", NULL);
    json_t *cfg = json_load_file(p, 0, NULL);
    json_object_set_new(json_object_get(cfg, "sysctl_net_core"), "rps_sock_flow_entries",
                        json_string("0"));
    json_dump_file(cfg, p, 0);
    json_decref(cfg);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->cpu_mode, "rps");
    CU_ASSERT_EQUAL(r->cpu.agreed, 3);
    CU_ASSERT_EQUAL_FATAL(r->cpu.first->len, 1);
    const struct val_disagreement *d = &g_array_index(r->cpu.first, struct val_disagreement, 0);
    CU_ASSERT_EQUAL(d->trace_line, 6);
    CU_ASSERT_EQUAL(d->model, 0);
    CU_ASSERT_EQUAL(d->actual, 1);
    val_report_free(r);
    rm_bundle(dir);
}

/* A real excerpt of the rps2 veth bundle (tests/data/validate-mini/README): software hash, so
 * the RX queue is the veth sender's TX queue (veth_xmit keeps queue_mapping), predicted by
 * skb_tx_hash and compared with the receive entry's queue_mapping; the excerpt is far shorter
 * than the snapshot interval, which the report must say. */
static void test_replay_real_veth_excerpt(void)
{
    struct val_report *r = replay(NICSTEER_SOURCE_DIR "/tests/data/validate-mini");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->rx_queue_mode, "veth: sender's tx-hash");
    CU_ASSERT_EQUAL(r->rx_queue.compared, 53);
    CU_ASSERT_EQUAL(r->rx_queue.agreed, 53);
    CU_ASSERT_EQUAL(r->trace_entries, 53);
    CU_ASSERT_EQUAL(r->matched, 53);
    CU_ASSERT_EQUAL(r->cpu.compared, 53);
    CU_ASSERT_EQUAL(r->cpu.agreed, 53);
    CU_ASSERT_EQUAL(r->cpus[0].trace_processed, r->cpus[0].model_processed);
    /* no XPS on the sender: skb_tx_hash() of the socket hash picks vA's TX queue = vB's queue */
    CU_ASSERT_STRING_EQUAL(r->tx_queue_mode, "tx-hash");
    CU_ASSERT_EQUAL(r->tx_queue.compared, 53);
    CU_ASSERT_EQUAL(r->tx_queue.agreed, 53);
    CU_ASSERT_EQUAL(r->warnings->len, 2); /* both CPUs far from their softnet deltas */
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(r->warnings, 0), "softnet_stat"));
    val_report_free(r);
}

/* The real excerpt with its netif_receive_skb lines removed: the CPU comparison cannot be made,
 * and the report says PARTIAL instead of claiming an agreement. */
/* A real excerpt of the XPS bundle: the sender's TX queue (= veth RX queue) follows XPS of the
 * sending CPU, with connected UDP sockets keeping their first queue; RPS by per-queue maps. */
static void test_replay_real_veth_xps_excerpt(void)
{
    struct val_report *r = replay(NICSTEER_SOURCE_DIR "/tests/data/validate-mini-xps");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->tx_queue_mode, "xps");
    CU_ASSERT_EQUAL(r->matched, 56);
    /* one packet's transmit lies before the excerpt, another's processing after it */
    CU_ASSERT_EQUAL(r->tx_queue.compared, 55);
    CU_ASSERT_EQUAL(r->tx_queue.agreed, 55);
    CU_ASSERT_EQUAL(r->cpu.compared, 55);
    CU_ASSERT_EQUAL(r->cpu.agreed, 55);
    val_report_free(r);
}

/* A recorded backlog overflow (tests/data/backlog-mb300-b64/README): netdev_max_backlog 300,
 * netdev_budget 64, RPS of every flow to CPU1. enqueue_to_backlog() drops on CPU1 only, and with
 * budget 64 = dev_weight every full backlog poll makes net_rx_action() punt (time_squeeze). */
static void test_replay_backlog_drops_and_time_squeeze(void)
{
    struct val_report *r = replay(NICSTEER_SOURCE_DIR "/tests/data/backlog-mb300-b64");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    const struct val_report_backlog *b = &r->backlog;
    CU_ASSERT_EQUAL(b->softnet_dropped, 454);
    CU_ASSERT_EQUAL(b->softnet_time_squeeze, 32);
    CU_ASSERT_EQUAL(r->cpus[0].model_dropped, 0);
    CU_ASSERT_EQUAL(r->cpus[1].model_dropped, b->model_dropped);
    CU_ASSERT_EQUAL(b->model_dropped, r->model_drops);
    CU_ASSERT(b->drop_error >= 0 && b->drop_error <= 0.05);
    /* one punt per modelled full poll: time_squeeze counts polls of work 64 */
    CU_ASSERT_EQUAL(b->model_time_squeeze, r->napi_model.bins[64]);
    CU_ASSERT(b->time_squeeze_error >= 0 && b->time_squeeze_error <= 0.10);
    val_report_free(r);
}

/* Nothing dropped and no punt (netdev_budget 300 > one poll of 64): the error is 0, not n/a. */
static void test_replay_no_pressure_backlog_error_is_zero(void)
{
    struct val_report *r = replay(NICSTEER_SOURCE_DIR "/tests/data/validate-mini");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->backlog.model_dropped, 0);
    CU_ASSERT_EQUAL(r->backlog.model_time_squeeze, 0);
    CU_ASSERT_DOUBLE_EQUAL(r->backlog.drop_error, 0.0, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(r->backlog.time_squeeze_error, 0.0, 1e-12);
    val_report_free(r);
}

static void test_replay_without_netif_receive_skb_is_partial(void)
{
    char *dir = g_dir_make_tmp("nicsteer-partial-XXXXXX", NULL);
    const char *names[] = {"config.json", "pcap.pcap", "trace.txt"};
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        char *src =
            g_build_filename(NICSTEER_SOURCE_DIR "/tests/data/validate-mini", names[i], NULL);
        char *dst = g_build_filename(dir, names[i], NULL);
        gchar *text = NULL;
        gsize len = 0;
        CU_ASSERT_FATAL(g_file_get_contents(src, &text, &len, NULL));
        if (i == 2) {
            GString *kept = g_string_new(NULL);
            char **lines = g_strsplit(text, "\n", -1);
            for (char **l = lines; *l; l++)
                if (!strstr(*l, "netif_receive_skb:"))
                    g_string_append_printf(kept, "%s\n", *l);
            g_strfreev(lines);
            g_free(text);
            len = kept->len;
            text = g_string_free(kept, FALSE);
        }
        CU_ASSERT_FATAL(g_file_set_contents(dst, text, (gssize)len, NULL));
        g_free(text);
        g_free(src);
        g_free(dst);
    }
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(r->partial);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(r->partial_reasons, 0), "netif_receive_skb"));
    CU_ASSERT(val_agree_fraction(&r->cpu) < 0);
    CU_ASSERT_EQUAL(r->unpaired, 53);
    json_t *j = val_report_json(r);
    CU_ASSERT(json_is_true(json_object_get(j, "partial")));
    CU_ASSERT(json_is_null(json_object_get(json_object_get(j, "agreement"), "cpu")));
    json_decref(j);
    val_report_free(r);
    rm_bundle(dir);
}

/* The tracefs line as `perf script` prints it: "comm tid [cpu] ts: subsystem:event: fields",
 * no flags column. Syscall lines are dropped (perf formats them differently). */
static char *to_perf_script(const char *line)
{
    static const char *const subsys[][2] = {
        {"napi_gro_receive_entry", "net"},
        {"netif_receive_skb", "net"},
        {"netif_rx_entry", "net"},
        {"net_dev_", "net"},
        {"napi_poll", "napi"},
        {"softirq_", "irq"},
        {"irq_handler_", "irq"},
        {"sched_", "sched"},
    };
    GMatchInfo *mi = NULL;
    GRegex *re = g_regex_new("^\\s*(.+)-(\\d+)\\s+\\[(\\d+)\\]\\s+\\S+\\s+([0-9.]+): (\\w+): (.*)$",
                             0, 0, NULL);
    char *out = NULL;
    if (g_regex_match(re, line, 0, &mi)) {
        char *f[7];
        for (int i = 1; i <= 6; i++)
            f[i] = g_match_info_fetch(mi, i);
        const char *sub = NULL;
        for (unsigned i = 0; i < G_N_ELEMENTS(subsys); i++)
            if (g_str_has_prefix(f[5], subsys[i][0]))
                sub = subsys[i][1];
        if (sub)
            out = g_strdup_printf("%16s %6s [%s] %s: %s:%s: %s", f[1], f[2], f[3], f[4], sub, f[5],
                                  f[6]);
        for (int i = 1; i <= 6; i++)
            g_free(f[i]);
    }
    g_match_info_free(mi);
    g_regex_unref(re);
    return out;
}

/* The real excerpt rewritten in the `perf script` layout gives the same comparison. */
static void test_replay_perf_script_layout_gives_same_result(void)
{
    char *dir = g_dir_make_tmp("nicsteer-perf-XXXXXX", NULL);
    const char *names[] = {"config.json", "pcap.pcap", "trace.txt"};
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        char *src =
            g_build_filename(NICSTEER_SOURCE_DIR "/tests/data/validate-mini", names[i], NULL);
        char *dst = g_build_filename(dir, names[i], NULL);
        gchar *text = NULL;
        gsize len = 0;
        CU_ASSERT_FATAL(g_file_get_contents(src, &text, &len, NULL));
        if (i == 2) {
            GString *kept = g_string_new(NULL);
            char **lines = g_strsplit(text, "\n", -1);
            for (char **l = lines; *l; l++) {
                char *pl = to_perf_script(*l);
                if (pl)
                    g_string_append_printf(kept, "%s\n", pl);
                g_free(pl);
            }
            g_strfreev(lines);
            g_free(text);
            len = kept->len;
            text = g_string_free(kept, FALSE);
        }
        CU_ASSERT_FATAL(g_file_set_contents(dst, text, (gssize)len, NULL));
        g_free(text);
        g_free(src);
        g_free(dst);
    }
    struct val_report *r = replay(dir);
    struct val_report *t = replay(NICSTEER_SOURCE_DIR "/tests/data/validate-mini");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(r->trace_garbled, 0);
    CU_ASSERT_EQUAL(r->trace_entries, t->trace_entries);
    CU_ASSERT_EQUAL(r->matched, t->matched);
    CU_ASSERT_EQUAL(r->cpu.compared, t->cpu.compared);
    CU_ASSERT_EQUAL(r->cpu.agreed, t->cpu.agreed);
    for (int c = 0; c < 2; c++) {
        CU_ASSERT_EQUAL(r->cpus[c].model_processed, t->cpus[c].model_processed);
        CU_ASSERT_EQUAL(r->cpus[c].trace_processed, t->cpus[c].trace_processed);
        CU_ASSERT_EQUAL(r->cpus[c].net_rx_ns, t->cpus[c].net_rx_ns);
    }
    CU_ASSERT_EQUAL(r->napi_trace.count, t->napi_trace.count);
    CU_ASSERT_DOUBLE_EQUAL(val_report_napi_ks(r), val_report_napi_ks(t), 1e-12);
    val_report_free(r);
    val_report_free(t);
    rm_bundle(dir);
}

/* Copy of the real excerpt with its config.json edited by `edit`. */
static char *mini_copy(void (*edit)(json_t *cfg))
{
    char *dir = g_dir_make_tmp("nicsteer-mini-XXXXXX", NULL);
    const char *names[] = {"config.json", "pcap.pcap", "trace.txt"};
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        char *src =
            g_build_filename(NICSTEER_SOURCE_DIR "/tests/data/validate-mini", names[i], NULL);
        char *dst = g_build_filename(dir, names[i], NULL);
        gchar *text = NULL;
        gsize len = 0;
        CU_ASSERT_FATAL(g_file_get_contents(src, &text, &len, NULL));
        CU_ASSERT_FATAL(g_file_set_contents(dst, text, (gssize)len, NULL));
        g_free(text);
        g_free(src);
        if (i == 0) {
            json_t *cfg = json_load_file(dst, 0, NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
            edit(cfg);
            CU_ASSERT_FATAL(json_dump_file(cfg, dst, 0) == 0);
            json_decref(cfg);
        }
        g_free(dst);
    }
    return dir;
}

/* A "local" (sched_clock) trace clock with realtime_minus_mono 5 s off the trace's clock. */
static void edit_local_clock(json_t *cfg)
{
    json_object_set_new(json_object_get(cfg, "trace"), "clock", json_string("local"));
    const char *when[] = {"before", "after"};
    for (int i = 0; i < 2; i++) {
        json_t *c = json_object_get(json_object_get(cfg, "clock"), when[i]);
        json_int_t v = json_integer_value(json_object_get(c, "realtime_minus_mono_ns"));
        json_object_set_new(c, "realtime_minus_mono_ns", json_integer(v + 5000000000LL));
    }
}

static void test_replay_estimates_offset_of_a_non_monotonic_trace_clock(void)
{
    char *dir = mini_copy(edit_local_clock);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 53);
    CU_ASSERT_EQUAL(r->cpu.agreed, 53);
    /* the estimate lands within 10 us of the 5 s the config was moved by */
    double moved = 0;
    for (guint i = 0; i < r->warnings->len; i++) {
        const char *w = strstr(g_ptr_array_index(r->warnings, i), "estimated from the data (");
        if (w)
            moved = g_ascii_strtod(w + strlen("estimated from the data ("), NULL);
    }
    CU_ASSERT_DOUBLE_EQUAL(moved, -5.0, 1e-5);
    val_report_free(r);
    rm_bundle(dir);
}

static void test_replay_missing_bundle_names_the_file(void)
{
    struct val_replay_opts o;
    val_replay_opts_init(&o);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(val_replay_bundle("/nonexistent/bundle", &o, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nonexistent/bundle/config.json"));
    g_clear_error(&err);
}

static CU_TestInfo cases[] = {
    {"Toeplitz queue and hash on a hashing NIC",
     test_replay_toeplitz_queue_and_hash_on_hashing_nic},
    {"RFS follows reads of a connected TCP socket", test_replay_rfs_follows_reads_of_connected_tcp},
    {"RFS qtail rule follows the kernel version",
     test_replay_rfs_qtail_rule_follows_kernel_version},
    {"unpaired entry leaves the model counts", test_replay_unpaired_entry_leaves_model_counts},
    {"ATR steers TCP to the TX ring's queue", test_replay_atr_steers_tcp_to_the_tx_ring_queue},
    {"UDP 4-tuple hash is reported", test_replay_udp_4tuple_hash_is_reported},
    {"stripped VLAN tag still joins", test_replay_joins_frames_with_stripped_vlan_tag},
    {"IRQs per vector", test_replay_irq_per_vector},
    {"hardware bundle: model IRQs agree", test_replay_hw_bundle_model_irqs_agree},
    {"hardware bundle: ITR mismatch shows", test_replay_hw_bundle_itr_mismatch_shows},
    {"hardware bundle: unmatched packets make it partial",
     test_replay_hw_bundle_unmatched_is_partial},
    {"hardware bundle: a queue_mapping past 65536 is left out",
     test_replay_hw_bundle_huge_queue_mapping_is_left_out},
    {"hardware TCP bundle: replayed ACKs make model IRQs agree",
     test_replay_hw_tcp_acks_replayed_irqs_agree},
    {"hardware TCP bundle: inbound-only capture undercounts",
     test_replay_hw_tcp_inbound_only_undercounts},
    {"hardware TCP bundle: untraced ACKs come from the pcap",
     test_replay_hw_tcp_untraced_acks_from_pcap},
    {"hardware TCP bundle: net_dev_xmit queue from XPS",
     test_replay_hw_tcp_xmit_only_queue_from_xps},
    {"hardware TCP bundle: a busy transmit is not replayed",
     test_replay_hw_tcp_busy_transmit_not_replayed},
    {"hardware TCP bundle: bad xps_cpus names the key", test_replay_hw_tcp_bad_xps_names_the_key},
    {"veth has no IRQ model", test_replay_veth_has_no_irq_model},
    {"without RFS the disagreement is listed", test_replay_without_rfs_lists_the_disagreement},
    {"real veth excerpt", test_replay_real_veth_excerpt},
    {"real veth XPS excerpt", test_replay_real_veth_xps_excerpt},
    {"backlog drops and time_squeeze", test_replay_backlog_drops_and_time_squeeze},
    {"no backlog pressure: errors 0", test_replay_no_pressure_backlog_error_is_zero},
    {"no netif_receive_skb: partial", test_replay_without_netif_receive_skb_is_partial},
    {"perf script layout, same result", test_replay_perf_script_layout_gives_same_result},
    {"offset of a non-monotonic trace clock is estimated",
     test_replay_estimates_offset_of_a_non_monotonic_trace_clock},
    {"missing bundle names the file", test_replay_missing_bundle_names_the_file},
    CU_TEST_INFO_NULL,
};

CU_MAIN("replay", cases)
