/* Synthetic and replayed packet arrivals at the NIC port: what pktgen / TRex /
 * tcpreplay put on the wire (line-rate math per IEEE 802.3 clause 4.4.2:
 * 8 B preamble+SFD, 12 B inter-frame gap, 4 B FCS per frame). */
#ifndef NICSTEER_TRAFFIC_GEN_H
#define NICSTEER_TRAFFIC_GEN_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/traffic/pkt.h"

/* Configuration, the scenario's "/traffic" object. Two shapes:
 *
 * 1. Generated flows:
 *   {"duration_s": 1.0,                 required, > 0: arrivals in [0, duration)
 *    "flows": [ FLOWSPEC, ... ]}        required, non-empty
 *   FLOWSPEC keys (all optional except one of rate_pps / line):
 *    "count": 4096         flows in this group (default 1); they differ by
 *                          incrementing the field named by "vary"
 *    "vary": "sport"       "sport" (default) | "dport" | "src" | "dst" | "none"
 *                          ("none" only with count 1)
 *    "proto": "udp"        "udp" (default) | "tcp". TCP flows send a SYN
 *                          (minimum-size frame) first, then ACK data segments
 *                          with increasing sequence numbers
 *    "family": 4           4 (default) | 6; must match src/dst
 *    "src": "10.0.0.1"     default 10.0.0.1 / fd00::1
 *    "dst": "10.0.1.1"     default 10.0.1.1 / fd00::1:1
 *    "sport": 1024, "dport": 80   (defaults)
 *    "smac": "02:00:00:00:00:01", "dmac": "02:00:00:00:00:02"  (defaults)
 *    "vlan": 100           optional 802.1Q VID (0..4095): tag added
 *    "frame_len": 64       Ethernet frame bytes INCLUDING the 4-byte FCS
 *                          (RFC 2544 sizes; default 64), or a list
 *                          [64, 594, 1518] drawn uniformly per packet.
 *                          pkt.wire_len = frame_len - 4
 *    "rate_pps": 1e6       packets/s of the whole GROUP (split evenly over
 *                          its `count` flows), > 0; or
 *    "line": "10G"         the group at line rate of "<Gbit/s>G" for its
 *                          (mean) frame size: pps = bps / ((frame_len+20)*8)
 *    "process": "constant" "constant" (default: flows of a group staggered so
 *                          the group's packets are evenly spaced) |
 *                          "poisson" (each flow Poisson, group rate as above) |
 *                          "onoff" (constant at the rate inside bursts of
 *                          "on_us", then "off_us" silent; mean rate =
 *                          rate * on/(on+off); the group's flows burst together)
 *    "on_us", "off_us"     > 0, only and required with "onoff"
 *    "start_us": 0         first arrival of the group (default 0)
 *   Flow ids are 1, 2, ... in order of the groups and of `count`.
 *
 * 2. Replay of a capture:
 *   {"pcap": "file.pcap",   relative to the env base_dir (scenario's folder)
 *    "rate_pps": 1e5,       optional: all inter-arrival times scaled so the
 *                           mean rate is this (burst shape kept); default:
 *                           the capture's own timing
 *    "duration_s": 0.5}     optional: stop there (default: whole capture)
 *   Times start at 0 at the first packet; a timestamp going backwards is
 *   clamped to the previous one. Flow ids number distinct 5-tuples (L3, L4
 *   protocol, addresses, ports) from 1 by first appearance; non-IP -> 0.
 *
 * Unknown keys are errors; errors name the JSON path: `/traffic/flows/2/rate_pps:
 * expected number > 0`. */

struct traffic_gen;

struct traffic_gen_env {
    uint64_t seed;        /* named streams "traffic/flows/<i>" */
    const char *base_dir; /* for a relative "pcap" path; NULL = current dir */
};

/* New generator from `cfg` (borrowed) whose JSON pointer is `path`. */
struct traffic_gen *traffic_gen_new(const json_t *cfg, const char *path,
                                    const struct traffic_gen_env *env, GError **err);
void traffic_gen_free(struct traffic_gen *g);

/* Next arrival in time order (ties: lower flow id first) into `out`; false
 * when the duration (or the capture) is exhausted. No allocation. */
bool traffic_gen_next(struct traffic_gen *g, struct traffic_pkt *out);

/* Flows the generator can emit (ids 1..n). */
uint32_t traffic_gen_n_flows(const struct traffic_gen *g);
/* Arrivals are in [0, duration) ns. */
uint64_t traffic_gen_duration_ns(const struct traffic_gen *g);
/* Why the input is only partly used ("PATH: packet N: truncated record ..."
 * for a cut capture), NULL when whole; valid until traffic_gen_free. */
const char *traffic_gen_warning(const struct traffic_gen *g);

/* Frames per second at line rate: bits_per_s / ((frame_len + 8 + 12) * 8),
 * frame_len including FCS. 64 B at 10 Gbit/s = 14,880,952.38. */
double traffic_line_rate_pps(double bits_per_s, double frame_len);

#endif
