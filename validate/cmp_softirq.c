/* NET_RX softirq runs: their traced durations against the cost model's price
 * (softirq_model.c), and the backlog NAPI's poll sizes as process_backlog() takes them. */
#include "validate/replay_priv.h"

#include <string.h>

/* One NET_RX run: its traced duration; the backlog poll it made is modelled in cmp_backlog.c. */
static void on_softirq(struct replay *p, const struct val_trace_event *ev)
{
    if (ev->u.softirq.vec != NET_RX_SOFTIRQ)
        return;
    int c = ev->cpu;
    if (ev->kind == VAL_EV_SOFTIRQ_ENTRY) {
        p->softirq_start[c] = ev->ts_ns + 1;
        p->softirq_in_ksoftirqd[c] = g_str_has_prefix(ev->comm, "ksoftirqd/");
        return;
    }
    if (!p->softirq_start[c])
        return; /* the run began before the trace */
    uint64_t entry_ns = p->softirq_start[c] - 1, dur = ev->ts_ns - entry_ns;
    p->softirq_start[c] = 0;
    struct val_report_cpu *pc = &p->r->cpus[c];
    pc->net_rx_ns += dur;
    if (p->softirq_in_ksoftirqd[c])
        pc->net_rx_ksoftirqd_ns += dur;
    pc->net_rx_runs++;
    sim_hist_add(&p->r->net_rx_us, dur);
    val_backlog_net_rx_run(p, c, entry_ns, ev->ts_ns); /* cmp_backlog.c */
}

/* NET_RX run durations: traced, and priced by the cost model (softirq_model.c). */
static void softirq_on_event(struct replay *p, const struct val_trace_event *ev)
{
    int64_t nrx_ns = val_nrx_model_event(p->nrx, ev);
    if (nrx_ns >= 0) {
        sim_hist_add(&p->r->net_rx_model_us, (uint64_t)nrx_ns);
        p->r->cpus[ev->cpu].model_net_rx_ns += (uint64_t)nrx_ns;
    }
    if (ev->kind == VAL_EV_SOFTIRQ_ENTRY || ev->kind == VAL_EV_SOFTIRQ_EXIT)
        on_softirq(p, ev);
}

static bool softirq_setup(struct replay *p, GError **err)
{
    p->nrx = val_nrx_model_new(p->ncpus, &p->o->cost, val_bundle_rx_dev(p->b));
    val_nrx_model_record(p->nrx, p->o->nrx_runs);
    return true;
}

const struct val_cmp val_cmp_softirq = {"softirq", softirq_setup, softirq_on_event, NULL};
