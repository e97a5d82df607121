/* The RSS++ example policy's balancing step (steer_rsspp.c), exposed for its
 * unit test: pure functions of bucket loads and the indirection table. */
#ifndef NICSTEER_NIC_STEER_RSSPP_H
#define NICSTEER_NIC_STEER_RSSPP_H

#include "models/nic/steer.h"

#define RSSPP_BUCKETS    512 /* largest RETA (NIC_RETA_MAX) */
#define RSSPP_MAX_QUEUES 64  /* the host model's queues */

/* max(qload) / mean(qload) - 1 (0 when nothing is loaded). */
double rsspp_imbalance(const double *qload, unsigned nq);
/* Load of bucket i = its queue's load * its share of that queue's packets. */
void rsspp_bucket_loads(const uint64_t *cnt, const unsigned *reta, unsigned n, unsigned nq,
                        const double *qload, double *bload);
/* RSS++'s greedy migration over `n` buckets of `nq` queues: rewrites `reta`
 * in place, returns the buckets moved (0 when the imbalance is within
 * `threshold`). */
unsigned rsspp_rebalance(const double *bload, unsigned *reta, unsigned n, unsigned nq,
                         double threshold);

#endif
