/* Per-CPU execution contexts: hardirq (do_IRQ -> handler -> irq_exit,
 * kernel/irq/, kernel/softirq.c irq_exit_rcu/invoke_softirq), softirq, and
 * threads picked by schedule(). Linux 6.12. */
#include <string.h>

#include "models/kernel/kern_priv.h"
#include "models/kernel/kversion.h"
#include "models/kernel/rps_path.h"
#include "models/kernel/smp.h"
#include "models/kernel/tx.h"
#include "models/kernel/xsk.h"

void kern_params_defaults(struct kern_params *p)
{
    p->kernel_version = KERN_VERSION_DEFAULT;
    p->hz = 1000;
    p->netdev_budget = 300;
    p->netdev_budget_usecs = 2 * 1000000 / p->hz; /* 2 * USEC_PER_SEC / HZ */
    p->gro_normal_batch = 8;
    p->rmem_default = 212992;
    p->seed = 0;
    p->sched_slice_ns = 3000000; /* sysctl_sched_base_slice 0.75 ms x (1 + ilog2(8)) */
    p->napi_defer_hard_irqs = 0; /* register_netdevice: no deferral, no GRO flush timer */
    p->gro_flush_timeout_ns = 0;
    p->irq_suspend_timeout_ns = 0;
}

struct kern_host *kern_host_new(unsigned n_cpus, const struct kern_params *p,
                                const struct kern_cost *c, const struct kern_ops *ops)
{
    struct kern_host *h = g_new0(struct kern_host, 1);
    h->n_cpus = n_cpus;
    h->p = *p;
    h->c = *c;
    h->ops = *ops;
    h->end_ns = UINT64_MAX;
    h->cpus = g_new0(struct kern_cpu, n_cpus);
    sim_hist_init(&h->latency);
    sim_hist_init(&h->softirq_start);
    sim_hist_init(&h->softirq_resume);
    h->sched = cpus_new(n_cpus, p->sched_slice_ns);
    kern_net_rx_jitter_init(h);
    /* the two IPI vectors every SMP kernel has (arch/x86 smp_call_function / reschedule) */
    kern_request_irq(h, KERN_IRQ_CAL, kern_smp_call_function_interrupt, "CAL", h);
    kern_request_irq(h, KERN_IRQ_RES, kern_smp_reschedule_interrupt, "RES", h);
    kern_request_irq(h, KERN_IRQ_HRTIMER, kern_hrtimer_interrupt, "hrtimer", h);
    for (unsigned i = 0; i < n_cpus; i++) {
        char name[24];
        g_snprintf(name, sizeof name, "ksoftirqd/%u", i);
        h->cpus[i].ksoftirqd = cpus_thread_new(h->sched, name, i, kern_run_ksoftirqd, h);
        h->cpus[i].ksoftirqd->is_ksoftirqd = true;
        h->cpus[i].iv_end = UINT64_MAX;     /* no intervals: kern_account's fast path */
        h->cpus[i].tick_since = UINT64_MAX; /* boots idle, tick stopped */
    }
    return h;
}

void kern_host_free(struct kern_host *h)
{
    if (!h)
        return;
    for (unsigned i = 0; i < KERN_MAX_IRQS; i++)
        g_free(h->irq[i].count);
    g_free(h->socks);
    g_free(h->skb_pool);
    g_free(h->sock_of_flow);
    g_free(h->flow_seq_hi);
    g_free(h->flow_seq_seen);
    kern_rps_free(h->rps);
    kern_tx_free(h->tx);
    kern_xsk_map_free(h);
    g_free(h->stream);
    cpus_free(h->sched);
    g_free(h->cpus);
    g_free(h->iv_snap);
    sim_hist_clear(&h->latency);
    sim_hist_clear(&h->softirq_start);
    sim_hist_clear(&h->softirq_resume);
    g_free(h);
}

uint64_t kern_now(const struct kern_host *h)
{
    return h->now;
}

unsigned kern_smp_processor_id(const struct kern_host *h)
{
    return h->cpu;
}

unsigned long kern_jiffies(const struct kern_host *h)
{
    return (unsigned long)(h->now / (1000000000ull / h->p.hz));
}

const struct kern_cost *kern_costs(const struct kern_host *h)
{
    return &h->c;
}

const struct kern_params *kern_params(const struct kern_host *h)
{
    return &h->p;
}

struct cpus_sched *kern_sched(struct kern_host *h)
{
    return h->sched;
}

void kern_set_end(struct kern_host *h, uint64_t end_ns)
{
    h->end_ns = end_ns;
}

void kern_set_intervals(struct kern_host *h, uint64_t step_ns)
{
    g_clear_pointer(&h->iv_snap, g_free);
    h->iv_step_ns = step_ns;
    /* boundaries strictly inside [0, end): the last interval ends at the end itself */
    uint64_t n = step_ns && h->end_ns != UINT64_MAX && h->end_ns ? (h->end_ns - 1) / step_ns : 0;
    h->iv_n = (unsigned)MIN(n, (uint64_t)G_MAXUINT / KERN_IV_COLS / MAX(h->n_cpus, 1));
    if (h->iv_n)
        h->iv_snap = g_new0(uint64_t, (size_t)h->n_cpus * h->iv_n * KERN_IV_COLS);
    for (unsigned i = 0; i < h->n_cpus; i++) {
        h->cpus[i].iv_done = 0;
        h->cpus[i].iv_end = h->iv_n ? step_ns : UINT64_MAX;
    }
}

/* Close every boundary of CPU `cpu` before `b`: the cumulative accounting there (what it
 * is now, plus the part of the charge [a, b) of `what` that lies before the boundary). */
static void iv_close(struct kern_host *h, unsigned cpu, int what, uint64_t a, uint64_t b)
{
    struct kern_cpu *k = &h->cpus[cpu];
    while (k->iv_end < b) {
        uint64_t *row = &h->iv_snap[((size_t)cpu * h->iv_n + k->iv_done) * KERN_IV_COLS];
        memcpy(row, k->st.acct, sizeof k->st.acct);
        row[KERN_NACCT] = k->st.ksoftirqd_ns;
        if (what >= 0 && a < k->iv_end) {
            row[what] += k->iv_end - a;
            if (what == KERN_SOFT && k->in_ksoftirqd)
                row[KERN_NACCT] += k->iv_end - a;
        }
        k->iv_done++;
        k->iv_end = k->iv_done < h->iv_n ? (uint64_t)(k->iv_done + 1) * h->iv_step_ns : UINT64_MAX;
    }
}

unsigned kern_intervals(struct kern_host *h, unsigned cpu, const uint64_t **rows)
{
    iv_close(h, cpu, -1, 0, UINT64_MAX); /* idle up to the end: nothing more accounted */
    *rows = h->iv_snap ? &h->iv_snap[(size_t)cpu * h->iv_n * KERN_IV_COLS] : NULL;
    return h->iv_n;
}

void kern_set_observer(struct kern_host *h, const struct kern_observer *obs)
{
    h->obs = *obs;
}

const struct kern_observer *kern_observer_slots(const struct kern_host *h)
{
    return &h->obs;
}

/* What /proc/softirqs calls the vectors (kernel/softirq.c softirq_to_name). */
static const char *const softirq_name[NR_SOFTIRQS] = {
    "HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"};

void kern_observe_slice(struct kern_host *h, struct kern_cpu *k, enum kern_acct what, uint64_t a,
                        uint64_t b)
{
    struct kern_slice s = {.cpu = h->cpu, .what = what, .from = a, .to = b};
    if (what == KERN_IRQ) {
        s.label = h->irq[k->cur_irq].name;
    } else if (what == KERN_SOFT && !k->ds_active && k->in_ksoftirqd) {
        s.label = "ksoftirqd"; /* its own thread code: switch, refill */
    } else if (what == KERN_SOFT) {
        s.label = softirq_name[k->cur_vec];
        s.ksoftirqd = k->in_ksoftirqd;
    } else {
        struct cpus_thread *t = cpus_current(h->sched, h->cpu);
        s.label = t ? t->name : "idle";
    }
    h->obs.slice(h->obs.ctx, &s);
}

void kern_account_slow(struct kern_host *h, enum kern_acct what, uint64_t ns)
{
    struct kern_cpu *k = kern_this_cpu(h);
    uint64_t a = h->now, b = h->now + ns;
    if (b > h->end_ns)
        b = h->end_ns;
    if (b > a) {
        if (b > k->iv_end)
            iv_close(h, h->cpu, (int)what, a, b);
        k->st.acct[what] += b - a;
        if (what == KERN_SOFT && k->in_ksoftirqd)
            k->st.ksoftirqd_ns += b - a;
        if (h->obs.slice)
            kern_observe_slice(h, k, what, a, b);
    }
    h->now += ns;
}

void kern_charge(struct kern_host *h, uint64_t ns)
{
    kern_account(h, kern_this_cpu(h)->ctx, ns);
}

void kern_charge_user(struct kern_host *h, uint64_t ns)
{
    kern_account(h, KERN_USR, ns);
}

bool kern_request_irq(struct kern_host *h, unsigned irq, kern_irq_handler_t handler,
                      const char *name, void *dev)
{
    if (irq >= KERN_MAX_IRQS || h->irq[irq].handler)
        return false; /* -EBUSY */
    h->irq[irq].handler = handler;
    h->irq[irq].dev = dev;
    g_strlcpy(h->irq[irq].name, name, sizeof h->irq[irq].name);
    h->irq[irq].count = g_new0(uint64_t, h->n_cpus);
    return true;
}

void kern_irq_raise(struct kern_host *h, unsigned cpu, unsigned irq, uint64_t at)
{
    if (!(h->cpus[cpu].irq_pending & (1ull << irq)))
        h->cpus[cpu].irq_at[irq] = at;
    h->cpus[cpu].irq_pending |= 1ull << irq;
    h->ops.kick_cpu(h->ops.ctx, cpu, at);
}

void kern_irq_deliver(struct kern_host *h, unsigned cpu, unsigned irq, uint64_t at)
{
    /* Any interrupt (device MSI-X, RPS or wake-up IPI) that finds the CPU in mwait runs
     * its handler only after the C-state's exit_latency (intel_idle cpuidle_state) */
    if (h->ops.cpu_idle && h->ops.cpu_idle(h->ops.ctx, cpu))
        at += h->c.idle_exit_ns;
    kern_irq_raise(h, cpu, irq, at);
}

uint64_t kern_irq_unhandled(const struct kern_host *h, unsigned irq)
{
    return irq < KERN_MAX_IRQS ? h->irq[irq].unhandled : 0;
}

uint64_t kern_irq_count(const struct kern_host *h, unsigned irq, unsigned cpu)
{
    return h->irq[irq].count ? h->irq[irq].count[cpu] : 0;
}

const char *kern_irq_name(const struct kern_host *h, unsigned irq)
{
    return h->irq[irq].handler ? h->irq[irq].name : NULL;
}

/* common_interrupt -> handle_irq_event -> irq_exit: the handler runs with
 * the entry/exit cost split around it. */
static void do_irq(struct kern_host *h, struct kern_cpu *k)
{
    unsigned irq = (unsigned)__builtin_ctzll(k->irq_pending);
    k->irq_pending &= ~(1ull << irq);
    k->hardirq_at = k->irq_at[irq];
    k->cur_irq = irq;
    enum kern_acct saved = k->ctx;
    bool saved_ksoftirqd = k->in_ksoftirqd;
    k->ctx = KERN_IRQ;
    k->in_ksoftirqd = false;
    kern_charge(h, h->c.hardirq / 2);
    k->st.irqs++;
    h->irq[irq].count[h->cpu]++;
    if (h->irq[irq].handler((int)irq, h->irq[irq].dev) == KERN_IRQ_NONE)
        h->irq[irq].unhandled++;
    kern_charge(h, h->c.hardirq - h->c.hardirq / 2);
    k->ctx = saved;
    k->in_ksoftirqd = saved_ksoftirqd;
    k->irq_exit = true;
}

/* irq_exit_rcu -> invoke_softirq(): run pending softirqs inline unless the
 * interrupt hit softirq context (in_interrupt()). 6.12 runs them inline even
 * when ksoftirqd is awake (the 4.9-era deferral is gone). */
static void irq_exit(struct kern_host *h, struct kern_cpu *k)
{
    k->irq_exit = false;
    if (!k->ds_active && k->softirq_pending)
        kern_do_softirq_begin(h, false);
}

/* Jiffy boundaries k * TICK_NSEC (k >= 1) in [a, b): the ticks tick_sched_timer takes
 * while the tick runs, the hrtimer forwarded to tick_next_period on restart. */
static uint64_t ticks_between(const struct kern_host *h, uint64_t a, uint64_t b)
{
    uint64_t period = 1000000000ull / h->p.hz; /* TICK_NSEC, as kern_jiffies() */
    b = MIN(b, h->end_ns);
    a = MAX(a, 1);
    return b > a ? (b - 1) / period - (a - 1) / period : 0;
}

/* tick_nohz_idle_exit() -> tick_nohz_restart_sched_tick(): a task is current again. */
static void tick_restart(struct kern_host *h, struct kern_cpu *k)
{
    if (k->tick_since == UINT64_MAX)
        k->tick_since = h->now;
}

/* do_idle() -> tick_nohz_idle_enter() / tick_nohz_idle_stop_tick(). */
static void tick_stop(struct kern_host *h, struct kern_cpu *k)
{
    if (k->tick_since != UINT64_MAX)
        k->st.ticks += ticks_between(h, k->tick_since, h->now);
    k->tick_since = UINT64_MAX;
}

uint64_t kern_local_timer_irqs(const struct kern_host *h, unsigned cpu)
{
    const struct kern_cpu *k = &h->cpus[cpu];
    uint64_t open = k->tick_since != UINT64_MAX ? ticks_between(h, k->tick_since, UINT64_MAX) : 0;
    return k->st.ticks + open;
}

uint64_t kern_cpu_step(struct kern_host *h, unsigned cpu, uint64_t now)
{
    h->now = now;
    h->cpu = cpu;
    struct kern_cpu *k = &h->cpus[cpu];
    /* Zero-cost configurations must still let time move on. */
    for (unsigned spins = 0;; spins++) {
        if (h->now > now)
            return h->now;
        if (spins > 1000)
            kern_charge(h, 1);
        if (k->irq_pending) {
            do_irq(h, k);
            continue;
        }
        if (k->irq_exit)
            irq_exit(h, k);
        if (k->ds_active && !k->ds_ksoftirqd) {
            k->ctx = KERN_SOFT;
            k->in_ksoftirqd = false;
            kern_do_softirq_step(h);
            continue;
        }
        struct cpus_thread *t = cpus_current(h->sched, cpu);
        if (t && t->is_ksoftirqd && k->ds_active) { /* softirqs are not preempted */
            k->ctx = KERN_SOFT;
            k->in_ksoftirqd = true;
            kern_do_softirq_step(h);
            continue;
        }
        if (!t || cpus_need_resched(h->sched, cpu, h->now)) {
            bool switched;
            t = cpus_schedule(h->sched, cpu, h->now, &switched);
            if (!t) {
                tick_stop(h, k);
                return h->now; /* idle */
            }
            tick_restart(h, k);
            if (switched) {
                k->st.ctx_switches++;
                k->ctx = KERN_SYS;
                k->in_ksoftirqd = false;
                kern_charge(h, h->c.ctx_switch);
                /* cache refill owed after a migration, paid by the thread's own code */
                uint64_t pen = cpus_take_penalty(h->sched, t);
                t->run_ns += pen;
                kern_account(h, t->is_ksoftirqd ? KERN_SOFT : KERN_USR, pen);
                continue;
            }
        }
        tick_restart(h, k); /* a task current that no schedule() here picked */
        k->in_ksoftirqd = t->is_ksoftirqd;
        k->ctx = t->is_ksoftirqd ? KERN_SOFT : KERN_SYS;
        uint64_t t0 = h->now;
        bool runs = t->step(t, t->arg);
        t->run_ns += h->now - t0;
        if (!runs)
            cpus_block_at(h->sched, cpu, h->now);
    }
}

const struct kern_cpu_stats *kern_cpu_stats(const struct kern_host *h, unsigned cpu)
{
    return &h->cpus[cpu].st;
}

uint64_t kern_stack_calls(const struct kern_host *h)
{
    return h->stack_calls;
}

uint64_t kern_delivered(const struct kern_host *h)
{
    return h->delivered;
}

uint64_t kern_sock_drops(const struct kern_host *h)
{
    return h->sock_drops;
}

const uint64_t *kern_napi_poll_hist(const struct kern_host *h)
{
    return h->poll_hist;
}
