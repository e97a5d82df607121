/* Kernel-API shim for the model driver: the names a Linux NIC driver calls
 * (napi_schedule_irqoff, napi_complete_done, napi_gro_receive, request_irq,
 * netif_napi_add_weight, jiffies), mapped onto the simulated kernel. The only
 * departure from Linux: calls that need "the current host" take it first. */
#ifndef NICSTEER_NICDRV_KSHIM_H
#define NICSTEER_NICDRV_KSHIM_H

#include "models/kernel/kern.h"
#include "models/kernel/kversion.h" /* KERN_VERSION(): LINUX_VERSION_CODE tests */
#include "models/kernel/rps.h"
#include "models/kernel/rps_path.h"
#include "models/kernel/tx.h"
#include "models/kernel/xsk.h"
#include "sim/core/cpumask.h"

/* The driver reaches the kernel only through this file, as a Linux driver only
 * through the kernel API: every kern_* it needs has its Linux name here. */

#define sk_buff kern_skb /* the model's struct sk_buff */
#define cpumask sim_cpumask

typedef int irqreturn_t; /* include/linux/irqreturn.h */
#define IRQ_NONE    KERN_IRQ_NONE
#define IRQ_HANDLED KERN_IRQ_HANDLED
typedef irqreturn_t (*irq_handler_t)(int irq, void *data);

#define NAPI_POLL_WEIGHT   64
#define time_after(a, b)   ((long)((b) - (a)) < 0)
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))

static inline int request_irq(struct kern_host *h, unsigned irq, irq_handler_t handler,
                              unsigned long flags, const char *name, void *dev)
{
    return kern_request_irq(h, irq, handler, name, dev) ? 0 : -16 /* -EBUSY */;
}

static inline void netif_napi_add_weight(struct kern_host *h, struct napi_struct *napi,
                                         int (*poll)(struct napi_struct *, int), int weight,
                                         void *priv)
{
    kern_netif_napi_add(h, napi, poll, weight, priv);
}

static inline void napi_schedule_irqoff(struct napi_struct *n)
{
    kern_napi_schedule(n);
}

static inline bool napi_complete_done(struct napi_struct *n, int work_done)
{
    return kern_napi_complete_done(n, work_done);
}

static inline void napi_gro_receive(struct napi_struct *n, struct sk_buff *skb)
{
    kern_napi_gro_receive(n, skb);
}

/* napi_build_skb(): the skb to fill for napi_gro_receive, in place (kern_napi_build_skb). */
static inline struct sk_buff *napi_build_skb(struct napi_struct *n)
{
    return kern_napi_build_skb(n);
}

/* kshim_cpu_work(`ns`) then napi_gro_receive(), accounted as one charge. */
static inline void napi_gro_receive_after(struct napi_struct *n, struct sk_buff *skb, uint64_t ns)
{
    kern_napi_gro_receive_after(n, skb, ns);
}

/* CPU time the driver spends, charged to the running context. */
static inline void kshim_cpu_work(struct kern_host *h, uint64_t ns)
{
    kern_charge(h, ns);
}

#define jiffies_of(h) kern_jiffies(h)

/* ktime_get_ns(): the executing CPU's clock. */
static inline uint64_t ktime_get_ns(const struct kern_host *h)
{
    return kern_now(h);
}

/* What the driver's work costs on this host (the model's calibration, no Linux name). */
static inline const struct kern_cost *kshim_costs(const struct kern_host *h)
{
    return kern_costs(h);
}

/* LINUX_VERSION_CODE of the host (models/kernel/kversion.h): the driver's #if branches. */
static inline unsigned kshim_kernel_version(const struct kern_host *h)
{
    return kern_params(h)->kernel_version;
}

/* usecs_to_jiffies() at the host's CONFIG_HZ. */
static inline unsigned long usecs_to_jiffies(const struct kern_host *h, unsigned long us)
{
    return kern_usecs_to_jiffies(us, kern_params(h)->hz);
}

/* nr_cpu_ids */
static inline unsigned num_possible_cpus(const struct kern_host *h)
{
    return kern_n_cpus(h);
}

static inline void cpumask_set_cpu(unsigned cpu, struct cpumask *m)
{
    sim_cpumask_set(m, cpu);
}

/* napi_consume_skb() of a transmitted skb: the socket's wmem comes back. */
static inline void napi_consume_skb(struct kern_host *h, uint32_t cookie)
{
    kern_tx_complete(h, cookie);
}

/* register_netdev(): the device's ndo_start_xmit and real_num_tx_queues. */
static inline bool register_netdev_tx(struct kern_host *h, unsigned dev, unsigned num_tx_queues,
                                      kern_ndo_start_xmit xmit, void *drv, GError **err)
{
    return kern_tx_register(h, dev, num_tx_queues, xmit, drv, err);
}

/* netif_set_xps_queue() for every TX queue (one CPU mask each). */
static inline bool netif_set_xps_queues(struct kern_host *h, unsigned dev,
                                        const struct cpumask *masks, GError **err)
{
    return kern_tx_set_xps(h, dev, masks, NULL, 0, err);
}

/* CONFIG_RFS_ACCEL needs RPS flow tables on the device (dev->_rx[].rps_flow_table). */
static inline bool netdev_has_rps(struct kern_host *h, unsigned dev)
{
    return kern_rps_dev_of(h, dev) != NULL;
}

/* irq_cpu_rmap_add() for each RX queue's IRQ affinity: rmap[cpu] = nearest queue. */
static inline void irq_cpu_rmap_add_all(uint16_t *rmap, unsigned nr_cpu_ids, unsigned num_queues,
                                        const struct cpumask *affinity)
{
    kern_cpu_rmap_from_affinity(rmap, nr_cpu_ids, num_queues, affinity);
}

/* netif_enable_cpu_rmap() + ndo_rx_flow_steer (NETIF_F_NTUPLE). */
static inline bool netif_enable_cpu_rmap(struct kern_host *h, unsigned dev, const uint16_t *rmap,
                                         kern_ndo_rx_flow_steer_skb fn, void *drv)
{
    return kern_rps_set_accel(h, dev, rmap, fn, drv);
}

/* rps_may_expire_flow(dev, rxq, flow_id, filter_id), net/core/dev.c */
static inline bool rps_may_expire_flow(struct kern_host *h, unsigned dev, unsigned rxq,
                                       uint32_t flow_id, uint16_t filter_id)
{
    return kern_rps_may_expire(h, dev, rxq, flow_id, filter_id);
}

/* ---- XDP (include/linux/filter.h, net/core/filter.c) ---- */
#define bpf_prog     kern_xdp_prog
#define xdp_frame    kern_xdp_frame
#define XDP_ABORTED  KERN_XDP_ABORTED
#define XDP_DROP     KERN_XDP_DROP
#define XDP_PASS     KERN_XDP_PASS
#define XDP_TX       KERN_XDP_TX
#define XDP_REDIRECT KERN_XDP_REDIRECT

/* bpf_prog_run_xdp(prog, &xdp): the verdict (the model's xdp_buff is the frame's flow). */
static inline unsigned bpf_prog_run_xdp(struct kern_host *h, const struct bpf_prog *prog,
                                        uint32_t flow)
{
    return kern_bpf_prog_run_xdp(h, prog, flow);
}

/* xdp_do_redirect(dev, &xdp, prog): where the program's bpf_redirect_map() pointed. */
static inline int xdp_do_redirect(struct kern_host *h, const struct xdp_frame *xdp)
{
    return kern_xdp_do_redirect(h, xdp);
}

/* xdp_do_flush(): after the RX loop, publish what xdp_do_redirect queued. */
static inline void xdp_do_flush(struct kern_host *h)
{
    kern_xdp_do_flush(h);
}

/* smp_processor_id(): ixgbe_determine_xdp_ring() picks the XDP TX ring by it. */
static inline unsigned smp_processor_id(const struct kern_host *h)
{
    return kern_smp_processor_id(h);
}

/* The host's timeline observer slots (no Linux name: the model's tracepoints), at an
 * address stable for the host's lifetime, so the driver tests a slot without a call. */
static inline const struct kern_observer *kshim_observer(const struct kern_host *h)
{
    return kern_observer_slots(h);
}

/* The timeline's RX ring-fill counter: descriptor `ring` of device `dev` cleaned now, no
 * earlier than the NIC wrote it back; nothing but a test when no timeline is recorded. */
static inline void kshim_trace_rx_ring_cleaned(const struct kern_observer *obs,
                                               const struct kern_host *h, unsigned dev,
                                               unsigned ring, uint64_t written_back)
{
    if (G_UNLIKELY(obs->counter)) {
        uint64_t now = kern_now(h);
        obs->counter(obs->ctx, KERN_CTR_RX_RING, dev << 16 | ring,
                     written_back > now ? written_back : now, -1);
    }
}

#endif
