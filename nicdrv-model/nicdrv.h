/* A small ixgbe-like driver for the model NIC: MSI-X TxRx vectors with one
 * NAPI each, the poll routine, adaptive ITR. Mirrors
 * drivers/net/ethernet/intel/ixgbe/ixgbe_main.c, Linux 6.12. */
#ifndef NICSTEER_NICDRV_NICDRV_H
#define NICSTEER_NICDRV_NICDRV_H

#include <glib.h>
#include <stdint.h>

#include "models/nic/nic.h"
#include "nicdrv-model/kshim.h"
#include "nicdrv-model/nicdrv_arfs.h"

#define IXGBE_ITR_ADAPTIVE_MIN_INC   2
#define IXGBE_ITR_ADAPTIVE_MIN_USECS 10
#define IXGBE_ITR_ADAPTIVE_MAX_USECS 126
#define IXGBE_ITR_ADAPTIVE_LATENCY   0x80
#define IXGBE_ITR_ADAPTIVE_BULK      0x00
#define IXGBE_20K_ITR                200 /* 50 µs, adaptive start */
/* The latency classes' rates of ixgbe_set_itr() before 4.16 (EITR units, µs << 2). */
#define IXGBE_100K_ITR        40  /* 10 µs: lowest_latency */
#define IXGBE_12K_ITR         336 /* 84 µs: bulk_latency from 4.3 to 4.15 */
#define IXGBE_8K_ITR          500 /* 125 µs: bulk_latency before 4.3 */
#define IXGBE_MAX_EITR        0x00000FF8
#define NICDRV_POLL_HIST_BINS 65 /* work 0..64 (the default weight), more in the last */

struct nicdrv_cfg {
    const char *ifname; /* "eth0": IRQs named eth0-TxRx-N */
    unsigned irq_base;  /* Linux IRQ number of vector 0 */
    int rx_usecs;       /* ethtool -C rx-usecs: 0 off, 1 adaptive, 2..1022 fixed */
    unsigned link_mbps;
    bool gro;          /* NETIF_F_GRO */
    const int *weight; /* NAPI weight per q_vector (NULL: 64 each) */
    unsigned n_weight;
    unsigned dev_index; /* the kernel's device index (skb->dev): eth0 = 0 */
    /* Flow Director ATR is on (ixgbe_set_rss_queues: RSS > 1, atr_sample_rate != 0, no
     * ntuple): vector v's affinity_mask = cpumask_local_spread(v) and TX ring q's XPS
     * map is its vector's mask (ixgbe_configure_tx_ring). */
    bool atr;
    /* ixgbe_atr(): every transmitted frame is offered to Flow Director's ATR
     * sampler (the machine forwards it to the classifier). NULL = no ATR. */
    void (*atr_sample)(void *ctx, uint32_t flow, uint8_t tcp_flags, unsigned txq);
    void *atr_ctx;
    /* aRFS (NETIF_F_NTUPLE + rx_cpu_rmap): ndo_rx_flow_steer installs perfect
     * filters through arfs_hw (nicdrv_arfs.h). Needs the kernel's RPS device. */
    bool arfs;
    struct nicdrv_arfs_hw arfs_hw;
    /* ixgbe_xdp_setup(): the XDP program on every RX ring (ip link set dev eth0 xdp ...),
     * NULL = none (borrowed; must outlive the adapter) */
    const struct kern_xdp_prog *xdp_prog;
};

/* Verdicts of the XDP program as the driver applied them (mlx5's ethtool -S names:
 * rx_xdp_drop, rx_xdp_tx, rx_xdp_redirect; and the failures ixgbe_run_xdp turns into
 * drops: xdp_exception). */
struct nicdrv_xdp_stats {
    uint64_t drop, pass, tx, redirect;
    uint64_t tx_full;      /* XDP_TX with the XDP TX ring full: dropped */
    uint64_t redirect_err; /* xdp_do_redirect() failed (xsk ring full, no socket): dropped */
    uint64_t aborted;      /* XDP_ABORTED */
};

/* struct ixgbe_ring_container: per-direction ITR bookkeeping. */
struct ixgbe_ring_container {
    unsigned total_bytes;
    unsigned total_packets;
    unsigned long next_update; /* jiffies */
    uint8_t itr;               /* µs | IXGBE_ITR_ADAPTIVE_LATENCY; before 4.16 the latency class */
    bool ring;                 /* has a ring (TxRx vectors: both) */
};

struct nicdrv_adapter;

/* ixgbe_probe + ixgbe_open: q_vectors, NAPI, request_irq per vector. */
struct nicdrv_adapter *nicdrv_probe(struct nic *hw, struct kern_host *h,
                                    const struct nicdrv_cfg *cfg, GError **err);
void nicdrv_remove(struct nicdrv_adapter *a);

/* ixgbe_msix_clean_rings(): the MSI-X handler of a TxRx vector. */
irqreturn_t nicdrv_msix_clean_rings(int irq, void *data);
/* ixgbe_poll() */
int nicdrv_poll(struct napi_struct *napi, int budget);
/* ixgbe_update_itr() on one container; q_itr = q_vector->itr (EITR units).
 * Exposed for the unit tests that pin the 6.12 algorithm. */
void nicdrv_update_itr(struct ixgbe_ring_container *rc, uint16_t q_itr, unsigned link_mbps,
                       unsigned long jiffies);

/* The adaptive ITR of ixgbe before 4.16 ("ixgbe: Update adaptive ITR algorithm" replaced it):
 * each container's latency class moves one step by the bytes per µs of the last interval. */
enum nicdrv_latency_range { NICDRV_LOWEST_LATENCY = 0, NICDRV_LOW_LATENCY, NICDRV_BULK_LATENCY };
/* ixgbe_update_itr() before 4.16 on one container: rc->itr becomes the new class. */
void nicdrv_update_itr_legacy(struct ixgbe_ring_container *rc, uint16_t q_itr);
/* ixgbe_set_itr() before 4.16: the rate of the higher of the two classes, exponentially
 * smoothed with q_itr; the new q_vector->itr. kernel_version (kversion.h) picks the bulk
 * rate: IXGBE_8K_ITR before 4.3, IXGBE_12K_ITR from 4.3. */
uint16_t nicdrv_set_itr_legacy(uint8_t rx_class, uint8_t tx_class, uint16_t q_itr,
                               unsigned kernel_version);

/* ixgbe_xmit_frame_ring(): ndo_start_xmit of the model (kern_ndo_start_xmit). */
struct kern_tx_pkt;
bool nicdrv_xmit_frame(void *adapter, const struct kern_tx_pkt *p, unsigned txq);
/* TSO/GSO (#15 point 3): descriptors ixgbe_xmit_frame_ring() needs for a laid-out skb
 * (1 context + TXD_USE_COUNT of the head and of each frag), and those written so far. */
struct kern_skb_shape;
unsigned nicdrv_tx_desc_count(const struct kern_skb_shape *s);
struct nicdrv_adapter;
uint64_t nicdrv_tx_descs(const struct nicdrv_adapter *adapter);
unsigned nicdrv_num_q_vectors(const struct nicdrv_adapter *a);
unsigned nicdrv_vector_irq(const struct nicdrv_adapter *a, unsigned v);
uint64_t nicdrv_napi_polls(const struct nicdrv_adapter *a, unsigned v);
/* The adapter's NAPI polls (all q_vectors, busy polls included) by the work ixgbe_poll()
 * returned, NICDRV_POLL_HIST_BINS bins: the device's napi_poll tracepoint distribution. */
const uint64_t *nicdrv_poll_hist(const struct nicdrv_adapter *a);
const struct nicdrv_xdp_stats *nicdrv_xdp_stats(const struct nicdrv_adapter *a);
/* aRFS state (NULL when off). */
const struct nicdrv_arfs *nicdrv_arfs_of(const struct nicdrv_adapter *a);
/* The NAPI context of q_vector v (busy polling takes it over), NULL if none. */
struct napi_struct *nicdrv_napi(struct nicdrv_adapter *a, unsigned v);

#endif
