/* Result writers in the layouts engineers read on a real host: mpstat -P ALL
 * (sysstat mpstat.c), /proc/interrupts (kernel/irq/proc.c show_interrupts) and
 * /proc/net/softnet_stat (net/core/net-procfs.c softnet_seq_show), Linux 6.12. */
#include "sim/host/report.h"
#include "sim/core/version.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/err.h"
#include "sim/core/out.h"

#define NIC_IRQ_CHIP_DEFAULT "PCI-MSIX-0000:03:00.0"
#define NAPI_WEIGHT          64 /* dev_weight: a poll doing this much work was "full" */

/* Fixed rounding so every real in summary.json prints the same on every run
 * (out.c dumps with JSON_REAL_PRECISION(10)). */
static json_t *real_round(double v, double unit)
{
    return json_real(round(v / unit) * unit);
}

static json_t *uint_json(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static double pct(uint64_t ns, double total_ns)
{
    return total_ns > 0 ? 100.0 * (double)ns / total_ns : 0.0;
}

static double sim_ns(const struct sim_result *r)
{
    return r->sim_time_s > 0 ? r->sim_time_s * 1e9 : 0.0;
}

bool sim_report_check(const struct sim_result *r, GError **err)
{
    struct {
        unsigned n;
        const void *arr;
        const char *what;
    } arrays[] = {
        {r->n_cpus, r->cpus, "cpus"},
        {r->n_queues, r->queues, "queues"},
        {r->n_flows, r->flows, "flows"},
        {r->n_vectors, r->vectors, "vectors"},
        {r->n_intervals, r->intervals, "intervals"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(arrays); i++) {
        if (arrays[i].n > 0 && arrays[i].arr == NULL) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "result: %s: array missing for n_%s = %u",
                        arrays[i].what, arrays[i].what, arrays[i].n);
            return false;
        }
    }
    for (unsigned v = 0; v < r->n_vectors; v++) {
        if (r->n_cpus > 0 && r->vectors[v].per_cpu == NULL) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "result: vectors/%u (%.32s): per-CPU counts missing for %u CPUs", v,
                        r->vectors[v].name, r->n_cpus);
            return false;
        }
    }
    if (!isfinite(r->sim_time_s) || r->sim_time_s < 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "result: sim_time_s: expected a finite time >= 0, got %g", r->sim_time_s);
        return false;
    }
    return true;
}

/* ---- summary.json ---- */

static json_t *cpu_json(const struct sim_result *r, unsigned c)
{
    const struct sim_cpu_result *cp = &r->cpus[c];
    double t = sim_ns(r);
    json_t *softnet = json_pack(
        "{s:o,s:o,s:o,s:o,s:o}", "processed", uint_json(cp->processed), "dropped",
        uint_json(cp->dropped), "time_squeeze", uint_json(cp->time_squeeze), "received_rps",
        uint_json(cp->received_rps), "flow_limit_count", uint_json(cp->flow_limit_count));
    return json_pack(
        "{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "cpu", (json_int_t)c, "usr",
        real_round(pct(cp->usr_ns, t), 0.01), "sys", real_round(pct(cp->sys_ns, t), 0.01), "irq",
        real_round(pct(cp->irq_ns, t), 0.01), "soft", real_round(pct(cp->soft_ns, t), 0.01), "idle",
        real_round(pct(cp->idle_ns, t), 0.01), "irqs", uint_json(cp->irqs), "softnet", softnet,
        "ksoftirqd_pct", real_round(pct(cp->ksoftirqd_ns, t), 0.01), "softirq_restarts_exhausted",
        uint_json(cp->softirq_restarts_exhausted), "ctx_switches", uint_json(cp->ctx_switches),
        "migrations_in", uint_json(cp->migrations_in));
}

static json_t *queue_json(const struct sim_result *r, unsigned q)
{
    const struct sim_queue_result *qr = &r->queues[q];
    return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:o}", "queue", (json_int_t)q, "packets",
                     uint_json(qr->packets), "bytes", uint_json(qr->bytes), "drops",
                     uint_json(qr->drops), "irqs", uint_json(qr->irqs), "polls",
                     uint_json(qr->polls), "vector", (json_int_t)qr->vector, "irq_cpu",
                     (json_int_t)qr->irq_cpu, "flows", uint_json(qr->flows));
}

static json_t *latency_json(const struct sim_hist *h)
{
    double mean = h->count ? (double)h->sum / (double)h->count : 0.0;
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "count", uint_json(h->count), "p50",
                     real_round((double)sim_hist_quantile(h, 0.5) / 1e3, 0.001), "p99",
                     real_round((double)sim_hist_quantile(h, 0.99) / 1e3, 0.001), "p999",
                     real_round((double)sim_hist_quantile(h, 0.999) / 1e3, 0.001), "max",
                     real_round((double)h->max / 1e3, 0.001), "mean",
                     real_round(mean / 1e3, 0.001));
}

/* Polls by work done, as the napi_poll tracepoint's `work` (net/core/dev.c __napi_poll). */
static json_t *napi_json(const struct sim_result *r)
{
    uint64_t polls = 0, work = 0;
    json_t *hist = json_array();
    for (unsigned w = 0; w <= NAPI_WEIGHT; w++) {
        polls += r->napi_poll_hist[w];
        work += r->napi_poll_hist[w] * w;
        json_array_append_new(hist, uint_json(r->napi_poll_hist[w]));
    }
    double mean = polls ? (double)work / (double)polls : 0.0;
    return json_pack("{s:o,s:o,s:o,s:o,s:I}", "polls", uint_json(polls), "mean_work",
                     real_round(mean, 0.01), "full", uint_json(r->napi_poll_hist[NAPI_WEIGHT]),
                     "hist", hist, "weight", (json_int_t)NAPI_WEIGHT);
}

static json_t *thread_json(const struct sim_result *r, unsigned i)
{
    const struct sim_thread_result *t = &r->threads[i];
    double secs = r->sim_time_s > 0 ? r->sim_time_s : 1.0;
    uint64_t mig = t->migrations[0] + t->migrations[1] + t->migrations[2];
    json_t *by = json_pack("{s:o,s:o,s:o}", "wakeup", uint_json(t->migrations[0]), "balance",
                           uint_json(t->migrations[1]), "affinity", uint_json(t->migrations[2]));
    return json_pack("{s:I,s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "thread", (json_int_t)i,
                     "name", t->name, "cpu", (json_int_t)t->cpu, "policy", t->policy, "allowed",
                     t->allowed, "migrations", uint_json(mig), "migrations_by_reason", by,
                     "migrations_per_s", real_round((double)mig / secs, 0.01), "wakeups",
                     uint_json(t->wakeups), "switches_in", uint_json(t->switches_in), "run_ms",
                     real_round((double)t->run_ns / 1e6, 0.001), "refill_ms",
                     real_round((double)t->penalty_ns / 1e6, 0.001));
}

/* Bulk TCP transmit (TSO/GSO, #15 point 3): payload rate, the host's busy CPU (all CPUs,
 * as mpstat's "all" row: 100 - %idle) and per second what each layer handled. */
static json_t *tx_stream_json(const struct sim_result *r)
{
    double s = sim_ns(r) / 1e9, busy = 0;
    for (unsigned c = 0; c < r->n_cpus; c++)
        busy += (double)(r->cpus[c].usr_ns + r->cpus[c].sys_ns + r->cpus[c].irq_ns +
                         r->cpus[c].soft_ns);
    double b = (double)r->tx_stream.wire_payload;
    return json_pack(
        "{s:I,s:I,s:f,s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:f}", "bytes_written",
        (json_int_t)r->tx_stream.bytes, "bytes_on_wire", (json_int_t)b, "payload_gbps",
        b * 8 / 1e9 / s, "cpu_busy_pct", 100.0 * busy / (sim_ns(r) * r->n_cpus), "cpu_ns_per_kb",
        b ? busy / b * 1024 : 0.0, "skbs", (json_int_t)r->tx_stream.skbs, "gso_segs",
        (json_int_t)r->tx_stream.gso_segs, "xmits", (json_int_t)r->tx_stream.xmits, "wire_frames",
        (json_int_t)r->tx_stream.frames, "descriptors", (json_int_t)r->tx_stream.descs,
        "skbs_per_s", r->tx_stream.skbs / s, "gso_segs_per_s", r->tx_stream.gso_segs / s,
        "wire_frames_per_s", r->tx_stream.frames / s, "descriptors_per_s", r->tx_stream.descs / s);
}

/* CPU time of all CPUs spent busy (usr + sys + irq + soft), in core-seconds. */
static double busy_core_s(const struct sim_result *r)
{
    double busy = 0;
    for (unsigned c = 0; c < r->n_cpus; c++)
        busy += (double)(r->cpus[c].usr_ns + r->cpus[c].sys_ns + r->cpus[c].irq_ns +
                         r->cpus[c].soft_ns);
    return busy / 1e9;
}

/* Packets a drop point disposed of per busy core-second, Mpps (the XDP paper's figure). */
static json_t *mpps_per_core(const struct sim_result *r, uint64_t n)
{
    double s = busy_core_s(r);
    return real_round(s > 0 ? (double)n / s / 1e6 : 0.0, 0.001);
}

/* XDP (#15 point 2): verdicts, the AF_XDP sockets' XDP_STATISTICS, the readers' latency. */
static json_t *xdp_json(const struct sim_result *r)
{
    json_t *o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "drop", uint_json(r->xdp.drop), "pass",
        uint_json(r->xdp.pass), "tx", uint_json(r->xdp.tx), "redirect", uint_json(r->xdp.redirect),
        "tx_full", uint_json(r->xdp.tx_full), "redirect_err", uint_json(r->xdp.redirect_err),
        "aborted", uint_json(r->xdp.aborted), "drop_mpps_per_core", mpps_per_core(r, r->xdp.drop));
    if (r->xdp.xsk)
        json_object_set_new(
            o, "xsk",
            json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "rx", uint_json(r->xdp.xsk_rx),
                      "rx_ring_full", uint_json(r->xdp.xsk_ring_full), "rx_fill_ring_empty",
                      uint_json(r->xdp.xsk_fill_empty), "copied_bytes",
                      uint_json(r->xdp.xsk_copied_bytes), "read", uint_json(r->xdp.xsk_read),
                      "wakeups", uint_json(r->xdp.xsk_wakeups), "reader_polls",
                      uint_json(r->xdp.reader_polls), "read_latency_us",
                      latency_json(&r->xdp.read_latency)));
    return o;
}

/* Request/response workloads: transactions and their latency. */
/* Poll-mode receive (models/app/pmd.c): per-packet CPU is the lcores' time in calls that
 * got packets over the packets done; the rest of their 100% is spinning. */
static json_t *pmd_json(const struct sim_result *r)
{
    const struct sim_pmd_result *p = &r->pmd;
    json_t *lc = json_array();
    for (unsigned i = 0; i < p->n_lcores && i < SIM_PMD_MAX_LCORES; i++) {
        const struct sim_pmd_lcore *l = &p->lcores[i];
        json_array_append_new(
            lc, json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o}", "cpu", (json_int_t)l->cpu, "role",
                          l->rx ? "rx" : "worker", "polls", uint_json(l->polls), "empty_polls",
                          uint_json(l->empty_polls), "packets", uint_json(l->packets), "busy_ms",
                          real_round((double)l->busy_ns / 1e6, 0.001), "spin_ms",
                          real_round((double)l->spin_ns / 1e6, 0.001)));
    }
    double nspp = p->done ? (double)p->busy_ns / (double)p->done : 0.0;
    json_t *tlb = json_pack(
        "{s:o,s:o,s:o,s:o,s:o}", "pool_bytes", uint_json(p->pool_bytes), "page_bytes",
        uint_json(p->page_bytes), "stlb_entries", uint_json(p->stlb_entries), "miss_probability",
        real_round(p->stlb_miss, 0.0001), "ns_per_touch", real_round(p->tlb_ns_per_touch, 0.001));
    return json_pack("{s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "mode",
                     p->pipeline ? "pipeline" : "rtc", "burst", (json_int_t)p->burst, "done",
                     uint_json(p->done), "ring_drops", uint_json(p->ring_drops),
                     "mbuf_alloc_failed", uint_json(p->mbuf_alloc_failed), "busy_ns_per_pkt",
                     real_round(nspp, 0.01), "busy_ms", real_round((double)p->busy_ns / 1e6, 0.001),
                     "latency_us", latency_json(&p->latency), "stlb", tlb, "lcores", lc);
}

static json_t *requests_json(const struct sim_result *r)
{
    const struct sim_request_result *q = &r->requests;
    double tps = r->sim_time_s > 0 ? (double)q->completed / r->sim_time_s : 0.0;
    return json_pack("{s:o,s:o,s:o}", "completed", uint_json(q->completed), "tps",
                     real_round(tps, 0.1), "latency_us", latency_json(&q->latency));
}

json_t *sim_report_summary_json(const struct sim_result *r)
{
    json_t *cpus = json_array(), *queues = json_array();
    for (unsigned c = 0; c < r->n_cpus; c++)
        json_array_append_new(cpus, cpu_json(r, c));
    for (unsigned q = 0; q < r->n_queues; q++)
        json_array_append_new(queues, queue_json(r, q));
    json_t *packets = json_pack("{s:o,s:o,s:o,s:o}", "offered", uint_json(r->offered), "delivered",
                                uint_json(r->delivered), "dropped", uint_json(r->dropped),
                                "udp_noports", uint_json(r->udp_noports));
    json_t *threads = json_array();
    for (unsigned i = 0; i < r->n_threads; i++)
        json_array_append_new(threads, thread_json(r, i));
    json_t *root = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "sim_time_s",
                             real_round(r->sim_time_s, 1e-9), "packets", packets, "stack_calls",
                             uint_json(r->stack_calls), "cpus", cpus, "queues", queues,
                             "latency_us", latency_json(&r->latency), "napi_poll", napi_json(r),
                             "n_flows", (json_int_t)r->n_flows);
    if (!root) {
        json_decref(threads);
        return NULL;
    }
    json_object_set_new(root, "threads", threads);
    sim_version_stamp(root, 1);
    json_object_set_new(root, "partial", json_boolean(r->input_warning != NULL));
    if (r->provenance)
        json_object_set_new(root, "provenance", json_deep_copy(r->provenance));
    if (r->classifier)
        json_object_set_new(root, "classifier", json_deep_copy(r->classifier));
    json_t *warnings = json_array();
    if (r->input_warning)
        json_array_append_new(warnings, json_string(r->input_warning));
    json_object_set_new(root, "warnings", warnings);
    json_object_set_new(root, "migration_refill_ms",
                        real_round((double)r->migration_penalty_ns / 1e6, 0.001));
    json_object_set_new(root, "softirq_start_us", latency_json(&r->softirq_start));
    json_object_set_new(root, "softirq_resume_us", latency_json(&r->softirq_resume));
    if (r->requests.present)
        json_object_set_new(root, "requests", requests_json(r));
    if (r->xdp.on)
        json_object_set_new(root, "xdp", xdp_json(r));
    if (r->ipt_raw_drop)
        json_object_set_new(root, "iptables_raw",
                            json_pack("{s:o,s:o}", "drops", uint_json(r->ipt_raw_drops),
                                      "drop_mpps_per_core", mpps_per_core(r, r->ipt_raw_drops)));
    if (r->tx_stream.on)
        json_object_set_new(root, "transmit", tx_stream_json(r));
    if (r->pmd.present)
        json_object_set_new(root, "pmd", pmd_json(r));
    json_t *txq = json_array();
    for (unsigned q = 0; q < r->n_tx_queues; q++)
        json_array_append_new(txq, uint_json(r->tx_packets ? r->tx_packets[q] : 0));
    json_object_set_new(root, "steering",
                        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "rps_ipis", uint_json(r->rps_ipis),
                                  "backlog_drops", uint_json(r->backlog_drops), "ooo_segments",
                                  uint_json(r->ooo), "tx_packets", txq, "tx_dropped",
                                  uint_json(r->tx_dropped), "wake_ipis", uint_json(r->wake_ipis)));
    if (r->connections.present) {
        const struct sim_conn_result *c = &r->connections;
        json_object_set_new(
            root, "connections",
            json_pack("{s:o,s:o,s:o,s:o,s:o}", "total", uint_json(c->total), "one_cpu",
                      uint_json(c->one_cpu), "one_cpu_share",
                      real_round(c->total ? (double)c->one_cpu / (double)c->total : 0.0, 0.0001),
                      "handoffs", uint_json(c->handoffs), "cross_cpu_handoffs",
                      uint_json(c->cross_cpu_handoffs)));
    }
    return root;
}

/* ---- mpstat.txt ---- */

/* One row of sysstat's write_plain_cpu_stats(): label "%-11s", then " %4d"
 * or "  all", then ten " %7.2f" percentages (cprintf_pc width 7). */
static void mpstat_row(GString *s, const char *cpu, double t, uint64_t usr, uint64_t sys,
                       uint64_t irq, uint64_t soft, uint64_t idle)
{
    g_string_append_printf(s, "%-11s %4s", "Average:", cpu);
    double v[10] = {pct(usr, t),  0, pct(sys, t), 0, pct(irq, t),
                    pct(soft, t), 0, 0,           0, pct(idle, t)};
    for (int i = 0; i < 10; i++)
        g_string_append_printf(s, " %7.2f", v[i]);
    g_string_append_c(s, '\n');
}

char *sim_report_mpstat_text(const struct sim_result *r)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s,
                           "%-11s  CPU    %%usr   %%nice    %%sys %%iowait    %%irq   %%soft  "
                           "%%steal  %%guest  %%gnice   %%idle\n",
                           "Average:");
    uint64_t usr = 0, sys = 0, irq = 0, soft = 0, idle = 0;
    for (unsigned c = 0; c < r->n_cpus; c++) {
        usr += r->cpus[c].usr_ns;
        sys += r->cpus[c].sys_ns;
        irq += r->cpus[c].irq_ns;
        soft += r->cpus[c].soft_ns;
        idle += r->cpus[c].idle_ns;
    }
    mpstat_row(s, "all", sim_ns(r) * r->n_cpus, usr, sys, irq, soft, idle);
    for (unsigned c = 0; c < r->n_cpus; c++) {
        const struct sim_cpu_result *cp = &r->cpus[c];
        char num[16];
        g_snprintf(num, sizeof(num), "%u", c);
        mpstat_row(s, num, sim_ns(r), cp->usr_ns, cp->sys_ns, cp->irq_ns, cp->soft_ns, cp->idle_ns);
    }
    return g_string_free(s, FALSE);
}

/* ---- mpstat_intervals.txt / .csv ---- */

/* Interval i of the run: its end and length, ns (the last one stops at the run's end). */
static void iv_span(const struct sim_result *r, unsigned i, uint64_t *end, uint64_t *len)
{
    uint64_t run_end = (uint64_t)llround(sim_ns(r)), t0 = (uint64_t)i * r->iv_step_ns;
    *end = MIN(t0 + r->iv_step_ns, run_end);
    *len = *end > t0 ? *end - t0 : 0;
}

/* CPU c's interval i (c == n_cpus: all CPUs added up), SIM_IV_COLS ns. */
static void iv_row(const struct sim_result *r, unsigned c, unsigned i, uint64_t v[SIM_IV_COLS])
{
    memset(v, 0, SIM_IV_COLS * sizeof *v);
    for (unsigned k = c < r->n_cpus ? c : 0; k < (c < r->n_cpus ? c + 1 : r->n_cpus); k++)
        for (int j = 0; j < SIM_IV_COLS; j++)
            v[j] += r->intervals[((size_t)k * r->n_intervals + i) * SIM_IV_COLS + j];
}

/* sysstat's ten percentages of one row: %usr %nice %sys %iowait %irq %soft %steal
 * %guest %gnice %idle (nice, iowait, steal and guest are not modelled: 0). */
static void iv_pct(const uint64_t v[SIM_IV_COLS], double t, double out[10])
{
    double p[10] = {pct(v[SIM_IV_USR], t),
                    0,
                    pct(v[SIM_IV_SYS], t),
                    0,
                    pct(v[SIM_IV_IRQ], t),
                    pct(v[SIM_IV_SOFT], t),
                    0,
                    0,
                    0,
                    pct(v[SIM_IV_IDLE], t)};
    memcpy(out, p, sizeof p);
}

/* The sample's time stamp as mpstat prints it with S_TIME_FORMAT=ISO (HH:MM:SS from the
 * run's start), with ms (or us) when the step is not whole seconds (ms). */
static void iv_stamp(const struct sim_result *r, uint64_t end_ns, char *buf, size_t n)
{
    uint64_t sec = end_ns / 1000000000u, frac = end_ns % 1000000000u;
    int len = g_snprintf(buf, n, "%02u:%02u:%02u", (unsigned)(sec / 3600),
                         (unsigned)(sec / 60 % 60), (unsigned)(sec % 60));
    if (r->iv_step_ns % 1000000000u == 0 || len < 0 || (size_t)len >= n)
        return;
    if (r->iv_step_ns % 1000000u == 0)
        g_snprintf(buf + len, n - (size_t)len, ".%03u", (unsigned)(frac / 1000000u));
    else
        g_snprintf(buf + len, n - (size_t)len, ".%06u", (unsigned)(frac / 1000u));
}

char *sim_report_mpstat_intervals_text(const struct sim_result *r)
{
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < r->n_intervals; i++) {
        uint64_t end, len, v[SIM_IV_COLS];
        char stamp[32];
        iv_span(r, i, &end, &len);
        iv_stamp(r, end, stamp, sizeof stamp);
        /* write_plain_cpu_stats(): the header line before each sample, "all" then CPUs */
        g_string_append_printf(s,
                               "%-11s  CPU    %%usr   %%nice    %%sys %%iowait    %%irq   %%soft  "
                               "%%steal  %%guest  %%gnice   %%idle\n",
                               stamp);
        for (unsigned c = 0; c <= r->n_cpus; c++) {
            unsigned cpu = c == 0 ? r->n_cpus : c - 1; /* "all" first */
            double p[10];
            iv_row(r, cpu, i, v);
            iv_pct(v, (double)len * (cpu == r->n_cpus ? r->n_cpus : 1), p);
            if (cpu == r->n_cpus)
                g_string_append_printf(s, "%-11s  all", stamp);
            else
                g_string_append_printf(s, "%-11s %4u", stamp, cpu);
            for (int k = 0; k < 10; k++)
                g_string_append_printf(s, " %7.2f", p[k]);
            g_string_append_c(s, '\n');
        }
        g_string_append_c(s, '\n');
    }
    char *avg = sim_report_mpstat_text(r); /* mpstat's closing Average block */
    g_string_append(s, avg);
    g_free(avg);
    return g_string_free(s, FALSE);
}

char *sim_report_mpstat_intervals_csv(const struct sim_result *r)
{
    GString *s = g_string_new("t_ms,dt_ms,cpu,usr,nice,sys,iowait,irq,soft,steal,guest,gnice,"
                              "idle,ksoftirqd\n");
    for (unsigned i = 0; i < r->n_intervals; i++) {
        uint64_t end, len, v[SIM_IV_COLS];
        iv_span(r, i, &end, &len);
        for (unsigned c = 0; c <= r->n_cpus; c++) {
            unsigned cpu = c == 0 ? r->n_cpus : c - 1; /* "all" first, as mpstat */
            double t = (double)len * (cpu == r->n_cpus ? r->n_cpus : 1), p[10];
            iv_row(r, cpu, i, v);
            iv_pct(v, t, p);
            g_string_append_printf(s, "%.4f,%.4f,", (double)end / 1e6, (double)len / 1e6);
            if (cpu == r->n_cpus)
                g_string_append(s, "all");
            else
                g_string_append_printf(s, "%u", cpu);
            for (int k = 0; k < 10; k++)
                g_string_append_printf(s, ",%.2f", p[k]);
            g_string_append_printf(s, ",%.2f\n", pct(v[SIM_IV_KSOFTIRQD], t));
        }
    }
    return g_string_free(s, FALSE);
}

/* ---- interrupts.txt ---- */

/* show_interrupts(): width of the IRQ-number column, 3 plus one per decade of
 * nr_irqs from 1000 on. nr_irqs is taken as the largest IRQ shown + 1. */
static int irq_prec(const struct sim_result *r)
{
    uint64_t nr_irqs = 0;
    for (unsigned v = 0; v < r->n_vectors; v++)
        if ((uint64_t)r->vectors[v].irq + 1 > nr_irqs)
            nr_irqs = (uint64_t)r->vectors[v].irq + 1;
    int prec = 3;
    for (uint64_t j = 1000; prec < 10 && j <= nr_irqs; ++prec)
        j *= 10;
    return prec;
}

static int cmp_vector_irq(const void *a, const void *b, void *data)
{
    const struct sim_vector_result *vs = data;
    unsigned ia = vs[*(const unsigned *)a].irq, ib = vs[*(const unsigned *)b].irq;
    if (ia != ib)
        return ia < ib ? -1 : 1;
    unsigned xa = *(const unsigned *)a, xb = *(const unsigned *)b;
    return xa < xb ? -1 : xa > xb;
}

/* One row. Linux 6.12: "%*d: " then "%10u " per CPU then " %8s" chip.
 * 6.13 (f9ed1f7c2e26 + its fix) prints "%*d:", " %10u" per CPU, ' ', "%8s":
 * one space less between the last count and the chip. hwirq = MSI-X index
 * (per-device MSI domain), " %*lu" with the same prec; flow "-%-8s" = "edge"
 * (handle_edge_irq). kstat counts are unsigned int: they wrap at 2^32. */
static void interrupts_row(GString *s, const struct sim_result *r, unsigned v, int prec)
{
    const struct sim_vector_result *vr = &r->vectors[v];
    bool v613 = r->procfs_kernel >= 613;
    const char *chip = r->irq_chip[0] ? r->irq_chip : NIC_IRQ_CHIP_DEFAULT;
    g_string_append_printf(s, v613 ? "%*u:" : "%*u: ", prec, vr->irq);
    for (unsigned c = 0; c < r->n_cpus; c++)
        g_string_append_printf(s, v613 ? " %10u" : "%10u ", (unsigned)(uint32_t)vr->per_cpu[c]);
    g_string_append_printf(s, " %8.*s %*u-%-8s  %.*s\n", (int)sizeof(r->irq_chip), chip, prec, v,
                           "edge", (int)sizeof(vr->name), vr->name);
}

/* arch_show_interrupts() (arch/x86/kernel/irq.c) after the device rows, in its order: the
 * local timer (LOC, derived from the schedule: kern_local_timer_irqs) and the IPIs the
 * model sends, "%*s: " then per CPU as the device rows, then the description. NMI, SPU,
 * PMI, TLB and the other arch rows are not modelled, so not printed. */
static void interrupts_ipi_rows(GString *s, const struct sim_result *r, int prec)
{
    static const struct {
        const char *name, *what;
        size_t off;
    } rows[] = {
        {"LOC", "Local timer interrupts", offsetof(struct sim_cpu_result, loc)},
        {"RES", "Rescheduling interrupts", offsetof(struct sim_cpu_result, ipi_res)},
        {"CAL", "Function call interrupts", offsetof(struct sim_cpu_result, ipi_cal)},
    };
    bool v613 = r->procfs_kernel >= 613;
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_string_append_printf(s, v613 ? "%*s:" : "%*s: ", prec, rows[i].name);
        for (unsigned c = 0; c < r->n_cpus; c++) {
            uint64_t n = *(const uint64_t *)((const char *)&r->cpus[c] + rows[i].off);
            g_string_append_printf(s, v613 ? " %10u" : "%10u ", (unsigned)(uint32_t)n);
        }
        g_string_append_printf(s, "  %s\n", rows[i].what);
    }
}

char *sim_report_interrupts_text(const struct sim_result *r)
{
    int prec = irq_prec(r);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%*s", prec + 8, "");
    for (unsigned c = 0; c < r->n_cpus; c++)
        g_string_append_printf(s, "CPU%-8u", c);
    g_string_append_c(s, '\n');
    /* The kernel walks IRQ numbers in ascending order. */
    unsigned *order = g_new(unsigned, r->n_vectors ? r->n_vectors : 1);
    for (unsigned v = 0; v < r->n_vectors; v++)
        order[v] = v;
    g_qsort_with_data(order, (gint)r->n_vectors, sizeof(*order), cmp_vector_irq, r->vectors);
    for (unsigned i = 0; i < r->n_vectors; i++)
        interrupts_row(s, r, order[i], prec);
    g_free(order);
    interrupts_ipi_rows(s, r, prec);
    return g_string_free(s, FALSE);
}

/* ---- softirqs.txt ---- */

/* show_softirqs() (fs/proc/softirqs.c): 20 spaces and "CPU%-8d" per CPU, then per vector
 * "%12s:" and " %10u" per CPU. */
char *sim_report_softirqs_text(const struct sim_result *r)
{
    static const char *const names[SIM_NR_SOFTIRQS] = {"HI",      "TIMER",    "NET_TX",  "NET_RX",
                                                       "BLOCK",   "IRQ_POLL", "TASKLET", "SCHED",
                                                       "HRTIMER", "RCU"}; /* softirq_to_name[] */
    GString *s = g_string_new("                    ");
    for (unsigned c = 0; c < r->n_cpus; c++)
        g_string_append_printf(s, "CPU%-8u", c);
    g_string_append_c(s, '\n');
    for (unsigned v = 0; v < SIM_NR_SOFTIRQS; v++) {
        g_string_append_printf(s, "%12s:", names[v]);
        for (unsigned c = 0; c < r->n_cpus; c++)
            g_string_append_printf(s, " %10u", (unsigned)(uint32_t)r->cpus[c].softirqs[v]);
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

/* ---- softnet_stat.txt ---- */

/* softnet_seq_show(), 6.12: processed, dropped, time_squeeze, 0, five retired
 * columns (fastroute, cpu_collision), received_rps, flow_limit_count, backlog
 * length, CPU index, input_pkt_queue, process_queue. u32 counters wrap. */
char *sim_report_softnet_text(const struct sim_result *r)
{
    GString *s = g_string_new(NULL);
    for (unsigned c = 0; c < r->n_cpus; c++) {
        const struct sim_cpu_result *cp = &r->cpus[c];
        uint32_t in = (uint32_t)cp->input_qlen, proc = (uint32_t)cp->process_qlen;
        g_string_append_printf(
            s, "%08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x\n",
            (uint32_t)cp->processed, (uint32_t)cp->dropped, (uint32_t)cp->time_squeeze, 0u, 0u, 0u,
            0u, 0u, 0u, (uint32_t)cp->received_rps, (uint32_t)cp->flow_limit_count, in + proc, c,
            in, proc);
    }
    return g_string_free(s, FALSE);
}

/* ---- CSVs ---- */

char *sim_report_queues_csv(const struct sim_result *r)
{
    GString *s = g_string_new("queue,vector,irq_cpu,packets,bytes,drops,irqs,polls,flows\n");
    for (unsigned q = 0; q < r->n_queues; q++) {
        const struct sim_queue_result *qr = &r->queues[q];
        g_string_append_printf(s,
                               "%u,%u,%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                               ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                               ",%" G_GUINT64_FORMAT "\n",
                               q, qr->vector, qr->irq_cpu, qr->packets, qr->bytes, qr->drops,
                               qr->irqs, qr->polls, qr->flows);
    }
    return g_string_free(s, FALSE);
}

char *sim_report_flows_csv(const struct sim_result *r)
{
    GString *s = g_string_new("flow,packets,delivered,drops,ooo,rxq,cpu,lat_p50_us,lat_p99_us,"
                              "lat_p999_us,lat_max_us\n");
    for (unsigned f = 0; f < r->n_flows; f++) {
        const struct sim_flow_result *fr = &r->flows[f];
        const struct sim_flow_lat *h = &fr->latency;
        g_string_append_printf(s,
                               "%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                               ",%" G_GUINT64_FORMAT ",%u,%u,%.3f,%.3f,%.3f,%.3f\n",
                               f, fr->packets, fr->delivered, fr->drops, fr->ooo, fr->rxq, fr->cpu,
                               (double)sim_flow_lat_quantile(h, 0.5) / 1e3,
                               (double)sim_flow_lat_quantile(h, 0.99) / 1e3,
                               (double)sim_flow_lat_quantile(h, 0.999) / 1e3, (double)h->max / 1e3);
    }
    return g_string_free(s, FALSE);
}

/* One row per thread, migrations split by reason (enum cpus_migrate_reason). */
char *sim_report_threads_csv(const struct sim_result *r)
{
    GString *s = g_string_new("thread,name,cpu,policy,allowed,migrations,migrations_wakeup,"
                              "migrations_balance,migrations_affinity,wakeups,switches_in,"
                              "run_ms,refill_ms\n");
    for (unsigned i = 0; i < r->n_threads; i++) {
        const struct sim_thread_result *t = &r->threads[i];
        g_string_append_printf(
            s,
            "%u,%s,%u,%s,\"%s\",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
            ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%.3f,%.3f\n",
            i, t->name, t->cpu, t->policy, t->allowed,
            t->migrations[0] + t->migrations[1] + t->migrations[2], t->migrations[0],
            t->migrations[1], t->migrations[2], t->wakeups, t->switches_in, (double)t->run_ns / 1e6,
            (double)t->penalty_ns / 1e6);
    }
    return g_string_free(s, FALSE);
}

/* ---- the directory ---- */

static bool write_text(struct sim_out *o, const char *name, char *text, GError **err)
{
    bool ok = sim_out_write(o, name, text, -1, err);
    g_free(text);
    return ok;
}

bool sim_report_write(const struct sim_result *r, const char *dir, GError **err)
{
    return sim_report_write_extra(r, dir, NULL, 0, err);
}

bool sim_report_write_extra(const struct sim_result *r, const char *dir,
                            const struct sim_report_extra *extra, size_t n_extra, GError **err)
{
    struct sim_out *o = sim_out_begin(dir, SIM_OUT_DEFAULT, err);
    return o && sim_report_write_to(o, r, extra, n_extra, err);
}

bool sim_report_write_to(struct sim_out *o, const struct sim_result *r,
                         const struct sim_report_extra *extra, size_t n_extra, GError **err)
{
    if (!sim_report_check(r, err)) {
        sim_out_abort(o);
        return false;
    }
    json_t *summary = sim_report_summary_json(r);
    bool ok = summary != NULL;
    if (!ok)
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "summary.json: cannot build JSON");
    ok = ok && sim_out_write_json(o, "summary.json", summary, err);
    json_decref(summary);
    ok = ok && write_text(o, "mpstat.txt", sim_report_mpstat_text(r), err);
    ok = ok && write_text(o, "interrupts.txt", sim_report_interrupts_text(r), err);
    ok = ok && write_text(o, "softirqs.txt", sim_report_softirqs_text(r), err);
    ok = ok && write_text(o, "softnet_stat.txt", sim_report_softnet_text(r), err);
    ok = ok && write_text(o, "queues.csv", sim_report_queues_csv(r), err);
    ok = ok && write_text(o, "flows.csv", sim_report_flows_csv(r), err);
    ok = ok && write_text(o, "threads.csv", sim_report_threads_csv(r), err);
    if (r->n_intervals) {
        ok = ok && write_text(o, "mpstat_intervals.txt", sim_report_mpstat_intervals_text(r), err);
        ok = ok && write_text(o, "mpstat_intervals.csv", sim_report_mpstat_intervals_csv(r), err);
    }
    if (r->sysfs)
        ok = ok && sim_out_write(o, "sysfs.txt", r->sysfs, -1, err);
    for (size_t i = 0; ok && i < n_extra; i++)
        ok = sim_out_write(o, extra[i].name, extra[i].data, (gssize)extra[i].len, err);
    if (!ok) {
        sim_out_abort(o);
        return false;
    }
    return sim_out_commit(o, err);
}
