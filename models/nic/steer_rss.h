/* The RSS stage of the 82599 classifier: Toeplitz hash + RETA lookup
 * (ixgbe_setup_mrqc / ixgbe_setup_reta, ixgbe_main.c). Exposed beyond the
 * vtable because the classifier hashes every packet, whatever decides. */
#ifndef NICSTEER_NIC_STEER_RSS_H
#define NICSTEER_NIC_STEER_RSS_H

#include <stdbool.h>

#include "models/nic/reta.h"
#include "models/nic/rss_ctx.h"
#include "models/nic/steer.h"
#include "models/nic/toeplitz.h"

/* Config (the "rss" object; every key optional; defaults from env->profile,
 * models/nic/nic_profile.h, the 82599's when NULL; with a profile, values it
 * cannot have are errors):
 *   "key": "6d5a.." or "6d:5a:..", the profile's length (40; 52 on x710).
 *          Default: from the seeded stream "rss_key" (Linux fills
 *          netdev_rss_key randomly once per boot; we make it reproducible).
 *   "reta_size": the profile's (128 82599, 512 x710/generic)
 *   "reta": "equal N" | "weight W0 W1 .." | "start S equal N" | "default" | [q0, q1, ..]
 *   "max_rss_queues": the profile's (16 82599, 64 x710, 256 generic); RETA
 *          entries must be < min(rx queues, this)
 *   "udp4", "udp6": the profile's: 4-tuple UDP hashing (ethtool -N rx-flow-hash udpX sdfn)
 *   "hash": true           NETIF_F_RXHASH: report the hash to the stack; the
 *                          RETA still uses it when false (ethtool -K rxhash off)
 *   "xfrm": "none" | "symmetric-xor" (RXH_XFRM_SYM_XOR; profiles that have it)
 *   "contexts", "rules": extra RSS contexts and the ntuple rules sending
 *          flows to them (models/nic/rss_ctx.h; profiles that have them) */
struct steer_rss;

extern const struct steer_policy_ops steer_rss_ops;

/* Compute the descriptor hash of `p` into ctx (rss_type 0 = not hashed).
 * Returns whether the packet was hashed. Packet path. */
bool steer_rss_hash(const struct steer_rss *s, const struct traffic_pkt *p, struct steer_ctx *ctx);
/* The RSS stage's decision (its select_rxq): the RETA entry of ctx's hash,
 * queue 0 for an unhashed frame. Direct for the classifier's shared stage. */
int steer_rss_select_rxq(struct steer_rss *s, const struct steer_ctx *ctx);
/* `ethtool -X` with an explicit table at run time (ixgbe_set_rxfh ->
 * ixgbe_store_reta): n == the table's size, entries within its queues; the
 * table is unchanged on error. */
bool steer_rss_set_reta(struct steer_rss *s, const unsigned *q, unsigned n, GError **err);
/* Whether the hash reaches the stack (NETIF_F_RXHASH). */
bool steer_rss_reports_hash(const struct steer_rss *s);
const struct nic_toeplitz *steer_rss_toeplitz(const struct steer_rss *s);
const struct nic_reta *steer_rss_reta(const struct steer_rss *s);

#endif
