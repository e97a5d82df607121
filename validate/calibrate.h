/* Cost model calibration: each traced NET_RX run's duration fitted, by non-negative least
 * squares, on the operations inside it (validate/softirq_model.h terms); the fitted price of
 * each term becomes the struct kern_cost fields behind it, the residuals the run jitter. */
#ifndef NICSTEER_VALIDATE_CALIBRATE_H
#define NICSTEER_VALIDATE_CALIBRATE_H

#include "models/kernel/cost.h"
#include "validate/softirq_model.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct val_calib_fit {
    double price[VAL_NRX__N];  /* ns per operation */
    uint64_t used[VAL_NRX__N]; /* runs where the term occurs (0: not identifiable, prior kept) */
    uint64_t runs;
    double r2;                          /* 1 - SS_res / SS_tot over the runs */
    double abs_res_p50, abs_res_p99;    /* |trace - fitted| (ns) */
    double total_err;                   /* (sum fitted - sum traced) / sum traced */
    int32_t jitter[KERN_COST_JITTER_Q]; /* residual means of equal-count bins (ns) */
};

/* Fits runs (struct val_nrx_run). False with an error when there are fewer runs than terms. */
bool val_calib_fit(const GArray *runs, struct val_calib_fit *f, GError **err);
/* prior's fields with the fitted prices written in: a term shared by two fields (softirq_pass +
 * net_rx_action, drv_rx_pkt + gro_pkt) is split in the prior's ratio; a term no run exercised
 * keeps the prior. */
void val_calib_apply(const struct val_calib_fit *f, const struct kern_cost *prior,
                     struct kern_cost *out);
/* The /costs object of out: every cost key, net_rx_jitter_ns, and "calibration" (what it was
 * fitted on: bundles, the distinct hosts (val_host_class(), NULL-terminated), runs, R^2; the
 * cost loader ignores it, validate --costs compares its hosts with the bundle's). */
json_t *val_calib_costs_json(const struct kern_cost *out, const struct val_calib_fit *f,
                             const char *const *bundles, unsigned nbundles,
                             const char *const *hosts);
/* Fit quality as text: R^2, residuals, each term's price and runs. */
char *val_calib_text(const struct val_calib_fit *f);

#endif
