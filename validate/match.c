/* Greedy nearest-in-time join of pcap frames to trace receive entries of equal length. */
#include "validate/match.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

struct cand {
    uint64_t ts;
    size_t idx;
    bool taken;
};

/* The live candidates of one length, sorted by (ts, idx); c[head..n) are live. */
struct bucket {
    struct cand *c;
    size_t head, n, cap;
};

struct val_match {
    GHashTable *by_len; /* len -> struct bucket* */
    size_t ntaken;
    uint64_t window;
};

static void bucket_free(gpointer b)
{
    g_free(((struct bucket *)b)->c);
    g_free(b);
}

struct val_match *val_match_new_stream(uint64_t window_ns)
{
    struct val_match *m = g_new0(struct val_match, 1);
    m->by_len = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, bucket_free);
    m->window = window_ns;
    return m;
}

static int cmp_by_ts(const void *x, const void *y, void *ctx)
{
    const uint64_t *ts = ctx;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    if (ts[a] != ts[b])
        return ts[a] < ts[b] ? -1 : 1;
    return (a > b) - (a < b);
}

struct val_match *val_match_new(const uint64_t *ts_ns, const uint32_t *len, size_t n,
                                uint64_t window_ns)
{
    struct val_match *m = val_match_new_stream(window_ns);
    size_t *order = g_new(size_t, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    g_qsort_with_data(order, (gint)n, sizeof *order, cmp_by_ts, (void *)ts_ns);
    for (size_t i = 0; i < n; i++)
        val_match_add(m, ts_ns[order[i]], len[order[i]], order[i]);
    g_free(order);
    return m;
}

void val_match_free(struct val_match *m)
{
    if (!m)
        return;
    g_hash_table_destroy(m->by_len);
    g_free(m);
}

static struct bucket *bucket_of(const struct val_match *m, uint32_t len)
{
    return g_hash_table_lookup(m->by_len, GUINT_TO_POINTER(len));
}

/* First live position with (ts, idx) >= the key. */
static size_t lower_bound(const struct bucket *b, uint64_t ts, size_t idx)
{
    size_t lo = b->head, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cand *c = &b->c[mid];
        if (c->ts < ts || (c->ts == ts && c->idx < idx))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void val_match_add(struct val_match *m, uint64_t ts_ns, uint32_t len, size_t idx)
{
    struct bucket *b = bucket_of(m, len);
    if (!b) {
        b = g_new0(struct bucket, 1);
        g_hash_table_insert(m->by_len, GUINT_TO_POINTER(len), b);
    }
    if (b->head && b->head * 2 >= b->n) { /* reuse the evicted front */
        memmove(b->c, b->c + b->head, (b->n - b->head) * sizeof *b->c);
        b->n -= b->head;
        b->head = 0;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->c = g_renew(struct cand, b->c, b->cap);
    }
    /* Frames come in capture order, nearly sorted: the place is mostly the end. */
    size_t at = b->n;
    if (at > b->head &&
        (b->c[at - 1].ts > ts_ns || (b->c[at - 1].ts == ts_ns && b->c[at - 1].idx > idx)))
        at = lower_bound(b, ts_ns, idx);
    memmove(b->c + at + 1, b->c + at, (b->n - at) * sizeof *b->c);
    b->c[at] = (struct cand){ts_ns, idx, false};
    b->n++;
}

static gboolean evict(gpointer key, gpointer value, gpointer ctx)
{
    (void)key;
    struct bucket *b = value;
    uint64_t before = *(const uint64_t *)ctx;
    while (b->head < b->n && b->c[b->head].ts < before)
        b->head++;
    if (b->head == b->n)
        b->head = b->n = 0;
    return FALSE;
}

void val_match_forget_before(struct val_match *m, uint64_t ts_ns)
{
    g_hash_table_foreach_remove(m->by_len, evict, &ts_ns);
}

/* The nearest untaken candidate, or NULL. */
static struct cand *nearest(const struct val_match *m, uint64_t ts_ns, uint32_t len)
{
    struct bucket *b = bucket_of(m, len);
    if (!b)
        return NULL;
    uint64_t from = ts_ns > m->window ? ts_ns - m->window : 0;
    uint64_t best_d = UINT64_MAX;
    struct cand *best = NULL;
    for (size_t i = lower_bound(b, from, 0); i < b->n; i++) {
        struct cand *c = &b->c[i];
        if (c->ts > ts_ns + m->window)
            break;
        if (c->taken)
            continue;
        uint64_t d = c->ts > ts_ns ? c->ts - ts_ns : ts_ns - c->ts;
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

int64_t val_match_find(const struct val_match *m, uint64_t ts_ns, uint32_t len)
{
    const struct cand *c = nearest(m, ts_ns, len);
    return c ? (int64_t)c->idx : -1;
}

int64_t val_match_take(struct val_match *m, uint64_t ts_ns, uint32_t len)
{
    struct cand *c = nearest(m, ts_ns, len);
    if (!c)
        return -1;
    c->taken = true;
    m->ntaken++;
    return (int64_t)c->idx;
}

size_t val_match_taken(const struct val_match *m)
{
    return m->ntaken;
}
