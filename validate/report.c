/* Text and JSON forms of a validation result (what `nicsteer validate` prints). */
#include "validate/report.h"
#include "sim/core/version.h"
#include "validate/replay.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

struct val_report *val_report_new(int ncpus, unsigned keep)
{
    struct val_report *r = g_new0(struct val_report, 1);
    r->ncpus = ncpus > 0 ? ncpus : 0;
    r->partial_reasons = g_ptr_array_new_with_free_func(g_free);
    r->warnings = g_ptr_array_new_with_free_func(g_free);
    val_agree_init(&r->rx_queue, keep);
    val_agree_init(&r->hash, keep);
    val_agree_init(&r->cpu, keep);
    val_agree_init(&r->tx_queue, keep);
    val_agree_init(&r->cpu_all, 0);
    r->cpus = g_new0(struct val_report_cpu, r->ncpus ? r->ncpus : 1);
    for (int c = 0; c < r->ncpus; c++) {
        r->cpus[c].cpu = c;
        r->cpus[c].softnet_processed = -1;
        r->cpus[c].softirqs_net_rx = -1;
        r->cpus[c].softnet_dropped = -1;
        r->cpus[c].softnet_time_squeeze = -1;
    }
    sim_hist_init_linear(&r->napi_model, 65, 1);
    sim_hist_init_linear(&r->napi_trace, 65, 1);
    sim_hist_init_linear(&r->napi_device, 65, 1);
    sim_hist_init_linear(&r->napi_device_model, 65, 1);
    r->irq_model.notes = g_ptr_array_new_with_free_func(g_free);
    r->irq_model.rx_usecs = -1;
    /* 0..1 ms in 100 ns bins: 1 us bins cannot tell a 2 from a 3 us run */
    sim_hist_init_linear(&r->net_rx_us, VAL_NET_RX_BINS, VAL_NET_RX_BIN_NS);
    sim_hist_init_linear(&r->net_rx_model_us, VAL_NET_RX_BINS, VAL_NET_RX_BIN_NS);
    val_agree_init(&r->wakes.agree, keep);
    r->vectors = g_array_new(FALSE, TRUE, sizeof(struct val_report_vector));
    r->threads = g_array_new(FALSE, TRUE, sizeof(struct val_report_thread));
    r->rx_queue_mode = "recorded";
    r->cpu_mode = "none";
    return r;
}

void val_report_free(struct val_report *r)
{
    if (!r)
        return;
    g_free(r->bundle);
    g_free(r->costs_source);
    g_free(r->case_name);
    g_free(r->kernel);
    g_free(r->rx_dev);
    g_free(r->rx_driver);
    g_ptr_array_free(r->partial_reasons, TRUE);
    g_ptr_array_free(r->warnings, TRUE);
    val_agree_clear(&r->rx_queue);
    val_agree_clear(&r->hash);
    val_agree_clear(&r->cpu);
    val_agree_clear(&r->tx_queue);
    val_agree_clear(&r->cpu_all);
    g_free(r->cpus);
    sim_hist_clear(&r->napi_model);
    sim_hist_clear(&r->napi_trace);
    sim_hist_clear(&r->napi_device);
    sim_hist_clear(&r->napi_device_model);
    g_free(r->irq_model.why_not);
    g_free(r->irq_model.tx_per_queue);
    g_ptr_array_free(r->irq_model.notes, TRUE);
    sim_hist_clear(&r->net_rx_us);
    sim_hist_clear(&r->net_rx_model_us);
    val_agree_clear(&r->wakes.agree);
    g_array_free(r->vectors, TRUE);
    g_array_free(r->threads, TRUE);
    g_free(r);
}

void val_report_warn(struct val_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(r->warnings, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

void val_report_partial(struct val_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(r->partial_reasons, g_strdup_vprintf(fmt, ap));
    va_end(ap);
    r->partial = true;
}

double val_report_napi_ks(const struct val_report *r)
{
    if (!r->napi_kind)
        return -1.0;
    return sim_hist_ks(&r->napi_model, &r->napi_trace);
}

double val_report_napi_device_ks(const struct val_report *r)
{
    if (!r->irq_model.applicable)
        return -1.0;
    return sim_hist_ks(&r->napi_device_model, &r->napi_device);
}

/* ---- text ---- */

static void text_fraction(GString *s, const char *label, const struct val_agree *a,
                          const char *na_why)
{
    double f = val_agree_fraction(a);
    if (f < 0)
        g_string_append_printf(s, "  %-10s n/a (%s)\n", label, na_why);
    else
        g_string_append_printf(s, "  %-10s %.4f%%  (%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT ")\n",
                               label, 100.0 * f, a->agreed, a->compared);
}

static void text_disagreements(GString *s, const char *what, const struct val_agree *a)
{
    if (!a->first || !a->first->len)
        return;
    g_string_append_printf(s, "first %s disagreements (of %" G_GUINT64_FORMAT "):\n", what,
                           a->compared - a->agreed);
    for (guint i = 0; i < a->first->len; i++) {
        const struct val_disagreement *d = &g_array_index(a->first, struct val_disagreement, i);
        g_string_append_printf(s,
                               "  trace line %" G_GUINT64_FORMAT ", pcap packet %" G_GUINT64_FORMAT
                               ": model %" G_GINT64_FORMAT ", trace %" G_GINT64_FORMAT "\n",
                               d->trace_line, d->packet, d->model, d->actual);
    }
}

static void text_error(char *buf, size_t n, double e)
{
    if (e < 0)
        g_strlcpy(buf, "n/a", n);
    else
        g_snprintf(buf, n, "%.1f%%", 100.0 * e);
}

/* One line when the backlog was under pressure (drops or time_squeeze, model or host). */
static void text_backlog(GString *s, const struct val_report_backlog *b)
{
    if (!b->model_dropped && !b->model_time_squeeze && b->softnet_dropped <= 0 &&
        b->softnet_time_squeeze <= 0)
        return;
    char de[16], se[16];
    text_error(de, sizeof de, b->drop_error);
    text_error(se, sizeof se, b->time_squeeze_error);
    g_string_append_printf(s,
                           "backlog: drops model %" G_GUINT64_FORMAT " softnet %" G_GINT64_FORMAT
                           " (error %s); time_squeeze model %" G_GUINT64_FORMAT
                           " softnet %" G_GINT64_FORMAT " (error %s)\n",
                           b->model_dropped, b->softnet_dropped, de, b->model_time_squeeze,
                           b->softnet_time_squeeze, se);
}

static void text_per_cpu(GString *s, const struct val_report *r)
{
    g_string_append(s, "per CPU (packets processed; NET_RX softirq time from the trace):\n");
    g_string_append(s, "  cpu      model      trace    softnet  trace/softnet  NET_RX ms  "
                       "model ms   runs  ksoftirqd  backlog polls  squeeze  drops\n");
    for (int c = 0; c < r->ncpus; c++) {
        const struct val_report_cpu *p = &r->cpus[c];
        char sn[32] = "n/a", rel[32] = "n/a";
        if (p->softnet_processed >= 0) {
            g_snprintf(sn, sizeof sn, "%" G_GINT64_FORMAT, p->softnet_processed);
            if (p->softnet_processed > 0)
                g_snprintf(rel, sizeof rel, "%+.3f%%",
                           100.0 * ((double)p->trace_processed - (double)p->softnet_processed) /
                               (double)p->softnet_processed);
            else if (p->trace_processed == 0)
                g_strlcpy(rel, "equal", sizeof rel);
        }
        char ks[16] = "-", sq[24] = "n/a", dr[24] = "n/a";
        if (p->net_rx_ns)
            g_snprintf(ks, sizeof ks, "%.1f%%",
                       100.0 * (double)p->net_rx_ksoftirqd_ns / (double)p->net_rx_ns);
        if (p->softnet_time_squeeze >= 0)
            g_snprintf(sq, sizeof sq, "%" G_GINT64_FORMAT, p->softnet_time_squeeze);
        if (p->softnet_dropped >= 0)
            g_snprintf(dr, sizeof dr, "%" G_GINT64_FORMAT, p->softnet_dropped);
        g_string_append_printf(
            s,
            "  %3d %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT
            " %10s %14s %10.3f %9.3f %6" G_GUINT64_FORMAT " %10s %14" G_GUINT64_FORMAT " %8s %6s\n",
            p->cpu, p->model_processed, p->trace_processed, sn, rel, (double)p->net_rx_ns / 1e6,
            (double)p->model_net_rx_ns / 1e6, p->net_rx_runs, ks, p->backlog_polls, sq, dr);
    }
}

static void text_napi(GString *s, const struct val_report *r)
{
    double ks = val_report_napi_ks(r);
    if (!r->napi_kind) {
        g_string_append(s, "NAPI poll sizes: no backlog polls to compare\n");
    } else {
        g_string_append_printf(s, "NAPI poll sizes (%s, work per poll): KS distance ",
                               r->napi_kind);
        if (ks < 0)
            g_string_append(s, "n/a\n");
        else
            g_string_append_printf(s, "%.4f\n", ks);
        g_string_append_printf(s,
                               "  polls: model %" G_GUINT64_FORMAT ", trace %" G_GUINT64_FORMAT
                               " (full: %" G_GUINT64_FORMAT "); %s device NAPI polls in trace: "
                               "%" G_GUINT64_FORMAT "\n",
                               r->napi_model.count, r->napi_trace.count, r->polls_full,
                               r->rx_dev ? r->rx_dev : "?", r->napi_device.count);
        g_string_append(s, "  work      model      trace\n");
        for (unsigned i = 0; i < r->napi_model.nbins; i++) {
            if (!r->napi_model.bins[i] && !r->napi_trace.bins[i])
                continue;
            g_string_append_printf(s, "  %4u %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT "\n", i,
                                   r->napi_model.bins[i], r->napi_trace.bins[i]);
        }
    }
}

double val_report_softirq_ks(const struct val_report *r)
{
    return sim_hist_ks(&r->net_rx_model_us, &r->net_rx_us);
}

static void text_softirq(GString *s, const struct val_report *r)
{
    const struct sim_hist *h = &r->net_rx_us, *m = &r->net_rx_model_us;
    g_string_append_printf(s,
                           "NET_RX softirq runs (trace): %" G_GUINT64_FORMAT
                           ", duration us p50 %.1f p99 %.1f max %.1f\n",
                           h->count, sim_hist_quantile(h, 0.5) / 1e3,
                           sim_hist_quantile(h, 0.99) / 1e3, h->max / 1e3);
    double ks = val_report_softirq_ks(r);
    if (ks < 0) {
        g_string_append(s, "NET_RX softirq runs (model): n/a\n");
        return;
    }
    uint64_t mp = sim_hist_quantile(m, 0.5), tp = sim_hist_quantile(h, 0.5);
    char ratio[32] = "n/a";
    if (tp)
        g_snprintf(ratio, sizeof ratio, "%.2f", (double)mp / (double)tp);
    g_string_append_printf(s,
                           "NET_RX softirq runs (model, cost model applied to each run's traced "
                           "work): p50 %.1f p99 %.1f us; KS %.4f, median model/trace %s\n",
                           mp / 1e3, sim_hist_quantile(m, 0.99) / 1e3, ks, ratio);
    if (r->costs_by == VAL_COSTS_BUILTIN)
        g_string_append(s, "  (built-in costs model a Xeon-class host: a VM trace is expected to "
                           "differ, the ratio says by how much; nicsteer calibrate fits a host)\n");
    else
        g_string_append_printf(s, "  (costs: %s, %s%s)\n", r->costs_source,
                               r->costs_by == VAL_COSTS_BY_HOST ? "the costs library's file for "
                                                                  "this host"
                                                                : "--costs",
                               r->costs_in_sample ? "; fitted on this bundle: in sample" : "");
}

/* "12.3%" of |model - ref| / ref, "n/a" when either side is unknown. */
static void rel_text(char *buf, size_t n, int64_t model, int64_t ref)
{
    if (model < 0 || ref < 0)
        g_strlcpy(buf, "n/a", n);
    else
        g_snprintf(buf, n, "%.1f%%", 100.0 * val_rel_error((double)model, (double)ref));
}

static void text_irq_model(GString *s, const struct val_report *r)
{
    const struct val_report_irq_model *im = &r->irq_model;
    if (!im->applicable) {
        g_string_append_printf(s, "IRQ/ITR model: n/a (%s)\n", im->why_not ? im->why_not : "?");
        return;
    }
    char itr[32];
    if (im->rx_usecs == 0)
        g_strlcpy(itr, "off", sizeof itr);
    else if (im->rx_usecs == 1)
        g_strlcpy(itr, "adaptive", sizeof itr);
    else
        g_snprintf(itr, sizeof itr, "fixed %d us", im->rx_usecs);
    g_string_append_printf(s,
                           "IRQ/ITR model: %" G_GUINT64_FORMAT " matched packets replayed through "
                           "the NIC + ixgbe driver, %u queues, %u vectors, ITR %s, ring %u, "
                           "queues %s, ring drops %" G_GUINT64_FORMAT "\n",
                           im->packets, im->queues, im->vectors, itr, im->ring_size,
                           im->queue_source ? im->queue_source : "?", im->ring_drops);
    g_string_append_printf(s,
                           "  TX: %" G_GUINT64_FORMAT " transmits replayed on the TX rings "
                           "(queue %s, ring full %" G_GUINT64_FORMAT "):",
                           im->tx_frames, im->tx_queue_source ? im->tx_queue_source : "none",
                           im->tx_ring_full);
    for (unsigned q = 0; q < im->tx_queues; q++)
        g_string_append_printf(s, " q%u %" G_GUINT64_FORMAT, q, im->tx_per_queue[q]);
    g_string_append_c(s, '\n');
    for (guint i = 0; i < im->notes->len; i++)
        g_string_append_printf(s, "  note: %s\n", (const char *)im->notes->pdata[i]);
}

static void text_irq(GString *s, const struct val_report *r)
{
    text_irq_model(s, r);
    if (!r->irq_applicable) {
        g_string_append(s, "IRQs per vector: n/a (no hardware queue interrupts for this device)\n");
        return;
    }
    g_string_append(s, "IRQs per vector (model vs trace irq_handler_entry vs /proc/interrupts "
                       "delta; relative error of the model):\n");
    for (guint i = 0; i < r->vectors->len; i++) {
        const struct val_report_vector *v = &g_array_index(r->vectors, struct val_report_vector, i);
        char t[32] = "not traced", m[32] = "n/a", et[16], ep[16];
        if (v->trace >= 0)
            g_snprintf(t, sizeof t, "%" G_GINT64_FORMAT, v->trace);
        if (v->model >= 0)
            g_snprintf(m, sizeof m, "%" G_GINT64_FORMAT, v->model);
        rel_text(et, sizeof et, v->model, v->trace);
        rel_text(ep, sizeof ep, v->model, v->procfs);
        g_string_append_printf(s,
                               "  %-20s model %10s  trace %12s  procfs %10" G_GINT64_FORMAT
                               "  err vs trace %7s  vs procfs %7s\n",
                               v->name, m, t, v->procfs, et, ep);
    }
    double ks = val_report_napi_device_ks(r);
    if (ks >= 0)
        g_string_append_printf(
            s,
            "%s device NAPI poll sizes (work per poll): model %" G_GUINT64_FORMAT
            " polls mean %.2f, trace %" G_GUINT64_FORMAT " polls mean %.2f, KS distance %.4f\n",
            r->rx_dev ? r->rx_dev : "?", r->napi_device_model.count,
            r->napi_device_model.count
                ? (double)r->napi_device_model.sum / (double)r->napi_device_model.count
                : 0.0,
            r->napi_device.count,
            r->napi_device.count ? (double)r->napi_device.sum / (double)r->napi_device.count : 0.0,
            ks);
    else if (r->irq_model.applicable)
        g_string_append_printf(s,
                               "%s device NAPI poll sizes: KS n/a (no napi_poll of the "
                               "device in the trace)\n",
                               r->rx_dev ? r->rx_dev : "?");
}

static void text_wakes(GString *s, const struct val_report *r)
{
    const struct val_wake_stats *w = &r->wakes;
    if (!r->wakes_applicable) {
        g_string_append(s, "receiver wake-ups: n/a (no receiver threads or no sched_wakeup)\n");
        return;
    }
    double f = val_agree_fraction(&w->agree);
    char fs[32] = "n/a";
    if (f >= 0)
        g_snprintf(fs, sizeof fs, "%.4f", f);
    g_string_append_printf(
        s,
        "receiver wake-ups (select_task_rq_fair on the traced CPU state): %" G_GUINT64_FORMAT
        " compared, CPU agreement %s; migrations model %" G_GUINT64_FORMAT
        " trace %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " skipped: CPU not yet seen)\n",
        w->count, fs, w->model_migrations, w->trace_migrations, w->unknown_prev);
    for (guint i = 0; i < w->agree.first->len; i++) {
        const struct val_disagreement *d =
            &g_array_index(w->agree.first, struct val_disagreement, i);
        g_string_append_printf(s,
                               "  trace line %" G_GUINT64_FORMAT ", tid %" G_GUINT64_FORMAT
                               ": model %" G_GINT64_FORMAT ", trace %" G_GINT64_FORMAT "\n",
                               d->trace_line, d->packet, d->model, d->actual);
    }
}

static void text_threads(GString *s, const struct val_report *r)
{
    text_wakes(s, r);
    if (!r->threads->len) {
        g_string_append(s, "receiver threads: not listed in the bundle\n");
        return;
    }
    g_string_append(s, "receiver threads (trace):\n");
    for (guint i = 0; i < r->threads->len; i++) {
        const struct val_report_thread *t = &g_array_index(r->threads, struct val_report_thread, i);
        g_string_append_printf(s,
                               "  thread %d tid %d: %" G_GUINT64_FORMAT
                               " migrations, %" G_GUINT64_FORMAT " socket reads\n",
                               t->thread, t->tid, t->migrations, t->socket_reads);
    }
}

char *val_report_text(const struct val_report *r)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "nicsteer validate: %s (case %s, kernel %s, %s/%s, %d CPUs)\n",
                           r->bundle ? r->bundle : "?", r->case_name ? r->case_name : "?",
                           r->kernel ? r->kernel : "?", r->rx_dev ? r->rx_dev : "?",
                           r->rx_driver ? r->rx_driver : "?", r->ncpus);
    for (guint i = 0; i < r->warnings->len; i++)
        g_string_append_printf(s, "WARNING: %s\n", (const char *)r->warnings->pdata[i]);
    for (guint i = 0; i < r->partial_reasons->len; i++)
        g_string_append_printf(s, "PARTIAL: %s\n", (const char *)r->partial_reasons->pdata[i]);
    double mf = r->trace_entries ? (double)r->matched / (double)r->trace_entries : 0.0;
    g_string_append_printf(
        s,
        "packets: pcap %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
        " sent by the receiver), trace %" G_GUINT64_FORMAT
        " (%s receive entries), matched %" G_GUINT64_FORMAT
        " (%.2f%% of trace; window +-%.3f ms), unpaired entries %" G_GUINT64_FORMAT "\n",
        r->pcap_packets, r->pcap_outgoing, r->trace_entries, r->rx_dev ? r->rx_dev : "?",
        r->matched, 100.0 * mf, (double)r->match_window_ns / 1e6, r->unpaired);
    if (!strcmp(r->rx_queue_mode, "toeplitz+atr"))
        g_string_append_printf(s,
                               "ixgbe ATR: %" G_GUINT64_FORMAT " outgoing frames joined to "
                               "net_dev_start_xmit; %" G_GUINT64_FORMAT
                               " packets steered by Flow Director filters\n",
                               r->tx_matched, r->atr_steered);
    if (r->model_drops)
        g_string_append_printf(s, "model backlog drops: %" G_GUINT64_FORMAT "\n", r->model_drops);
    text_backlog(s, &r->backlog);
    g_string_append_printf(s, "agreement (rx queue: %s, cpu: %s%s%s):\n", r->rx_queue_mode,
                           r->cpu_mode,
                           r->tx_queue_mode ? ", tx queue of the veth sender = rx queue: " : "",
                           r->tx_queue_mode ? r->tx_queue_mode : "");
    text_fraction(s, "rx queue", &r->rx_queue, "software hash: the recorded queue is used");
    text_fraction(s, "hash", &r->hash, "software hash: read from the trace");
    if (r->tx_queue_mode)
        text_fraction(s, "tx queue", &r->tx_queue, "no sender transmit joined");
    text_fraction(s, "cpu", &r->cpu, "no matched packet reached netif_receive_skb");
    text_fraction(s, "cpu (all)", &r->cpu_all, "no paired entries");
    text_disagreements(s, "CPU", &r->cpu);
    text_disagreements(s, "RX queue", &r->rx_queue);
    text_disagreements(s, "hash", &r->hash);
    text_disagreements(s, "sender TX queue", &r->tx_queue);
    text_per_cpu(s, r);
    text_napi(s, r);
    text_softirq(s, r);
    text_irq(s, r);
    text_threads(s, r);
    g_string_append_printf(
        s,
        "trace: %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT
        " garbled, %" G_GUINT64_FORMAT " unknown, %" G_GUINT64_FORMAT " lost\n",
        r->trace_lines, r->trace_events, r->trace_garbled, r->trace_unknown, r->trace_lost);
    return g_string_free(s, FALSE);
}

/* ---- JSON ---- */

static json_t *json_fraction(double f)
{
    return f < 0 ? json_null() : json_real(f);
}

static json_t *json_disagreements(const struct val_agree *a)
{
    json_t *arr = json_array();
    for (guint i = 0; a->first && i < a->first->len; i++) {
        const struct val_disagreement *d = &g_array_index(a->first, struct val_disagreement, i);
        json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I}", "trace_line",
                                             (json_int_t)d->trace_line, "packet",
                                             (json_int_t)d->packet, "model", (json_int_t)d->model,
                                             "trace", (json_int_t)d->actual));
    }
    return arr;
}

static json_t *json_strings(const GPtrArray *a)
{
    json_t *arr = json_array();
    for (guint i = 0; i < a->len; i++)
        json_array_append_new(arr, json_string(a->pdata[i]));
    return arr;
}

static json_t *json_counts(const struct val_agree *a)
{
    return json_pack("{s:I, s:I}", "compared", (json_int_t)a->compared, "agreed",
                     (json_int_t)a->agreed);
}

static json_t *json_opt(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

/* (model - trace) / trace of a CPU's NET_RX time; null without traced runs. */
static json_t *json_rel_total(const struct val_report_cpu *p)
{
    if (!p->net_rx_ns)
        return json_null();
    return json_real(((double)p->model_net_rx_ns - (double)p->net_rx_ns) / (double)p->net_rx_ns);
}

/* Drops and time_squeeze, model against softnet_stat (cmp_backlog.c). */
static json_t *json_backlog(const struct val_report *r)
{
    const struct val_report_backlog *b = &r->backlog;
    return json_pack(
        "{s:{s:I, s:o, s:o, s:I, s:I, s:o}, s:{s:I, s:o, s:o}}", "drops", "model",
        (json_int_t)b->model_dropped, "softnet", json_opt(b->softnet_dropped), "traced",
        json_opt(r->trace_backlog_drops), "same_packet", (json_int_t)r->host_dropped_model_dropped,
        "traced_model_queued", (json_int_t)r->host_dropped_model_queued, "error",
        b->drop_error < 0 ? json_null() : json_real(b->drop_error), "time_squeeze", "model",
        (json_int_t)b->model_time_squeeze, "softnet", json_opt(b->softnet_time_squeeze), "error",
        b->time_squeeze_error < 0 ? json_null() : json_real(b->time_squeeze_error));
}

static json_t *json_per_cpu(const struct val_report *r)
{
    json_t *arr = json_array();
    for (int c = 0; c < r->ncpus; c++) {
        const struct val_report_cpu *p = &r->cpus[c];
        json_t *o = json_object();
        json_object_set_new(o, "cpu", json_integer(p->cpu));
        json_object_set_new(o, "model_processed", json_integer((json_int_t)p->model_processed));
        json_object_set_new(o, "trace_processed", json_integer((json_int_t)p->trace_processed));
        json_object_set_new(o, "trace_processed_ksoftirqd",
                            json_integer((json_int_t)p->trace_processed_ksoftirqd));
        json_object_set_new(o, "softnet_processed", json_opt(p->softnet_processed));
        json_object_set_new(o, "softnet_dropped", json_opt(p->softnet_dropped));
        json_object_set_new(o, "softnet_time_squeeze", json_opt(p->softnet_time_squeeze));
        json_object_set_new(o, "model_dropped", json_integer((json_int_t)p->model_dropped));
        json_object_set_new(o, "model_time_squeeze",
                            json_integer((json_int_t)p->model_time_squeeze));
        json_object_set_new(o, "net_rx_ns", json_integer((json_int_t)p->net_rx_ns));
        json_object_set_new(o, "net_rx_ksoftirqd_ns",
                            json_integer((json_int_t)p->net_rx_ksoftirqd_ns));
        json_object_set_new(o, "net_rx_runs", json_integer((json_int_t)p->net_rx_runs));
        json_object_set_new(o, "model_net_rx_ns", json_integer((json_int_t)p->model_net_rx_ns));
        json_object_set_new(o, "model_net_rx_error", json_rel_total(p));
        json_object_set_new(o, "softirqs_net_rx", json_opt(p->softirqs_net_rx));
        json_object_set_new(o, "backlog_polls", json_integer((json_int_t)p->backlog_polls));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* |model - ref| / ref; null when either is unknown or ref is 0 with model not (infinite
 * relative error is no JSON number). */
static json_t *json_rel(int64_t model, int64_t ref)
{
    if (model < 0 || ref < 0)
        return json_null();
    double e = val_rel_error((double)model, (double)ref);
    return isfinite(e) ? json_real(e) : json_null();
}

static json_t *json_irq(const struct val_report *r)
{
    if (!r->irq_applicable)
        return json_null();
    json_t *arr = json_array();
    for (guint i = 0; i < r->vectors->len; i++) {
        const struct val_report_vector *v = &g_array_index(r->vectors, struct val_report_vector, i);
        json_t *o = json_pack("{s:s, s:o, s:I}", "name", v->name, "trace",
                              v->trace < 0 ? json_null() : json_integer(v->trace), "procfs",
                              (json_int_t)v->procfs);
        json_object_set_new(o, "vector", json_integer(v->index));
        json_object_set_new(o, "model", v->model < 0 ? json_null() : json_integer(v->model));
        json_object_set_new(o, "model_cpu",
                            v->model_cpu < 0 ? json_null() : json_integer(v->model_cpu));
        json_object_set_new(o, "rel_error_trace", json_rel(v->model, v->trace));
        json_object_set_new(o, "rel_error_procfs", json_rel(v->model, v->procfs));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *json_irq_model(const struct val_report *r)
{
    const struct val_report_irq_model *im = &r->irq_model;
    json_t *notes = json_strings(im->notes);
    if (!im->applicable)
        return json_pack("{s:b, s:s, s:o}", "applicable", false, "why_not",
                         im->why_not ? im->why_not : "", "notes", notes);
    json_t *perq = json_array();
    for (unsigned q = 0; q < im->tx_queues; q++)
        json_array_append_new(perq, json_integer((json_int_t)im->tx_per_queue[q]));
    json_t *tx = json_pack("{s:I, s:o, s:s, s:I}", "frames", (json_int_t)im->tx_frames, "per_queue",
                           perq, "queue_source", im->tx_queue_source ? im->tx_queue_source : "none",
                           "ring_full", (json_int_t)im->tx_ring_full);
    return json_pack("{s:b, s:i, s:I, s:I, s:I, s:s, s:I, s:I, s:o, s:o}", "applicable", true,
                     "rx_usecs", im->rx_usecs, "queues", (json_int_t)im->queues, "vectors",
                     (json_int_t)im->vectors, "ring_size", (json_int_t)im->ring_size,
                     "queue_source", im->queue_source ? im->queue_source : "", "packets",
                     (json_int_t)im->packets, "ring_drops", (json_int_t)im->ring_drops, "notes",
                     notes, "tx", tx);
}

static json_t *json_softirq(const struct val_report *r)
{
    double ks = val_report_softirq_ks(r);
    bool ok = ks >= 0;
    uint64_t mp = sim_hist_quantile(&r->net_rx_model_us, 0.5),
             tp = sim_hist_quantile(&r->net_rx_us, 0.5);
    uint64_t m99 = sim_hist_quantile(&r->net_rx_model_us, 0.99),
             t99 = sim_hist_quantile(&r->net_rx_us, 0.99);
    bool tr = r->net_rx_us.count > 0;
    json_t *j = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "ks_distance", ok ? json_real(ks) : json_null(),
        "model_p50_ns", ok ? json_integer((json_int_t)mp) : json_null(), "trace_p50_ns",
        tr ? json_integer((json_int_t)tp) : json_null(), "model_p99_ns",
        ok ? json_integer((json_int_t)m99) : json_null(), "trace_p99_ns",
        tr ? json_integer((json_int_t)t99) : json_null(), "median_ratio",
        ok && tp ? json_real((double)mp / (double)tp) : json_null(), "model_hist",
        sim_hist_json(&r->net_rx_model_us), "trace_hist", sim_hist_json(&r->net_rx_us));
    /* The same medians in µs, the unit the trace prints (schema 1 readers use these keys). */
    json_object_set_new(j, "model_p50_us", ok ? json_real((double)mp / 1e3) : json_null());
    json_object_set_new(j, "trace_p50_us", tr ? json_real((double)tp / 1e3) : json_null());
    return j;
}

static json_t *json_wakes(const struct val_report *r)
{
    const struct val_wake_stats *w = &r->wakes;
    double f = val_agree_fraction(&w->agree);
    json_t *dis = json_array();
    for (guint i = 0; i < w->agree.first->len; i++) {
        const struct val_disagreement *d =
            &g_array_index(w->agree.first, struct val_disagreement, i);
        json_array_append_new(dis, json_pack("{s:I, s:I, s:I, s:I}", "trace_line",
                                             (json_int_t)d->trace_line, "tid",
                                             (json_int_t)d->packet, "model", (json_int_t)d->model,
                                             "trace", (json_int_t)d->actual));
    }
    if (!r->wakes_applicable) {
        json_decref(dis);
        return json_pack("{s:n, s:n, s:n, s:n, s:[]}", "count", "agreement", "model_migrations",
                         "trace_migrations", "disagreements");
    }
    return json_pack(
        "{s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:o}", "count", (json_int_t)w->count, "agreement",
        f < 0 ? json_null() : json_real(f), "model_migrations", (json_int_t)w->model_migrations,
        "trace_migrations", (json_int_t)w->trace_migrations, "skipped_unknown_cpu",
        (json_int_t)w->unknown_prev, "sched_switches", (json_int_t)w->switches,
        "unpaired_sched_switches", (json_int_t)w->unpaired_switches, "disagreements", dis);
}

static json_t *json_threads(const struct val_report *r)
{
    json_t *arr = json_array();
    for (guint i = 0; i < r->threads->len; i++) {
        const struct val_report_thread *t = &g_array_index(r->threads, struct val_report_thread, i);
        json_array_append_new(arr, json_pack("{s:i, s:i, s:I, s:I}", "thread", t->thread, "tid",
                                             t->tid, "migrations", (json_int_t)t->migrations,
                                             "socket_reads", (json_int_t)t->socket_reads));
    }
    return arr;
}

/* Which costs priced the NET_RX runs (validate --costs, the costs library by host, built-in) and
 * whether they were fitted on this bundle. */
static json_t *json_costs(const struct val_report *r)
{
    static const char *const by[] = {"built-in", "option", "host"};
    const char *b = (unsigned)r->costs_by < G_N_ELEMENTS(by) ? by[r->costs_by] : "?";
    return json_pack("{s:s, s:s, s:b}", "file", r->costs_source ? r->costs_source : "built-in",
                     "selected_by", b, "in_sample", r->costs_in_sample);
}

json_t *val_report_json(const struct val_report *r)
{
    double ks = val_report_napi_ks(r);
    json_t *napi =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}", "kind",
                  r->napi_kind ? json_string(r->napi_kind) : json_null(), "ks_distance",
                  ks < 0 ? json_null() : json_real(ks), "model_hist", sim_hist_json(&r->napi_model),
                  "trace_hist", sim_hist_json(&r->napi_trace), "device_trace_hist",
                  sim_hist_json(&r->napi_device), "trace_full_polls", (json_int_t)r->polls_full);
    json_t *j = json_object();
    json_object_set_new(j, "bundle", json_string(r->bundle ? r->bundle : ""));
    json_object_set_new(j, "case", json_string(r->case_name ? r->case_name : ""));
    json_object_set_new(j, "kernel", json_string(r->kernel ? r->kernel : ""));
    json_object_set_new(j, "rx_dev", json_string(r->rx_dev ? r->rx_dev : ""));
    json_object_set_new(j, "rx_driver", json_string(r->rx_driver ? r->rx_driver : ""));
    json_object_set_new(j, "ncpus", json_integer(r->ncpus));
    json_object_set_new(j, "partial", json_boolean(r->partial));
    json_object_set_new(j, "partial_reasons", json_strings(r->partial_reasons));
    json_object_set_new(j, "warnings", json_strings(r->warnings));
    json_object_set_new(j, "costs", json_costs(r));
    json_object_set_new(j, "packets",
                        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "pcap",
                                  (json_int_t)r->pcap_packets, "pcap_outgoing",
                                  (json_int_t)r->pcap_outgoing, "model_drops",
                                  (json_int_t)r->model_drops, "trace", (json_int_t)r->trace_entries,
                                  "trace_all_devices", (json_int_t)r->trace_entries_all, "matched",
                                  (json_int_t)r->matched, "unpaired", (json_int_t)r->unpaired,
                                  "match_window_ns", (json_int_t)r->match_window_ns));
    json_object_set_new(j, "backlog", json_backlog(r));
    json_t *pk = json_object_get(j, "packets");
    json_object_set_new(pk, "tx_matched", json_integer((json_int_t)r->tx_matched));
    json_object_set_new(pk, "atr_steered", json_integer((json_int_t)r->atr_steered));
    json_object_set_new(j, "agreement",
                        json_pack("{s:o, s:o, s:o, s:o, s:s, s:s}", "rx_queue",
                                  json_fraction(val_agree_fraction(&r->rx_queue)), "hash",
                                  json_fraction(val_agree_fraction(&r->hash)), "cpu",
                                  json_fraction(val_agree_fraction(&r->cpu)), "cpu_all_entries",
                                  json_fraction(val_agree_fraction(&r->cpu_all)), "rx_queue_mode",
                                  r->rx_queue_mode, "cpu_mode", r->cpu_mode));
    json_t *ag = json_object_get(j, "agreement");
    json_object_set_new(ag, "tx_queue", json_fraction(val_agree_fraction(&r->tx_queue)));
    json_object_set_new(ag, "tx_queue_mode",
                        r->tx_queue_mode ? json_string(r->tx_queue_mode) : json_null());
    json_object_set_new(j, "counts",
                        json_pack("{s:o, s:o, s:o, s:o}", "rx_queue", json_counts(&r->rx_queue),
                                  "hash", json_counts(&r->hash), "cpu", json_counts(&r->cpu),
                                  "cpu_all_entries", json_counts(&r->cpu_all)));
    json_object_set_new(json_object_get(j, "counts"), "tx_queue", json_counts(&r->tx_queue));
    json_object_set_new(j, "disagreements",
                        json_pack("{s:o, s:o, s:o}", "cpu", json_disagreements(&r->cpu), "rx_queue",
                                  json_disagreements(&r->rx_queue), "hash",
                                  json_disagreements(&r->hash)));
    json_object_set_new(json_object_get(j, "disagreements"), "tx_queue",
                        json_disagreements(&r->tx_queue));
    json_object_set_new(j, "per_cpu", json_per_cpu(r));
    double dks = val_report_napi_device_ks(r);
    json_object_set_new(
        napi, "device",
        json_pack("{s:o, s:o, s:o}", "ks_distance", dks < 0 ? json_null() : json_real(dks),
                  "model_hist",
                  r->irq_model.applicable ? sim_hist_json(&r->napi_device_model) : json_null(),
                  "trace_hist", sim_hist_json(&r->napi_device)));
    json_object_set_new(j, "napi_poll", napi);
    json_object_set_new(j, "softirq", json_softirq(r));
    json_object_set_new(j, "wakeups", json_wakes(r));
    json_object_set_new(
        j, "irq", json_pack("{s:o, s:o}", "vectors", json_irq(r), "model", json_irq_model(r)));
    json_object_set_new(j, "threads", json_threads(r));
    json_object_set_new(j, "trace",
                        json_pack("{s:I, s:I, s:I, s:I, s:I}", "lines", (json_int_t)r->trace_lines,
                                  "events", (json_int_t)r->trace_events, "garbled",
                                  (json_int_t)r->trace_garbled, "unknown",
                                  (json_int_t)r->trace_unknown, "lost", (json_int_t)r->trace_lost));
    sim_version_stamp(j, 1);
    return j;
}
