/* Per-flow latency summary: a small sliding window of log-linear buckets. */
#include "sim/core/stats.h"

#include <string.h>

#define FL_SUB_BITS 2
_Static_assert((1u << FL_SUB_BITS) == SIM_FLOW_LAT_SUB, "FL_SUB_BITS must match");

static unsigned fl_bucket_of(uint64_t v)
{
    if (v < SIM_FLOW_LAT_SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v);
    return (e - FL_SUB_BITS) * SIM_FLOW_LAT_SUB + (unsigned)(v >> (e - FL_SUB_BITS));
}

static uint64_t fl_bucket_upper(unsigned b)
{
    if (b < SIM_FLOW_LAT_SUB)
        return b;
    unsigned shift = b / SIM_FLOW_LAT_SUB - 1;
    uint64_t lower = (uint64_t)(SIM_FLOW_LAT_SUB + b % SIM_FLOW_LAT_SUB) << shift;
    return lower + (((uint64_t)1 << shift) - 1);
}

static void fl_halve(struct sim_flow_lat *l)
{
    for (unsigned i = 0; i < SIM_FLOW_LAT_BINS; i++)
        l->bins[i] = (uint16_t)((l->bins[i] + 1u) / 2u);
    l->halvings++;
}

/* Move the window up by d buckets: the lowest d + 1 merge into bins[0]. */
static void fl_slide_up(struct sim_flow_lat *l, unsigned d)
{
    uint32_t low = 0;
    for (unsigned i = 0; i <= d && i < SIM_FLOW_LAT_BINS; i++)
        low += l->bins[i];
    while (low > UINT16_MAX) {
        fl_halve(l);
        low = (low + 1) / 2;
    }
    for (unsigned i = 1; i < SIM_FLOW_LAT_BINS; i++)
        l->bins[i] = i + d < SIM_FLOW_LAT_BINS ? l->bins[i + d] : 0;
    l->bins[0] = (uint16_t)low;
    l->lo = (uint16_t)(l->lo + d);
}

/* Move the window down by up to d buckets while only empty top ones leave. */
static void fl_slide_down(struct sim_flow_lat *l, unsigned d)
{
    unsigned s = 0;
    while (s < d && s < l->lo && l->bins[SIM_FLOW_LAT_BINS - 1 - s] == 0)
        s++;
    if (s == 0)
        return;
    memmove(&l->bins[s], &l->bins[0], (SIM_FLOW_LAT_BINS - s) * sizeof l->bins[0]);
    memset(l->bins, 0, s * sizeof l->bins[0]);
    l->lo = (uint16_t)(l->lo - s);
}

void sim_flow_lat_init(struct sim_flow_lat *l)
{
    memset(l, 0, sizeof(*l));
}

void sim_flow_lat_add(struct sim_flow_lat *l, uint64_t v_ns)
{
    unsigned b = fl_bucket_of(v_ns);
    if (l->count == 0) /* room for 5 powers of two below the first sample */
        l->lo = (uint16_t)(b > 5 * SIM_FLOW_LAT_SUB ? b - 5 * SIM_FLOW_LAT_SUB : 0);
    else if (b >= (unsigned)l->lo + SIM_FLOW_LAT_BINS)
        fl_slide_up(l, b - ((unsigned)l->lo + SIM_FLOW_LAT_BINS - 1));
    else if (b < l->lo)
        fl_slide_down(l, l->lo - b);
    unsigned i = b > l->lo ? b - l->lo : 0;
    if (l->bins[i] == UINT16_MAX)
        fl_halve(l);
    l->bins[i]++;
    l->count++;
    if (v_ns > l->max)
        l->max = v_ns;
}

uint64_t sim_flow_lat_quantile(const struct sim_flow_lat *l, double q)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < SIM_FLOW_LAT_BINS; i++)
        total += l->bins[i];
    if (total == 0)
        return 0;
    if (!(q > 0.0))
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    double want = q * (double)total;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++;
    rank = rank == 0 ? 1 : rank > total ? total : rank;
    uint64_t seen = 0;
    for (unsigned i = 0; i < SIM_FLOW_LAT_BINS; i++) {
        seen += l->bins[i];
        if (seen >= rank) {
            uint64_t up = fl_bucket_upper(l->lo + i);
            return up < l->max ? up : l->max;
        }
    }
    return l->max;
}
