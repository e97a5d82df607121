/* Log-linear latency histogram (HdrHistogram layout, 64 sub-buckets per power
 * of two): the simulator's stand-in for recording every packet's latency. */
#include "sim/stats.h"

#include <string.h>

/* Values below SIM_HIST_SUB get one bucket each; above, a power of two
 * [2^e, 2^(e+1)) is split into SIM_HIST_SUB buckets of width 2^(e-6). */
#define SUB_BITS 6
_Static_assert((1u << SUB_BITS) == SIM_HIST_SUB, "SUB_BITS must match SIM_HIST_SUB");

static unsigned bucket_of(uint64_t v)
{
    if (v < SIM_HIST_SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    unsigned sub = (unsigned)(v >> (e - SUB_BITS)) - SIM_HIST_SUB;
    uint64_t b = (uint64_t)SIM_HIST_SUB + (uint64_t)(e - SUB_BITS) * SIM_HIST_SUB + sub;
    return b < SIM_HIST_BUCKETS ? (unsigned)b : SIM_HIST_BUCKETS - 1;
}

/* Highest value a bucket holds (inclusive). */
static uint64_t bucket_upper(unsigned b)
{
    if (b < SIM_HIST_SUB)
        return b;
    unsigned shift = (b - SIM_HIST_SUB) / SIM_HIST_SUB;
    uint64_t sub = (b - SIM_HIST_SUB) % SIM_HIST_SUB;
    uint64_t lower = (SIM_HIST_SUB + sub) << shift;
    return lower + ((uint64_t)1 << shift) - 1;
}

void sim_hist_init(struct sim_hist *h)
{
    memset(h, 0, sizeof(*h));
}

void sim_hist_add(struct sim_hist *h, uint64_t v_ns)
{
    h->bins[bucket_of(v_ns)]++;
    h->count++;
    h->sum += v_ns;
    if (v_ns > h->max)
        h->max = v_ns;
}

uint64_t sim_hist_quantile(const struct sim_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    if (!(q > 0.0))
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    /* Rank of the q-th sample, 1-based: ceil(q * count), at least the first. */
    double want = q * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++;
    if (rank == 0)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (unsigned b = 0; b < SIM_HIST_BUCKETS; b++) {
        seen += h->bins[b];
        if (seen >= rank) {
            /* The last bucket also holds values clamped from above its range
             * (>= 2^45 ns): then only max is known. */
            uint64_t up = bucket_upper(b);
            if (b == SIM_HIST_BUCKETS - 1 && h->max > up)
                return h->max;
            return up < h->max ? up : h->max;
        }
    }
    return h->max;
}

void sim_hist_merge(struct sim_hist *into, const struct sim_hist *from)
{
    for (unsigned b = 0; b < SIM_HIST_BUCKETS; b++)
        into->bins[b] += from->bins[b];
    into->count += from->count;
    into->sum += from->sum;
    if (from->max > into->max)
        into->max = from->max;
}
