/* Intel 82599 Flow Director as a steering policy: ATR signature filters learnt
 * from TX (ixgbe_atr) or ethtool -N perfect filters. ixgbe driver, Linux 6.12. */
#ifndef NICSTEER_NIC_STEER_FDIR_H
#define NICSTEER_NIC_STEER_FDIR_H

#include "models/nic/steer.h"

/* Config object (all keys optional):
 *   "mode": "signature" (ATR, default) | "perfect" (ethtool -K ntuple on)
 *   "atr_sample_rate": 0..255 (20; 0 = ATR off)
 *   "pballoc": "64k" (default) | "128k" | "256k"
 *   "filters": perfect mode only, each an object {"flow_type", "src_ip",
 *     "dst_ip", "src_port", "dst_port", "action", "loc"} or an ethtool -N
 *     string "flow-type tcp4 dst-port 80 action 3 loc 5".
 * dump() gives mode, capacity, filters (in use) and the fdir_* counters. */
extern const struct steer_policy_ops steer_fdir_ops;

/* Runtime perfect filters, as an aRFS driver's ndo_rx_flow_steer or a later
 * ethtool -N writes them (ixgbe_fdir_write_perfect_filter_82599): a full
 * 5-tuple filter (flow type, addresses, ports) for packet p's flow steering to
 * rxq. Perfect mode only; the port mask becomes the 5-tuple mask with the
 * first filter and a filter set with another mask refuses (-1, fdir_add_fail).
 * Returns the filter's location (its id), -1 when refused or the table is full.
 * Re-adding the same flow rewrites its queue and keeps its location. */
int steer_fdir_perfect_add(void *st, const struct traffic_pkt *p, unsigned rxq);
/* Remove the filter at `loc` (ethtool -N delete); false when none is there. */
bool steer_fdir_perfect_del(void *st, unsigned loc);

#endif
