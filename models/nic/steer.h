/* One interface for every RX queue-selection policy of the NIC model:
 * Toeplitz RSS, MAC hash, round-robin, Flow Director, or a user's own policy
 * loaded from a shared object. Shape of a Redis dictType / SQLite pcache
 * x-method table. The classifier chain (models/nic/classifier.h) composes
 * them the way the 82599 does: FDIR perfect -> FDIR signature -> base policy. */
#ifndef NICSTEER_NIC_STEER_H
#define NICSTEER_NIC_STEER_H

#include <glib.h>
#include <jansson.h>
#include <stdint.h>

#include "models/nic/nic_profile.h"
#include "models/traffic/pkt.h"

#define STEER_NO_MATCH (-1) /* policy has no opinion: next stage of the chain decides */
#define STEER_DROP     (-2) /* Flow Director "action -1": drop queue */

/* What the NIC tells a policy about itself at init (borrowed). */
struct steer_env {
    unsigned n_rx_queues; /* RX queues enabled on the port */
    unsigned n_tx_queues;
    unsigned n_cpus; /* online CPUs of the simulated host */
    uint64_t seed;   /* for policies that draw random numbers (sim_rng) */
    /* The NIC model (models/nic/nic_profile.h): its limits are enforced and
     * its defaults used. NULL = the 82599's defaults without its limits on
     * explicit keys (a what-if table, or a dump of an unnamed device). */
    const struct nic_profile *profile;
};

/* Per-packet context the classifier hands to every stage. */
struct steer_ctx {
    uint32_t rss_hash; /* Toeplitz hash the NIC computed (descriptor RSS hash) */
    uint8_t rss_type;  /* 0 = packet not hashed (non-IP / type disabled) */
};

/* Load feedback (on_load): what a control loop on the host could read, as
 * counters cumulative since the start, snapshotted at taken_ns = now_ns -
 * staleness (ethtool -S rx_queue_N_packets / rx_missed, the ring's
 * descriptors not yet cleaned, /proc/stat's per-CPU softirq column). Every
 * array is borrowed for the call only. */
struct steer_load {
    uint64_t now_ns;      /* simulated time of the call */
    uint64_t taken_ns;    /* when the counters were read (now_ns - staleness) */
    uint64_t interval_ns; /* between two calls (the feedback period) */
    unsigned n_rx_queues, n_cpus;
    const uint64_t *rxq_packets;    /* [n_rx_queues] frames posted to the ring */
    const uint64_t *rxq_drops;      /* [n_rx_queues] rx_missed: frames refused by a full ring */
    const unsigned *rxq_ring;       /* [n_rx_queues] descriptors waiting to be cleaned */
    const unsigned *rxq_cpu;        /* [n_rx_queues] CPU its vector interrupts (smp_affinity) */
    const uint64_t *cpu_softirq_ns; /* [n_cpus] softirq time (/proc/stat softirq, ns) */
    /* The NIC's indirection table as it is now (filled by the classifier). */
    unsigned reta_size;
    const unsigned *reta;
    /* `ethtool -X dev` with an explicit table: `n` == reta_size entries, each a
     * queue the RSS stage may use; false and the table unchanged when refused. */
    bool (*set_reta)(void *host, const unsigned *entries, unsigned n);
    void *host;
};

/* The policy ABI: bump when struct steer_policy_ops, steer_env, steer_ctx,
 * traffic_pkt or nic_profile change layout or meaning. A loaded module whose
 * ops carry another number is refused with the two numbers named. */
/* 3: set_reta slot (a RETA rewrite reaches the stages that implement it, not the ones whose
 *    ops are steer_rss's); 2: on_load / feedback_ns, struct steer_load */
#define NICSTEER_STEER_ABI 3u

struct steer_policy_ops {
    /* = NICSTEER_STEER_ABI: the first member, so that a module built against
     * another layout is recognised before any other field is read. */
    uint32_t abi_version;
    const char *name;
    /* New state from the policy's JSON object (borrowed; may be NULL for
     * defaults). Errors name the JSON path below `path`. */
    void *(*init)(const json_t *cfg, const char *path, const struct steer_env *env, GError **err);
    /* RX queue for the packet, STEER_NO_MATCH or STEER_DROP. Packet path:
     * no allocation, no logging. */
    int (*select_rxq)(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx);
    /* A packet of the reverse direction left on TX ring `txq` (ATR sampling).
     * `p` is the transmitted packet. Optional (NULL). */
    void (*observe_tx)(void *st, const struct traffic_pkt *p, unsigned txq);
    /* The flow of `p` is now consumed on `cpu`, whose IRQ queue is `rxq`
     * (aRFS-like learning, ndo_rx_flow_steer). Optional (NULL). */
    void (*on_cpu_change)(void *st, const struct traffic_pkt *p, unsigned cpu, unsigned rxq);
    /* Runtime exact-match filter: frames of p's flow go to rxq (a Flow Director
     * perfect filter programmed by ndo_rx_flow_steer or ethtool -N). Returns
     * the filter id, or -1 when refused (no room, another mode). Optional
     * (NULL: the policy takes no filters; the classifier asks the next stage). */
    int (*add_filter)(void *st, const struct traffic_pkt *p, unsigned rxq);
    /* Remove filter `id`; false when there is none. Optional, with add_filter. */
    bool (*del_filter)(void *st, unsigned id);
    /* Load feedback: called by the host every feedback period (/nic/steering/
     * feedback_ms, else feedback_ns() below, else 10 ms) with a snapshot taken
     * /nic/steering/staleness_ms earlier; the policy may rewrite the RETA
     * through load->set_reta. Optional (NULL: never called). */
    void (*on_load)(void *st, const struct steer_load *load);
    /* The feedback period the policy asks for, ns (0: the host's default).
     * Optional (NULL), with on_load. */
    uint64_t (*feedback_ns)(void *st);
    /* `ethtool -X dev`: the stage's indirection table becomes the n queues of q (the driver
     * writes the one RETA every RSS lookup of the port reads, ixgbe_set_rxfh()). false + error,
     * the table unchanged, when refused (size, a queue beyond the RSS limit). Optional (NULL:
     * the stage keeps no table; a rewrite leaves it as it is). */
    bool (*set_reta)(void *st, const unsigned *q, unsigned n, GError **err);
    /* State and counters as a new JSON object (sorted keys on output). */
    json_t *(*dump)(void *st);
    void (*destroy)(void *st);
};

/* Registry: built-in policies by name, else "NAME" or a path loaded with
 * GModule. A loaded module exports `const struct steer_policy_ops
 * nicsteer_policy_ops` with .abi_version = NICSTEER_STEER_ABI (build it out of
 * tree with `cc -shared -fPIC $(pkg-config --cflags nicsteer)`). Returns
 * borrowed ops or NULL + error. */
const struct steer_policy_ops *steer_policy_lookup(const char *name, GError **err);

#endif
