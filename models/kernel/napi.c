/* NAPI scheduling and the NET_RX softirq: ____napi_schedule,
 * napi_complete_done, __napi_poll and net_rx_action with netdev_budget,
 * netdev_budget_usecs and time_squeeze; mirrors net/core/dev.c, Linux 6.12. */
#include <string.h>

#include "models/kernel/kern_priv.h"
#include "models/kernel/rps_path.h"
#include "models/kernel/smp.h"

static void list_add_tail(struct kern_napi_list *l, struct napi_struct *n)
{
    n->poll_next = NULL;
    n->on_list = true;
    if (l->tail)
        l->tail->poll_next = n;
    else
        l->head = n;
    l->tail = n;
}

static struct napi_struct *list_pop(struct kern_napi_list *l)
{
    struct napi_struct *n = l->head;
    if (!n)
        return NULL;
    l->head = n->poll_next;
    if (!l->head)
        l->tail = NULL;
    n->poll_next = NULL;
    n->on_list = false; /* list_del_init */
    return n;
}

/* list_splice_tail_init(from, to) */
static void list_splice_tail_init(struct kern_napi_list *from, struct kern_napi_list *to)
{
    if (!from->head)
        return;
    if (to->tail)
        to->tail->poll_next = from->head;
    else
        to->head = from->head;
    to->tail = from->tail;
    from->head = from->tail = NULL;
}

void kern_netif_napi_add(struct kern_host *h, struct napi_struct *n,
                         int (*poll)(struct napi_struct *, int), int weight, void *priv)
{
    memset(n, 0, sizeof *n);
    n->poll = poll;
    n->weight = weight;
    n->priv = priv;
    n->host = h;
    n->gro_enabled = true;
    n->id = ++h->napi_ids;
    n->timer_at = UINT64_MAX; /* hrtimer_init(&napi->timer) */
}

/* ____napi_schedule(): onto this CPU's poll_list; NET_RX is raised unless
 * net_rx_action is running here and will pick it up. */
static void ____napi_schedule(struct kern_host *h, struct napi_struct *n)
{
    struct kern_cpu *k = kern_this_cpu(h);
    list_add_tail(&k->poll_list, n);
    if (!k->in_net_rx_action)
        kern_raise_softirq_irqoff(h, NET_RX_SOFTIRQ);
}

/* napi_schedule_irqoff() = napi_schedule_prep() + __napi_schedule_irqoff() */
void kern_napi_schedule(struct napi_struct *n)
{
    if (n->state & NAPI_STATE_SCHED) {
        n->state |= NAPI_STATE_MISSED; /* napi_schedule_prep */
        return;
    }
    n->state |= NAPI_STATE_SCHED;
    ____napi_schedule(n->host, n);
}

static void timer_unlink(struct kern_host *h, struct napi_struct *n)
{
    struct napi_struct **pp = &h->cpus[n->timer_cpu].timers;
    while (*pp != n)
        pp = &(*pp)->timer_next;
    *pp = n->timer_next;
    n->timer_next = NULL;
    n->timer_at = UINT64_MAX;
}

/* hrtimer_start(&n->timer, timeout, HRTIMER_MODE_REL_PINNED): (re)armed on this CPU. */
void kern_napi_timer_start(struct kern_host *h, struct napi_struct *n, uint64_t timeout)
{
    if (n->timer_at != UINT64_MAX)
        timer_unlink(h, n);
    struct kern_cpu *k = kern_this_cpu(h);
    n->timer_at = h->now + timeout;
    n->timer_cpu = h->cpu;
    n->timer_next = k->timers;
    k->timers = n;
    if (h->ops.timer_at)
        h->ops.timer_at(h->ops.ctx, h->cpu, n->timer_at);
}

/* napi_watchdog(): schedule the NAPI unless something else has (a relaxed
 * napi_schedule_prep that does not set MISSED: no device IRQ to remember). */
static void napi_watchdog(struct kern_host *h, struct napi_struct *n)
{
    if (n->state & NAPI_STATE_SCHED)
        return;
    n->watchdog_fires++;
    n->state |= NAPI_STATE_SCHED;
    ____napi_schedule(h, n); /* __napi_schedule_irqoff */
}

/* hrtimer_interrupt() on this CPU: run every expired NAPI timer. */
int kern_hrtimer_interrupt(int irq, void *data)
{
    (void)irq;
    struct kern_host *h = data;
    struct napi_struct **pp = &kern_this_cpu(h)->timers;
    while (*pp) {
        struct napi_struct *n = *pp;
        if (n->timer_at > h->now) {
            pp = &n->timer_next;
            continue;
        }
        timer_unlink(h, n);
        napi_watchdog(h, n);
    }
    return KERN_IRQ_HANDLED;
}

void kern_hrtimer_expire(struct kern_host *h, unsigned cpu, uint64_t at)
{
    for (const struct napi_struct *n = h->cpus[cpu].timers; n; n = n->timer_next)
        if (n->timer_at <= at) {
            kern_irq_deliver(h, cpu, KERN_IRQ_HRTIMER, at);
            return;
        }
}

/* napi_complete_done(): a poll that did work reloads defer_hard_irqs_count from
 * napi_defer_hard_irqs; while it is > 0 each completion takes one and, with a
 * gro_flush_timeout, arms n->timer and returns false (the driver leaves its IRQ
 * masked). So the IRQ comes back only after napi_defer_hard_irqs polls in a row
 * found nothing. gro_flush_timeout alone also arms the timer after work, to flush
 * held GRO packets, but lets the IRQ be re-enabled. */
bool kern_napi_complete_done(struct napi_struct *n, int work_done)
{
    struct kern_host *h = n->host;
    if (n->state & NAPI_STATE_IN_BUSY_POLL)
        return false; /* the busy poller keeps it: IRQ stays masked */
    bool ret = true;
    uint64_t timeout = 0;
    if (work_done) {
        if (n->gro_count)
            timeout = h->p.gro_flush_timeout_ns; /* n->gro_bitmask */
        n->defer_hard_irqs_count = h->p.napi_defer_hard_irqs;
    }
    if (n->defer_hard_irqs_count > 0) {
        n->defer_hard_irqs_count--;
        timeout = h->p.gro_flush_timeout_ns;
        if (timeout)
            ret = false;
    }
    kern_gro_flush(n, timeout != 0); /* napi_gro_flush(n, !!timeout) */
    kern_gro_normal_list(n);
    if (n->state & NAPI_STATE_MISSED) {
        n->state = NAPI_STATE_SCHED; /* MISSED -> SCHED, then __napi_schedule */
        ____napi_schedule(h, n);
        return false;
    }
    n->state = 0;
    if (timeout)
        kern_napi_timer_start(h, n, timeout);
    return ret;
}

/* napi_poll() + __napi_poll(): one poll of up to `weight`; a full-weight
 * poll flushes old GRO packets and goes to the repoll list. */
static int napi_poll(struct kern_host *h, struct napi_struct *n, struct kern_napi_list *repoll)
{
    int weight = n->weight, work = 0;
    h->poll_from = h->now;
    h->poll_reported = 0;
    kern_charge(h, h->c.napi_poll);
    if (n->state & NAPI_STATE_SCHED)
        work = n->poll(n, weight);
    if (G_UNLIKELY(h->obs.napi_poll))
        h->obs.napi_poll(h->obs.ctx, h->cpu, n, h->poll_from, h->now, work - h->poll_reported);
    n->polls++;
    h->poll_hist[work < 64 ? work : 64]++;
    if (work < weight)
        return work;
    /* Flush too old packets. If HZ < 1000, flush all packets */
    kern_gro_flush(n, h->p.hz >= 1000);
    kern_gro_normal_list(n);
    if (n->on_list)
        return work; /* rescheduled meanwhile: already queued */
    list_add_tail(repoll, n);
    return work;
}

/* In the kernel the backlog found empty ends process_backlog() (the NAPI completes) and the
 * sender's next IPI polls it again: the observer gets the two polls, the idle wait between. */
void kern_napi_poll_split(struct kern_host *h, const struct napi_struct *n, int work, uint64_t at)
{
    if (!h->obs.napi_poll)
        return;
    if (h->now > h->poll_from) {
        h->obs.napi_poll(h->obs.ctx, h->cpu, n, h->poll_from, h->now, work - h->poll_reported);
        h->poll_reported = work;
    }
    h->poll_from = at;
}

static void rx_start(struct kern_cpu *k)
{
    k->in_net_rx_action = true;
    list_splice_tail_init(&k->poll_list, &k->rx_list);
}

void kern_net_rx_action_begin(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    kern_charge(h, h->c.net_rx_action);
    kern_skb_defer_free_flush(h); /* net_rx_action: skb_defer_free_flush(sd) first */
    k->rx_active = true;
    k->rx_budget = h->p.netdev_budget;
    k->rx_limit = kern_jiffies(h) + kern_usecs_to_jiffies(h->p.netdev_budget_usecs, h->p.hz);
    k->rx_repoll.head = k->rx_repoll.tail = NULL;
    rx_start(k);
}

/* End of net_rx_action: leftovers, new arrivals, then the repoll list go
 * back on poll_list; a non-empty list re-raises NET_RX. */
static void rx_finish(struct kern_host *h, struct kern_cpu *k)
{
    struct kern_napi_list list = k->rx_list;
    k->rx_list.head = k->rx_list.tail = NULL;
    list_splice_tail_init(&k->poll_list, &list);
    list_splice_tail_init(&k->rx_repoll, &list);
    k->poll_list = list;
    for (struct napi_struct *n = list.head; n; n = n->poll_next)
        n->on_list = true;
    if (list.head)
        kern_raise_softirq_irqoff(h, NET_RX_SOFTIRQ);
    else
        k->in_net_rx_action = false;
    k->rx_active = false;
    kern_net_rps_action(h); /* net_rps_action_and_irq_enable(): RPS IPIs */
}

bool kern_net_rx_punt(int budget_left, unsigned long jiffies, unsigned long time_limit)
{
    /* "If softirq window is exhausted then punt." (net_rx_action, net/core/dev.c) */
    return budget_left <= 0 || (long)(jiffies - time_limit) >= 0;
}

bool kern_net_rx_action_step(struct kern_host *h)
{
    struct kern_cpu *k = kern_this_cpu(h);
    for (;;) {
        if (!k->rx_list.head) {
            if (!k->rx_repoll.head) {
                k->in_net_rx_action = false;
                if (k->poll_list.head) {
                    rx_start(k); /* goto start */
                    continue;
                }
                if (!kern_rps_ipi_waiting(h)) {
                    k->rx_active = false; /* goto end */
                    return true;
                }
                k->in_net_rx_action = true; /* break: the tail sends the IPIs */
            }
            rx_finish(h, k);
            return true;
        }
        struct napi_struct *n = list_pop(&k->rx_list);
        k->rx_budget -= napi_poll(h, n, &k->rx_repoll);
        /* If softirq window is exhausted then punt. */
        if (kern_net_rx_punt(k->rx_budget, kern_jiffies(h), k->rx_limit)) {
            k->st.time_squeeze++;
            rx_finish(h, k);
            return true;
        }
        return false;
    }
}
