/* Comparison arithmetic of the validation mode: binned histograms, the two-sample
 * Kolmogorov-Smirnov statistic on empirical CDFs, agreement counters. */
#include "validate/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct val_hist *val_hist_new(unsigned nbins, uint64_t width)
{
    struct val_hist *h = g_new0(struct val_hist, 1);
    h->nbins = nbins ? nbins : 1;
    h->width = width ? width : 1;
    h->bins = g_new0(uint64_t, h->nbins);
    return h;
}

void val_hist_free(struct val_hist *h)
{
    if (!h)
        return;
    g_free(h->bins);
    g_free(h);
}

void val_hist_add(struct val_hist *h, uint64_t v)
{
    val_hist_add_n(h, v, 1);
}

void val_hist_add_n(struct val_hist *h, uint64_t v, uint64_t n)
{
    if (!n)
        return;
    uint64_t b = v / h->width;
    if (b >= h->nbins) {
        b = h->nbins - 1;
        if (v >= (uint64_t)h->nbins * h->width)
            h->clamped += n;
    }
    h->bins[b] += n;
    h->count += n;
    h->sum += v * n;
    if (v > h->max)
        h->max = v;
}

json_t *val_hist_json(const struct val_hist *h)
{
    /* Trailing empty bins are left out; nbins says how many there are. */
    unsigned last = h->nbins;
    while (last > 0 && !h->bins[last - 1])
        last--;
    json_t *bins = json_array();
    for (unsigned i = 0; i < last; i++)
        json_array_append_new(bins, json_integer((json_int_t)h->bins[i]));
    return json_pack("{s:I, s:I, s:I, s:f, s:I, s:I, s:o}", "nbins", (json_int_t)h->nbins,
                     "bin_width", (json_int_t)h->width, "count", (json_int_t)h->count, "mean",
                     h->count ? (double)h->sum / (double)h->count : 0.0, "max", (json_int_t)h->max,
                     "clamped", (json_int_t)h->clamped, "bins", bins);
}

double val_hist_ks(const struct val_hist *a, const struct val_hist *b)
{
    if (!a || !b || !a->count || !b->count || a->nbins != b->nbins || a->width != b->width)
        return -1.0;
    /* Both CDFs only step at bin edges, so the supremum is attained at one of them. */
    uint64_t ca = 0, cb = 0;
    double d = 0.0;
    for (unsigned i = 0; i < a->nbins; i++) {
        ca += a->bins[i];
        cb += b->bins[i];
        double diff = fabs((double)ca / (double)a->count - (double)cb / (double)b->count);
        if (diff > d)
            d = diff;
    }
    return d;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

double val_ks_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    if (!na || !nb)
        return -1.0;
    uint64_t *sa = g_memdup2(a, na * sizeof *a), *sb = g_memdup2(b, nb * sizeof *b);
    qsort(sa, na, sizeof *sa, cmp_u64);
    qsort(sb, nb, sizeof *sb, cmp_u64);
    size_t i = 0, j = 0;
    double d = 0.0;
    /* Walk the merged sample values; evaluate both CDFs after all ties at each value. */
    while (i < na || j < nb) {
        uint64_t x = (j >= nb || (i < na && sa[i] <= sb[j])) ? sa[i] : sb[j];
        while (i < na && sa[i] == x)
            i++;
        while (j < nb && sb[j] == x)
            j++;
        double diff = fabs((double)i / (double)na - (double)j / (double)nb);
        if (diff > d)
            d = diff;
    }
    g_free(sa);
    g_free(sb);
    return d;
}

void val_agree_init(struct val_agree *a, unsigned keep)
{
    memset(a, 0, sizeof *a);
    a->keep = keep;
    a->first = g_array_new(FALSE, FALSE, sizeof(struct val_disagreement));
}

void val_agree_clear(struct val_agree *a)
{
    if (a->first)
        g_array_free(a->first, TRUE);
    memset(a, 0, sizeof *a);
}

void val_agree_add(struct val_agree *a, int64_t model, int64_t actual, uint64_t packet,
                   uint64_t trace_line)
{
    a->compared++;
    if (model == actual) {
        a->agreed++;
        return;
    }
    if (a->first && a->first->len < a->keep) {
        struct val_disagreement d = {packet, trace_line, model, actual};
        g_array_append_val(a->first, d);
    }
}

double val_agree_fraction(const struct val_agree *a)
{
    return a->compared ? (double)a->agreed / (double)a->compared : -1.0;
}

double val_rel_error(double model, double ref)
{
    if (ref == 0.0)
        return model == 0.0 ? 0.0 : INFINITY;
    return fabs(model - ref) / fabs(ref);
}
