/* Moving a thread between CPUs: set_task_cpu() (sched_migrate_task), the affinity change
 * of __set_cpus_allowed_ptr() (kernel/sched/core.c, Linux 6.12), and the cache-refill
 * cost the move leaves behind (not in Linux: the hardware's bill). */
#ifndef NICSTEER_MODELS_SCHED_MIGRATE_H
#define NICSTEER_MODELS_SCHED_MIGRATE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/sched/task.h"
#include "models/sched/topology.h"

/* Extra run time (ns) a migrated thread pays on its next run to refill its working set,
 * by how far it moved (the smallest domain level spanning source and destination). */
struct cpus_migrate_cost {
    int64_t smt_ns;        /* SMT sibling: L1/L2 are shared */
    int64_t llc_ns;        /* other core, same LLC: L2 refilled from L3 */
    int64_t cross_llc_ns;  /* other LLC, same node: refilled from local DRAM */
    int64_t cross_numa_ns; /* other node: refilled from the old node's DRAM */
};

/* Default: 256 KiB warm working set, L3 40 ns, DRAM 90 ns, remote DRAM 140 ns per line,
 * 8 misses in flight: 0 / 20.5 / 46.1 / 71.7 µs. */
void cpus_migrate_cost_default(struct cpus_migrate_cost *c);
/* lines = ws_bytes / 64; penalty = lines × latency / mlp per level; SMT costs nothing. */
void cpus_migrate_cost_from_working_set(struct cpus_migrate_cost *c, int64_t ws_bytes,
                                        int64_t l3_ns, int64_t dram_ns, int64_t remote_ns, int mlp);
/* {"working_set_bytes", "l3_ns", "dram_ns", "remote_dram_ns", "mlp"} derive the four
 * penalties; "smt_ns", "llc_ns", "cross_llc_ns", "cross_numa_ns" override one each.
 * All optional (defaults above); `where` prefixes error messages (JSON pointer). */
bool cpus_migrate_cost_from_json(const json_t *obj, const char *where, struct cpus_migrate_cost *c,
                                 GError **err);
/* Penalty for moving from src to dst (0 when src == dst). */
int64_t cpus_migrate_penalty(const struct cpus_migrate_cost *c, const struct cpus_topology *t,
                             int src, int dst);

/* Machine-wide migration counters (the per-thread ones live in struct cpus_task). */
struct cpus_migrate_stats {
    uint64_t nr[CPUS_MIGRATE_NR];   /* per reason */
    uint64_t by_level[CPUS_DOM_NR]; /* per distance moved */
    int64_t penalty_ns;             /* total refill cost charged */
};

/* set_task_cpu(): when dst differs from p->cpu, moves p (the engine then emits
 * sched_migrate_task orig_cpu=old dest_cpu=dst), counts it and charges the refill penalty
 * to p's next run. Returns whether p moved. `stats` may be NULL. */
bool cpus_set_task_cpu(const struct cpus_topology *t, const struct cpus_migrate_cost *c,
                       struct cpus_migrate_stats *stats, struct cpus_task *p, int dst,
                       enum cpus_migrate_reason reason);
/* The refill time p owes on this run; clears it. */
int64_t cpus_task_take_penalty(struct cpus_task *p);

/* sched_setaffinity() -> __set_cpus_allowed_ptr(): installs `mask` (restricted to the
 * topology's CPUs). A task on a run queue (`on_rq`: running or runnable) whose CPU left
 * the mask is moved at once (reason AFFINITY); a sleeping one moves at its next wake-up.
 * Returns p's CPU afterwards, or -1 (mask unchanged) when no CPU of the mask exists. */
int cpus_set_affinity(const struct cpus_topology *t, const struct cpus_migrate_cost *c,
                      struct cpus_migrate_stats *stats, struct cpus_task *p,
                      const struct sim_cpumask *mask, bool on_rq);

const char *cpus_migrate_reason_name(enum cpus_migrate_reason r);

#endif
