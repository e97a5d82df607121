/* Named, seeded random streams (ns-3 AssignStreams idea): each model draws
 * from its own PCG32 stream derived from (seed, stream name), never from
 * time or addresses, so one scenario + seed gives byte-identical outputs. */
#ifndef NICSTEER_SIM_RNG_H
#define NICSTEER_SIM_RNG_H

#include <stdint.h>

struct sim_rng {
    uint64_t state;
    uint64_t inc;
};

/* Stream = (seed, name): the same pair always yields the same sequence. */
void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *name);
uint32_t sim_rng_u32(struct sim_rng *r);
/* Uniform in [0, bound) without modulo bias. */
uint32_t sim_rng_below(struct sim_rng *r, uint32_t bound);
/* Uniform double in [0, 1). */
double sim_rng_unit(struct sim_rng *r);
/* Exponential with the given mean (for Poisson arrivals). */
double sim_rng_exp(struct sim_rng *r, double mean);

#endif
