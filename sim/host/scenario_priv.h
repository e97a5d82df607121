/* The loaded scenario, shared by the loader (scenario.c: every room's keys) and the
 * host wiring that assembles a run from it (run.c). */
#ifndef NICSTEER_SIM_SCENARIO_PRIV_H
#define NICSTEER_SIM_SCENARIO_PRIV_H

#include <jansson.h>

#include "models/app/acceptor.h"
#include "models/app/bulk_sender.h"
#include "models/app/rr_server.h"
#include "models/app/sink.h"
#include "models/nic/nic_profile.h"
#include "models/sched/cpus.h"
#include "sim/host/machine.h"
#include "sim/host/scenario.h"
#include "sim/host/scenario_rps.h"

#define MAX_CPUS 64
/* Queues the host model holds (per-queue RPS/XPS tables, SIM_RPS_MAX_QUEUES);
 * the NIC's own limit comes from its profile (nic_profile.max_queues). */
#define MAX_QUEUES SIM_RPS_MAX_QUEUES

struct sim_scenario {
    char *name;
    char *base_dir;
    json_t *root;
    uint64_t seed;
    uint64_t duration_ns;        /* 0: the traffic's own duration */
    uint64_t mpstat_interval_ns; /* /outputs/mpstat_interval_ms, 0 = none */
    struct sim_machine_cfg mc;
    uint64_t affinity[MAX_CPUS];
    int weight[MAX_CPUS];
    unsigned *sock_cpus; /* app/cpus */
    unsigned n_sock_cpus;
    long sockets;      /* -1: one per flow */
    bool sock_per_cpu; /* "per_cpu": a SO_REUSEPORT socket per CPU, picked by the receiving CPU */
    const json_t *traffic, *steering;
    const struct nic_profile *profile; /* /nic/model (models/nic/nic_profile.h) */
    /* scheduler and workload (models/sched, models/app) */
    const json_t *topology;
    struct cpus_sched_cfg sched;
    struct cpus_mask thread_mask;
    bool thread_mask_set;
    struct app_rr_cfg rr;
    bool rr_set;
    bool busy_poll;
    bool no_listener; /* /app/workload "none" */
    bool bulk_set;    /* /app/workload "bulk_sender" */
    struct app_bulk_cfg bulk;
    struct app_acceptor_cfg acc;
    bool acceptor_set;
    struct app_sink_cfg sink;
    unsigned hog_cpus[MAX_CPUS];
    unsigned n_hogs;
    struct sim_irq_source irqsrc[SIM_MAX_IRQ_SOURCES];
    unsigned n_irqsrc;
    struct sim_rps_cfg rps; /* RPS/RFS/XPS/aRFS keys and /events (scenario_rps.c) */
};

/* /topology (LLC groups, SMT, NUMA; models/sched/topology.c) for n_cpus, built per run. */
struct cpus_topology *sim_scenario_topology(const json_t *o, unsigned n_cpus, GError **err);

#endif
