/* Accept-and-hand-off servers (the "one acceptor per queue" pattern): accept4() in an
 * acceptor thread, the connection given to the most recently idle session thread of its
 * pool (LIFO keeps the warmest stack and cache), sessions serve it and return to the
 * pool. Wake-ups go through sk_data_ready (sock_def_readable) like a real epoll server. */
#include "models/app/acceptor.h"
#include "models/app/workload.h"

#include <glib.h>

#include "models/kernel/tx.h"

#define CHUNK_NS 5000

struct acc_session {
    struct app_acceptor *a;
    struct cpus_thread *t;
    unsigned owner;   /* acceptor index */
    int flow;         /* connection served, -1 idle */
    uint64_t left_ns; /* service left for the current request */
    bool sleeping;
};

struct acc_acceptor {
    struct app_acceptor *a;
    unsigned idx;
    struct cpus_thread *t;
    unsigned *aq; /* accept queue: FIFO of flows (cap n_flows) */
    unsigned aq_head, aq_count;
    int *idle; /* LIFO of idle session indices */
    unsigned n_idle;
    unsigned *pending; /* accepted, waiting for a session (FIFO, cap n_flows) */
    unsigned p_head, p_count;
    bool sleeping;
};

struct acc_conn {
    bool open, queued;
    unsigned msgs_left;
    int session;
    struct sim_cpumask cpus; /* CPUs that worked on this connection */
    uint64_t req_at;         /* NIC arrival of the outstanding request, UINT64_MAX none */
};

struct acc_sock_ctx {
    struct app_acceptor *a;
};

struct app_acceptor {
    struct kern_host *h;
    struct app_acceptor_cfg cfg;
    struct app_rr_clients cl;
    struct acc_acceptor *acc;
    unsigned n_acc;
    struct acc_session *sess;
    unsigned n_sess;
    struct acc_conn *conn;
    unsigned n_flows, n_socks;
    struct acc_sock_ctx sctx; /* data_ready context of every connection socket */
    unsigned *acc_of_queue;
    unsigned n_queues;
    uint64_t completed;
    struct sim_hist latency;
    struct sim_conn_result res;
};

void app_acceptor_cfg_defaults(struct app_acceptor_cfg *c)
{
    app_rr_cfg_defaults(&c->rr);
    c->per_queue = true;
    c->pool = 4;
    c->msgs_per_conn = 4;
}

static unsigned this_cpu_bit(struct app_acceptor *a)
{
    return kern_smp_processor_id(a->h);
}

static void wake_session(struct app_acceptor *a, struct acc_session *s)
{
    if (!s->sleeping)
        return;
    s->sleeping = false;
    kern_wake_up(a->h, s->t);
}

/* Hand connection f to session si (from acceptor code or a session taking pending work). */
static void assign(struct app_acceptor *a, unsigned f, int si)
{
    struct acc_session *s = &a->sess[si];
    s->flow = (int)f;
    a->conn[f].session = si;
    a->res.handoffs++;
    wake_session(a, s);
}

/* sk_data_ready of a connection socket: a request of an unaccepted connection is a new
 * connection on the accept queue of the acceptor of its RX queue (or the only one). */
static void acc_data_ready(void *ctx, struct kern_sock *sk)
{
    struct app_acceptor *a = ((struct acc_sock_ctx *)ctx)->a;
    unsigned f = sk->last_flow;
    if (f >= a->n_flows)
        return;
    struct acc_conn *c = &a->conn[f];
    sim_cpumask_set(&c->cpus, this_cpu_bit(a));
    if (c->open) {
        if (c->session >= 0)
            wake_session(a, &a->sess[c->session]);
        return;
    }
    if (c->queued)
        return;
    unsigned q =
        sk->rx_queue >= 0 && (unsigned)sk->rx_queue < a->n_queues ? (unsigned)sk->rx_queue : 0;
    struct acc_acceptor *ac = &a->acc[a->cfg.per_queue ? a->acc_of_queue[q] : 0];
    c->queued = true;
    ac->aq[(ac->aq_head + ac->aq_count++) % a->n_flows] = f;
    if (ac->sleeping) {
        ac->sleeping = false;
        kern_wake_up(a->h, ac->t);
    }
}

static bool acceptor_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct acc_acceptor *ac = arg;
    struct app_acceptor *a = ac->a;
    struct kern_host *h = a->h;
    kern_charge(h, kern_costs(h)->syscall); /* accept4() */
    if (!ac->aq_count) {
        ac->sleeping = true; /* epoll_wait on the listening socket */
        return false;
    }
    unsigned f = ac->aq[ac->aq_head];
    ac->aq_head = (ac->aq_head + 1) % a->n_flows;
    ac->aq_count--;
    struct acc_conn *c = &a->conn[f];
    c->queued = false;
    c->open = true;
    c->msgs_left = a->cfg.msgs_per_conn;
    c->session = -1;
    sim_cpumask_set(&c->cpus, this_cpu_bit(a));
    if (ac->n_idle)
        assign(a, f, ac->idle[--ac->n_idle]); /* LIFO: the most recently idle */
    else
        ac->pending[(ac->p_head + ac->p_count++) % a->n_flows] = f;
    return true;
}

static void close_conn(struct app_acceptor *a, struct acc_session *s)
{
    struct acc_conn *c = &a->conn[s->flow];
    c->open = false;
    c->session = -1;
    a->res.total++;
    int n = (int)sim_cpumask_weight(&c->cpus);
    if (n == 1)
        a->res.one_cpu++;
    a->res.cross_cpu_handoffs += n > 1 ? (uint64_t)(n - 1) : 0;
    sim_cpumask_clear(&c->cpus);
    s->flow = -1;
    struct acc_acceptor *ac = &a->acc[s->owner];
    if (ac->p_count) {
        unsigned f = ac->pending[ac->p_head];
        ac->p_head = (ac->p_head + 1) % a->n_flows;
        ac->p_count--;
        assign(a, f, (int)(s - a->sess));
    } else {
        ac->idle[ac->n_idle++] = (int)(s - a->sess);
    }
}

static void respond(struct app_acceptor *a, struct acc_session *s)
{
    struct kern_host *h = a->h;
    unsigned f = (unsigned)s->flow;
    struct acc_conn *c = &a->conn[f];
    struct kern_sock *sk = kern_sock(h, f % a->n_socks);
    kern_sock_sendmsg(h, sk, a->cfg.rr.tx_dev, f, a->cfg.rr.response_bytes,
                      sk->l4 == IPPROTO_TCP ? 0x18 : 0);
    uint64_t now = kern_now(h);
    if (c->req_at != UINT64_MAX) {
        sim_hist_add(&a->latency, now - c->req_at);
        a->completed++;
        c->req_at = UINT64_MAX;
        app_acceptor_client_start(a, f, now + a->cfg.rr.rtt_ns);
    }
    if (c->msgs_left && --c->msgs_left == 0)
        close_conn(a, s);
}

static bool session_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct acc_session *s = arg;
    struct app_acceptor *a = s->a;
    struct kern_host *h = a->h;
    if (s->flow < 0) {
        s->sleeping = true; /* back in the pool */
        return false;
    }
    sim_cpumask_set(&a->conn[s->flow].cpus, this_cpu_bit(a));
    if (s->left_ns) {
        uint64_t d = s->left_ns < CHUNK_NS ? s->left_ns : CHUNK_NS;
        kern_charge_user(h, d);
        s->left_ns -= d;
        if (!s->left_ns)
            respond(a, s);
        return true;
    }
    struct kern_sock *sk = kern_sock(h, (unsigned)s->flow % a->n_socks);
    uint32_t payload, flow;
    if (kern_sock_recvmsg_flow(h, sk, &payload, &flow)) {
        s->left_ns = a->cfg.rr.service_ns;
        if (!s->left_ns)
            respond(a, s);
        return true;
    }
    kern_charge(h, kern_costs(h)->syscall);
    s->sleeping = true;
    uint64_t ts = kern_sock_head_ts(sk);
    if (ts != UINT64_MAX) {
        s->sleeping = false;
        kern_wake_up_at(h, s->t, ts);
    }
    return false;
}

struct app_acceptor *app_acceptor_new(struct kern_host *h, const struct app_acceptor_cfg *cfg,
                                      const unsigned *queue_cpu, unsigned n_queues,
                                      unsigned n_socks, unsigned n_flows,
                                      const struct app_rr_clients *clients)
{
    struct app_acceptor *a = g_new0(struct app_acceptor, 1);
    struct cpus_sched *sched = kern_sched(h);
    a->h = h;
    a->cfg = *cfg;
    if (a->cfg.pool == 0)
        a->cfg.pool = 1;
    a->cl = *clients;
    a->n_flows = n_flows;
    a->n_socks = n_socks;
    a->n_queues = n_queues;
    sim_hist_init(&a->latency);
    a->res.present = true;
    /* one acceptor per distinct IRQ CPU of the queues (per queue), or one */
    a->acc_of_queue = g_new0(unsigned, n_queues);
    unsigned *acc_cpu = g_new0(unsigned, n_queues);
    for (unsigned q = 0; q < n_queues; q++) {
        unsigned k = 0;
        while (k < a->n_acc && acc_cpu[k] != queue_cpu[q])
            k++;
        if (k == a->n_acc)
            acc_cpu[a->n_acc++] = queue_cpu[q];
        a->acc_of_queue[q] = k;
    }
    if (!cfg->per_queue)
        a->n_acc = 1;
    a->acc = g_new0(struct acc_acceptor, a->n_acc);
    a->n_sess = a->n_acc * a->cfg.pool;
    a->sess = g_new0(struct acc_session, a->n_sess);
    a->conn = g_new0(struct acc_conn, n_flows);
    for (unsigned f = 0; f < n_flows; f++) {
        a->conn[f].session = -1;
        a->conn[f].req_at = UINT64_MAX;
    }
    struct sim_cpumask all;
    sim_cpumask_fill(&all, (int)kern_n_cpus(h));
    for (unsigned i = 0; i < a->n_acc; i++) {
        struct acc_acceptor *ac = &a->acc[i];
        char name[24];
        ac->a = a;
        ac->idx = i;
        ac->aq = g_new(unsigned, n_flows);
        ac->pending = g_new(unsigned, n_flows);
        ac->idle = g_new(int, a->cfg.pool);
        g_snprintf(name, sizeof name, "acceptor/%u", i);
        ac->t = cpus_thread_new(sched, name, acc_cpu[i], acceptor_step, ac);
        if (!cfg->per_queue)
            cpus_thread_set_affinity(sched, ac->t, &all);
        ac->sleeping = true;
        for (unsigned k = 0; k < a->cfg.pool; k++) {
            unsigned si = i * a->cfg.pool + k;
            struct acc_session *s = &a->sess[si];
            s->a = a;
            s->owner = i;
            s->flow = -1;
            s->sleeping = true;
            g_snprintf(name, sizeof name, "session/%u", si);
            s->t = cpus_thread_new(sched, name, acc_cpu[i], session_step, s);
            if (!cfg->per_queue)
                cpus_thread_set_affinity(sched, s->t, &all);
            ac->idle[ac->n_idle++] = (int)si;
        }
    }
    g_free(acc_cpu);
    a->sctx.a = a;
    for (unsigned s = 0; s < n_socks; s++) {
        struct kern_sock *sk = kern_sock(h, s);
        sk->data_ready = acc_data_ready;
        sk->data_ready_ctx = &a->sctx;
    }
    return a;
}

void app_acceptor_free(struct app_acceptor *a)
{
    if (!a)
        return;
    for (unsigned i = 0; i < a->n_acc; i++) {
        g_free(a->acc[i].aq);
        g_free(a->acc[i].pending);
        g_free(a->acc[i].idle);
    }
    g_free(a->acc_of_queue);
    g_free(a->acc);
    g_free(a->sess);
    g_free(a->conn);
    sim_hist_clear(&a->latency);
    g_free(a);
}

void app_acceptor_client_start(struct app_acceptor *a, unsigned flow, uint64_t at)
{
    if (flow >= a->n_flows || a->conn[flow].req_at != UINT64_MAX)
        return;
    a->conn[flow].req_at = at;
    a->cl.send_request(a->cl.ctx, flow, at);
}

uint32_t app_acceptor_request_bytes(const struct app_acceptor *a)
{
    return a->cfg.rr.request_bytes;
}

int app_acceptor_next_session(const struct app_acceptor *a, unsigned q)
{
    if (q >= a->n_acc || !a->acc[q].n_idle)
        return -1;
    return a->acc[q].idle[a->acc[q].n_idle - 1];
}

void app_acceptor_result(const struct app_acceptor *a, struct sim_request_result *req,
                         struct sim_conn_result *conn)
{
    req->present = true;
    req->completed = a->completed;
    sim_hist_init(&req->latency);
    sim_hist_merge(&req->latency, &a->latency);
    *conn = a->res;
}

static void *acc_new(const void *cfg, const struct app_env *env)
{
    return app_acceptor_new(env->h, cfg, env->queue_cpu, env->n_queues, env->n_socks, env->n_flows,
                            &env->clients);
}

static void acc_client_start(void *w, unsigned flow, uint64_t at)
{
    app_acceptor_client_start(w, flow, at);
}

static uint32_t acc_request_bytes(const void *w)
{
    return app_acceptor_request_bytes(w);
}

static void acc_result(const void *w, struct sim_request_result *req, struct sim_conn_result *conn)
{
    app_acceptor_result(w, req, conn);
}

static void acc_free(void *w)
{
    app_acceptor_free(w);
}

const struct app_workload_ops app_acceptor_workload = {.name = "acceptor",
                                                       .new = acc_new,
                                                       .client_start = acc_client_start,
                                                       .request_bytes = acc_request_bytes,
                                                       .result = acc_result,
                                                       .free = acc_free};
