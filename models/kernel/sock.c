/* Protocol delivery and socket receive queues: __netif_receive_skb_core ->
 * ip_rcv -> udp/tcp rcv -> sk_receive_queue with the sk_rmem_alloc >
 * sk_rcvbuf drop (__udp_enqueue_schedule_skb), sk_data_ready wake-ups and
 * recvmsg; net/core/dev.c, net/ipv4/udp.c, Linux 6.12. */
#include "models/kernel/kern_priv.h"
#include "models/kernel/rps_path.h"
#include "models/sched/cpus.h"
#include "sim/core/hist.h"
#include "sim/core/stats.h"

#define KERN_SKB_POOL_START 1024u
#define KERN_SKB_NONE       UINT32_MAX

static void pool_grow(struct kern_host *h, uint32_t cap)
{
    uint32_t old = h->pool_cap;
    h->skb_pool = g_renew(struct kern_sock_ent, h->skb_pool, cap);
    for (uint32_t i = old; i < cap; i++)
        h->skb_pool[i].next = i + 1 < cap ? i + 1 : h->pool_free;
    h->pool_free = old;
    h->pool_cap = cap;
}

/* A free skb slot (alloc_skb from the host's pool). */
static uint32_t pool_get(struct kern_host *h)
{
    if (h->pool_free == KERN_SKB_NONE)
        pool_grow(h, h->pool_cap * 2);
    uint32_t i = h->pool_free;
    h->pool_free = h->skb_pool[i].next;
    return i;
}

void kern_sockets_init(struct kern_host *h, unsigned n_socks, const unsigned *sock_of_flow,
                       unsigned n_flows, uint32_t rcvbuf)
{
    h->n_socks = n_socks;
    h->pool_free = KERN_SKB_NONE;
    h->socks = g_new0(struct kern_sock, n_socks);
    for (unsigned s = 0; s < n_socks; s++) {
        struct kern_sock *sk = &h->socks[s];
        sk->rcvbuf = rcvbuf;
        /* rmem is checked before adding: at most rcvbuf / truesize + 1 skbs */
        sk->cap = rcvbuf / KERN_SKB_TRUESIZE + 2;
        sk->head_ts = UINT64_MAX;
        sk->tx_queue = sk->rx_queue = -1;
        /* sk_txhash = net_tx_rndhash(): random per socket; a fixed mix of its index */
        sk->txhash = (s + 1) * 0x9e3779b1u | 1u;
    }
    pool_grow(h, KERN_SKB_POOL_START);
    h->n_flows = n_flows;
    h->sock_of_flow = g_memdup2(sock_of_flow, n_flows * sizeof *sock_of_flow);
    h->flow_seq_hi = g_new0(uint32_t, n_flows);
    h->flow_seq_seen = g_new0(uint8_t, n_flows);
}

/* A segment reaching the socket behind a later sequence number of its flow
 * was reordered on the way (different queues or CPUs). */
static void count_ooo(struct kern_host *h, const struct kern_skb *skb, struct sim_flow_result *fr)
{
    if (skb->l4 != IPPROTO_TCP || skb->payload == 0 || skb->flow >= h->n_flows)
        return;
    uint32_t start = skb->seq_next - skb->payload;
    uint32_t *hi = &h->flow_seq_hi[skb->flow];
    if (h->flow_seq_seen[skb->flow] && (int32_t)(start - *hi) < 0) {
        if (fr)
            fr->ooo += skb->segs;
        return;
    }
    h->flow_seq_seen[skb->flow] = 1;
    *hi = skb->seq_next;
}

void kern_sockets_reuseport_cpu(struct kern_host *h)
{
    h->reuseport_cpu = true;
}

unsigned kern_reuseport_select_sock(unsigned cpu, unsigned n_socks, unsigned by_hash)
{
    /* run_bpf_filter: index >= socks -> NULL -> reuseport_select_sock_by_hash */
    return cpu < n_socks ? cpu : by_hash;
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

/* sk_data_ready -> sock_def_readable -> wake_up of the blocked reader. */
static void sk_data_ready(struct kern_host *h, struct kern_sock *sk)
{
    if (sk->data_ready) {
        sk->data_ready(sk->data_ready_ctx, sk);
        return;
    }
    struct cpus_thread *t = sk->reader;
    if (!t)
        return;
    sk->reader = NULL;
    kern_wake_up(h, t);
}

void kern_sockets_no_listener(struct kern_host *h)
{
    h->no_listener = true;
}

uint64_t kern_udp_noports(const struct kern_host *h)
{
    return h->udp_noports;
}

/* __udp4_lib_rcv() (__udp6_lib_rcv alike) without a socket: UDP_MIB_NOPORTS, kfree_skb. Its
 * icmp_send(ICMP_PORT_UNREACH) is rate limited (icmp_global_allow: 1000/s,
 * burst 50; icmpv4_xrlim_allow: 1/s per peer), a few replies a second, so
 * its cost is left out. */
static void udp_no_socket(struct kern_host *h, const struct kern_skb *skb,
                          struct sim_flow_result *fr)
{
    h->udp_noports += skb->segs;
    if (fr)
        fr->drops += skb->segs;
}

/* stack_ns: __netif_receive_skb's own cost, charged here with the enqueue's. */
G_ALWAYS_INLINE static inline void sock_queue_rcv_skb(struct kern_host *h,
                                                      const struct kern_skb *skb, uint64_t stack_ns)
{
    struct sim_flow_result *fr = h->flows && skb->flow < h->n_flows ? &h->flows[skb->flow] : NULL;
    if (G_UNLIKELY(h->no_listener)) {
        kern_charge_inl(h, stack_ns);
        udp_no_socket(h, skb, fr);
        return;
    }
    unsigned s = skb->flow < h->n_flows ? h->sock_of_flow[skb->flow] : 0;
    if (h->reuseport_cpu) /* udp4_lib_lookup2 -> inet_lookup_reuseport -> reuseport_select_sock */
        s = kern_reuseport_select_sock(h->cpu, h->n_socks, s);
    struct kern_sock *sk = &h->socks[s];
    uint32_t truesize = skb->segs * 2048u + (KERN_SKB_TRUESIZE - 2048u);
    kern_charge2_inl(h, stack_ns, h->c.sock_enqueue);
    if (skb->l4 == IPPROTO_TCP) /* only TCP segments carry a sequence number */
        count_ooo(h, skb, fr);
    sk->rxhash = skb->hash; /* sock_rps_save_rxhash() */
    sk->l4 = skb->l4;
    sk->rx_queue = skb->queue; /* sk_rx_queue_update() */
    sk->last_flow = skb->flow;
    if (sk->rmem_alloc > sk->rcvbuf || sk->count == sk->cap) {
        sk->drops += skb->segs;
        h->sock_drops += skb->segs;
        if (fr)
            fr->drops += skb->segs;
        return;
    }
    uint32_t slot = pool_get(h); /* __skb_queue_tail(&sk->sk_receive_queue) */
    struct kern_sock_ent *e = &h->skb_pool[slot];
    e->next = KERN_SKB_NONE;
    if (sk->count++)
        h->skb_pool[sk->qtail].next = slot;
    else {
        sk->qhead = slot;
        sk->head_ts = h->now;
    }
    sk->qtail = slot;
    e->ts = h->now;
    e->payload = skb->payload;
    e->truesize = truesize;
    e->flow = skb->flow;
    e->cpu = h->cpu;
    e->alloc_cpu = skb->alloc_cpu;
    e->tcp = skb->l4 == IPPROTO_TCP;
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

/* __netif_receive_skb's body, inlined into netif_receive_skb_core's common case too. */
/* ip_rcv() -> NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING) -> iptable_raw_hook -> ipt_do_table:
 * a DROP rule in the raw table frees the skb before routing (the CoNEXT'18 XDP paper's
 * stack baseline), after the skb, GRO and __netif_receive_skb_core were paid. */
static void ipt_raw_prerouting_drop(struct kern_host *h, const struct kern_skb *skb)
{
    kern_charge2_inl(h, h->c.stack_prerouting, h->c.ipt_raw_drop);
    h->ipt_raw_drops += skb->segs;
    if (h->flows && skb->flow < h->n_flows)
        h->flows[skb->flow].drops += skb->segs;
}

G_ALWAYS_INLINE static inline void netif_receive_skb_body(struct kern_host *h,
                                                          const struct kern_skb *skb)
{
    kern_this_cpu(h)->st.processed++;
    h->stack_calls++;
    if (G_UNLIKELY(h->ipt_raw_drop)) {
        ipt_raw_prerouting_drop(h, skb);
        return;
    }
    sock_queue_rcv_skb(h, skb, h->c.stack_skb);
}

void kern_iptables_raw_drop(struct kern_host *h)
{
    h->ipt_raw_drop = true;
}

uint64_t kern_ipt_raw_drops(const struct kern_host *h)
{
    return h->ipt_raw_drops;
}

G_ALWAYS_INLINE static inline void netif_receive_skb_core(struct kern_host *h,
                                                          const struct kern_skb *skb)
{
    if (h->rps && kern_rps_receive(h, skb))
        return; /* get_rps_cpu chose a backlog: enqueue_to_backlog took it */
    netif_receive_skb_body(h, skb);
}

void kern_netif_receive_skb_core(struct kern_host *h, const struct kern_skb *skb)
{
    netif_receive_skb_core(h, skb);
}

void kern_netif_receive_skb_list(struct kern_host *h, const struct kern_skb *skbs, unsigned n)
{
    for (unsigned i = 0; i < n; i++) /* in list order, one skb after the other */
        netif_receive_skb_core(h, &skbs[i]);
}

void kern___netif_receive_skb(struct kern_host *h, const struct kern_skb *skb)
{
    netif_receive_skb_body(h, skb);
}

bool kern_sock_recvmsg(struct kern_host *h, struct kern_sock *sk, uint32_t *payload)
{
    uint32_t flow;
    return kern_sock_recvmsg_flow(h, sk, payload, &flow);
}

uint64_t kern_sock_head_ts(const struct kern_sock *sk)
{
    return sk->head_ts;
}

void kern_wake_up(struct kern_host *h, struct cpus_thread *t)
{
    /* ttwu_queue(): waking onto our own CPU (task_cpu(p), where a pinned or RFS-steered
     * reader is) touches only local lines; elsewhere the remote rq or wake-list + IPI */
    if (G_UNLIKELY(h->obs.wakeup) && t->state == CPUS_SLEEPING) /* trace_sched_wakeup() */
        h->obs.wakeup(h->obs.ctx, h->cpu, h->now, t->name);
    kern_charge(h, t->cpu == h->cpu ? h->c.wakeup_local : h->c.wakeup);
    h->ops.wake_at(h->ops.ctx, t, h->now);
}

void kern_wake_up_at(struct kern_host *h, struct cpus_thread *t, uint64_t at)
{
    h->ops.wake_at(h->ops.ctx, t, at);
}

bool kern_sock_recvmsg_flow(struct kern_host *h, struct kern_sock *sk, uint32_t *payload,
                            uint32_t *flow)
{
    if (sk->head_ts > h->now) /* empty (UINT64_MAX) or queued by a batch ending later */
        return false;
    uint32_t slot = sk->qhead;
    struct kern_sock_ent e = h->skb_pool[slot];
    sk->qhead = e.next;
    sk->head_ts = --sk->count ? h->skb_pool[e.next].ts : UINT64_MAX;
    h->skb_pool[slot].next = h->pool_free; /* consume_skb: the slot back to the pool */
    h->pool_free = slot;
    sk->rmem_alloc -= e.truesize;
    *payload = e.payload;
    kern_sock_rps_record_flow(h, sk); /* inet_recvmsg -> sock_rps_record_flow */
    *flow = e.flow;
    /* The skb, its data and the queue's lines were last written on the CPU that
     * ran the stack: reading them elsewhere costs cache misses (what RFS avoids). */
    uint64_t remote = e.cpu != h->cpu ? h->c.sock_remote_read : 0;
    kern_charge(h, h->c.syscall + remote + (uint64_t)e.payload * h->c.copy_ps_per_byte / 1000u);
    if (e.tcp) /* tcp_eat_recv_skb -> skb_attempt_defer_free (udp_recvmsg frees here) */
        kern_skb_attempt_defer_free(h, e.alloc_cpu);
    return true;
}

void kern_sock_wait(struct kern_host *h, struct kern_sock *sk, struct cpus_thread *t)
{
    if (sk->count) /* queued by a softirq whose batch ends later: woken then */
        h->ops.wake_at(h->ops.ctx, t, sk->head_ts);
    else
        sk->reader = t;
}
