/* Toeplitz RSS hash of the 82599 (datasheet §7.1.2.8, "RSS Hash Function") with
 * the input layout ixgbe programs in MRQC (ixgbe_setup_mrqc, ixgbe_main.c). */
#include "models/nic/toeplitz.h"

#include <string.h>

#include "sim/core/err.h"

/* 32-bit key window starting at key bit `bit` (bit 0 = MSB of key[0]); bits
 * past the end of the key read as zero. */
static uint32_t key_window(const uint8_t *key, size_t key_len, size_t bit)
{
    uint32_t w = 0;
    for (size_t i = 0; i < 32; i++) {
        size_t b = bit + i;
        unsigned v = b / 8 < key_len ? (key[b / 8] >> (7 - b % 8)) & 1 : 0;
        w = (w << 1) | v;
    }
    return w;
}

struct nic_toeplitz *nic_toeplitz_new(const uint8_t *key, size_t key_len, GError **err)
{
    if (key_len < NIC_TOEPLITZ_KEY_MIN || key_len > NIC_TOEPLITZ_KEY_MAX) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "RSS key is %zu bytes, expected %d to %d bytes", key_len, NIC_TOEPLITZ_KEY_MIN,
                    NIC_TOEPLITZ_KEY_MAX);
        return NULL;
    }
    struct nic_toeplitz *t = g_new0(struct nic_toeplitz, 1);
    t->key_len = key_len;
    memcpy(t->key, key, key_len);
    for (size_t pos = 0; pos < NIC_TOEPLITZ_INPUT_MAX; pos++) {
        uint32_t bitwin[8];
        for (int k = 0; k < 8; k++)
            bitwin[k] = key_window(key, key_len, pos * 8 + k);
        for (unsigned b = 0; b < 256; b++) {
            uint32_t h = 0;
            for (int k = 0; k < 8; k++)
                if (b & (0x80u >> k))
                    h ^= bitwin[k];
            t->table[pos][b] = h;
        }
    }
    return t;
}

void nic_toeplitz_free(struct nic_toeplitz *t)
{
    g_free(t);
}

const uint8_t *nic_toeplitz_key(const struct nic_toeplitz *t, size_t *len)
{
    *len = t->key_len;
    return t->key;
}

bool nic_hex_byte(const char *s, uint8_t *byte)
{
    if (!g_ascii_isxdigit(s[0]) || !g_ascii_isxdigit(s[1]))
        return false;
    *byte = (uint8_t)(g_ascii_xdigit_value(s[0]) << 4 | g_ascii_xdigit_value(s[1]));
    return true;
}

size_t nic_toeplitz_key_parse(const char *text, const char *where,
                              uint8_t key[NIC_TOEPLITZ_KEY_MAX], GError **err)
{
    size_t n = 0;
    const char *s = text;
    while (*s) {
        if (*s == ':' && n > 0 && g_ascii_isxdigit(s[1])) {
            s++;
            continue;
        }
        uint8_t b;
        if (!nic_hex_byte(s, &b)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s: RSS key: bad character at offset %td, expected hex bytes "
                        "(\"6d5a..\" or \"6d:5a:..\")",
                        where, s - text);
            return 0;
        }
        if (n == NIC_TOEPLITZ_KEY_MAX) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s: RSS key longer than %d bytes, expected %d to %d bytes", where,
                        NIC_TOEPLITZ_KEY_MAX, NIC_TOEPLITZ_KEY_MIN, NIC_TOEPLITZ_KEY_MAX);
            return 0;
        }
        key[n++] = b;
        s += 2;
    }
    if (n < NIC_TOEPLITZ_KEY_MIN) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: RSS key is %zu bytes, expected %d to %d bytes", where, n,
                    NIC_TOEPLITZ_KEY_MIN, NIC_TOEPLITZ_KEY_MAX);
        return 0;
    }
    return n;
}

/* Register form: v = first 32 key bits; per input bit, XOR v if set, then shift
 * the next key bit in. */
uint32_t nic_toeplitz_hash_bitwise(const uint8_t *key, size_t key_len, const uint8_t *in,
                                   size_t len)
{
    uint32_t h = 0;
    uint32_t v = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
    for (size_t i = 0; i < len; i++) {
        uint8_t next = i + 4 < key_len ? key[i + 4] : 0;
        for (int b = 0; b < 8; b++) {
            if (in[i] & (0x80u >> b))
                h ^= v;
            v = (v << 1) | ((next >> (7 - b)) & 1);
        }
    }
    return h;
}

static size_t put_ports(uint8_t *out, uint16_t sport, uint16_t dport)
{
    out[0] = sport >> 8;
    out[1] = sport & 0xff;
    out[2] = dport >> 8;
    out[3] = dport & 0xff;
    return 4;
}

size_t nic_toeplitz_input_v4(uint8_t out[NIC_TOEPLITZ_INPUT_MAX], const uint8_t saddr[4],
                             const uint8_t daddr[4], bool ports, uint16_t sport, uint16_t dport)
{
    memcpy(out, saddr, 4);
    memcpy(out + 4, daddr, 4);
    return 8 + (ports ? put_ports(out + 8, sport, dport) : 0);
}

size_t nic_toeplitz_input_v6(uint8_t out[NIC_TOEPLITZ_INPUT_MAX], const uint8_t saddr[16],
                             const uint8_t daddr[16], bool ports, uint16_t sport, uint16_t dport)
{
    memcpy(out, saddr, 16);
    memcpy(out + 16, daddr, 16);
    return 32 + (ports ? put_ports(out + 32, sport, dport) : 0);
}

static void xor_halves(uint8_t *a, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = a[i] ^ b[i];
}

void nic_toeplitz_input_sym_xor(uint8_t *in, size_t len, size_t addr_len)
{
    xor_halves(in, in + addr_len, addr_len);
    if (len >= 2 * addr_len + 4)
        xor_halves(in + 2 * addr_len, in + 2 * addr_len + 2, 2);
}

/* ixgbe_setup_mrqc: IPV4, IPV4_TCP, IPV6, IPV6_TCP always; UDP only with
 * IXGBE_FLAG2_RSS_FIELD_IPV4_UDP / _IPV6_UDP (ixgbe_set_rss_hash_opt). */
size_t nic_toeplitz_pkt_input(const struct traffic_pkt *p, const struct nic_rss_fields *f,
                              uint8_t out[NIC_TOEPLITZ_INPUT_MAX], enum nic_rss_type *type)
{
    bool v4 = p->l3 == PKT_L3_IPV4;
    if (!v4 && p->l3 != PKT_L3_IPV6) {
        *type = NIC_RSS_NONE;
        return 0;
    }
    bool l4ok = p->has_ports && !p->frag;
    bool ports = false;
    if (l4ok && p->l4 == IPPROTO_TCP) {
        ports = true;
        *type = v4 ? NIC_RSS_IPV4_TCP : NIC_RSS_IPV6_TCP;
    } else if (l4ok && p->l4 == IPPROTO_UDP && (v4 ? f->udp4 : f->udp6)) {
        ports = true;
        *type = v4 ? NIC_RSS_IPV4_UDP : NIC_RSS_IPV6_UDP;
    } else {
        *type = v4 ? NIC_RSS_IPV4 : NIC_RSS_IPV6;
    }
    if (v4)
        return nic_toeplitz_input_v4(out, p->saddr, p->daddr, ports, p->sport, p->dport);
    return nic_toeplitz_input_v6(out, p->saddr, p->daddr, ports, p->sport, p->dport);
}
