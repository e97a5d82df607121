/* Protocol delivery and socket receive queues: __netif_receive_skb_core ->
 * ip_rcv -> udp/tcp rcv -> sk_receive_queue with the sk_rmem_alloc >
 * sk_rcvbuf drop (__udp_enqueue_schedule_skb), sk_data_ready wake-ups and
 * recvmsg; net/core/dev.c, net/ipv4/udp.c, Linux 6.12. */
#include "models/kernel/kern_priv.h"
#include "sim/stats.h"

void kern_sockets_init(struct kern_host *h, unsigned n_socks, const unsigned *sock_of_flow,
                       unsigned n_flows, uint32_t rcvbuf)
{
    h->n_socks = n_socks;
    h->socks = g_new0(struct kern_sock, n_socks);
    for (unsigned s = 0; s < n_socks; s++) {
        struct kern_sock *sk = &h->socks[s];
        sk->rcvbuf = rcvbuf;
        /* rmem is checked before adding: at most rcvbuf / truesize + 1 skbs */
        sk->cap = rcvbuf / KERN_SKB_TRUESIZE + 2;
        sk->q = g_new0(struct kern_sock_ent, sk->cap);
    }
    h->n_flows = n_flows;
    h->sock_of_flow = g_memdup2(sock_of_flow, n_flows * sizeof *sock_of_flow);
}

struct kern_sock *kern_sock(struct kern_host *h, unsigned s)
{
    return &h->socks[s];
}

const struct sim_hist *kern_latency_hist(const struct kern_host *h)
{
    return &h->latency;
}

void kern_set_flow_results(struct kern_host *h, struct sim_flow_result *flows)
{
    h->flows = flows;
}

void kern_set_rps_hook(struct kern_host *h, kern_rps_hook_t hook, void *ctx)
{
    h->rps_hook = hook;
    h->rps_ctx = ctx;
}

/* sk_data_ready -> sock_def_readable -> wake_up of the blocked reader. */
static void sk_data_ready(struct kern_host *h, struct kern_sock *sk)
{
    struct cpus_thread *t = sk->reader;
    if (!t)
        return;
    sk->reader = NULL;
    kern_charge(h, h->c.wakeup);
    h->ops.wake_at(h->ops.ctx, t, h->now);
}

static void sock_queue_rcv_skb(struct kern_host *h, const struct kern_skb *skb)
{
    struct sim_flow_result *fr = h->flows && skb->flow < h->n_flows ? &h->flows[skb->flow] : NULL;
    unsigned s = skb->flow < h->n_flows ? h->sock_of_flow[skb->flow] : 0;
    struct kern_sock *sk = &h->socks[s];
    uint32_t truesize = skb->segs * 2048u + (KERN_SKB_TRUESIZE - 2048u);
    kern_charge(h, h->c.sock_enqueue);
    if (sk->rmem_alloc > sk->rcvbuf || sk->count == sk->cap) {
        sk->drops += skb->segs;
        h->sock_drops += skb->segs;
        if (fr)
            fr->drops += skb->segs;
        return;
    }
    struct kern_sock_ent *e = &sk->q[(sk->head + sk->count++) % sk->cap];
    e->ts = h->now;
    e->payload = skb->payload;
    e->truesize = truesize;
    sk->rmem_alloc += truesize;
    sk->enqueued += skb->segs;
    h->delivered += skb->segs;
    if (fr) {
        fr->delivered += skb->segs;
        fr->cpu = h->cpu;
        fr->rxq = skb->queue;
        for (unsigned i = 0; i < skb->segs; i++) {
            sim_flow_lat_add(&fr->latency, h->now - skb->ts[i]);
            sim_hist_add(&h->latency, h->now - skb->ts[i]);
        }
    }
    sk_data_ready(h, sk);
}

void kern_netif_receive_skb_core(struct kern_host *h, const struct kern_skb *skb)
{
    if (h->rps_hook && h->rps_hook(h->rps_ctx, skb, h->cpu))
        return; /* enqueue_to_backlog on the target CPU took it */
    kern_this_cpu(h)->st.processed++;
    h->stack_calls++;
    kern_charge(h, h->c.stack_skb);
    sock_queue_rcv_skb(h, skb);
}

bool kern_sock_recvmsg(struct kern_host *h, struct kern_sock *sk, uint32_t *payload)
{
    if (!sk->count || sk->q[sk->head].ts > h->now)
        return false;
    struct kern_sock_ent *e = &sk->q[sk->head];
    sk->head = (sk->head + 1) % sk->cap;
    sk->count--;
    sk->rmem_alloc -= e->truesize;
    *payload = e->payload;
    kern_charge(h, h->c.syscall + (uint64_t)e->payload * h->c.copy_ps_per_byte / 1000u);
    return true;
}

void kern_sock_wait(struct kern_host *h, struct kern_sock *sk, struct cpus_thread *t)
{
    if (sk->count) /* queued by a softirq whose batch ends later: woken then */
        h->ops.wake_at(h->ops.ctx, t, sk->q[sk->head].ts);
    else
        sk->reader = t;
}
