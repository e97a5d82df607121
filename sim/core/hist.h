/* The one histogram of the tree: integer samples counted in bins, without storing them.
 * Two layouts:
 *  - log-linear (HdrHistogram idea, 1/64 relative precision): the simulator's latencies;
 *    values below 64 get one bin each, above, every power of two [2^e, 2^(e+1)) is split
 *    into SIM_HIST_SUB bins of width 2^(e-6); values >= 2^45 land in the last bin;
 *  - linear: nbins bins of a fixed width, bin i holding [i*width, (i+1)*width); values at
 *    or above nbins*width land in the last bin and are counted in `clamped` (validate's
 *    NAPI poll sizes and NET_RX durations).
 * Quantile, defined once for both: the q-quantile is the upper inclusive edge of the bin
 * holding the sample of rank ceil(q * count) (at least 1), capped at the largest sample
 * seen (so exact for width-1 bins, never below the true value). The last bin's upper edge
 * is the largest sample when it holds clamped values.
 * Bins are allocated by _init: nothing is allocated by _add (safe on the packet path).
 * A histogram owns its bins: merge, never copy by value. All-zero bytes read as an empty
 * histogram (quantile 0, json empty) that cannot be added to until initialised. */
#ifndef NICSTEER_SIM_HIST_H
#define NICSTEER_SIM_HIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_HIST_SUB     64 /* log-linear: linear sub-bins per power of two */
#define SIM_HIST_BUCKETS (SIM_HIST_SUB * 40)

enum sim_hist_layout { SIM_HIST_LOGLIN, SIM_HIST_LINEAR };

struct sim_hist {
    enum sim_hist_layout layout;
    unsigned nbins;   /* log-linear: SIM_HIST_BUCKETS; 0 when not initialised */
    uint64_t width;   /* linear: bin width (>= 1); log-linear: 0 */
    uint64_t count;   /* samples */
    uint64_t sum;     /* exact sum of the samples (mean = sum / count) */
    uint64_t max;     /* largest sample */
    uint64_t clamped; /* samples beyond the last bin's upper edge */
    uint64_t *bins;   /* nbins counts (owned) */
};

/* Empty log-linear histogram. */
void sim_hist_init(struct sim_hist *h);
/* Empty linear histogram of nbins >= 1 bins of width >= 1 (0 is taken as 1). */
void sim_hist_init_linear(struct sim_hist *h, unsigned nbins, uint64_t width);
/* Frees the bins; leaves all-zero bytes (an empty, uninitialised histogram). */
void sim_hist_clear(struct sim_hist *h);
void sim_hist_add(struct sim_hist *h, uint64_t v);
/* n samples of value v at once. */
void sim_hist_add_n(struct sim_hist *h, uint64_t v, uint64_t n);
/* Value at quantile q in [0,1] as defined above; 0 if empty. */
uint64_t sim_hist_quantile(const struct sim_hist *h, double q);
/* Same layout, bin count and width (two uninitialised ones are not). */
bool sim_hist_same_layout(const struct sim_hist *a, const struct sim_hist *b);
/* Adds from's samples into `into`; an uninitialised `into` takes from's layout. False (and
 * nothing merged) when the layouts differ. */
bool sim_hist_merge(struct sim_hist *into, const struct sim_hist *from);
/* Two-sample Kolmogorov-Smirnov distance sup_x |F_a(x) - F_b(x)| between the empirical CDFs
 * of the binned samples (exact for width-1 bins). Negative when either is empty or their
 * layouts differ. */
double sim_hist_ks(const struct sim_hist *a, const struct sim_hist *b);
/* JSON object (new reference), bins up to the last non-empty one:
 *  linear:     {"nbins", "bin_width", "count", "mean", "max", "clamped", "bins"}
 *  log-linear: {"sub_buckets", "count", "mean", "max", "clamped", "bins"} */
json_t *sim_hist_json(const struct sim_hist *h);

#endif
