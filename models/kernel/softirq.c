/* Softirq pending bits, handle_softirqs() (__do_softirq) with its
 * MAX_SOFTIRQ_TIME / MAX_SOFTIRQ_RESTART limits and the ksoftirqd hand-off;
 * mirrors kernel/softirq.c, Linux 6.12. */
#include "models/kernel/kern_priv.h"

unsigned long kern_usecs_to_jiffies(unsigned long us, unsigned hz)
{
    /* _usecs_to_jiffies rounds up */
    return (unsigned long)(((uint64_t)us * hz + 999999u) / 1000000u);
}

unsigned long kern_max_softirq_time(unsigned hz)
{
    /* MAX_SOFTIRQ_TIME = msecs_to_jiffies(2), rounding up */
    return (unsigned long)((2ull * hz + 999u) / 1000u);
}

void kern_raise_softirq_irqoff(struct kern_host *h, unsigned nr)
{
    kern_this_cpu(h)->softirq_pending |= 1u << nr;
}

uint32_t kern_softirq_pending(const struct kern_host *h, unsigned cpu)
{
    return h->cpus[cpu].softirq_pending;
}

/* wakeup_softirqd() */
static void wakeup_softirqd(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    if (cpus_wake(h->sched, k->ksoftirqd))
        h->ops.kick_cpu(h->ops.ctx, h->cpu, h->now);
}

/* restart: set_softirq_pending(0), then run what was pending. */
static void softirq_pass(struct kern_host *h, struct kern_cpu *k)
{
    k->ds_run = k->softirq_pending;
    k->softirq_pending = 0;
    kern_charge(h, h->c.softirq_pass);
}

void kern_do_softirq_begin(struct kern_host *h, bool ksoftirqd)
{
    struct kern_cpu *k = kern_this_cpu(h);
    k->ds_active = true;
    k->ds_ksoftirqd = ksoftirqd;
    k->ds_end = kern_jiffies(h) + kern_max_softirq_time(h->p.hz);
    k->ds_restart = KERN_MAX_SOFTIRQ_RESTART;
    k->ctx = KERN_SOFT;
    k->in_ksoftirqd = ksoftirqd;
    softirq_pass(h, k);
}

/* One step of handle_softirqs(): one NAPI poll, or the end-of-pass check. */
void kern_do_softirq_step(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    if (k->ds_run & (1u << NET_RX_SOFTIRQ)) {
        if (!k->rx_active)
            kern_net_rx_action_begin(h);
        if (kern_net_rx_action_step(h))
            k->ds_run &= ~(1u << NET_RX_SOFTIRQ);
        return;
    }
    k->ds_run = 0; /* no other vector has a model: they cost nothing */
    if (k->softirq_pending) {
        if (kern_jiffies(h) < k->ds_end && !cpus_need_resched(h->sched, h->cpu, h->now) &&
            --k->ds_restart) {
            softirq_pass(h, k);
            return;
        }
        if (!k->ds_ksoftirqd)
            k->st.softirq_restarts_exhausted++;
        wakeup_softirqd(h);
    }
    k->ds_active = false;
}

/* run_ksoftirqd(): one handle_softirqs() per loop, cond_resched() between. */
bool kern_run_ksoftirqd(struct cpus_thread *t, void *arg)
{
    struct kern_host *h = arg;
    if (!kern_this_cpu(h)->softirq_pending)
        return false; /* smpboot thread sleeps until woken */
    kern_do_softirq_begin(h, true);
    kern_do_softirq_step(h);
    return true;
}
