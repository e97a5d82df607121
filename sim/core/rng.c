/* PCG32 (O'Neill, pcg-random.org, "pcg32_random_r"): small, fast, and
 * stable across platforms, unlike rand() or GRand's undocumented stream split. */
#include "sim/core/rng.h"

#include <math.h>

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

uint32_t sim_rng_u32(struct sim_rng *r)
{
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ull + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *name)
{
    r->state = 0;
    r->inc = (fnv1a64(name) << 1u) | 1u;
    sim_rng_u32(r);
    r->state += seed;
    sim_rng_u32(r);
}

uint32_t sim_rng_below(struct sim_rng *r, uint32_t bound)
{
    if (bound == 0)
        return 0;
    uint32_t threshold = -bound % bound;
    for (;;) {
        uint32_t v = sim_rng_u32(r);
        if (v >= threshold)
            return v % bound;
    }
}

double sim_rng_unit(struct sim_rng *r)
{
    return sim_rng_u32(r) * (1.0 / 4294967296.0);
}

double sim_rng_exp(struct sim_rng *r, double mean)
{
    return -mean * log1p(-sim_rng_unit(r));
}
