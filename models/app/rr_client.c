/* netperf's send_tcp_rr() loop: send(request), recv(reply), record the round trip,
 * repeat; here with a think time between a reply and the next request. The request
 * leaves through the TX path (kern_sock_sendmsg: XPS or skb_tx_hash picks the queue);
 * the reply comes back through the host's whole receive path. */
#include "models/app/rr_client.h"
#include "models/app/workload.h"

#include <glib.h>

#include "models/kernel/tx.h"

struct rrc_thread {
    struct app_rr_client *c;
    struct cpus_thread *t;
    unsigned sock;
    uint64_t sent_at;  /* outstanding request's send time, UINT64_MAX none */
    uint64_t think_to; /* the next request is due then (UINT64_MAX: now) */
};

struct app_rr_client {
    struct kern_host *h;
    struct app_rr_client_cfg cfg;
    struct rrc_thread *th;
    unsigned n;
    uint64_t sent, completed;
    struct sim_hist latency;
};

static void rrc_send(struct rrc_thread *r)
{
    struct app_rr_client *c = r->c;
    struct kern_sock *sk = kern_sock(c->h, r->sock);
    kern_charge_user(c->h, c->cfg.user_ns);
    kern_sock_sendmsg(c->h, sk, c->cfg.tx_dev, r->sock, c->cfg.request_bytes,
                      sk->l4 == IPPROTO_TCP ? 0x18 /* PSH|ACK */ : 0);
    r->sent_at = kern_now(c->h);
    c->sent++;
}

/* Block in recvmsg (sk_wait_data): the socket's reader is woken by the reply. */
static void rrc_wait(struct rrc_thread *r)
{
    struct kern_sock *sk = kern_sock(r->c->h, r->sock);
    sk->reader = r->t;
    uint64_t ts = kern_sock_head_ts(sk);
    if (ts != UINT64_MAX) /* queued by a softirq batch that ends later */
        kern_wake_up_at(r->c->h, r->t, ts);
}

static bool rrc_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct rrc_thread *r = arg;
    struct app_rr_client *c = r->c;
    struct kern_host *h = c->h;
    uint64_t now = kern_now(h);
    if (r->sent_at == UINT64_MAX) {
        if (r->think_to != UINT64_MAX && now < r->think_to) {
            kern_wake_up_at(h, r->t, r->think_to); /* nanosleep(think) */
            return false;
        }
        rrc_send(r);
        return true;
    }
    uint32_t payload, flow;
    if (kern_sock_recvmsg_flow(h, kern_sock(h, r->sock), &payload, &flow)) {
        sim_hist_add(&c->latency, now - r->sent_at);
        c->completed++;
        r->sent_at = UINT64_MAX;
        r->think_to = now + c->cfg.think_ns;
        return true;
    }
    kern_charge(h, kern_costs(h)->syscall); /* the recvmsg that finds nothing */
    rrc_wait(r);
    return false;
}

struct app_rr_client *app_rr_client_new(struct kern_host *h, const struct app_rr_client_cfg *cfg,
                                        unsigned n_socks, const unsigned *cpu_of_sock)
{
    struct app_rr_client *c = g_new0(struct app_rr_client, 1);
    c->h = h;
    c->cfg = *cfg;
    c->n = n_socks > 1 ? n_socks - 1 : 0;
    c->th = g_new0(struct rrc_thread, c->n ? c->n : 1);
    sim_hist_init(&c->latency);
    for (unsigned i = 0; i < c->n; i++) {
        struct rrc_thread *r = &c->th[i];
        char name[24];
        g_snprintf(name, sizeof name, "netperf/%u", i);
        r->c = c;
        r->sock = i + 1;
        r->sent_at = UINT64_MAX;
        r->think_to = UINT64_MAX;
        r->t = cpus_thread_new(kern_sched(h), name, cpu_of_sock[i + 1], rrc_step, r);
        cpus_wake(kern_sched(h), r->t);
    }
    return c;
}

void app_rr_client_free(struct app_rr_client *c)
{
    if (!c)
        return;
    g_free(c->th);
    sim_hist_clear(&c->latency);
    g_free(c);
}

uint64_t app_rr_client_sent(const struct app_rr_client *c)
{
    return c->sent;
}

void app_rr_client_result(const struct app_rr_client *c, struct sim_request_result *r)
{
    r->present = true;
    r->completed = c->completed;
    sim_hist_init(&r->latency);
    sim_hist_merge(&r->latency, &c->latency);
}

static void *rrc_new(const void *cfg, const struct app_env *env)
{
    struct app_rr_client *c = app_rr_client_new(env->h, cfg, env->n_socks, env->cpu_of_sock);
    for (unsigned i = 0; i < c->n; i++)
        env->kick(env->kick_ctx, c->th[i].t->cpu);
    return c;
}

static void rrc_result(const void *w, struct sim_request_result *req, struct sim_conn_result *conn)
{
    (void)conn;
    app_rr_client_result(w, req);
}

static void rrc_free(void *w)
{
    app_rr_client_free(w);
}

const struct app_workload_ops app_rr_client_workload = {
    .name = "rr_client", .new = rrc_new, .result = rrc_result, .free = rrc_free};
