/* Bulk sender: `for (;;) write(fd, buf, write_bytes);` per socket in its own thread;
 * blocked in sk_stream_wait_memory when the TX ring is full until a completion frees
 * room (sock_wfree -> sk_write_space -> sk_stream_write_space). net/ipv4/tcp.c. */
#include "models/app/bulk_sender.h"
#include "models/app/workload.h"

#include <glib.h>

#include "models/kernel/tcp_stream.h"

struct bulk_thread {
    struct app_bulk *all;
    struct kern_sock *sk;
    struct cpus_thread *t;
    uint32_t flow;
    uint32_t left; /* of the current write() */
    bool blocked;
};

struct app_bulk {
    struct kern_host *h;
    struct app_bulk_cfg cfg;
    struct bulk_thread *th;
    unsigned n;
    uint64_t bytes, writes;
};

static void bulk_write_space(void *ctx, struct kern_sock *sk)
{
    struct bulk_thread *b = ctx;
    sk->write_space = NULL;
    if (!b->blocked)
        return;
    b->blocked = false;
    kern_wake_up(b->all->h, b->t);
}

static bool bulk_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct bulk_thread *b = arg;
    struct app_bulk *a = b->all;
    if (!b->left) { /* the next write(): the user side fills its buffer */
        kern_charge_user(a->h, kern_costs(a->h)->app_per_msg);
        b->left = a->cfg.write_bytes;
    }
    uint32_t took = kern_tcp_sendmsg_stream(a->h, b->sk, a->cfg.tx_dev, b->flow, b->left);
    b->left -= took;
    a->bytes += took;
    if (!b->left) {
        a->writes++;
        return true;
    }
    /* sk_stream_wait_memory(): sleep until a TX completion frees descriptors */
    b->blocked = true;
    b->sk->write_space = bulk_write_space;
    b->sk->write_space_ctx = b;
    return false;
}

static void *bulk_new(const void *cfg, const struct app_env *env)
{
    struct app_bulk *a = g_new0(struct app_bulk, 1);
    a->h = env->h;
    if (cfg)
        a->cfg = *(const struct app_bulk_cfg *)cfg;
    if (!a->cfg.write_bytes)
        a->cfg.write_bytes = APP_BULK_WRITE_DEFAULT;
    a->n = env->n_socks;
    a->th = g_new0(struct bulk_thread, a->n);
    for (unsigned s = 0; s < a->n; s++) {
        char name[24];
        g_snprintf(name, sizeof name, "bulk/%u", s);
        struct bulk_thread *b = &a->th[s];
        b->all = a;
        b->sk = kern_sock(a->h, s);
        b->flow = s < env->n_flows ? s : 0;
        b->t = cpus_thread_new(kern_sched(a->h), name, env->cpu_of_sock[s], bulk_step, b);
        cpus_wake(kern_sched(a->h), b->t);
        env->kick(env->kick_ctx, env->cpu_of_sock[s]);
    }
    return a;
}

static void bulk_free(void *w)
{
    struct app_bulk *a = w;
    if (!a)
        return;
    g_free(a->th);
    g_free(a);
}

uint64_t app_bulk_bytes(const struct app_bulk *a)
{
    return a->bytes;
}

uint64_t app_bulk_writes(const struct app_bulk *a)
{
    return a->writes;
}

const struct app_workload_ops app_bulk_workload = {
    .name = "bulk_sender", .new = bulk_new, .free = bulk_free};
