/* models/nic/fdir_hash.c: the 82599 signature and perfect-filter hashes against
 * a literal bit-by-bit reference, hand-computed vectors and input properties. */
#include <string.h>

#include "models/nic/fdir_hash.h"
#include "sim/core/rng.h"
#include "tests/unit/cu_main.h"

/* Literal reading of spec §3.2 / ixgbe_atr_compute_sig_hash_82599: for each key
 * bit n (lo) and n + 16 (hi): bucket ^= x >> n, sig ^= x << (16 - n); F enters
 * lo only after bit 0. Deliberately unoptimised and independent of the code. */
static uint32_t ref_sig_hash(uint32_t f, uint32_t c)
{
    uint32_t hi = c ^ f ^ (f >> 16);
    uint32_t lo = (c >> 16) | (c << 16);
    uint32_t bucket = 0, sig = 0;
    for (unsigned n = 0; n < 16; n++) {
        if (n == 1)
            lo ^= f ^ (f << 16);
        if (NIC_FDIR_BUCKET_HASH_KEY >> n & 1)
            bucket ^= lo >> n;
        if (NIC_FDIR_SIGNATURE_HASH_KEY >> n & 1)
            sig ^= lo << (16 - n);
        if (NIC_FDIR_BUCKET_HASH_KEY >> (n + 16) & 1)
            bucket ^= hi >> n;
        if (NIC_FDIR_SIGNATURE_HASH_KEY >> (n + 16) & 1)
            sig ^= hi << (16 - n);
    }
    return (sig & 0x7fff0000u) | (bucket & 0x7fffu);
}

static uint32_t sig_of(uint32_t f, uint32_t c)
{
    struct nic_fdir_atr_input in = {.flow_vm_vlan = f, .common = c};
    return nic_fdir_sig_hash(&in);
}

static void test_fdir_hash_table_matches_reference_on_random_inputs(void)
{
    struct sim_rng r;
    sim_rng_init(&r, 82599, "fdir-hash");
    for (int i = 0; i < 200000; i++) {
        uint32_t f = sim_rng_u32(&r), c = sim_rng_u32(&r);
        if (i & 1)
            f &= 0x00ffffff; /* realistic: vm_pool 0 */
        CU_ASSERT_EQUAL_FATAL(sig_of(f, c), ref_sig_hash(f, c));
    }
}

static void test_fdir_hash_single_key_form_agrees_with_combined(void)
{
    /* FreeBSD/DPDK compute bucket and signature with one key each; Linux folds
     * the shared key bits into common_hash. Both must give the same filter. */
    struct sim_rng r;
    sim_rng_init(&r, 7, "fdir-hash-keys");
    for (int i = 0; i < 50000; i++) {
        uint32_t f = sim_rng_u32(&r) & 0x00ffffff, c = sim_rng_u32(&r);
        uint32_t b = nic_fdir_key_hash(NIC_FDIR_BUCKET_HASH_KEY, f, c) & 0x7fff;
        uint32_t s = nic_fdir_key_hash(NIC_FDIR_SIGNATURE_HASH_KEY, f, c) & 0x7fff;
        CU_ASSERT_EQUAL_FATAL(sig_of(f, c), s << 16 | b);
    }
}

static void test_fdir_hash_hand_computed_vectors(void)
{
    /* All-zero input hashes to zero (the hash is linear). */
    CU_ASSERT_EQUAL(sig_of(0, 0), 0);
    /* common = 1, F = 0: hi = 1 feeds only key bit 16 (bucket key 0x3DAD14E2
     * has it -> bucket bit 0; signature key 0x174D3614 has it -> sig bit 0);
     * lo = 0x10000 >> n sets bit 16 - n for bucket bits n in {5,6,7,10,12}
     * -> 11,10,9,6,4 and sig bits n in {2,4,9,10,12,13} -> 14,12,7,6,4,3.
     * bucket 0x0E51, sig 0x50D9. */
    CU_ASSERT_EQUAL(sig_of(0, 1), 0x50D90E51u);
    /* F = TCPV4 flow type (0x00020000), common 0: hi = 0x00020002, lo = 0x00020000
     * from bit 1 on; worked bit by bit: bucket 0x4A52, signature 0x6A12. */
    CU_ASSERT_EQUAL(sig_of(0x00020000u, 0), 0x6A124A52u);
    /* Linearity over GF(2): h(a ^ b) = h(a) ^ h(b). */
    CU_ASSERT_EQUAL(sig_of(0x00020000u, 1), 0x6A124A52u ^ 0x50D90E51u);
}

static struct traffic_pkt pkt4(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint8_t l4)
{
    struct traffic_pkt p;
    memset(&p, 0, sizeof(p));
    p.l3 = PKT_L3_IPV4;
    p.l4 = l4;
    p.ethertype = 0x0800;
    p.has_ports = 1;
    p.sport = sp;
    p.dport = dp;
    for (int i = 0; i < 4; i++) {
        p.saddr[i] = (uint8_t)(s >> (24 - 8 * i));
        p.daddr[i] = (uint8_t)(d >> (24 - 8 * i));
    }
    return p;
}

static void test_fdir_hash_atr_input_layout_ipv4_tcp(void)
{
    struct traffic_pkt p = pkt4(0x0a000001, 0x0a000002, 1234, 80, 6);
    struct nic_fdir_atr_input in;
    CU_ASSERT_TRUE(nic_fdir_atr_input(&p, false, &in));
    CU_ASSERT_EQUAL(in.flow_vm_vlan, 0x00020000u); /* TCPV4 = 2, no VLAN */
    /* (sport ^ ethertype) << 16 | dport, XOR both addresses */
    CU_ASSERT_EQUAL(in.common, ((1234u ^ 0x0800u) << 16 | 80u) ^ 0x0a000001u ^ 0x0a000002u);
    p.has_vlan = 1;
    p.vlan_tci = 0x2064;
    CU_ASSERT_TRUE(nic_fdir_atr_input(&p, false, &in));
    CU_ASSERT_EQUAL(in.flow_vm_vlan, 0x00022064u);
    /* tagged frame: flex word is ETH_P_8021Q (ixgbe_atr) */
    CU_ASSERT_EQUAL(in.common, ((1234u ^ 0x8100u) << 16 | 80u) ^ 0x0a000001u ^ 0x0a000002u);
    p.l3 = PKT_L3_NONE;
    CU_ASSERT_FALSE(nic_fdir_atr_input(&p, false, &in));
}

static void test_fdir_hash_tx_key_equals_rx_key_of_reverse_packet(void)
{
    struct sim_rng r;
    sim_rng_init(&r, 3, "fdir-dir");
    for (int i = 0; i < 1000; i++) {
        uint32_t a = sim_rng_u32(&r), b = sim_rng_u32(&r);
        uint16_t sp = (uint16_t)sim_rng_u32(&r), dp = (uint16_t)sim_rng_u32(&r);
        struct traffic_pkt tx = pkt4(a, b, sp, dp, 6), rx = pkt4(b, a, dp, sp, 6);
        struct nic_fdir_atr_input ti, ri, same;
        nic_fdir_atr_input(&tx, true, &ti);
        nic_fdir_atr_input(&rx, false, &ri);
        nic_fdir_atr_input(&tx, false, &same);
        CU_ASSERT_EQUAL_FATAL(ti.common, ri.common);
        CU_ASSERT_EQUAL_FATAL(ti.flow_vm_vlan, ri.flow_vm_vlan);
        if (sp != dp) /* ports are not symmetric: direction matters */
            CU_ASSERT_NOT_EQUAL_FATAL(same.common, ri.common);
    }
}

static void test_fdir_hash_ipv6_addresses_fold_by_xor(void)
{
    struct traffic_pkt v4 = pkt4(0xc0a80001, 0xc0a80002, 5000, 22, 6);
    struct traffic_pkt v6 = v4;
    v6.l3 = PKT_L3_IPV6;
    v6.ethertype = 0x86dd;
    /* same first dwords; dword 1 equal on both sides cancels out */
    memset(v6.saddr + 4, 0x5a, 4);
    memset(v6.daddr + 4, 0x5a, 4);
    struct nic_fdir_atr_input i4, i6;
    nic_fdir_atr_input(&v4, false, &i4);
    nic_fdir_atr_input(&v6, false, &i6);
    CU_ASSERT_EQUAL(i6.flow_vm_vlan, 0x00060000u);                     /* TCPV6 = 6 */
    CU_ASSERT_EQUAL(i6.common ^ i4.common, (0x0800u ^ 0x86ddu) << 16); /* only the flex word */
    /* a bit in one address dword flips the same common bit whichever dword */
    v6.saddr[15] ^= 1;
    struct nic_fdir_atr_input j6;
    nic_fdir_atr_input(&v6, false, &j6);
    CU_ASSERT_EQUAL(j6.common ^ i6.common, 1u);
    v6.saddr[15] ^= 1;
    v6.daddr[7] ^= 1;
    nic_fdir_atr_input(&v6, false, &j6);
    CU_ASSERT_EQUAL(j6.common ^ i6.common, 1u);
}

static void test_fdir_hash_perfect_is_13_bit_and_ignores_masked_fields(void)
{
    struct nic_fdir_perfect_input mask = {.flow_type = 0x7, .dst_port = 0xffff};
    struct nic_fdir_perfect_input a = {.flow_type = NIC_FDIR_FLOW_TCPV4, .dst_port = 80};
    struct nic_fdir_perfect_input b = a;
    b.src_ip = 0x01020304;
    b.src_port = 999;
    uint32_t h = nic_fdir_perfect_hash(&a, &mask);
    CU_ASSERT(h <= NIC_FDIR_PERFECT_HASH_MASK);
    CU_ASSERT_EQUAL(nic_fdir_perfect_hash(&b, &mask), h);
    /* equals the bucket half of the signature reference over the same dwords */
    uint32_t f = (uint32_t)NIC_FDIR_FLOW_TCPV4 << 16, c = 80;
    CU_ASSERT_EQUAL(h, ref_sig_hash(f, c) & NIC_FDIR_PERFECT_HASH_MASK);
    b.dst_port = 443;
    CU_ASSERT_EQUAL(nic_fdir_perfect_hash(&b, &mask), ref_sig_hash(f, 443) & 0x1fff);
}

static CU_TestInfo cases[] = {
    {"test_fdir_hash_table_matches_reference_on_random_inputs",
     test_fdir_hash_table_matches_reference_on_random_inputs},
    {"test_fdir_hash_single_key_form_agrees_with_combined",
     test_fdir_hash_single_key_form_agrees_with_combined},
    {"test_fdir_hash_hand_computed_vectors", test_fdir_hash_hand_computed_vectors},
    {"test_fdir_hash_atr_input_layout_ipv4_tcp", test_fdir_hash_atr_input_layout_ipv4_tcp},
    {"test_fdir_hash_tx_key_equals_rx_key_of_reverse_packet",
     test_fdir_hash_tx_key_equals_rx_key_of_reverse_packet},
    {"test_fdir_hash_ipv6_addresses_fold_by_xor", test_fdir_hash_ipv6_addresses_fold_by_xor},
    {"test_fdir_hash_perfect_is_13_bit_and_ignores_masked_fields",
     test_fdir_hash_perfect_is_13_bit_and_ignores_masked_fields},
    CU_TEST_INFO_NULL,
};

CU_MAIN("fdir_hash", cases)
