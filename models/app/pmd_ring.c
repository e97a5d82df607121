/* rte_ring SP/SC burst semantics (lib/ring/rte_ring_elem_pvt.h __rte_ring_do_enqueue_elem,
 * RTE_RING_QUEUE_VARIABLE: as many as fit). */
#include "models/app/pmd_ring.h"

#include <glib.h>

struct app_ring {
    struct app_pmd_pkt *e;
    unsigned mask, capacity; /* size - 1 (rte_ring.mask), usable entries */
    uint32_t prod, cons;     /* prod.tail, cons.tail: free-running indices */
};

struct app_ring *app_ring_new(unsigned count)
{
    /* rte_ring_init: count must be a power of two (POWER_OF_2) up to RTE_RING_SZ_MASK */
    if (count < 2 || (count & (count - 1)) || count > (1u << 28))
        return NULL;
    struct app_ring *r = g_new0(struct app_ring, 1);
    r->e = g_new(struct app_pmd_pkt, count);
    r->mask = count - 1;
    r->capacity = count - 1;
    return r;
}

void app_ring_free(struct app_ring *r)
{
    if (!r)
        return;
    g_free(r->e);
    g_free(r);
}

unsigned app_ring_enqueue_burst(struct app_ring *r, const struct app_pmd_pkt *p, unsigned n,
                                uint64_t now)
{
    unsigned free_entries = r->capacity - (r->prod - r->cons); /* __rte_ring_move_prod_head */
    unsigned k = MIN(n, free_entries);
    for (unsigned i = 0; i < k; i++) {
        struct app_pmd_pkt *d = &r->e[(r->prod + i) & r->mask];
        *d = p[i];
        d->vis = now;
    }
    r->prod += k;
    return k;
}

unsigned app_ring_dequeue_burst(struct app_ring *r, struct app_pmd_pkt *out, unsigned n,
                                uint64_t now)
{
    unsigned k = 0;
    while (k < n && r->cons != r->prod && r->e[r->cons & r->mask].vis <= now)
        out[k++] = r->e[r->cons++ & r->mask];
    return k;
}

unsigned app_ring_count(const struct app_ring *r)
{
    return r->prod - r->cons;
}

unsigned app_ring_capacity(const struct app_ring *r)
{
    return r->capacity;
}
