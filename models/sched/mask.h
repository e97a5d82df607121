/* Fixed-size CPU bitmap for the scheduler room: a reduced struct cpumask
 * (include/linux/cpumask.h, Linux 6.12) sized for NR_CPUS = 1024, no allocation. */
#ifndef NICSTEER_MODELS_SCHED_MASK_H
#define NICSTEER_MODELS_SCHED_MASK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define CPUS_MAX        1024 /* like CONFIG_NR_CPUS on a distribution kernel */
#define CPUS_MASK_BITS  64
#define CPUS_MASK_LONGS (CPUS_MAX / CPUS_MASK_BITS)

struct cpus_mask {
    uint64_t bits[CPUS_MASK_LONGS];
};

static inline void cpus_mask_clear(struct cpus_mask *m)
{
    memset(m, 0, sizeof(*m));
}

/* All CPUs 0..n-1 set (cpu_possible_mask of an n-CPU machine). */
static inline void cpus_mask_fill(struct cpus_mask *m, int n)
{
    cpus_mask_clear(m);
    for (int i = 0; i < n && i < CPUS_MAX; i++)
        m->bits[i / CPUS_MASK_BITS] |= UINT64_C(1) << (i % CPUS_MASK_BITS);
}

static inline void cpus_mask_set(struct cpus_mask *m, int cpu)
{
    if (cpu >= 0 && cpu < CPUS_MAX)
        m->bits[cpu / CPUS_MASK_BITS] |= UINT64_C(1) << (cpu % CPUS_MASK_BITS);
}

static inline void cpus_mask_unset(struct cpus_mask *m, int cpu)
{
    if (cpu >= 0 && cpu < CPUS_MAX)
        m->bits[cpu / CPUS_MASK_BITS] &= ~(UINT64_C(1) << (cpu % CPUS_MASK_BITS));
}

/* cpumask_test_cpu(); out-of-range CPUs are never set. */
static inline bool cpus_mask_test(const struct cpus_mask *m, int cpu)
{
    if (cpu < 0 || cpu >= CPUS_MAX)
        return false;
    return (m->bits[cpu / CPUS_MASK_BITS] >> (cpu % CPUS_MASK_BITS)) & 1;
}

/* cpumask_weight() */
static inline int cpus_mask_weight(const struct cpus_mask *m)
{
    int w = 0;
    for (int i = 0; i < CPUS_MASK_LONGS; i++)
        w += __builtin_popcountll(m->bits[i]);
    return w;
}

/* cpumask_weight() == 1 (p->nr_cpus_allowed == 1, a pinned task) without counting
 * every word: the wake-up path asks it on each try_to_wake_up. */
static inline bool cpus_mask_single(const struct cpus_mask *m)
{
    bool one = false;
    for (int i = 0; i < CPUS_MASK_LONGS; i++) {
        uint64_t w = m->bits[i];
        if (!w)
            continue;
        if (one || (w & (w - 1)))
            return false;
        one = true;
    }
    return one;
}

/* cpumask_next(): first set CPU >= from, or -1. */
static inline int cpus_mask_next(const struct cpus_mask *m, int from)
{
    if (from < 0)
        from = 0;
    for (int i = from / CPUS_MASK_BITS; i < CPUS_MASK_LONGS; i++) {
        uint64_t w = m->bits[i];
        if (i == from / CPUS_MASK_BITS)
            w &= ~UINT64_C(0) << (from % CPUS_MASK_BITS);
        if (w)
            return i * CPUS_MASK_BITS + __builtin_ctzll(w);
    }
    return -1;
}

/* cpumask_first() */
static inline int cpus_mask_first(const struct cpus_mask *m)
{
    return cpus_mask_next(m, 0);
}

/* cpumask_intersects() */
static inline bool cpus_mask_intersects(const struct cpus_mask *a, const struct cpus_mask *b)
{
    for (int i = 0; i < CPUS_MASK_LONGS; i++)
        if (a->bits[i] & b->bits[i])
            return true;
    return false;
}

static inline bool cpus_mask_equal(const struct cpus_mask *a, const struct cpus_mask *b)
{
    return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

/* Iterate set CPUs in ascending order (for_each_cpu). */
#define cpus_mask_for_each(cpu, m)                                                                 \
    for ((cpu) = cpus_mask_first(m); (cpu) >= 0; (cpu) = cpus_mask_next((m), (cpu) + 1))

#endif
