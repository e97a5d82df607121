/* Transmit queue selection: netdev_core_pick_tx(), netdev_pick_tx(), get_xps_queue(),
 * skb_tx_hash() (net/core/dev.c) and TCP's skb->ooo_okay (net/ipv4/tcp_output.c), Linux 6.12. */
#ifndef NICSTEER_MODELS_KERNEL_XPS_H
#define NICSTEER_MODELS_KERNEL_XPS_H

#include "sim/core/cpumask.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* struct xps_dev_maps for one kind (XPS_CPUS or XPS_RXQS): per CPU / per rx queue the TX queues
 * whose mask holds it, in ascending queue order (the order sysfs writes tx-0, tx-1, ... build
 * it in __netif_set_xps_queue). Traffic classes (num_tc) are not modelled. */
struct kern_xps_maps;

/* The transmitting device: real_num_tx_queues and its optional XPS maps (borrowed). */
struct kern_xps_dev {
    unsigned num_tx_queues;
    const struct kern_xps_maps *cpus; /* xps_cpus, NULL = none */
    const struct kern_xps_maps *rxqs; /* xps_rxqs, NULL = none */
};

/* The socket fields netdev_pick_tx() reads and writes. */
struct kern_xps_sock {
    int tx_queue;   /* sk_tx_queue_mapping, -1 = unset */
    int rx_queue;   /* sk_rx_queue_mapping, -1 = unset (sk_rx_queue_get) */
    bool can_cache; /* sk_fullsock() with a cached route (sk_dst_cache) */
};

/* The skb fields TX queue selection reads. */
struct kern_tx_skb {
    uint32_t hash;          /* skb_get_hash(): TCP's sk_txhash, or the flow dissector's */
    uint16_t queue_mapping; /* forwarded packet: recorded rx queue + 1; local: 0 */
    bool ooo_okay;          /* may change queue without reordering (kern_tcp_ooo_okay) */
    unsigned sender_cpu;    /* CPU running the transmit (skb->sender_cpu - 1) */
};

/* nr_ids = CPUs (xps_cpus) or rx queues (xps_rxqs); masks[q] = tx-<q>'s mask for q <
 * num_tx_queues (ids >= nr_ids in a mask are an error naming the queue). New. */
struct kern_xps_maps *kern_xps_maps_new(unsigned nr_ids, unsigned num_tx_queues,
                                        const struct sim_cpumask *masks, GError **err);
void kern_xps_maps_free(struct kern_xps_maps *m);
/* Queues listed for id (count in *len), NULL when the id has none. */
const uint16_t *kern_xps_maps_get(const struct kern_xps_maps *m, unsigned id, unsigned *len);

/* sk_rx_queue_update(): a socket remembers the rx queue of what it received (recorded
 * queue_mapping q > 0 -> rx queue q - 1; 0 leaves it unchanged). */
void kern_xps_sock_record_rx(struct kern_xps_sock *sk, uint16_t queue_mapping);

/* get_xps_queue(): rxqs map by the socket's rx queue, falling back to the CPU map by
 * sender_cpu; a one-queue entry -> it, else queues[reciprocal_scale(hash, len)]. -1 = none. */
int kern_get_xps_queue(const struct kern_xps_dev *dev, const struct kern_xps_sock *sk,
                       const struct kern_tx_skb *skb);
/* skb_tx_hash(): a recorded rx queue folded into range (forwarding), else
 * reciprocal_scale(hash, num_tx_queues). */
uint16_t kern_skb_tx_hash(const struct kern_xps_dev *dev, const struct kern_tx_skb *skb);
/* netdev_core_pick_tx() without ndo_select_queue: 1 queue -> 0; else reuse the socket's
 * cached queue unless unset, ooo_okay or out of range; else XPS, else skb_tx_hash; the new
 * choice is cached in sk (sk_tx_queue_set) when sk->can_cache. sk may be NULL. */
uint16_t kern_netdev_core_pick_tx(const struct kern_xps_dev *dev, struct kern_xps_sock *sk,
                                  const struct kern_tx_skb *skb);

/* __tcp_transmit_skb(): skb->ooo_okay = nothing of this socket is left in qdisc/device queues
 * (sk_wmem_alloc < SKB_TRUESIZE(1)) or its retransmit queue is empty (everything acked). */
static inline bool kern_tcp_ooo_okay(bool tx_queues_empty, bool rtx_queue_empty)
{
    return tx_queues_empty || rtx_queue_empty;
}

#endif
