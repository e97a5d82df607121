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

#endif
