/* validate/bundle.c: capture bundles load with typed accessors; bad bundles name the key/file.
 * With NICSTEER_TEST_BUNDLE=<dir> it also loads that bundle (used by the capture self-test). */
#include "validate/bundle.h"

#include "validate/trace.h"

#include "tests/unit/cu_main.h"

#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>

static struct val_bundle *shared_bundle(const char *rel)
{
    char *dir = cu_shared_path(rel);
    if (!dir)
        return NULL;
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(dir, &err);
    if (err)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_PTR_NULL(err);
    g_clear_error(&err);
    g_free(dir);
    return b;
}

static void test_bundle_rps2_typed_accessors(void)
{
    struct val_bundle *b = shared_bundle("traces/veth/rps2");
    if (!b)
        return;
    CU_ASSERT_STRING_EQUAL(val_bundle_kernel(b), "6.18.44-fc-v769");
    CU_ASSERT_EQUAL(val_bundle_ncpus(b), 2);
    CU_ASSERT_EQUAL(val_bundle_hz(b), 250);
    CU_ASSERT_STRING_EQUAL(val_bundle_rx_dev(b), "vB");
    CU_ASSERT_STRING_EQUAL(val_bundle_rx_driver(b), "veth");
    CU_ASSERT_STRING_EQUAL(val_bundle_rx_addr(b), "10.200.196.2");
    CU_ASSERT_STRING_EQUAL(val_bundle_tx_dev(b), "vA");
    CU_ASSERT_EQUAL(val_bundle_queues(b), 4);
    for (int q = 0; q < 4; q++) {
        CU_ASSERT_EQUAL(sim_cpumask_weight(val_bundle_rps_cpus(b, q)), 2);
        CU_ASSERT_EQUAL(val_bundle_rps_flow_cnt(b, q), 0);
    }
    CU_ASSERT_PTR_NULL(val_bundle_rps_cpus(b, 4));
    CU_ASSERT(g_str_has_suffix(val_bundle_trace_path(b), "/trace.txt"));
    CU_ASSERT(g_str_has_suffix(val_bundle_pcap_path(b), "/pcap.pcap"));
    const struct val_sysctl *s = val_bundle_sysctl(b);
    CU_ASSERT_EQUAL(s->netdev_budget, 300);
    CU_ASSERT_EQUAL(s->netdev_budget_usecs, 8000);
    CU_ASSERT_EQUAL(s->dev_weight, 64);
    CU_ASSERT_EQUAL(s->netdev_max_backlog, 1000);
    CU_ASSERT_EQUAL(s->gro_normal_batch, 8);
    CU_ASSERT_EQUAL(s->rps_sock_flow_entries, 0);
    CU_ASSERT_EQUAL(s->flow_limit_table_len, 4096);
    CU_ASSERT_STRING_EQUAL(val_bundle_trace_clock(b), "mono");
    CU_ASSERT_EQUAL(val_bundle_lost_events(b), 0);
    CU_ASSERT_EQUAL(val_bundle_lost_events_cpu(b, 1), 0);
    CU_ASSERT_EQUAL(val_bundle_trace_event_enabled(b, "napi:napi_poll"), 1);
    CU_ASSERT_EQUAL(val_bundle_trace_event_enabled(b, "netif_rx_entry"), 1);
    CU_ASSERT_EQUAL(val_bundle_trace_event_enabled(b, "net:net_dev_queue"), 0);
    CU_ASSERT_EQUAL(val_bundle_clock_offset_ns(b, false), 1795339415991083080LL);
    CU_ASSERT_EQUAL(val_bundle_clock_offset_ns(b, true), 1795339415991083065LL);
    CU_ASSERT_PTR_NOT_NULL(val_bundle_ethtool(b, 'l', "vB"));
    CU_ASSERT_PTR_NOT_NULL(val_bundle_ethtool(b, 'x', "vB"));
    CU_ASSERT_PTR_NULL(val_bundle_ethtool(b, 'c', "vB"));
    CU_ASSERT_EQUAL(val_bundle_softnet(b, true)->nrows, 2);
    CU_ASSERT_EQUAL(val_bundle_softnet(b, false)->rows[0].processed, 0x295e);
    CU_ASSERT_EQUAL(val_softirqs_get(val_bundle_softirqs(b, true), "NET_RX", 1), 19005);
    CU_ASSERT_PTR_NOT_NULL(val_interrupts_by_action(val_bundle_interrupts(b, false), "virtio3-rx"));

    int n;
    const struct val_socket *socks = val_bundle_sockets(b, &n);
    CU_ASSERT_EQUAL_FATAL(n, 10);
    CU_ASSERT_EQUAL(socks[0].fd, 3);
    CU_ASSERT_EQUAL(socks[0].kind, VAL_SOCK_UDP);
    CU_ASSERT_EQUAL(socks[0].port, 9000);
    CU_ASSERT_EQUAL(socks[0].thread, 0);
    const struct val_socket *t = val_bundle_socket_by_fd(b, 11);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(t->kind, VAL_SOCK_TCP);
    CU_ASSERT_STRING_EQUAL(t->peer, "10.200.196.1:21000");
    CU_ASSERT_PTR_NULL(val_bundle_socket_by_fd(b, 7));
    const struct val_thread *th = val_bundle_threads(b, &n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(th[0].thread, 1);
    CU_ASSERT_EQUAL(th[0].tid, 21285);
    val_bundle_free(b);
}

static void test_bundle_perqueue_rps_and_sender_xps(void)
{
    struct val_bundle *b = shared_bundle("traces/veth/rps-perqueue-xps");
    if (!b)
        return;
    /* README: rx-0:{0} rx-1:{1} rx-2:{0,1} rx-3:{1}; sender tx-0,1 -> cpu0, tx-2,3 -> cpu1. */
    CU_ASSERT_EQUAL(sim_cpumask_weight(val_bundle_rps_cpus(b, 0)), 1);
    CU_ASSERT_EQUAL(sim_cpumask_nth(val_bundle_rps_cpus(b, 0), 0), 0);
    CU_ASSERT_EQUAL(sim_cpumask_weight(val_bundle_rps_cpus(b, 1)), 1);
    CU_ASSERT_EQUAL(sim_cpumask_nth(val_bundle_rps_cpus(b, 1), 0), 1);
    CU_ASSERT_EQUAL(sim_cpumask_weight(val_bundle_rps_cpus(b, 2)), 2);
    CU_ASSERT_TRUE(sim_cpumask_test(val_bundle_rps_cpus(b, 3), 1));
    struct sim_cpumask m;
    CU_ASSERT_TRUE(val_bundle_xps(b, "vA", 1, "xps_cpus", &m, NULL));
    CU_ASSERT_TRUE(sim_cpumask_test(&m, 0));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 1);
    CU_ASSERT_TRUE(val_bundle_xps(b, "vA", 2, "xps_cpus", &m, NULL));
    CU_ASSERT_TRUE(sim_cpumask_test(&m, 1));
    CU_ASSERT_TRUE(val_bundle_xps(b, "vA", 2, "xps_rxqs", &m, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 0);
    GError *err = NULL;
    CU_ASSERT_FALSE(val_bundle_xps(b, "vA", 9, "xps_cpus", &m, &err));
    CU_ASSERT(err && strstr(err->message, "/sysfs_queues/vA/tx-9/xps_cpus: missing"));
    g_clear_error(&err);
    val_bundle_free(b);
}

static void test_bundle_rfs_sizes_and_all_shared_load(void)
{
    struct val_bundle *b = shared_bundle("traces/veth/rps-rfs-unpinned");
    if (!b)
        return;
    CU_ASSERT_EQUAL(val_bundle_sysctl(b)->rps_sock_flow_entries, 32768);
    CU_ASSERT_EQUAL(val_bundle_rps_flow_cnt(b, 3), 8192);
    val_bundle_free(b);
    static const char *const rest[] = {"traces/veth/udp-burst-rps2",
                                       "traces/veth-highrate/backlog-default"};
    for (size_t i = 0; i < G_N_ELEMENTS(rest); i++) {
        b = shared_bundle(rest[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        int n;
        val_bundle_sockets(b, &n);
        CU_ASSERT_EQUAL(n, 4);
        CU_ASSERT_EQUAL(val_bundle_lost_events(b), 0);
        val_bundle_free(b);
    }
    b = shared_bundle("traces/veth-highrate/backlog-default");
    /* RPS sends every rx queue to CPU1 only. */
    for (int q = 0; q < val_bundle_queues(b); q++) {
        CU_ASSERT_EQUAL(sim_cpumask_weight(val_bundle_rps_cpus(b, q)), 1);
        CU_ASSERT_TRUE(sim_cpumask_test(val_bundle_rps_cpus(b, q), 1));
    }
    val_bundle_free(b);
}

/* ---- invalid bundles built in a temp dir from a minimal valid config ---- */

static json_t *minimal_config(void)
{
    json_t *j = json_pack(
        "{s:s, s:{s:s, s:i, s:i}, s:{s:{s:s, s:s}, s:i},"
        " s:{s:{s:{s:s, s:s}, s:{s:s}}},"
        " s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s},"
        " s:{s:{s:I}, s:{s:I}}}",
        "schema", "nicsteer-capture/1", "host", "kernel", "6.12.0", "ncpus", 4, "hz", 1000,
        "topology", "receiver", "dev", "eth0", "driver", "ixgbe", "queues_per_side", 2,
        "sysfs_queues", "eth0", "rx-0", "rps_cpus", "00000000,0000000f", "rps_flow_cnt", "2048",
        "rx-1", "rps_cpus", "0", "softnet_stat", "before",
        "00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
        "00000000 00000000\n",
        "after",
        "00000005 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
        "00000000 00000000\n",
        "sysctl_net_core", "netdev_budget", "600", "future_knob", "whatever", "trace", "clock",
        "mono", "file", "t.txt", "per_cpu_overrun", "cpu0 overrun: 3 dropped events: 1 \n", "pcap",
        "file", "p.pcap", "clock", "before", "realtime_minus_mono_ns", (json_int_t)1000, "after",
        "realtime_minus_mono_ns", (json_int_t)1010);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    json_object_set_new(j, "some_future_section", json_pack("{s:[i,i]}", "x", 1, 2));
    return j;
}

static char *make_bundle(json_t *cfg, bool with_trace, bool with_pcap)
{
    char *dir = g_dir_make_tmp("nicsteer-bundle-XXXXXX", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
    char *p = g_build_filename(dir, "config.json", NULL);
    if (cfg)
        CU_ASSERT_EQUAL(json_dump_file(cfg, p, 0), 0);
    g_free(p);
    if (with_trace) {
        p = g_build_filename(dir, "t.txt", NULL);
        g_file_set_contents(p, "# tracer: nop\n", -1, NULL);
        g_free(p);
    }
    if (with_pcap) {
        p = g_build_filename(dir, "p.pcap", NULL);
        g_file_set_contents(p, "", 0, NULL);
        g_free(p);
    }
    return dir;
}

static void remove_bundle(char *dir)
{
    const char *names[] = {"config.json", "t.txt", "p.pcap"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_build_filename(dir, names[i], NULL);
        g_remove(p);
        g_free(p);
    }
    g_rmdir(dir);
    g_free(dir);
}

/* Loads cfg as a bundle and returns the error message (NULL when it loaded). */
static char *load_error(json_t *cfg, bool with_trace, bool with_pcap)
{
    char *dir = make_bundle(cfg, with_trace, with_pcap);
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(dir, &err);
    char *msg = err ? g_strdup(err->message) : NULL;
    CU_ASSERT((b == NULL) == (err != NULL));
    val_bundle_free(b);
    g_clear_error(&err);
    remove_bundle(dir);
    return msg;
}

static void test_bundle_minimal_config_defaults_and_unknown_keys(void)
{
    json_t *cfg = minimal_config();
    char *dir = make_bundle(cfg, true, true);
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(dir, &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    const struct val_sysctl *s = val_bundle_sysctl(b);
    CU_ASSERT_EQUAL(s->netdev_budget, 600);
    CU_ASSERT_EQUAL(s->netdev_budget_usecs, 2000); /* 2 * USEC_PER_SEC / HZ at HZ=1000 */
    CU_ASSERT_EQUAL(s->dev_weight, 64);
    CU_ASSERT_EQUAL(s->netdev_max_backlog, 1000);
    CU_ASSERT_EQUAL(s->gro_normal_batch, 8);
    CU_ASSERT_EQUAL(s->rps_sock_flow_entries, 0);
    CU_ASSERT_EQUAL(sim_cpumask_weight(val_bundle_rps_cpus(b, 0)), 4);
    CU_ASSERT_EQUAL(val_bundle_rps_flow_cnt(b, 0), 2048);
    CU_ASSERT_EQUAL(val_bundle_rps_flow_cnt(b, 1), 0);
    CU_ASSERT(g_str_has_suffix(val_bundle_trace_path(b), "/t.txt"));
    CU_ASSERT(g_str_has_suffix(val_bundle_pcap_path(b), "/p.pcap"));
    CU_ASSERT_EQUAL(val_bundle_lost_events(b), 4);
    CU_ASSERT_EQUAL(val_bundle_lost_events_cpu(b, 0), 4);
    CU_ASSERT_EQUAL(val_bundle_clock_offset_ns(b, true), 1010);
    CU_ASSERT_PTR_NULL(val_bundle_interrupts(b, false));
    CU_ASSERT_PTR_NULL(val_bundle_tx_dev(b));
    CU_ASSERT_EQUAL(val_bundle_trace_event_enabled(b, "napi:napi_poll"), -1);
    int n;
    val_bundle_sockets(b, &n);
    CU_ASSERT_EQUAL(n, 0);
    val_bundle_free(b);
    remove_bundle(dir);

    /* HZ=250 gives the 8000 us default seen on the veth host. */
    json_object_set_new(json_object_get(cfg, "host"), "hz", json_integer(250));
    dir = make_bundle(cfg, true, true);
    b = val_bundle_load(dir, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(val_bundle_sysctl(b)->netdev_budget_usecs, 8000);
    val_bundle_free(b);
    remove_bundle(dir);
    json_decref(cfg);
}

static void expect_error(json_t *cfg, bool trace, bool pcap, const char *want)
{
    char *msg = load_error(cfg, trace, pcap);
    CU_ASSERT_PTR_NOT_NULL(msg);
    if (msg && !strstr(msg, want)) {
        fprintf(stderr, "error \"%s\" lacks \"%s\"\n", msg, want);
        CU_FAIL("error message does not name the place");
    }
    g_free(msg);
}

/* Loads cfg with trace text in t.txt; returns the bundle (caller frees) in *dirp. */
static struct val_bundle *load_with_trace(json_t *cfg, const char *trace, char **dirp)
{
    char *dir = make_bundle(cfg, false, true);
    char *p = g_build_filename(dir, "t.txt", NULL);
    g_file_set_contents(p, trace, -1, NULL);
    g_free(p);
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(dir, &err);
    if (err)
        fprintf(stderr, "load: %s\n", err->message);
    g_clear_error(&err);
    *dirp = dir;
    return b;
}

/* The first note containing want, or NULL. */
static const char *note_with(const struct val_bundle *b, const char *want)
{
    const GPtrArray *n = val_bundle_notes(b);
    for (guint i = 0; i < n->len; i++)
        if (strstr(n->pdata[i], want))
            return n->pdata[i];
    return NULL;
}

/* host.hz null or absent (a VM without /proc/config.gz): estimated from the
 * trace's tick-driven softirq raises, else 250, and said in the notes (#10). */
static void test_bundle_missing_hz_is_estimated_or_assumed(void)
{
    json_t *cfg = minimal_config();
    json_object_del(json_object_get(cfg, "host"), "hz");
    char *dir;
    struct val_bundle *b = load_with_trace(cfg, "# tracer: nop\n", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(val_bundle_hz(b), 250);
    CU_ASSERT_PTR_NOT_NULL(note_with(b, "too few ticks to tell (0 intervals): HZ=250 assumed"));
    CU_ASSERT_EQUAL(val_bundle_sysctl(b)->netdev_budget_usecs, 8000);
    val_bundle_free(b);
    remove_bundle(dir);

    /* HZ=100: TIMER and SCHED raised in the same tick, ticks skipped while idle. */
    json_object_set_new(json_object_get(cfg, "host"), "hz", json_null());
    GString *t = g_string_new("# tracer: nop\n");
    int tick = 0;
    for (int k = 0; k < 120; k++) {
        tick += 1 + k % 3; /* gaps of 1 to 3 ticks */
        double ts = 100.0 + tick * 0.010 + (k % 5) * 3e-6;
        g_string_append_printf(t,
                               "          <idle>-0       [001] d.h1.  %.6f: softirq_raise: vec=1 "
                               "[action=TIMER]\n"
                               "          <idle>-0       [001] d.h1.  %.6f: softirq_raise: vec=7 "
                               "[action=SCHED]\n",
                               ts, ts + 2e-6);
    }
    b = load_with_trace(cfg, t->str, &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(val_bundle_hz(b), 100);
    CU_ASSERT_PTR_NOT_NULL(note_with(b, "host.hz not recorded: HZ=100 estimated from 119 tick"));
    CU_ASSERT_EQUAL(val_bundle_sysctl(b)->netdev_budget_usecs, 20000);
    val_bundle_free(b);
    remove_bundle(dir);
    g_string_free(t, TRUE);

    /* A recorded HZ is taken as it is, with no note. */
    json_object_set_new(json_object_get(cfg, "host"), "hz", json_integer(1000));
    b = load_with_trace(cfg, "# tracer: nop\n", &dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(val_bundle_hz(b), 1000);
    CU_ASSERT_EQUAL(val_bundle_notes(b)->len, 0);
    val_bundle_free(b);
    remove_bundle(dir);
    json_decref(cfg);
}

static void test_bundle_missing_key_named_as_json_pointer(void)
{
    json_t *cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "host"), "hz", json_string("fast"));
    expect_error(cfg, true, true, "config.json: /host/hz: expected an integer, got \"fast\"");
    json_decref(cfg);

    /* A wrong type for a file name is an error, not the default name (#10). */
    cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "pcap"), "file", json_integer(3));
    expect_error(cfg, true, true, "config.json: /pcap/file: expected a file name, got 3");
    json_decref(cfg);

    cfg = minimal_config();
    json_object_del(
        json_object_get(json_object_get(json_object_get(cfg, "sysfs_queues"), "eth0"), "rx-1"),
        "rps_cpus");
    expect_error(cfg, true, true, "config.json: /sysfs_queues/eth0/rx-1/rps_cpus: missing");
    json_decref(cfg);

    cfg = minimal_config();
    json_object_del(cfg, "softnet_stat");
    expect_error(cfg, true, true, "/softnet_stat/before: missing");
    json_decref(cfg);

    cfg = minimal_config();
    json_object_del(json_object_get(json_object_get(cfg, "clock"), "after"),
                    "realtime_minus_mono_ns");
    expect_error(cfg, true, true, "/clock/after/realtime_minus_mono_ns: missing");
    json_decref(cfg);
}

static void test_bundle_bad_values_named(void)
{
    json_t *cfg = minimal_config();
    json_object_set_new(cfg, "schema", json_string("nicsteer-capture/2"));
    expect_error(cfg, true, true, "/schema: \"nicsteer-capture/2\" is not \"nicsteer-capture/1\"");
    json_decref(cfg);

    cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "sysctl_net_core"), "dev_weight", json_string("lots"));
    expect_error(cfg, true, true, "/sysctl_net_core/dev_weight: expected an integer, got \"lots\"");
    json_decref(cfg);

    /* proc_do_dev_weight refuses 0 (extra1 = SYSCTL_ONE): such a bundle was not recorded */
    cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "sysctl_net_core"), "dev_weight", json_string("0"));
    expect_error(cfg, true, true,
                 "/sysctl_net_core/dev_weight: 0 is below 1, the least the kernel accepts");
    json_decref(cfg);

    cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "softnet_stat"), "after",
                        json_string("00000001 00000002\n"));
    expect_error(cfg, true, true,
                 "config.json:/softnet_stat/after: line 1: expected 11, 13 or 15 hex columns");
    json_decref(cfg);

    cfg = minimal_config();
    json_t *socks = json_pack("{s:{s:s, s:i}}", "7", "kind", "sctp", "thread", 0);
    json_object_set_new(cfg, "workload", json_pack("{s:{s:o}}", "rx_result", "sockets", socks));
    expect_error(cfg, true, true,
                 "/workload/rx_result/sockets/7: kind \"sctp\" is not \"udp\" or \"tcp\"");
    json_decref(cfg);
}

static void set_rps_cpus(json_t *cfg, const char *q, const char *mask)
{
    json_t *rx = json_object_get(json_object_get(json_object_get(cfg, "sysfs_queues"), "eth0"), q);
    json_object_set_new(rx, "rps_cpus", json_string(mask));
}

/* Masks are read by bitmap_parse (models/kernel/cpumask.c); the bundle names where they sit. */
static void test_bundle_bad_cpu_masks_named_by_json_pointer(void)
{
    json_t *cfg = minimal_config();
    set_rps_cpus(cfg, "rx-1", "0000ffff,xyz");
    expect_error(cfg, true, true,
                 "config.json: /sysfs_queues/eth0/rx-1/rps_cpus: CPU mask \"0000ffff,xyz\": "
                 "position 10: expected a hex digit");
    set_rps_cpus(cfg, "rx-1", "");
    expect_error(cfg, true, true, "config.json: /sysfs_queues/eth0/rx-1/rps_cpus: empty CPU mask");
    set_rps_cpus(cfg, "rx-1",
                 "1,00000000,00000000,00000000,00000000,00000000,00000000,"
                 "00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                 "00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                 "00000000,00000000,00000000,00000000,00000000,00000000,00000000,"
                 "00000000,00000000,00000000,00000000,00000000");
    expect_error(cfg, true, true, "/rx-1/rps_cpus: CPU mask \"1,");
    json_decref(cfg);

    cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "sysctl_net_core"), "flow_limit_cpu_bitmap",
                        json_string("123456789"));
    expect_error(cfg, true, true,
                 "/sysctl_net_core/flow_limit_cpu_bitmap: CPU mask \"123456789\": position 1: "
                 "expected at most 8 hex digits");
    json_decref(cfg);
}

/* Other devices' queues (the veth sender) read as store_rps_map()/kstrtoul() would. */
static void test_bundle_other_device_rx_queues(void)
{
    json_t *cfg = minimal_config();
    json_object_set_new(json_object_get(cfg, "sysfs_queues"), "eth1",
                        json_pack("{s:{s:s}, s:{s:s}}", "rx-0", "rps_flow_cnt", "0x100", "rx-1",
                                  "rps_cpus", "2\n"));
    char *dir = make_bundle(cfg, true, true);
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(dir, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(val_bundle_rx_queues(b, "eth1"), 2);
    CU_ASSERT_EQUAL(val_bundle_rx_queues(b, "eth0"), 2);
    CU_ASSERT_EQUAL(val_bundle_rx_queues(b, "lo"), 0);
    struct sim_cpumask m;
    uint64_t cnt = 1;
    CU_ASSERT_TRUE(val_bundle_rx_queue(b, "eth1", 0, &m, &cnt, NULL));
    CU_ASSERT_TRUE(sim_cpumask_empty(&m));
    CU_ASSERT_EQUAL(cnt, 256);
    CU_ASSERT_TRUE(val_bundle_rx_queue(b, "eth1", 1, &m, &cnt, NULL));
    CU_ASSERT_EQUAL(sim_cpumask_weight(&m), 1);
    CU_ASSERT_TRUE(sim_cpumask_test(&m, 1));
    CU_ASSERT_EQUAL(cnt, 0);
    val_bundle_free(b);
    remove_bundle(dir);

    json_object_set_new(json_object_get(json_object_get(cfg, "sysfs_queues"), "eth1"), "rx-0",
                        json_pack("{s:s}", "rps_flow_cnt", "-1"));
    dir = make_bundle(cfg, true, true);
    b = val_bundle_load(dir, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_FALSE(val_bundle_rx_queue(b, "eth1", 0, &m, &cnt, &err));
    CU_ASSERT(err && strstr(err->message, "config.json: /sysfs_queues/eth1/rx-0/rps_flow_cnt: "
                                          "rps_flow_cnt \"-1\": expected an unsigned"));
    g_clear_error(&err);
    val_bundle_free(b);
    remove_bundle(dir);
    json_decref(cfg);
}

static void test_bundle_missing_files_named(void)
{
    json_t *cfg = minimal_config();
    expect_error(cfg, false, true, "/t.txt: missing (bundle file named by /trace/file)");
    expect_error(cfg, true, false, "/p.pcap: missing (bundle file named by /pcap/file)");
    expect_error(NULL, true, true, "/config.json: missing");
    json_decref(cfg);
}

/* The bundle recorded by validate/capture.sh --selftest (set by the integration test). */
static void test_bundle_env_bundle_loads_and_trace_has_receives(void)
{
    const char *dir = g_getenv("NICSTEER_TEST_BUNDLE");
    if (!dir) {
        fprintf(stderr, "SKIP: NICSTEER_TEST_BUNDLE not set\n");
        return;
    }
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(dir, &err);
    if (err)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    struct val_trace_reader *r = val_trace_open(val_bundle_trace_path(b), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct val_trace_event ev;
    uint64_t rx = 0;
    while (val_trace_next(r, &ev, NULL) == 1)
        rx +=
            ev.kind == VAL_EV_NETIF_RECEIVE_SKB && strcmp(ev.u.skb.dev, val_bundle_rx_dev(b)) == 0;
    CU_ASSERT(rx > 0);
    CU_ASSERT_EQUAL(val_trace_get_stats(r)->garbled, 0);
    fprintf(stderr, "bundle %s: %" G_GUINT64_FORMAT " netif_receive_skb on %s\n", dir, rx,
            val_bundle_rx_dev(b));
    val_trace_free(r);
    val_bundle_free(b);
}

/* The host class from config.json alone: no trace or pcap needed; a bad /host is named. */
static void test_bundle_host_class_from_config_alone(void)
{
    json_t *cfg = minimal_config();
    char *dir = make_bundle(cfg, false, false);
    GError *err = NULL;
    char *h = val_bundle_host_class_at(dir, &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_TRUE(h && !strcmp(h, "6.12.0, 4 CPUs"));
    g_free(h);
    json_object_set_new(json_object_get(cfg, "host"), "ncpus", json_string("four"));
    char *p = g_build_filename(dir, "config.json", NULL);
    CU_ASSERT_EQUAL(json_dump_file(cfg, p, 0), 0);
    g_free(p);
    CU_ASSERT_PTR_NULL(val_bundle_host_class_at(dir, &err));
    CU_ASSERT_TRUE(err && strstr(err->message, "config.json") &&
                   strstr(err->message, "/host/ncpus"));
    g_clear_error(&err);
    json_decref(cfg);
    remove_bundle(dir);
}

static CU_TestInfo cases[] = {
    {"host class from config.json alone", test_bundle_host_class_from_config_alone},
    {"test_bundle_rps2_typed_accessors", test_bundle_rps2_typed_accessors},
    {"test_bundle_perqueue_rps_and_sender_xps", test_bundle_perqueue_rps_and_sender_xps},
    {"test_bundle_rfs_sizes_and_all_shared_load", test_bundle_rfs_sizes_and_all_shared_load},
    {"test_bundle_minimal_config_defaults_and_unknown_keys",
     test_bundle_minimal_config_defaults_and_unknown_keys},
    {"test_bundle_missing_hz_is_estimated_or_assumed",
     test_bundle_missing_hz_is_estimated_or_assumed},
    {"test_bundle_missing_key_named_as_json_pointer",
     test_bundle_missing_key_named_as_json_pointer},
    {"test_bundle_bad_values_named", test_bundle_bad_values_named},
    {"test_bundle_bad_cpu_masks_named_by_json_pointer",
     test_bundle_bad_cpu_masks_named_by_json_pointer},
    {"test_bundle_other_device_rx_queues", test_bundle_other_device_rx_queues},
    {"test_bundle_missing_files_named", test_bundle_missing_files_named},
    {"test_bundle_env_bundle_loads_and_trace_has_receives",
     test_bundle_env_bundle_loads_and_trace_has_receives},
    CU_TEST_INFO_NULL,
};

CU_MAIN("bundle", cases)
