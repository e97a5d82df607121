/* A received frame as the NIC parser sees it: the fields the 82599 classifier
 * (RSS, Flow Director, MAC filters) and the kernel (flow dissector) look at.
 * Filled from a pcap (traffic_pkt_parse) or by the traffic generators.
 * Plain data, no pointers: lives in arrays on the packet path. */
#ifndef NICSTEER_TRAFFIC_PKT_H
#define NICSTEER_TRAFFIC_PKT_H

#include <netinet/in.h> /* IPPROTO_TCP, IPPROTO_UDP: the values of pkt.l4 */
#include <stdbool.h>
#include <stdint.h>

enum traffic_l3 {
    PKT_L3_NONE = 0, /* non-IP: RSS gives no hash, queue 0 */
    PKT_L3_IPV4 = 4,
    PKT_L3_IPV6 = 6,
};

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

struct traffic_pkt {
    uint64_t ts_ns;    /* arrival time at the NIC (ns since start; traffic_pcap_next: epoch ns) */
    uint32_t wire_len; /* frame length without FCS, as pcap's orig len */
    uint32_t flow;     /* flow id (generator) or 0 when unknown */
    uint32_t payload_len; /* L4 payload bytes (TCP/UDP), 0 otherwise */
    uint32_t tcp_seq;     /* TCP sequence number (host order) */
    uint16_t ethertype;   /* after VLAN tags, host order */
    uint16_t vlan_tci;    /* outermost VLAN TCI, valid when has_vlan */
    uint16_t sport;       /* host order; 0 when no L4 ports */
    uint16_t dport;
    uint8_t l3;        /* enum traffic_l3 */
    uint8_t l4;        /* IP protocol number (6 TCP, 17 UDP), 0 when none */
    uint8_t tcp_flags; /* PKT_TCP_* */
    uint8_t has_vlan : 1;
    uint8_t frag : 1; /* IP fragment: ports unavailable -> 2-tuple hash */
    uint8_t has_ports : 1;
    uint8_t ip6_ext : 1; /* IPv6 extension header(s) skipped before L4 */
    uint8_t dmac[6];
    uint8_t smac[6];
    uint8_t saddr[16]; /* network order; IPv4 uses the first 4 bytes */
    uint8_t daddr[16];
};

#endif
