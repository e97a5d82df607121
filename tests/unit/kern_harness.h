/* Test harness for models/kernel: a one-CPU host, fake NAPI instances whose
 * poll does a chosen amount of work at a chosen cost, and an IRQ that
 * schedules them (what a driver's MSI-X handler does). */
#ifndef NICSTEER_TESTS_KERN_HARNESS_H
#define NICSTEER_TESTS_KERN_HARNESS_H

#include "models/kernel/kern_priv.h"

struct fake_napi {
    struct napi_struct napi;
    int work;         /* packets per poll (capped at budget); < 0: always budget */
    uint64_t cost_ns; /* per poll */
    unsigned polls;
    unsigned polls_inline; /* from irq_exit, not in ksoftirqd */
    bool complete;         /* call napi_complete_done when work < budget */
};

static G_GNUC_UNUSED void h_kick(void *ctx, unsigned cpu, uint64_t at)
{
}

static G_GNUC_UNUSED void h_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
}

static inline struct kern_host *h_new(unsigned hz, int budget)
{
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    p.hz = hz;
    p.netdev_budget = budget;
    p.netdev_budget_usecs = 2 * 1000000 / hz;
    c.hardirq = 1000;
    struct kern_ops ops = {.kick_cpu = h_kick, .wake_at = h_wake};
    struct kern_host *h = kern_host_new(1, &p, &c, &ops);
    unsigned sof = 0;
    kern_sockets_init(h, 1, &sof, 1, 1 << 30);
    return h;
}

static G_GNUC_UNUSED int fake_poll(struct napi_struct *n, int budget)
{
    struct fake_napi *f = n->priv;
    f->polls++;
    f->polls_inline += !n->host->cpus[n->host->cpu].in_ksoftirqd;
    kern_charge(n->host, f->cost_ns);
    int work = f->work < 0 || f->work > budget ? budget : f->work;
    if (work < budget && f->complete)
        kern_napi_complete_done(n, work);
    return work;
}

static inline void fake_napi_add(struct kern_host *h, struct fake_napi *f, int weight, int work,
                                 uint64_t cost_ns)
{
    kern_netif_napi_add(h, &f->napi, fake_poll, weight, f);
    f->work = work;
    f->cost_ns = cost_ns;
    f->complete = true;
}

static struct fake_napi *h_irq_napis[4];

static G_GNUC_UNUSED int h_irq(int irq, void *dev)
{
    for (unsigned i = 0; i < 4 && h_irq_napis[i]; i++)
        kern_napi_schedule(&h_irq_napis[i]->napi);
    return KERN_IRQ_HANDLED;
}

/* Deliver the IRQ at t=0 and run the CPU until `stop` says so or it idles. */
static inline uint64_t h_run(struct kern_host *h, uint64_t until)
{
    uint64_t t = 0;
    for (int i = 0; i < 1000000 && t < until; i++) {
        uint64_t e = kern_cpu_step(h, 0, t);
        if (e == t)
            break;
        t = e;
    }
    return t;
}

#endif
