/* The simulated host's event loop: a (time, seq) heap of CPU-chunk ends,
 * IRQ assertions and thread wake-ups, merged with the time-ordered arrival
 * stream (arrivals are exogenous: never heap events). No allocation or
 * logging per packet. */
#include "sim/machine.h"

#include <string.h>

#include "models/app/sink.h"
#include "models/nic/nic.h"
#include "nicdrv-model/nicdrv.h"
#include "sim/err.h"
#include "sim/heap.h"

enum { EV_CPU, EV_IRQ, EV_WAKE };

#define IRQ_BASE 40 /* Linux IRQ number of the first MSI-X vector (typical x86) */

struct sim_machine {
    struct sim_machine_cfg cfg;
    uint64_t end;
    struct sim_heap heap;
    struct nic *nic;
    struct nicdrv_adapter *drv;
    struct kern_host *kern;
    struct app_sinks *app;
    struct sim_source src;
    struct sim_steer steer;
    struct traffic_pkt pkt;
    bool have_pkt;
    uint64_t *cpu_at; /* armed EV_CPU time */
    bool *cpu_armed;
    int stepping; /* CPU inside kern_cpu_step, -1 none */
    struct sim_flow_result *flows;
    uint64_t *flow_queues; /* bit per RX queue seen (queues <= 64) */
    uint64_t offered, steer_drops;
};

static void schedule_irq(void *ctx, unsigned v, uint64_t at)
{
    struct sim_machine *m = ctx;
    sim_heap_push(&m->heap, at, EV_IRQ, v);
}

static void kick_cpu(void *ctx, unsigned cpu, uint64_t at)
{
    struct sim_machine *m = ctx;
    if (m->cpu_armed[cpu] || m->stepping == (int)cpu)
        return; /* busy: the end of its chunk looks for work */
    m->cpu_armed[cpu] = true;
    m->cpu_at[cpu] = at;
    sim_heap_push(&m->heap, at, EV_CPU, cpu);
}

static void wake_at(void *ctx, struct cpus_thread *t, uint64_t at)
{
    struct sim_machine *m = ctx;
    if (t->wake_at <= at)
        return; /* an earlier wake-up is already on its way */
    t->wake_at = at;
    sim_heap_push(&m->heap, at, EV_WAKE, t->id);
}

static void pull_packet(struct sim_machine *m)
{
    m->have_pkt = m->src.next(m->src.ctx, &m->pkt) && m->pkt.ts_ns < m->end;
}

struct sim_machine *sim_machine_new(const struct sim_machine_cfg *cfg, struct sim_source src,
                                    struct sim_steer steer, GError **err)
{
    if (cfg->rx_queues > 64 || cfg->n_cpus > 64 || cfg->n_flows == 0 || cfg->n_socks == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "machine: need 1..64 CPUs and RX queues, >= 1 flow and socket");
        return NULL;
    }
    struct sim_machine *m = g_new0(struct sim_machine, 1);
    m->cfg = *cfg;
    m->end = cfg->duration_ns;
    m->src = src;
    m->steer = steer;
    m->stepping = -1;
    sim_heap_init(&m->heap, 64 + 4 * cfg->n_cpus);
    m->cpu_at = g_new0(uint64_t, cfg->n_cpus);
    m->cpu_armed = g_new0(bool, cfg->n_cpus);

    struct nic_cfg nc = {
        .n_rx_queues = cfg->rx_queues,
        .n_tx_queues = cfg->tx_queues,
        .n_cpus = cfg->n_cpus,
        .ring_size = cfg->ring_size,
        .link_mbps = cfg->link_mbps,
        .affinity = cfg->affinity,
        .n_affinity = cfg->n_affinity,
        .schedule_irq = schedule_irq,
        .ctx = m,
    };
    m->nic = nic_new(&nc, err);
    if (!m->nic)
        goto fail;
    struct kern_ops ops = {.kick_cpu = kick_cpu, .wake_at = wake_at, .ctx = m};
    m->kern = kern_host_new(cfg->n_cpus, &cfg->kp, &cfg->cost, &ops);
    kern_set_end(m->kern, m->end);
    struct nicdrv_cfg dc = {
        .ifname = "eth0",
        .irq_base = IRQ_BASE,
        .rx_usecs = cfg->rx_usecs,
        .link_mbps = cfg->link_mbps,
        .gro = cfg->gro,
        .weight = cfg->napi_weight,
        .n_weight = cfg->n_napi_weight,
    };
    m->drv = nicdrv_probe(m->nic, m->kern, &dc, err);
    if (!m->drv)
        goto fail;

    unsigned *sof = g_new(unsigned, cfg->n_flows);
    for (unsigned f = 0; f < cfg->n_flows; f++)
        sof[f] = cfg->sock_of_flow ? cfg->sock_of_flow[f] % cfg->n_socks : f % cfg->n_socks;
    kern_sockets_init(m->kern, cfg->n_socks, sof, cfg->n_flows, cfg->kp.rmem_default);
    g_free(sof);
    m->flows = g_new0(struct sim_flow_result, cfg->n_flows);
    for (unsigned f = 0; f < cfg->n_flows; f++)
        sim_flow_lat_init(&m->flows[f].latency);
    m->flow_queues = g_new0(uint64_t, cfg->n_flows);
    kern_set_flow_results(m->kern, m->flows);
    unsigned *cos = g_new(unsigned, cfg->n_socks);
    for (unsigned s = 0; s < cfg->n_socks; s++)
        cos[s] = cfg->cpu_of_sock ? cfg->cpu_of_sock[s] % cfg->n_cpus : s % cfg->n_cpus;
    m->app = app_sinks_new(m->kern, cfg->n_socks, cos);
    g_free(cos);
    pull_packet(m);
    return m;
fail:
    sim_machine_free(m);
    return NULL;
}

void sim_machine_free(struct sim_machine *m)
{
    if (!m)
        return;
    app_sinks_free(m->app);
    nicdrv_remove(m->drv);
    kern_host_free(m->kern);
    nic_free(m->nic);
    sim_heap_clear(&m->heap);
    g_free(m->cpu_at);
    g_free(m->cpu_armed);
    g_free(m->flows);
    g_free(m->flow_queues);
    g_free(m);
}

/* A frame reaches the NIC: classifier, then RX ring or rx_missed. */
static void arrive(struct sim_machine *m, const struct traffic_pkt *p)
{
    unsigned f = p->flow % m->cfg.n_flows;
    struct sim_rx_choice c;
    m->offered++;
    m->flows[f].packets++;
    m->steer.select(m->steer.ctx, p, &c);
    if (c.queue < 0 || (unsigned)c.queue >= m->cfg.rx_queues) {
        m->steer_drops++;
        m->flows[f].drops++;
        return;
    }
    struct nic_rx_desc d = {
        .ts = p->ts_ns,
        .flow = f,
        .len = p->wire_len,
        .payload = p->payload_len,
        .seq = p->tcp_seq,
        .hash = c.hash,
        .l4 = p->l4,
        .l4_hash = c.l4_hash,
        .hashed = c.hashed,
    };
    m->flow_queues[f] |= 1ull << c.queue;
    if (!nic_rx_frame(m->nic, (unsigned)c.queue, &d))
        m->flows[f].drops++;
}

int sim_machine_next(struct sim_machine *m, uint64_t *t)
{
    struct sim_ev ev;
    bool have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
    if (m->have_pkt && (!have_ev || m->pkt.ts_ns < ev.t)) {
        *t = m->pkt.ts_ns;
        return SIM_OWNER_NIC;
    }
    if (!have_ev)
        return SIM_OWNER_DONE;
    *t = ev.t;
    switch (ev.kind) {
    case EV_CPU:
        return (int)ev.id;
    case EV_WAKE:
        return (int)cpus_thread_get(kern_sched(m->kern), ev.id)->cpu;
    default:
        return SIM_OWNER_NIC;
    }
}

bool sim_machine_run_next(struct sim_machine *m, uint64_t *busy_from, uint64_t *busy_to)
{
    struct sim_ev ev;
    bool have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
    if (m->have_pkt && (!have_ev || m->pkt.ts_ns < ev.t)) {
        /* The NIC advances over every arrival before the next event. */
        do {
            arrive(m, &m->pkt);
            pull_packet(m);
            have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
        } while (m->have_pkt && (!have_ev || m->pkt.ts_ns < ev.t));
        return false;
    }
    if (!have_ev)
        return false;
    sim_heap_pop(&m->heap, &ev);
    if (ev.kind == EV_IRQ) {
        unsigned cpu;
        if (nic_irq_fire(m->nic, ev.id, ev.t, &cpu))
            kern_irq_deliver(m->kern, cpu, nicdrv_vector_irq(m->drv, ev.id), ev.t);
        return false;
    }
    if (ev.kind == EV_WAKE) {
        struct cpus_thread *th = cpus_thread_get(kern_sched(m->kern), ev.id);
        if (th->wake_at != ev.t)
            return false; /* superseded by an earlier one */
        th->wake_at = UINT64_MAX;
        if (cpus_wake(kern_sched(m->kern), th))
            kick_cpu(m, th->cpu, ev.t);
        return false;
    }
    unsigned c = ev.id;
    if (!m->cpu_armed[c] || m->cpu_at[c] != ev.t)
        return false;
    m->cpu_armed[c] = false;
    m->stepping = (int)c;
    uint64_t end = kern_cpu_step(m->kern, c, ev.t);
    m->stepping = -1;
    if (end > ev.t) {
        m->cpu_armed[c] = true;
        m->cpu_at[c] = end;
        sim_heap_push(&m->heap, end, EV_CPU, c);
        *busy_from = ev.t;
        *busy_to = end;
        return true;
    }
    return false;
}

void sim_machine_run_until(struct sim_machine *m, uint64_t t)
{
    uint64_t when, a, b;
    while (sim_machine_next(m, &when) != SIM_OWNER_DONE && when < t)
        sim_machine_run_next(m, &a, &b);
}

bool sim_machine_cpu_due(const struct sim_machine *m, unsigned cpu, uint64_t *t)
{
    *t = m->cpu_at[cpu];
    return m->cpu_armed[cpu];
}

uint64_t sim_machine_end(const struct sim_machine *m)
{
    return m->end;
}

unsigned sim_machine_n_cpus(const struct sim_machine *m)
{
    return m->cfg.n_cpus;
}

uint64_t sim_machine_offered(const struct sim_machine *m)
{
    return m->offered;
}

void sim_machine_result(struct sim_machine *m, struct sim_result *r)
{
    memset(r, 0, sizeof *r);
    unsigned nc = m->cfg.n_cpus, nq = m->cfg.rx_queues, nv = nic_q_vectors(m->nic);
    r->sim_time_s = (double)m->end / 1e9;
    r->n_cpus = nc;
    r->n_queues = nq;
    r->n_flows = m->cfg.n_flows;
    r->n_vectors = nv + 1;
    r->offered = m->offered;
    r->delivered = kern_delivered(m->kern);
    r->stack_calls = kern_stack_calls(m->kern);
    r->cpus = g_new0(struct sim_cpu_result, nc);
    for (unsigned c = 0; c < nc; c++) {
        const struct kern_cpu_stats *st = kern_cpu_stats(m->kern, c);
        struct sim_cpu_result *cr = &r->cpus[c];
        cr->usr_ns = st->acct[KERN_USR];
        cr->sys_ns = st->acct[KERN_SYS];
        cr->irq_ns = st->acct[KERN_IRQ];
        cr->soft_ns = st->acct[KERN_SOFT];
        uint64_t busy = cr->usr_ns + cr->sys_ns + cr->irq_ns + cr->soft_ns;
        cr->idle_ns = busy < m->end ? m->end - busy : 0;
        cr->irqs = st->irqs;
        cr->processed = st->processed;
        cr->dropped = st->dropped;
        cr->time_squeeze = st->time_squeeze;
        cr->received_rps = st->received_rps;
        cr->ksoftirqd_ns = st->ksoftirqd_ns;
        cr->softirq_restarts_exhausted = st->softirq_restarts_exhausted;
        cr->ctx_switches = st->ctx_switches;
    }
    uint64_t ring_drops = 0;
    r->queues = g_new0(struct sim_queue_result, nq);
    for (unsigned q = 0; q < nq; q++) {
        const struct nic_queue_stats *qs = nic_queue_stats(m->nic, q);
        struct sim_queue_result *qr = &r->queues[q];
        unsigned v = nic_queue_vector(m->nic, q);
        qr->packets = qs->packets;
        qr->bytes = qs->bytes;
        qr->drops = qs->drops;
        ring_drops += qs->drops;
        qr->irqs = nic_vector_irqs(m->nic, v);
        qr->polls = nicdrv_napi_polls(m->drv, v);
        qr->vector = v;
        qr->irq_cpu = nic_vector_cpu(m->nic, v);
        for (unsigned f = 0; f < m->cfg.n_flows; f++)
            qr->flows += (m->flow_queues[f] >> q) & 1;
    }
    r->dropped = ring_drops + kern_sock_drops(m->kern) + m->steer_drops;
    r->flows = g_new0(struct sim_flow_result, m->cfg.n_flows);
    memcpy(r->flows, m->flows, m->cfg.n_flows * sizeof *r->flows);
    sim_hist_init(&r->latency);
    sim_hist_merge(&r->latency, kern_latency_hist(m->kern));
    r->vectors = g_new0(struct sim_vector_result, nv + 1);
    for (unsigned v = 0; v <= nv; v++) {
        struct sim_vector_result *vr = &r->vectors[v];
        vr->per_cpu = g_new0(uint64_t, nc);
        vr->irq = IRQ_BASE + v;
        if (v < nv) {
            g_strlcpy(vr->name, kern_irq_name(m->kern, vr->irq), sizeof vr->name);
            for (unsigned c = 0; c < nc; c++)
                vr->per_cpu[c] = kern_irq_count(m->kern, vr->irq, c);
        } else { /* ixgbe_msix_other: link/FDIR causes, never raised here */
            g_strlcpy(vr->name, "eth0", sizeof vr->name);
        }
    }
    memcpy(r->napi_poll_hist, kern_napi_poll_hist(m->kern), sizeof r->napi_poll_hist);
}

void sim_result_clear(struct sim_result *r)
{
    if (!r)
        return;
    for (unsigned v = 0; v < r->n_vectors; v++)
        g_free(r->vectors[v].per_cpu);
    g_free(r->vectors);
    g_free(r->cpus);
    g_free(r->queues);
    g_free(r->flows);
    memset(r, 0, sizeof *r);
}
