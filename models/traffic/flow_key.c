/* Flow identity as the flow dissector sees it (__skb_flow_dissect() fills struct flow_keys,
 * net/core/flow_dissector.c, Linux 6.12): addresses, protocol and ports when present. */
#include "models/traffic/flow_key.h"

#include <string.h>

G_STATIC_ASSERT(sizeof(struct traffic_flow_key) == 38); /* no padding bytes to hash */

struct traffic_flow_key traffic_flow_key_of(const struct traffic_pkt *p)
{
    struct traffic_flow_key k = {.l3 = p->l3, .l4 = p->l4};
    if (p->has_ports) {
        k.sport = p->sport;
        k.dport = p->dport;
    }
    memcpy(k.saddr, p->saddr, sizeof k.saddr);
    memcpy(k.daddr, p->daddr, sizeof k.daddr);
    return k;
}

/* FNV-1a: a cold-path table key (flow ids, per-queue flow counts), not a steering hash. */
guint traffic_flow_key_hash(gconstpointer key)
{
    const uint8_t *b = key;
    guint h = 2166136261u;
    for (size_t i = 0; i < sizeof(struct traffic_flow_key); i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

gboolean traffic_flow_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct traffic_flow_key)) == 0;
}
