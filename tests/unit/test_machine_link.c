/* sim/host/machine_link.c: a linked host's frames leave with their connection's headers
 * reversed and the time their last bit left the port; frames injected on eth0 or eth1 take
 * that NIC's receive path at their time; an unlinked host ignores injections. */
#include <string.h>

#include "models/traffic/gen.h"
#include "sim/host/machine.h"
#include "sim/host/scenario.h"
#include "tests/unit/cu_main.h"

struct mirror {
    struct sim_machine *m;
    uint64_t delay_ns; /* the frame comes back on the same NIC this much later */
    unsigned frames, dev_seen[2];
    struct traffic_pkt first;
    uint64_t first_bit, last_bit;
};

/* A cable looped back to the same NIC: what leaves comes back delay_ns later. */
static void mirror_out(void *ctx, unsigned dev, const struct traffic_pkt *p, uint64_t first_ns)
{
    struct mirror *mr = ctx;
    if (!mr->frames) {
        mr->first = *p;
        mr->first_bit = first_ns;
        mr->last_bit = p->ts_ns;
    }
    mr->frames++;
    mr->dev_seen[dev & 1]++;
    struct traffic_pkt q = *p;
    q.ts_ns += mr->delay_ns;
    sim_machine_inject(mr->m, dev, &q);
}

static const char *CLIENT =
    "{\"cpus\": 1, \"duration_ms\": 10, \"app\": {\"workload\": \"rr_client\", \"rtt_us\": 10},"
    " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 1, \"proto\": \"tcp\","
    " \"frame_len\": 128, \"rate_pps\": 1000}]}}";

static const char *SINK = "{\"cpus\": 1, \"duration_ms\": 10, \"traffic\": {\"duration_s\": 0.001,"
                          " \"flows\": [{\"count\": 1, \"proto\": \"tcp\", \"rate_pps\": 1000}]}}";

static struct sim_scenario *scenario(const char *text)
{
    json_t *root = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_host_from_json(root, "t", NULL, &err);
    json_decref(root);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
    return sc;
}

/* The client's request leaves with its flow's headers swapped (the source names what the
 * host receives) and comes back 50 us later through eth0's receive path: a closed loop. */
static void test_machine_link_wire_out_and_inject(void)
{
    struct sim_scenario *sc = scenario(CLIENT);
    struct mirror mr = {.delay_ns = 50000};
    struct sim_run_link link = {.wire_out = mirror_out, .ctx = &mr};
    GError *err = NULL;
    struct sim_run *r = sim_run_new_linked(sc, 1, &link, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    mr.m = sim_run_machine(r);
    CU_ASSERT_EQUAL(sim_machine_offered(mr.m), 0); /* the source delivered nothing itself */
    sim_machine_run_until(mr.m, sim_machine_end(mr.m));
    CU_ASSERT_TRUE(mr.frames > 100);
    CU_ASSERT_EQUAL(mr.dev_seen[1], 0);
    /* a 64 B request + 54 B of headers; 118 + 24 bytes at 10 Gb/s = 113.6 ns on the port */
    CU_ASSERT_EQUAL(mr.first.wire_len, 118);
    CU_ASSERT_EQUAL(mr.first.payload_len, 64);
    CU_ASSERT_EQUAL(mr.first.flow, 1);
    CU_ASSERT_TRUE(mr.last_bit - mr.first_bit >= 113 && mr.last_bit - mr.first_bit <= 114);
    struct sim_scenario *plain = scenario(SINK);
    struct sim_run *pr = sim_run_new(plain, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pr);
    struct sim_machine *pm = sim_run_machine(pr);
    sim_machine_run_until(pm, sim_machine_end(pm));
    CU_ASSERT_TRUE(sim_machine_offered(pm) >= 1); /* unlinked: its source's frames arrive */
    sim_run_free(pr);
    sim_scenario_free(plain);
    /* headers reversed against the source's first frame of flow 1 */
    json_t *root = json_loads(CLIENT, 0, NULL);
    struct traffic_gen_env env = {.seed = 1};
    struct traffic_gen *g =
        traffic_gen_new(json_object_get(root, "traffic"), "/traffic", &env, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt src;
    while (traffic_gen_next(g, &src) && src.flow != 1)
        ;
    CU_ASSERT_EQUAL(src.flow, 1);
    CU_ASSERT_EQUAL(mr.first.sport, src.dport);
    CU_ASSERT_EQUAL(mr.first.dport, src.sport);
    CU_ASSERT_EQUAL(memcmp(mr.first.saddr, src.daddr, 16), 0);
    CU_ASSERT_EQUAL(memcmp(mr.first.daddr, src.saddr, 16), 0);
    CU_ASSERT_NOT_EQUAL(src.sport, src.dport);
    traffic_gen_free(g);
    json_decref(root);
    struct sim_result res;
    sim_machine_result(mr.m, &res);
    CU_ASSERT_EQUAL(sim_machine_injected(mr.m, 0), mr.frames);
    CU_ASSERT_TRUE(sim_machine_inject_arrived(mr.m, 0) + 1 >= mr.frames);
    CU_ASSERT_EQUAL(res.offered, sim_machine_inject_arrived(mr.m, 0));
    CU_ASSERT_EQUAL(res.requests.completed + 1, mr.frames); /* the last one still out */
    /* each round trip: 50 us away plus the host's own send and receive path */
    uint64_t p50 = sim_hist_quantile(&res.requests.latency, 0.5);
    CU_ASSERT_TRUE(p50 > 50000 && p50 < 70000);
    sim_result_clear(&res);
    sim_run_free(r);
    sim_scenario_free(sc);
}

/* Frames injected on an unlinked machine are ignored: it has no cable. */
static void test_machine_link_unlinked_ignores_inject(void)
{
    struct sim_scenario *sc = scenario(SINK);
    GError *err = NULL;
    struct sim_run *r = sim_run_new(sc, 1, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct traffic_pkt p = {.ts_ns = 1000, .wire_len = 60, .flow = 1, .l3 = PKT_L3_NONE};
    sim_machine_inject(sim_run_machine(r), 0, &p);
    CU_ASSERT_EQUAL(sim_machine_injected(sim_run_machine(r), 0), 0);
    sim_run_free(r);
    sim_scenario_free(sc);
}

/* eth1 of a linked host receives: its RSS stage and rings, frames counted as offered. */
static void test_machine_link_eth1_receives(void)
{
    struct sim_scenario *sc = scenario(
        "{\"cpus\": 2, \"duration_ms\": 2, \"nic_b\": {\"rx_queues\": 2, \"irq_affinity\": [0, 1]},"
        " \"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"count\": 8, \"proto\": \"udp\","
        " \"rate_pps\": 8000}]}}");
    struct mirror mr = {0};
    struct sim_run_link link = {.wire_out = mirror_out, .ctx = &mr};
    GError *err = NULL;
    struct sim_run *r = sim_run_new_linked(sc, 1, &link, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct sim_machine *m = sim_run_machine(r);
    for (unsigned i = 0; i < 100; i++) {
        struct traffic_pkt p = {.ts_ns = 10000 + 1000 * i,
                                .wire_len = 128,
                                .payload_len = 86,
                                .flow = 1 + i % 8,
                                .l3 = PKT_L3_IPV4,
                                .l4 = IPPROTO_UDP,
                                .has_ports = 1,
                                .sport = (uint16_t)(1000 + i % 8),
                                .dport = 80,
                                .ethertype = 0x0800};
        p.saddr[0] = 10;
        p.daddr[0] = 10;
        p.saddr[3] = (uint8_t)(i % 8);
        sim_machine_inject(m, 1, &p);
    }
    sim_machine_run_until(m, sim_machine_end(m));
    struct sim_result res;
    sim_machine_result(m, &res);
    CU_ASSERT_EQUAL(sim_machine_inject_arrived(m, 1), 100);
    CU_ASSERT_EQUAL(res.offered, 100);
    CU_ASSERT_EQUAL(res.delivered, 100); /* the sinks read them all */
    sim_result_clear(&res);
    sim_run_free(r);
    sim_scenario_free(sc);
}

static CU_TestInfo cases[] = {
    {"test_machine_link_wire_out_and_inject", test_machine_link_wire_out_and_inject},
    {"test_machine_link_unlinked_ignores_inject", test_machine_link_unlinked_ignores_inject},
    {"test_machine_link_eth1_receives", test_machine_link_eth1_receives},
    CU_TEST_INFO_NULL,
};

CU_MAIN("machine_link", cases)
