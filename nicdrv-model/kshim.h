/* Kernel-API shim for the model driver: the names a Linux NIC driver calls
 * (napi_schedule_irqoff, napi_complete_done, napi_gro_receive, request_irq,
 * netif_napi_add_weight, jiffies), mapped onto the simulated kernel. The only
 * departure from Linux: calls that need "the current host" take it first. */
#ifndef NICSTEER_NICDRV_KSHIM_H
#define NICSTEER_NICDRV_KSHIM_H

#include "models/kernel/kern.h"

#define sk_buff kern_skb /* the model's struct sk_buff */

typedef enum { IRQ_NONE, IRQ_HANDLED } irqreturn_t;
typedef void (*irq_handler_t)(int irq, void *data);

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

/* CPU time the driver spends, charged to the running context. */
static inline void kshim_cpu_work(struct kern_host *h, uint64_t ns)
{
    kern_charge(h, ns);
}

#define jiffies_of(h) kern_jiffies(h)

#endif
