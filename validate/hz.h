/* CONFIG_HZ of a host that did not record it (a VM without /proc/config.gz),
 * read from its trace: the scheduler tick raises TIMER/SCHED/RCU softirqs from
 * hard-IRQ context, so on one CPU those raises are whole ticks apart. */
#ifndef NICSTEER_VALIDATE_HZ_H
#define NICSTEER_VALIDATE_HZ_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Fewest tick-to-tick intervals an estimate needs. */
#define VAL_HZ_MIN_INTERVALS 50

struct val_hz_estimator;

struct val_hz_estimator *val_hz_estimator_new(void);
void val_hz_estimator_free(struct val_hz_estimator *e);

/* One softirq_raise: its CPU, time, vector and whether it was raised in hard-IRQ context. */
void val_hz_add_raise(struct val_hz_estimator *e, int cpu, uint64_t ts_ns, unsigned vec,
                      bool in_hardirq);

/* Intervals seen so far. */
uint64_t val_hz_intervals(const struct val_hz_estimator *e);

/* The lowest CONFIG_HZ (100, 250, 300, 1000) of whose tick period at least 90%
 * of the intervals are whole multiples; 0 when fewer than VAL_HZ_MIN_INTERVALS
 * intervals or none fits. */
int val_hz_estimate(const struct val_hz_estimator *e);

/* Scan a trace file (at most max_lines lines) and estimate; 0 as above. */
int val_hz_from_trace(const char *path, uint64_t max_lines, uint64_t *intervals, GError **err);

#endif
