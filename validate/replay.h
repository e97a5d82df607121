/* Validation replay: a capture bundle's receive events run through the kernel steering model
 * (get_rps_cpu()/RFS/enqueue_to_backlog(), net/core/dev.c) configured as the host was, and
 * compared with where the host really processed each packet. */
#ifndef NICSTEER_VALIDATE_REPLAY_H
#define NICSTEER_VALIDATE_REPLAY_H

#include "models/kernel/cost.h"
#include "models/sched/topology.h"
#include "validate/report.h"

#include <glib.h>
#include <stdint.h>

/* Where the NET_RX prices came from (the report's costs.selected_by). */
enum val_costs_by {
    VAL_COSTS_BUILTIN, /* kern_cost_defaults(): a Xeon-class host */
    VAL_COSTS_OPTION,  /* --costs FILE */
    VAL_COSTS_BY_HOST, /* the costs library's file calibrated on the bundle's host */
};

struct val_replay_opts {
    uint64_t match_window_ns;         /* +- tolerance of the pcap <-> trace time join */
    unsigned keep;                    /* disagreements listed per kind */
    struct kern_cost cost;            /* prices of the NET_RX softirq model (kern_cost_defaults) */
    const struct cpus_topology *topo; /* wake placement topology, borrowed; NULL = one LLC */
    GArray *nrx_runs;                 /* borrowed: every traced NET_RX run and its operation counts
                                         (struct val_nrx_run, validate/softirq_model.h) are appended; NULL */
    /* Called every VAL_REPLAY_PROGRESS_EVENTS trace events with the trace bytes read and the
     * file's size (the progress line of validate and calibrate); NULL = none. */
    void (*progress)(void *ctx, uint64_t done_bytes, uint64_t total_bytes);
    void *progress_ctx;
    /* Hosts the costs were calibrated on (val_host_class() strings, NULL-terminated, borrowed);
     * a bundle from another host gets a warning. NULL = provenance unknown, no check. */
    const char *const *cost_hosts;
    /* The bundles the costs were fitted on (calibrate's /calibration/bundles, borrowed, NULL =
     * unknown): a bundle among them is priced in sample, and the report says so. */
    const char *const *cost_bundles;
    const char *cost_source; /* the costs file, borrowed; NULL = built-in */
    enum val_costs_by cost_by;
};
#define VAL_REPLAY_PROGRESS_EVENTS 65536u

void val_replay_opts_init(struct val_replay_opts *o);

/* Loads the bundle in dir, replays it and returns the report (new). NULL + GError naming the
 * file and place on unreadable or inconsistent input (missing file or key, truncated pcap, a
 * trace CPU beyond host.ncpus, no receive event of the receiving device in the trace). */
struct val_report *val_replay_bundle(const char *dir, const struct val_replay_opts *o,
                                     GError **err);

#endif
