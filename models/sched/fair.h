/* Wake-up placement of CFS threads: select_task_rq_fair() with wake_wide(), wake_affine()
 * and select_idle_sibling() (kernel/sched/fair.c, Linux 6.12). Pure decisions, no allocation. */
#ifndef NICSTEER_MODELS_SCHED_FAIR_H
#define NICSTEER_MODELS_SCHED_FAIR_H

#include <stdbool.h>

#include "models/sched/task.h"
#include "models/sched/topology.h"

/* Why wake_affine() (or its absence) produced the target handed to select_idle_sibling(). */
enum cpus_affine_reason {
    CPUS_AFFINE_PINNED = 0,   /* one allowed CPU: select_task_rq() skips the fair class */
    CPUS_AFFINE_WIDE,         /* wake_wide(): M:N waker, no affine pull; target = prev */
    CPUS_AFFINE_NOT_ALLOWED,  /* waker CPU not in p's mask; target = prev */
    CPUS_AFFINE_SAME_CPU,     /* waker CPU == prev; target = prev */
    CPUS_AFFINE_NO_DOMAIN,    /* no SD_WAKE_AFFINE domain spans both; target = prev */
    CPUS_AFFINE_IDLE_PREV,    /* wake_affine_idle: waker idle, cache shared, prev idle */
    CPUS_AFFINE_IDLE_WAKER,   /* wake_affine_idle: waker idle, cache shared, prev busy */
    CPUS_AFFINE_SYNC,         /* wake_affine_idle: sync and waker runs only the waker */
    CPUS_AFFINE_PREV_IDLE,    /* wake_affine_idle: prev idle */
    CPUS_AFFINE_WEIGHT_WAKER, /* wake_affine_weight: waker's side lighter */
    CPUS_AFFINE_WEIGHT_PREV,  /* wake_affine_weight: prev's side not heavier enough */
    CPUS_AFFINE_NR,
};

/* Which step of select_idle_sibling() (or the select_task_rq() wrapper) chose the CPU. */
enum cpus_sis_reason {
    CPUS_SIS_PINNED = 0,  /* the single allowed CPU */
    CPUS_SIS_TARGET_IDLE, /* target idle */
    CPUS_SIS_PREV_IDLE,   /* prev idle and cache-shared with target */
    CPUS_SIS_RECENT_IDLE, /* p->recent_used_cpu idle and cache-shared with target */
    CPUS_SIS_IDLE_SMT,    /* select_idle_smt(): idle SMT sibling of prev */
    CPUS_SIS_IDLE_CORE,   /* select_idle_cpu() found a fully idle core */
    CPUS_SIS_IDLE_CPU,    /* select_idle_cpu() found an idle CPU in target's LLC */
    CPUS_SIS_BUSY_TARGET, /* nothing idle in target's LLC: stack on target */
    CPUS_SIS_FALLBACK,    /* choice not allowed: select_fallback_rq() */
    CPUS_SIS_NR,
};

struct cpus_wake_why {
    enum cpus_affine_reason affine;
    enum cpus_sis_reason sis;
    int target; /* CPU handed to select_idle_sibling() */
    bool wide;  /* wake_wide() said the waker is M:N */
};

/* Default factor of wake_wide() is the waker's LLC size; reads p and the waker's flips. */
bool cpus_wake_wide(const struct cpus_topology *t, const struct cpus_task *waker,
                    const struct cpus_task *p, int waker_cpu);

/* record_wakee(): the waker's flip count grows when it wakes someone new; halved once
 * when more than a second passed since the last decay. */
void cpus_record_wakee(struct cpus_task *waker, const struct cpus_task *p, int64_t now_ns);

/* select_task_rq() for a CFS wake-up done on `waker_cpu` (the CPU running the softirq or
 * the waking thread; its snapshot `curr` is the waker). Updates the waker's wakee state
 * and p->recent_used_cpu, not p->cpu (see migrate.h). `why` may be NULL.
 * Always returns a CPU in p->allowed. */
int cpus_select_task_rq_fair(const struct cpus_topology *t, const struct cpus_state *snap,
                             struct cpus_task *p, int waker_cpu, bool sync,
                             struct cpus_wake_why *why);

/* Invariant for assertions: the snapshot matches the topology, its counts agree
 * (nr_queued < nr_running when a task runs, load present when runnable). */
bool cpus_state_check(const struct cpus_topology *t, const struct cpus_state *snap);

const char *cpus_affine_reason_name(enum cpus_affine_reason r);
const char *cpus_sis_reason_name(enum cpus_sis_reason r);

#endif
