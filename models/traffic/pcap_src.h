/* Packets from a capture file (pcap or pcapng, via libpcap), parsed into
 * struct traffic_pkt: the "wire" of a replay or validation run. */
#ifndef NICSTEER_TRAFFIC_PCAP_SRC_H
#define NICSTEER_TRAFFIC_PCAP_SRC_H

#include <glib.h>
#include <stdint.h>

#include "models/traffic/pkt.h"

struct traffic_pcap;

/* Open `path` (pcap with µs or ns timestamps, or pcapng; all read as ns).
 * Link types: Ethernet, Linux cooked v1/v2, raw IP (DLT_RAW, IPV4, IPV6),
 * BSD loopback. Errors (SIM_ERROR): "PATH: cannot open (...)" (IO),
 * "PATH: not a pcap or pcapng file (libpcap message)",
 * "PATH: unsupported link type N (name)". */
struct traffic_pcap *traffic_pcap_open(const char *path, GError **err);
void traffic_pcap_free(struct traffic_pcap *r);

/* Next packet into `out`: 1 = packet, 0 = end of file, -1 = error (and *err:
 * "PATH: packet N:
 * damaged record: captured length .. exceeds the frame length .." when the
 * record claims more captured bytes than the frame had; "PATH: packet N:
 * unreadable record (libpcap message)" for other damage).
 * out->ts_ns is ABSOLUTE: ns since the Unix epoch as recorded in the file
 * (traffic_pcap_first_ts_ns() gives the first packet's, to make it relative).
 * out->flow is 0. Header truncation inside a frame (snaplen) is not an error:
 * see traffic_pcap_why(). */
int traffic_pcap_next(struct traffic_pcap *r, struct traffic_pkt *out, GError **err);

/* A file that ends inside a record (tcpdump killed) reads as its whole
 * records, then end of file; this says so: "PATH: packet N: truncated record
 * (the file ends B bytes into it): read the N-1 whole packets before it",
 * NULL for a whole file. Valid until traffic_pcap_free. */
const char *traffic_pcap_truncation(const struct traffic_pcap *r);

/* 1-based number of the packet last returned (0 before the first). */
uint64_t traffic_pcap_packet_no(const struct traffic_pcap *r);
/* Timestamp of packet 1 (ns since the epoch), 0 before it was read. */
uint64_t traffic_pcap_first_ts_ns(const struct traffic_pcap *r);
/* Why the last packet's headers were incomplete ("truncated IPv4 header"),
 * NULL when they were complete. Static string. */
const char *traffic_pcap_why(const struct traffic_pcap *r);
/* Captured bytes of the last packet (<= its wire_len). */
uint32_t traffic_pcap_caplen(const struct traffic_pcap *r);
/* pcap_datalink() of the file. */
int traffic_pcap_datalink(const struct traffic_pcap *r);

#endif
