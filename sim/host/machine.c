/* The simulated host's event loop: a (time, seq) heap of CPU-chunk ends,
 * IRQ assertions and thread wake-ups, merged with the time-ordered arrival
 * stream (arrivals are exogenous: never heap events). No allocation or
 * logging per packet. */
#include "sim/host/machine.h"

#include <string.h>

#include "models/app/hog.h"
#include "models/app/workload.h"
#include "models/kernel/smp.h"
#include "models/kernel/tcp_stream.h"
#include "models/kernel/tx.h"
#include "models/nic/nic.h"
#include "nicdrv-model/nicdrv.h"
#include "sim/core/err.h"
#include "sim/core/heap.h"
#include "sim/host/machine_priv.h"
#include "sim/host/machine_steer.h"

enum { EV_CPU, EV_IRQ, EV_WAKE, EV_BALANCE, EV_REQUEST, EV_DEVICE, EV_MOVE, EV_LOAD, EV_TIMER };
enum { LOAD_SNAP, LOAD_CALL }; /* EV_LOAD ids */

static void schedule_irq(void *ctx, unsigned v, uint64_t at)
{
    struct sim_machine *m = ctx;
    sim_heap_push(&m->heap, at, EV_IRQ, v);
}

#define NIC_B_EV 64 /* EV_IRQ ids of eth1's vectors start here */

static void schedule_irq_b(void *ctx, unsigned v, uint64_t at)
{
    schedule_irq(ctx, NIC_B_EV + v, at);
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

/* An hrtimer armed on `cpu` expires at `at` (kern_ops.timer_at). */
static void timer_at(void *ctx, unsigned cpu, uint64_t at)
{
    struct sim_machine *m = ctx;
    sim_heap_push(&m->heap, at, EV_TIMER, cpu);
}

/* No chunk under way: the CPU sits in the idle loop (a C-state). */
static bool cpu_idle(void *ctx, unsigned cpu)
{
    struct sim_machine *m = ctx;
    return !m->cpu_armed[cpu] && m->stepping != (int)cpu;
}

static void wake_at(void *ctx, struct cpus_thread *t, uint64_t at)
{
    struct sim_machine *m = ctx;
    if (t->wake_at <= at)
        return; /* an earlier wake-up is already on its way */
    t->wake_at = at;
    /* the waker is the code running on the stepping CPU (softirq or a thread); socket
     * wake-ups are WF_SYNC (sock_def_readable -> wake_up_interruptible_sync_poll) */
    t->waker_cpu = m->stepping;
    t->wake_sync = true;
    if (m->stepping >= 0) /* a chunk's wake-ups come in time order: the CPU's lane */
        sim_heap_push_lane(&m->heap, (unsigned)m->stepping, at, EV_WAKE, t->id);
    else
        sim_heap_push(&m->heap, at, EV_WAKE, t->id);
}

static void pull_packet(struct sim_machine *m);

static void send_request(void *ctx, unsigned flow, uint64_t at)
{
    struct sim_machine *m = ctx;
    if (m->cfg.linked)
        return; /* a multi-host run's requests come from the client host over its link */
    sim_heap_push(&m->heap, at, EV_REQUEST, flow);
}

/* The closed-loop clients: the generator's first frame of each flow is the client's
 * first request; later ones are issued by the server's responses. */
static void start_clients(struct sim_machine *m)
{
    unsigned nf = m->cfg.n_flows;
    bool *seen = g_new0(bool, nf);
    m->tmpl = g_new0(struct traffic_pkt, nf);
    m->seq = g_new0(uint32_t, nf);
    for (; m->have_pkt; pull_packet(m)) {
        unsigned f = m->pkt.flow % nf;
        if (!seen[f]) {
            seen[f] = true;
            m->tmpl[f] = m->pkt;
            m->seq[f] = m->pkt.tcp_seq;
        }
    }
    for (unsigned f = 0; f < nf; f++) {
        if (!seen[f])
            continue;
        m->wl_ops->client_start(m->wl, f, m->tmpl[f].ts_ns);
    }
    g_free(seen);
}

/* One request frame of client `flow` (its first frame's headers, the request payload). */
static void request_frame(struct sim_machine *m, unsigned flow, uint64_t at, struct traffic_pkt *p)
{
    uint32_t bytes = m->wl_ops->request_bytes(m->wl);
    *p = m->tmpl[flow];
    uint32_t hdr = p->wire_len - p->payload_len;
    p->ts_ns = at;
    p->payload_len = bytes;
    p->wire_len = hdr + bytes < 60 ? 60 : hdr + bytes;
    p->tcp_seq = m->seq[flow];
    m->seq[flow] += bytes;
    if (p->l4 == IPPROTO_TCP)
        p->tcp_flags = PKT_TCP_ACK | PKT_TCP_PSH;
}

/* The other device's interrupt handler: acknowledge, queue the completion work for its
 * softirq (e.g. blk_mq_complete_request -> BLOCK_SOFTIRQ). */
static int dev_irq_handler(int irq, void *data)
{
    (void)irq;
    struct dev_irq *d = data;
    struct kern_host *h = d->m->kern;
    kern_charge(h, d->src->hardirq_ns);
    if (d->src->softirq_ns)
        kern_raise_softirq_work(h, (unsigned)d->src->softirq, d->src->softirq_ns);
    return KERN_IRQ_HANDLED;
}

static bool dev_irqs_init(struct sim_machine *m, unsigned first_irq, GError **err)
{
    for (unsigned i = 0; i < m->cfg.n_irq_sources && i < SIM_MAX_IRQ_SOURCES; i++) {
        struct dev_irq *d = &m->dev[i];
        d->m = m;
        d->src = &m->cfg.irq_sources[i];
        d->irq = first_irq + i;
        if (d->src->cpu >= m->cfg.n_cpus || d->src->period_ns == 0 ||
            !kern_request_irq(m->kern, d->irq, dev_irq_handler, d->src->name, d)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "irq_sources/%u: cannot request IRQ %u on CPU %u", i, d->irq, d->src->cpu);
            return false;
        }
        sim_heap_push(&m->heap, d->src->period_ns, EV_DEVICE, i);
    }
    return true;
}

/* One busy-polling worker per RX queue on the CPU its vector's IRQ was bound to. */
/* Bulk TCP transmit counters (#15 point 3): the stack's skbs and GSO segments, the
 * driver's descriptors, the NIC's frames on the wire. */
/* A workload thread made runnable at setup starts its CPU at t = 0. */
static void kick_at_start(void *ctx, unsigned cpu)
{
    kick_cpu(ctx, cpu, 0);
}

/* The workload's env (app_env) and the workload itself, from the scenario's ops. */
static void start_workload(struct sim_machine *m, const unsigned *cpu_of_sock)
{
    const struct sim_machine_cfg *cfg = &m->cfg;
    unsigned nq = cfg->rx_queues;
    struct napi_struct **napi = g_new(struct napi_struct *, nq);
    unsigned *qcpu = g_new(unsigned, nq);
    for (unsigned q = 0; q < nq; q++) {
        unsigned v = nic_queue_vector(m->nic, q);
        napi[q] = nicdrv_napi(m->drv, v);
        qcpu[q] = nic_vector_cpu(m->nic, v);
    }
    struct app_env env = {.h = m->kern,
                          .n_socks = cfg->n_socks,
                          .n_flows = cfg->n_flows,
                          .cpu_of_sock = cpu_of_sock,
                          .n_queues = nq,
                          .queue_cpu = qcpu,
                          .queue_napi = napi,
                          .clients = {send_request, m},
                          .kick = kick_at_start,
                          .kick_ctx = m,
                          .nic = m->nic,
                          .rx_ring_size = cfg->ring_size,
                          .flows = m->flows};
    m->wl_ops = cfg->workload;
    m->wl = m->wl_ops->new (cfg->workload_cfg, &env);
    g_free(napi);
    g_free(qcpu);
}

static void kick_now(void *ctx, unsigned cpu)
{
    struct sim_machine *m = ctx;
    kick_cpu(m, cpu, m->balance_at);
}

/* Scheduler tunables: the scenario's, or the defaults with the kernel's slice. */
static void sched_configure(struct sim_machine *m, const struct sim_machine_cfg *cfg)
{
    struct cpus_sched_cfg sc = cfg->sched;
    if (sc.latency_ns == 0) {
        cpus_sched_cfg_defaults(&sc);
        sc.min_granularity_ns = cfg->kp.sched_slice_ns;
    }
    sc.topology = cfg->sched.topology;
    cpus_configure(kern_sched(m->kern), &sc);
}

static void pull_packet(struct sim_machine *m)
{
    m->have_pkt = m->src.next(m->src.ctx, &m->pkt) && m->pkt.ts_ns < m->end;
}

/* sysctl net.core.* and /sys/class/net/eth0/queues/rx-N/rps_{cpus,flow_cnt} */
static bool setup_rps(struct kern_host *h, const struct sim_machine_cfg *cfg, GError **err)
{
    if (!kern_rps_enable(h, cfg->rps, err) || !kern_rps_add_dev(h, 0, cfg->rx_queues, err))
        return false;
    for (unsigned q = 0; q < cfg->rx_queues; q++)
        if (!kern_rps_set_queue(h, 0, q, cfg->rps_cpus ? &cfg->rps_cpus[q] : NULL,
                                cfg->rps_flow_cnt ? cfg->rps_flow_cnt[q] : 0, err))
            return false;
    return true;
}

/* eth1: NIC + driver, IRQs numbered after eth0's "other" vector. */
static bool probe_nic_b(struct sim_machine *m, const struct sim_nic_b *b, GError **err)
{
    struct nic_cfg nc = {
        .n_rx_queues = b->rx_queues,
        .n_tx_queues = b->tx_queues,
        .n_cpus = m->cfg.n_cpus,
        .ring_size = b->ring_size,
        .link_mbps = b->link_mbps,
        .affinity = b->affinity,
        .n_affinity = b->n_affinity,
        .schedule_irq = schedule_irq_b,
        .ctx = m,
        .wire_out = m->cfg.wire_out ? sim_mlink_wire_out1 : NULL,
    };
    if (!(m->nic_b = nic_new(&nc, err)))
        return false;
    unsigned base = IRQ_BASE + nic_q_vectors(m->nic) + 1;
    if (base + nic_q_vectors(m->nic_b) + 1 > KERN_MAX_IRQS) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "/nic_b: eth0 and eth1 need %u MSI-X IRQs from %d: more than the model's %d",
                    nic_q_vectors(m->nic) + nic_q_vectors(m->nic_b) + 2, IRQ_BASE, KERN_MAX_IRQS);
        return false;
    }
    struct nicdrv_cfg dc = {
        .ifname = "eth1",
        .irq_base = base,
        .rx_usecs = b->rx_usecs,
        .link_mbps = b->link_mbps,
        .gro = true,
        .dev_index = 1,
    };
    if (!(m->drv_b = nicdrv_probe(m->nic_b, m->kern, &dc, err)))
        return false;
    if (b->xps_cpus && !kern_tx_set_xps(m->kern, 1, b->xps_cpus, NULL, 0, err)) {
        g_prefix_error(err, "/nic_b/tx: ");
        return false;
    }
    return true;
}

/* The counters a control loop reads for steer_policy_ops.on_load, at `now`:
 * ethtool -S rx_queue_N_packets and rx_missed (ixgbe_get_ethtool_stats), the
 * ring's descriptors not yet cleaned, the vector's CPU, and /proc/stat's
 * softirq column (account_system_index_time(CPUTIME_SOFTIRQ)). */
static void load_snapshot(struct sim_machine *m, uint64_t now)
{
    struct steer_load *l = &m->load;
    uint64_t *pk = (uint64_t *)l->rxq_packets, *dr = (uint64_t *)l->rxq_drops;
    unsigned *ring = (unsigned *)l->rxq_ring, *cpu = (unsigned *)l->rxq_cpu;
    uint64_t *soft = (uint64_t *)l->cpu_softirq_ns;
    for (unsigned q = 0; q < l->n_rx_queues; q++) {
        const struct nic_queue_stats *st = nic_queue_stats(m->nic, q);
        pk[q] = st->packets;
        dr[q] = st->drops;
        ring[q] = nic_rx_ready(m->nic, q);
        cpu[q] = nic_vector_cpu(m->nic, nic_queue_vector(m->nic, q));
    }
    for (unsigned c = 0; c < l->n_cpus; c++)
        soft[c] = kern_cpu_stats(m->kern, c)->acct[KERN_SOFT];
    l->taken_ns = now;
}

static bool load_init(struct sim_machine *m, GError **err)
{
    uint64_t p = m->steer.feedback_ns, s = m->steer.staleness_ns;
    if (p == 0 || s >= p) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "machine: load feedback every %" G_GUINT64_FORMAT
                    " ns with a snapshot %" G_GUINT64_FORMAT
                    " ns old, expected a period above the staleness",
                    p, s);
        return false;
    }
    struct steer_load *l = &m->load;
    l->n_rx_queues = m->cfg.rx_queues;
    l->n_cpus = m->cfg.n_cpus;
    l->interval_ns = p;
    l->rxq_packets = g_new0(uint64_t, l->n_rx_queues);
    l->rxq_drops = g_new0(uint64_t, l->n_rx_queues);
    l->rxq_ring = g_new0(unsigned, l->n_rx_queues);
    l->rxq_cpu = g_new0(unsigned, l->n_rx_queues);
    l->cpu_softirq_ns = g_new0(uint64_t, l->n_cpus);
    /* first call at one period; its snapshot `staleness` before */
    sim_heap_push(&m->heap, p - s, EV_LOAD, s ? LOAD_SNAP : LOAD_CALL);
    return true;
}

/* An EV_LOAD event: read the counters, or hand them to the policy (both at
 * once without staleness), then arm the next one. */
static void load_event(struct sim_machine *m, unsigned id, uint64_t t)
{
    uint64_t p = m->steer.feedback_ns, s = m->steer.staleness_ns;
    if (id == LOAD_SNAP || s == 0)
        load_snapshot(m, t);
    if (id == LOAD_SNAP) {
        sim_heap_push(&m->heap, t + s, EV_LOAD, LOAD_CALL);
        return;
    }
    m->load.now_ns = t;
    m->steer.on_load(m->steer.ctx, &m->load);
    sim_heap_push(&m->heap, t + p - s, EV_LOAD, s ? LOAD_SNAP : LOAD_CALL);
}

struct sim_machine *sim_machine_new(const struct sim_machine_cfg *cfg, struct sim_source src,
                                    struct sim_steer steer, GError **err)
{
    if (cfg->rx_queues > 64 || cfg->n_cpus > SIM_NR_CPUS || cfg->n_flows == 0 ||
        cfg->n_socks == 0) {
        cpus_topology_free(cfg->sched.topology);
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "machine: need 1..%d CPUs, 1..64 RX queues, >= 1 flow and socket", SIM_NR_CPUS);
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_tx_frames; i++)
        if (cfg->tx_frames[i].txq >= cfg->tx_queues ||
            (i && cfg->tx_frames[i].ts_ns < cfg->tx_frames[i - 1].ts_ns)) {
            cpus_topology_free(cfg->sched.topology);
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "machine: transmit %zu: TX queue %u of %u or time going backwards", i + 1,
                        cfg->tx_frames[i].txq, cfg->tx_queues);
            return NULL;
        }
    struct cpus_topology *topology = cfg->sched.topology; /* ours from here on */
    struct sim_machine *m = g_new0(struct sim_machine, 1);
    m->cfg = *cfg;
    m->cfg.sched.topology = NULL;
    m->end = cfg->duration_ns;
    m->src = src;
    m->steer = steer;
    m->stepping = -1;
    sim_heap_init(&m->heap, 64 + 4 * cfg->n_cpus);
    sim_heap_lanes(&m->heap, cfg->n_cpus);
    m->cpu_at = g_new0(uint64_t, cfg->n_cpus);
    m->cpu_armed = g_new0(bool, cfg->n_cpus);

    struct nic_cfg nc = {
        .n_rx_queues = cfg->rx_queues,
        .n_tx_queues = cfg->tx_queues,
        .n_cpus = cfg->n_cpus,
        .ring_size = cfg->ring_size,
        .link_mbps = cfg->link_mbps,
        .msix_vectors = cfg->msix_vectors,
        .affinity = cfg->affinity,
        .n_affinity = cfg->n_affinity,
        .schedule_irq = schedule_irq,
        .ctx = m,
        .wire_out = cfg->wire_out ? sim_mlink_wire_out0 : NULL,
    };
    m->nic = nic_new(&nc, err);
    if (!m->nic)
        goto fail;
    struct kern_ops ops = {.kick_cpu = kick_cpu,
                           .wake_at = wake_at,
                           .ctx = m,
                           .cpu_idle = cpu_idle,
                           .timer_at = timer_at};
    m->kern = kern_host_new(cfg->n_cpus, &cfg->kp, &cfg->cost, &ops);
    m->obs = kern_observer_slots(m->kern);
    sched_configure(m, cfg);
    topology = NULL;
    kern_set_end(m->kern, m->end);
    m->ms = sim_msteer_new(&m->cfg, m->kern, &m->steer);
    if (cfg->rps && !setup_rps(m->kern, cfg, err))
        goto fail;
    struct nicdrv_cfg dc = {
        .ifname = "eth0",
        .irq_base = IRQ_BASE,
        .rx_usecs = cfg->rx_usecs,
        .link_mbps = cfg->link_mbps,
        .gro = cfg->gro,
        .weight = cfg->napi_weight,
        .n_weight = cfg->n_napi_weight,
        .atr = cfg->atr,
        .atr_sample = steer.observe_tx ? sim_msteer_atr_sample : NULL,
        .atr_ctx = m->ms,
        .arfs = cfg->arfs && cfg->rps,
        .arfs_hw = {sim_msteer_fdir_add, sim_msteer_fdir_del, m->ms},
    };
    dc.xdp_prog = cfg->xdp ? &m->cfg.xdp_prog : NULL;
    m->drv = nicdrv_probe(m->nic, m->kern, &dc, err);
    if (!m->drv || (cfg->nic_b && !probe_nic_b(m, cfg->nic_b, err)))
        goto fail;
    if (cfg->xdp && cfg->xdp_prog.act == KERN_XDP_REDIRECT &&
        !kern_xsk_map_init(m->kern, cfg->rx_queues, cfg->xsk_entries, cfg->xsk_zc, err))
        goto fail;
    if (cfg->ipt_raw_drop)
        kern_iptables_raw_drop(m->kern);
    if ((cfg->no_tso || cfg->no_gso) &&
        !kern_tx_set_offloads(m->kern, 0, !cfg->no_tso, !cfg->no_gso, err))
        goto fail;

    unsigned *sof = g_new(unsigned, cfg->n_flows);
    for (unsigned f = 0; f < cfg->n_flows; f++)
        sof[f] = cfg->sock_of_flow ? cfg->sock_of_flow[f] % cfg->n_socks : f % cfg->n_socks;
    kern_sockets_init(m->kern, cfg->n_socks, sof, cfg->n_flows, cfg->kp.rmem_default);
    m->cfg.sock_of_flow = NULL; /* the kernel's sockets hold the map from here on */
    if (cfg->sock_by_cpu)
        kern_sockets_reuseport_cpu(m->kern);
    if (cfg->no_listener)
        kern_sockets_no_listener(m->kern);
    g_free(sof);
    m->flows = g_new0(struct sim_flow_result, cfg->n_flows);
    for (unsigned f = 0; f < cfg->n_flows; f++)
        sim_flow_lat_init(&m->flows[f].latency);
    m->flow_queues = g_new0(uint64_t, cfg->n_flows);
    kern_set_flow_results(m->kern, m->flows);
    unsigned *cos = g_new(unsigned, cfg->n_socks);
    for (unsigned s = 0; s < cfg->n_socks; s++)
        cos[s] = cfg->cpu_of_sock ? cfg->cpu_of_sock[s] % cfg->n_cpus : s % cfg->n_cpus;
    if (cfg->workload)
        start_workload(m, cos);
    g_free(cos);
    if (!sim_msteer_setup(m->ms, err))
        goto fail;
    if (cfg->n_events)
        sim_heap_push(&m->heap, sim_msteer_event_at(m->ms, 0), EV_MOVE, 0);
    if (cfg->thread_affinity)
        for (unsigned i = 0; i < cpus_nr_threads(kern_sched(m->kern)); i++) {
            struct cpus_thread *t = cpus_thread_get(kern_sched(m->kern), i);
            if (!t->is_ksoftirqd)
                cpus_thread_set_affinity(kern_sched(m->kern), t, cfg->thread_affinity);
        }
    if (cfg->n_hogs) {
        m->hogs = app_hogs_new(m->kern, cfg->hog_cpus, cfg->n_hogs);
        for (unsigned c = 0; c < cfg->n_cpus; c++)
            kick_cpu(m, c, 0);
    }
    if (!dev_irqs_init(
            m, IRQ_BASE + nic_q_vectors(m->nic) + 1 + (m->nic_b ? nic_q_vectors(m->nic_b) + 1 : 0),
            err))
        goto fail;
    if (cpus_balance_interval(kern_sched(m->kern)))
        sim_heap_push(&m->heap, cpus_balance_interval(kern_sched(m->kern)), EV_BALANCE, 0);
    if (steer.on_load && !load_init(m, err))
        goto fail;
    pull_packet(m);
    if (cfg->linked)
        m->link = sim_mlink_new(m); /* the source only names the connections */
    else if (m->wl_ops && m->wl_ops->client_start)
        start_clients(m);
    return m;
fail:
    cpus_topology_free(topology);
    sim_machine_free(m);
    return NULL;
}

void sim_machine_free(struct sim_machine *m)
{
    if (!m)
        return;
    if (m->wl_ops)
        m->wl_ops->free(m->wl);
    app_hogs_free(m->hogs);
    sim_msteer_free(m->ms);
    sim_mlink_free(m->link);
    g_free(m->tmpl);
    g_free(m->seq);
    nicdrv_remove(m->drv);
    nicdrv_remove(m->drv_b);
    nic_free(m->nic_b);
    kern_host_free(m->kern);
    nic_free(m->nic);
    sim_heap_clear(&m->heap);
    g_free(m->cpu_at);
    g_free(m->cpu_armed);
    g_free(m->flows);
    g_free(m->flow_queues);
    g_free((void *)m->load.rxq_packets);
    g_free((void *)m->load.rxq_drops);
    g_free((void *)m->load.rxq_ring);
    g_free((void *)m->load.rxq_cpu);
    g_free((void *)m->load.cpu_softirq_ns);
    g_free(m);
}

/* A frame reaches the NIC: classifier, then RX ring or rx_missed. Inlined into the NIC's
 * loop over the arrivals before the next event (sim_machine_run_next), called elsewhere. */
G_ALWAYS_INLINE static inline void arrive_inl(struct sim_machine *m, const struct traffic_pkt *p)
{
    unsigned f = p->flow < m->cfg.n_flows ? p->flow : p->flow % m->cfg.n_flows;
    struct sim_rx_choice c;
    m->offered++;
    m->flows[f].packets++;
    sim_msteer_arrive(m->ms, p);
    m->steer.select(m->steer.ctx, p, &c);
    if (c.queue < 0 || (unsigned)c.queue >= m->cfg.rx_queues) {
        m->steer_drops++;
        m->flows[f].drops++;
        return;
    }
    m->flow_queues[f] |= 1ull << c.queue;
    /* written in place on the ring: no descriptor copy */
    struct nic_rx_desc *d = nic_rx_slot(m->nic, (unsigned)c.queue);
    if (!d) {
        m->flows[f].drops++;
        return;
    }
    *d = (struct nic_rx_desc){
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
    nic_rx_post(m->nic, (unsigned)c.queue);
    if (G_UNLIKELY(m->obs->counter)) /* eth0's ring q filled one more descriptor */
        m->obs->counter(m->obs->ctx, KERN_CTR_RX_RING, (unsigned)c.queue, p->ts_ns, 1);
}

static void arrive(struct sim_machine *m, const struct traffic_pkt *p)
{
    arrive_inl(m, p);
}

void sim_machine_arrive(struct sim_machine *m, const struct traffic_pkt *p)
{
    arrive(m, p);
}

enum exo_kind { EXO_NONE, EXO_ARRIVAL, EXO_TX, EXO_LINK };

/* The time of the next heap event before the end, UINT64_MAX when none (every
 * arrival and recorded transmit that runs is before the end). */
static inline uint64_t next_ev_t(const struct sim_machine *m)
{
    return m->heap.n && m->heap.a[0].t < m->end ? m->heap.a[0].t : UINT64_MAX;
}

/* The earlier of the next arrival and the next recorded transmit (arrival first on a tie). */
static inline enum exo_kind exo_peek(const struct sim_machine *m, uint64_t *t)
{
    if (G_UNLIKELY(m->link)) /* a linked host: its frames come from its cables only */
        return sim_mlink_peek(m->link, t) && *t < m->end ? EXO_LINK : EXO_NONE;
    bool tx = m->tx_next < m->cfg.n_tx_frames && m->cfg.tx_frames[m->tx_next].ts_ns < m->end;
    if (m->have_pkt && (!tx || m->pkt.ts_ns <= m->cfg.tx_frames[m->tx_next].ts_ns)) {
        *t = m->pkt.ts_ns;
        return EXO_ARRIVAL;
    }
    if (!tx)
        return EXO_NONE;
    *t = m->cfg.tx_frames[m->tx_next].ts_ns;
    return EXO_TX;
}

static inline bool exo_next(const struct sim_machine *m, uint64_t *t)
{
    return exo_peek(m, t) != EXO_NONE;
}

/* Run that item: an arrival, or ixgbe_xmit_frame_ring()'s tail write of a recorded transmit
 * (its write-back then raises the ring's vector as any TX completion, models/nic/nic.c). */
static inline void exo_run(struct sim_machine *m)
{
    uint64_t t;
    enum exo_kind k = exo_peek(m, &t);
    if (k == EXO_ARRIVAL) {
        arrive(m, &m->pkt);
        pull_packet(m);
        return;
    }
    if (k == EXO_NONE)
        return;
    if (k == EXO_LINK) {
        sim_mlink_run(m);
        return;
    }
    const struct sim_tx_frame *f = &m->cfg.tx_frames[m->tx_next++];
    if (nic_tx_frame(m->nic, f->txq, f->len, UINT32_MAX, f->ts_ns))
        m->tx_posted++;
    else
        m->tx_full++;
}

/* Owner of a heap event: the CPU whose state it changes first; another device's
 * interrupt belongs to its CPU. An IRQ assertion is the NIC's MSI-X write (nic_irq_fire:
 * the vector's EICR/EIAM state, then the hardirq raised on the vector's CPU, no CPU time):
 * like an arrival it is the NIC's, run by whichever actor steps next
 * (sim_machine_step_owner), the hardirq itself in its CPU's own chunk. */
static int ev_owner(const struct sim_machine *m, const struct sim_ev *ev)
{
    switch (ev->kind) {
    case EV_CPU:
    case EV_TIMER:
        return (int)ev->id;
    case EV_WAKE:
        return (int)cpus_thread_get(kern_sched(m->kern), ev->id)->cpu;
    case EV_DEVICE:
        return (int)m->dev[ev->id].src->cpu;
    default:
        return SIM_OWNER_NIC;
    }
}

int sim_machine_step_owner(struct sim_machine *m, uint64_t *t)
{
    struct sim_ev ev = {0}; /* read only when have_ev; gcc -O3 cannot see that */
    bool have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
    uint64_t x, a, b;
    for (;;) {
        if (exo_next(m, &x) && (!have_ev || x < ev.t))
            sim_machine_run_next(m, &a, &b); /* exogenous DMA: the NIC's run of arrivals */
        else if (have_ev && ev.kind == EV_IRQ)
            sim_machine_run_next(m, &a, &b); /* the NIC's MSI-X write (no CPU time) */
        else
            break;
        have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
    }
    if (!have_ev)
        return SIM_OWNER_DONE;
    *t = ev.t;
    return ev_owner(m, &ev);
}

int sim_machine_next(struct sim_machine *m, uint64_t *t)
{
    struct sim_ev ev = {0}; /* read only when have_ev; gcc -O3 cannot see that */
    bool have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
    uint64_t x;
    if (exo_next(m, &x) && (!have_ev || x < ev.t)) {
        *t = x;
        return SIM_OWNER_NIC;
    }
    if (!have_ev)
        return SIM_OWNER_DONE;
    *t = ev.t;
    return ev_owner(m, &ev);
}

/* A CPU's chunk, the earliest event: it stays queued while the chunk runs (nothing
 * looks at the queue meanwhile), then is re-armed at the chunk's end in one sift, or
 * removed when the CPU went idle. */
static bool cpu_event(struct sim_machine *m, const struct sim_ev *ev, uint64_t *busy_from,
                      uint64_t *busy_to)
{
    unsigned c = ev->id;
    if (!m->cpu_armed[c] || m->cpu_at[c] != ev->t) {
        sim_heap_remove(&m->heap, ev->seq); /* superseded */
        return false;
    }
    m->cpu_armed[c] = false;
    m->stepping = (int)c;
    uint64_t end = kern_cpu_step(m->kern, c, ev->t);
    m->stepping = -1;
    if (end > ev->t) {
        m->cpu_armed[c] = true;
        m->cpu_at[c] = end;
        sim_heap_rearm(&m->heap, ev->seq, end, EV_CPU, c);
        *busy_from = ev->t;
        *busy_to = end;
        return true;
    }
    sim_heap_remove(&m->heap, ev->seq);
    return false;
}

bool sim_machine_run_next(struct sim_machine *m, uint64_t *busy_from, uint64_t *busy_to)
{
    struct sim_ev ev = {0}; /* read only when have_ev */
    bool have_ev = sim_heap_peek(&m->heap, &ev) && ev.t < m->end;
    uint64_t x;
    if (exo_next(m, &x) && (!have_ev || x < ev.t)) {
        /* The NIC advances over every arrival (and recorded transmit) before the next event
         * (an arrival may schedule one: the bound is read again after each). Without
         * recorded transmits left, every item is an arrival: exo_run's choice is skipped. */
        if (m->tx_next == m->cfg.n_tx_frames && !m->link) {
            do {
                arrive_inl(m, &m->pkt);
                pull_packet(m);
            } while (m->have_pkt && m->pkt.ts_ns < next_ev_t(m));
            return false;
        }
        do
            exo_run(m);
        while (exo_next(m, &x) && x < next_ev_t(m));
        return false;
    }
    if (!have_ev)
        return false;
    if (ev.kind == EV_CPU)
        return cpu_event(m, &ev, busy_from, busy_to);
    sim_heap_pop(&m->heap, &ev);
    if (ev.kind == EV_IRQ && ev.id >= NIC_B_EV) {
        unsigned cpu, v = ev.id - NIC_B_EV;
        if (nic_irq_fire(m->nic_b, v, ev.t, &cpu))
            kern_irq_deliver(m->kern, cpu, nicdrv_vector_irq(m->drv_b, v), ev.t);
        return false;
    }
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
        struct cpus_ttwu w;
        if (cpus_ttwu(kern_sched(m->kern), th, th->waker_cpu, th->wake_sync, ev.t, &w)) {
            bool idle = cpu_idle(m, w.cpu);
            uint64_t at =
                kern_ttwu_queue(m->kern, w.cpu, th->waker_cpu, w.queued, w.preempt, idle, ev.t);
            kick_cpu(m, th->cpu, at);
        }
        return false;
    }
    if (ev.kind == EV_TIMER) {
        kern_hrtimer_expire(m->kern, ev.id, ev.t);
        return false;
    }
    if (ev.kind == EV_DEVICE) {
        const struct dev_irq *d = &m->dev[ev.id];
        kern_irq_deliver(m->kern, d->src->cpu, d->irq, ev.t);
        sim_heap_push(&m->heap, ev.t + d->src->period_ns, EV_DEVICE, ev.id);
        return false;
    }
    if (ev.kind == EV_MOVE) {
        uint64_t again = sim_msteer_event_run(m->ms, ev.id, ev.t);
        if (again != UINT64_MAX)
            sim_heap_push(&m->heap, again, EV_MOVE, ev.id);
        else if (sim_msteer_event_at(m->ms, ev.id + 1) != UINT64_MAX)
            sim_heap_push(&m->heap, sim_msteer_event_at(m->ms, ev.id + 1), EV_MOVE, ev.id + 1);
        return false;
    }
    if (ev.kind == EV_LOAD) {
        load_event(m, ev.id, ev.t);
        return false;
    }
    if (ev.kind == EV_REQUEST) {
        struct traffic_pkt p;
        request_frame(m, ev.id, ev.t, &p);
        arrive(m, &p);
        return false;
    }
    if (ev.kind == EV_BALANCE) {
        struct cpus_sched *s = kern_sched(m->kern);
        m->balance_at = ev.t;
        cpus_balance_tick(s, ev.t, kick_now, m);
        sim_heap_push(&m->heap, ev.t + cpus_balance_interval(s), EV_BALANCE, 0);
        return false;
    }
    return false;
}

/* When the next item (arrival, recorded transmit or event) is due, as
 * sim_machine_next's time without its owner; false when none is left. */
static inline bool next_due(const struct sim_machine *m, uint64_t *t)
{
    uint64_t x, e = next_ev_t(m);
    if (exo_next(m, &x) && x < e) {
        *t = x;
        return true;
    }
    *t = e;
    return e != UINT64_MAX;
}

void sim_machine_run_until(struct sim_machine *m, uint64_t t)
{
    uint64_t when, a, b;
    while (next_due(m, &when) && when < t)
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

uint64_t sim_machine_tx_posted(const struct sim_machine *m)
{
    return m->tx_posted;
}

uint64_t sim_machine_tx_ring_full(const struct sim_machine *m)
{
    return m->tx_full;
}

void sim_machine_observe(struct sim_machine *m, const struct kern_observer *obs)
{
    kern_set_observer(m->kern, obs);
}
