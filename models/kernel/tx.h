/* The transmit side of the simulated kernel: sendmsg down to the driver's
 * ndo_start_xmit with netdev_core_pick_tx (XPS, socket-cached queue,
 * ooo_okay, skb_tx_hash) and the completion that frees the skb; net/core/dev.c
 * (__dev_queue_xmit), net/ipv4/tcp_output.c, Linux 6.12. */
#ifndef NICSTEER_KERN_TX_H
#define NICSTEER_KERN_TX_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"
#include "sim/core/cpumask.h"

/* MAX_SKB_FRAGS (include/linux/skbuff.h, CONFIG_MAX_SKB_FRAGS default 17). */
#define KERN_MAX_SKB_FRAGS 17

/* What the driver maps of an skb (skb_headlen, skb_shinfo()->frags, gso_size/gso_segs):
 * ixgbe_xmit_frame_ring() counts its descriptors from this. */
struct kern_skb_shape {
    uint32_t headlen;  /* linear part: the headers tcp_sendmsg leaves in skb->head */
    unsigned nr_frags; /* page frags carrying the payload */
    uint32_t frag[KERN_MAX_SKB_FRAGS];
    uint16_t gso_size; /* MSS of a super-packet the NIC is to cut (TSO), 0 = one frame */
    uint16_t gso_segs; /* frames it becomes on the wire */
};

/* One packet handed to the driver (what ndo_start_xmit needs of the skb). */
struct kern_tx_pkt {
    uint32_t flow;    /* the connection (flow id of its receive direction) */
    uint32_t len;     /* frame bytes */
    uint32_t payload; /* L4 payload bytes */
    uint32_t sock;    /* owning socket (completion frees its wmem) */
    uint8_t tcp_flags;
    /* layout for the descriptor count; NULL = one linear buffer, one descriptor (the
     * small sends of kern_sock_sendmsg) */
    const struct kern_skb_shape *shape;
};

/* ndo_start_xmit(): false = ring full (NETDEV_TX_BUSY: the packet is dropped
 * and counted as tx_dropped here; qdisc requeueing is not modelled). */
typedef bool (*kern_ndo_start_xmit)(void *drv, const struct kern_tx_pkt *p, unsigned txq);

struct kern_tx_path;

/* register_netdev() of the TX side of device `dev`: num_tx_queues and xmit. */
bool kern_tx_register(struct kern_host *h, unsigned dev, unsigned num_tx_queues,
                      kern_ndo_start_xmit xmit, void *drv, GError **err);
/* netif_set_xps_queue() / sysfs xps_cpus, xps_rxqs: masks per TX queue
 * (cpus: n_tx masks of CPUs; rxqs: n_tx masks of RX queues, NULL = none). */
bool kern_tx_set_xps(struct kern_host *h, unsigned dev, const struct sim_cpumask *cpus,
                     const struct sim_cpumask *rxqs, unsigned num_rx_queues, GError **err);
/* xps_cpus_show() / xps_rxqs_show() (net/core/net-sysfs.c): the ids (CPUs, or RX queues when
 * rxqs) below nr_ids whose map lists TX queue q of device dev; empty without XPS. */
void kern_tx_xps_show(const struct kern_host *h, unsigned dev, unsigned q, bool rxqs,
                      unsigned nr_ids, struct sim_cpumask *out);
void kern_tx_free(struct kern_tx_path *t);

/* sendmsg() of `bytes` of payload on sk to its peer `flow` through device `dev`,
 * by the code running on this CPU (thread or softirq): syscall and copy charged,
 * sock_rps_record_flow, netdev_core_pick_tx, ndo_start_xmit. Returns the TX
 * queue used, or -1 when the device has no TX side or the ring was full. */
int kern_sock_sendmsg(struct kern_host *h, struct kern_sock *sk, unsigned dev, uint32_t flow,
                      uint32_t bytes, uint8_t tcp_flags);
/* The driver cleaned a completed descriptor of socket `sock` (dev_kfree_skb:
 * sk_wmem_alloc falls). */
void kern_tx_complete(struct kern_host *h, uint32_t sock);
uint64_t kern_tx_packets(const struct kern_host *h, unsigned dev, unsigned txq);
uint64_t kern_tx_dropped(const struct kern_host *h);
/* num_online_cpus() */
unsigned kern_n_cpus(const struct kern_host *h);

/* ---- TSO/GSO (#15 point 3): the device's offloads and one skb to the driver ---- */

/* ethtool -K tso / gso: NETIF_F_TSO (the NIC segments) and NETIF_F_GSO (skb_gso_segment
 * segments in software just before the driver); both on by default as ixgbe registers. */
bool kern_tx_set_offloads(struct kern_host *h, unsigned dev, bool tso, bool gso, GError **err);
bool kern_tx_tso(const struct kern_host *h, unsigned dev);
bool kern_tx_gso(const struct kern_host *h, unsigned dev);
/* netdev_core_pick_tx + ndo_start_xmit of one prepared skb of sk (no CPU charged: the
 * caller prices the stack). Returns the queue, or -1 (no TX side, or ring full:
 * NETDEV_TX_BUSY, not counted as a drop; the caller keeps the data or drops it). */
int kern_tx_xmit_skb(struct kern_host *h, struct kern_sock *sk, unsigned dev,
                     struct kern_tx_pkt *p);

#endif
