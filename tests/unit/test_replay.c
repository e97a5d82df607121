/* validate/replay.c: the event loop of the replay predicts each packet's CPU (RPS map,
 * RFS from socket reads, the kernel version's qtail rule) and compares it with the trace;
 * unpaired entries, a trace without netif_receive_skb, the perf script layout, a missing
 * bundle. The synthetic bundles: tests/unit/replay_harness.h. */
#include "tests/unit/cu_main.h"
#include "tests/unit/replay_harness.h"

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
    {"RFS follows reads of a connected TCP socket", test_replay_rfs_follows_reads_of_connected_tcp},
    {"RFS qtail rule follows the kernel version",
     test_replay_rfs_qtail_rule_follows_kernel_version},
    {"unpaired entry leaves the model counts", test_replay_unpaired_entry_leaves_model_counts},
    {"without RFS the disagreement is listed", test_replay_without_rfs_lists_the_disagreement},
    {"real veth excerpt", test_replay_real_veth_excerpt},
    {"real veth XPS excerpt", test_replay_real_veth_xps_excerpt},
    {"no netif_receive_skb: partial", test_replay_without_netif_receive_skb_is_partial},
    {"perf script layout, same result", test_replay_perf_script_layout_gives_same_result},
    {"missing bundle names the file", test_replay_missing_bundle_names_the_file},
    CU_TEST_INFO_NULL,
};

CU_MAIN("replay", cases)
