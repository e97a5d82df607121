/* Request/response server threads (netperf's netserver recv_tcp_rr loop, memcached's
 * worker threads): recvmsg a request, compute, sendmsg the response; closed-loop
 * clients issue the next request one turn-around after the response. */
#include "models/app/rr_server.h"
#include "models/app/workload.h"

#include <glib.h>

#include "models/kernel/tx.h"

#define CHUNK_NS 5000 /* user work is run in slices so hardirqs preempt it promptly */

struct rr_thread {
    struct app_rr *a;
    struct cpus_thread *t;
    unsigned *socks; /* sockets this thread reads (epoll set) */
    unsigned n_socks, next_sock;
    uint64_t left_ns;         /* service still to compute for the current request */
    int64_t flow;             /* request in progress, -1 none */
    unsigned sock;            /* its socket */
    bool waiting;             /* queued on a shared socket's wait list */
    bool tx_wait;             /* proxy: blocked until its last send completes */
    struct napi_struct *napi; /* busy poll: the NAPI its epoll loop polls, NULL = sleeps */
    bool polled;              /* suspend: this epoll_wait already busy polled once */
};

/* Wait queue of one socket read by several threads. */
struct rr_waitq {
    struct app_rr *a;
    unsigned sock;
    struct rr_thread **q; /* FIFO of sleeping threads */
    unsigned head, count, cap;
};

struct app_rr {
    struct kern_host *h;
    struct app_rr_cfg cfg;
    struct app_rr_clients cl;
    struct rr_thread *th;
    unsigned n_threads, n_socks, n_flows;
    struct rr_waitq *wq; /* per socket; cap 0 when one thread owns it */
    uint64_t *req_at;    /* per flow: NIC arrival of the outstanding request */
    bool *upstream;      /* relay: per flow, a request forwarded, its reply not yet back */
    uint64_t completed;
    struct sim_hist latency;
};

void app_rr_cfg_defaults(struct app_rr_cfg *c)
{
    *c = (struct app_rr_cfg){
        .threads = 0,
        .service_ns = 2000,
        .request_bytes = 64,
        .response_bytes = 64,
        .rtt_ns = 20000,
    };
}

static void rr_write_space(void *ctx, struct kern_sock *sk);

/* sendmsg() of the response on the request's socket through the TX path of tx_dev. */
static void send_response(struct app_rr *a, struct rr_thread *rt, unsigned sock, unsigned flow)
{
    struct kern_host *h = a->h;
    struct kern_sock *sk = kern_sock(h, sock);
    /* relay: a server reply goes back to the client on eth0; a request goes on to the server */
    bool reply = a->cfg.relay && flow < a->n_flows && a->upstream[flow];
    if (a->cfg.relay && flow < a->n_flows)
        a->upstream[flow] = !reply;
    int txq = kern_sock_sendmsg(h, sk, reply ? 0 : a->cfg.tx_dev, flow, a->cfg.response_bytes,
                                sk->l4 == IPPROTO_TCP ? 0x18 /* PSH|ACK */ : 0);
    if (a->cfg.wait_tx && txq >= 0) {
        rt->tx_wait = true;
        sk->write_space = rr_write_space;
        sk->write_space_ctx = rt;
    }
    if (a->cfg.relay && !reply) { /* its upstream round trip runs until the reply is relayed */
        if (flow < a->n_flows)
            a->req_at[flow] = kern_now(h);
        return;
    }
    uint64_t now = kern_now(h);
    if (flow < a->n_flows && a->req_at[flow] != UINT64_MAX) {
        sim_hist_add(&a->latency, now - a->req_at[flow]);
        a->completed++;
        a->req_at[flow] = UINT64_MAX;
        if (!a->cfg.relay)
            app_rr_client_start(a, flow, now + a->cfg.rtt_ns);
    }
}

/* sk_write_space on the proxy's socket (runs in the TX queue's NAPI poll, on the CPU of
 * that vector's IRQ): the send completed, the thread may go on. */
static void rr_write_space(void *ctx, struct kern_sock *sk)
{
    struct rr_thread *rt = ctx;
    sk->write_space = NULL;
    if (!rt->tx_wait)
        return;
    rt->tx_wait = false;
    kern_wake_up(rt->a->h, rt->t);
}

static void waitq_push(struct rr_waitq *w, struct rr_thread *t)
{
    if (t->waiting)
        return;
    if (w->count == w->cap) { /* grows only while threads first go to sleep */
        unsigned ncap = w->cap ? w->cap * 2 : 4;
        struct rr_thread **nq = g_new(struct rr_thread *, ncap);
        for (unsigned i = 0; i < w->count; i++)
            nq[i] = w->q[(w->head + i) % w->cap];
        g_free(w->q);
        w->q = nq;
        w->head = 0;
        w->cap = ncap;
    }
    w->q[(w->head + w->count++) % w->cap] = t;
    t->waiting = true;
}

/* sk_data_ready on a shared socket: wake one exclusive waiter (__wake_up_common with
 * nr_exclusive = 1). */
static void waitq_data_ready(void *ctx, struct kern_sock *sk)
{
    (void)sk;
    struct rr_waitq *w = ctx;
    if (!w->count)
        return;
    struct rr_thread *t = w->q[w->head];
    w->head = (w->head + 1) % w->cap;
    w->count--;
    t->waiting = false;
    kern_wake_up(w->a->h, t->t);
}

/* Block in epoll_wait / recvmsg on every socket of the thread. */
static void rr_wait(struct rr_thread *rt)
{
    struct app_rr *a = rt->a;
    uint64_t soonest = UINT64_MAX;
    for (unsigned i = 0; i < rt->n_socks; i++) {
        unsigned s = rt->socks[i];
        struct kern_sock *sk = kern_sock(a->h, s);
        uint64_t ts = kern_sock_head_ts(sk);
        if (ts < soonest)
            soonest = ts;
        if (sk->data_ready)
            waitq_push(&a->wq[s], rt);
        else
            sk->reader = rt->t;
    }
    if (soonest != UINT64_MAX) /* queued by a softirq batch that ends later */
        kern_wake_up_at(a->h, rt->t, soonest);
}

static bool rr_step(struct cpus_thread *t, void *arg)
{
    struct rr_thread *rt = arg;
    struct app_rr *a = rt->a;
    struct kern_host *h = a->h;
    if (rt->flow >= 0) {
        uint64_t d = rt->left_ns < CHUNK_NS ? rt->left_ns : CHUNK_NS;
        kern_charge_user(h, d);
        rt->left_ns -= d;
        if (!rt->left_ns) {
            send_response(a, rt, rt->sock, (unsigned)rt->flow);
            rt->flow = -1;
            return !rt->tx_wait;
        }
        return true;
    }
    if (rt->tx_wait)
        return false; /* woken early by data: the send has not completed yet */
    for (unsigned k = 0; k < rt->n_socks; k++) {
        unsigned s = rt->socks[(rt->next_sock + k) % rt->n_socks];
        uint32_t payload, flow;
        if (kern_sock_recvmsg_flow(h, kern_sock(h, s), &payload, &flow)) {
            rt->next_sock = (rt->next_sock + k + 1) % rt->n_socks;
            rt->polled = false;
            rt->flow = flow;
            rt->sock = s;
            rt->left_ns = a->cfg.service_ns;
            if (!rt->left_ns) {
                send_response(a, rt, s, flow);
                rt->flow = -1;
                return !rt->tx_wait;
            }
            return true;
        }
    }
    kern_charge(h, kern_costs(h)->syscall); /* the epoll_wait / recvmsg that finds nothing */
    if (rt->napi && !a->cfg.suspend) {
        kern_napi_busy_poll(rt->napi); /* ep_busy_loop() -> napi_busy_loop(), net/core/dev.c */
        return true;
    }
    if (rt->napi && !rt->polled) { /* ep_poll(): busy poll first, then look again */
        rt->polled = true;
        if (kern_napi_busy_poll(rt->napi) >= 0)
            kern_napi_busy_poll_stop(rt->napi);
        return true;
    }
    if (rt->napi) {
        rt->polled = false;
        kern_napi_resume_irqs(rt->napi); /* no events: end the IRQ suspension */
    }
    rr_wait(rt);
    (void)t;
    return false;
}

struct app_rr *app_rr_new(struct kern_host *h, const struct app_rr_cfg *cfg, unsigned n_socks,
                          const unsigned *cpu_of_sock, unsigned n_flows,
                          const struct app_rr_clients *clients)
{
    struct app_rr *a = g_new0(struct app_rr, 1);
    a->h = h;
    a->cfg = *cfg;
    a->cl = *clients;
    a->n_socks = n_socks;
    a->n_flows = n_flows;
    a->n_threads = cfg->threads ? cfg->threads : n_socks;
    a->th = g_new0(struct rr_thread, a->n_threads);
    a->wq = g_new0(struct rr_waitq, n_socks);
    a->req_at = g_new(uint64_t, n_flows);
    a->upstream = g_new0(bool, n_flows);
    for (unsigned f = 0; f < n_flows; f++)
        a->req_at[f] = UINT64_MAX;
    sim_hist_init(&a->latency);
    unsigned *readers = g_new0(unsigned, n_socks);
    for (unsigned i = 0; i < a->n_threads; i++) {
        struct rr_thread *rt = &a->th[i];
        rt->a = a;
        rt->flow = -1;
        /* pool thread i reads sockets i, i+N, ...; with more threads than sockets it
         * shares socket i % n_socks */
        unsigned n = 0;
        for (unsigned s = i; s < n_socks; s += a->n_threads)
            n++;
        rt->n_socks = n ? n : 1;
        rt->socks = g_new(unsigned, rt->n_socks);
        if (n) {
            unsigned k = 0;
            for (unsigned s = i; s < n_socks; s += a->n_threads)
                rt->socks[k++] = s;
        } else {
            rt->socks[0] = i % n_socks;
        }
        for (unsigned k = 0; k < rt->n_socks; k++)
            readers[rt->socks[k]]++;
    }
    for (unsigned s = 0; s < n_socks; s++) {
        a->wq[s].a = a;
        a->wq[s].sock = s;
        if (readers[s] > 1) {
            struct kern_sock *sk = kern_sock(h, s);
            sk->data_ready = waitq_data_ready;
            sk->data_ready_ctx = &a->wq[s];
        }
    }
    g_free(readers);
    for (unsigned i = 0; i < a->n_threads; i++) {
        struct rr_thread *rt = &a->th[i];
        char name[24];
        g_snprintf(name, sizeof name, cfg->threads ? "worker/%u" : "netserver/%u", i);
        unsigned cpu = cpu_of_sock[i % n_socks];
        if (cfg->threads)
            cpu = cfg->thread_cpus && cfg->n_thread_cpus
                      ? cfg->thread_cpus[i % cfg->n_thread_cpus] % kern_n_cpus(h)
                      : i % kern_n_cpus(h);
        rt->t = cpus_thread_new(kern_sched(h), name, cpu, rr_step, rt);
        if (cfg->busy_poll && cfg->threads && cfg->n_napi) {
            rt->napi = cfg->napi[i % cfg->n_napi];
            if (cfg->suspend) {
                rr_wait(rt);
                continue;
            }
            cpus_wake(kern_sched(h), rt->t); /* spins from the start */
            continue;
        }
        rr_wait(rt);
    }
    return a;
}

void app_rr_free(struct app_rr *a)
{
    if (!a)
        return;
    for (unsigned i = 0; i < a->n_threads; i++)
        g_free(a->th[i].socks);
    for (unsigned s = 0; s < a->n_socks; s++)
        g_free(a->wq[s].q);
    g_free(a->th);
    g_free(a->wq);
    g_free(a->req_at);
    sim_hist_clear(&a->latency);
    g_free(a->upstream);
    g_free(a);
}

void app_rr_client_start(struct app_rr *a, unsigned flow, uint64_t at)
{
    if (flow >= a->n_flows || a->req_at[flow] != UINT64_MAX)
        return; /* one transaction in flight per client (netperf TCP_RR, burst 0) */
    a->req_at[flow] = at;
    a->cl.send_request(a->cl.ctx, flow, at);
}

uint32_t app_rr_request_bytes(const struct app_rr *a)
{
    return a->cfg.request_bytes;
}

void app_rr_result(const struct app_rr *a, struct sim_request_result *r)
{
    r->present = true;
    r->completed = a->completed;
    sim_hist_init(&r->latency);
    sim_hist_merge(&r->latency, &a->latency);
}

static void *rr_new(const void *cfg, const struct app_env *env)
{
    struct app_rr_cfg c = *(const struct app_rr_cfg *)cfg;
    c.napi = env->queue_napi;
    c.n_napi = env->n_queues;
    /* irq_suspend_timeout only acts with prefer_busy_poll epoll contexts (napi.rst) */
    c.suspend = c.busy_poll && kern_params(env->h)->irq_suspend_timeout_ns > 0;
    struct app_rr *a =
        app_rr_new(env->h, &c, env->n_socks, env->cpu_of_sock, env->n_flows, &env->clients);
    for (unsigned i = 0; c.busy_poll && !c.suspend && i < a->n_threads; i++)
        env->kick(env->kick_ctx, a->th[i].t->cpu); /* busy pollers run from t = 0 */
    return a;
}

static void rr_client_start(void *w, unsigned flow, uint64_t at)
{
    app_rr_client_start(w, flow, at);
}

static uint32_t rr_request_bytes(const void *w)
{
    return app_rr_request_bytes(w);
}

static void rr_result(const void *w, struct sim_request_result *req, struct sim_conn_result *conn)
{
    (void)conn;
    app_rr_result(w, req);
}

static void rr_free(void *w)
{
    app_rr_free(w);
}

const struct app_workload_ops app_rr_workload = {.name = "rr",
                                                 .new = rr_new,
                                                 .client_start = rr_client_start,
                                                 .request_bytes = rr_request_bytes,
                                                 .result = rr_result,
                                                 .free = rr_free};
