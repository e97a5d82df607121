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

/* The MSI-X message of the only vector reaches CPU 2: its IRQ assertions are CPU 2's
 * events like the hardirq, poll and sink runs they start; arrivals are advanced by
 * the stepping owner, so the NIC owns only the housekeeping ticks. */
static void test_step_owner_gives_irq_assertions_to_the_vector_cpu(void)
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
    CU_ASSERT_TRUE(owned[2] > 2 * res.queues[0].irqs);
    CU_ASSERT_TRUE(owned[4] < res.queues[0].irqs / 10);
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

static CU_TestInfo cases[] = {
    {"test_step_owner_gives_irq_assertions_to_the_vector_cpu",
     test_step_owner_gives_irq_assertions_to_the_vector_cpu},
    {"test_step_owner_matches_run_until", test_step_owner_matches_run_until},
    CU_TEST_INFO_NULL,
};

CU_MAIN("machine", cases)
