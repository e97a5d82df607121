/* models/nic/classifier.c: hash on every IP frame, chain order, first match
 * decides, non-IP to queue 0 unhashed, MAC-hash collapse vs RSS spread. */
#include <arpa/inet.h>
#include <string.h>

#include "models/nic/classifier.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static const struct steer_env env16 = {
    .n_rx_queues = 16, .n_tx_queues = 16, .n_cpus = 16, .seed = 1};

static json_t *cfg_of(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    return j;
}

static struct nic_classifier *new_ok(const char *text, const struct steer_env *env)
{
    json_t *cfg = text ? cfg_of(text) : NULL;
    GError *err = NULL;
    struct nic_classifier *c = nic_classifier_new(cfg, "/nic/steering", env, &err);
    if (err)
        fprintf(stderr, "unexpected error: %s\n", err->message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    json_decref(cfg);
    return c;
}

static char *new_err(const char *text, const struct steer_env *env)
{
    json_t *cfg = cfg_of(text);
    GError *err = NULL;
    struct nic_classifier *c = nic_classifier_new(cfg, "/nic/steering", env, &err);
    CU_ASSERT_PTR_NULL(c);
    nic_classifier_free(c);
    json_decref(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    char *m = g_strdup(err->message);
    g_error_free(err);
    return m;
}

static struct traffic_pkt tcp4(uint32_t saddr, uint16_t sport, uint8_t flags)
{
    struct traffic_pkt p = {0};
    p.l3 = PKT_L3_IPV4;
    p.ethertype = 0x0800;
    p.l4 = 6;
    p.has_ports = 1;
    p.tcp_flags = flags;
    uint32_t s = htonl(saddr), d = htonl(0x0a000001);
    memcpy(p.saddr, &s, 4);
    memcpy(p.daddr, &d, 4);
    p.sport = sport;
    p.dport = 80;
    /* an L3 switch/router in front: one source MAC, the host's MAC as dest */
    static const uint8_t router[6] = {0x00, 0x1c, 0x73, 0x00, 0x00, 0x99};
    static const uint8_t host[6] = {0x90, 0xe2, 0xba, 0x12, 0x34, 0x56};
    memcpy(p.smac, router, 6);
    memcpy(p.dmac, host, 6);
    return p;
}

#define MS_KEY "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa"

static void test_classifier_default_rss_uses_reta_of_ms_hash(void)
{
    struct nic_classifier *c = new_ok("{\"rss\": {\"key\": \"" MS_KEY "\"}}", &env16);
    struct traffic_pkt p = tcp4(0x420995bb, 2794, PKT_TCP_SYN);
    uint32_t d = htonl(0xa18e6450);
    memcpy(p.daddr, &d, 4);
    p.dport = 1766;
    struct nic_rx_decision dec;
    nic_classifier_select(c, &p, &dec);
    CU_ASSERT_EQUAL(dec.hash, 0x51ccc178);
    CU_ASSERT_EQUAL(dec.hashed, 1);
    CU_ASSERT_EQUAL(dec.l4_hash, 1);
    CU_ASSERT_EQUAL(dec.stage, 0);
    /* 0x51ccc178 & 127 = 120 -> default RETA 120 % 16 = 8 */
    CU_ASSERT_EQUAL(dec.queue, 8);
    nic_classifier_free(c);
}

static void test_classifier_non_ip_queue0_not_hashed(void)
{
    struct nic_classifier *c = new_ok("{\"chain\": [\"rss\"]}", &env16);
    struct traffic_pkt arp = {.ethertype = 0x0806};
    struct nic_rx_decision dec;
    nic_classifier_select(c, &arp, &dec);
    CU_ASSERT_EQUAL(dec.queue, 0);
    CU_ASSERT_EQUAL(dec.hashed, 0);
    CU_ASSERT_EQUAL(dec.l4_hash, 0);
    nic_classifier_free(c);
}

static void test_classifier_chain_order_first_match_decides(void)
{
    /* rr answers every IP frame: first in chain it decides, rss never runs */
    struct nic_classifier *c = new_ok("{\"chain\": [\"rr\", \"rss\"]}", &env16);
    struct nic_rx_decision dec;
    for (unsigned i = 0; i < 4; i++) {
        struct traffic_pkt p = tcp4(0x0b000000 + i, 1000, PKT_TCP_SYN);
        nic_classifier_select(c, &p, &dec);
        CU_ASSERT_EQUAL(dec.stage, 0);
        CU_ASSERT_EQUAL(dec.queue, (int)i); /* round robin */
        CU_ASSERT_EQUAL(dec.hashed, 1);     /* hash still on the descriptor */
    }
    /* non-IP: rr has no opinion, rss (stage 1) gives queue 0 */
    struct traffic_pkt arp = {.ethertype = 0x0806};
    nic_classifier_select(c, &arp, &dec);
    CU_ASSERT_EQUAL(dec.stage, 1);
    CU_ASSERT_EQUAL(dec.queue, 0);
    CU_ASSERT_STRING_EQUAL(nic_classifier_stage_name(c, 0), "rr");
    nic_classifier_free(c);

    /* reversed: rss decides everything */
    c = new_ok("{\"chain\": [\"rss\", \"rr\"]}", &env16);
    struct traffic_pkt p = tcp4(0x0b000001, 1000, PKT_TCP_SYN);
    nic_classifier_select(c, &p, &dec);
    CU_ASSERT_EQUAL(dec.stage, 0);
    CU_ASSERT_EQUAL(dec.queue, (int)nic_reta_queue(nic_classifier_reta(c), dec.hash));
    nic_classifier_free(c);
}

static void test_classifier_all_no_match_goes_queue0(void)
{
    struct nic_classifier *c = new_ok("{\"chain\": [\"rr\"]}", &env16);
    struct traffic_pkt arp = {.ethertype = 0x0806};
    struct nic_rx_decision dec;
    nic_classifier_select(c, &arp, &dec);
    CU_ASSERT_EQUAL(dec.queue, 0);
    CU_ASSERT_EQUAL(dec.stage, 1); /* = number of stages: nobody matched */
    json_t *d = nic_classifier_dump(c);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "default_queue0")), 1);
    json_decref(d);
    nic_classifier_free(c);
}

static void test_classifier_mac_hash_collapses_behind_router(void)
{
    struct nic_classifier *mac = new_ok("{\"chain\": [\"mac\"]}", &env16);
    struct nic_classifier *rss = new_ok(NULL, &env16);
    unsigned mac_q[16] = {0}, rss_q[16] = {0};
    for (unsigned i = 0; i < 2000; i++) {
        struct traffic_pkt p = tcp4(0xc0a80000 + i * 7, (uint16_t)(32768 + i), PKT_TCP_ACK);
        struct nic_rx_decision d;
        nic_classifier_select(mac, &p, &d);
        CU_ASSERT_FATAL(d.queue >= 0 && d.queue < 16);
        mac_q[d.queue]++;
        nic_classifier_select(rss, &p, &d);
        CU_ASSERT_FATAL(d.queue >= 0 && d.queue < 16);
        rss_q[d.queue]++;
    }
    unsigned mac_used = 0, rss_used = 0;
    for (int q = 0; q < 16; q++) {
        mac_used += mac_q[q] > 0;
        rss_used += rss_q[q] > 0;
    }
    CU_ASSERT_EQUAL(mac_used, 1);
    CU_ASSERT(rss_used >= 12);
    nic_classifier_free(mac);
    nic_classifier_free(rss);
}

static void test_classifier_seeded_default_key_reproducible(void)
{
    struct nic_classifier *a = new_ok(NULL, &env16), *b = new_ok(NULL, &env16);
    struct steer_env other = env16;
    other.seed = 2;
    struct nic_classifier *c = new_ok(NULL, &other);
    size_t la, lb, lc;
    const uint8_t *ka = nic_toeplitz_key(nic_classifier_rss(a), &la);
    const uint8_t *kb = nic_toeplitz_key(nic_classifier_rss(b), &lb);
    const uint8_t *kc = nic_toeplitz_key(nic_classifier_rss(c), &lc);
    CU_ASSERT_EQUAL(la, 40);
    CU_ASSERT_EQUAL(memcmp(ka, kb, 40), 0);
    CU_ASSERT_NOT_EQUAL(memcmp(ka, kc, 40), 0);
    nic_classifier_free(a);
    nic_classifier_free(b);
    nic_classifier_free(c);
}

static void test_classifier_rss_limited_to_16_queues(void)
{
    struct steer_env env32 = env16;
    env32.n_rx_queues = 32;
    /* default RETA spans min(32, 16) queues, like ixgbe_setup_reta */
    struct nic_classifier *c = new_ok(NULL, &env32);
    const struct nic_reta *r = nic_classifier_reta(c);
    for (unsigned i = 0; i < nic_reta_size(r); i++)
        CU_ASSERT(nic_reta_entry(r, i) < 16);
    CU_ASSERT_EQUAL(nic_reta_entry(r, 17), 1);
    nic_classifier_free(c);
    char *m = new_err("{\"rss\": {\"reta\": \"start 10 equal 8\"}}", &env32);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/rss/reta"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "entry 6 is queue 16"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "max_rss_queues 16"));
    g_free(m);
    /* the knob lifts the limit (X550: 63) */
    c = new_ok("{\"rss\": {\"reta\": \"start 10 equal 8\", \"max_rss_queues\": 64}}", &env32);
    CU_ASSERT_EQUAL(nic_reta_entry(nic_classifier_reta(c), 6), 16);
    nic_classifier_free(c);
}

static void test_classifier_config_errors_name_json_path(void)
{
    char *m = new_err("{\"rss\": {\"key\": \"6d:5a\"}}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/rss/key"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "expected 40 to 52 bytes"));
    g_free(m);
    m = new_err("{\"rss\": {\"reta\": [0, 1, 99]}}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/rss/reta"));
    g_free(m);
    m = new_err("{\"rss\": {\"reta_size\": 128, \"reta\": \"equal 17\"}}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "entry 16 is queue 16"));
    g_free(m);
    m = new_err("{\"mac\": {}}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/mac: not a stage"));
    g_free(m);
    m = new_err("{\"chain\": [\"rss\", \"nosuchpolicy\"]}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/chain/1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "unknown steering policy 'nosuchpolicy'"));
    g_free(m);
    m = new_err("{\"chain\": [\"mac\"], \"mac\": {\"field\": \"vlan\"}}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/mac/field"));
    g_free(m);
    m = new_err("{\"rss\": {\"udp5\": true}}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/rss"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "udp5"));
    g_free(m);
}

static void test_classifier_rxhash_off_keeps_reta_hides_hash(void)
{
    struct nic_classifier *on = new_ok(NULL, &env16);
    struct nic_classifier *off = new_ok("{\"rss\": {\"hash\": false}}", &env16);
    struct traffic_pkt p = tcp4(0x01020304, 5555, PKT_TCP_ACK);
    struct nic_rx_decision a, b;
    nic_classifier_select(on, &p, &a);
    nic_classifier_select(off, &p, &b);
    CU_ASSERT_EQUAL(a.queue, b.queue);
    CU_ASSERT_EQUAL(b.hashed, 0);
    CU_ASSERT_EQUAL(b.hash, 0);
    nic_classifier_free(on);
    nic_classifier_free(off);
}

static void test_classifier_plugin_stage_and_dump(void)
{
    struct nic_classifier *c =
        new_ok("{\"chain\": [\"dport\", \"rss\"], \"dport\": {\"map\": {\"80\": 5}}}", &env16);
    struct nic_rx_decision d;
    struct traffic_pkt p = tcp4(0x01020304, 1234, PKT_TCP_SYN); /* dport 80 */
    nic_classifier_select(c, &p, &d);
    CU_ASSERT_EQUAL(d.queue, 5);
    CU_ASSERT_EQUAL(d.stage, 0);
    struct traffic_pkt arp = {.ethertype = 0x0806};
    nic_classifier_select(c, &arp, &d);
    CU_ASSERT_EQUAL(d.queue, 0);
    CU_ASSERT_EQUAL(d.stage, 1);
    json_t *j = nic_classifier_dump(c);
    json_t *st = json_object_get(j, "stages");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(st, "dport"), "decided")),
                    1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(st, "rss"), "decided")), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "hashed")), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "not_hashed")), 1);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(j, "chain"), 0)),
                           "dport");
    json_decref(j);
    nic_classifier_free(c);
}

/* Spec §3.1/§3.2: an ATR filter learnt on TX overrides RSS for the reverse
 * flow, yet the descriptor still carries the Toeplitz hash (ixgbe never sets
 * FDIRCTRL.REPORT_STATUS), so queue != RETA[hash & 127]. */
static void test_classifier_fdir_atr_overrides_rss_keeps_hash(void)
{
    struct nic_classifier *c =
        new_ok("{\"rss\": {\"key\": \"" MS_KEY "\"}, \"chain\": [\"fdir\", \"rss\"], "
               "\"fdir\": {\"mode\": \"signature\"}}",
               &env16);
    struct traffic_pkt rx = tcp4(0x420995bb, 2794, PKT_TCP_ACK);
    struct nic_rx_decision before, after;
    nic_classifier_select(c, &rx, &before);
    CU_ASSERT_EQUAL(before.stage, 1); /* fdir missed, rss decided */
    unsigned txq = (before.queue + 5) % 16;
    /* the reply leaves on TX ring txq: swap the direction of the RX packet */
    struct traffic_pkt tx = rx;
    memcpy(tx.saddr, rx.daddr, 16);
    memcpy(tx.daddr, rx.saddr, 16);
    tx.sport = rx.dport;
    tx.dport = rx.sport;
    tx.tcp_flags = PKT_TCP_SYN | PKT_TCP_ACK; /* SYN programs at once */
    nic_classifier_observe_tx(c, &tx, txq);
    nic_classifier_select(c, &rx, &after);
    CU_ASSERT_EQUAL(after.stage, 0);
    CU_ASSERT_EQUAL(after.queue, (int)txq);
    CU_ASSERT_EQUAL(after.hash, before.hash);
    CU_ASSERT_EQUAL(after.hashed, 1);
    nic_classifier_free(c);
}

/* Runtime filters (aRFS's ndo_rx_flow_steer) reach the first stage with an
 * add_filter slot (Flow Director perfect mode), through the vtable only; a chain
 * without one refuses them and does not ask the host to learn flows. */
static void test_classifier_filters_reach_the_stage_that_takes_them(void)
{
    struct nic_classifier *c =
        new_ok("{\"chain\": [\"fdir\", \"rss\"], \"fdir\": {\"mode\": \"perfect\"}}", &env16);
    CU_ASSERT_TRUE(nic_classifier_learns_flows(c));
    struct traffic_pkt rx = tcp4(0x420995bb, 2794, PKT_TCP_ACK);
    struct nic_rx_decision d;
    nic_classifier_select(c, &rx, &d);
    unsigned want = ((unsigned)d.queue + 3) % 16;
    int id = nic_classifier_add_filter(c, &rx, want);
    CU_ASSERT(id >= 0);
    nic_classifier_select(c, &rx, &d);
    CU_ASSERT_EQUAL(d.queue, (int)want);
    CU_ASSERT_TRUE(nic_classifier_del_filter(c, (unsigned)id));
    CU_ASSERT_FALSE(nic_classifier_del_filter(c, (unsigned)id));
    nic_classifier_free(c);

    c = new_ok("{\"chain\": [\"rss\"]}", &env16);
    CU_ASSERT_FALSE(nic_classifier_learns_flows(c));
    CU_ASSERT_EQUAL(nic_classifier_add_filter(c, &rx, 1), -1);
    CU_ASSERT_FALSE(nic_classifier_del_filter(c, 0));
    nic_classifier_free(c);
}

/* ixgbe_set_rxfh(): a RETA rewrite (here the rsspp plugin's load feedback moving buckets off
 * a busy CPU 0) reaches the port's hashing table and every stage with a set_reta slot (the
 * chain's rss stage) with the same table, and no other stage (rr, mac keep no table: their
 * state is the same before and after). */
static void test_classifier_reta_rewrite_reaches_every_rss_stage_only(void)
{
    const struct steer_env env4 = {.n_rx_queues = 4, .n_tx_queues = 4, .n_cpus = 4, .seed = 1};
    struct nic_classifier *c = new_ok("{\"chain\": [\"rsspp\", \"rss\", \"rr\", \"mac\"]}", &env4);
    uint64_t pk[4] = {0}, dr[4] = {0}, soft[4] = {0}, period, stale;
    unsigned ring[4] = {0}, cpu[4] = {0, 1, 2, 3};
    CU_ASSERT_TRUE_FATAL(nic_classifier_feedback(c, &period, &stale));
    struct steer_load l = {.now_ns = period,
                           .interval_ns = period,
                           .n_rx_queues = 4,
                           .n_cpus = 4,
                           .rxq_packets = pk,
                           .rxq_drops = dr,
                           .rxq_ring = ring,
                           .rxq_cpu = cpu,
                           .cpu_softirq_ns = soft};
    nic_classifier_on_load(c, &l); /* primes the plugin's deltas */
    struct nic_rx_decision d;
    for (unsigned s = 0; s < 400; s++) {
        struct traffic_pkt p = tcp4(0x0a000100 + s, (uint16_t)(1000 + s), PKT_TCP_ACK);
        nic_classifier_select(c, &p, &d);
        pk[d.queue]++;
    }
    json_t *before = nic_classifier_dump(c);
    soft[0] = period; /* CPU 0 100% in softirq, the others idle */
    l.now_ns = 2 * period;
    nic_classifier_on_load(c, &l);
    json_t *after = nic_classifier_dump(c);
    json_t *fb = json_object_get(after, "feedback");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fb, "reta_rewrites")), 1);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fb, "reta_refused")), 0);
    json_t *port0 = json_object_get(json_object_get(before, "rss"), "reta");
    json_t *port1 = json_object_get(json_object_get(after, "rss"), "reta");
    json_t *sb = json_object_get(before, "stages"), *sa = json_object_get(after, "stages");
    json_t *stage1 = json_object_get(json_object_get(json_object_get(sa, "rss"), "state"), "reta");
    CU_ASSERT_FALSE(json_equal(port0, port1)); /* the table moved */
    CU_ASSERT_TRUE(json_equal(stage1, port1)); /* the rss stage has the same new table */
    CU_ASSERT_TRUE(json_equal(json_object_get(sb, "rr"), json_object_get(sa, "rr")));
    CU_ASSERT_TRUE(json_equal(json_object_get(sb, "mac"), json_object_get(sa, "mac")));
    json_decref(before);
    json_decref(after);
    nic_classifier_free(c);
}

/* A chain without an on_load slot takes no feedback: the host never arms it
 * (nic_classifier_feedback false) and the dump keeps its ABI-1 keys; the
 * feedback keys are checked even then. */
static void test_classifier_feedback_off_without_on_load(void)
{
    struct nic_classifier *c =
        new_ok("{\"chain\": [\"fdir\", \"rss\"], \"feedback_ms\": 5}", &env16);
    uint64_t period = 7, stale = 7;
    CU_ASSERT_FALSE(nic_classifier_feedback(c, &period, &stale));
    CU_ASSERT_EQUAL(period, 7);
    json_t *j = nic_classifier_dump(c);
    CU_ASSERT_PTR_NULL(json_object_get(j, "feedback"));
    json_decref(j);
    nic_classifier_free(c);
    char *m = new_err("{\"feedback_ms\": 0}", &env16);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(m, "/nic/steering/feedback_ms: expected a positive number of ms"));
    g_free(m);
    m = new_err("{\"staleness_ms\": 10}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(
        m, "/nic/steering/staleness_ms: 10.000, expected less than the feedback period 10.000 ms"));
    g_free(m);
    m = new_err("{\"feedback_ms\": 2, \"staleness_ms\": \"1\"}", &env16);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/steering/staleness_ms: expected a non-negative number"));
    g_free(m);
}

static CU_TestInfo cases[] = {
    {"test_classifier_feedback_off_without_on_load", test_classifier_feedback_off_without_on_load},
    {"test_classifier_reta_rewrite_reaches_every_rss_stage_only",
     test_classifier_reta_rewrite_reaches_every_rss_stage_only},
    {"test_classifier_filters_reach_the_stage_that_takes_them",
     test_classifier_filters_reach_the_stage_that_takes_them},
    {"test_classifier_fdir_atr_overrides_rss_keeps_hash",
     test_classifier_fdir_atr_overrides_rss_keeps_hash},
    {"test_classifier_plugin_stage_and_dump", test_classifier_plugin_stage_and_dump},
    {"test_classifier_default_rss_uses_reta_of_ms_hash",
     test_classifier_default_rss_uses_reta_of_ms_hash},
    {"test_classifier_non_ip_queue0_not_hashed", test_classifier_non_ip_queue0_not_hashed},
    {"test_classifier_chain_order_first_match_decides",
     test_classifier_chain_order_first_match_decides},
    {"test_classifier_all_no_match_goes_queue0", test_classifier_all_no_match_goes_queue0},
    {"test_classifier_mac_hash_collapses_behind_router",
     test_classifier_mac_hash_collapses_behind_router},
    {"test_classifier_seeded_default_key_reproducible",
     test_classifier_seeded_default_key_reproducible},
    {"test_classifier_rss_limited_to_16_queues", test_classifier_rss_limited_to_16_queues},
    {"test_classifier_config_errors_name_json_path", test_classifier_config_errors_name_json_path},
    {"test_classifier_rxhash_off_keeps_reta_hides_hash",
     test_classifier_rxhash_off_keeps_reta_hides_hash},
    CU_TEST_INFO_NULL,
};

CU_MAIN("classifier", cases)
