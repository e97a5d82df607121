/* models/app/rr_client.c: one thread per connection sends a request, sleeps in recvmsg
 * until the reply, thinks rtt_us, sends again (netperf send_tcp_rr). Without anything
 * answering each connection sends exactly one request; with a mirror answering after D
 * each transaction takes D + the host's path + the think time. */
#include "sim/host/machine.h"
#include "sim/host/scenario.h"
#include <string.h>

#include "tests/unit/sim_harness.h"

#define CLIENT(conns, think)                                                                       \
    "{\"cpus\": 2, \"duration_ms\": 10, \"app\": {\"workload\": \"rr_client\", \"rtt_us\": " think \
    ", \"request_bytes\": 100},"                                                                   \
    " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": " conns ", \"proto\": "         \
    "\"tcp\", \"frame_len\": 128, \"rate_pps\": 1000}]}}"

struct mirror {
    struct sim_machine *m;
    uint64_t delay_ns; /* 0: nothing answers */
};

static void mirror_out(void *ctx, unsigned dev, const struct traffic_pkt *p, uint64_t first_ns)
{
    (void)first_ns;
    struct mirror *mr = ctx;
    struct traffic_pkt q = *p;
    q.ts_ns += mr->delay_ns;
    if (mr->delay_ns)
        sim_machine_inject(mr->m, dev, &q);
}

/* A linked client host (a mirror answering after delay_ns, or nothing). */
static struct sim_result linked(const char *text, uint64_t delay_ns)
{
    json_t *root = json_loads(text, 0, NULL);
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_host_from_json(root, "t", NULL, &err);
    if (!sc)
        fprintf(stderr, "%s\n", err ? err->message : "not JSON");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    struct mirror mr = {.delay_ns = delay_ns};
    struct sim_run_link link = {.wire_out = mirror_out, .ctx = &mr};
    struct sim_run *r = sim_run_new_linked(sc, 1, &link, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    mr.m = sim_run_machine(r);
    sim_machine_run_until(mr.m, sim_machine_end(mr.m));
    struct sim_result res;
    sim_machine_result(mr.m, &res);
    sim_run_free(r);
    sim_scenario_free(sc);
    json_decref(root);
    return res;
}

/* Nothing answers: one request per connection, each thread then asleep in recvmsg. */
static void test_rr_client_one_request_then_waits(void)
{
    struct sim_result r = linked(CLIENT("3", "10"), 0);
    CU_ASSERT_TRUE(r.requests.present);
    CU_ASSERT_EQUAL(r.requests.completed, 0);
    uint64_t tx = 0;
    for (unsigned q = 0; q < r.n_tx_queues; q++)
        tx += r.tx_packets[q];
    CU_ASSERT_EQUAL(tx, 3);
    for (unsigned i = 0; i < 3; i++) {
        char name[24];
        g_snprintf(name, sizeof name, "netperf/%u", i);
        const struct sim_thread_result *t = thread(&r, name);
        CU_ASSERT_TRUE(t->run_ns > 0 && t->run_ns < 100000);
    }
    sim_result_clear(&r);
}

static uint64_t completed_with(const char *text, uint64_t delay_ns, uint64_t *p50)
{
    struct sim_result res = linked(text, delay_ns);
    uint64_t n = res.requests.completed;
    *p50 = sim_hist_quantile(&res.requests.latency, 0.5);
    sim_result_clear(&res);
    return n;
}

/* Outside a multi-host run nothing would answer: refused. */
static void test_rr_client_needs_hosts(void)
{
    json_t *root = json_loads(CLIENT("1", "10"), 0, NULL);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_scenario_from_json(root, "t", NULL, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "needs a multi-host scenario"));
    g_error_free(err);
    err = NULL;
    struct sim_scenario *sc = sim_scenario_host_from_json(root, "t", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    CU_ASSERT_PTR_NULL(sim_run_new(sc, 1, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    g_error_free(err);
    sim_scenario_free(sc);
    json_decref(root);
}

/* A reply 100 us after each request, 10 us or 200 us of think: the latency is the reply's
 * 100 us plus a few us of stack, and the transactions per connection follow
 * 10 ms / (latency + think). */
static void test_rr_client_closed_loop_with_think(void)
{
    uint64_t p_short, p_long;
    uint64_t n_short = completed_with(CLIENT("1", "10"), 100000, &p_short);
    uint64_t n_long = completed_with(CLIENT("1", "200"), 100000, &p_long);
    CU_ASSERT_TRUE(p_short > 100000 && p_short < 120000);
    CU_ASSERT_TRUE(p_long > 100000 && p_long < 120000);
    CU_ASSERT_TRUE(n_short >= 80 && n_short <= 91); /* 10 ms / ~115 us */
    CU_ASSERT_TRUE(n_long >= 30 && n_long <= 33);   /* 10 ms / ~305 us */
}

static CU_TestInfo cases[] = {
    {"test_rr_client_one_request_then_waits", test_rr_client_one_request_then_waits},
    {"test_rr_client_closed_loop_with_think", test_rr_client_closed_loop_with_think},
    {"test_rr_client_needs_hosts", test_rr_client_needs_hosts},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rr_client", cases)
