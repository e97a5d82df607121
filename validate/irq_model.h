/* Hardware-NIC side of the validation: a bundle's matched packets and the host's transmits
 * (TX rings, write-backs cleaned by ixgbe_clean_tx_irq) replayed at their recorded times through
 * the simulator's own host (sim/machine.c: models/nic/nic.c rings, MSI-X and EITR, nicdrv-model's
 * ixgbe_msix_clean_rings/ixgbe_poll/ixgbe_update_itr), configured as the host was (ethtool
 * -l/-c/-g/-k, /proc/interrupts affinity, net.core sysctls, HZ). */
#ifndef NICSTEER_VALIDATE_IRQ_MODEL_H
#define NICSTEER_VALIDATE_IRQ_MODEL_H

#include "models/kernel/cost.h"
#include "models/kernel/kern.h"
#include "models/kernel/rps_path.h"
#include "models/nic/nic.h"
#include "models/traffic/pkt.h"
#include "nicdrv-model/nicdrv.h"
#include "validate/bundle.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The machine's limits (sim_machine_new): 64 CPUs, 64 RX queues. */
#define VAL_IRQ_MODEL_MAX_CPUS SIM_NR_CPUS

/* One packet to replay: it reaches RX ring rxq at pkt.ts_ns (ns from the replay start, time
 * order) carrying the descriptor hash `hash` (0: the NIC did not hash it). */
struct val_irq_pkt {
    struct traffic_pkt pkt;
    uint16_t rxq;
    uint32_t hash;
};

/* One frame the host transmitted: ixgbe_xmit_frame_ring() posted it on TX ring txq at ts_ns (the
 * RX packets' time base); its write-back raises the TxRx vector of that ring. */
struct val_irq_tx {
    uint64_t ts_ns;
    uint32_t len; /* frame bytes (skb->len at ndo_start_xmit) */
    uint16_t txq;
};

struct val_irq_model_cfg {
    unsigned n_cpus, n_queues;
    unsigned ring_size; /* RX descriptors per ring (ixgbe default 512) */
    unsigned link_mbps; /* ixgbe_update_itr()'s speed rule */
    int rx_usecs;       /* ixgbe convention: 0 off, 1 adaptive, 2..1022 fixed µs */
    bool gro;
    struct sim_cpumask
        affinity[NIC_MAX_VECTORS]; /* smp_affinity per q_vector; empty = the driver's */
    struct kern_params kp;         /* HZ, netdev_budget(_usecs), gro_normal_batch */
    struct kern_cost cost;
    /* RPS/RFS on the device (rps_cpus NULL = off): per-queue maps and table sizes, owned */
    struct kern_rps_params rps;
    struct sim_cpumask *rps_cpus;
    uint64_t *rps_flow_cnt;
    uint64_t drain_ns; /* simulated time after the last arrival (IRQs and polls it causes) */
};

/* What the replay produced, per q_vector of the model NIC. */
struct val_irq_model_result {
    unsigned n_vectors;                        /* ixgbe q_vectors: min(max(rxq, txq), cpus) */
    uint64_t irqs[NIC_MAX_VECTORS];            /* MSI-X interrupts taken, all CPUs */
    uint64_t irq_cpu[NIC_MAX_VECTORS];         /* CPU the vector's interrupts reach */
    uint64_t poll_hist[NICDRV_POLL_HIST_BINS]; /* device NAPI polls by work */
    uint64_t offered, ring_drops;
    uint64_t tx_frames[NIC_MAX_VECTORS]; /* recorded transmits replayed per TX queue */
    uint64_t tx_ring_full;               /* ... refused by a full TX ring */
};

/* Defaults: ixgbe (512 descriptors, 10 Gb/s, adaptive ITR, GRO on), kernel defaults, no RPS. */
void val_irq_model_cfg_init(struct val_irq_model_cfg *c, unsigned n_cpus, unsigned n_queues);
void val_irq_model_cfg_clear(struct val_irq_model_cfg *c);

/* The host's configuration from a bundle: queues (ethtool -l combined, else
 * topology.queues_per_side), ITR (ethtool -c: adaptive-rx on -> 1, else rx-usecs), ring size
 * (ethtool -g RX, when captured), GRO (ethtool -k), vector affinity (the CPU that took most of
 * each <dev>-TxRx-N interrupt in /proc/interrupts), budgets and HZ (sysctl_net_core, host.hz),
 * RPS/RFS (sysfs_queues). notes gets one line per assumption made (char *). False + error naming
 * the config.json key when a present value is malformed. */
bool val_irq_model_cfg_from_bundle(struct val_irq_model_cfg *c, const struct val_bundle *b,
                                   const struct kern_cost *cost, GPtrArray *notes, GError **err);

/* Replays n packets (time order) through the machine. False + error on a configuration the
 * machine rejects. */
bool val_irq_model_run(const struct val_irq_model_cfg *c, const struct val_irq_pkt *pk, size_t n,
                       struct val_irq_model_result *out, GError **err);
/* The same with the host's transmits (time order, TX queues < n_queues) posted on the TX rings
 * at their times, so TX write-backs interrupt the TxRx vectors and are cleaned in their polls. */
bool val_irq_model_run_tx(const struct val_irq_model_cfg *c, const struct val_irq_pkt *pk, size_t n,
                          const struct val_irq_tx *tx, size_t ntx, struct val_irq_model_result *out,
                          GError **err);

#endif
