/* RPS/RFS in the simulated receive path: get_rps_cpu + enqueue_to_backlog from
 * netif_receive_skb, the per-CPU backlog NAPI (process_backlog), RPS IPIs sent
 * by net_rps_action_and_irq_enable and sock_rps_record_flow; net/core/dev.c,
 * include/net/rps.h, Linux 6.12. The CPU choice itself is models/kernel/rps.c. */
#ifndef NICSTEER_KERN_RPS_PATH_H
#define NICSTEER_KERN_RPS_PATH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"
#include "models/kernel/rps.h"
#include "models/kernel/smp.h"
#include "sim/core/cpumask.h"

#define KERN_MAX_NETDEVS 4            /* devices whose RX queues carry RPS/RFS state */
#define KERN_IRQ_RPS_IPI KERN_IRQ_CAL /* the CALL_FUNCTION_SINGLE IPI ("CAL"), smp.h */
#define KERN_DEV_WEIGHT  64

/* net.core sysctls of the backlog and RFS (net/core/hotdata.c, sysctl_net_core.c). */
struct kern_rps_params {
    int netdev_max_backlog;             /* 1000 */
    int dev_weight;                     /* 64: weight of the backlog NAPI (dev_rx_weight) */
    unsigned flow_limit_table_len;      /* 4096, power of two */
    struct sim_cpumask flow_limit_cpus; /* flow_limit_cpu_bitmap, empty by default */
    int64_t rps_sock_flow_entries;      /* 0 = RFS off */
    bool udp_connected;                 /* UDP sockets are connect()ed (record RFS flows) */
};

void kern_rps_params_defaults(struct kern_rps_params *p);

/* Turn the RPS machinery on (the static key rps_needed): per-CPU backlog NAPIs
 * with weight dev_weight, the RPS IPI, the global sock flow table. Called
 * once before traffic; NULL + err on values the kernel rejects. */
bool kern_rps_enable(struct kern_host *h, const struct kern_rps_params *p, GError **err);
bool kern_rps_enabled(const struct kern_host *h);
/* Register device `dev` (index < KERN_MAX_NETDEVS) with num_rx_queues. */
bool kern_rps_add_dev(struct kern_host *h, unsigned dev, unsigned num_rx_queues, GError **err);
/* rx-<rxq>/rps_cpus and rx-<rxq>/rps_flow_cnt (store_rps_map, store_rps_dev_flow_table_cnt). */
bool kern_rps_set_queue(struct kern_host *h, unsigned dev, unsigned rxq,
                        const struct sim_cpumask *rps_cpus, uint64_t rps_flow_cnt, GError **err);
/* The device's steering state (borrowed; NULL if not registered): aRFS setup
 * (kern_rps_dev_set_accel) and rps_may_expire_flow go through it. */
struct kern_rps_dev *kern_rps_dev_of(struct kern_host *h, unsigned dev);
const struct kern_backlog *kern_rps_backlog(const struct kern_host *h);
/* The global rps_sock_flow_table (borrowed; NULL = RFS off). */
const struct kern_sock_flow_table *kern_rps_sock_flow_table(const struct kern_host *h);

/* aRFS (CONFIG_RFS_ACCEL): the driver's ndo_rx_flow_steer(dev, skb, rxq_index, flow_id)
 * with the skb being steered; returns the filter id (>= 0, < 0xffff) or < 0. */
typedef int (*kern_ndo_rx_flow_steer_skb)(void *drv, const struct kern_skb *skb, uint16_t rxq_index,
                                          uint32_t flow_id);
/* netif_enable_cpu_rmap + NETIF_F_NTUPLE: rx_cpu_rmap (per CPU the RX queue whose
 * IRQ is nearest, n_cpus entries) and the driver's ndo_rx_flow_steer. */
bool kern_rps_set_accel(struct kern_host *h, unsigned dev, const uint16_t *rx_cpu_rmap,
                        kern_ndo_rx_flow_steer_skb fn, void *drv);
/* rps_may_expire_flow(dev, rxq, flow_id, filter_id) */
bool kern_rps_may_expire(struct kern_host *h, unsigned dev, unsigned rxq, uint32_t flow_id,
                         uint16_t filter_id);

/* netif_receive_skb_list_internal(): true when get_rps_cpu chose a backlog
 * (the skb was enqueued or dropped there), false = process it here. */
bool kern_rps_receive(struct kern_host *h, const struct kern_skb *skb);
/* net_rps_action_and_irq_enable(): IPIs to the CPUs whose backlog this CPU
 * scheduled; sd_has_rps_ipi_waiting() for net_rx_action's early exit. */
void kern_net_rps_action(struct kern_host *h);
bool kern_rps_ipi_waiting(const struct kern_host *h);
/* sock_rps_record_flow(): the running thread uses sk on this CPU. */
void kern_sock_rps_record_flow(struct kern_host *h, const struct kern_sock *sk);
void kern_rps_free(struct kern_rps_path *r);

/* Counters for softnet_stat: backlog drops, flow_limit_count and the queue
 * lengths at the end (zero when RPS is off). */
struct kern_rps_softnet {
    uint64_t dropped, flow_limit_count;
    unsigned input_qlen, process_qlen;
};
void kern_rps_softnet(const struct kern_host *h, unsigned cpu, struct kern_rps_softnet *out);
uint64_t kern_rps_drops(const struct kern_host *h);
uint64_t kern_rps_ipis(const struct kern_host *h);

#endif
