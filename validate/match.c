/* Greedy nearest-in-time join of pcap frames to trace receive entries of equal length. */
#include "validate/match.h"

#include <glib.h>
#include <stdlib.h>

struct cand {
    uint32_t len;
    uint64_t ts;
    size_t idx;
};

struct val_match {
    struct cand *c; /* sorted by (len, ts, idx) */
    bool *taken;    /* by position in c */
    size_t n, ntaken;
    uint64_t window;
};

static int cmp_cand(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

struct val_match *val_match_new(const uint64_t *ts_ns, const uint32_t *len, size_t n,
                                uint64_t window_ns)
{
    struct val_match *m = g_new0(struct val_match, 1);
    m->n = n;
    m->window = window_ns;
    m->c = g_new(struct cand, n ? n : 1);
    m->taken = g_new0(bool, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        m->c[i] = (struct cand){len[i], ts_ns[i], i};
    qsort(m->c, n, sizeof *m->c, cmp_cand);
    return m;
}

void val_match_free(struct val_match *m)
{
    if (!m)
        return;
    g_free(m->c);
    g_free(m->taken);
    g_free(m);
}

/* First position with (len, ts) >= the key. */
static size_t lower_bound(const struct val_match *m, uint32_t len, uint64_t ts)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cand *c = &m->c[mid];
        if (c->len < len || (c->len == len && c->ts < ts))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Position in c of the nearest untaken candidate, or m->n. */
static size_t nearest(const struct val_match *m, uint64_t ts_ns, uint32_t len)
{
    uint64_t from = ts_ns > m->window ? ts_ns - m->window : 0;
    uint64_t best_d = UINT64_MAX;
    size_t best = m->n;
    for (size_t i = lower_bound(m, len, from); i < m->n; i++) {
        const struct cand *c = &m->c[i];
        if (c->len != len || c->ts > ts_ns + m->window)
            break;
        if (m->taken[i])
            continue;
        uint64_t d = c->ts > ts_ns ? c->ts - ts_ns : ts_ns - c->ts;
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

int64_t val_match_find(const struct val_match *m, uint64_t ts_ns, uint32_t len)
{
    size_t i = nearest(m, ts_ns, len);
    return i == m->n ? -1 : (int64_t)m->c[i].idx;
}

int64_t val_match_take(struct val_match *m, uint64_t ts_ns, uint32_t len)
{
    size_t i = nearest(m, ts_ns, len);
    if (i == m->n)
        return -1;
    m->taken[i] = true;
    m->ntaken++;
    return (int64_t)m->c[i].idx;
}

size_t val_match_taken(const struct val_match *m)
{
    return m->ntaken;
}
