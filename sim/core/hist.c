/* One histogram, two layouts (log-linear for latencies, linear for validate's poll sizes and
 * durations): one quantile definition, the two-sample KS distance, merging and JSON. */
#include "sim/core/hist.h"

#include <glib.h>
#include <math.h>
#include <string.h>

/* Log-linear: values below SIM_HIST_SUB get one bin each; above, a power of two
 * [2^e, 2^(e+1)) is split into SIM_HIST_SUB bins of width 2^(e-6). */
#define SUB_BITS 6
_Static_assert((1u << SUB_BITS) == SIM_HIST_SUB, "SUB_BITS must match SIM_HIST_SUB");

static unsigned loglin_bin(uint64_t v)
{
    if (v < SIM_HIST_SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    unsigned sub = (unsigned)(v >> (e - SUB_BITS)) - SIM_HIST_SUB;
    uint64_t b = (uint64_t)SIM_HIST_SUB + (uint64_t)(e - SUB_BITS) * SIM_HIST_SUB + sub;
    return b < SIM_HIST_BUCKETS ? (unsigned)b : SIM_HIST_BUCKETS - 1;
}

static uint64_t loglin_upper(unsigned b)
{
    if (b < SIM_HIST_SUB)
        return b;
    unsigned shift = (b - SIM_HIST_SUB) / SIM_HIST_SUB;
    uint64_t sub = (b - SIM_HIST_SUB) % SIM_HIST_SUB;
    uint64_t lower = (SIM_HIST_SUB + sub) << shift;
    return lower + ((uint64_t)1 << shift) - 1;
}

/* Highest value bin b holds (inclusive), clamped values aside. */
static uint64_t bin_upper(const struct sim_hist *h, unsigned b)
{
    if (h->layout == SIM_HIST_LOGLIN)
        return loglin_upper(b);
    return ((uint64_t)b + 1) * h->width - 1;
}

static unsigned bin_of(const struct sim_hist *h, uint64_t v)
{
    if (h->layout == SIM_HIST_LOGLIN)
        return loglin_bin(v);
    uint64_t b = v / h->width;
    return b < h->nbins ? (unsigned)b : h->nbins - 1;
}

void sim_hist_init(struct sim_hist *h)
{
    memset(h, 0, sizeof *h);
    h->layout = SIM_HIST_LOGLIN;
    h->nbins = SIM_HIST_BUCKETS;
    h->bins = g_new0(uint64_t, h->nbins);
}

void sim_hist_init_linear(struct sim_hist *h, unsigned nbins, uint64_t width)
{
    memset(h, 0, sizeof *h);
    h->layout = SIM_HIST_LINEAR;
    h->nbins = nbins ? nbins : 1;
    h->width = width ? width : 1;
    h->bins = g_new0(uint64_t, h->nbins);
}

void sim_hist_clear(struct sim_hist *h)
{
    g_free(h->bins);
    memset(h, 0, sizeof *h);
}

void sim_hist_add_n(struct sim_hist *h, uint64_t v, uint64_t n)
{
    if (!n)
        return;
    unsigned b = bin_of(h, v);
    if (b == h->nbins - 1 && v > bin_upper(h, b))
        h->clamped += n;
    h->bins[b] += n;
    h->count += n;
    h->sum += v * n;
    if (v > h->max)
        h->max = v;
}

void sim_hist_add(struct sim_hist *h, uint64_t v)
{
    sim_hist_add_n(h, v, 1);
}

/* 1-based rank of the q-th sample: ceil(q * count), within [1, count]. */
static uint64_t rank_of(uint64_t count, double q)
{
    if (!(q > 0.0))
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    double want = q * (double)count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++;
    if (rank == 0)
        rank = 1;
    return rank < count ? rank : count;
}

uint64_t sim_hist_quantile(const struct sim_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = rank_of(h->count, q), seen = 0;
    for (unsigned b = 0; b < h->nbins; b++) {
        seen += h->bins[b];
        if (seen < rank)
            continue;
        /* The last bin also holds values clamped from above its range: then only max is
         * known. */
        uint64_t up = bin_upper(h, b);
        if (b == h->nbins - 1 && h->max > up)
            return h->max;
        return up < h->max ? up : h->max;
    }
    return h->max;
}

bool sim_hist_same_layout(const struct sim_hist *a, const struct sim_hist *b)
{
    return a->bins && b->bins && a->layout == b->layout && a->nbins == b->nbins &&
           a->width == b->width;
}

bool sim_hist_merge(struct sim_hist *into, const struct sim_hist *from)
{
    if (!from->bins)
        return true; /* nothing to add */
    if (!into->bins) {
        if (from->layout == SIM_HIST_LOGLIN)
            sim_hist_init(into);
        else
            sim_hist_init_linear(into, from->nbins, from->width);
    }
    if (!sim_hist_same_layout(into, from))
        return false;
    for (unsigned b = 0; b < into->nbins; b++)
        into->bins[b] += from->bins[b];
    into->count += from->count;
    into->sum += from->sum;
    into->clamped += from->clamped;
    if (from->max > into->max)
        into->max = from->max;
    return true;
}

double sim_hist_ks(const struct sim_hist *a, const struct sim_hist *b)
{
    if (!a->count || !b->count || !sim_hist_same_layout(a, b))
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

json_t *sim_hist_json(const struct sim_hist *h)
{
    /* Trailing empty bins are left out; nbins (or the layout) says how many there are. */
    unsigned last = h->bins ? h->nbins : 0;
    while (last > 0 && !h->bins[last - 1])
        last--;
    json_t *bins = json_array();
    for (unsigned i = 0; i < last; i++)
        json_array_append_new(bins, json_integer((json_int_t)h->bins[i]));
    double mean = h->count ? (double)h->sum / (double)h->count : 0.0;
    if (h->layout == SIM_HIST_LOGLIN)
        return json_pack("{s:i, s:I, s:f, s:I, s:I, s:o}", "sub_buckets", SIM_HIST_SUB, "count",
                         (json_int_t)h->count, "mean", mean, "max", (json_int_t)h->max, "clamped",
                         (json_int_t)h->clamped, "bins", bins);
    return json_pack("{s:I, s:I, s:I, s:f, s:I, s:I, s:o}", "nbins", (json_int_t)h->nbins,
                     "bin_width", (json_int_t)h->width, "count", (json_int_t)h->count, "mean", mean,
                     "max", (json_int_t)h->max, "clamped", (json_int_t)h->clamped, "bins", bins);
}
