/* 82599 Flow Director hashes. Mirrors ixgbe_atr_compute_sig_hash_82599() and
 * ixgbe_atr_compute_perfect_hash_82599(), drivers/net/ethernet/intel/ixgbe/ixgbe_82599.c. */
#include "models/nic/fdir_hash.h"

#include <glib.h>

#define FDIR_FLEX_VLAN 0x8100u /* ixgbe_atr(): tagged frames put ETH_P_8021Q in the flex word */

/* Per-byte contributions of hi and lo to (sig << 16 | bucket): the hash is
 * linear over GF(2), so XOR of 8 table entries replaces 32 key-bit steps. */
static uint32_t fdir_tbl[8][256];

static uint32_t fdir_swap16(uint32_t x)
{
    return (x >> 16) | (x << 16);
}

/* Bucket and signature contribution of x placed in lo (hi = false) or hi,
 * for key bits n = first..15 (bits n + 16 for hi). */
static uint32_t fdir_contribution(uint32_t x, bool hi, unsigned first)
{
    uint32_t b = 0, s = 0;
    for (unsigned n = first; n < 16; n++) {
        unsigned kb = hi ? n + 16 : n;
        if (NIC_FDIR_BUCKET_HASH_KEY & (1u << kb))
            b ^= x >> n;
        if (NIC_FDIR_SIGNATURE_HASH_KEY & (1u << kb))
            s ^= x >> n;
    }
    return ((s & NIC_FDIR_HASH_MASK) << 16) | (b & NIC_FDIR_HASH_MASK);
}

static void fdir_tbl_init(void)
{
    static gsize done;
    if (!g_once_init_enter(&done))
        return;
    for (unsigned k = 0; k < 4; k++) {
        for (uint32_t v = 0; v < 256; v++) {
            /* lo key bit 0 is applied before the flow/VLAN dword: see nic_fdir_sig_hash */
            fdir_tbl[k][v] = fdir_contribution(v << (8 * k), false, 1);
            fdir_tbl[4 + k][v] = fdir_contribution(v << (8 * k), true, 0);
        }
    }
    g_once_init_leave(&done, 1);
}

/* ixgbe_atr_compute_hash_82599 (FreeBSD 2.3.8 / DPDK ixgbe_fdir.c): one key,
 * hi = common ^ F ^ F>>16, lo = swapped common, F mixed into lo after bit 0. */
uint32_t nic_fdir_key_hash(uint32_t key, uint32_t flow_vm_vlan, uint32_t common)
{
    uint32_t hi = common ^ flow_vm_vlan ^ (flow_vm_vlan >> 16);
    uint32_t lo = fdir_swap16(common);
    uint32_t h = 0;
    if (key & 1u)
        h ^= lo;
    if (key & (1u << 16))
        h ^= hi;
    lo ^= flow_vm_vlan ^ (flow_vm_vlan << 16);
    for (unsigned n = 1; n < 16; n++) {
        if (key & (1u << n))
            h ^= lo >> n;
        if (key & (1u << (n + 16)))
            h ^= hi >> n;
    }
    return h & 0xffffu;
}

uint32_t nic_fdir_sig_hash(const struct nic_fdir_atr_input *in)
{
    fdir_tbl_init();
    uint32_t f = in->flow_vm_vlan;
    uint32_t hi = in->common ^ f ^ (f >> 16);
    uint32_t lo0 = fdir_swap16(in->common);
    uint32_t lo = lo0 ^ f ^ (f << 16);
    uint32_t r = fdir_tbl[0][lo & 0xff] ^ fdir_tbl[1][(lo >> 8) & 0xff] ^
                 fdir_tbl[2][(lo >> 16) & 0xff] ^ fdir_tbl[3][lo >> 24] ^ fdir_tbl[4][hi & 0xff] ^
                 fdir_tbl[5][(hi >> 8) & 0xff] ^ fdir_tbl[6][(hi >> 16) & 0xff] ^
                 fdir_tbl[7][hi >> 24];
    /* "Process bits 0 and 16" before the VLAN is added to lo (ixgbe_82599.c) */
    if (NIC_FDIR_BUCKET_HASH_KEY & 1u)
        r ^= lo0 & NIC_FDIR_HASH_MASK;
    if (NIC_FDIR_SIGNATURE_HASH_KEY & 1u)
        r ^= (lo0 & NIC_FDIR_HASH_MASK) << 16;
    return r;
}

uint32_t nic_fdir_perfect_hash(const struct nic_fdir_perfect_input *in,
                               const struct nic_fdir_perfect_input *mask)
{
    /* dword_stream of union ixgbe_atr_input after "Apply masks to input data" */
    uint32_t f =
        (uint32_t)(in->flow_type & mask->flow_type) << 16 | (uint32_t)(in->vlan_id & mask->vlan_id);
    uint32_t ports =
        (uint32_t)(in->src_port & mask->src_port) << 16 | (uint32_t)(in->dst_port & mask->dst_port);
    uint32_t flex = (uint32_t)(in->flex_bytes & mask->flex_bytes) << 16;
    uint32_t common = (in->dst_ip & mask->dst_ip) ^ (in->src_ip & mask->src_ip) ^ ports ^ flex;
    return nic_fdir_key_hash(NIC_FDIR_BUCKET_HASH_KEY, f, common) & NIC_FDIR_PERFECT_HASH_MASK;
}

uint8_t nic_fdir_flow_type(const struct traffic_pkt *p)
{
    uint8_t t = p->l3 == PKT_L3_IPV6 ? NIC_FDIR_IPV6_MASK : 0;
    if (p->frag)
        return t; /* no L4 header to classify: "IP other" [unverified] */
    switch (p->l4) {
    case 6:
        return t | NIC_FDIR_FLOW_TCPV4;
    case 17:
        return t | NIC_FDIR_FLOW_UDPV4;
    case 132:
        return t | NIC_FDIR_FLOW_SCTPV4;
    default:
        return t;
    }
}

static uint32_t fdir_be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool nic_fdir_atr_input(const struct traffic_pkt *p, bool reverse, struct nic_fdir_atr_input *out)
{
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6)
        return false;
    uint16_t vlan = p->has_vlan ? p->vlan_tci : 0;
    uint32_t flex = p->has_vlan ? FDIR_FLEX_VLAN : p->ethertype;
    uint16_t src = 0, dst = 0;
    if (p->has_ports && !p->frag) {
        src = reverse ? p->dport : p->sport; /* ixgbe_atr: "src and dst are inverted" */
        dst = reverse ? p->sport : p->dport;
    }
    /* addresses are XOR-folded, so their direction does not matter */
    uint32_t ip = fdir_be32(p->saddr) ^ fdir_be32(p->daddr);
    if (p->l3 == PKT_L3_IPV6)
        for (unsigned i = 4; i < 16; i += 4)
            ip ^= fdir_be32(p->saddr + i) ^ fdir_be32(p->daddr + i);
    out->flow_vm_vlan = (uint32_t)nic_fdir_flow_type(p) << 16 | vlan;
    out->common = (((uint32_t)src ^ flex) << 16 | dst) ^ ip;
    return true;
}
