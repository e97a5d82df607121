/* Receive Packet Steering CPU choice: get_rps_cpu(), set_rps_cpu() and
 * rps_may_expire_flow() (net/core/dev.c), store_rps_map() (net/core/net-sysfs.c), Linux 6.12. */
#ifndef NICSTEER_MODELS_KERNEL_RPS_H
#define NICSTEER_MODELS_KERNEL_RPS_H

#include "models/kernel/backlog.h"
#include "models/kernel/rfs.h"
#include "sim/core/cpumask.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* struct rps_map: the online CPUs of a queue's rps_cpus mask, ascending. */
struct kern_rps_map {
    unsigned len;
    uint16_t cpus[SIM_NR_CPUS];
};

/* One device's RPS/RFS/aRFS state (the netdev_rx_queue array plus rx_cpu_rmap). */
struct kern_rps_dev;

/* ndo_rx_flow_steer(dev, skb, rxq_index, flow_id): install a hardware filter steering the flow
 * with this hash to rxq_index. Returns the filter id (>= 0) or a negative errno. */
typedef int (*kern_ndo_rx_flow_steer)(void *ctx, uint32_t hash, uint16_t rxq_index,
                                      uint32_t flow_id);

/* reciprocal_scale() (include/linux/math.h): val scaled into [0, ep_ro) without a division. */
static inline uint32_t kern_reciprocal_scale(uint32_t val, uint32_t ep_ro)
{
    return (uint32_t)(((uint64_t)val * ep_ro) >> 32);
}

/* skb_get_rx_queue() as get_rps_cpu() uses it: a recorded queue_mapping q (> 0) means rx queue
 * q - 1 (skb_record_rx_queue stores rx + 1); 0 means "not recorded" and RPS uses queue 0.
 * Real NIC drivers record rx queue + 1. veth instead leaves the sender's TX queue q in
 * queue_mapping, so on veth a packet sent on tx-q is steered with the map of rx-(q-1) (and
 * tx-0 with rx-0): pass the recorded queue_mapping unchanged, this function applies the rule. */
static inline unsigned kern_rps_rx_queue(uint16_t queue_mapping)
{
    return queue_mapping ? queue_mapping - 1u : 0u;
}

/* num_rx_queues queues (real_num_rx_queues), nr_cpu_ids possible CPUs, online = online CPUs
 * (borrowed mask is copied). New; NULL + err on bad sizes. */
struct kern_rps_dev *kern_rps_dev_new(unsigned num_rx_queues, unsigned nr_cpu_ids,
                                      const struct sim_cpumask *online, GError **err);
void kern_rps_dev_free(struct kern_rps_dev *dev);
unsigned kern_rps_dev_num_rx_queues(const struct kern_rps_dev *dev);

/* store_rps_map(): rps_cpus of rx-<rxq>; the map holds the mask's online CPUs ascending;
 * an empty result removes the map (no RPS on that queue). Housekeeping CPU isolation is not
 * modelled. */
bool kern_rps_dev_set_rps_cpus(struct kern_rps_dev *dev, unsigned rxq,
                               const struct sim_cpumask *mask, GError **err);
/* The queue's map, or NULL when RPS is off on it. */
const struct kern_rps_map *kern_rps_dev_map(const struct kern_rps_dev *dev, unsigned rxq);
/* rps_flow_cnt of rx-<rxq>: the device steals table (NULL removes it). */
void kern_rps_dev_set_flow_table(struct kern_rps_dev *dev, unsigned rxq,
                                 struct kern_rps_dev_flow_table *table);
struct kern_rps_dev_flow_table *kern_rps_dev_flow_table(struct kern_rps_dev *dev, unsigned rxq);

/* aRFS (CONFIG_RFS_ACCEL with NETIF_F_NTUPLE): rx_cpu_rmap = per CPU the rx queue whose IRQ
 * is nearest (nr_cpu_ids entries, copied); steer installs filters. rmap NULL disables. */
void kern_rps_dev_set_accel(struct kern_rps_dev *dev, const uint16_t *rx_cpu_rmap,
                            kern_ndo_rx_flow_steer steer, void *ctx);
/* cpu_rmap as alloc_cpu_rmap() + cpu_rmap_update() leave it for IRQ affinities given per rx
 * queue (updated in queue order): CPU c -> the last queue whose affinity holds c, else
 * c % num_queues. Topology-distance neighbours (cpu_rmap_copy_neigh) are not modelled. */
void kern_cpu_rmap_from_affinity(uint16_t *rmap, unsigned nr_cpu_ids, unsigned num_queues,
                                 const struct sim_cpumask *affinity);

/* get_rps_cpu(): the CPU whose backlog gets the packet, or -1 (no steering: the packet is
 * processed on the current CPU without a backlog, or for netif_rx queued on the current CPU).
 * queue_mapping = skb->queue_mapping as recorded (see kern_rps_rx_queue); hash = skb->hash
 * (0 = no steering). sft = the global sock flow table (NULL = RFS off); bl supplies each CPU's
 * input_queue_head. When RFS picked the CPU, *qtail is pointed at that flow's last_qtail so the
 * caller's kern_enqueue_to_backlog() saves the tail there; otherwise it is left untouched
 * (point it at a scratch word first, like the kernel's voidflow). */
int kern_get_rps_cpu(struct kern_rps_dev *dev, const struct kern_sock_flow_table *sft,
                     const struct kern_backlog *bl, uint16_t queue_mapping, uint32_t hash,
                     uint32_t **qtail);

/* Where netif_receive_skb_internal() / netif_rx_internal() put one skb (CONFIG_RPS,
 * net/core/dev.c): the CPU get_rps_cpu() picked gets it on its backlog; without one,
 * netif_rx (to_backlog) queues it on this CPU's backlog and netif_receive_skb processes
 * it here at once. dev NULL: no RPS maps on the device. The one receive-steering step
 * of the model: the simulator (rps_path.c) and validate's replay both take it. */
struct kern_rps_steer {
    int rps_cpu;                 /* get_rps_cpu()'s choice, -1 none */
    int backlog;                 /* backlog the skb was queued on, -1 none (or dropped) */
    int cpu;                     /* CPU that processes it, -1 dropped */
    enum kern_enqueue_result rc; /* of enqueue_to_backlog(), when one was tried */
};
struct kern_rps_steer kern_rps_steer_skb(struct kern_rps_dev *dev,
                                         const struct kern_sock_flow_table *sft,
                                         struct kern_backlog *bl, uint16_t queue_mapping,
                                         uint32_t hash, unsigned this_cpu, bool to_backlog);

/* rps_may_expire_flow(): true when the driver may remove aRFS filter filter_id of flow_id on
 * rxq, i.e. unless the entry still holds that filter, its CPU is valid and fewer than
 * 10 * mask packets went through that CPU's backlog since the flow's last enqueue. */
bool kern_rps_may_expire_flow(struct kern_rps_dev *dev, const struct kern_backlog *bl, unsigned rxq,
                              uint32_t flow_id, uint16_t filter_id);

#endif
