/* The engine's event queue: a binary min-heap ordered by (time, insertion
 * sequence), so equal timestamps run in insertion order (libuv's timer heap). */
#ifndef NICSTEER_SIM_HEAP_H
#define NICSTEER_SIM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_ev {
    uint64_t t;   /* ns */
    uint64_t seq; /* insertion order: tie break */
    uint32_t kind;
    uint32_t id;
};

struct sim_heap {
    struct sim_ev *a;
    size_t n, cap;
    uint64_t seq;
};

void sim_heap_init(struct sim_heap *h, size_t cap);
void sim_heap_clear(struct sim_heap *h);
void sim_heap_push(struct sim_heap *h, uint64_t t, uint32_t kind, uint32_t id);
/* Earliest event without removing it; false when empty. Inline: the NIC looks
 * at it between every two arrivals. */
static inline bool sim_heap_peek(const struct sim_heap *h, struct sim_ev *ev)
{
    if (h->n == 0)
        return false;
    *ev = h->a[0];
    return true;
}
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *ev);

#endif
