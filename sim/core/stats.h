/* Per-flow latency summary (the full histogram is sim/core/hist.h). */
#ifndef NICSTEER_SIM_STATS_H
#define NICSTEER_SIM_STATS_H

#include <stdint.h>

/* Per-flow latency summary, fixed 104 bytes (a flow's full sim_hist is
 * 20 KB): log-linear buckets with SIM_FLOW_LAT_SUB linear sub-buckets per
 * power of two, of which a window of SIM_FLOW_LAT_BINS consecutive ones
 * (10 powers of two: a 1,024x spread of values) is kept.
 * Accuracy contract:
 *  - count and max are exact;
 *  - a quantile is the upper edge of the bucket holding the sample of rank
 *    ceil(q * n), capped at max: never below the true value, at most 25%
 *    above it (values < 4 ns are exact);
 *  - the window follows the largest values: samples more than 10 powers of
 *    two below the largest fall into the window's lowest bucket and read as
 *    its upper edge (still never below the truth), so p50 is exact to the
 *    contract while p50 >= max / 1024;
 *  - a bucket holds up to 65,535 samples; when one would overflow, every
 *    bucket is halved (rounding up), so after that later samples weigh more
 *    than earlier ones (ranks become approximate, never the order of buckets).
 * Deterministic, O(1) per sample (O(bins) when the window moves), no
 * allocation. All-zero bytes are an empty summary. */
#define SIM_FLOW_LAT_SUB  4
#define SIM_FLOW_LAT_BINS 40

struct sim_flow_lat {
    uint64_t count; /* samples */
    uint64_t max;   /* ns */
    uint16_t lo;    /* bucket index of bins[0] */
    uint16_t halvings;
    uint16_t bins[SIM_FLOW_LAT_BINS];
};

void sim_flow_lat_init(struct sim_flow_lat *l);
void sim_flow_lat_add(struct sim_flow_lat *l, uint64_t v_ns);
/* Value at quantile q in [0,1] per the contract above; 0 if empty. */
uint64_t sim_flow_lat_quantile(const struct sim_flow_lat *l, double q);

#endif
