/* Cross-CPU calls of the simulated kernel: the CAL IPI shared by RPS and remote
 * wake-ups (kernel/smp.c __flush_smp_call_function_queue) and the RES IPI
 * (resched_curr -> smp_send_reschedule, kernel/sched/core.c), Linux 6.12. */
#include "models/kernel/smp.h"

#include "models/kernel/kern_priv.h"

void kern_smp_set_rps_fn(struct kern_host *h, void (*fn)(void *ctx), void *ctx)
{
    h->csd_rps_fn = fn;
    h->csd_rps_ctx = ctx;
}

/* generic_smp_call_function_single_interrupt(): drain this CPU's call_single_queue;
 * the entry/exit is the hardirq cost do_irq charges around it. */
int kern_smp_call_function_interrupt(int irq, void *data)
{
    struct kern_host *h = data;
    struct kern_cpu *k = kern_this_cpu(h);
    uint32_t csd = k->csd_pending;
    (void)irq;
    k->csd_pending = 0;
    /* sched_ttwu_pending(): rq lock, ttwu_do_activate, check_preempt for the wake list */
    if (csd & KERN_CSD_TTWU)
        kern_charge(h, h->c.ttwu_pending);
    if (csd & KERN_CSD_DEFER)
        kern_skb_defer_trigger_rx_softirq(h);
    if ((csd & KERN_CSD_RPS) && h->csd_rps_fn)
        h->csd_rps_fn(h->csd_rps_ctx);
    return KERN_IRQ_HANDLED;
}

/* scheduler_ipi(): nothing but the entry/exit; need_resched is acted on at irq exit. */
int kern_smp_reschedule_interrupt(int irq, void *data)
{
    (void)irq;
    (void)data;
    return KERN_IRQ_HANDLED;
}

void kern_smp_call_function_single(struct kern_host *h, unsigned cpu, unsigned csd, uint64_t at)
{
    h->cpus[cpu].csd_pending |= csd;
    kern_irq_deliver(h, cpu, KERN_IRQ_CAL, at);
}

bool kern_smp_call_single_queue(struct kern_host *h, unsigned cpu, unsigned csd, uint64_t at)
{
    /* if (llist_add(node, &per_cpu(call_single_queue, cpu))) send_call_function_single_ipi() */
    if (h->cpus[cpu].csd_pending) {
        h->cpus[cpu].csd_pending |= csd;
        return false;
    }
    kern_smp_call_function_single(h, cpu, csd, at);
    return true;
}

uint64_t kern_ttwu_queue(struct kern_host *h, unsigned cpu, int waker_cpu, bool queued,
                         bool preempt, bool idle, uint64_t at)
{
    /* ttwu_queue_cond(): our own CPU activates under its own rq lock, no IPI */
    if (waker_cpu < 0 || (unsigned)waker_cpu == cpu)
        return at;
    /* send_call_function_single_ipi() / smp_send_reschedule() to a CPU in a C-state:
     * it runs nothing until the exit latency has passed */
    uint64_t run = idle ? at + h->c.idle_exit_ns : at;
    if (queued) { /* ttwu_queue_wakelist(): sched_ttwu_pending runs in the target's IPI */
        h->wake_ipis++;
        h->cpus[cpu].csd_pending |= KERN_CSD_TTWU;
        kern_irq_raise(h, cpu, KERN_IRQ_CAL, run);
    } else if (preempt) { /* ttwu_do_activate -> wakeup_preempt -> resched_curr() */
        h->wake_ipis++;
        kern_irq_raise(h, cpu, KERN_IRQ_RES, run);
    }
    return run;
}

uint64_t kern_wake_ipis(const struct kern_host *h)
{
    return h->wake_ipis;
}
