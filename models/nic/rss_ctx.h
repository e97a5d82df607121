/* Additional RSS contexts and the ntuple rules directing flows to them
 * (`ethtool -X DEV context new equal N`, `ethtool -N DEV flow-type tcp4
 * dst-port 80 context 1 [action Q]`; ethtool_set_rxfh_context, FLOW_RSS in
 * struct ethtool_rx_flow_spec): a matching frame goes to queue Q + the
 * context's RETA entry for its hash. Contexts share the device key (a
 * per-context hkey is not modelled). Profiles with rss_contexts > 0 only. */
#ifndef NICSTEER_NIC_RSS_CTX_H
#define NICSTEER_NIC_RSS_CTX_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/nic/nic_profile.h"
#include "models/traffic/pkt.h"

/* Config, two keys of the "rss" object:
 *   "contexts": [{"reta": "equal 4" | [..]}, ..]   context 1, 2, .. (the
 *               profile's reta_size entries each)
 *   "rules": [{"flow_type": "tcp4"|"udp4"|"tcp6"|"udp6", "src_ip", "dst_ip",
 *              "src_port", "dst_port" (each optional), "context": C,
 *              "action": Q (default 0: the queue offset)}, ..]
 *   First matching rule in order decides (ethtool's rule locations). */
struct nic_rss_ctx;

/* NULL and no error when neither key is given. `reta_size` = the device's,
 * `n_rx_queues` bounds action + entries. Errors name `path`/contexts/i/... */
struct nic_rss_ctx *nic_rss_ctx_new(const json_t *contexts, const json_t *rules,
                                    const struct nic_profile *p, unsigned reta_size,
                                    unsigned n_rx_queues, const char *path, GError **err);
void nic_rss_ctx_free(struct nic_rss_ctx *c);

/* Queue for a hashed frame matching a rule, or -1 (the default context
 * decides). Packet path: no allocation. */
int nic_rss_ctx_select(struct nic_rss_ctx *c, const struct traffic_pkt *p, uint32_t hash);
unsigned nic_rss_ctx_n_contexts(const struct nic_rss_ctx *c);

/* {"contexts": [{"reta": .., "packets": n}], "rules": n} */
json_t *nic_rss_ctx_dump(const struct nic_rss_ctx *c);

#endif
