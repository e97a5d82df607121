/* models/nic/steer_rr.c: new connections round robin, later packets follow
 * their flow, FIN/RST frees, full table falls back to a tuple hash. */
#include <string.h>

#include "models/nic/steer.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

extern const struct steer_policy_ops steer_rr_ops;

static const struct steer_env env4 = {.n_rx_queues = 4, .n_tx_queues = 4, .n_cpus = 4};
static const struct steer_ctx noctx;

static void *rr_new(const char *cfg_text)
{
    json_t *cfg = cfg_text ? json_loads(cfg_text, 0, NULL) : NULL;
    void *st = steer_rr_ops.init(cfg, "/nic/steering/rr", &env4, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    json_decref(cfg);
    return st;
}

static struct traffic_pkt tcp(unsigned flow, uint8_t flags, uint64_t ts)
{
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4, .l4 = 6, .has_ports = 1, .ts_ns = ts};
    p.saddr[0] = 10;
    p.saddr[3] = (uint8_t)flow;
    p.saddr[2] = (uint8_t)(flow >> 8);
    p.daddr[0] = 192;
    p.sport = (uint16_t)(40000 + flow);
    p.dport = 443;
    p.tcp_flags = flags;
    return p;
}

static json_int_t counter(void *st, const char *name)
{
    json_t *d = steer_rr_ops.dump(st);
    json_int_t v = json_integer_value(json_object_get(d, name));
    CU_ASSERT_PTR_NOT_NULL(json_object_get(d, name));
    json_decref(d);
    return v;
}

static void test_steer_rr_new_connections_round_robin(void)
{
    void *st = rr_new(NULL);
    for (unsigned f = 0; f < 8; f++) {
        struct traffic_pkt syn = tcp(f, PKT_TCP_SYN, f);
        CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &syn, &noctx), (int)(f % 4));
    }
    /* later packets follow the flow, whatever order they come in */
    for (int f = 7; f >= 0; f--) {
        struct traffic_pkt ack = tcp((unsigned)f, PKT_TCP_ACK, 100);
        CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &ack, &noctx), f % 4);
    }
    CU_ASSERT_EQUAL(counter(st, "assigned"), 8);
    CU_ASSERT_EQUAL(counter(st, "hits"), 8);
    CU_ASSERT_EQUAL(counter(st, "table_size"), 4096);
    steer_rr_ops.destroy(st);
}

static void test_steer_rr_fin_frees_and_syn_ack_is_not_new(void)
{
    void *st = rr_new(NULL);
    struct traffic_pkt syn = tcp(1, PKT_TCP_SYN, 0);
    CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &syn, &noctx), 0);
    struct traffic_pkt fin = tcp(1, PKT_TCP_FIN | PKT_TCP_ACK, 1);
    CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &fin, &noctx), 0);
    CU_ASSERT_EQUAL(counter(st, "closed"), 1);
    CU_ASSERT_EQUAL(counter(st, "occupied"), 0);
    /* a SYN-ACK of an unknown flow is mid-connection: hash fallback, no slot */
    struct traffic_pkt synack = tcp(2, PKT_TCP_SYN | PKT_TCP_ACK, 2);
    int q = steer_rr_ops.select_rxq(st, &synack, &noctx);
    CU_ASSERT(q >= 0 && q < 4);
    CU_ASSERT_EQUAL(counter(st, "untracked_fallbacks"), 1);
    CU_ASSERT_EQUAL(counter(st, "assigned"), 1);
    /* UDP: first packet is the new flow */
    struct traffic_pkt u = tcp(3, 0, 3);
    u.l4 = 17;
    CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &u, &noctx), 1);
    CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &u, &noctx), 1);
    CU_ASSERT_EQUAL(counter(st, "assigned"), 2);
    /* non-IP: no opinion */
    struct traffic_pkt arp = {.ethertype = 0x0806};
    CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &arp, &noctx), STEER_NO_MATCH);
    steer_rr_ops.destroy(st);
}

static void test_steer_rr_full_table_falls_back_then_evicts_idle(void)
{
    /* 8 slots = one probe window: the 9th live flow cannot be tracked */
    void *st = rr_new("{\"table_size\": 8, \"idle_timeout_ms\": 1}");
    for (unsigned f = 0; f < 8; f++) {
        struct traffic_pkt syn = tcp(f, PKT_TCP_SYN, 0);
        CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &syn, &noctx), (int)(f % 4));
    }
    struct traffic_pkt late = tcp(100, PKT_TCP_SYN, 500000); /* 0.5 ms later */
    int q = steer_rr_ops.select_rxq(st, &late, &noctx);
    CU_ASSERT(q >= 0 && q < 4);
    CU_ASSERT_EQUAL(counter(st, "table_full_fallbacks"), 1);
    CU_ASSERT_EQUAL(counter(st, "evictions"), 0);
    /* flows 1..7 stay busy; flow 0 idles past 1 ms and is evicted */
    for (unsigned f = 1; f < 8; f++) {
        struct traffic_pkt ack = tcp(f, PKT_TCP_ACK, 1500000);
        steer_rr_ops.select_rxq(st, &ack, &noctx);
    }
    struct traffic_pkt newer = tcp(101, PKT_TCP_SYN, 2000000);
    CU_ASSERT_EQUAL(steer_rr_ops.select_rxq(st, &newer, &noctx), 8 % 4);
    CU_ASSERT_EQUAL(counter(st, "evictions"), 1);
    CU_ASSERT_EQUAL(counter(st, "occupied"), 8);
    steer_rr_ops.destroy(st);
}

static void test_steer_rr_config_errors(void)
{
    const char *bad[][2] = {
        {"{\"table_size\": 2}", "/nic/steering/rr/table_size"},
        {"{\"tablesize\": 64}", "/nic/steering/rr: "},
        {"{\"idle_timeout_ms\": -1}", "/nic/steering/rr/idle_timeout_ms"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        json_t *cfg = json_loads(bad[i][0], 0, NULL);
        GError *err = NULL;
        CU_ASSERT_PTR_NULL(steer_rr_ops.init(cfg, "/nic/steering/rr", &env4, &err));
        CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, bad[i][1]) : NULL);
        g_clear_error(&err);
        json_decref(cfg);
    }
}

static CU_TestInfo cases[] = {
    {"test_steer_rr_new_connections_round_robin", test_steer_rr_new_connections_round_robin},
    {"test_steer_rr_fin_frees_and_syn_ack_is_not_new",
     test_steer_rr_fin_frees_and_syn_ack_is_not_new},
    {"test_steer_rr_full_table_falls_back_then_evicts_idle",
     test_steer_rr_full_table_falls_back_then_evicts_idle},
    {"test_steer_rr_config_errors", test_steer_rr_config_errors},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer_rr", cases)
