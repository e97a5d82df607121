/* Timeline output: IRQ, softirq, NAPI poll and thread slices per CPU, flow
 * arrows (hardirq -> NET_RX, waker -> woken thread) and counter tracks (RX ring
 * fill, backlog length) as Chrome trace-event JSON (opens in Perfetto /
 * chrome://tracing), recorded from the kernel model (models/kernel kern_observer). */
#ifndef NICSTEER_SIM_TIMELINE_H
#define NICSTEER_SIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/kernel/kern.h"

struct sim_timeline;

/* Record what starts before `until_ns`, at most `max_events` events. */
struct sim_timeline *sim_timeline_new(unsigned n_cpus, uint64_t until_ns, size_t max_events);
void sim_timeline_free(struct sim_timeline *tl);
/* The observer to hand to kern_set_observer(). */
struct kern_observer sim_timeline_observer(struct sim_timeline *tl);
/* The trace-event document (closes open slices); g_free() it. */
char *sim_timeline_json(struct sim_timeline *tl, size_t *len);
size_t sim_timeline_events(const struct sim_timeline *tl);
/* The event cap was reached: later slices are missing (said in the file too). */
bool sim_timeline_truncated(const struct sim_timeline *tl);

#endif
