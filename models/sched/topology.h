/* CPU topology as the scheduler sees it: SMT siblings, LLC (sd_llc) and NUMA node
 * spans, the sched_domain levels built from them (kernel/sched/topology.c, Linux 6.12). */
#ifndef NICSTEER_MODELS_SCHED_TOPOLOGY_H
#define NICSTEER_MODELS_SCHED_TOPOLOGY_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "sim/core/cpumask.h"

/* sched_domain levels, smallest first (default_topology[]: SMT, MC, PKG, NUMA). */
enum cpus_domain_level {
    CPUS_DOM_SMT = 0, /* SD_SHARE_CPUCAPACITY: hardware threads of one core */
    CPUS_DOM_LLC,     /* MC, SD_SHARE_LLC: CPUs sharing the last-level cache */
    CPUS_DOM_NODE,    /* PKG: all LLCs of one NUMA node */
    CPUS_DOM_SYSTEM,  /* NUMA: every CPU */
    CPUS_DOM_NR,
};

/* node_reclaim_distance (RECLAIM_DISTANCE): NUMA levels farther than this lose
 * SD_WAKE_AFFINE in sd_init(). */
#define CPUS_RECLAIM_DISTANCE 30
/* Default SLIT distance between two nodes of a two-socket server. */
#define CPUS_DEFAULT_NUMA_DISTANCE 21

struct cpus_topology;

/* One LLC, one node, no SMT: what a small VM reports. New; free with cpus_topology_free. */
struct cpus_topology *cpus_topology_new_flat(int nr_cpus);

/* From a JSON object {"cpus": N, "llc": [[cpu..]..], "numa": [node per cpu],
 * "smt": [[cpu..]..], "numa_distance": d}; only "cpus" is required.
 * `where` names the document in error messages (file name or JSON pointer prefix). */
struct cpus_topology *cpus_topology_from_json(const json_t *obj, const char *where, GError **err);
/* Same, read from a file. */
struct cpus_topology *cpus_topology_load(const char *path, GError **err);
void cpus_topology_free(struct cpus_topology *t);

int cpus_topology_nr_cpus(const struct cpus_topology *t);
int cpus_topology_nr_llcs(const struct cpus_topology *t);
int cpus_topology_nr_nodes(const struct cpus_topology *t);
int cpus_topology_llc_of(const struct cpus_topology *t, int cpu);
int cpus_topology_node_of(const struct cpus_topology *t, int cpu);
int cpus_topology_numa_distance(const struct cpus_topology *t);
bool cpus_topology_has_smt(const struct cpus_topology *t);

/* per_cpu(sd_llc_size, cpu) */
int cpus_topology_llc_size(const struct cpus_topology *t, int cpu);
/* cpus_share_cache() */
bool cpus_topology_share_cache(const struct cpus_topology *t, int a, int b);
/* sched_domain_span() of `cpu`'s domain at `level` (SMT = cpu_smt_mask). Borrowed. */
const struct sim_cpumask *cpus_topology_span(const struct cpus_topology *t, int cpu,
                                             enum cpus_domain_level level);
/* Smallest domain level whose span holds both CPUs (a == b gives CPUS_DOM_SMT). */
enum cpus_domain_level cpus_topology_level_of(const struct cpus_topology *t, int a, int b);
/* SD_WAKE_AFFINE on that level (cleared on NUMA levels beyond RECLAIM_DISTANCE). */
bool cpus_topology_wake_affine(const struct cpus_topology *t, enum cpus_domain_level level);
/* sd->imbalance_pct from sd_init(): 110 for SMT, 117 otherwise. */
int cpus_topology_imbalance_pct(enum cpus_domain_level level);
/* sd->cache_nice_tries from sd_init(): SMT 0, LLC 1, PKG 1, NUMA 2. */
unsigned cpus_topology_cache_nice_tries(enum cpus_domain_level level);
const char *cpus_domain_level_name(enum cpus_domain_level level);

#endif
