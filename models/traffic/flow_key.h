/* A flow's identity: the 5-tuple the flow dissector extracts for hashing (struct flow_keys,
 * include/net/flow_dissector.h, Linux 6.12), usable as a GHashTable key. */
#ifndef NICSTEER_TRAFFIC_FLOW_KEY_H
#define NICSTEER_TRAFFIC_FLOW_KEY_H

#include "models/traffic/pkt.h"

#include <glib.h>

/* Plain bytes without padding: hashed and compared with memcmp. */
struct traffic_flow_key {
    uint8_t l3, l4;        /* enum traffic_l3, IP protocol */
    uint16_t sport, dport; /* 0 when the packet has no L4 ports (fragments, ICMP) */
    uint8_t saddr[16], daddr[16];
};

/* The key of p; non-IP frames (l3 == PKT_L3_NONE) all share the zero-address key. */
struct traffic_flow_key traffic_flow_key_of(const struct traffic_pkt *p);
/* GHashFunc / GEqualFunc over struct traffic_flow_key. */
guint traffic_flow_key_hash(gconstpointer key);
gboolean traffic_flow_key_equal(gconstpointer a, gconstpointer b);

#endif
