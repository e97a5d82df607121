/* Comparison arithmetic of the validation mode: histograms of integer samples (NAPI poll
 * work, softirq durations), the two-sample Kolmogorov-Smirnov distance and agreement counts. */
#ifndef NICSTEER_VALIDATE_COMPARE_H
#define NICSTEER_VALIDATE_COMPARE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Histogram of non-negative integer samples: bin i holds samples in [i*width, (i+1)*width);
 * samples at or above nbins*width are counted in the last bin and in `clamped`. */
struct val_hist {
    unsigned nbins;
    uint64_t width;
    uint64_t count;
    uint64_t sum;     /* exact sum of the samples (mean = sum / count) */
    uint64_t max;     /* largest sample */
    uint64_t clamped; /* samples beyond the last bin's upper edge */
    uint64_t *bins;
};

/* New empty histogram (nbins >= 1, width >= 1). */
struct val_hist *val_hist_new(unsigned nbins, uint64_t width);
void val_hist_free(struct val_hist *h);
void val_hist_add(struct val_hist *h, uint64_t v);
/* n samples of value v at once. */
void val_hist_add_n(struct val_hist *h, uint64_t v, uint64_t n);
/* {"nbins", "bin_width", "count", "mean", "max", "clamped", "bins": [counts up to the last
 * non-empty bin]} */
json_t *val_hist_json(const struct val_hist *h);

/* Two-sample Kolmogorov-Smirnov distance sup_x |F_a(x) - F_b(x)| between the empirical CDFs
 * of the binned samples (exact for width 1). Negative when either histogram is empty or their
 * binning differs. */
double val_hist_ks(const struct val_hist *a, const struct val_hist *b);
/* The same on raw samples (exact; sorts copies). Negative when either side is empty. */
double val_ks_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

/* One disagreement kept for the report: what the model said against the trace. */
struct val_disagreement {
    uint64_t packet;     /* 1-based pcap packet number, 0 when not matched to the pcap */
    uint64_t trace_line; /* line of the receive-entry event in the trace */
    int64_t model;
    int64_t actual;
};

/* Agreement counter keeping the first `keep` disagreements in order. */
struct val_agree {
    uint64_t compared;
    uint64_t agreed;
    unsigned keep;
    GArray *first; /* struct val_disagreement */
};

void val_agree_init(struct val_agree *a, unsigned keep);
void val_agree_clear(struct val_agree *a);
void val_agree_add(struct val_agree *a, int64_t model, int64_t actual, uint64_t packet,
                   uint64_t trace_line);
/* agreed / compared; negative when nothing was compared (not applicable). */
double val_agree_fraction(const struct val_agree *a);

/* |model - ref| / ref; 0 when both are 0, +inf when only ref is 0. */
double val_rel_error(double model, double ref);

#endif
