/* Placement of the receiving threads' wake-ups: each traced wake-up of a receiver goes through
 * the scheduler model's select_task_rq_fair() (kernel/sched/fair.c, Linux 6.12) on a CPU-state
 * snapshot rebuilt from the trace, and the chosen CPU is compared with sched_wakeup's. */
#ifndef NICSTEER_VALIDATE_WAKE_MODEL_H
#define NICSTEER_VALIDATE_WAKE_MODEL_H

#include "models/sched/topology.h"
#include "sim/core/cpumask.h"
#include "validate/compare.h"
#include "validate/trace.h"

#include <stdint.h>

struct val_wake_model;

struct val_wake_stats {
    uint64_t count;            /* receiver wake-ups compared (prev CPU known) */
    uint64_t model_migrations; /* compared wake-ups the model placed off the previous CPU */
    uint64_t trace_migrations; /* compared wake-ups whose sched_wakeup target was elsewhere */
    uint64_t unknown_prev;     /* wake-ups skipped: the thread's CPU not yet seen */
    uint64_t switches;         /* sched_switch events read */
    /* sched_switch events whose prev_pid is not the next_pid of the previous one on that CPU:
     * a switch is missing from the trace between them */
    uint64_t unpaired_switches;
    struct val_agree agree; /* model CPU vs target_cpu; packet = tid, trace_line = wakeup */
};

/* ncpus CPUs, topo their topology (borrowed, outlives the model; NULL = one LLC of ncpus);
 * tids: the receiver threads; allowed: their CPU mask (NULL = all). */
struct val_wake_model *val_wake_model_new(int ncpus, const struct cpus_topology *topo,
                                          const int *tids, unsigned ntids,
                                          const struct sim_cpumask *allowed, unsigned keep);
void val_wake_model_free(struct val_wake_model *m);
/* One trace event in trace order (cpu in 0..ncpus-1). */
void val_wake_model_event(struct val_wake_model *m, const struct val_trace_event *ev);
/* Borrowed; valid until val_wake_model_free. */
/* The bundle's kernel release (kversion.h): DELAY_DEQUEUE from 6.12 (the default). */
void val_wake_model_set_kernel(struct val_wake_model *m, unsigned kernel_version);
const struct val_wake_stats *val_wake_model_stats(const struct val_wake_model *m);

#endif
