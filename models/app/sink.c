/* Sink application: `while (recv(fd, buf, len, 0) > 0) ;` per socket, each
 * in its own thread; blocking in sk_wait_data when the queue is empty. */
#include "models/app/sink.h"
#include "models/app/workload.h"

#include <glib.h>

#include "models/kernel/tx.h"

struct app_sink {
    struct app_sinks *all;
    struct kern_sock *sk;
    uint64_t reads;
};

struct app_sinks {
    struct kern_host *h;
    struct app_sink *sinks;
    unsigned n;
    uint64_t msgs, bytes;
    unsigned ack_every;
};

/* Messages handled per scheduling chunk: interrupts reaching this CPU wait
 * for the chunk's end (a few µs), like a NAPI poll's granularity. */
#define SINK_MSGS_PER_CHUNK 8

static bool sink_step(struct cpus_thread *t, void *arg)
{
    struct app_sink *s = arg;
    struct kern_host *h = s->all->h;
    uint32_t payload, flow;
    unsigned got = 0;
    while (got < SINK_MSGS_PER_CHUNK && kern_sock_recvmsg_flow(h, s->sk, &payload, &flow)) {
        kern_charge_user(h, kern_costs(h)->app_per_msg);
        if (s->all->ack_every && s->sk->l4 == IPPROTO_TCP && ++s->reads % s->all->ack_every == 0)
            kern_sock_sendmsg(h, s->sk, 0, flow, 0, 0x10 /* ACK */);
        s->all->msgs++;
        s->all->bytes += payload;
        got++;
    }
    if (got)
        return true;
    kern_charge(h, kern_costs(h)->syscall); /* the recvmsg that finds nothing */
    kern_sock_wait(h, s->sk, t);
    return false;
}

struct app_sinks *app_sinks_new(struct kern_host *h, unsigned n_socks, const unsigned *cpu_of_sock)
{
    struct app_sinks *a = g_new0(struct app_sinks, 1);
    a->h = h;
    a->n = n_socks;
    a->sinks = g_new0(struct app_sink, n_socks);
    for (unsigned s = 0; s < n_socks; s++) {
        char name[24];
        g_snprintf(name, sizeof name, "sink/%u", s);
        a->sinks[s].all = a;
        a->sinks[s].sk = kern_sock(h, s);
        struct cpus_thread *t =
            cpus_thread_new(kern_sched(h), name, cpu_of_sock[s], sink_step, &a->sinks[s]);
        kern_sock_wait(h, a->sinks[s].sk, t);
    }
    return a;
}

void app_sinks_free(struct app_sinks *a)
{
    if (!a)
        return;
    g_free(a->sinks);
    g_free(a);
}

uint64_t app_sinks_messages(const struct app_sinks *a)
{
    return a->msgs;
}

uint64_t app_sinks_bytes(const struct app_sinks *a)
{
    return a->bytes;
}

void app_sinks_set_ack(struct app_sinks *a, unsigned every)
{
    if (a)
        a->ack_every = every;
}

static void *sink_new(const void *cfg, const struct app_env *env)
{
    const struct app_sink_cfg *c = cfg;
    struct app_sinks *a = app_sinks_new(env->h, env->n_socks, env->cpu_of_sock);
    app_sinks_set_ack(a, c ? c->ack_every : 0);
    return a;
}

static void sink_free(void *w)
{
    app_sinks_free(w);
}

const struct app_workload_ops app_sink_workload = {
    .name = "sink", .new = sink_new, .free = sink_free};
