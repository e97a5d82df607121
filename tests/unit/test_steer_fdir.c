/* models/nic/steer_fdir.c: ATR sampling (ixgbe_atr), signature matching and
 * overflow flush, ethtool -N perfect filters and their config errors. */
#include <string.h>

#include "models/nic/fdir_hash.h"
#include "models/nic/steer_fdir.h"
#include "sim/core/err.h"
#include "sim/core/rng.h"
#include "tests/unit/cu_main.h"

static const struct steer_env env8 = {.n_rx_queues = 8, .n_tx_queues = 8, .n_cpus = 8, .seed = 1};
static const struct steer_ctx ctx0 = {0};

static struct traffic_pkt tcp4(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint8_t flags)
{
    struct traffic_pkt p;
    memset(&p, 0, sizeof(p));
    p.l3 = PKT_L3_IPV4;
    p.l4 = 6;
    p.ethertype = 0x0800;
    p.has_ports = 1;
    p.sport = sp;
    p.dport = dp;
    p.tcp_flags = flags;
    for (int i = 0; i < 4; i++) {
        p.saddr[i] = (uint8_t)(s >> (24 - 8 * i));
        p.daddr[i] = (uint8_t)(d >> (24 - 8 * i));
    }
    return p;
}

static struct traffic_pkt reverse(const struct traffic_pkt *p)
{
    struct traffic_pkt r = *p;
    memcpy(r.saddr, p->daddr, 16);
    memcpy(r.daddr, p->saddr, 16);
    r.sport = p->dport;
    r.dport = p->sport;
    return r;
}

static void *new_fdir(const char *json)
{
    json_t *cfg = json ? json_loads(json, 0, NULL) : NULL;
    CU_ASSERT_FATAL(!json || cfg);
    GError *err = NULL;
    void *st = steer_fdir_ops.init(cfg, "/nic/fdir", &env8, &err);
    if (!st)
        fprintf(stderr, "init: %s\n", err->message);
    g_clear_error(&err);
    json_decref(cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    return st;
}

/* Error message of a config that must be rejected. */
static char *init_error(const char *json)
{
    json_t *cfg = json_loads(json, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    GError *err = NULL;
    void *st = steer_fdir_ops.init(cfg, "/nic/fdir", &env8, &err);
    json_decref(cfg);
    CU_ASSERT_PTR_NULL(st);
    steer_fdir_ops.destroy(st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_EQUAL(err->domain, SIM_ERROR);
    char *m = g_strdup(err->message);
    g_error_free(err);
    return m;
}

static long long counter(void *st, const char *key)
{
    json_t *d = steer_fdir_ops.dump(st);
    json_t *v = json_object_get(d, key);
    CU_ASSERT_FATAL(json_is_integer(v));
    long long x = json_integer_value(v);
    json_decref(d);
    return x;
}

static int rx(void *st, const struct traffic_pkt *p)
{
    return steer_fdir_ops.select_rxq(st, p, &ctx0);
}

static void test_steer_fdir_syn_programs_filter_for_rx_direction(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt syn = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_SYN);
    struct traffic_pkt back = reverse(&syn);
    CU_ASSERT_EQUAL(rx(st, &back), STEER_NO_MATCH);
    CU_ASSERT_EQUAL(counter(st, "fdir_miss"), 1);
    steer_fdir_ops.observe_tx(st, &syn, 3);
    CU_ASSERT_EQUAL(counter(st, "filters"), 1);
    CU_ASSERT_EQUAL(counter(st, "fdir_added"), 1);
    CU_ASSERT_EQUAL(rx(st, &back), 3);
    CU_ASSERT_EQUAL(counter(st, "fdir_match"), 1);
    /* the transmitted direction itself was not programmed */
    CU_ASSERT_EQUAL(rx(st, &syn), STEER_NO_MATCH);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_twentieth_data_packet_programs(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt data = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_ACK);
    struct traffic_pkt back = reverse(&data);
    for (int i = 0; i < 19; i++)
        steer_fdir_ops.observe_tx(st, &data, 2);
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    CU_ASSERT_EQUAL(rx(st, &back), STEER_NO_MATCH);
    steer_fdir_ops.observe_tx(st, &data, 2);
    CU_ASSERT_EQUAL(counter(st, "filters"), 1);
    CU_ASSERT_EQUAL(rx(st, &back), 2);
    /* the counter was reset: 19 more do not re-add, the 20th does */
    for (int i = 0; i < 19; i++)
        steer_fdir_ops.observe_tx(st, &data, 2);
    CU_ASSERT_EQUAL(counter(st, "fdir_updated"), 0);
    steer_fdir_ops.observe_tx(st, &data, 2);
    CU_ASSERT_EQUAL(counter(st, "fdir_updated"), 1);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_sample_count_is_per_tx_ring(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt data = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_ACK);
    for (int i = 0; i < 19; i++) {
        steer_fdir_ops.observe_tx(st, &data, 1);
        steer_fdir_ops.observe_tx(st, &data, 4);
    }
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    steer_fdir_ops.observe_tx(st, &data, 4);
    struct traffic_pkt back = reverse(&data);
    CU_ASSERT_EQUAL(rx(st, &back), 4);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_fin_never_programs(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt fin = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_FIN | PKT_TCP_ACK);
    struct traffic_pkt synfin = fin;
    synfin.tcp_flags = PKT_TCP_SYN | PKT_TCP_FIN;
    for (int i = 0; i < 60; i++)
        steer_fdir_ops.observe_tx(st, i % 2 ? &fin : &synfin, 0);
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    struct traffic_pkt back = reverse(&fin);
    CU_ASSERT_EQUAL(rx(st, &back), STEER_NO_MATCH);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_udp_never_programs_but_counts_toward_sample(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt udp = tcp4(0x0a000001, 0x0a000002, 5353, 53, 0);
    udp.l4 = 17;
    for (int i = 0; i < 45; i++)
        steer_fdir_ops.observe_tx(st, &udp, 0);
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    struct traffic_pkt back = reverse(&udp);
    CU_ASSERT_EQUAL(rx(st, &back), STEER_NO_MATCH);
    /* ixgbe_atr bumps atr_count before the protocol check: after 45 UDP
     * packets the first TCP data segment is already past the sample rate */
    struct traffic_pkt data = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_ACK);
    steer_fdir_ops.observe_tx(st, &data, 0);
    CU_ASSERT_EQUAL(counter(st, "filters"), 1);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_flow_follows_transmitting_ring(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt syn = tcp4(0xc0a80101, 0xc0a80102, 33000, 443, PKT_TCP_SYN);
    struct traffic_pkt data = syn;
    data.tcp_flags = PKT_TCP_ACK | PKT_TCP_PSH;
    struct traffic_pkt back = reverse(&syn);
    steer_fdir_ops.observe_tx(st, &syn, 2);
    CU_ASSERT_EQUAL(rx(st, &back), 2);
    /* the application migrates: XPS now picks TX ring 5 */
    for (int i = 0; i < 19; i++) {
        steer_fdir_ops.observe_tx(st, &data, 5);
        CU_ASSERT_EQUAL(rx(st, &back), 2);
    }
    steer_fdir_ops.observe_tx(st, &data, 5);
    CU_ASSERT_EQUAL(rx(st, &back), 5);
    CU_ASSERT_EQUAL(counter(st, "filters"), 1);
    CU_ASSERT_EQUAL(counter(st, "fdir_updated"), 1);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_sample_rate_zero_disables_atr(void)
{
    void *st = new_fdir("{\"atr_sample_rate\": 0}");
    struct traffic_pkt syn = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_SYN);
    steer_fdir_ops.observe_tx(st, &syn, 1);
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_overflow_flushes_all_signature_filters(void)
{
    void *st = new_fdir("{\"pballoc\": \"64k\"}");
    CU_ASSERT_EQUAL(counter(st, "capacity"), 8191);
    struct traffic_pkt first = tcp4(0x0a000001, 0x0a000002, 1, 80, PKT_TCP_SYN);
    steer_fdir_ops.observe_tx(st, &first, 1);
    struct traffic_pkt first_back = reverse(&first);
    CU_ASSERT_EQUAL(rx(st, &first_back), 1);
    long long before = 1;
    uint32_t i = 0;
    while (counter(st, "fdir_overflow") == 0 && i < 20000) {
        before = counter(st, "filters");
        struct traffic_pkt syn =
            tcp4(0x0b000000 + (i >> 16), 0x0a000002, (uint16_t)(i & 0xffff), 80, PKT_TCP_SYN);
        steer_fdir_ops.observe_tx(st, &syn, 1 + i % 7);
        i++;
    }
    CU_ASSERT_EQUAL(counter(st, "fdir_overflow"), 1);
    /* FLOW_DIR fires when fewer than 64 (FULL_THRESH) entries are free */
    CU_ASSERT_EQUAL(before, 8191 - 64);
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    CU_ASSERT_EQUAL(rx(st, &first_back), STEER_NO_MATCH);
    /* re-armed: the next SYN programs again */
    steer_fdir_ops.observe_tx(st, &first, 6);
    CU_ASSERT_EQUAL(rx(st, &first_back), 6);
    CU_ASSERT_EQUAL(counter(st, "filters"), 1);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_capacity_follows_pballoc(void)
{
    void *st = new_fdir("{\"pballoc\": \"256k\"}");
    CU_ASSERT_EQUAL(counter(st, "capacity"), 32767);
    steer_fdir_ops.destroy(st);
    st = new_fdir("{\"pballoc\": \"128k\", \"mode\": \"perfect\"}");
    CU_ASSERT_EQUAL(counter(st, "capacity"), 4094);
    steer_fdir_ops.destroy(st);
}

/* Two RX keys with equal bucket (13 bits at 64K) and signature: found by a
 * birthday search over address XOR deltas; the hash is linear, so adding
 * d1 ^ d2 to a flow's addresses keeps its bucket and signature. */
static uint32_t colliding_delta(void)
{
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    struct sim_rng r;
    sim_rng_init(&r, 5, "fdir-collide");
    uint32_t found = 0;
    while (!found) {
        uint32_t d = sim_rng_u32(&r) | 1;
        struct nic_fdir_atr_input in = {.flow_vm_vlan = 0, .common = d};
        uint32_t h = nic_fdir_sig_hash(&in) & 0x7fff1fffu;
        gpointer prev = g_hash_table_lookup(seen, GUINT_TO_POINTER(h + 1));
        if (prev && GPOINTER_TO_UINT(prev) != d)
            found = GPOINTER_TO_UINT(prev) ^ d;
        g_hash_table_insert(seen, GUINT_TO_POINTER(h + 1), GUINT_TO_POINTER(d));
    }
    g_hash_table_destroy(seen);
    return found;
}

static void test_steer_fdir_colliding_flow_is_steered_too(void)
{
    void *st = new_fdir(NULL);
    uint32_t d = colliding_delta();
    struct traffic_pkt syn = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_SYN);
    steer_fdir_ops.observe_tx(st, &syn, 4);
    struct traffic_pkt other = reverse(&syn);
    uint32_t s = 0x0a000002u ^ d;
    for (int i = 0; i < 4; i++)
        other.saddr[i] = (uint8_t)(s >> (24 - 8 * i));
    /* a different flow, yet bucket + signature match: 82599 steers it */
    CU_ASSERT_EQUAL(rx(st, &other), 4);
    CU_ASSERT_EQUAL(counter(st, "fdir_match"), 1);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_ipv6_and_vlan_flows_are_sampled(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt syn = tcp4(0, 0, 40000, 80, PKT_TCP_SYN);
    syn.l3 = PKT_L3_IPV6;
    syn.ethertype = 0x86dd;
    for (int i = 0; i < 16; i++) {
        syn.saddr[i] = (uint8_t)(0x20 + i);
        syn.daddr[i] = (uint8_t)(0x90 - i);
    }
    steer_fdir_ops.observe_tx(st, &syn, 6);
    struct traffic_pkt back = reverse(&syn);
    CU_ASSERT_EQUAL(rx(st, &back), 6);
    /* the VLAN ID is part of the key: same 5-tuple on VLAN 100 is another flow */
    struct traffic_pkt tagged = tcp4(0x0a000001, 0x0a000002, 40000, 80, PKT_TCP_SYN);
    tagged.has_vlan = 1;
    tagged.vlan_tci = 100;
    steer_fdir_ops.observe_tx(st, &tagged, 1);
    struct traffic_pkt tback = reverse(&tagged);
    CU_ASSERT_EQUAL(rx(st, &tback), 1);
    tback.vlan_tci = 101;
    CU_ASSERT_EQUAL(rx(st, &tback), STEER_NO_MATCH);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_non_ip_is_not_looked_up(void)
{
    void *st = new_fdir(NULL);
    struct traffic_pkt arp;
    memset(&arp, 0, sizeof(arp));
    arp.ethertype = 0x0806;
    steer_fdir_ops.observe_tx(st, &arp, 0);
    CU_ASSERT_EQUAL(rx(st, &arp), STEER_NO_MATCH);
    CU_ASSERT_EQUAL(counter(st, "fdir_miss"), 0);
    CU_ASSERT_EQUAL(counter(st, "filters"), 0);
    steer_fdir_ops.destroy(st);
}

static const char *perfect_cfg =
    "{\"mode\": \"perfect\", \"filters\": ["
    "{\"flow_type\": \"tcp4\", \"dst_port\": 80, \"action\": 3, \"loc\": 5},"
    "\"flow-type tcp4 dst-port 22 action -1 loc 6\","
    "{\"flow_type\": \"tcp4\", \"dst_port\": 443, \"action\": 7}]}";

static void test_steer_fdir_perfect_match_miss_and_drop(void)
{
    void *st = new_fdir(perfect_cfg);
    CU_ASSERT_EQUAL(counter(st, "filters"), 3);
    struct traffic_pkt web = tcp4(0x01020304, 0x0a000001, 50000, 80, PKT_TCP_ACK);
    CU_ASSERT_EQUAL(rx(st, &web), 3);
    web.sport = 50001; /* source port is outside the mask */
    CU_ASSERT_EQUAL(rx(st, &web), 3);
    struct traffic_pkt ssh = tcp4(0x01020304, 0x0a000001, 50000, 22, PKT_TCP_ACK);
    CU_ASSERT_EQUAL(rx(st, &ssh), STEER_DROP);
    CU_ASSERT_EQUAL(counter(st, "fdir_drop"), 1);
    struct traffic_pkt tls = tcp4(0x01020304, 0x0a000001, 50000, 443, PKT_TCP_ACK);
    CU_ASSERT_EQUAL(rx(st, &tls), 7);
    struct traffic_pkt other = tcp4(0x01020304, 0x0a000001, 50000, 8080, PKT_TCP_ACK);
    CU_ASSERT_EQUAL(rx(st, &other), STEER_NO_MATCH);
    struct traffic_pkt udp = web;
    udp.l4 = 17; /* L4 type is in the mask of a tcp4 rule */
    udp.dport = 80;
    CU_ASSERT_EQUAL(rx(st, &udp), STEER_NO_MATCH);
    struct traffic_pkt web6 = tcp4(0x01020304, 0x0a000001, 50000, 80, PKT_TCP_ACK);
    web6.l3 = PKT_L3_IPV6; /* perfect filters are IPv4 only */
    CU_ASSERT_EQUAL(rx(st, &web6), STEER_NO_MATCH);
    CU_ASSERT_EQUAL(counter(st, "fdir_match"), 4);
    CU_ASSERT_EQUAL(counter(st, "fdir_miss"), 3);
    /* ntuple on: ATR is off */
    struct traffic_pkt syn = tcp4(0x0a000001, 0x09000001, 80, 1234, PKT_TCP_SYN);
    steer_fdir_ops.observe_tx(st, &syn, 1);
    CU_ASSERT_EQUAL(counter(st, "filters"), 3);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_perfect_ip4_rule_matches_any_l4(void)
{
    void *st = new_fdir("{\"mode\": \"perfect\", \"filters\": ["
                        "\"flow-type ip4 src-ip 192.168.7.1 action 2\"]}");
    struct traffic_pkt t = tcp4(0xc0a80701, 0x0a000001, 1, 2, 0);
    CU_ASSERT_EQUAL(rx(st, &t), 2);
    t.l4 = 17;
    CU_ASSERT_EQUAL(rx(st, &t), 2);
    t.saddr[3] = 2;
    CU_ASSERT_EQUAL(rx(st, &t), STEER_NO_MATCH);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_perfect_same_loc_replaces(void)
{
    void *st = new_fdir("{\"mode\": \"perfect\", \"filters\": ["
                        "\"flow-type tcp4 dst-port 80 action 1 loc 9\","
                        "\"flow-type tcp4 dst-port 81 action 2 loc 9\"]}");
    CU_ASSERT_EQUAL(counter(st, "filters"), 1);
    struct traffic_pkt p = tcp4(1, 2, 3, 80, 0);
    CU_ASSERT_EQUAL(rx(st, &p), STEER_NO_MATCH);
    p.dport = 81;
    CU_ASSERT_EQUAL(rx(st, &p), 2);
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_mask_mismatch_names_filter(void)
{
    char *m = init_error("{\"mode\": \"perfect\", \"filters\": ["
                         "\"flow-type tcp4 dst-port 80 action 1\","
                         "\"flow-type tcp4 dst-port 81 action 1\","
                         "{\"flow_type\": \"tcp4\", \"src_port\": 5, \"action\": 2}]}");
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/fdir/filters/2:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "one input mask per port"));
    g_free(m);
    /* ip4 and tcp4 masks differ in the L4 type bits */
    m = init_error("{\"mode\": \"perfect\", \"filters\": ["
                   "\"flow-type ip4 dst-ip 10.0.0.1 action 1\","
                   "\"flow-type tcp4 dst-ip 10.0.0.2 action 1\"]}");
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/fdir/filters/1:"));
    g_free(m);
}

static void test_steer_fdir_loc_out_of_range(void)
{
    char *m = init_error("{\"mode\": \"perfect\", \"filters\": ["
                         "{\"flow_type\": \"tcp4\", \"dst_port\": 80, \"action\": 1, "
                         "\"loc\": 2046}]}");
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/fdir/filters/0/loc"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "2046"));
    g_free(m);
    void *st = new_fdir("{\"mode\": \"perfect\", \"pballoc\": \"128k\", \"filters\": ["
                        "{\"flow_type\": \"tcp4\", \"dst_port\": 80, \"action\": 1, "
                        "\"loc\": 2046}]}");
    steer_fdir_ops.destroy(st);
}

static void test_steer_fdir_config_errors_name_the_key(void)
{
    static const struct {
        const char *cfg, *want;
    } bad[] = {
        {"{\"mode\": \"perfect\", \"filters\": [{\"flow_type\": \"tcp4\", \"action\": 8}]}",
         "/nic/fdir/filters/0/action: queue 8 >= 8 rx queues"},
        {"{\"mode\": \"perfect\", \"filters\": [{\"flow_type\": \"tcp6\", \"action\": 1}]}",
         "/nic/fdir/filters/0/flow_type"},
        {"{\"mode\": \"perfect\", \"filters\": [{\"flow_type\": \"tcp4\", \"action\": 1, "
         "\"dst_ip\": \"10.0.0\"}]}",
         "/nic/fdir/filters/0/dst_ip"},
        {"{\"mode\": \"perfect\", \"filters\": [{\"flow_type\": \"tcp4\", \"action\": 1, "
         "\"dst_port\": \"80\"}]}",
         "/nic/fdir/filters/0/dst_port: expected an integer"},
        {"{\"mode\": \"perfect\", \"filters\": [{\"flow_type\": \"tcp4\", \"action\": 1, "
         "\"queue\": 1}]}",
         "/nic/fdir/filters/0/queue: unknown key"},
        {"{\"mode\": \"perfect\", \"filters\": [{\"flow_type\": \"tcp4\"}]}",
         "/nic/fdir/filters/0/action: missing"},
        {"{\"mode\": \"perfect\", \"filters\": [\"flow-type tcp4 dst-port 70000 action 1\"]}",
         "/nic/fdir/filters/0: 'dst-port'"},
        {"{\"mode\": \"perfect\", \"filters\": [\"flow-type tcp4 vlan 5 action 1\"]}", "'vlan'"},
        {"{\"mode\": \"perfect\", \"filters\": [\"flow-type ip4 dst-port 5 action 1\"]}",
         "/nic/fdir/filters/0: ports need"},
        {"{\"filters\": [\"flow-type tcp4 dst-port 80 action 1\"]}",
         "/nic/fdir/filters: perfect filters need"},
        {"{\"mode\": \"atr\"}", "/nic/fdir/mode"},
        {"{\"pballoc\": \"512k\"}", "/nic/fdir/pballoc"},
        {"{\"atr_sample_rate\": 300}", "/nic/fdir/atr_sample_rate"},
        {"{\"atr_rate\": 20}", "atr_rate"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *m = init_error(bad[i].cfg);
        if (!strstr(m, bad[i].want))
            fprintf(stderr, "case %zu: got '%s', want '%s'\n", i, m, bad[i].want);
        CU_ASSERT_PTR_NOT_NULL(strstr(m, bad[i].want));
        g_free(m);
    }
}

static void test_steer_fdir_dump_reports_mode_and_counters(void)
{
    void *st = new_fdir(NULL);
    json_t *d = steer_fdir_ops.dump(st);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "mode")), "signature");
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "pballoc")), "64k");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "atr_sample_rate")), 20);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "capacity")), 8191);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(d, "fdir_overflow"));
    json_decref(d);
    steer_fdir_ops.destroy(st);
    steer_fdir_ops.destroy(NULL);
}

/* aRFS-style runtime filters: a flow steered, re-steered, removed; signature mode refuses. */
static void test_steer_fdir_runtime_perfect_filter_add_update_del(void)
{
    json_t *cfg = json_pack("{s:s}", "mode", "perfect");
    void *st = steer_fdir_ops.init(cfg, "/f", &env8, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    struct traffic_pkt a = tcp4(0x0a000001, 0x0a000101, 1000, 80, PKT_TCP_ACK);
    struct traffic_pkt b = tcp4(0x0a000002, 0x0a000101, 1000, 80, PKT_TCP_ACK);
    CU_ASSERT_EQUAL(rx(st, &a), STEER_NO_MATCH);
    int id = steer_fdir_perfect_add(st, &a, 5);
    CU_ASSERT(id >= 0);
    CU_ASSERT_EQUAL(rx(st, &a), 5);
    CU_ASSERT_EQUAL(rx(st, &b), STEER_NO_MATCH); /* full 5-tuple: another source misses */
    CU_ASSERT_EQUAL(steer_fdir_perfect_add(st, &a, 2), id); /* same flow: queue rewritten */
    CU_ASSERT_EQUAL(rx(st, &a), 2);
    int id2 = steer_fdir_perfect_add(st, &b, 7);
    CU_ASSERT(id2 >= 0 && id2 != id);
    CU_ASSERT_TRUE(steer_fdir_perfect_del(st, (unsigned)id));
    CU_ASSERT_FALSE(steer_fdir_perfect_del(st, (unsigned)id));
    CU_ASSERT_EQUAL(rx(st, &a), STEER_NO_MATCH);
    CU_ASSERT_EQUAL(rx(st, &b), 7);
    CU_ASSERT_EQUAL(steer_fdir_perfect_add(st, &a, 8), -1); /* queue out of range */
    /* the freed location is the lowest free one again */
    CU_ASSERT_EQUAL(steer_fdir_perfect_add(st, &a, 3), id);
    CU_ASSERT_EQUAL(rx(st, &a), 3);
    /* fill every location (1024 << pballoc) - 2: the next add is refused, nothing grows */
    int n = 2; /* filters in the table: a and b */
    for (uint32_t src = 0x0b000000; n < 5000; src++, n++) {
        struct traffic_pkt c = tcp4(src, 0x0a000101, 1000, 80, PKT_TCP_ACK);
        if (steer_fdir_perfect_add(st, &c, 1) < 0)
            break;
    }
    CU_ASSERT_EQUAL(n, (1024 << 1) - 2); /* default pballoc 1 (64K): 2046 locations */
    steer_fdir_ops.destroy(st);
    json_decref(cfg);
    void *sig = steer_fdir_ops.init(NULL, "/f", &env8, NULL);
    CU_ASSERT_EQUAL(steer_fdir_perfect_add(sig, &a, 1), -1); /* ATR mode has no perfect filters */
    steer_fdir_ops.destroy(sig);
}

static CU_TestInfo cases[] = {
    {"test_steer_fdir_runtime_perfect_filter_add_update_del",
     test_steer_fdir_runtime_perfect_filter_add_update_del},
    {"test_steer_fdir_syn_programs_filter_for_rx_direction",
     test_steer_fdir_syn_programs_filter_for_rx_direction},
    {"test_steer_fdir_twentieth_data_packet_programs",
     test_steer_fdir_twentieth_data_packet_programs},
    {"test_steer_fdir_sample_count_is_per_tx_ring", test_steer_fdir_sample_count_is_per_tx_ring},
    {"test_steer_fdir_fin_never_programs", test_steer_fdir_fin_never_programs},
    {"test_steer_fdir_udp_never_programs_but_counts_toward_sample",
     test_steer_fdir_udp_never_programs_but_counts_toward_sample},
    {"test_steer_fdir_flow_follows_transmitting_ring",
     test_steer_fdir_flow_follows_transmitting_ring},
    {"test_steer_fdir_sample_rate_zero_disables_atr",
     test_steer_fdir_sample_rate_zero_disables_atr},
    {"test_steer_fdir_overflow_flushes_all_signature_filters",
     test_steer_fdir_overflow_flushes_all_signature_filters},
    {"test_steer_fdir_capacity_follows_pballoc", test_steer_fdir_capacity_follows_pballoc},
    {"test_steer_fdir_ipv6_and_vlan_flows_are_sampled",
     test_steer_fdir_ipv6_and_vlan_flows_are_sampled},
    {"test_steer_fdir_non_ip_is_not_looked_up", test_steer_fdir_non_ip_is_not_looked_up},
    {"test_steer_fdir_colliding_flow_is_steered_too",
     test_steer_fdir_colliding_flow_is_steered_too},
    {"test_steer_fdir_perfect_match_miss_and_drop", test_steer_fdir_perfect_match_miss_and_drop},
    {"test_steer_fdir_perfect_ip4_rule_matches_any_l4",
     test_steer_fdir_perfect_ip4_rule_matches_any_l4},
    {"test_steer_fdir_perfect_same_loc_replaces", test_steer_fdir_perfect_same_loc_replaces},
    {"test_steer_fdir_mask_mismatch_names_filter", test_steer_fdir_mask_mismatch_names_filter},
    {"test_steer_fdir_loc_out_of_range", test_steer_fdir_loc_out_of_range},
    {"test_steer_fdir_config_errors_name_the_key", test_steer_fdir_config_errors_name_the_key},
    {"test_steer_fdir_dump_reports_mode_and_counters",
     test_steer_fdir_dump_reports_mode_and_counters},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer_fdir", cases)
