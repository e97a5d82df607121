/* Binary min-heap of events keyed by (time, seq): deterministic order for ties. */
#include "sim/core/heap.h"

#include <glib.h>

static bool ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void sim_heap_init(struct sim_heap *h, size_t cap)
{
    h->cap = cap ? cap : 16;
    h->a = g_new(struct sim_ev, h->cap);
    h->n = 0;
    h->seq = 0;
}

void sim_heap_clear(struct sim_heap *h)
{
    g_free(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

void sim_heap_push(struct sim_heap *h, uint64_t t, uint32_t kind, uint32_t id)
{
    if (h->n == h->cap) { /* bounded by the model's actors: grows only at start-up */
        h->cap *= 2;
        h->a = g_renew(struct sim_ev, h->a, h->cap);
    }
    struct sim_ev ev = {.t = t, .seq = h->seq++, .kind = kind, .id = id};
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&ev, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = ev;
}

/* Floyd's pop: the hole at the root sinks to a leaf along the smaller
 * children (one comparison per level), then the last event rises from there,
 * rarely far: it came from the bottom. Keys are unique, so the pop order is
 * that of any heap. */
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *ev)
{
    if (h->n == 0)
        return false;
    *ev = h->a[0];
    size_t n = --h->n;
    if (n == 0)
        return true;
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n)
            break;
        size_t m = l + 1 < n && ev_less(&h->a[l + 1], &h->a[l]) ? l + 1 : l;
        h->a[i] = h->a[m];
        i = m;
    }
    struct sim_ev last = h->a[n];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&last, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = last;
    return true;
}
