/* Synthetic capture bundles for the validate suites (test_replay.c, test_join.c, test_cmp_*.c):
 * a receiver's pcap, ftrace text and config.json written consistently, the Microsoft RSS
 * verification vectors as its packets, and the one-call replay of a bundle directory. */
#ifndef NICSTEER_TESTS_REPLAY_HARNESS_H
#define NICSTEER_TESTS_REPLAY_HARNESS_H

#include "tests/unit/cu_main.h"
#include "validate/replay.h"
#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>

/* Microsoft RSS verification key and vectors ("Verifying the RSS Hash Calculation", also in
 * the 82599 datasheet 7.1.2.8.1): the TCP 4-tuple hash and the IPv4 2-tuple hash (what ixgbe
 * uses for UDP by default). */
static G_GNUC_UNUSED const char *MS_KEY =
    "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:"
    "30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa";

struct synth_pkt {
    const char *src, *dst;
    uint16_t sport, dport;
    uint8_t proto;
    uint32_t hash;
    uint8_t tcp_flags;
};

#define TCP_ACK 0x10

static G_GNUC_UNUSED const struct synth_pkt TCP1 = {"66.9.149.187", "161.142.100.80", 2794, 1766, 6,
                                                    0x51ccc178,     TCP_ACK};
static G_GNUC_UNUSED const struct synth_pkt UDP2 = {
    "199.92.111.2", "65.69.140.83", 14230, 4739, 17, 0xd718262a, 0};
static G_GNUC_UNUSED const struct synth_pkt TCP3 = {
    "24.19.198.95", "12.22.207.184", 12898, 38024, 6, 0x5c2b394a, TCP_ACK};
/* The receiver's SYN-ACK of TCP3's connection (the receiver's address is 12.22.207.184). */
static G_GNUC_UNUSED const struct synth_pkt TCP3_REPLY = {
    "12.22.207.184", "24.19.198.95", 38024, 12898, 6, 0, 0x12};

/* Ethernet + IPv4 + TCP (20 B) or UDP (8 B) header, no payload. Returns the frame length. */
/* When set, frames carry an 802.1Q tag (VLAN 100) as tcpdump shows a tag the NIC stripped. */
static G_GNUC_UNUSED bool synth_vlan;

static G_GNUC_UNUSED unsigned build_frame(const struct synth_pkt *p, uint8_t *f)
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

static G_GNUC_UNUSED void write_pcap(const char *path, const struct synth_pkt *const *pk,
                                     const uint64_t *ts, int n)
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

static G_GNUC_UNUSED char *entry_line(int cpu, uint64_t ts_us, unsigned qm, unsigned skb,
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

static G_GNUC_UNUSED char *rx_line(int cpu, uint64_t ts_us, unsigned skb, const struct synth_pkt *p)
{
    return g_strdup_printf("          <idle>-0       [%03d] ..s1.  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": netif_receive_skb: dev=eth0 skbaddr=%016x len=%u\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, skb, p->proto == 6 ? 40u : 28u);
}

static G_GNUC_UNUSED char *read_line(int cpu, uint64_t ts_us, int fd)
{
    return g_strdup_printf("         python3-100     [%03d] .....  %" G_GUINT64_FORMAT
                           ".%06" G_GUINT64_FORMAT
                           ": sys_recvfrom(fd: %d, ubuf: 0x7f0000001000, size: 0x10000, flags: "
                           "0, addr: 0, addr_len: 0)\n",
                           cpu, ts_us / 1000000, ts_us % 1000000, fd);
}

static G_GNUC_UNUSED char *ethtool_x_text(void)
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

static G_GNUC_UNUSED const char *IRQ_BEFORE =
    "           CPU0       CPU1       \n"
    "  0:         20          0   IO-APIC   2-edge      timer\n"
    " 40:          1          0  PCI-MSIX-0000:01:00.0    0-edge      eth0\n"
    " 41:         10         10  PCI-MSIX-0000:01:00.0    1-edge      eth0-TxRx-0\n"
    " 42:         10         10  PCI-MSIX-0000:01:00.0    2-edge      eth0-TxRx-1\n"
    " 43:         10         10  PCI-MSIX-0000:01:00.0    3-edge      eth0-TxRx-2\n"
    " 44:         10         10  PCI-MSIX-0000:01:00.0    4-edge      eth0-TxRx-3\n"
    "LOC:        100        100   Local timer interrupts\n";
static G_GNUC_UNUSED const char *IRQ_AFTER =
    "           CPU0       CPU1       \n"
    "  0:         20          0   IO-APIC   2-edge      timer\n"
    " 40:          1          0  PCI-MSIX-0000:01:00.0    0-edge      eth0\n"
    " 41:         11         11  PCI-MSIX-0000:01:00.0    1-edge      eth0-TxRx-0\n"
    " 42:         10         10  PCI-MSIX-0000:01:00.0    2-edge      eth0-TxRx-1\n"
    " 43:         11         10  PCI-MSIX-0000:01:00.0    3-edge      eth0-TxRx-2\n"
    " 44:         10         10  PCI-MSIX-0000:01:00.0    4-edge      eth0-TxRx-3\n"
    "LOC:        200        200   Local timer interrupts\n";

static G_GNUC_UNUSED const char *SOFTNET_BEFORE =
    "00000000 00000000 00000000 00000000 00000000 00000000 "
    "00000000 00000000 00000000 00000000 00000000 00000000 "
    "00000000\n"
    "00000000 00000000 00000000 00000000 00000000 00000000 "
    "00000000 00000000 00000000 00000000 00000000 00000000 "
    "00000001\n";
static G_GNUC_UNUSED const char *SOFTNET_AFTER =
    "00000002 00000000 00000000 00000000 00000000 00000000 "
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
static G_GNUC_UNUSED char *tx_line(int cpu, uint64_t ts_us, unsigned txq, unsigned skb)
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
static G_GNUC_UNUSED char *make_bundle_opts(bool with_reply)
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

static G_GNUC_UNUSED char *make_bundle(void)
{
    return make_bundle_opts(false);
}

static G_GNUC_UNUSED void rm_bundle(char *dir)
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

static G_GNUC_UNUSED struct val_report *replay(const char *dir)
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

#endif
