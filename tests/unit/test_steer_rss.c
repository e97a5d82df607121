/* models/nic/steer_rss.c: queue = RETA[hash & (size-1)], non-hashed -> 0,
 * descriptor hash per ixgbe defaults. */
#include <arpa/inet.h>
#include <string.h>

#include "models/nic/steer_rss.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static const struct steer_env env16 = {.n_rx_queues = 16, .n_tx_queues = 16, .n_cpus = 16};

static void *rss_new(const char *text, GError **err)
{
    json_t *cfg = text ? json_loads(text, 0, NULL) : NULL;
    void *st = steer_rss_ops.init(cfg, "/nic/steering/rss", &env16, err);
    json_decref(cfg);
    return st;
}

static void test_steer_rss_reta_lookup_on_ctx_hash(void)
{
    void *st = rss_new("{\"reta\": \"weight 1 3\", \"reta_size\": 64}", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4};
    struct steer_ctx c = {.rss_hash = 0xabcd0000 | 15, .rss_type = 2};
    CU_ASSERT_EQUAL(steer_rss_ops.select_rxq(st, &p, &c), 0); /* entries 0..15 -> 0 */
    c.rss_hash = 0xabcd0000 | 16 | 64;                        /* & 63 = 16 */
    CU_ASSERT_EQUAL(steer_rss_ops.select_rxq(st, &p, &c), 1);
    c.rss_type = 0; /* not hashed */
    CU_ASSERT_EQUAL(steer_rss_ops.select_rxq(st, &p, &c), 0);
    json_t *d = steer_rss_ops.dump(st);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "by_reta")), 2);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "not_hashed")), 1);
    CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(d, "key"))), 40 * 3 - 1);
    json_decref(d);
    steer_rss_ops.destroy(st);
}

static void test_steer_rss_hash_udp_4tuple_knob(void)
{
    void *dflt = rss_new(NULL, NULL), *udp = rss_new("{\"udp4\": true}", NULL);
    struct traffic_pkt a = {.l3 = PKT_L3_IPV4, .l4 = 17, .has_ports = 1, .sport = 1, .dport = 2};
    struct traffic_pkt b = a;
    b.sport = 3;
    struct steer_ctx ca, cb;
    CU_ASSERT_TRUE(steer_rss_hash(dflt, &a, &ca));
    CU_ASSERT_TRUE(steer_rss_hash(dflt, &b, &cb));
    CU_ASSERT_EQUAL(ca.rss_hash, cb.rss_hash); /* 2-tuple: ports ignored */
    CU_ASSERT_EQUAL(ca.rss_type, NIC_RSS_IPV4);
    CU_ASSERT_TRUE(steer_rss_hash(udp, &a, &ca));
    CU_ASSERT_TRUE(steer_rss_hash(udp, &b, &cb));
    CU_ASSERT_NOT_EQUAL(ca.rss_hash, cb.rss_hash);
    CU_ASSERT_EQUAL(ca.rss_type, NIC_RSS_IPV4_UDP);
    steer_rss_ops.destroy(dflt);
    steer_rss_ops.destroy(udp);
}

/* The IPv4 2-tuple hash taken in place equals the Toeplitz hash of the assembled
 * input (ixgbe defaults: UDP, ICMP and fragments hash saddr|daddr only); the MS
 * verification suite's 66.9.149.187 -> 161.142.100.80 2-tuple is 0x323e8fc2. */
static void test_steer_rss_ipv4_2tuple_matches_the_assembled_input(void)
{
    void *st =
        rss_new("{\"key\": \"6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
                "6a42b73bbeac01fa\"}",
                NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    struct traffic_pkt p = {
        .l3 = PKT_L3_IPV4, .l4 = 17, .has_ports = 1, .sport = 2794, .dport = 1766};
    memcpy(p.saddr, (uint8_t[]){66, 9, 149, 187}, 4);
    memcpy(p.daddr, (uint8_t[]){161, 142, 100, 80}, 4);
    struct steer_ctx c;
    CU_ASSERT_TRUE(steer_rss_hash(st, &p, &c));
    CU_ASSERT_EQUAL(c.rss_hash, 0x323e8fc2u);
    CU_ASSERT_EQUAL(c.rss_type, NIC_RSS_IPV4);
    const uint8_t l4s[] = {17, 1, 6};
    for (uint32_t i = 0; i < 300; i++) {
        p.l4 = l4s[i % 3];
        p.frag = p.l4 == 6; /* a TCP fragment has no ports: 2-tuple too */
        uint32_t a = htonl(0x0a000001u + i * 7919u), b = htonl(0xc0a80001u ^ (i * 104729u));
        memcpy(p.saddr, &a, 4);
        memcpy(p.daddr, &b, 4);
        uint8_t in[NIC_TOEPLITZ_INPUT_MAX];
        enum nic_rss_type type;
        size_t len = nic_toeplitz_pkt_input(&p, &(struct nic_rss_fields){0}, in, &type);
        CU_ASSERT_TRUE(steer_rss_hash(st, &p, &c));
        CU_ASSERT_EQUAL(len, 8);
        CU_ASSERT_EQUAL(c.rss_hash, nic_toeplitz_hash(steer_rss_toeplitz(st), in, len));
        CU_ASSERT_EQUAL(c.rss_type, type);
    }
    steer_rss_ops.destroy(st);
}

static void test_steer_rss_config_errors(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(rss_new("{\"reta_size\": 100}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/reta_size") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(rss_new("{\"key\": \"00112233\"}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/key") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(rss_new("{\"reta\": 5}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/reta") : NULL);
    g_clear_error(&err);
}

static void *rss_new_on(const char *model, unsigned nq, const char *text, GError **err)
{
    struct steer_env env = {.n_rx_queues = nq, .n_tx_queues = nq, .n_cpus = nq};
    env.profile = nic_profile_lookup(model, "test", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(env.profile);
    json_t *cfg = text ? json_loads(text, 0, NULL) : NULL;
    void *st = steer_rss_ops.init(cfg, "/nic/steering/rss", &env, err);
    json_decref(cfg);
    return st;
}

/* The profile's defaults: x710 = 512 entries, 52-byte key, 64 RSS queues, UDP
 * 4-tuple (i40e); the 82599 keeps 128 / 40 / 16 and 2-tuple UDP. */
static void test_steer_rss_profile_defaults(void)
{
    void *x = rss_new_on("x710", 64, NULL, NULL), *ix = rss_new_on("82599", 64, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ix);
    size_t klen;
    nic_toeplitz_key(steer_rss_toeplitz(x), &klen);
    CU_ASSERT_EQUAL(klen, 52);
    CU_ASSERT_EQUAL(nic_reta_size(steer_rss_reta(x)), 512);
    CU_ASSERT_EQUAL(nic_reta_n_queues(steer_rss_reta(x)), 64);
    CU_ASSERT_EQUAL(nic_reta_entry(steer_rss_reta(x), 63), 63);
    nic_toeplitz_key(steer_rss_toeplitz(ix), &klen);
    CU_ASSERT_EQUAL(klen, 40);
    CU_ASSERT_EQUAL(nic_reta_size(steer_rss_reta(ix)), 128);
    CU_ASSERT_EQUAL(nic_reta_n_queues(steer_rss_reta(ix)), 16); /* min(64 queues, 16) */
    struct traffic_pkt a = {.l3 = PKT_L3_IPV4, .l4 = 17, .has_ports = 1, .sport = 1, .dport = 2};
    struct steer_ctx c;
    CU_ASSERT_TRUE(steer_rss_hash(x, &a, &c));
    CU_ASSERT_EQUAL(c.rss_type, NIC_RSS_IPV4_UDP);
    CU_ASSERT_TRUE(steer_rss_hash(ix, &a, &c));
    CU_ASSERT_EQUAL(c.rss_type, NIC_RSS_IPV4);
    json_t *d = steer_rss_ops.dump(x);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "nic")), "x710");
    json_decref(d);
    d = steer_rss_ops.dump(ix);
    CU_ASSERT_PTR_NULL(json_object_get(d, "nic")); /* 82599 reports as before */
    json_decref(d);
    steer_rss_ops.destroy(x);
    steer_rss_ops.destroy(ix);
}

static void test_steer_rss_profile_limits(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(rss_new_on("x710", 64, "{\"reta_size\": 128}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/reta_size: "
                                                      "indirection table of 128 entries, "
                                                      "expected 512")
                               : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(rss_new_on("82599", 32, "{\"max_rss_queues\": 32}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "expected at most 16 (the 82599") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(rss_new_on("x710", 64,
                                  "{\"key\": \"6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae"
                                  "7b30b477cb2da38030f20c6a42b73bbeac01fa\"}",
                                  &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/key: RSS key of 40 "
                                                      "bytes, expected 52")
                               : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(rss_new_on("x710", 64, "{\"xfrm\": \"symmetric-xor\"}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "no symmetric-xor") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(rss_new_on("generic", 64, "{\"xfrm\": \"sym\"}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/xfrm") : NULL);
    g_clear_error(&err);
    void *g = rss_new_on("generic", 64, "{\"reta_size\": 64, \"reta\": \"equal 64\"}", NULL);
    CU_ASSERT_PTR_NOT_NULL(g);
    steer_rss_ops.destroy(g);
}

/* symmetric-xor: a flow and its reverse on one queue (same hash), which the
 * plain Toeplitz input does not give. */
static void test_steer_rss_symmetric_xor_pairs_directions(void)
{
    void *sym = rss_new_on("generic", 64, "{\"xfrm\": \"symmetric-xor\"}", NULL);
    void *plain = rss_new_on("generic", 64, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sym);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
    unsigned same_plain = 0;
    for (unsigned i = 0; i < 200; i++) {
        struct traffic_pkt f = {.l3 = PKT_L3_IPV4, .l4 = i % 2 ? 6 : 17, .has_ports = 1};
        f.sport = (uint16_t)(1024 + i * 37);
        f.dport = (uint16_t)(80 + i % 5);
        uint32_t a = htonl(0x0a000001u + i * 7919u), b = htonl(0xc0a80001u ^ (i * 104729u));
        memcpy(f.saddr, &a, 4);
        memcpy(f.daddr, &b, 4);
        struct traffic_pkt r = f;
        memcpy(r.saddr, f.daddr, 4);
        memcpy(r.daddr, f.saddr, 4);
        r.sport = f.dport;
        r.dport = f.sport;
        struct steer_ctx cf, cr;
        steer_rss_hash(sym, &f, &cf);
        steer_rss_hash(sym, &r, &cr);
        CU_ASSERT_EQUAL(cf.rss_hash, cr.rss_hash);
        CU_ASSERT_EQUAL(steer_rss_select_rxq(sym, &cf), steer_rss_select_rxq(sym, &cr));
        steer_rss_hash(plain, &f, &cf);
        steer_rss_hash(plain, &r, &cr);
        same_plain += steer_rss_select_rxq(plain, &cf) == steer_rss_select_rxq(plain, &cr);
    }
    CU_ASSERT_TRUE(same_plain < 20); /* ~1/64 by chance */
    json_t *d = steer_rss_ops.dump(sym);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "xfrm")), "symmetric-xor");
    json_decref(d);
    steer_rss_ops.destroy(sym);
    steer_rss_ops.destroy(plain);
}

static CU_TestInfo cases[] = {
    {"test_steer_rss_reta_lookup_on_ctx_hash", test_steer_rss_reta_lookup_on_ctx_hash},
    {"test_steer_rss_hash_udp_4tuple_knob", test_steer_rss_hash_udp_4tuple_knob},
    {"test_steer_rss_config_errors", test_steer_rss_config_errors},
    {"test_steer_rss_ipv4_2tuple_matches_the_assembled_input",
     test_steer_rss_ipv4_2tuple_matches_the_assembled_input},
    {"test_steer_rss_profile_defaults", test_steer_rss_profile_defaults},
    {"test_steer_rss_profile_limits", test_steer_rss_profile_limits},
    {"test_steer_rss_symmetric_xor_pairs_directions",
     test_steer_rss_symmetric_xor_pairs_directions},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer_rss", cases)
