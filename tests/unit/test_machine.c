/* sim/machine.c stepping interface: who owns the next event (the per-CPU engine's
 * baton) and the arrivals any owner advances before it. */
#include "tests/unit/sim_harness.h"

/* One RX queue whose vector's affinity is CPU 2, its sink on CPU 2. */
static const char *one_queue_on_cpu2 =
    "{\"cpus\": 4, \"duration_ms\": 5, \"nic\": {\"rx_queues\": 1, \"itr_us\": 20,"
    " \"irq_affinity\": [2]}, \"app\": {\"sockets\": 1, \"cpus\": [2]},"
    " \"traffic\": {\"duration_s\": 0.005, \"flows\": [{\"count\": 4, \"proto\": \"udp\","
    " \"rate_pps\": 200000}]}}";

static struct sim_run *machine_of(const char *text, json_t **root, struct sim_scenario **sc)
{
    *root = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*root);
    GError *err = NULL;
    *sc = sim_scenario_from_json(*root, "t", NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*sc);
    struct sim_run *r = sim_run_new(*sc, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    return r;
}

/* Step the way the per-CPU engine does: owner of the next event, then run it. */
static void step_all(struct sim_machine *m, uint64_t *owned /* n_cpus + 1 (NIC) */)
{
    unsigned n = sim_machine_n_cpus(m);
    uint64_t t, last = 0, a, b;
    int o;
    while ((o = sim_machine_step_owner(m, &t)) != SIM_OWNER_DONE) {
        CU_ASSERT_TRUE(t >= last);
        last = t;
        owned[o == SIM_OWNER_NIC ? n : (unsigned)o]++;
        sim_machine_run_next(m, &a, &b);
    }
}

/* The MSI-X message of the only vector reaches CPU 2: the assertions (the NIC's writes)
 * are advanced by the stepping owner like arrivals, the hardirq, poll and sink runs they
 * start are CPU 2's; the NIC owns only the housekeeping ticks. */
static void test_step_owner_runs_irq_assertions_inline(void)
{
    json_t *root;
    struct sim_scenario *sc;
    struct sim_run *r = machine_of(one_queue_on_cpu2, &root, &sc);
    struct sim_machine *m = sim_run_machine(r);
    uint64_t owned[5] = {0};
    step_all(m, owned);
    struct sim_result res;
    sim_machine_result(m, &res);
    CU_ASSERT_TRUE(res.queues[0].irqs > 100);
    CU_ASSERT_TRUE(owned[2] > 2 * res.queues[0].irqs); /* hardirq, poll, sink chunks */
    CU_ASSERT_EQUAL(owned[0] + owned[1] + owned[3], 0);
    CU_ASSERT_TRUE(owned[4] < res.queues[0].irqs / 10);
    /* Stepping item by item (sim_machine_next, as the window loop): CPU 2 owns the same
     * events, each assertion is one of the NIC's items. */
    json_t *root2;
    struct sim_scenario *sc2;
    struct sim_run *r2 = machine_of(one_queue_on_cpu2, &root2, &sc2);
    struct sim_machine *m2 = sim_run_machine(r2);
    uint64_t cpu2 = 0, nic = 0, t, a, b;
    for (int o; (o = sim_machine_next(m2, &t)) != SIM_OWNER_DONE;
         sim_machine_run_next(m2, &a, &b)) {
        cpu2 += o == 2;
        nic += o == SIM_OWNER_NIC;
    }
    CU_ASSERT_EQUAL(cpu2, owned[2]);
    CU_ASSERT_TRUE(nic >= res.queues[0].irqs + owned[4]);
    sim_run_free(r2);
    sim_scenario_free(sc2);
    json_decref(root2);
    CU_ASSERT_EQUAL(res.offered, 1000);
    sim_result_clear(&res);
    sim_run_free(r);
    sim_scenario_free(sc);
    json_decref(root);
}

/* Owner stepping runs the same model in the same order as the window loop. */
static void test_step_owner_matches_run_until(void)
{
    const char *text =
        "{\"cpus\": 4, \"duration_ms\": 5, \"nic\": {\"rx_queues\": 4, \"itr_us\": 20},"
        " \"traffic\": {\"duration_s\": 0.005, \"flows\": [{\"count\": 64, \"proto\": \"udp\","
        " \"rate_pps\": 2000000}]}}";
    struct sim_result w = run(text);
    json_t *root;
    struct sim_scenario *sc;
    struct sim_run *r = machine_of(text, &root, &sc);
    uint64_t owned[5] = {0};
    step_all(sim_run_machine(r), owned);
    struct sim_result p;
    sim_machine_result(sim_run_machine(r), &p);
    CU_ASSERT_EQUAL(p.offered, w.offered);
    CU_ASSERT_EQUAL(p.delivered, w.delivered);
    CU_ASSERT_EQUAL(p.dropped, w.dropped);
    CU_ASSERT_TRUE(w.dropped > 0); /* overloaded: ordering differences would show */
    for (unsigned c = 0; c < 4; c++) {
        CU_ASSERT_EQUAL(p.cpus[c].soft_ns, w.cpus[c].soft_ns);
        CU_ASSERT_EQUAL(p.cpus[c].irqs, w.cpus[c].irqs);
        CU_ASSERT_EQUAL(p.queues[c].polls, w.queues[c].polls);
    }
    CU_ASSERT_EQUAL(p.latency.count, w.latency.count);
    CU_ASSERT_EQUAL(sim_hist_quantile(&p.latency, 0.99), sim_hist_quantile(&w.latency, 0.99));
    sim_result_clear(&p);
    sim_result_clear(&w);
    sim_run_free(r);
    sim_scenario_free(sc);
    json_decref(root);
}

static bool no_packets(void *ctx, struct traffic_pkt *p)
{
    (void)ctx;
    (void)p;
    return false;
}

static void no_select(void *ctx, const struct traffic_pkt *p, struct sim_rx_choice *c)
{
    (void)ctx;
    (void)p;
    c->queue = -1;
}

static struct sim_machine *tx_machine(const struct sim_tx_frame *tx, size_t n, GError **err)
{
    struct sim_machine_cfg c = {.n_cpus = 2,
                                .duration_ns = 5000000,
                                .rx_queues = 2,
                                .tx_queues = 2,
                                .ring_size = 512,
                                .link_mbps = 10000,
                                .rx_usecs = 0,
                                .n_flows = 1,
                                .n_socks = 1,
                                .tx_frames = tx,
                                .n_tx_frames = n};
    kern_params_defaults(&c.kp);
    kern_cost_defaults(&c.cost);
    return sim_machine_new(&c, (struct sim_source){no_packets, NULL},
                           (struct sim_steer){.select = no_select}, err);
}

/* Recorded transmits (validation replay) are posted on their TX ring at their times, merged
 * with the arrivals: each write-back (ITR off, 100 us apart) is one interrupt of the ring's
 * TxRx vector, on that vector's CPU, and nothing of the other vector. */
static void test_recorded_transmits_interrupt_their_vector(void)
{
    const struct sim_tx_frame tx[3] = {{100000, 60, 1}, {200000, 1514, 1}, {300000, 60, 1}};
    GError *err = NULL;
    struct sim_machine *m = tx_machine(tx, 3, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint64_t owned[3] = {0};
    step_all(m, owned);
    CU_ASSERT_EQUAL(sim_machine_tx_posted(m), 3);
    CU_ASSERT_EQUAL(sim_machine_tx_ring_full(m), 0);
    struct sim_result r;
    sim_machine_result(m, &r);
    CU_ASSERT_EQUAL(r.vectors[1].per_cpu[1], 3);
    CU_ASSERT_EQUAL(r.vectors[1].per_cpu[0], 0);
    CU_ASSERT_EQUAL(r.vectors[0].per_cpu[0] + r.vectors[0].per_cpu[1], 0);
    sim_result_clear(&r);
    sim_machine_free(m);
}

/* A transmit on a TX queue the NIC lacks, or out of time order, is refused by number. */
static void test_recorded_transmit_bad_queue_is_refused(void)
{
    const struct sim_tx_frame tx[2] = {{100000, 60, 0}, {200000, 60, 2}};
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(tx_machine(tx, 2, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "transmit 2: TX queue 2 of 2"));
    g_clear_error(&err);
}

/* A frame every microsecond (ts 1000, 2000, ..) of flow 1, all to queue 1. */
static bool every_us(void *ctx, struct traffic_pkt *p)
{
    uint64_t *k = ctx;
    memset(p, 0, sizeof *p);
    p->ts_ns = ++*k * 1000;
    p->flow = 0;
    p->wire_len = 60;
    return true;
}

static void to_queue1(void *ctx, const struct traffic_pkt *p, struct sim_rx_choice *c)
{
    (void)ctx;
    (void)p;
    memset(c, 0, sizeof *c);
    c->queue = 1;
}

struct load_log {
    unsigned calls;
    uint64_t now[8], taken[8], posted[8], cpu_of_q1;
};

static void log_load(void *ctx, const struct steer_load *l)
{
    struct load_log *g = ctx;
    if (g->calls < 8) {
        g->now[g->calls] = l->now_ns;
        g->taken[g->calls] = l->taken_ns;
        g->posted[g->calls] = l->rxq_packets[1] + l->rxq_drops[1] + l->rxq_packets[0];
    }
    g->cpu_of_q1 = l->rxq_cpu[1];
    g->calls++;
}

static struct sim_machine *load_machine(uint64_t *k, struct sim_steer st, GError **err)
{
    struct sim_machine_cfg c = {.n_cpus = 2,
                                .duration_ns = 5000000,
                                .rx_queues = 2,
                                .tx_queues = 2,
                                .ring_size = 512,
                                .link_mbps = 10000,
                                .rx_usecs = 0,
                                .n_flows = 1,
                                .n_socks = 1};
    kern_params_defaults(&c.kp);
    kern_cost_defaults(&c.cost);
    return sim_machine_new(&c, (struct sim_source){every_us, k}, st, err);
}

/* steer.on_load every feedback_ns (1 ms) from 1 ms on, before the end (5 ms),
 * with the counters as they were staleness_ns (0.3 ms) earlier: every frame
 * that arrived before then is counted on queue 1, posted or rx_missed. */
static void test_load_feedback_honours_period_and_staleness(void)
{
    struct load_log g = {0};
    uint64_t k = 0;
    GError *err = NULL;
    struct sim_machine *m = load_machine(&k,
                                         (struct sim_steer){.select = to_queue1,
                                                            .ctx = &g,
                                                            .on_load = log_load,
                                                            .feedback_ns = 1000000,
                                                            .staleness_ns = 300000},
                                         &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint64_t owned[3] = {0};
    step_all(m, owned);
    CU_ASSERT_EQUAL(g.calls, 4);
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(g.now[i], (i + 1) * 1000000ull);
        CU_ASSERT_EQUAL(g.taken[i], (i + 1) * 1000000ull - 300000);
        CU_ASSERT_EQUAL(g.posted[i], g.taken[i] / 1000 - 1); /* ts 1000 .. taken - 1000 */
    }
    CU_ASSERT_EQUAL(g.cpu_of_q1, 1); /* ixgbe's affinity hint: vector 1 on CPU 1 */
    sim_machine_free(m);
}

/* Without on_load nothing is scheduled; a staleness not below the period is refused. */
static void test_load_feedback_off_and_bad_staleness(void)
{
    struct load_log g = {0};
    uint64_t k = 0;
    GError *err = NULL;
    struct sim_machine *m = load_machine(
        &k, (struct sim_steer){.select = to_queue1, .ctx = &g, .feedback_ns = 1000000}, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint64_t owned[3] = {0};
    step_all(m, owned);
    CU_ASSERT_EQUAL(g.calls, 0);
    sim_machine_free(m);
    k = 0;
    m = load_machine(&k,
                     (struct sim_steer){.select = to_queue1,
                                        .ctx = &g,
                                        .on_load = log_load,
                                        .feedback_ns = 1000000,
                                        .staleness_ns = 1000000},
                     &err);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "expected a period above the staleness"));
    g_clear_error(&err);
}

static CU_TestInfo cases[] = {
    {"test_load_feedback_honours_period_and_staleness",
     test_load_feedback_honours_period_and_staleness},
    {"test_load_feedback_off_and_bad_staleness", test_load_feedback_off_and_bad_staleness},
    {"test_step_owner_runs_irq_assertions_inline", test_step_owner_runs_irq_assertions_inline},
    {"test_step_owner_matches_run_until", test_step_owner_matches_run_until},
    {"test_recorded_transmits_interrupt_their_vector",
     test_recorded_transmits_interrupt_their_vector},
    {"test_recorded_transmit_bad_queue_is_refused", test_recorded_transmit_bad_queue_is_refused},
    CU_TEST_INFO_NULL,
};

CU_MAIN("machine", cases)
