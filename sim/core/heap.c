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
    h->lanes = NULL;
    h->n_lanes = 0;
}

void sim_heap_lanes(struct sim_heap *h, unsigned n)
{
    h->lanes = g_new0(struct sim_lane, n);
    h->n_lanes = n;
}

void sim_heap_clear(struct sim_heap *h)
{
    for (unsigned i = 0; i < h->n_lanes; i++)
        g_free(h->lanes[i].a);
    g_free(h->lanes);
    h->lanes = NULL;
    h->n_lanes = 0;
    g_free(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

static void heap_insert(struct sim_heap *h, struct sim_ev ev)
{
    if (h->n == h->cap) { /* bounded by the model's actors: grows only at start-up */
        h->cap *= 2;
        h->a = g_renew(struct sim_ev, h->a, h->cap);
    }
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

void sim_heap_push(struct sim_heap *h, uint64_t t, uint32_t kind, uint32_t id)
{
    heap_insert(h, (struct sim_ev){.t = t, .seq = h->seq++, .kind = kind, .id = id});
}

static void lane_grow(struct sim_lane *l)
{
    size_t cap = l->cap ? 2 * l->cap : 64;
    struct sim_ev *a = g_new(struct sim_ev, cap);
    for (size_t i = 0; i < l->n; i++)
        a[i] = l->a[(l->head + i) & (l->cap - 1)];
    g_free(l->a);
    l->a = a;
    l->head = 0;
    l->cap = cap;
}

void sim_heap_push_lane(struct sim_heap *h, unsigned lane, uint64_t t, uint32_t kind, uint32_t id)
{
    struct sim_lane *l = &h->lanes[lane];
    if (l->n && l->a[(l->head + l->n - 1) & (l->cap - 1)].t > t) {
        sim_heap_push(h, t, kind, id); /* out of the lane's order: the heap sorts it */
        return;
    }
    if (l->n == l->cap)
        lane_grow(l);
    struct sim_ev ev = {.t = t, .seq = h->seq++, .kind = kind, .id = id};
    l->a[(l->head + l->n++) & (l->cap - 1)] = ev;
    if (l->n == 1) /* the lane's head enters the heap under its own key */
        heap_insert(h, (struct sim_ev){.t = t, .seq = ev.seq, .kind = SIM_EV_LANE, .id = lane});
}

/* The hole at i sinks to a leaf along the smaller children (one comparison per
 * level), then `last` rises from there, rarely far: it came from the bottom. */
static void sift(struct sim_heap *h, size_t i, struct sim_ev last)
{
    size_t n = h->n;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n)
            break;
        size_t m = l + 1 < n && ev_less(&h->a[l + 1], &h->a[l]) ? l + 1 : l;
        h->a[i] = h->a[m];
        i = m;
    }
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&last, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = last;
}

/* Floyd's pop. Keys are unique, so the pop order is that of any heap. A lane's
 * head leaves its lane; the next one takes the root's place. */
bool sim_heap_pop(struct sim_heap *h, struct sim_ev *ev)
{
    if (h->n == 0)
        return false;
    struct sim_ev root = h->a[0];
    if (root.kind == SIM_EV_LANE) {
        struct sim_lane *l = &h->lanes[root.id];
        *ev = l->a[l->head];
        l->head = (l->head + 1) & (l->cap - 1);
        if (--l->n) {
            const struct sim_ev *nx = &l->a[l->head];
            sift(h, 0,
                 (struct sim_ev){.t = nx->t, .seq = nx->seq, .kind = SIM_EV_LANE, .id = root.id});
            return true;
        }
    } else {
        *ev = root;
    }
    size_t n = --h->n;
    if (n == 0)
        return true;
    sift(h, 0, h->a[n]);
    return true;
}

/* The usual sift-down of ev from i: it stops where ev belongs (near the top for an
 * event re-armed at about the current time). */
static void sift_down(struct sim_heap *h, size_t i, struct sim_ev ev)
{
    size_t n = h->n;
    for (;;) {
        size_t l = 2 * i + 1;
        if (l >= n)
            break;
        size_t m = l + 1 < n && ev_less(&h->a[l + 1], &h->a[l]) ? l + 1 : l;
        if (!ev_less(&h->a[m], &ev))
            break;
        h->a[i] = h->a[m];
        i = m;
    }
    h->a[i] = ev;
}

bool sim_heap_remove(struct sim_heap *h, uint64_t seq)
{
    size_t i = 0;
    while (i < h->n && !(h->a[i].seq == seq && h->a[i].kind != SIM_EV_LANE))
        i++;
    if (i == h->n)
        return false;
    size_t n = --h->n;
    if (i == n)
        return true;
    struct sim_ev last = h->a[n];
    size_t p = (i - 1) / 2;
    if (i > 0 && ev_less(&last, &h->a[p])) { /* rises */
        while (i > 0 && ev_less(&last, &h->a[p = (i - 1) / 2])) {
            h->a[i] = h->a[p];
            i = p;
        }
        h->a[i] = last;
    } else {
        sift_down(h, i, last);
    }
    return true;
}

void sim_heap_rearm(struct sim_heap *h, uint64_t seq, uint64_t t, uint32_t kind, uint32_t id)
{
    if (h->n && h->a[0].seq == seq && h->a[0].kind != SIM_EV_LANE) {
        sift_down(h, 0, (struct sim_ev){.t = t, .seq = h->seq++, .kind = kind, .id = id});
        return;
    }
    sim_heap_remove(h, seq);
    sim_heap_push(h, t, kind, id);
}
