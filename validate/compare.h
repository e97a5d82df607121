/* Comparison arithmetic of the validation mode: the two-sample Kolmogorov-Smirnov distance and
 * agreement counts. */
#ifndef NICSTEER_VALIDATE_COMPARE_H
#define NICSTEER_VALIDATE_COMPARE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Two-sample Kolmogorov-Smirnov distance sup_x |F_a(x) - F_b(x)| on raw samples (exact; sorts
 * copies; binned samples: sim_hist_ks). Negative when either side is empty. */
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
