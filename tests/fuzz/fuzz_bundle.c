/* libFuzzer target: a capture bundle's config.json (validate/bundle.c, spec
 * capture-bundle.md) with its embedded sysfs, sysctl and /proc snapshots. The
 * input is written as config.json of a scratch bundle that also holds an
 * empty trace.txt and pcap.pcap; a bundle that loads answers every accessor. */
#include <glib/gstdio.h>
#include <stdio.h>

#include "tests/fuzz/fuzz.h"
#include "validate/bundle.h"

static const char *bundle_dir;
static char *config_path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    bundle_dir = fuzz_scratch_dir("bundle");
    config_path = g_build_filename(bundle_dir, "config.json", NULL);
    static const char *const empty[] = {"trace.txt", "pcap.pcap"};
    for (size_t i = 0; i < G_N_ELEMENTS(empty); i++) {
        char *p = g_build_filename(bundle_dir, empty[i], NULL);
        if (!g_file_set_contents(p, "", 0, NULL))
            abort();
        g_free(p);
    }
    return 0;
}

static void query(const struct val_bundle *b)
{
    FUZZ_CHECK(val_bundle_dir(b) && val_bundle_trace_path(b) && val_bundle_pcap_path(b));
    val_bundle_kernel(b);
    int ncpus = val_bundle_ncpus(b), queues = val_bundle_queues(b);
    val_bundle_hz(b);
    const char *rx = val_bundle_rx_dev(b), *tx = val_bundle_tx_dev(b);
    val_bundle_rx_driver(b);
    val_bundle_rx_addr(b);
    for (int q = 0; q < queues && q < 64; q++) {
        val_bundle_rps_cpus(b, q);
        val_bundle_rps_flow_cnt(b, q);
        struct sim_cpumask m;
        const char *devs[] = {rx, tx};
        for (int d = 0; d < 2; d++) {
            if (!devs[d])
                continue;
            GError *err = NULL;
            FUZZ_CHECK(val_bundle_xps(b, devs[d], q, "xps_cpus", &m, &err) == (err == NULL));
            g_clear_error(&err);
            FUZZ_CHECK(val_bundle_xps(b, devs[d], q, "xps_rxqs", &m, &err) == (err == NULL));
            g_clear_error(&err);
        }
    }
    FUZZ_CHECK(val_bundle_sysctl(b));
    const char *which = "xlkc";
    for (int i = 0; i < 4; i++)
        if (rx)
            val_bundle_ethtool(b, which[i], rx);
    for (int after = 0; after < 2; after++) {
        val_bundle_softnet(b, after);
        val_bundle_interrupts(b, after);
        val_bundle_softirqs(b, after);
        val_bundle_clock_offset_ns(b, after);
    }
    val_bundle_trace_clock(b);
    val_bundle_trace_event_enabled(b, "napi:napi_poll");
    val_bundle_trace_event_enabled(b, "netif_receive_skb");
    val_bundle_lost_events(b);
    for (int c = 0; c < ncpus && c < 1024; c++)
        val_bundle_lost_events_cpu(b, c);
    int n;
    const struct val_socket *s = val_bundle_sockets(b, &n);
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(i == 0 || s[i].fd >= s[i - 1].fd);
        FUZZ_CHECK(val_bundle_socket_by_fd(b, s[i].fd));
    }
    val_bundle_threads(b, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(fuzz_write_file(config_path, data, size));
    GError *err = NULL;
    struct val_bundle *b = val_bundle_load(bundle_dir, &err);
    FUZZ_CHECK((b == NULL) == (err != NULL));
    if (b)
        query(b);
    g_clear_error(&err);
    val_bundle_free(b);
    return 0;
}
