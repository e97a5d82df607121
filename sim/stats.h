/* Latency histograms for percentiles (p50/p99/p99.9/max) without storing
 * samples: log-linear buckets (HdrHistogram idea), 1/64 relative precision.
 * Fixed size, no allocation after _init: safe on the packet path. */
#ifndef NICSTEER_SIM_STATS_H
#define NICSTEER_SIM_STATS_H

#include <stdint.h>

#define SIM_HIST_SUB     64 /* linear sub-buckets per power of two */
#define SIM_HIST_BUCKETS (SIM_HIST_SUB * 40)

struct sim_hist {
    uint64_t count;
    uint64_t max;                      /* ns */
    uint64_t sum;                      /* ns, for the mean */
    uint32_t bins[SIM_HIST_BUCKETS];   /* counts per log-linear bucket */
};

void sim_hist_init(struct sim_hist *h);
void sim_hist_add(struct sim_hist *h, uint64_t v_ns);
/* Value at quantile q in [0,1] (upper edge of its bucket, capped at max); 0 if empty. */
uint64_t sim_hist_quantile(const struct sim_hist *h, double q);
void sim_hist_merge(struct sim_hist *into, const struct sim_hist *from);

#endif
