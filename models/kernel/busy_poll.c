/* Busy polling from a thread: napi_busy_loop() / busy_poll_stop() with prefer_busy_poll
 * (net/core/dev.c, Linux 6.12) — the poller owns the NAPI, so the queue's interrupt
 * stays masked and no NET_RX softirq runs for it (the AF_XDP / DPDK-like setup). */
#include "models/kernel/kern_priv.h"

int kern_napi_busy_poll(struct napi_struct *n)
{
    struct kern_host *h = n->host;
    /* napi_busy_loop(): test_and_set_bit(NAPI_STATE_SCHED) fails while the IRQ path
     * has it scheduled; then only softirq polls it */
    if ((n->state & NAPI_STATE_SCHED) && !(n->state & NAPI_STATE_IN_BUSY_POLL))
        return -1;
    n->state |= NAPI_STATE_SCHED | NAPI_STATE_IN_BUSY_POLL;
    uint64_t from = h->now;
    kern_charge(h, h->c.napi_poll);
    int work = n->poll(n, KERN_BUSY_POLL_BUDGET);
    if (G_UNLIKELY(h->obs.napi_poll)) /* trace event napi:napi_poll, from the thread */
        h->obs.napi_poll(h->obs.ctx, h->cpu, n, from, h->now, work);
    n->polls++;
    h->poll_hist[work < 64 ? work : 64]++;
    kern_gro_flush(n, false);
    kern_gro_normal_list(n);
    return work;
}

/* local_bh_enable() after the bh-disabled section: pending softirqs run here, inline. */
static void local_bh_enable(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    if (k->softirq_pending && !k->ds_active)
        kern_do_softirq_begin(h, false);
}

void kern_napi_busy_poll_stop(struct napi_struct *n)
{
    struct kern_host *h = n->host;
    if (!(n->state & NAPI_STATE_IN_BUSY_POLL))
        return;
    n->state &= ~(NAPI_STATE_IN_BUSY_POLL | NAPI_STATE_SCHED);
    n->defer_hard_irqs_count = h->p.napi_defer_hard_irqs;
    uint64_t timeout =
        h->p.irq_suspend_timeout_ns ? h->p.irq_suspend_timeout_ns : h->p.gro_flush_timeout_ns;
    if (n->defer_hard_irqs_count && timeout) {
        kern_napi_timer_start(h, n, timeout); /* skip_schedule: IRQ stays masked */
        return;
    }
    kern_napi_schedule(n); /* __napi_schedule: softirq completes it, IRQ back on */
    local_bh_enable(h);
}

void kern_napi_resume_irqs(struct napi_struct *n)
{
    if (!n->host->p.irq_suspend_timeout_ns || (n->state & NAPI_STATE_SCHED))
        return;
    kern_napi_schedule(n);
    local_bh_enable(n->host);
}
