/* AF_XDP readers: samples/bpf xdpsock_user.c (now bpf-examples AF_XDP-example) rx_drop()
 * with -p (poll mode): poll() on the socket, xsk_ring_cons__peek of a batch, the per-packet
 * work, xsk_ring_prod__submit of the frames to the fill ring. */
#include "models/app/af_xdp.h"
#include "models/app/workload.h"

#include <glib.h>

#include "models/kernel/xsk.h"

struct xdp_reader {
    struct app_af_xdp *a;
    struct kern_xsk *xs;
};

struct app_af_xdp {
    struct kern_host *h;
    struct xdp_reader *r;
    unsigned n;
    uint64_t packets, polls;
    struct sim_hist read_lat;
};

static bool af_xdp_step(struct cpus_thread *t, void *arg)
{
    struct xdp_reader *r = arg;
    struct app_af_xdp *a = r->a;
    struct kern_host *h = a->h;
    struct kern_xdp_frame f;
    unsigned got = 0;
    while (got < APP_AF_XDP_BATCH && kern_xsk_recv(h, r->xs, &f)) {
        sim_hist_add(&a->read_lat, kern_now(h) - f.ts);
        kern_charge_user(h, kern_costs(h)->app_per_msg);
        a->packets++;
        got++;
    }
    if (got)
        return true;
    /* poll(fds, 1, -1): sock_poll -> xsk_poll finds the RX ring empty, the thread sleeps */
    kern_charge(h, kern_costs(h)->syscall);
    a->polls++;
    kern_xsk_wait(h, r->xs, t);
    return false;
}

struct app_af_xdp *app_af_xdp_new(struct kern_host *h, const unsigned *cpu, unsigned n_cpu)
{
    struct app_af_xdp *a = g_new0(struct app_af_xdp, 1);
    a->h = h;
    a->n = kern_xsk_count(h);
    a->r = g_new0(struct xdp_reader, a->n ? a->n : 1);
    sim_hist_init(&a->read_lat);
    for (unsigned q = 0; q < a->n; q++) {
        char name[24];
        g_snprintf(name, sizeof name, "xdpsock/%u", q);
        a->r[q] = (struct xdp_reader){a, kern_xsk_of_queue(h, q)};
        struct cpus_thread *t =
            cpus_thread_new(kern_sched(h), name, n_cpu ? cpu[q % n_cpu] : 0, af_xdp_step, &a->r[q]);
        kern_xsk_wait(h, a->r[q].xs, t);
    }
    return a;
}

void app_af_xdp_free(struct app_af_xdp *a)
{
    if (!a)
        return;
    g_free(a->r);
    sim_hist_clear(&a->read_lat);
    g_free(a);
}

uint64_t app_af_xdp_packets(const struct app_af_xdp *a)
{
    return a->packets;
}

uint64_t app_af_xdp_polls(const struct app_af_xdp *a)
{
    return a->polls;
}

const struct sim_hist *app_af_xdp_read_latency(const struct app_af_xdp *a)
{
    return &a->read_lat;
}

static void *af_xdp_new(const void *cfg, const struct app_env *env)
{
    (void)cfg;
    return app_af_xdp_new(env->h, env->cpu_of_sock, env->n_socks);
}

static void af_xdp_free(void *w)
{
    app_af_xdp_free(w);
}

const struct app_workload_ops app_af_xdp_workload = {
    .name = "af_xdp", .new = af_xdp_new, .free = af_xdp_free};
