/* XDP verdicts and AF_XDP sockets: bpf_prog_run_xdp (include/linux/filter.h),
 * xdp_do_redirect / xdp_do_flush (net/core/filter.c), the XSKMAP (kernel/bpf/xskmap.c)
 * and xsk_rcv / xsk_flush with the RX and fill rings (net/xdp/xsk.c, xsk_queue.h). */
#include "models/kernel/xsk.h"

#include <errno.h>

#include "models/kernel/kern_priv.h"
#include "sim/core/err.h"

struct xsk_ent {
    uint64_t ts;  /* NIC arrival */
    uint64_t vis; /* published (xsk_flush), UINT64_MAX while only reserved */
    uint32_t flow, len;
    uint16_t queue;
};

struct kern_xsk {
    struct kern_host *h;
    bool zc;
    unsigned entries;
    struct xsk_ent *ring; /* RX ring: cons <= pub <= prod, prod - cons <= entries */
    uint64_t cons, pub, prod;
    unsigned fill;       /* frames in the fill ring (2 * entries of them) */
    unsigned app_frames; /* UMEM frames the application holds, not in any ring */
    bool on_flush_list;  /* __xsk_map_redirect: list_add(&xs->flush_node, flush_list) */
    struct kern_xsk *flush_next;
    struct cpus_thread *reader; /* blocked in poll() */
    struct kern_xsk_stats st;
};

struct kern_xsk_map {
    struct kern_xsk *xs;
    unsigned n;
    struct kern_xsk *flush_list;
};

enum kern_xdp_action kern_bpf_prog_run_xdp(struct kern_host *h, const struct kern_xdp_prog *prog,
                                           uint32_t flow)
{
    kern_charge_inl(h, h->c.bpf_prog_run_xdp);
    /* the share of the flows whose (Fibonacci) hash lands in the first match_permille of
     * 2^32: a program matching a header field selects a fixed share of the flows */
    uint32_t hash = flow * 2654435761u;
    if ((uint64_t)hash * 1000u >= (uint64_t)prog->match_permille << 32)
        return KERN_XDP_PASS;
    return prog->act;
}

bool kern_xsk_map_init(struct kern_host *h, unsigned n_queues, unsigned entries, bool zc,
                       GError **err)
{
    if (h->xsk || !n_queues || !entries || (entries & (entries - 1)))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "xsk: %u sockets of %u entries (a power of two; once per host)", n_queues,
                        entries);
    struct kern_xsk_map *m = g_new0(struct kern_xsk_map, 1);
    m->n = n_queues;
    m->xs = g_new0(struct kern_xsk, n_queues);
    for (unsigned q = 0; q < n_queues; q++) {
        struct kern_xsk *xs = &m->xs[q];
        xs->h = h;
        xs->zc = zc;
        xs->entries = entries;
        xs->ring = g_new0(struct xsk_ent, entries);
        xs->fill = 2 * entries; /* every UMEM frame in the fill ring at start */
        xs->app_frames = 0;
    }
    h->xsk = m;
    return true;
}

void kern_xsk_map_free(struct kern_host *h)
{
    struct kern_xsk_map *m = h->xsk;
    if (!m)
        return;
    for (unsigned q = 0; q < m->n; q++)
        g_free(m->xs[q].ring);
    g_free(m->xs);
    g_free(m);
    h->xsk = NULL;
}

struct kern_xsk *kern_xsk_of_queue(struct kern_host *h, unsigned queue)
{
    return h->xsk && queue < h->xsk->n ? &h->xsk->xs[queue] : NULL;
}

unsigned kern_xsk_count(const struct kern_host *h)
{
    return h->xsk ? h->xsk->n : 0;
}

static struct sim_flow_result *flow_of(struct kern_host *h, uint32_t flow)
{
    return h->flows && flow < h->n_flows ? &h->flows[flow] : NULL;
}

static int xsk_drop(struct kern_host *h, uint32_t flow, uint64_t *counter, int err)
{
    (*counter)++;
    struct sim_flow_result *fr = flow_of(h, flow);
    if (fr)
        fr->drops++;
    return err;
}

int kern_xdp_do_redirect(struct kern_host *h, const struct kern_xdp_frame *f)
{
    /* bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS): no socket there */
    struct kern_xsk *xs = kern_xsk_of_queue(h, f->queue);
    if (!xs)
        return -EINVAL;
    kern_charge_inl(h, h->c.xsk_rcv_zc);
    if (!xs->fill) /* xsk_buff_alloc() / the ZC refill finds the fill ring empty */
        return xsk_drop(h, f->flow, &xs->st.rx_fill_ring_empty, -ENOMEM);
    if (xs->prod - xs->cons == xs->entries) /* xskq_prod_reserve_desc(): ring full */
        return xsk_drop(h, f->flow, &xs->st.rx_ring_full, -ENOSPC);
    if (!xs->zc) { /* __xsk_rcv(): memcpy of the frame into the fill ring's UMEM frame */
        kern_charge_inl(h, (uint64_t)f->len * h->c.xsk_copy_ps_per_byte / 1000u);
        xs->st.copied_bytes += f->len;
    }
    xs->fill--;
    struct xsk_ent *e = &xs->ring[xs->prod++ & (xs->entries - 1)];
    e->ts = f->ts;
    e->vis = UINT64_MAX;
    e->flow = f->flow;
    e->len = f->len;
    e->queue = f->queue;
    if (!xs->on_flush_list) {
        xs->on_flush_list = true;
        xs->flush_next = h->xsk->flush_list;
        h->xsk->flush_list = xs;
    }
    return 0;
}

/* xsk_flush(): xskq_prod_submit(xs->rx) + xs->sk.sk_data_ready (sock_def_readable). */
static void xsk_flush(struct kern_host *h, struct kern_xsk *xs)
{
    for (; xs->pub < xs->prod; xs->pub++) {
        struct xsk_ent *e = &xs->ring[xs->pub & (xs->entries - 1)];
        e->vis = h->now;
        xs->st.rx++;
        h->delivered++;
        sim_hist_add(&h->latency, h->now - e->ts);
        struct sim_flow_result *fr = flow_of(h, e->flow);
        if (fr) {
            fr->delivered++;
            fr->cpu = h->cpu;
            fr->rxq = e->queue;
            sim_flow_lat_add(&fr->latency, h->now - e->ts);
        }
    }
    struct cpus_thread *t = xs->reader;
    if (t) {
        xs->reader = NULL;
        xs->st.wakeups++;
        kern_wake_up(h, t);
    }
}

void kern_xdp_do_flush(struct kern_host *h)
{
    if (!h->xsk || !h->xsk->flush_list)
        return;
    kern_charge_inl(h, h->c.xdp_do_flush);
    struct kern_xsk *xs = h->xsk->flush_list;
    h->xsk->flush_list = NULL;
    while (xs) {
        struct kern_xsk *next = xs->flush_next;
        xs->on_flush_list = false;
        xs->flush_next = NULL;
        xsk_flush(h, xs);
        xs = next;
    }
}

const struct kern_xsk_stats *kern_xsk_stats(const struct kern_xsk *xs)
{
    return &xs->st;
}

unsigned kern_xsk_rx_pending(const struct kern_xsk *xs)
{
    return (unsigned)(xs->prod - xs->pub);
}

unsigned kern_xsk_rx_ready(const struct kern_xsk *xs)
{
    return (unsigned)(xs->pub - xs->cons);
}

unsigned kern_xsk_fill_count(const struct kern_xsk *xs)
{
    return xs->fill;
}

bool kern_xsk_recv(struct kern_host *h, struct kern_xsk *xs, struct kern_xdp_frame *out)
{
    if (xs->cons == xs->pub)
        return false;
    const struct xsk_ent *e = &xs->ring[xs->cons & (xs->entries - 1)];
    if (e->vis > h->now) /* published by a poll whose batch ends later */
        return false;
    out->ts = e->ts;
    out->flow = e->flow;
    out->len = e->len;
    out->queue = e->queue;
    xs->cons++;
    xs->st.read++;
    kern_charge_user(h, h->c.xsk_user_desc);
    /* the frame back: xsk_ring_prod__reserve/submit of the fill ring, as many as it takes */
    xs->app_frames++;
    unsigned room = 2 * xs->entries - xs->fill;
    unsigned give = MIN(room, xs->app_frames);
    xs->fill += give;
    xs->app_frames -= give;
    return true;
}

void kern_xsk_wait(struct kern_host *h, struct kern_xsk *xs, struct cpus_thread *t)
{
    if (xs->cons != xs->pub) /* published by a batch that ends later: woken then */
        h->ops.wake_at(h->ops.ctx, t, xs->ring[xs->cons & (xs->entries - 1)].vis);
    else
        xs->reader = t;
}
