/* What sim/timeline.c (slices) and sim/timeline_extra.c (flows, counters)
 * share: the recorded events of a timeline. Not for other files. */
#ifndef NICSTEER_SIM_TIMELINE_PRIV_H
#define NICSTEER_SIM_TIMELINE_PRIV_H

#include <glib.h>

#include "sim/host/timeline.h"

enum tl_cat { TL_USR, TL_SYS, TL_IRQ, TL_SOFT, TL_KSOFTIRQD, TL_NAPI };

struct tl_ev {
    uint64_t from, to;
    const char *label;
    uint32_t cpu;
    uint8_t cat;
    int32_t work; /* NAPI polls: packets done */
};

enum tl_flow_kind { TL_FLOW_SOFTIRQ, TL_FLOW_WAKEUP };

/* An arrow from (cpu[0], t[0]) to (cpu[1], t[1]); `done` once its end is known. */
struct tl_flow {
    uint64_t t[2];
    uint32_t cpu[2];
    uint8_t kind;
    bool done;
    int next; /* TL_FLOW_SOFTIRQ: next flow waiting for the same CPU's NET_RX, -1 end */
};

/* A counter's change: track = kern_counter << 28 | index. */
struct tl_delta {
    uint64_t at;
    uint32_t track;
    int32_t delta;
};

struct sim_timeline {
    unsigned n_cpus;
    uint64_t until;
    size_t max;
    bool truncated;
    GArray *evs;        /* struct tl_ev, in the order slices closed */
    struct tl_ev *open; /* per CPU: the slice still growing (label NULL = none) */
    GArray *flows;      /* struct tl_flow */
    GArray *deltas;     /* struct tl_delta */
    int *irq_wait;      /* per CPU: first flow waiting for its NET_RX entry, -1 none */
    GHashTable *woken;  /* thread label -> index + 1 of its wake-up flow still open */
};

/* Room for n more events under the cap; false (and truncated set) if not. */
bool sim_timeline_room(struct sim_timeline *tl, size_t n);
void sim_timeline_append_us(GString *s, uint64_t ns);
/* timeline_extra.c: the observer slots it serves, a thread's slice closing its
 * wake-up flow, and the JSON of flows and counters. */
void sim_timeline_observe_extra(struct kern_observer *o);
void sim_timeline_thread_runs(struct sim_timeline *tl, const struct kern_slice *s);
void sim_timeline_append_flows(struct sim_timeline *tl, GString *s);
void sim_timeline_append_counters(struct sim_timeline *tl, GString *s);

#endif
