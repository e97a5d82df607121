/* An rte_ring (lib/ring/rte_ring.h) between one RX lcore and one worker lcore
 * (RING_F_SP_ENQ | RING_F_SC_DEQ): fixed size, burst enqueue/dequeue. Each entry carries
 * the simulated time it was enqueued, so the consumer sees only what its clock has reached. */
#ifndef NICSTEER_APP_PMD_RING_H
#define NICSTEER_APP_PMD_RING_H

#include <stdbool.h>
#include <stdint.h>

/* What an mbuf pointer stands for here: the descriptor fields the worker reads. */
struct app_pmd_pkt {
    uint64_t ts;  /* NIC write-back of its descriptor, ns */
    uint64_t vis; /* enqueued on the ring at, ns */
    uint32_t flow;
    uint32_t len;
};

struct app_ring;

/* rte_ring_create(count, RING_F_SP_ENQ | RING_F_SC_DEQ): count a power of two holding
 * count - 1 entries (without RING_F_EXACT_SZ); NULL otherwise. */
struct app_ring *app_ring_new(unsigned count);
void app_ring_free(struct app_ring *r);
/* rte_ring_enqueue_burst: as many of the n as fit (returns how many), each stamped `now`. */
unsigned app_ring_enqueue_burst(struct app_ring *r, const struct app_pmd_pkt *p, unsigned n,
                                uint64_t now);
/* rte_ring_dequeue_burst: up to n entries enqueued by `now`, in order. */
unsigned app_ring_dequeue_burst(struct app_ring *r, struct app_pmd_pkt *out, unsigned n,
                                uint64_t now);
unsigned app_ring_count(const struct app_ring *r);
unsigned app_ring_capacity(const struct app_ring *r);

#endif
