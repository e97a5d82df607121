/* Frame parser: the header walk the 82599 RX parser and the kernel flow
 * dissector (__skb_flow_dissect(), net/core/flow_dissector.c) perform. */
#ifndef NICSTEER_TRAFFIC_PKT_PARSE_H
#define NICSTEER_TRAFFIC_PKT_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/traffic/pkt.h"

/* Link layers a frame can start with (the subset of pcap DLT_* we read). */
enum traffic_link {
    TRAFFIC_LINK_ETHERNET, /* DLT_EN10MB */
    TRAFFIC_LINK_SLL,      /* DLT_LINUX_SLL: Linux cooked capture v1 (16 B) */
    TRAFFIC_LINK_SLL2,     /* DLT_LINUX_SLL2: Linux cooked capture v2 (20 B) */
    TRAFFIC_LINK_RAW,      /* DLT_RAW / LINKTYPE_RAW: IPv4 or IPv6 by version nibble */
    TRAFFIC_LINK_IPV4,     /* DLT_IPV4 */
    TRAFFIC_LINK_IPV6,     /* DLT_IPV6 */
    TRAFFIC_LINK_NULL,     /* DLT_NULL: BSD loopback, 4-byte host-order family */
};

/* Parse an Ethernet II frame (`caplen` bytes present of `wire_len` on the
 * wire) into `out` (fully overwritten; ts_ns and flow set to 0).
 * Walks up to two VLAN tags (0x8100, 0x88a8, 0x9100), IPv4 (options;
 * MF or offset != 0 -> frag=1 and no ports, as ixgbe hashes any fragment as
 * a 2-tuple), IPv6 (skips hop-by-hop, routing, destination options and
 * fragment extension headers; a fragment header -> frag=1, no ports),
 * TCP (flags, seq, payload length), UDP and SCTP ports. Non-IP frames give
 * l3 = PKT_L3_NONE.
 * Returns true when every header was complete. A frame cut short (snaplen)
 * is not an error for the frame: the fields present are filled, the rest
 * zeroed, false is returned and `*why` (when non-NULL) gets a static string
 * such as "truncated IPv4 header". payload_len comes from the IP length
 * fields, so it is the on-wire payload even when the capture is cut. */
bool traffic_pkt_parse(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
                       struct traffic_pkt *out, const char **why);

/* Same for a frame starting with another link header; cooked and raw-IP
 * frames have the Ethernet fields (MACs) zeroed. */
bool traffic_pkt_parse_link(enum traffic_link link, const uint8_t *frame, uint32_t caplen,
                            uint32_t wire_len, struct traffic_pkt *out, const char **why);

#endif
