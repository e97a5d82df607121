/* 82599 Flow Director hash functions: the signature hash (15-bit bucket + 15-bit
 * signature) and the perfect-filter bucket hash. Mirrors ixgbe_82599.c, Linux 6.12. */
#ifndef NICSTEER_NIC_FDIR_HASH_H
#define NICSTEER_NIC_FDIR_HASH_H

#include <stdbool.h>
#include <stdint.h>

#include "models/traffic/pkt.h"

/* FDIRHKEY / FDIRSKEY values the driver primes (ixgbe_type.h). */
#define NIC_FDIR_BUCKET_HASH_KEY    0x3DAD14E2u
#define NIC_FDIR_SIGNATURE_HASH_KEY 0x174D3614u
#define NIC_FDIR_HASH_MASK          0x7fffu /* IXGBE_ATR_HASH_MASK: 15 bits */
#define NIC_FDIR_PERFECT_HASH_MASK  0x1fffu /* bkt_hash of a perfect filter: 13 bits */

/* IXGBE_ATR_FLOW_TYPE_*: L4 type in bits 0-1, IPv6 in bit 2. */
enum nic_fdir_flow_type {
    NIC_FDIR_FLOW_IPV4 = 0x0,
    NIC_FDIR_FLOW_UDPV4 = 0x1,
    NIC_FDIR_FLOW_TCPV4 = 0x2,
    NIC_FDIR_FLOW_SCTPV4 = 0x3,
    NIC_FDIR_FLOW_IPV6 = 0x4,
    NIC_FDIR_FLOW_UDPV6 = 0x5,
    NIC_FDIR_FLOW_TCPV6 = 0x6,
    NIC_FDIR_FLOW_SCTPV6 = 0x7,
};
#define NIC_FDIR_L4TYPE_MASK 0x3u /* IXGBE_ATR_L4TYPE_MASK */
#define NIC_FDIR_IPV6_MASK   0x4u /* IXGBE_ATR_L4TYPE_IPV6_MASK */

/* The compressed input of a signature filter (union ixgbe_atr_hash_dword pair),
 * both dwords in host order as the hash reads them after ntohl():
 *   flow_vm_vlan = vm_pool << 24 | flow_type << 16 | vlan_id
 *   common       = (src_port ^ flex) << 16 | dst_port, XOR every address dword
 * Ports and addresses are those of the RX direction. */
struct nic_fdir_atr_input {
    uint32_t flow_vm_vlan;
    uint32_t common;
};

/* The perfect-filter input for IPv4 (union ixgbe_atr_input, host order). */
struct nic_fdir_perfect_input {
    uint8_t flow_type;
    uint16_t vlan_id;
    uint32_t src_ip;
    uint32_t dst_ip;
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t flex_bytes;
};

/* 16-bit hash of one key over the compressed input: the general form of the
 * 82599 hash (FreeBSD/DPDK ixgbe_atr_compute_hash_82599 shape). */
uint32_t nic_fdir_key_hash(uint32_t key, uint32_t flow_vm_vlan, uint32_t common);

/* Signature hash as written to FDIRHASH: (sig & 0x7fff) << 16 | (bucket & 0x7fff).
 * Mirrors ixgbe_atr_compute_sig_hash_82599(); table driven, packet path. */
uint32_t nic_fdir_sig_hash(const struct nic_fdir_atr_input *in);

/* 13-bit bucket hash of a perfect filter after masking the input.
 * Mirrors ixgbe_atr_compute_perfect_hash_82599(). */
uint32_t nic_fdir_perfect_hash(const struct nic_fdir_perfect_input *in,
                               const struct nic_fdir_perfect_input *mask);

/* Flow type of an IP packet as the 82599 parser classifies it. */
uint8_t nic_fdir_flow_type(const struct traffic_pkt *p);

/* Signature input of a packet. `reverse`: `p` is a transmitted packet and the
 * key is built for its RX direction (ixgbe_atr swaps src/dst); else `p` is a
 * received packet hashed as the NIC sees it. False for non-IP packets. */
bool nic_fdir_atr_input(const struct traffic_pkt *p, bool reverse, struct nic_fdir_atr_input *out);

#endif
