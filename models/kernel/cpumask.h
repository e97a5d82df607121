/* CPU bitmaps as the kernel keeps them (struct cpumask, include/linux/cpumask.h) and their
 * two text forms: sysfs hex groups (bitmap_parse) and CPU lists (bitmap_parselist,
 * lib/bitmap-str.c). */
#ifndef NICSTEER_MODELS_KERNEL_CPUMASK_H
#define NICSTEER_MODELS_KERNEL_CPUMASK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Largest CPU count the model handles (NR_CPUS of a distribution kernel is 1024..8192). */
#define KERN_NR_CPUS 1024

/* Plain value type: copy with '=', zero-initialise for the empty mask. */
struct kern_cpumask {
    uint64_t bits[KERN_NR_CPUS / 64];
};

void kern_cpumask_clear(struct kern_cpumask *m);
/* cpu >= KERN_NR_CPUS is ignored by set and reads as absent in test. */
void kern_cpumask_set(struct kern_cpumask *m, unsigned cpu);
bool kern_cpumask_test(const struct kern_cpumask *m, unsigned cpu);
/* Number of CPUs in the mask (cpumask_weight). */
unsigned kern_cpumask_weight(const struct kern_cpumask *m);
/* The n-th CPU (0-based, ascending) of the mask, or -1 (cpumask_nth). */
int kern_cpumask_nth(const struct kern_cpumask *m, unsigned n);
/* Next CPU after prev (prev = -1 starts), or -1 when none is left (cpumask_next). */
int kern_cpumask_next(const struct kern_cpumask *m, int prev);
/* a &= b (cpumask_and). */
void kern_cpumask_and(struct kern_cpumask *a, const struct kern_cpumask *b);
bool kern_cpumask_empty(const struct kern_cpumask *m);
/* Mask of CPUs 0..n-1 (e.g. the online CPUs of an n-CPU host). */
void kern_cpumask_first_n(struct kern_cpumask *m, unsigned n);

/* sysfs form, as written to rps_cpus/xps_cpus (bitmap_parse): comma-separated groups of at
 * most 8 hex digits, the last group holding CPUs 0-31; "" and "0" are the empty mask; one
 * trailing newline/space is accepted. All-zero groups above KERN_NR_CPUS (a mask printed by a
 * host with more CPUs) are accepted; a set CPU >= KERN_NR_CPUS is an error. Errors name the
 * offending position. */
bool kern_cpumask_parse_hex(struct kern_cpumask *m, const char *s, GError **err);
/* List form (bitmap_parselist): "0-3,8", "0-15:2/4" (use 2 of every 4), "" = empty. */
bool kern_cpumask_parse_list(struct kern_cpumask *m, const char *s, GError **err);
/* Hex form back, sysfs style with 32-bit groups, for nbits CPUs ("00000000,0000ffff").
 * Newly allocated (g_free). */
char *kern_cpumask_format_hex(const struct kern_cpumask *m, unsigned nbits);

#endif
