/* The engine's event queue: a binary min-heap ordered by (time, insertion
 * sequence), so equal timestamps run in insertion order (libuv's timer heap).
 * Lanes: FIFOs of events pushed in time order by one source (a CPU's wake-ups),
 * kept out of the heap but for their head, so the heap stays small; the pop
 * order is the same as if every event were in the heap (keys are unique). */
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

/* kind of a heap entry standing for the head of lane `id` */
#define SIM_EV_LANE UINT32_MAX

struct sim_lane {
    struct sim_ev *a; /* ring of cap (a power of two) */
    size_t head, n, cap;
};

struct sim_heap {
    struct sim_ev *a;
    size_t n, cap;
    uint64_t seq;
    struct sim_lane *lanes;
    unsigned n_lanes;
};

void sim_heap_init(struct sim_heap *h, size_t cap);
/* Gives the heap n lanes (0..n-1), empty. */
void sim_heap_lanes(struct sim_heap *h, unsigned n);
void sim_heap_clear(struct sim_heap *h);
void sim_heap_push(struct sim_heap *h, uint64_t t, uint32_t kind, uint32_t id);
/* As sim_heap_push; through `lane` when t is not before the lane's last event. */
void sim_heap_push_lane(struct sim_heap *h, unsigned lane, uint64_t t, uint32_t kind, uint32_t id);

static inline const struct sim_ev *sim_heap_top(const struct sim_heap *h)
{
    const struct sim_ev *e = &h->a[0];
    if (e->kind != SIM_EV_LANE)
        return e;
    const struct sim_lane *l = &h->lanes[e->id];
    return &l->a[l->head];
}

/* Earliest event without removing it; false when empty. Inline: the NIC looks
 * at it between every two arrivals. */
static inline bool sim_heap_peek(const struct sim_heap *h, struct sim_ev *ev)
{
    if (h->n == 0)
        return false;
    /* field by field: a 16-byte load of an entry just written by narrower stores
     * (a lane's ring, a re-arm) could not be forwarded from them */
    const struct sim_ev *e = sim_heap_top(h);
    ev->t = e->t;
    ev->seq = e->seq;
    ev->kind = e->kind;
    ev->id = e->id;
    return true;
}

bool sim_heap_pop(struct sim_heap *h, struct sim_ev *ev);
/* Removes the event of insertion number seq (not a lane's), then pushes (t, kind, id):
 * a pop of the top and a push in one sift when seq is the top, which it is when a
 * handler re-arms the event it runs (nothing it pushed is earlier). */
void sim_heap_rearm(struct sim_heap *h, uint64_t seq, uint64_t t, uint32_t kind, uint32_t id);
/* Removes the event of insertion number seq (not a lane's); false if absent. */
bool sim_heap_remove(struct sim_heap *h, uint64_t seq);

#endif
