/* NNLS fit of NET_RX run durations on their operation counts (validate/nnls.c), and the
 * residual quantiles kept as the run jitter so the model's duration histogram has the trace's
 * spread instead of one spike per operation mix. */
#include "validate/calibrate.h"

#include "sim/core/err.h"
#include "sim/core/version.h"
#include "validate/nnls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double q)
{
    if (!n)
        return 0;
    double x = q * (double)(n - 1);
    size_t i = (size_t)x;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (x - (double)i) * (sorted[i + 1] - sorted[i]);
}

static double predict(const struct val_nrx_run *r, const double *price)
{
    double s = 0;
    for (int t = 0; t < VAL_NRX__N; t++)
        s += price[t] * r->n[t];
    return s;
}

/* R^2, total error, |residual| quantiles and the signed residual quantiles (jitter). */
static void quality(const GArray *runs, struct val_calib_fit *f)
{
    size_t n = runs->len;
    double *res = g_new(double, n), *abs_res = g_new(double, n);
    double mean = 0, sum_fit = 0, ss_res = 0, ss_tot = 0;
    for (size_t i = 0; i < n; i++)
        mean += (double)g_array_index(runs, struct val_nrx_run, i).trace_ns / (double)n;
    for (size_t i = 0; i < n; i++) {
        const struct val_nrx_run *r = &g_array_index(runs, struct val_nrx_run, i);
        double p = predict(r, f->price), y = (double)r->trace_ns;
        res[i] = y - p;
        abs_res[i] = fabs(res[i]);
        sum_fit += p;
        ss_res += res[i] * res[i];
        ss_tot += (y - mean) * (y - mean);
    }
    f->r2 = ss_tot > 0 ? 1.0 - ss_res / ss_tot : 0;
    f->total_err = mean > 0 ? (sum_fit - mean * (double)n) / (mean * (double)n) : 0;
    qsort(res, n, sizeof *res, cmp_double);
    qsort(abs_res, n, sizeof *abs_res, cmp_double);
    f->abs_res_p50 = quantile(abs_res, n, 0.5);
    f->abs_res_p99 = quantile(abs_res, n, 0.99);
    /* equal-count bins, each kept as its mean: sampling a bin uniformly has the residuals' mean
     * (zero-sum by the fit) and their spread, outliers included at their weight */
    for (int q = 0; q < KERN_COST_JITTER_Q; q++) {
        size_t lo = n * (size_t)q / KERN_COST_JITTER_Q,
               hi = n * (size_t)(q + 1) / KERN_COST_JITTER_Q;
        double s = 0;
        for (size_t i = lo; i < hi; i++)
            s += res[i];
        f->jitter[q] = (int32_t)lround(hi > lo ? s / (double)(hi - lo) : res[MIN(lo, n - 1)]);
    }
    g_free(res);
    g_free(abs_res);
}

bool val_calib_fit(const GArray *runs, struct val_calib_fit *f, GError **err)
{
    memset(f, 0, sizeof *f);
    if (!runs || runs->len < VAL_NRX__N) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%u traced NET_RX runs: at least %d needed to fit the cost terms",
                    runs ? runs->len : 0, VAL_NRX__N);
        return false;
    }
    double g[VAL_NRX__N * VAL_NRX__N] = {0}, h[VAL_NRX__N] = {0}, a[VAL_NRX__N];
    for (guint i = 0; i < runs->len; i++) {
        const struct val_nrx_run *r = &g_array_index(runs, struct val_nrx_run, i);
        for (int t = 0; t < VAL_NRX__N; t++) {
            a[t] = r->n[t];
            f->used[t] += r->n[t] > 0;
        }
        val_nnls_add_row(g, h, VAL_NRX__N, a, (double)r->trace_ns);
    }
    if (!val_nnls_gram(g, h, VAL_NRX__N, f->price)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "NNLS did not converge on %u runs", runs->len);
        return false;
    }
    f->runs = runs->len;
    quality(runs, f);
    return true;
}

static uint32_t ns(double x)
{
    return x <= 0 ? 0 : x >= 1e8 ? 100000000u : (uint32_t)lround(x);
}

/* Two fields behind one term: the fitted price split in the prior's ratio (the trace has no
 * event between them to tell them apart). */
static void split(double price, uint32_t *a, uint32_t *b)
{
    double tot = (double)*a + *b;
    double fa = tot > 0 ? *a / tot : 0.5;
    *a = ns(price * fa);
    *b = ns(price - (double)*a);
}

void val_calib_apply(const struct val_calib_fit *f, const struct kern_cost *prior,
                     struct kern_cost *out)
{
    *out = *prior;
    const double *p = f->price;
    if (f->used[VAL_NRX_RUN])
        split(p[VAL_NRX_RUN], &out->softirq_pass, &out->net_rx_action);
    if (f->used[VAL_NRX_DEV_PKT])
        split(p[VAL_NRX_DEV_PKT], &out->drv_rx_pkt, &out->gro_pkt);
    uint32_t *one[VAL_NRX__N] = {
        [VAL_NRX_POLL] = &out->napi_poll,      [VAL_NRX_SKB] = &out->stack_skb,
        [VAL_NRX_SOCK] = &out->sock_enqueue,   [VAL_NRX_WAKE] = &out->wakeup,
        [VAL_NRX_RPS] = &out->rps_enqueue,     [VAL_NRX_IPI] = &out->ipi_send,
        [VAL_NRX_IRQ] = &out->hardirq,         [VAL_NRX_DEFER] = &out->skb_defer_flush,
        [VAL_NRX_CSD_ENQ] = &out->csd_enqueue,
    };
    for (int t = 0; t < VAL_NRX__N; t++)
        if (one[t] && f->used[t])
            *one[t] = ns(p[t]);
    memcpy(out->net_rx_jitter_ns, f->jitter, sizeof out->net_rx_jitter_ns);
    out->n_net_rx_jitter = KERN_COST_JITTER_Q;
}

json_t *val_calib_costs_json(const struct kern_cost *out, const struct val_calib_fit *f,
                             const char *const *bundles, unsigned nbundles,
                             const char *const *hosts)
{
    json_t *j = json_object();
    struct kern_cost c = *out;
    for (const char *const *k = kern_cost_names(); *k; k++)
        json_object_set_new(j, *k, json_integer(*kern_cost_field(&c, *k)));
    json_t *q = json_array();
    for (unsigned i = 0; i < out->n_net_rx_jitter; i++)
        json_array_append_new(q, json_integer(out->net_rx_jitter_ns[i]));
    json_object_set_new(j, "net_rx_jitter_ns", q);
    json_t *b = json_array();
    for (unsigned i = 0; i < nbundles; i++)
        json_array_append_new(b, json_string(bundles[i]));
    json_t *h = json_array();
    for (const char *const *p = hosts; p && *p; p++)
        json_array_append_new(h, json_string(*p));
    json_object_set_new(j, "calibration",
                        json_pack("{s:s, s:o, s:o, s:I, s:f, s:f, s:f}", "by", "nicsteer calibrate",
                                  "bundles", b, "hosts", h, "runs", (json_int_t)f->runs, "r2",
                                  round(f->r2 * 1e4) / 1e4, "abs_residual_p50_ns",
                                  round(f->abs_res_p50), "abs_residual_p99_ns",
                                  round(f->abs_res_p99)));
    sim_version_stamp(j, 1);
    return j;
}

char *val_calib_text(const struct val_calib_fit *f)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s,
                           "NET_RX runs fitted: %" G_GUINT64_FORMAT
                           ", R^2 %.4f, |residual| p50 %.0f ns p99 %.0f ns, "
                           "total %+.2f%%\n  term          ns/op   runs with it\n",
                           f->runs, f->r2, f->abs_res_p50, f->abs_res_p99, 100 * f->total_err);
    for (int t = 0; t < VAL_NRX__N; t++)
        g_string_append_printf(s, "  %-12s %7.0f %9" G_GUINT64_FORMAT "%s\n",
                               val_nrx_term_name((enum val_nrx_term)t), f->price[t], f->used[t],
                               f->used[t] ? "" : " (no run: prior kept)");
    g_string_append_printf(
        s, "  jitter (residual means of 41 equal-count bins) ns: bin 2 %d, bin 20 %d, bin 38 %d\n",
        f->jitter[2], f->jitter[20], f->jitter[38]);
    return g_string_free(s, FALSE);
}
