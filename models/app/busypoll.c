/* Busy-polling workers: napi_busy_loop() with BUSY_POLL_BUDGET per iteration
 * (net/core/dev.c), then the application consumes what reached its sockets; the thread
 * never sleeps, so its CPU is 100% busy even without traffic. */
#include "models/app/busypoll.h"
#include "models/app/workload.h"

#include <glib.h>

struct bp_worker {
    struct app_busypoll *a;
    struct napi_struct *napi;
    unsigned q;
};

struct app_busypoll {
    struct kern_host *h;
    struct bp_worker *w;
    unsigned n_workers, n_socks;
    uint64_t msgs, empty;
};

static bool bp_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct bp_worker *w = arg;
    struct app_busypoll *a = w->a;
    struct kern_host *h = a->h;
    int work = kern_napi_busy_poll(w->napi);
    bool got = false;
    for (unsigned s = w->q; s < a->n_socks; s += a->n_workers) {
        uint32_t payload;
        struct kern_sock *sk = kern_sock(h, s);
        sk->reader = NULL; /* never sleeps on the socket */
        while (kern_sock_recvmsg(h, sk, &payload)) {
            kern_charge_user(h, kern_costs(h)->app_per_msg);
            a->msgs++;
            got = true;
        }
    }
    if (work <= 0 && !got)
        a->empty++; /* spins: napi_poll found nothing (the cost was charged) */
    return true;
}

struct app_busypoll *app_busypoll_new(struct kern_host *h, struct napi_struct *const *napi,
                                      const unsigned *cpu, unsigned n_workers, unsigned n_socks)
{
    struct app_busypoll *a = g_new0(struct app_busypoll, 1);
    a->h = h;
    a->n_workers = n_workers;
    a->n_socks = n_socks;
    a->w = g_new0(struct bp_worker, n_workers);
    for (unsigned q = 0; q < n_workers; q++) {
        char name[24];
        a->w[q] = (struct bp_worker){a, napi[q], q};
        g_snprintf(name, sizeof name, "busypoll/%u", q);
        struct cpus_thread *t = cpus_thread_new(kern_sched(h), name, cpu[q], bp_step, &a->w[q]);
        cpus_wake(kern_sched(h), t);
    }
    return a;
}

void app_busypoll_free(struct app_busypoll *a)
{
    if (!a)
        return;
    g_free(a->w);
    g_free(a);
}

uint64_t app_busypoll_messages(const struct app_busypoll *a)
{
    return a->msgs;
}

uint64_t app_busypoll_empty_polls(const struct app_busypoll *a)
{
    return a->empty;
}

/* Each worker's CPU is started at once: its thread is runnable from t = 0. */
static void *bp_new(const void *cfg, const struct app_env *env)
{
    (void)cfg;
    struct app_busypoll *a =
        app_busypoll_new(env->h, env->queue_napi, env->queue_cpu, env->n_queues, env->n_socks);
    for (unsigned q = 0; q < env->n_queues; q++)
        env->kick(env->kick_ctx, env->queue_cpu[q]);
    return a;
}

static void bp_free(void *w)
{
    app_busypoll_free(w);
}

const struct app_workload_ops app_busypoll_workload = {
    .name = "busypoll", .new = bp_new, .free = bp_free};
