/* validate/cmp_irq.c: interrupts per vector (trace, /proc/interrupts) against the
 * simulator's NIC + ixgbe driver + ITR replayed on synthetic ixgbe bundles generated
 * consistently with EITR, with and without the host's TCP ACKs on the TxRx vectors. */
#include "tests/unit/cu_main.h"
#include "tests/unit/replay_harness.h"

/* A NIC with MSI-X queue vectors: per vector, irq_handler_entry events vs /proc/interrupts. */
static void test_cmp_irq_irq_per_vector(void)
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
static void test_cmp_irq_hw_bundle_model_irqs_agree(void)
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
static void test_cmp_irq_hw_bundle_itr_mismatch_shows(void)
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
static void test_cmp_irq_hw_bundle_unmatched_is_partial(void)
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
static void test_cmp_irq_hw_bundle_huge_queue_mapping_is_left_out(void)
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

#define HW_WB_US 1 /* TX descriptor write-back after the tail write (DMA + 78 B on the wire) */

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
static void test_cmp_irq_hw_tcp_acks_replayed_irqs_agree(void)
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
static void test_cmp_irq_hw_tcp_inbound_only_undercounts(void)
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
static void test_cmp_irq_hw_tcp_untraced_acks_from_pcap(void)
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
static void test_cmp_irq_hw_tcp_xmit_only_queue_from_xps(void)
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
static void test_cmp_irq_hw_tcp_busy_transmit_not_replayed(void)
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
static void test_cmp_irq_hw_tcp_bad_xps_names_the_key(void)
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
static void test_cmp_irq_veth_has_no_irq_model(void)
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

static CU_TestInfo cases[] = {
    {"IRQs per vector", test_cmp_irq_irq_per_vector},
    {"hardware bundle: model IRQs agree", test_cmp_irq_hw_bundle_model_irqs_agree},
    {"hardware bundle: ITR mismatch shows", test_cmp_irq_hw_bundle_itr_mismatch_shows},
    {"hardware bundle: unmatched packets make it partial",
     test_cmp_irq_hw_bundle_unmatched_is_partial},
    {"hardware bundle: a queue_mapping past 65536 is left out",
     test_cmp_irq_hw_bundle_huge_queue_mapping_is_left_out},
    {"hardware TCP bundle: replayed ACKs make model IRQs agree",
     test_cmp_irq_hw_tcp_acks_replayed_irqs_agree},
    {"hardware TCP bundle: inbound-only capture undercounts",
     test_cmp_irq_hw_tcp_inbound_only_undercounts},
    {"hardware TCP bundle: untraced ACKs come from the pcap",
     test_cmp_irq_hw_tcp_untraced_acks_from_pcap},
    {"hardware TCP bundle: net_dev_xmit queue from XPS",
     test_cmp_irq_hw_tcp_xmit_only_queue_from_xps},
    {"hardware TCP bundle: a busy transmit is not replayed",
     test_cmp_irq_hw_tcp_busy_transmit_not_replayed},
    {"hardware TCP bundle: bad xps_cpus names the key", test_cmp_irq_hw_tcp_bad_xps_names_the_key},
    {"veth has no IRQ model", test_cmp_irq_veth_has_no_irq_model},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cmp_irq", cases)
