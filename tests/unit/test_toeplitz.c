/* models/nic/toeplitz.c: known answers of the 82599 datasheet / Microsoft RSS
 * verification suite (spec §1.3), byte order (§1.2), table == bitwise. */
#include <arpa/inet.h>
#include <jansson.h>
#include <string.h>

#include "models/nic/toeplitz.h"
#include "sim/core/err.h"
#include "sim/core/rng.h"
#include "tests/unit/cu_main.h"

static const char *ms_key_hex =
    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa";

struct vec {
    int family;
    const char *src, *dst;
    uint16_t sport, dport;
    uint32_t no_ports, with_ports;
};

/* Spec §1.3 table, embedded so the suite runs without shared/. */
static const struct vec vectors[] = {
    {4, "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178},
    {4, "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea},
    {4, "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a},
    {4, "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f},
    {4, "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2},
    {6, "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d},
    {6, "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf},
    {6, "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024, 0x4b61e985,
     0x02d1feef},
};

static struct nic_toeplitz *ms_hasher(uint8_t key[NIC_TOEPLITZ_KEY_MAX], size_t *len)
{
    GError *err = NULL;
    *len = nic_toeplitz_key_parse(ms_key_hex, "test", key, &err);
    CU_ASSERT_EQUAL_FATAL(*len, 40);
    struct nic_toeplitz *t = nic_toeplitz_new(key, *len, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

/* Hash one vector both ways (table and bitwise must agree), `ports` chosen. */
static uint32_t hash_vec(const struct nic_toeplitz *t, const uint8_t *key, size_t klen, int family,
                         const char *src, const char *dst, uint16_t sp, uint16_t dp, bool ports)
{
    uint8_t s[16], d[16], in[NIC_TOEPLITZ_INPUT_MAX];
    CU_ASSERT_EQUAL_FATAL(inet_pton(family == 4 ? AF_INET : AF_INET6, src, s), 1);
    CU_ASSERT_EQUAL_FATAL(inet_pton(family == 4 ? AF_INET : AF_INET6, dst, d), 1);
    size_t n = family == 4 ? nic_toeplitz_input_v4(in, s, d, ports, sp, dp)
                           : nic_toeplitz_input_v6(in, s, d, ports, sp, dp);
    uint32_t h = nic_toeplitz_hash(t, in, n);
    CU_ASSERT_EQUAL(h, nic_toeplitz_hash_bitwise(key, klen, in, n));
    return h;
}

static void test_toeplitz_ms_vectors_embedded(void)
{
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    size_t klen;
    struct nic_toeplitz *t = ms_hasher(key, &klen);
    for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++) {
        const struct vec *v = &vectors[i];
        CU_ASSERT_EQUAL(
            hash_vec(t, key, klen, v->family, v->src, v->dst, v->sport, v->dport, false),
            v->no_ports);
        CU_ASSERT_EQUAL(hash_vec(t, key, klen, v->family, v->src, v->dst, v->sport, v->dport, true),
                        v->with_ports);
    }
    nic_toeplitz_free(t);
}

static uint32_t parse_hex32(const char *s)
{
    return (uint32_t)g_ascii_strtoull(s, NULL, 16);
}

static void test_toeplitz_vectors_from_shared_json(void)
{
    char *path = cu_shared_path("data/toeplitz_vectors.json");
    if (!path)
        return;
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_EQUAL(json_array_size(root), 8);
    size_t idx;
    json_t *v;
    int checked = 0;
    json_array_foreach(root, idx, v)
    {
        const char *fam, *keyhex, *src, *dst, *hw, *hwo, *inw, *inwo;
        int sp, dp;
        CU_ASSERT_EQUAL_FATAL(
            json_unpack(v, "{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s}", "family", &fam,
                        "key_hex", &keyhex, "src_ip", &src, "dst_ip", &dst, "src_port", &sp,
                        "dst_port", &dp, "expected_hash_with_ports", &hw,
                        "expected_hash_without_ports", &hwo, "input_hex_with_ports", &inw,
                        "input_hex_without_ports", &inwo),
            0);
        uint8_t key[NIC_TOEPLITZ_KEY_MAX];
        size_t klen = nic_toeplitz_key_parse(keyhex, path, key, NULL);
        CU_ASSERT_FATAL(klen >= 40);
        struct nic_toeplitz *t = nic_toeplitz_new(key, klen, NULL);
        int fam_n = strcmp(fam, "ipv4") == 0 ? 4 : 6;
        CU_ASSERT_EQUAL(hash_vec(t, key, klen, fam_n, src, dst, sp, dp, true), parse_hex32(hw));
        CU_ASSERT_EQUAL(hash_vec(t, key, klen, fam_n, src, dst, sp, dp, false), parse_hex32(hwo));
        /* the builders produce exactly the documented input bytes */
        uint8_t s[16], d[16], in[NIC_TOEPLITZ_INPUT_MAX];
        inet_pton(fam_n == 4 ? AF_INET : AF_INET6, src, s);
        inet_pton(fam_n == 4 ? AF_INET : AF_INET6, dst, d);
        size_t n = fam_n == 4 ? nic_toeplitz_input_v4(in, s, d, true, sp, dp)
                              : nic_toeplitz_input_v6(in, s, d, true, sp, dp);
        GString *hex = g_string_new(NULL);
        for (size_t i = 0; i < n; i++)
            g_string_append_printf(hex, "%02x", in[i]);
        CU_ASSERT_STRING_EQUAL(hex->str, inw);
        g_string_free(hex, TRUE);
        nic_toeplitz_free(t);
        checked += 2;
    }
    CU_ASSERT_EQUAL(checked, 16);
    json_decref(root);
    g_free(path);
}

static void test_toeplitz_dst_first_gives_other_hash(void)
{
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    size_t klen;
    struct nic_toeplitz *t = ms_hasher(key, &klen);
    /* Microsoft's table lists the destination first; feeding that order
     * gives 0xfde799b2, not 0x51ccc178 (spec §1.2). */
    CU_ASSERT_EQUAL(hash_vec(t, key, klen, 4, "161.142.100.80", "66.9.149.187", 1766, 2794, true),
                    0xfde799b2);
    nic_toeplitz_free(t);
}

static void test_toeplitz_table_equals_bitwise_random(void)
{
    struct sim_rng r;
    sim_rng_init(&r, 7, "toeplitz-test");
    for (int k = 0; k < 20; k++) {
        uint8_t key[NIC_TOEPLITZ_KEY_MAX], in[NIC_TOEPLITZ_INPUT_MAX];
        size_t klen = NIC_TOEPLITZ_KEY_MIN + sim_rng_below(&r, 13);
        for (size_t i = 0; i < klen; i++)
            key[i] = (uint8_t)sim_rng_u32(&r);
        struct nic_toeplitz *t = nic_toeplitz_new(key, klen, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        for (int n = 0; n < 200; n++) {
            size_t len = sim_rng_below(&r, NIC_TOEPLITZ_INPUT_MAX + 1);
            for (size_t i = 0; i < len; i++)
                in[i] = (uint8_t)sim_rng_u32(&r);
            CU_ASSERT_EQUAL(nic_toeplitz_hash(t, in, len),
                            nic_toeplitz_hash_bitwise(key, klen, in, len));
        }
        nic_toeplitz_free(t);
    }
}

static void test_toeplitz_key_length_rejected(void)
{
    uint8_t key[64] = {0};
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(nic_toeplitz_new(key, 39, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "39 bytes, expected 40 to 52"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(nic_toeplitz_new(key, 53, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    struct nic_toeplitz *t = nic_toeplitz_new(key, 52, &err);
    CU_ASSERT_PTR_NOT_NULL(t);
    nic_toeplitz_free(t);
    /* text form names where the key came from */
    uint8_t out[NIC_TOEPLITZ_KEY_MAX];
    CU_ASSERT_EQUAL(nic_toeplitz_key_parse("6d:5a:56", "/nic/steering/rss/key", out, &err), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/nic/steering/rss/key: RSS key is 3 bytes"));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(nic_toeplitz_key_parse("6d:5g", "k", out, &err), 0);
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

static void test_toeplitz_colon_and_plain_hex_same_key(void)
{
    uint8_t a[NIC_TOEPLITZ_KEY_MAX], b[NIC_TOEPLITZ_KEY_MAX];
    GString *colon = g_string_new(NULL);
    for (size_t i = 0; ms_key_hex[i]; i += 2)
        g_string_append_printf(colon, "%s%c%c", i ? ":" : "", ms_key_hex[i], ms_key_hex[i + 1]);
    CU_ASSERT_EQUAL(nic_toeplitz_key_parse(ms_key_hex, "x", a, NULL), 40);
    CU_ASSERT_EQUAL(nic_toeplitz_key_parse(colon->str, "x", b, NULL), 40);
    CU_ASSERT_EQUAL(memcmp(a, b, 40), 0);
    g_string_free(colon, TRUE);
}

static struct traffic_pkt v4pkt(uint8_t proto, bool frag)
{
    struct traffic_pkt p = {0};
    p.l3 = PKT_L3_IPV4;
    p.ethertype = 0x0800;
    p.l4 = proto;
    p.has_ports = proto == 6 || proto == 17;
    p.frag = frag;
    inet_pton(AF_INET, "66.9.149.187", p.saddr);
    inet_pton(AF_INET, "161.142.100.80", p.daddr);
    p.sport = 2794;
    p.dport = 1766;
    return p;
}

static void test_toeplitz_ixgbe_default_hash_fields(void)
{
    uint8_t key[NIC_TOEPLITZ_KEY_MAX], in[NIC_TOEPLITZ_INPUT_MAX];
    size_t klen;
    struct nic_toeplitz *t = ms_hasher(key, &klen);
    struct nic_rss_fields dflt = {0}, udp = {.udp4 = true, .udp6 = true};
    enum nic_rss_type type;
    struct traffic_pkt tcp = v4pkt(6, false);
    size_t n = nic_toeplitz_pkt_input(&tcp, &dflt, in, &type);
    CU_ASSERT_EQUAL(type, NIC_RSS_IPV4_TCP);
    CU_ASSERT_EQUAL(nic_toeplitz_hash(t, in, n), 0x51ccc178);
    CU_ASSERT_TRUE(nic_rss_type_is_l4(type));
    /* UDP: 2-tuple by default (MRQC without UDP bits) */
    struct traffic_pkt u = v4pkt(17, false);
    n = nic_toeplitz_pkt_input(&u, &dflt, in, &type);
    CU_ASSERT_EQUAL(type, NIC_RSS_IPV4);
    CU_ASSERT_EQUAL(nic_toeplitz_hash(t, in, n), 0x323e8fc2);
    CU_ASSERT_FALSE(nic_rss_type_is_l4(type));
    n = nic_toeplitz_pkt_input(&u, &udp, in, &type);
    CU_ASSERT_EQUAL(type, NIC_RSS_IPV4_UDP);
    CU_ASSERT_EQUAL(nic_toeplitz_hash(t, in, n), 0x51ccc178);
    /* fragment: ports unavailable, 2-tuple even for TCP */
    struct traffic_pkt f = v4pkt(6, true);
    n = nic_toeplitz_pkt_input(&f, &dflt, in, &type);
    CU_ASSERT_EQUAL(type, NIC_RSS_IPV4);
    CU_ASSERT_EQUAL(nic_toeplitz_hash(t, in, n), 0x323e8fc2);
    /* non-IP: not hashed */
    struct traffic_pkt arp = {.ethertype = 0x0806};
    CU_ASSERT_EQUAL(nic_toeplitz_pkt_input(&arp, &dflt, in, &type), 0);
    CU_ASSERT_EQUAL(type, NIC_RSS_NONE);
    /* IPv6 TCP 4-tuple: vector 6 */
    struct traffic_pkt v6 = {
        .l3 = PKT_L3_IPV6, .l4 = 6, .has_ports = 1, .sport = 2794, .dport = 1766};
    inet_pton(AF_INET6, "3ffe:2501:200:1fff::7", v6.saddr);
    inet_pton(AF_INET6, "3ffe:2501:200:3::1", v6.daddr);
    n = nic_toeplitz_pkt_input(&v6, &dflt, in, &type);
    CU_ASSERT_EQUAL(type, NIC_RSS_IPV6_TCP);
    CU_ASSERT_EQUAL(nic_toeplitz_hash(t, in, n), 0x40207d3d);
    nic_toeplitz_free(t);
}

/* i40e's key is I40E_HKEY_ARRAY_SIZE = 52 bytes: the Microsoft key followed by
 * 12 more. Values from an independent bit-window computation (Python, also
 * run by tests/integration/test_nic_profiles.sh): the bytes past the 40th
 * only meet input bits past the 36th byte, so the 4-tuples hash as with the
 * 40-byte key. */
static void test_toeplitz_i40e_52_byte_key_known_answer(void)
{
    GError *err = NULL;
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    char *hex = g_strconcat(ms_key_hex, "0102030405060708090a0b0c", NULL);
    size_t len = nic_toeplitz_key_parse(hex, "test", key, &err);
    g_free(hex);
    CU_ASSERT_EQUAL_FATAL(len, 52);
    struct nic_toeplitz *t = nic_toeplitz_new(key, len, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(hash_vec(t, key, len, 4, "66.9.149.187", "161.142.100.80", 2794, 1766, true),
                    0x51ccc178);
    CU_ASSERT_EQUAL(
        hash_vec(t, key, len, 6, "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, true),
        0x40207d3d);
    nic_toeplitz_free(t);
}

static uint32_t sym_hash(const struct nic_toeplitz *t, int family, const char *src, const char *dst,
                         uint16_t sp, uint16_t dp, bool sym)
{
    uint8_t s[16], d[16], in[NIC_TOEPLITZ_INPUT_MAX];
    CU_ASSERT_EQUAL_FATAL(inet_pton(family == 4 ? AF_INET : AF_INET6, src, s), 1);
    CU_ASSERT_EQUAL_FATAL(inet_pton(family == 4 ? AF_INET : AF_INET6, dst, d), 1);
    size_t n = family == 4 ? nic_toeplitz_input_v4(in, s, d, true, sp, dp)
                           : nic_toeplitz_input_v6(in, s, d, true, sp, dp);
    if (sym)
        nic_toeplitz_input_sym_xor(in, n, family == 4 ? 4 : 16);
    return nic_toeplitz_hash(t, in, n);
}

/* RXH_XFRM_SYM_XOR: both directions of a flow hash alike; without it they do
 * not. 0x639ce111: Python over the XORed input (MS key). */
static void test_toeplitz_sym_xor_swapped_tuples_hash_alike(void)
{
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    size_t len;
    struct nic_toeplitz *t = ms_hasher(key, &len);
    uint32_t fwd = sym_hash(t, 4, "10.0.0.1", "10.0.0.2", 1234, 80, true);
    CU_ASSERT_EQUAL(fwd, 0x639ce111);
    CU_ASSERT_EQUAL(sym_hash(t, 4, "10.0.0.2", "10.0.0.1", 80, 1234, true), fwd);
    CU_ASSERT_NOT_EQUAL(sym_hash(t, 4, "10.0.0.1", "10.0.0.2", 1234, 80, false),
                        sym_hash(t, 4, "10.0.0.2", "10.0.0.1", 80, 1234, false));
    for (size_t i = 0; i < G_N_ELEMENTS(vectors); i++) {
        const struct vec *v = &vectors[i];
        uint32_t a = sym_hash(t, v->family, v->src, v->dst, v->sport, v->dport, true);
        CU_ASSERT_EQUAL(a, sym_hash(t, v->family, v->dst, v->src, v->dport, v->sport, true));
        CU_ASSERT_NOT_EQUAL(sym_hash(t, v->family, v->src, v->dst, v->sport, v->dport, false),
                            sym_hash(t, v->family, v->dst, v->src, v->dport, v->sport, false));
    }
    nic_toeplitz_free(t);
}

static CU_TestInfo cases[] = {
    {"test_toeplitz_ms_vectors_embedded", test_toeplitz_ms_vectors_embedded},
    {"test_toeplitz_vectors_from_shared_json", test_toeplitz_vectors_from_shared_json},
    {"test_toeplitz_dst_first_gives_other_hash", test_toeplitz_dst_first_gives_other_hash},
    {"test_toeplitz_table_equals_bitwise_random", test_toeplitz_table_equals_bitwise_random},
    {"test_toeplitz_key_length_rejected", test_toeplitz_key_length_rejected},
    {"test_toeplitz_colon_and_plain_hex_same_key", test_toeplitz_colon_and_plain_hex_same_key},
    {"test_toeplitz_ixgbe_default_hash_fields", test_toeplitz_ixgbe_default_hash_fields},
    {"test_toeplitz_i40e_52_byte_key_known_answer", test_toeplitz_i40e_52_byte_key_known_answer},
    {"test_toeplitz_sym_xor_swapped_tuples_hash_alike",
     test_toeplitz_sym_xor_swapped_tuples_hash_alike},
    CU_TEST_INFO_NULL,
};

CU_MAIN("toeplitz", cases)
