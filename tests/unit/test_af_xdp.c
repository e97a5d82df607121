/* models/app/af_xdp.c: xdpsock-like readers in poll mode. They read every descriptor the
 * program redirected, sleep in poll() when the ring is empty and are woken by xsk_flush;
 * a reader slower than the traffic lets the RX ring fill (rx_ring_full) and the packets it
 * did read waited in the ring. */
#include "models/app/af_xdp.h"
#include "tests/unit/sim_harness.h"

static const char *fmt = "{\"cpus\": 2, \"duration_ms\": 20, \"nic\": {\"irq_affinity\": [0],"
                         " \"xdp\": {\"prog\": \"redirect\", \"xsk_entries\": 256}},"
                         " \"costs\": {\"app_per_msg\": %u},"
                         " \"app\": {\"workload\": \"af_xdp\", \"cpus\": [1]},"
                         " \"traffic\": {\"duration_s\": 0.01, \"flows\": [{\"count\": 4,"
                         " \"proto\": \"udp\", \"rate_pps\": %u}]}}";

static struct sim_result run_fmt(unsigned app_ns, unsigned pps)
{
    char *s = g_strdup_printf(fmt, app_ns, pps);
    struct sim_result r = run(s);
    g_free(s);
    return r;
}

static void test_reader_reads_everything_and_sleeps_in_poll(void)
{
    struct sim_result r = run_fmt(200, 200000);
    CU_ASSERT_TRUE(r.xdp.on && r.xdp.xsk);
    CU_ASSERT_EQUAL(r.xdp.redirect, r.offered);
    CU_ASSERT_EQUAL(r.xdp.xsk_rx, r.offered);
    CU_ASSERT_EQUAL(r.xdp.xsk_read, r.offered);
    CU_ASSERT_EQUAL(r.xdp.xsk_ring_full, 0);
    CU_ASSERT_EQUAL(r.delivered, r.offered);
    CU_ASSERT_EQUAL(r.stack_calls, 0); /* nothing went through the stack */
    CU_ASSERT_TRUE(r.xdp.reader_polls > 100);
    CU_ASSERT_TRUE(r.xdp.xsk_wakeups > 100);
    const struct sim_thread_result *t = thread(&r, "xdpsock/0");
    CU_ASSERT_EQUAL(t->cpu, 1);
    CU_ASSERT_TRUE(t->wakeups > 100);
    /* the read comes after the publish */
    CU_ASSERT_EQUAL(r.xdp.read_latency.count, r.offered);
    CU_ASSERT_TRUE(sim_hist_quantile(&r.xdp.read_latency, 0.5) >
                   sim_hist_quantile(&r.latency, 0.5));
    sim_result_clear(&r);
}

static void test_slow_reader_fills_ring(void)
{
    /* 5 us per packet on the reader, 400 kpps offered: the reader takes 200 kpps */
    struct sim_result r = run_fmt(5000, 400000);
    CU_ASSERT_TRUE(r.xdp.xsk_ring_full > r.offered / 4);
    CU_ASSERT_EQUAL(r.xdp.redirect_err, r.xdp.xsk_ring_full);
    CU_ASSERT_TRUE(r.dropped >= r.xdp.xsk_ring_full);
    /* what it read waited for a full 256-entry ring: >= 256 x 5 us at the median */
    CU_ASSERT_TRUE(sim_hist_quantile(&r.xdp.read_latency, 0.5) > 1000000);
    sim_result_clear(&r);
}

static CU_TestInfo cases[] = {
    {"test_reader_reads_everything_and_sleeps_in_poll",
     test_reader_reads_everything_and_sleeps_in_poll},
    {"test_slow_reader_fills_ring", test_slow_reader_fills_ring},
    CU_TEST_INFO_NULL,
};

CU_MAIN("af_xdp", cases)
