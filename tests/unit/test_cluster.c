/* sim/host/cluster.c: a multi-host document's checks, and its cables: a frame reaches the
 * other host after the cable's latency and its serialisation at gbps, and every frame sent
 * is accounted for at the other end. */
#include <string.h>

#include "sim/core/result.h"
#include "sim/host/cluster.h"
#include "sim/host/machine.h"
#include "tests/unit/cu_main.h"

#define TRAFFIC                                                                                    \
    "\"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 1, \"proto\": \"tcp\", "         \
    "\"frame_len\": 128, \"rate_pps\": 1000}]}"

/* client (one connection) <-> server (rr, no service time), one cable. */
static char *two_hosts(double latency_us, double gbps, unsigned response_bytes)
{
    return g_strdup_printf(
        "{\"duration_ms\": 50, \"hosts\": {"
        "\"client\": {\"cpus\": 1, \"app\": {\"workload\": \"rr_client\", \"rtt_us\": 10}, " TRAFFIC
        "},"
        "\"server\": {\"cpus\": 1, \"app\": {\"workload\": \"rr\", \"service_us\": 0, "
        "\"response_bytes\": %u}, " TRAFFIC "}},"
        "\"links\": [{\"from\": \"client/eth0\", \"to\": \"server/eth0\", \"latency_us\": %g, "
        "\"gbps\": %g}]}",
        response_bytes, latency_us, gbps);
}

static struct sim_cluster *load(const char *text, GError **err)
{
    json_t *root = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_TRUE(sim_cluster_is(root));
    struct sim_cluster *c = sim_cluster_from_json(root, "t", NULL, err);
    json_decref(root);
    return c;
}

/* The client's mean request latency (ns) of a run of `text`. */
static double client_mean_ns(const char *text, uint64_t *sent, uint64_t *arrived)
{
    GError *err = NULL;
    struct sim_cluster *c = load(text, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE_FATAL(sim_cluster_run_plain(c, 1, &err));
    CU_ASSERT_STRING_EQUAL(sim_cluster_host_name(c, 0), "client");
    struct sim_result r;
    sim_machine_result(sim_cluster_machine(c, 0), &r);
    CU_ASSERT_TRUE(r.requests.completed > 20);
    double mean = r.requests.latency.count
                      ? (double)r.requests.latency.sum / (double)r.requests.latency.count
                      : 0;
    *sent = sim_cluster_link_frames(c, 0, false);
    *arrived = sim_machine_inject_arrived(sim_cluster_machine(c, 1), 0);
    sim_result_clear(&r);
    sim_cluster_free(c);
    return mean;
}

/* 100 us more latency on the cable: 200 us more per round trip (out and back). */
static void test_cluster_cable_latency_each_way(void)
{
    uint64_t s0, a0, s1, a1;
    char *near = two_hosts(0, 10, 64), *far = two_hosts(100, 10, 64);
    double d = client_mean_ns(far, &s1, &a1) - client_mean_ns(near, &s0, &a0);
    /* a little under 200 us: with no cable latency a reply finds its host's ITR still
     * holding the previous interrupt back (ixgbe EITR), which a far reply no longer does */
    CU_ASSERT_TRUE(d > 185000 && d < 205000);
    CU_ASSERT_TRUE(s0 > 0 && s0 - a0 <= 1); /* at most the last request still on the cable */
    CU_ASSERT_TRUE(s1 > 0 && s1 - a1 <= 1);
    g_free(near);
    g_free(far);
}

/* At 0.01 Gbit/s a frame of B bytes takes (B + 24) * 800 ns on the cable: the request
 * (64 B payload) and the 1000 B reply add their serialisation to each round trip. */
static void test_cluster_cable_serialises_at_gbps(void)
{
    uint64_t s, a;
    char *fast = two_hosts(0, 10, 1000), *slow = two_hosts(0, 0.01, 1000);
    double d = client_mean_ns(slow, &s, &a) - client_mean_ns(fast, &s, &a);
    /* request 64 + 54 header bytes, reply 1000 + 54, each + 24: (142 + 1078) * 800 ns =
     * 976 us, less the 10 GbE ports' own serialisation both runs pay (~1 us) */
    CU_ASSERT_TRUE(d > 955000 && d < 985000);
    g_free(fast);
    g_free(slow);
}

static void expect_error(const char *text, const char *want)
{
    GError *err = NULL;
    struct sim_cluster *c = load(text, &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (!strstr(err->message, want))
        fprintf(stderr, "got: %s\nwant: %s\n", err->message, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, want));
    g_error_free(err);
    sim_cluster_free(c);
}

static void test_cluster_refuses_bad_links(void)
{
    char *t = two_hosts(5, 10, 64);
    char *bad = g_strdup(t);
    char *p = strstr(bad, "server/eth0");
    memcpy(p, "serves", 6);
    expect_error(bad, "/links/0/to: expected a host of /hosts, found \"serves\"");
    g_free(bad);
    bad = g_strdup(t);
    p = strstr(bad, "server/eth0");
    memcpy(p, "client", 6);
    expect_error(bad, "/links/0/to: client/eth0 is already linked by /links/0");
    g_free(bad);
    g_free(t);
    t = two_hosts(-5, 10, 64);
    expect_error(t, "/links/0/latency_us: expected a number >= 0");
    g_free(t);
    expect_error("{\"duration_ms\": 1, \"hosts\": {}}", "/hosts: expected an object of 1 to 16");
    expect_error("{\"duration_ms\": 1, \"hosts\": {\"a\": {\"nic\": {\"rx_queues\": 0}, " TRAFFIC
                 "}}}",
                 "t: /hosts/a/nic/rx_queues: expected integer");
}

static CU_TestInfo cases[] = {
    {"test_cluster_cable_latency_each_way", test_cluster_cable_latency_each_way},
    {"test_cluster_cable_serialises_at_gbps", test_cluster_cable_serialises_at_gbps},
    {"test_cluster_refuses_bad_links", test_cluster_refuses_bad_links},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cluster", cases)
