/* The 82599 receive classifier (datasheet §7.1.2, "Rx Queues Assignment"):
 * hash every IP frame (Toeplitz, MRQC fields), then run the filter chain the
 * way ixgbe configures it (Flow Director before RSS); first match decides. */
#ifndef NICSTEER_NIC_CLASSIFIER_H
#define NICSTEER_NIC_CLASSIFIER_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

#include "models/nic/reta.h"
#include "models/nic/steer.h"
#include "models/nic/toeplitz.h"
#include "models/traffic/pkt.h"

struct nic_rx_decision {
    int queue;       /* RX queue, or STEER_DROP */
    uint32_t hash;   /* RSS hash written to the RX descriptor (valid when hashed) */
    uint8_t hashed;  /* 0: not hashed (non-IP, or hash type disabled) */
    uint8_t l4_hash; /* hash covered L4 ports (skb->l4_hash) */
    uint8_t stage;   /* index in the chain of the stage that decided */
};

/* Config (embedded under /nic/steering in a scenario; NULL = defaults):
 * {
 *   "rss":   {see models/nic/steer_rss.h: key, reta_size, reta, max_rss_queues,
 *             udp4, udp6, hash, xfrm},
 *   "chain": ["fdir", "rss"],    stages in order; default ["rss"]. Names are
 *                                built-in policies (rss, mac, rr, single, fdir)
 *                                or modules (see steer_policy_lookup()).
 *   "feedback_ms": 10,           period of on_load calls (default: the policy's
 *                                feedback_ns(), else 10 ms)
 *   "staleness_ms": 0,           age of the load snapshot they get (< period)
 *   "<stage name>": {...}        config of that stage (rss: the "rss" object);
 *                                a key naming no stage of the chain is an error
 * }
 * The Toeplitz hash is computed for every frame whatever the chain (the
 * descriptor carries it even when Flow Director chose the queue). The first
 * stage returning a queue decides; when all say STEER_NO_MATCH the frame goes
 * to queue 0 and `stage` = number of stages. A stage answering a queue
 * >= n_rx_queues (a buggy module) sends the frame to queue 0 and bumps
 * "invalid_queue". Errors name `path` + the JSON pointer below it. */
struct nic_classifier;

struct nic_classifier *nic_classifier_new(const json_t *cfg, const char *path,
                                          const struct steer_env *env, GError **err);
void nic_classifier_free(struct nic_classifier *c);
/* Packet path: no allocation. */
void nic_classifier_select(struct nic_classifier *c, const struct traffic_pkt *p,
                           struct nic_rx_decision *d);
/* Forwarded to every stage implementing observe_tx (ATR sampling). */
void nic_classifier_observe_tx(struct nic_classifier *c, const struct traffic_pkt *p, unsigned txq);
/* Forwarded to every stage implementing on_cpu_change (aRFS-like). */
void nic_classifier_on_cpu_change(struct nic_classifier *c, const struct traffic_pkt *p,
                                  unsigned cpu, unsigned rxq);
/* A stage learns flows from transmitted frames (ATR) or takes filters (aRFS /
 * Flow Director): the host must keep each flow's first frame to build them. */
bool nic_classifier_learns_flows(const struct nic_classifier *c);
/* Runtime exact-match filters (aRFS ndo_rx_flow_steer, ethtool -N): to the
 * first stage with an add_filter slot; -1 / false when none or it refuses. */
int nic_classifier_add_filter(struct nic_classifier *c, const struct traffic_pkt *p, unsigned rxq);
bool nic_classifier_del_filter(struct nic_classifier *c, unsigned id);
/* Load feedback (steer_policy_ops.on_load). True when a stage has on_load:
 * then *period_ns = /feedback_ms, else the first such stage's feedback_ns()
 * request (when above the staleness), else NIC_FEEDBACK_DEFAULT_NS, and
 * *staleness_ns = /staleness_ms (default 0, always below the period). */
#define NIC_FEEDBACK_DEFAULT_NS 10000000ull /* 10 ms */
bool nic_classifier_feedback(const struct nic_classifier *c, uint64_t *period_ns,
                             uint64_t *staleness_ns);
/* Hand `load` (counters filled by the host) to every stage with on_load, with
 * the current RETA and a set_reta that rewrites the port's table. */
void nic_classifier_on_load(struct nic_classifier *c, const struct steer_load *load);
/* New JSON: chain, per-stage decisions and dumps, hash counters, and
 * "feedback" {period_ms, staleness_ms, calls, reta_rewrites, reta_refused}
 * when a stage takes load feedback. */
json_t *nic_classifier_dump(const struct nic_classifier *c);
/* key/reta access for reports (borrowed) */
const struct nic_toeplitz *nic_classifier_rss(const struct nic_classifier *c);
const struct nic_reta *nic_classifier_reta(const struct nic_classifier *c);
unsigned nic_classifier_n_stages(const struct nic_classifier *c);
/* Name of stage i (borrowed), or NULL. */
const char *nic_classifier_stage_name(const struct nic_classifier *c, unsigned i);

#endif
