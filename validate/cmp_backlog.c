/* The per-CPU backlog under pressure: the poll net_rx_action() makes of it in each traced NET_RX
 * run (process_backlog() quota and the round's netdev_budget), the punt that counts time_squeeze,
 * and the model's drops (enqueue_to_backlog(): models/kernel/backlog.c) against softnet_stat's
 * dropped and time_squeeze columns (net/core/dev.c, Linux 6.12). */
#include "validate/replay_priv.h"

#include "models/kernel/kern.h"

/* trace (CLOCK_MONOTONIC) ns -> jiffies: the tick's phase is not in the bundle, so jiffies are
 * counted from the clock's zero. */
static unsigned long trace_jiffies(uint64_t ns, unsigned hz)
{
    return (unsigned long)(ns / (1000000000u / hz));
}

/* One NET_RX run: net_rx_action() polls the CPU's backlog once (a full poll re-raises the
 * softirq, it is not repolled in the same round); process_backlog() takes what was queued by
 * the end of the run, at most the quota dev_rx_weight and the round's netdev_budget; after the
 * poll the round punts (time_squeeze++) when the budget is spent or the netdev_budget_usecs
 * window, in jiffies from the run's start, is over (kern_net_rx_punt()). */
void val_backlog_net_rx_run(struct replay *p, int cpu, uint64_t entry_ns, uint64_t exit_ns)
{
    if (!p->backlog_model[cpu])
        return;
    uint64_t take = MIN(p->backlog_model[cpu], (uint64_t)MIN(p->weight, p->budget));
    sim_hist_add(&p->r->napi_model, take);
    p->backlog_model[cpu] -= take;
    int hz = val_bundle_hz(p->b);
    unsigned h = hz > 0 ? (unsigned)hz : 250u;
    const struct val_sysctl *sc = val_bundle_sysctl(p->b);
    unsigned long limit = trace_jiffies(entry_ns, h) +
                          kern_usecs_to_jiffies((unsigned long)MAX(sc->netdev_budget_usecs, 0), h);
    if (kern_net_rx_punt(p->budget - (int)take, trace_jiffies(exit_ns, h), limit))
        p->r->cpus[cpu].model_time_squeeze++;
}

/* |model - softnet| / softnet, 0 when both are 0; negative when it cannot be said. */
static double rel_error(uint64_t model, int64_t softnet)
{
    if (softnet < 0)
        return -1.0;
    if (softnet == 0)
        return model == 0 ? 0.0 : -1.0;
    double d = (double)model - (double)softnet;
    return (d < 0 ? -d : d) / (double)softnet;
}

static void backlog_finish(struct replay *p)
{
    struct val_report *r = p->r;
    struct val_report_backlog *b = &r->backlog;
    *b = (struct val_report_backlog){.softnet_dropped = 0, .softnet_time_squeeze = 0};
    for (int c = 0; c < p->ncpus; c++) {
        struct val_report_cpu *pc = &r->cpus[c];
        pc->model_dropped = kern_backlog_counters(p->bl, (unsigned)c)->dropped;
        b->model_dropped += pc->model_dropped;
        b->model_time_squeeze += pc->model_time_squeeze;
        if (pc->softnet_dropped < 0 || b->softnet_dropped < 0)
            b->softnet_dropped = -1;
        else
            b->softnet_dropped += pc->softnet_dropped;
        if (pc->softnet_time_squeeze < 0 || b->softnet_time_squeeze < 0)
            b->softnet_time_squeeze = -1;
        else
            b->softnet_time_squeeze += pc->softnet_time_squeeze;
    }
    b->drop_error = rel_error(b->model_dropped, b->softnet_dropped);
    b->time_squeeze_error = rel_error(b->model_time_squeeze, b->softnet_time_squeeze);
}

const struct val_cmp val_cmp_backlog = {"backlog", NULL, NULL, backlog_finish};
