/* Toeplitz RSS hash of the 82599 (datasheet §7.1.2.8) and Linux's input layout
 * (ixgbe_setup_mrqc field selection; netdev_rss_key_fill() key, net/core/dev.c). */
#ifndef NICSTEER_NIC_TOEPLITZ_H
#define NICSTEER_NIC_TOEPLITZ_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/traffic/pkt.h"

#define NIC_TOEPLITZ_KEY_MIN   40 /* IXGBE_RSS_KEY_SIZE */
#define NIC_TOEPLITZ_KEY_MAX   52 /* NETDEV_RSS_KEY_LEN */
#define NIC_TOEPLITZ_INPUT_MAX 36 /* IPv6 4-tuple */

/* RSS type the 82599 writes to the RX descriptor (IXGBE_RXDADV_RSSTYPE_*). */
enum nic_rss_type {
    NIC_RSS_NONE = 0x0,
    NIC_RSS_IPV4_TCP = 0x1,
    NIC_RSS_IPV4 = 0x2,
    NIC_RSS_IPV6_TCP = 0x3,
    NIC_RSS_IPV6 = 0x5,
    NIC_RSS_IPV4_UDP = 0x7,
    NIC_RSS_IPV6_UDP = 0x8,
};

/* Which L4 hash types are enabled besides the ixgbe defaults (MRQC). */
struct nic_rss_fields {
    bool udp4; /* ethtool -N dev rx-flow-hash udp4 sdfn */
    bool udp6; /* ethtool -N dev rx-flow-hash udp6 sdfn */
};

/* A key with its precomputed per-byte tables (36 x 256 u32). The layout is
 * in the header only so the packet-path hash below can be inlined (as DPDK's
 * rte_thash.h does); use the functions, never the fields. */
struct nic_toeplitz {
    size_t key_len;
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    /* table[pos][b]: hash contribution of input byte `pos` holding value `b` */
    uint32_t table[NIC_TOEPLITZ_INPUT_MAX][256];
};

/* New hasher for `key` (40..52 bytes, else SIM_ERROR_INPUT naming the length). */
struct nic_toeplitz *nic_toeplitz_new(const uint8_t *key, size_t key_len, GError **err);
void nic_toeplitz_free(struct nic_toeplitz *t);
/* Borrowed key bytes; *len receives the length. */
const uint8_t *nic_toeplitz_key(const struct nic_toeplitz *t, size_t *len);

/* Two hex digits at s as one byte (the one hex reader of RSS keys: a scenario's
 * key and an ethtool -x dump's "RSS hash key:" line); false when not hex. */
bool nic_hex_byte(const char *s, uint8_t *byte);

/* Parse "6d5a56da..." or "6d:5a:56:da:..." into key[NIC_TOEPLITZ_KEY_MAX];
 * returns the length or 0 with an error naming `where`. */
size_t nic_toeplitz_key_parse(const char *text, const char *where,
                              uint8_t key[NIC_TOEPLITZ_KEY_MAX], GError **err);

/* Table-driven hash of `len` (<= 36) input bytes. Packet path: inline, so a
 * constant `len` (12 for an IPv4 4-tuple) unrolls into independent loads. */
/* Contribution of input bytes pos..pos+3 read as one little-endian word. */
static inline uint32_t nic_toeplitz_word4(const struct nic_toeplitz *t, size_t pos,
                                          const uint8_t *in)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t w;
    __builtin_memcpy(&w, in + pos, 4); /* one load instead of four */
    return t->table[pos][w & 0xff] ^ t->table[pos + 1][(w >> 8) & 0xff] ^
           t->table[pos + 2][(w >> 16) & 0xff] ^ t->table[pos + 3][w >> 24];
#else
    return t->table[pos][in[pos]] ^ t->table[pos + 1][in[pos + 1]] ^
           t->table[pos + 2][in[pos + 2]] ^ t->table[pos + 3][in[pos + 3]];
#endif
}

/* Contribution of the 4 bytes at `w4` placed at input position `pos`: hashes a
 * field where it lies in the frame, without assembling the input first. */
static inline uint32_t nic_toeplitz_word4_at(const struct nic_toeplitz *t, size_t pos,
                                             const uint8_t *w4)
{
    return t->table[pos][w4[0]] ^ t->table[pos + 1][w4[1]] ^ t->table[pos + 2][w4[2]] ^
           t->table[pos + 3][w4[3]];
}

static inline uint32_t nic_toeplitz_hash(const struct nic_toeplitz *t, const uint8_t *in,
                                         size_t len)
{
    if (len == 12) /* IPv4 4-tuple, the common case: fully unrolled */
        return nic_toeplitz_word4(t, 0, in) ^ nic_toeplitz_word4(t, 4, in) ^
               nic_toeplitz_word4(t, 8, in);
    if (len == 8) /* IPv4 2-tuple: UDP without rx-flow-hash udp4 sdfn (ixgbe default) */
        return nic_toeplitz_word4(t, 0, in) ^ nic_toeplitz_word4(t, 4, in);
    uint32_t h = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        h ^= nic_toeplitz_word4(t, i, in);
    for (; i < len; i++)
        h ^= t->table[i][in[i]];
    return h;
}

/* Bit-by-bit reference (register form of the datasheet): the oracle for tests
 * and the benchmark baseline. `key_len` must be >= len + 4. */
uint32_t nic_toeplitz_hash_bitwise(const uint8_t *key, size_t key_len, const uint8_t *in,
                                   size_t len);

/* Input builders: network order, source first. Return the byte count. */
size_t nic_toeplitz_input_v4(uint8_t out[NIC_TOEPLITZ_INPUT_MAX], const uint8_t saddr[4],
                             const uint8_t daddr[4], bool ports, uint16_t sport, uint16_t dport);
size_t nic_toeplitz_input_v6(uint8_t out[NIC_TOEPLITZ_INPUT_MAX], const uint8_t saddr[16],
                             const uint8_t daddr[16], bool ports, uint16_t sport, uint16_t dport);

/* RXH_XFRM_SYM_XOR (include/uapi/linux/ethtool.h, ethtool -X xfrm symmetric-xor;
 * ice/mlx5): each source field is XORed with its destination field and both
 * copies are hashed, so swapping source and destination leaves the input, and
 * the hash, unchanged. Transforms an input built above (`addr_len` 4 or 16,
 * ports after the addresses when len > 2 * addr_len) in place. */
void nic_toeplitz_input_sym_xor(uint8_t *in, size_t len, size_t addr_len);

/* Hash input for a received frame per ixgbe defaults: TCP 4-tuple, UDP
 * 2-tuple unless udp4/udp6 enabled, fragments and other protocols 2-tuple,
 * non-IP not hashed. Returns the length (0 = not hashed) and the type. */
size_t nic_toeplitz_pkt_input(const struct traffic_pkt *p, const struct nic_rss_fields *f,
                              uint8_t out[NIC_TOEPLITZ_INPUT_MAX], enum nic_rss_type *type);

/* Whether the descriptor type covers L4 ports (ixgbe_rx_hash: skb->l4_hash).
 * Inline: the classifier asks for every frame. */
static inline bool nic_rss_type_is_l4(enum nic_rss_type type)
{
    return type == NIC_RSS_IPV4_TCP || type == NIC_RSS_IPV6_TCP || type == NIC_RSS_IPV4_UDP ||
           type == NIC_RSS_IPV6_UDP;
}

#endif
