/* Software-steering glue of the simulated host: ATR sampling of transmitted
 * frames (ixgbe_atr -> the Flow Director policy's observe_tx), XPS maps from
 * the scenario (sysfs xps_cpus/xps_rxqs written after the driver's own init)
 * and sched_setaffinity-like thread moves. */
#include "sim/host/machine_steer.h"

#include <string.h>

#include "models/kernel/tx.h"
#include "sim/core/err.h"
#include "sim/host/machine.h"

struct sim_msteer {
    const struct sim_machine_cfg *cfg; /* borrowed: lives in the machine */
    struct kern_host *h;
    struct sim_steer steer;
    struct traffic_pkt *flow_pkt; /* per flow: first frame seen; NULL = nothing learns */
    uint8_t *seen;
    struct cpus_thread **ev_thread; /* per event */
    uint64_t moves;
};

struct sim_msteer *sim_msteer_new(const struct sim_machine_cfg *cfg, struct kern_host *h,
                                  const struct sim_steer *steer)
{
    struct sim_msteer *ms = g_new0(struct sim_msteer, 1);
    ms->cfg = cfg;
    ms->h = h;
    ms->steer = *steer;
    if (steer->observe_tx || steer->fdir_add) {
        ms->flow_pkt = g_new0(struct traffic_pkt, cfg->n_flows);
        ms->seen = g_new0(uint8_t, cfg->n_flows);
    }
    ms->ev_thread = g_new0(struct cpus_thread *, cfg->n_events + 1);
    return ms;
}

void sim_msteer_free(struct sim_msteer *ms)
{
    if (!ms)
        return;
    g_free(ms->flow_pkt);
    g_free(ms->seen);
    g_free(ms->ev_thread);
    g_free(ms);
}

void sim_msteer_arrive(struct sim_msteer *ms, const struct traffic_pkt *p)
{
    if (!ms->flow_pkt)
        return;
    unsigned f = p->flow < ms->cfg->n_flows ? p->flow : p->flow % ms->cfg->n_flows;
    if (!ms->seen[f]) {
        ms->seen[f] = 1;
        ms->flow_pkt[f] = *p;
    }
}

/* The frame the host sends back on the connection: the first received frame
 * with addresses, ports and MACs swapped. */
static void reply_frame(const struct traffic_pkt *rx, uint8_t tcp_flags, struct traffic_pkt *tx)
{
    *tx = *rx;
    memcpy(tx->saddr, rx->daddr, sizeof tx->saddr);
    memcpy(tx->daddr, rx->saddr, sizeof tx->daddr);
    memcpy(tx->smac, rx->dmac, sizeof tx->smac);
    memcpy(tx->dmac, rx->smac, sizeof tx->dmac);
    tx->sport = rx->dport;
    tx->dport = rx->sport;
    tx->tcp_flags = tcp_flags;
    tx->payload_len = 0;
}

void sim_msteer_atr_sample(void *ctx, uint32_t flow, uint8_t tcp_flags, unsigned txq)
{
    struct sim_msteer *ms = ctx;
    if (!ms->steer.observe_tx || flow >= ms->cfg->n_flows || !ms->seen[flow])
        return;
    struct traffic_pkt tx;
    reply_frame(&ms->flow_pkt[flow], tcp_flags, &tx);
    ms->steer.observe_tx(ms->steer.ctx, &tx, txq);
}

int sim_msteer_fdir_add(void *ctx, uint32_t flow, unsigned rxq)
{
    struct sim_msteer *ms = ctx;
    if (!ms->steer.fdir_add || flow >= ms->cfg->n_flows || !ms->seen[flow])
        return -1;
    return ms->steer.fdir_add(ms->steer.ctx, &ms->flow_pkt[flow], rxq);
}

bool sim_msteer_fdir_del(void *ctx, unsigned id)
{
    struct sim_msteer *ms = ctx;
    return ms->steer.fdir_del && ms->steer.fdir_del(ms->steer.ctx, id);
}

/* Sink, netserver or worker thread number i (creation order of the application). */
static struct cpus_thread *app_thread(struct kern_host *h, unsigned i, unsigned *n_app)
{
    struct cpus_sched *s = kern_sched(h);
    struct cpus_thread *found = NULL;
    unsigned k = 0;
    for (unsigned id = 0; id < cpus_nr_threads(s); id++) {
        struct cpus_thread *t = cpus_thread_get(s, id);
        if (t->is_ksoftirqd)
            continue;
        if (k++ == i)
            found = t;
    }
    *n_app = k;
    return found;
}

bool sim_msteer_setup(struct sim_msteer *ms, GError **err)
{
    const struct sim_machine_cfg *cfg = ms->cfg;
    if (cfg->xps_cpus &&
        !kern_tx_set_xps(ms->h, 0, cfg->xps_cpus, cfg->xps_rxqs, cfg->rx_queues, err)) {
        g_prefix_error(err, "/nic/tx: ");
        return false;
    }
    for (unsigned i = 0; i < cfg->n_events; i++) {
        unsigned n_app;
        ms->ev_thread[i] = app_thread(ms->h, cfg->events[i].thread, &n_app);
        if (!ms->ev_thread[i]) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "/events/%u/thread: thread %u does not exist (%u application threads)", i,
                        cfg->events[i].thread, n_app);
            return false;
        }
        if (cfg->events[i].cpu >= cfg->n_cpus) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "/events/%u/cpu: CPU %u does not exist (%u CPUs)", i, cfg->events[i].cpu,
                        cfg->n_cpus);
            return false;
        }
    }
    return true;
}

uint64_t sim_msteer_event_at(const struct sim_msteer *ms, unsigned i)
{
    return i < ms->cfg->n_events ? ms->cfg->events[i].at_ns : UINT64_MAX;
}

#define MOVE_RETRY_NS 5000

uint64_t sim_msteer_event_run(struct sim_msteer *ms, unsigned i, uint64_t now)
{
    struct cpus_thread *t = ms->ev_thread[i];
    if (t->state != CPUS_SLEEPING)
        return now + MOVE_RETRY_NS; /* moves at its next blocking point */
    struct sim_cpumask m;
    sim_cpumask_clear(&m);
    sim_cpumask_set(&m, (int)ms->cfg->events[i].cpu);
    if (t->cpu != ms->cfg->events[i].cpu)
        ms->moves++;
    cpus_thread_set_affinity(kern_sched(ms->h), t, &m);
    return UINT64_MAX;
}

uint64_t sim_msteer_moves(const struct sim_msteer *ms)
{
    return ms->moves;
}
