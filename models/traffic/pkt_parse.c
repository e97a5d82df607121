/* Header walk of a received frame, in the order the 82599 RX parser (datasheet
 * 7.1.2 "Rx queues assignment") and __skb_flow_dissect() (net/core/flow_dissector.c,
 * Linux 6.12) read it: L2, VLAN tags, IPv4/IPv6 (+ extension headers), L4 ports. */
#include "models/traffic/pkt_parse.h"

#include <string.h>

#define ETH_HLEN       14
#define ETH_P_IP       0x0800
#define ETH_P_IPV6     0x86dd
#define ETH_P_8021Q    0x8100
#define ETH_P_8021AD   0x88a8
#define ETH_P_QINQ1    0x9100
#define VLAN_HLEN      4
#define VLAN_MAX_DEPTH 2
#define SLL_HLEN       16
#define SLL2_HLEN      20
#define IPPROTO_FRAG6  IPPROTO_FRAGMENT
#define IPV6_HLEN      40
#define TCP_MIN_HLEN   20
#define UDP_HLEN       8

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

/* L4 header at `p` (`avail` captured bytes); `l4_len` = bytes the IP layer
 * says follow (header + payload). Ports are read for protocols the 82599 and
 * the flow dissector take ports from (TCP, UDP, SCTP). */
static bool parse_l4(uint8_t proto, const uint8_t *p, uint32_t avail, uint32_t l4_len,
                     struct traffic_pkt *out, const char **why)
{
    out->l4 = proto;
    if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_SCTP)
        return true;
    if (avail >= 4) {
        out->sport = rd16(p);
        out->dport = rd16(p + 2);
        out->has_ports = 1;
    }
    if (proto == IPPROTO_UDP) {
        out->payload_len = l4_len >= UDP_HLEN ? l4_len - UDP_HLEN : 0;
        return avail >= UDP_HLEN ? true : fail(why, "truncated UDP header");
    }
    if (proto == IPPROTO_SCTP)
        return avail >= 4 ? true : fail(why, "truncated SCTP header");
    /* TCP: seq at 4, data offset at 12, flags at 13 (RFC 9293 3.1). */
    if (avail >= 8)
        out->tcp_seq = rd32(p + 4);
    if (avail < 14)
        return fail(why, "truncated TCP header");
    uint32_t doff = (uint32_t)(p[12] >> 4) * 4;
    out->tcp_flags = p[13];
    if (doff < TCP_MIN_HLEN)
        return fail(why, "bad TCP data offset");
    out->payload_len = l4_len >= doff ? l4_len - doff : 0;
    return avail >= doff ? true : fail(why, "truncated TCP header");
}

static bool parse_ipv4(const uint8_t *p, uint32_t avail, uint32_t wire_rest,
                       struct traffic_pkt *out, const char **why)
{
    if (avail < 20)
        return fail(why, "truncated IPv4 header");
    uint32_t ihl = (uint32_t)(p[0] & 0x0f) * 4;
    if (p[0] >> 4 != 4 || ihl < 20)
        return fail(why, "bad IPv4 version or header length");
    out->l3 = PKT_L3_IPV4;
    memcpy(out->saddr, p + 12, 4);
    memcpy(out->daddr, p + 16, 4);
    uint8_t proto = p[9];
    uint16_t frag = rd16(p + 6);
    /* tot_len 0 is TSO on the capturing host: the frame length is the truth. */
    uint32_t tot = rd16(p + 2) ? rd16(p + 2) : wire_rest;
    if (frag & 0x3fff) { /* MF or fragment offset: ixgbe hashes IPv4 2-tuple */
        out->frag = 1;
        out->l4 = proto;
        return avail >= ihl ? true : fail(why, "truncated IPv4 header");
    }
    if (avail < ihl)
        return fail(why, "truncated IPv4 header");
    if (tot < ihl)
        return fail(why, "bad IPv4 total length");
    return parse_l4(proto, p + ihl, avail - ihl, tot - ihl, out, why);
}

static bool parse_ipv6(const uint8_t *p, uint32_t avail, uint32_t wire_rest,
                       struct traffic_pkt *out, const char **why)
{
    if (avail < IPV6_HLEN)
        return fail(why, "truncated IPv6 header");
    if (p[0] >> 4 != 6)
        return fail(why, "bad IPv6 version");
    out->l3 = PKT_L3_IPV6;
    memcpy(out->saddr, p + 8, 16);
    memcpy(out->daddr, p + 24, 16);
    uint32_t plen = rd16(p + 4);
    uint32_t rest = plen ? plen : (wire_rest > IPV6_HLEN ? wire_rest - IPV6_HLEN : 0);
    uint8_t nh = p[6];
    uint32_t off = IPV6_HLEN;
    /* ipv6_skip_exthdr() order: each header says the next one; each is >= 8 B. */
    for (;;) {
        uint32_t hlen;
        if (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
            if (avail < off + 2)
                return fail(why, "truncated IPv6 extension header");
            hlen = ((uint32_t)p[off + 1] + 1) * 8;
        } else if (nh == IPPROTO_FRAG6) {
            if (avail < off + 1)
                return fail(why, "truncated IPv6 extension header");
            out->ip6_ext = 1;
            out->frag = 1;
            out->l4 = p[off];
            return true;
        } else {
            break;
        }
        out->ip6_ext = 1;
        if (avail < off + hlen)
            return fail(why, "truncated IPv6 extension header");
        nh = p[off];
        off += hlen;
    }
    uint32_t ext = off - IPV6_HLEN;
    return parse_l4(nh, p + off, avail - off, rest >= ext ? rest - ext : 0, out, why);
}

/* From the ethertype after the link header: VLAN tags, then L3. */
static bool parse_from_ethertype(uint16_t et, const uint8_t *p, uint32_t avail, uint32_t wire_rest,
                                 struct traffic_pkt *out, const char **why)
{
    for (int depth = 0;
         depth < VLAN_MAX_DEPTH && (et == ETH_P_8021Q || et == ETH_P_8021AD || et == ETH_P_QINQ1);
         depth++) {
        if (avail < VLAN_HLEN) {
            out->ethertype = et;
            return fail(why, "truncated VLAN tag");
        }
        if (!out->has_vlan) {
            out->has_vlan = 1;
            out->vlan_tci = rd16(p);
        }
        et = rd16(p + 2);
        p += VLAN_HLEN;
        avail -= VLAN_HLEN;
        wire_rest = wire_rest > VLAN_HLEN ? wire_rest - VLAN_HLEN : 0;
    }
    out->ethertype = et;
    if (et == ETH_P_IP)
        return parse_ipv4(p, avail, wire_rest, out, why);
    if (et == ETH_P_IPV6)
        return parse_ipv6(p, avail, wire_rest, out, why);
    return true;
}

static uint32_t rest_of(uint32_t len, uint32_t hdr)
{
    return len > hdr ? len - hdr : 0;
}

static bool parse_raw_ip(const uint8_t *p, uint32_t caplen, uint32_t wire_len,
                         struct traffic_pkt *out, const char **why)
{
    if (caplen < 1)
        return fail(why, "truncated IP header");
    uint16_t et = (p[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
    return parse_from_ethertype(et, p, caplen, wire_len, out, why);
}

/* DLT_NULL family word, written in the capturing host's byte order. */
static bool parse_null(const uint8_t *p, uint32_t caplen, uint32_t wire_len,
                       struct traffic_pkt *out, const char **why)
{
    if (caplen < 4)
        return fail(why, "truncated loopback header");
    uint32_t fam =
        (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (fam > 0xffff)
        fam = __builtin_bswap32(fam);
    uint16_t et = 0;
    if (fam == 2)
        et = ETH_P_IP;
    else if (fam == 10 || fam == 24 || fam == 28 || fam == 30) /* Linux, BSDs, macOS */
        et = ETH_P_IPV6;
    if (!et)
        return true;
    return parse_from_ethertype(et, p + 4, caplen - 4, rest_of(wire_len, 4), out, why);
}

bool traffic_pkt_parse_link(enum traffic_link link, const uint8_t *f, uint32_t caplen,
                            uint32_t wire_len, struct traffic_pkt *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    out->wire_len = wire_len;
    if (why)
        *why = NULL;
    switch (link) {
    case TRAFFIC_LINK_ETHERNET:
        if (caplen < ETH_HLEN) {
            if (caplen >= 12) {
                memcpy(out->dmac, f, 6);
                memcpy(out->smac, f + 6, 6);
            }
            return fail(why, "truncated Ethernet header");
        }
        memcpy(out->dmac, f, 6);
        memcpy(out->smac, f + 6, 6);
        return parse_from_ethertype(rd16(f + 12), f + ETH_HLEN, caplen - ETH_HLEN,
                                    rest_of(wire_len, ETH_HLEN), out, why);
    case TRAFFIC_LINK_SLL: /* pkttype, hatype, halen, addr[8], protocol */
        if (caplen < SLL_HLEN)
            return fail(why, "truncated Linux cooked header");
        return parse_from_ethertype(rd16(f + 14), f + SLL_HLEN, caplen - SLL_HLEN,
                                    rest_of(wire_len, SLL_HLEN), out, why);
    case TRAFFIC_LINK_SLL2: /* protocol, reserved, ifindex, hatype, pkttype, halen, addr */
        if (caplen < SLL2_HLEN)
            return fail(why, "truncated Linux cooked v2 header");
        return parse_from_ethertype(rd16(f), f + SLL2_HLEN, caplen - SLL2_HLEN,
                                    rest_of(wire_len, SLL2_HLEN), out, why);
    case TRAFFIC_LINK_RAW:
        return parse_raw_ip(f, caplen, wire_len, out, why);
    case TRAFFIC_LINK_IPV4:
        return parse_from_ethertype(ETH_P_IP, f, caplen, wire_len, out, why);
    case TRAFFIC_LINK_IPV6:
        return parse_from_ethertype(ETH_P_IPV6, f, caplen, wire_len, out, why);
    case TRAFFIC_LINK_NULL:
        return parse_null(f, caplen, wire_len, out, why);
    }
    return fail(why, "unknown link type");
}

bool traffic_pkt_parse(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
                       struct traffic_pkt *out, const char **why)
{
    return traffic_pkt_parse_link(TRAFFIC_LINK_ETHERNET, frame, caplen, wire_len, out, why);
}
