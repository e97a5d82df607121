/* skb_attempt_defer_free() (net/core/skbuff.c, 5.19+): an skb freed on a CPU other than the
 * one that built it (skb->alloc_cpu) goes on that CPU's sd->defer_list; the free that finds
 * sysctl_skb_defer_max / 2 queued kicks the alloc CPU (smp_call_function_single_async of
 * sd->defer_csd = trigger_rx_softirq, once until that runs: defer_ipi_scheduled); the alloc
 * CPU's next net_rx_action() empties the list (skb_defer_free_flush). The list state alone,
 * shared by run (skb_defer.c) and validate (softirq_model.c). */
#ifndef NICSTEER_KERN_SKB_DEFER_H
#define NICSTEER_KERN_SKB_DEFER_H

#include <stdbool.h>
#include <stdint.h>

#define KERN_SKB_DEFER_MAX 64 /* net.core.skb_defer_max default (net/core/hotdata.c) */

struct kern_skb_defer {
    uint32_t count;     /* sd->defer_count */
    bool ipi_scheduled; /* sd->defer_ipi_scheduled: trigger_rx_softirq queued, not yet run */
    bool kicked;        /* the list reached defer_max / 2: the next flush is the priced one */
};

enum kern_defer_res {
    KERN_DEFER_LOCAL,  /* freed on the freeing CPU (nodefer: local, list full, pre-5.19) */
    KERN_DEFER_QUEUED, /* on the alloc CPU's list */
    KERN_DEFER_KICK,   /* queued, and the alloc CPU's trigger_rx_softirq csd is to be sent */
};

/* The alloc CPU's list d takes an skb freed on another CPU (remote) or not, on release
 * kernel_version (kversion.h). */
enum kern_defer_res kern_skb_defer_queue(struct kern_skb_defer *d, unsigned kernel_version,
                                         bool remote);
/* A trigger_rx_softirq csd was queued to d's CPU (what validate reads in a trace). */
void kern_skb_defer_kicked(struct kern_skb_defer *d);
/* skb_defer_free_flush() at the start of net_rx_action(): empties the list; true when the
 * flush is the one a kick asked for (priced skb_defer_flush: the defer_max / 2 skbs). */
bool kern_skb_defer_flush(struct kern_skb_defer *d);

#endif
