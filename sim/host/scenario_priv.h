/* The loaded scenario, shared by the loader (scenario.c: every room's keys) and the
 * host wiring that assembles a run from it (run.c). */
#ifndef NICSTEER_SIM_SCENARIO_PRIV_H
#define NICSTEER_SIM_SCENARIO_PRIV_H

#include <jansson.h>

#include "models/app/acceptor.h"
#include "models/app/bulk_sender.h"
#include "models/app/pmd.h"
#include "models/app/rr_client.h"
#include "models/app/rr_server.h"
#include "models/app/sink.h"
#include "models/nic/nic_profile.h"
#include "models/sched/cpus.h"
#include "sim/host/machine.h"
#include "sim/host/scenario.h"
#include "sim/host/scenario_rps.h"

#define MAX_CPUS SIM_NR_CPUS
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
    bool sysfs;                  /* /outputs/sysfs: write sysfs.txt */
    struct sim_machine_cfg mc;
    struct sim_cpumask affinity[MAX_QUEUES]; /* per q_vector (at most one per queue) */
    int weight[MAX_QUEUES];
    unsigned *sock_cpus; /* app/cpus */
    unsigned n_sock_cpus;
    long sockets;      /* -1: one per flow */
    bool sock_per_cpu; /* "per_cpu": a SO_REUSEPORT socket per CPU, picked by the receiving CPU */
    const json_t *traffic, *steering;
    const struct nic_profile *profile; /* /nic/model (models/nic/nic_profile.h) */
    /* scheduler and workload (models/sched, models/app) */
    const json_t *topology;
    struct cpus_sched_cfg sched;
    struct sim_cpumask thread_mask;
    bool thread_mask_set;
    struct app_rr_cfg rr;
    bool rr_set;
    struct app_rr_client_cfg rrc; /* /app/workload "rr_client" */
    bool rrc_set;
    bool busy_poll;
    bool no_listener; /* /app/workload "none" */
    bool bulk_set;    /* /app/workload "bulk_sender" */
    bool af_xdp;      /* /app/workload "af_xdp" */
    struct app_bulk_cfg bulk;
    struct app_acceptor_cfg acc;
    bool acceptor_set;
    struct app_pmd_cfg pmd; /* /app/workload "pmd" (scenario_pmd.c) */
    bool pmd_set;
    struct app_sink_cfg sink;
    unsigned hog_cpus[MAX_CPUS];
    unsigned n_hogs;
    struct sim_irq_source irqsrc[SIM_MAX_IRQ_SOURCES];
    unsigned n_irqsrc;
    struct sim_rps_cfg rps; /* RPS/RFS/XPS/aRFS keys and /events (scenario_rps.c) */
};

/* /topology (LLC groups, SMT, NUMA; models/sched/topology.c) for n_cpus, built per run. */
struct cpus_topology *sim_scenario_topology(const json_t *o, unsigned n_cpus, GError **err);

/* Key helpers of the loader (scenario.c), shared by each room's part of it: one-line errors
 * naming the JSON pointer. check_keys: every key of obj is in the NULL-ended allowed list. */
bool sim_scn_check_keys(const json_t *obj, const char *path, const char *const *allowed,
                        GError **err);
/* obj[key] an integer in [min, max], def when absent. */
bool sim_scn_get_int(const json_t *obj, const char *key, const char *path, long long min,
                     long long max, long long def, long long *out, GError **err);
bool sim_scn_get_bool(const json_t *obj, const char *key, const char *path, bool def, bool *out,
                      GError **err);
/* An affinity entry (a CPU number or a CPU list string "0-3,8") as a mask of CPUs < n_cpus. */
bool sim_scn_parse_affinity(const json_t *v, const char *path, unsigned n_cpus,
                            struct sim_cpumask *mask, GError **err);
/* An IRQ affinity entry: the same, or {"smp_affinity": hex mask of any width up to n_cpus}. */
bool sim_scn_parse_irq_affinity(const json_t *v, const char *path, unsigned n_cpus,
                                struct sim_cpumask *mask, GError **err);
/* obj[key] in whole µs within [min, max], as ns; def_ns when absent. */
bool sim_scn_get_us(const json_t *obj, const char *key, const char *path, long long min,
                    long long max, uint64_t def_ns, uint64_t *out_ns, GError **err);

/* /nic/xdp (scenario_xdp.c): the XDP program and its AF_XDP sockets. */
bool sim_scn_load_xdp(struct sim_scenario *sc, const json_t *x, GError **err);
/* /nic/xdp/prog "redirect" and /app/workload "af_xdp" go together. */
bool sim_scn_check_xdp(const struct sim_scenario *sc, GError **err);
/* /app (scenario_app.c): the workload and its threads. */
bool sim_scn_load_app(struct sim_scenario *sc, const json_t *a, GError **err);
/* /app/pmd (scenario_pmd.c): the poll-mode lcores, mempool and rings. */
bool sim_scn_load_pmd(struct sim_scenario *sc, const json_t *a, GError **err);
/* /app/workload "none": only UDP flows (a TCP segment would need an RST, not modelled). */
bool sim_scn_check_no_listener(const json_t *app, const json_t *traffic, GError **err);

#endif
