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
    struct kern_cpu *k = kern_this_cpu(h);
    /* a hardirq raising NET_RX starts the softirq start-latency clock at its MSI arrival
     * (the real hardirq preempts at once; the model runs it at the end of a chunk) */
    if (nr == NET_RX_SOFTIRQ && k->ctx == KERN_IRQ && !k->net_rx_raised_at)
        k->net_rx_raised_at = k->hardirq_at ? k->hardirq_at : h->now;
    else if (nr == NET_RX_SOFTIRQ && k->in_net_rx_action && !k->net_rx_reraised_at)
        k->net_rx_reraised_at = h->now;
    k->softirq_pending |= 1u << nr;
    if (G_UNLIKELY(h->obs.softirq_raise)) /* trace_softirq_raise() */
        h->obs.softirq_raise(h->obs.ctx, h->cpu, nr, h->now, k->ctx == KERN_IRQ);
}

void kern_raise_softirq_work(struct kern_host *h, unsigned nr, uint64_t ns)
{
    struct kern_cpu *k = kern_this_cpu(h);
    if (nr >= NR_SOFTIRQS || nr == NET_RX_SOFTIRQ)
        return;
    k->vec_work[nr] += ns;
    k->softirq_pending |= 1u << nr;
}

const struct sim_hist *kern_softirq_start_hist(const struct kern_host *h)
{
    return &h->softirq_start;
}

const struct sim_hist *kern_softirq_resume_hist(const struct kern_host *h)
{
    return &h->softirq_resume;
}

/* net_rx_action() is about to start: close the latency sample of the raising hardirq. */
static void net_rx_started(struct kern_host *h, struct kern_cpu *k)
{
    if (G_UNLIKELY(h->obs.softirq_entry)) /* trace_softirq_entry() */
        h->obs.softirq_entry(h->obs.ctx, h->cpu, NET_RX_SOFTIRQ, h->now);
    if (k->net_rx_reraised_at && h->now >= k->net_rx_reraised_at && h->now < h->end_ns)
        sim_hist_add(&h->softirq_resume, h->now - k->net_rx_reraised_at);
    k->net_rx_reraised_at = 0;
    if (!k->net_rx_raised_at)
        return;
    if (h->now >= k->net_rx_raised_at && h->now < h->end_ns)
        sim_hist_add(&h->softirq_start, h->now - k->net_rx_raised_at);
    k->net_rx_raised_at = 0;
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
    /* handle_softirqs(): kstat_incr_softirqs_this_cpu() for each pending vector it runs */
    for (uint32_t run = k->ds_run; run; run &= run - 1)
        k->st.softirqs[__builtin_ctz(run)]++;
    if (k->ds_run) /* the pass is charged to its first vector (timeline label) */
        k->cur_vec = (unsigned)__builtin_ctz(k->ds_run);
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

/* One step of handle_softirqs(): vectors in bit order (lowest first); one NAPI poll of
 * NET_RX, or one other vector's queued work, or the end-of-pass check. */
void kern_do_softirq_step(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    while (k->ds_run) {
        unsigned nr = (unsigned)__builtin_ctz(k->ds_run);
        k->cur_vec = nr;
        if (nr == NET_RX_SOFTIRQ) {
            if (!k->rx_active) {
                net_rx_started(h, k);
                kern_net_rx_jitter_begin(h);
                kern_net_rx_action_begin(h);
            }
            if (kern_net_rx_action_step(h)) {
                kern_net_rx_jitter_end(h);
                k->ds_run &= ~(1u << NET_RX_SOFTIRQ);
            }
            return;
        }
        k->ds_run &= ~(1u << nr);
        if (k->vec_work[nr]) { /* another device's softirq action (blk_done_softirq ...) */
            uint64_t w = k->vec_work[nr];
            k->vec_work[nr] = 0;
            kern_charge(h, w);
            return;
        }
    }
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
