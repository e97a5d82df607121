/* The one CPU bitmap of the simulator: struct cpumask (include/linux/cpumask.h, Linux 6.12)
 * sized for NR_CPUS = 1024 (a distribution kernel's CONFIG_NR_CPUS is 1024..8192), a plain
 * value (copy with '=', zero-initialise for the empty mask), and its text forms as the kernel
 * reads and prints them: bitmap_parse / bitmap_parselist and %*pb / %*pbl (lib/bitmap-str.c,
 * lib/vsprintf.c bitmap_string / bitmap_list_string). Every room may include it. */
#ifndef NICSTEER_SIM_CORE_CPUMASK_H
#define NICSTEER_SIM_CORE_CPUMASK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SIM_NR_CPUS       1024
#define SIM_CPUMASK_WORDS (SIM_NR_CPUS / 64)

struct sim_cpumask {
    uint64_t bits[SIM_CPUMASK_WORDS];
};

static inline void sim_cpumask_clear(struct sim_cpumask *m)
{
    memset(m, 0, sizeof(*m));
}

/* cpumask_set_cpu(); a CPU >= SIM_NR_CPUS (or a negative int passed in) is ignored. */
static inline void sim_cpumask_set(struct sim_cpumask *m, unsigned cpu)
{
    if (cpu < SIM_NR_CPUS)
        m->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

/* cpumask_clear_cpu() */
static inline void sim_cpumask_unset(struct sim_cpumask *m, unsigned cpu)
{
    if (cpu < SIM_NR_CPUS)
        m->bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

/* cpumask_test_cpu(); out-of-range CPUs are never set. */
static inline bool sim_cpumask_test(const struct sim_cpumask *m, unsigned cpu)
{
    return cpu < SIM_NR_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

/* cpumask_weight() */
static inline unsigned sim_cpumask_weight(const struct sim_cpumask *m)
{
    unsigned w = 0;
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++)
        w += (unsigned)__builtin_popcountll(m->bits[i]);
    return w;
}

/* cpumask_empty() */
static inline bool sim_cpumask_empty(const struct sim_cpumask *m)
{
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++)
        if (m->bits[i])
            return false;
    return true;
}

/* cpumask_weight() == 1 (p->nr_cpus_allowed == 1, a pinned task) without counting every
 * word: the wake-up path asks it on each try_to_wake_up. */
static inline bool sim_cpumask_single(const struct sim_cpumask *m)
{
    bool one = false;
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++) {
        uint64_t w = m->bits[i];
        if (!w)
            continue;
        if (one || (w & (w - 1)))
            return false;
        one = true;
    }
    return one;
}

/* cpumask_next(): the first set CPU after prev (prev = -1 starts), or -1 when none is left. */
static inline int sim_cpumask_next(const struct sim_cpumask *m, int prev)
{
    unsigned from = (unsigned)(prev + 1);
    for (unsigned i = from / 64; i < SIM_CPUMASK_WORDS; i++) {
        uint64_t w = m->bits[i];
        if (i == from / 64)
            w &= ~UINT64_C(0) << (from % 64);
        if (w)
            return (int)(i * 64 + (unsigned)__builtin_ctzll(w));
    }
    return -1;
}

/* cpumask_first(): the lowest set CPU, or -1 for the empty mask. */
static inline int sim_cpumask_first(const struct sim_cpumask *m)
{
    return sim_cpumask_next(m, -1);
}

/* cpumask_and(dst, a, b); dst may be a or b. */
static inline void sim_cpumask_and(struct sim_cpumask *dst, const struct sim_cpumask *a,
                                   const struct sim_cpumask *b)
{
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++)
        dst->bits[i] = a->bits[i] & b->bits[i];
}

/* cpumask_or(dst, a, b); dst may be a or b. */
static inline void sim_cpumask_or(struct sim_cpumask *dst, const struct sim_cpumask *a,
                                  const struct sim_cpumask *b)
{
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++)
        dst->bits[i] = a->bits[i] | b->bits[i];
}

/* cpumask_intersects() */
static inline bool sim_cpumask_intersects(const struct sim_cpumask *a, const struct sim_cpumask *b)
{
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++)
        if (a->bits[i] & b->bits[i])
            return true;
    return false;
}

/* cpumask_equal() */
static inline bool sim_cpumask_equal(const struct sim_cpumask *a, const struct sim_cpumask *b)
{
    return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

/* Iterate set CPUs in ascending order (for_each_cpu); cpu is an int. */
#define sim_cpumask_for_each(cpu, m)                                                               \
    for ((cpu) = sim_cpumask_first(m); (cpu) >= 0; (cpu) = sim_cpumask_next((m), (cpu)))

/* CPUs 0..n-1 (cpu_possible_mask of an n-CPU host). */
void sim_cpumask_fill(struct sim_cpumask *m, unsigned n);
/* The n-th CPU (0-based, ascending) of the mask, or -1 (cpumask_nth). */
int sim_cpumask_nth(const struct sim_cpumask *m, unsigned n);
/* The highest set CPU, or -1 (cpumask_last). */
int sim_cpumask_last(const struct sim_cpumask *m);

/* bitmap_parse(buf, len, mask, nbits) as store_rps_map / xps_cpus_store / write_irq_affinity
 * call it with nbits = nr_cpu_ids: comma-separated groups of at most 8 hex digits read from
 * the right, the last group holding bits 0-31; leading groups may be omitted; "" and "0" are
 * the empty mask; the text ends at the first newline; spaces and commas between groups are
 * skipped. More groups than nbits needs, or a bit >= nbits set, is -EOVERFLOW; a non-hex
 * character is -EINVAL. nbits <= SIM_NR_CPUS. On error *m is untouched and the message
 * names the position. */
bool sim_cpumask_parse(struct sim_cpumask *m, const char *s, unsigned nbits, GError **err);
/* bitmap_parselist(buf, mask, nbits): "0-3,8", "0-15:2/4" (use 2 of every 4), "N" for bit
 * nbits-1, "all" for 0-N, "" = empty; a number >= nbits is -ERANGE. */
bool sim_cpumask_parselist(struct sim_cpumask *m, const char *s, unsigned nbits, GError **err);
/* "%*pb" with width nbits (bitmap_print_to_pagebuf(false, ...) without its "\n"): 32-bit
 * groups from the highest, the first one (nbits % 32 or 32 bits) zero-padded to its hex
 * digits, e.g. 0x1 at 40 bits is "00,00000001". Newly allocated (g_free). */
char *sim_cpumask_print(const struct sim_cpumask *m, unsigned nbits);
/* "%*pbl": ranges "0-3,8" of the set bits below nbits ("" for none). Newly allocated. */
char *sim_cpumask_print_list(const struct sim_cpumask *m, unsigned nbits);

#endif
