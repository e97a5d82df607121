/* models/app/rr_server.c: closed-loop request/response; a memcached-like pool on one
 * shared socket wakes one waiter per request; the proxy waits for its TX completion. */
#include "tests/unit/sim_harness.h"

/* One client, no service time, 20 us turn-around: each transaction is the request's
 * path to the socket, the server's recvmsg + sendmsg, then 20 us: tps ~ 1 / (20 us + a
 * few us) and every transaction completes in order. */
static void test_rr_closed_loop_one_client(void)
{
    struct sim_result r = run("{\"cpus\": 2, \"duration_ms\": 10, \"nic\": {\"irq_affinity\": [0]},"
                              " \"app\": {\"workload\": \"rr\", \"service_us\": 0, \"rtt_us\": 20},"
                              " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 1,"
                              " \"proto\": \"udp\", \"rate_pps\": 1000}]}}");
    CU_ASSERT_TRUE(r.requests.present);
    uint64_t n = r.requests.completed;
    CU_ASSERT_TRUE(n > 250 && n < 500); /* 10 ms / (20 us + server time) */
    uint64_t p50 = sim_hist_quantile(&r.requests.latency, 0.5);
    CU_ASSERT_TRUE(p50 > 2000 && p50 < 20000);
    CU_ASSERT_EQUAL(r.requests.latency.count, n);
    sim_result_clear(&r);
}

/* Four workers on one shared socket: exclusive wake-ups spread requests over them. */
static void test_rr_pool_on_shared_socket_wakes_one_waiter_each(void)
{
    struct sim_result r =
        run("{\"cpus\": 4, \"duration_ms\": 10, \"nic\": {\"irq_affinity\": [0]},"
            " \"app\": {\"workload\": \"rr\", \"sockets\": 1, \"threads\": 4, \"service_us\": 20,"
            " \"cpus\": [1, 2, 3, 1]},"
            " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 8, \"proto\": \"udp\","
            " \"rate_pps\": 8000}]}}");
    CU_ASSERT_TRUE(r.requests.completed > 500);
    for (unsigned i = 0; i < 4; i++) {
        char name[24];
        g_snprintf(name, sizeof name, "worker/%u", i);
        CU_ASSERT_TRUE(thread(&r, name)->wakeups > 10);
    }
    sim_result_clear(&r);
}

/* The proxy blocks after each send until the TX completion's sk_write_space: twice the
 * wake-ups of a plain server for the same transactions. */
static void test_rr_proxy_waits_for_tx_completion(void)
{
    const char *fmt = "{\"cpus\": 2, \"duration_ms\": 10, \"nic\": {\"irq_affinity\": [0]},"
                      " \"app\": {\"workload\": \"%s\", \"cpus\": [1]},"
                      " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 1,"
                      " \"proto\": \"tcp\", \"rate_pps\": 1000}]}}";
    char *a = g_strdup_printf(fmt, "rr"), *b = g_strdup_printf(fmt, "proxy");
    struct sim_result rr = run(a), px = run(b);
    const struct sim_thread_result *t1 = thread(&rr, "netserver/1"),
                                   *t2 = thread(&px, "netserver/1");
    double per1 = (double)t1->wakeups / (double)rr.requests.completed;
    double per2 = (double)t2->wakeups / (double)px.requests.completed;
    CU_ASSERT_TRUE(per1 > 0.9 && per1 < 1.1);
    CU_ASSERT_TRUE(per2 > 1.9 && per2 < 2.1);
    sim_result_clear(&rr);
    sim_result_clear(&px);
    g_free(a);
    g_free(b);
}

static CU_TestInfo cases[] = {
    {"test_rr_closed_loop_one_client", test_rr_closed_loop_one_client},
    {"test_rr_pool_on_shared_socket_wakes_one_waiter_each",
     test_rr_pool_on_shared_socket_wakes_one_waiter_each},
    {"test_rr_proxy_waits_for_tx_completion", test_rr_proxy_waits_for_tx_completion},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rr_server", cases)
