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
};
#define VAL_REPLAY_PROGRESS_EVENTS 65536u

void val_replay_opts_init(struct val_replay_opts *o);

/* Loads the bundle in dir, replays it and returns the report (new). NULL + GError naming the
 * file and place on unreadable or inconsistent input (missing file or key, truncated pcap, a
 * trace CPU beyond host.ncpus, no receive event of the receiving device in the trace). */
struct val_report *val_replay_bundle(const char *dir, const struct val_replay_opts *o,
                                     GError **err);

#endif
