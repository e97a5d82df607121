/* RPS/RFS in the receive path: mirrors netif_receive_skb_list_internal's
 * get_rps_cpu + enqueue_to_backlog, napi_schedule_rps, process_backlog,
 * net_rps_action_and_irq_enable and rps_trigger_softirq (net/core/dev.c), and
 * sock_rps_record_flow (include/net/rps.h), Linux 6.12. */
#include "models/kernel/rps_path.h"

#include <stddef.h>
#include <string.h>

#include "models/kernel/backlog.h"
#include "models/kernel/kern_priv.h"
#include "models/kernel/rfs.h"
#include "models/kernel/smp.h"
#include "sim/core/err.h"

/* sd->input_pkt_queue + sd->process_queue of one CPU: the skbs themselves, in
 * order (the library keeps the counters); grows by doubling, never per packet
 * once warm. */
struct backlog_fifo {
    struct kern_skb *q;
    uint64_t *visible; /* ns: enqueue time on the sender's clock */
    unsigned cap, head, count;
};

/* dev->netdev_ops->ndo_rx_flow_steer with the skb set_rps_cpu() is steering. */
struct rps_accel {
    struct kern_rps_path *r;
    kern_ndo_rx_flow_steer_skb fn;
    void *drv;
};

struct kern_rps_path {
    struct kern_host *h;
    const struct kern_skb *cur_skb; /* skb inside get_rps_cpu (for ndo_rx_flow_steer) */
    struct rps_accel accel[KERN_MAX_NETDEVS];
    struct kern_rps_params p;
    struct kern_backlog *bl;
    struct kern_sock_flow_table *sft;
    struct kern_rps_dev *dev[KERN_MAX_NETDEVS];
    struct napi_struct *backlog; /* per CPU: sd->backlog */
    struct backlog_fifo *fifo;   /* per CPU */
    int *ipi_head;               /* per CPU: sd->rps_ipi_list (CPU index, -1 end) */
    int *ipi_next;               /* per CPU: sd->rps_ipi_next */
    uint64_t drops, ipis;
};

void kern_rps_params_defaults(struct kern_rps_params *p)
{
    memset(p, 0, sizeof *p);
    p->netdev_max_backlog = 1000;
    p->dev_weight = KERN_DEV_WEIGHT;
    p->flow_limit_table_len = 4096;
}

static void fifo_push(struct backlog_fifo *f, const struct kern_skb *skb, uint64_t now)
{
    if (f->count == f->cap) {
        unsigned ncap = f->cap ? f->cap * 2 : 64;
        struct kern_skb *nq = g_new(struct kern_skb, ncap);
        uint64_t *nv = g_new(uint64_t, ncap);
        for (unsigned i = 0; i < f->count; i++) {
            nq[i] = f->q[(f->head + i) % f->cap];
            nv[i] = f->visible[(f->head + i) % f->cap];
        }
        g_free(f->q);
        g_free(f->visible);
        f->q = nq;
        f->visible = nv;
        f->cap = ncap;
        f->head = 0;
    }
    unsigned slot = (f->head + f->count++) % f->cap;
    memcpy(&f->q[slot], skb, offsetof(struct kern_skb, ts) + skb->segs * sizeof skb->ts[0]);
    f->visible[slot] = now;
}

/* The backlog of `cpu` grew or shrank by one at `at` (timeline counter). */
static inline void fifo_observe(struct kern_host *h, unsigned cpu, uint64_t at, int delta)
{
    if (G_UNLIKELY(h->obs.counter))
        h->obs.counter(h->obs.ctx, KERN_CTR_BACKLOG, cpu, at, delta);
}

/* process_backlog(): up to quota skbs through __netif_receive_skb; the
 * backlog NAPI completes inline when both queues are empty; 6.10+ advances
 * input_queue_head once, at the end of the poll. */
static int process_backlog(struct napi_struct *napi, int quota)
{
    struct kern_host *h = napi->host;
    struct kern_rps_path *r = napi->priv;
    unsigned cpu = h->cpu;
    struct backlog_fifo *f = &r->fifo[cpu];
    int work = 0;
    napi->weight = r->p.dev_weight;
    while (work < quota) {
        if (!kern_backlog_dequeue(r->bl, cpu)) {
            napi->state = 0; /* napi->state &= NAPIF_STATE_THREADED */
            break;
        }
        struct kern_skb *skb = &f->q[f->head];
        /* Enqueued by a CPU whose chunk ends later: wait for it. */
        if (f->visible[f->head] > h->now) {
            kern_napi_poll_split(h, napi, work, f->visible[f->head]);
            h->now = f->visible[f->head];
        }
        f->head = (f->head + 1) % f->cap;
        f->count--;
        fifo_observe(h, cpu, h->now, -1);
        kern___netif_receive_skb(h, skb);
        work++;
    }
    if (work)
        kern_backlog_poll_done(r->bl, cpu, (unsigned)work);
    return work;
}

/* rps_trigger_softirq(): the csd callback the CAL IPI runs on the target CPU. */
static void rps_trigger_softirq(void *data)
{
    struct kern_rps_path *r = data;
    struct kern_host *h = r->h;
    kern_charge(h, h->c.ipi_handler);
    kern_napi_schedule(&r->backlog[h->cpu]);
    kern_backlog_received_rps(r->bl, h->cpu);
    kern_this_cpu(h)->st.received_rps++;
}

bool kern_rps_enable(struct kern_host *h, const struct kern_rps_params *p, GError **err)
{
    if (h->rps)
        return true;
    struct kern_rps_path *r = g_new0(struct kern_rps_path, 1);
    r->h = h;
    r->p = *p;
    if (p->dev_weight < 1) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "net.core.dev_weight: %d: expected a value >= 1", p->dev_weight);
        goto fail;
    }
    r->bl = kern_backlog_new(h->n_cpus, p->netdev_max_backlog, p->flow_limit_table_len,
                             &p->flow_limit_cpus, err);
    if (!r->bl || !kern_sock_flow_table_create(p->rps_sock_flow_entries, h->n_cpus, &r->sft, err))
        goto fail;
    kern_backlog_set_kernel(r->bl, kern_params(h)->kernel_version);
    r->backlog = g_new0(struct napi_struct, h->n_cpus);
    r->fifo = g_new0(struct backlog_fifo, h->n_cpus);
    r->ipi_head = g_new(int, h->n_cpus);
    r->ipi_next = g_new(int, h->n_cpus);
    for (unsigned c = 0; c < h->n_cpus; c++) {
        /* backlog_napi_init(): the "(no_device)" NAPI, gro off */
        kern_netif_napi_add(h, &r->backlog[c], process_backlog, p->dev_weight, r);
        r->backlog[c].gro_enabled = false;
        r->backlog[c].name = "(no_device)";
        r->ipi_head[c] = r->ipi_next[c] = -1;
    }
    kern_smp_set_rps_fn(h, rps_trigger_softirq, r);
    h->rps = r;
    return true;
fail:
    kern_rps_free(r);
    return false;
}

bool kern_rps_enabled(const struct kern_host *h)
{
    return h->rps != NULL;
}

void kern_rps_free(struct kern_rps_path *r)
{
    if (!r)
        return;
    for (unsigned d = 0; d < KERN_MAX_NETDEVS; d++)
        kern_rps_dev_free(r->dev[d]);
    if (r->fifo)
        for (unsigned c = 0; c < r->h->n_cpus; c++) {
            g_free(r->fifo[c].q);
            g_free(r->fifo[c].visible);
        }
    g_free(r->fifo);
    g_free(r->backlog);
    g_free(r->ipi_head);
    g_free(r->ipi_next);
    kern_sock_flow_table_free(r->sft);
    kern_backlog_free(r->bl);
    g_free(r);
}

bool kern_rps_add_dev(struct kern_host *h, unsigned dev, unsigned num_rx_queues, GError **err)
{
    struct kern_rps_path *r = h->rps;
    if (!r || dev >= KERN_MAX_NETDEVS || r->dev[dev]) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "RPS: device %u: not available", dev);
        return false;
    }
    struct sim_cpumask online;
    sim_cpumask_fill(&online, h->n_cpus);
    r->dev[dev] = kern_rps_dev_new(num_rx_queues, h->n_cpus, &online, err);
    return r->dev[dev] != NULL;
}

struct kern_rps_dev *kern_rps_dev_of(struct kern_host *h, unsigned dev)
{
    return h->rps && dev < KERN_MAX_NETDEVS ? h->rps->dev[dev] : NULL;
}

const struct kern_backlog *kern_rps_backlog(const struct kern_host *h)
{
    return h->rps ? h->rps->bl : NULL;
}

const struct kern_sock_flow_table *kern_rps_sock_flow_table(const struct kern_host *h)
{
    return h->rps ? h->rps->sft : NULL;
}

bool kern_rps_set_queue(struct kern_host *h, unsigned dev, unsigned rxq,
                        const struct sim_cpumask *rps_cpus, uint64_t rps_flow_cnt, GError **err)
{
    struct kern_rps_dev *d = kern_rps_dev_of(h, dev);
    if (!d) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "RPS: device %u not registered", dev);
        return false;
    }
    if (rps_cpus && !kern_rps_dev_set_rps_cpus(d, rxq, rps_cpus, err))
        return false;
    struct kern_rps_dev_flow_table *t;
    if (!kern_rps_dev_flow_table_create(rps_flow_cnt, &t, err))
        return false;
    kern_rps_dev_set_flow_table(d, rxq, t);
    return true;
}

/* napi_schedule_rps(): a remote backlog goes on this CPU's rps_ipi_list (IPI
 * at the end of net_rx_action), the local one straight on the poll_list. */
static void napi_schedule_rps(struct kern_rps_path *r, unsigned cpu)
{
    struct kern_host *h = r->h;
    unsigned me = h->cpu;
    if (cpu != me) {
        r->ipi_next[cpu] = r->ipi_head[me];
        r->ipi_head[me] = (int)cpu;
        if (!kern_this_cpu(h)->in_net_rx_action)
            kern_raise_softirq_irqoff(h, NET_RX_SOFTIRQ);
        return;
    }
    kern_napi_schedule(&r->backlog[cpu]);
}

bool kern_rps_receive(struct kern_host *h, const struct kern_skb *skb)
{
    struct kern_rps_path *r = h->rps;
    struct kern_rps_dev *d = skb->dev < KERN_MAX_NETDEVS ? r->dev[skb->dev] : NULL;
    if (!d)
        return false;
    r->cur_skb = skb;
    /* skb_record_rx_queue stored rx queue + 1 */
    struct kern_rps_steer s =
        kern_rps_steer_skb(d, r->sft, r->bl, (uint16_t)(skb->queue + 1), skb->hash, h->cpu, false);
    if (s.rps_cpu < 0)
        return false;
    unsigned cpu = (unsigned)s.rps_cpu;
    kern_charge(h, h->c.rps_enqueue);
    switch (s.rc) {
    case KERN_ENQUEUE_OK_SCHEDULE:
        fifo_push(&r->fifo[cpu], skb, h->now);
        fifo_observe(h, cpu, h->now, 1);
        napi_schedule_rps(r, cpu);
        break;
    case KERN_ENQUEUE_OK:
        fifo_push(&r->fifo[cpu], skb, h->now);
        fifo_observe(h, cpu, h->now, 1);
        break;
    default: /* backlog full or flow limit: softnet dropped++ on the target */
        h->cpus[cpu].st.dropped++;
        r->drops += skb->segs;
        if (h->flows && skb->flow < h->n_flows)
            h->flows[skb->flow].drops += skb->segs;
        break;
    }
    return true;
}

static int accel_steer(void *ctx, uint32_t hash, uint16_t rxq_index, uint32_t flow_id)
{
    struct rps_accel *a = ctx;
    (void)hash;
    return a->r->cur_skb ? a->fn(a->drv, a->r->cur_skb, rxq_index, flow_id) : -1;
}

bool kern_rps_set_accel(struct kern_host *h, unsigned dev, const uint16_t *rx_cpu_rmap,
                        kern_ndo_rx_flow_steer_skb fn, void *drv)
{
    struct kern_rps_dev *d = kern_rps_dev_of(h, dev);
    if (!d)
        return false;
    struct rps_accel *a = &h->rps->accel[dev];
    *a = (struct rps_accel){.r = h->rps, .fn = fn, .drv = drv};
    kern_rps_dev_set_accel(d, fn ? rx_cpu_rmap : NULL, fn ? accel_steer : NULL, a);
    return true;
}

bool kern_rps_may_expire(struct kern_host *h, unsigned dev, unsigned rxq, uint32_t flow_id,
                         uint16_t filter_id)
{
    struct kern_rps_dev *d = kern_rps_dev_of(h, dev);
    return !d || kern_rps_may_expire_flow(d, h->rps->bl, rxq, flow_id, filter_id);
}

bool kern_rps_ipi_waiting(const struct kern_host *h)
{
    return h->rps && h->rps->ipi_head[h->cpu] >= 0;
}

void kern_net_rps_action(struct kern_host *h)
{
    struct kern_rps_path *r = h->rps;
    if (!r)
        return;
    unsigned me = h->cpu;
    int cpu = r->ipi_head[me];
    r->ipi_head[me] = -1;
    while (cpu >= 0) {
        int next = r->ipi_next[cpu];
        r->ipi_next[cpu] = -1;
        /* net_rps_send_ipi() -> smp_call_function_single_async(): an ICR write on the sender,
         * unless the target's call_single_queue already holds an entry (no IPI then) */
        if (kern_smp_call_single_queue(h, (unsigned)cpu, KERN_CSD_RPS, h->now)) {
            kern_charge(h, h->c.ipi_send);
            r->ipis++;
        } else {
            kern_charge(h, h->c.csd_enqueue);
        }
        cpu = next;
    }
}

void kern_sock_rps_record_flow(struct kern_host *h, const struct kern_sock *sk)
{
    if (!h->rps || !h->rps->sft)
        return;
    /* TCP_ESTABLISHED only: TCP and connected UDP; an unconnected UDP socket never records. */
    if (sk->l4 == IPPROTO_TCP || (sk->l4 == IPPROTO_UDP && h->rps->p.udp_connected))
        kern_rps_record_flow(h->rps->sft, sk->rxhash, h->cpu);
}

void kern_rps_softnet(const struct kern_host *h, unsigned cpu, struct kern_rps_softnet *out)
{
    memset(out, 0, sizeof *out);
    if (!h->rps)
        return;
    const struct kern_softnet_counters *c = kern_backlog_counters(h->rps->bl, cpu);
    out->dropped = c->dropped;
    out->flow_limit_count = c->flow_limit_count;
    out->input_qlen = kern_backlog_input_qlen(h->rps->bl, cpu);
    out->process_qlen = kern_backlog_qlen(h->rps->bl, cpu) - out->input_qlen;
}

uint64_t kern_rps_drops(const struct kern_host *h)
{
    return h->rps ? h->rps->drops : 0;
}

uint64_t kern_rps_ipis(const struct kern_host *h)
{
    return h->rps ? h->rps->ipis : 0;
}
