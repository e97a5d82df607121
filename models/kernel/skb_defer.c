/* Deferred skb freeing: skb_attempt_defer_free() / kick_defer_list_purge() /
 * trigger_rx_softirq() (net/core/skbuff.c, net/core/dev.c) and skb_defer_free_flush() in
 * net_rx_action(), from 5.19 (commit "net: generalize skb freeing deferral to per-cpu
 * lists"; the 5.19 boundary is not verified against a tagged tree). */
#include "models/kernel/skb_defer.h"

#include "models/kernel/kern_priv.h"
#include "models/kernel/kversion.h"
#include "models/kernel/smp.h"

enum kern_defer_res kern_skb_defer_queue(struct kern_skb_defer *d, unsigned kernel_version,
                                         bool remote)
{
    /* cpu == raw_smp_processor_id() or the list holds defer_max: nodefer */
    if (kernel_version < KERN_VERSION(5, 19) || !remote || d->count >= KERN_SKB_DEFER_MAX)
        return KERN_DEFER_LOCAL;
    /* "Send an IPI every time queue reaches half capacity": compared before the increment,
     * so the free finding defer_max / 2 queued (the 33rd) kicks */
    bool kick = d->count++ == KERN_SKB_DEFER_MAX / 2;
    if (!kick)
        return KERN_DEFER_QUEUED;
    d->kicked = true;
    if (d->ipi_scheduled) /* cmpxchg(&sd->defer_ipi_scheduled, 0, 1) failed: one is out */
        return KERN_DEFER_QUEUED;
    d->ipi_scheduled = true;
    return KERN_DEFER_KICK;
}

void kern_skb_defer_kicked(struct kern_skb_defer *d)
{
    d->kicked = true;
}

bool kern_skb_defer_flush(struct kern_skb_defer *d)
{
    bool priced = d->kicked;
    d->count = 0;
    d->kicked = false;
    return priced;
}

/* Freed in recvmsg on this CPU: deferred to the CPU that built the skb; a kick queues
 * trigger_rx_softirq there (an IPI when its call_single_queue was empty). */
void kern_skb_attempt_defer_free(struct kern_host *h, unsigned alloc_cpu)
{
    if (alloc_cpu >= h->n_cpus)
        return;
    struct kern_skb_defer *d = &h->cpus[alloc_cpu].defer;
    if (kern_skb_defer_queue(d, h->p.kernel_version, alloc_cpu != h->cpu) != KERN_DEFER_KICK)
        return;
    bool ipi = kern_smp_call_single_queue(h, alloc_cpu, KERN_CSD_DEFER, h->now);
    kern_charge(h, ipi ? h->c.ipi_send : h->c.csd_enqueue);
}

/* trigger_rx_softirq(): __raise_softirq_irqoff(NET_RX_SOFTIRQ); defer_ipi_scheduled = 0 */
void kern_skb_defer_trigger_rx_softirq(struct kern_host *h)
{
    kern_this_cpu(h)->defer.ipi_scheduled = false;
    kern_raise_softirq_irqoff(h, NET_RX_SOFTIRQ);
}

void kern_skb_defer_free_flush(struct kern_host *h)
{
    if (kern_skb_defer_flush(&kern_this_cpu(h)->defer))
        kern_charge(h, h->c.skb_defer_flush);
}
