/* The result of a run (sim_machine_result): per-CPU accounting, queues, flows, threads,
 * mpstat intervals and the transmit stream, read from the models after the event loop. */
#include <string.h>

#include "models/app/af_xdp.h"
#include "models/kernel/tcp_stream.h"
#include "models/kernel/xsk.h"
#include "sim/core/err.h"
#include "sim/host/machine_priv.h"

/* XDP verdicts (the driver), AF_XDP sockets (the kernel) and readers (the workload), the
 * raw-table rule's counter. */
static void xdp_result(const struct sim_machine *m, struct sim_result *r)
{
    r->ipt_raw_drop = m->cfg.ipt_raw_drop;
    r->ipt_raw_drops = kern_ipt_raw_drops(m->kern);
    r->xdp.on = m->cfg.xdp;
    if (!r->xdp.on)
        return;
    const struct nicdrv_xdp_stats *x = nicdrv_xdp_stats(m->drv);
    r->xdp.drop = x->drop;
    r->xdp.pass = x->pass;
    r->xdp.tx = x->tx;
    r->xdp.redirect = x->redirect;
    r->xdp.tx_full = x->tx_full;
    r->xdp.redirect_err = x->redirect_err;
    r->xdp.aborted = x->aborted;
    sim_hist_init(&r->xdp.read_latency);
    r->xdp.xsk = kern_xsk_count(m->kern) > 0;
    for (unsigned q = 0; q < kern_xsk_count(m->kern); q++) {
        const struct kern_xsk_stats *s = kern_xsk_stats(kern_xsk_of_queue(m->kern, q));
        r->xdp.xsk_rx += s->rx;
        r->xdp.xsk_ring_full += s->rx_ring_full;
        r->xdp.xsk_fill_empty += s->rx_fill_ring_empty;
        r->xdp.xsk_copied_bytes += s->copied_bytes;
        r->xdp.xsk_read += s->read;
        r->xdp.xsk_wakeups += s->wakeups;
    }
    if (m->wl_ops == &app_af_xdp_workload) {
        sim_hist_merge(&r->xdp.read_latency, app_af_xdp_read_latency(m->wl));
        r->xdp.reader_polls = app_af_xdp_polls(m->wl);
    }
}

static void tx_stream_result(const struct sim_machine *m, struct sim_result *r)
{
    const struct kern_tcp_stream_stats *st = kern_tcp_stream_stats(m->kern);
    r->tx_stream.on = m->cfg.workload == &app_bulk_workload;
    r->tx_stream.bytes = st->bytes;
    r->tx_stream.skbs = st->skbs;
    r->tx_stream.gso_segs = st->gso_segs;
    r->tx_stream.xmits = st->xmits;
    r->tx_stream.descs = nicdrv_tx_descs(m->drv);
    for (unsigned q = 0; q < m->cfg.tx_queues; q++) {
        uint64_t f, b;
        nic_tx_sent(m->nic, q, m->end, &f, &b);
        r->tx_stream.frames += f;
        r->tx_stream.wire_payload += b;
    }
}

static void threads_result(struct sim_machine *m, struct sim_result *r)
{
    struct cpus_sched *s = kern_sched(m->kern);
    r->n_threads = cpus_nr_threads(s);
    r->threads = g_new0(struct sim_thread_result, r->n_threads);
    for (unsigned i = 0; i < r->n_threads; i++) {
        const struct cpus_thread *t = cpus_thread_get(s, i);
        struct sim_thread_result *tr = &r->threads[i];
        g_strlcpy(tr->name, t->name, sizeof tr->name);
        tr->cpu = t->cpu;
        g_strlcpy(tr->policy, t->policy == CPUS_SCHED_FIFO ? "fifo" : "other", sizeof tr->policy);
        /* /proc/<pid>/status Cpus_allowed_list: "%*pbl" of the task's cpus_mask */
        tr->allowed = sim_cpumask_print_list(&t->task.allowed, m->cfg.n_cpus);
        for (unsigned k = 0; k < CPUS_MIGRATE_NR && k < G_N_ELEMENTS(tr->migrations); k++)
            tr->migrations[k] = t->task.nr_migrations[k];
        tr->wakeups = t->wakeups;
        tr->switches_in = t->switches_in;
        tr->run_ns = t->run_ns;
        tr->penalty_ns = t->penalty_ns;
    }
    for (unsigned c = 0; c < r->n_cpus; c++)
        r->cpus[c].migrations_in = cpus_migrations_in(s, c);
    const struct cpus_migrate_stats *ms = cpus_migrate_totals(s);
    r->migration_penalty_ns = ms->penalty_ns > 0 ? (uint64_t)ms->penalty_ns : 0;
    sim_hist_init(&r->softirq_start);
    sim_hist_merge(&r->softirq_start, kern_softirq_start_hist(m->kern));
    sim_hist_init(&r->softirq_resume);
    sim_hist_merge(&r->softirq_resume, kern_softirq_resume_hist(m->kern));
    if (m->wl_ops && m->wl_ops->result)
        m->wl_ops->result(m->wl, &r->requests, &r->connections);
    if (m->wl_ops && m->wl_ops->pmd_result) { /* poll-mode receive: packets past the kernel */
        m->wl_ops->pmd_result(m->wl, &r->pmd);
        r->delivered += r->pmd.done;
        r->dropped += r->pmd.ring_drops;
        sim_hist_merge(&r->latency, &r->pmd.latency);
    }
}

bool sim_machine_set_intervals(struct sim_machine *m, uint64_t step_ns, GError **err)
{
    uint64_t samples = step_ns ? (m->end + step_ns - 1) / step_ns : 0;
    if (samples > SIM_MACHINE_MAX_IV_ROWS / m->cfg.n_cpus) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "mpstat interval %.4g ms: %" G_GUINT64_FORMAT " samples x %u CPUs is more "
                    "than %u rows; ask for a longer interval",
                    (double)step_ns / 1e6, samples, m->cfg.n_cpus, SIM_MACHINE_MAX_IV_ROWS);
        return false;
    }
    m->iv_step_ns = step_ns;
    kern_set_intervals(m->kern, step_ns);
    return true;
}

/* Per-interval time of each CPU: differences of the kernel's boundary snapshots, the
 * run's totals closing the last one, idle the rest of the interval (as cpus[].idle_ns). */
static void intervals_result(struct sim_machine *m, struct sim_result *r)
{
    const uint64_t *rows;
    if (!m->iv_step_ns)
        return;
    unsigned nb = kern_intervals(m->kern, 0, &rows);
    r->iv_step_ns = m->iv_step_ns;
    r->n_intervals = nb + 1;
    r->intervals = g_new0(uint64_t, (size_t)r->n_cpus * r->n_intervals * SIM_IV_COLS);
    static const int col[KERN_IV_COLS] = {[KERN_USR] = SIM_IV_USR,
                                          [KERN_SYS] = SIM_IV_SYS,
                                          [KERN_IRQ] = SIM_IV_IRQ,
                                          [KERN_SOFT] = SIM_IV_SOFT,
                                          [KERN_NACCT] = SIM_IV_KSOFTIRQD};
    for (unsigned c = 0; c < r->n_cpus; c++) {
        kern_intervals(m->kern, c, &rows);
        const struct kern_cpu_stats *st = kern_cpu_stats(m->kern, c);
        uint64_t prev[KERN_IV_COLS] = {0}, end[KERN_IV_COLS];
        memcpy(end, st->acct, sizeof st->acct);
        end[KERN_NACCT] = st->ksoftirqd_ns;
        for (unsigned i = 0; i < r->n_intervals; i++) {
            const uint64_t *cur = i < nb ? &rows[(size_t)i * KERN_IV_COLS] : end;
            uint64_t *out = &r->intervals[((size_t)c * r->n_intervals + i) * SIM_IV_COLS];
            uint64_t t0 = (uint64_t)i * r->iv_step_ns;
            uint64_t len = MIN(t0 + r->iv_step_ns, m->end) - t0, busy = 0;
            for (int k = 0; k < KERN_IV_COLS; k++) {
                out[col[k]] = cur[k] - prev[k];
                busy += k < KERN_NACCT ? out[col[k]] : 0;
                prev[k] = cur[k];
            }
            out[SIM_IV_IDLE] = busy < len ? len - busy : 0;
        }
    }
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
        G_STATIC_ASSERT(SIM_NR_SOFTIRQS == NR_SOFTIRQS);
        memcpy(cr->softirqs, st->softirqs, sizeof cr->softirqs);
        cr->ipi_cal = kern_irq_count(m->kern, KERN_IRQ_CAL, c);
        cr->ipi_res = kern_irq_count(m->kern, KERN_IRQ_RES, c);
        cr->loc = kern_local_timer_irqs(m->kern, c);
        struct kern_rps_softnet sn;
        kern_rps_softnet(m->kern, c, &sn);
        cr->flow_limit_count = sn.flow_limit_count;
        cr->input_qlen = sn.input_qlen;
        cr->process_qlen = sn.process_qlen;
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
    r->udp_noports = kern_udp_noports(m->kern);
    xdp_result(m, r);
    r->dropped = ring_drops + kern_sock_drops(m->kern) + m->steer_drops + kern_rps_drops(m->kern) +
                 r->udp_noports + r->ipt_raw_drops + r->xdp.drop + r->xdp.tx_full +
                 r->xdp.redirect_err + r->xdp.aborted;
    r->flows = g_new0(struct sim_flow_result, m->cfg.n_flows);
    memcpy(r->flows, m->flows, m->cfg.n_flows * sizeof *r->flows);
    sim_hist_init(&r->latency);
    sim_hist_merge(&r->latency, kern_latency_hist(m->kern));
    unsigned nvb = m->nic_b ? nic_q_vectors(m->nic_b) + 1 : 0;
    r->n_vectors = nv + 1 + nvb;
    r->vectors = g_new0(struct sim_vector_result, nv + 1 + nvb);
    for (unsigned v = 0; v < nvb; v++) {
        struct sim_vector_result *vr = &r->vectors[nv + 1 + v];
        vr->per_cpu = g_new0(uint64_t, nc);
        vr->irq = IRQ_BASE + nv + 1 + v;
        g_strlcpy(vr->name, v + 1 < nvb ? kern_irq_name(m->kern, vr->irq) : "eth1",
                  sizeof vr->name);
        for (unsigned c = 0; v + 1 < nvb && c < nc; c++)
            vr->per_cpu[c] = kern_irq_count(m->kern, vr->irq, c);
    }
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
    G_STATIC_ASSERT(sizeof r->napi_dev_poll_hist == NICDRV_POLL_HIST_BINS * sizeof(uint64_t));
    memcpy(r->napi_dev_poll_hist, nicdrv_poll_hist(m->drv), sizeof r->napi_dev_poll_hist);
    r->n_tx_queues = m->cfg.tx_queues;
    r->tx_packets = g_new0(uint64_t, r->n_tx_queues);
    for (unsigned q = 0; q < r->n_tx_queues; q++)
        r->tx_packets[q] = kern_tx_packets(m->kern, 0, q);
    r->tx_dropped = kern_tx_dropped(m->kern);
    tx_stream_result(m, r);
    r->rps_ipis = kern_rps_ipis(m->kern);
    r->wake_ipis = kern_wake_ipis(m->kern);
    r->backlog_drops = kern_rps_drops(m->kern);
    for (unsigned f = 0; f < m->cfg.n_flows; f++)
        r->ooo += m->flows[f].ooo;
    threads_result(m, r);
    intervals_result(m, r);
    sim_machine_sysfs_result(m, r);
}

void sim_result_clear(struct sim_result *r)
{
    if (!r)
        return;
    for (unsigned v = 0; v < r->n_vectors; v++)
        g_free(r->vectors[v].per_cpu);
    g_free(r->vectors);
    g_free(r->tx_packets);
    g_free(r->cpus);
    g_free(r->queues);
    g_free(r->flows);
    for (unsigned i = 0; r->threads && i < r->n_threads; i++)
        g_free(r->threads[i].allowed);
    g_free(r->threads);
    g_free(r->intervals);
    sim_hist_clear(&r->latency);
    sim_hist_clear(&r->softirq_start);
    sim_hist_clear(&r->softirq_resume);
    sim_hist_clear(&r->requests.latency);
    sim_hist_clear(&r->pmd.latency);
    sim_hist_clear(&r->xdp.read_latency);
    g_free(r->sysfs);
    memset(r, 0, sizeof *r);
}
