/* Scenario keys of software steering: per-queue rps_cpus / rps_flow_cnt
 * (/sys/class/net/<dev>/queues/rx-N/), per-TX-queue xps_cpus / xps_rxqs
 * (queues/tx-N/), aRFS, the net.core sysctls of the backlog and RFS, and the
 * thread-move events. Part of the scenario loader (sim/scenario.c). */
#ifndef NICSTEER_SIM_SCENARIO_RPS_H
#define NICSTEER_SIM_SCENARIO_RPS_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "models/kernel/rps_path.h"
#include "sim/core/cpumask.h"
#include "sim/host/machine.h"

#define SIM_RPS_MAX_QUEUES 64
#define SIM_MAX_EVENTS     4096

struct sim_rps_cfg {
    bool on; /* any RPS/RFS key given: rps_needed */
    struct kern_rps_params p;
    struct sim_cpumask rps_cpus[SIM_RPS_MAX_QUEUES];
    uint64_t rps_flow_cnt[SIM_RPS_MAX_QUEUES];
    bool xps_given;
    struct sim_cpumask xps_cpus[SIM_RPS_MAX_QUEUES];
    struct sim_cpumask xps_rxqs[SIM_RPS_MAX_QUEUES];
    bool arfs;
    bool has_nic_b;
    struct sim_nic_b nic_b;
    struct sim_cpumask nic_b_affinity[SIM_RPS_MAX_QUEUES];
    struct sim_cpumask nic_b_xps[SIM_RPS_MAX_QUEUES];
    struct sim_thread_move *events;
    unsigned ack_every;
    unsigned n_events;
};

/* Reads /nic/rx, /nic/tx, /nic/arfs, the /kernel backlog and RFS sysctls,
 * /app/udp_connected and /events. Errors name the JSON pointer. */
/* Flow Director ATR is on for this /nic/steering object: "fdir" in the chain,
 * signature mode, atr_sample_rate != 0. */
bool sim_scenario_atr_on(const json_t *steering);
/* "fdir" in the chain in perfect mode (ethtool -K ntuple on). */
bool sim_scenario_fdir_perfect(const json_t *steering);
bool sim_scenario_rps_load(struct sim_rps_cfg *c, const json_t *root, unsigned n_cpus,
                           unsigned rx_queues, unsigned tx_queues, GError **err);
void sim_scenario_rps_clear(struct sim_rps_cfg *c);

#endif
