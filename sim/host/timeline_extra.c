/* The timeline's flow arrows and counter tracks. Flows (Chrome trace-event v1
 * "s"/"f", which Perfetto binds to the deepest slice open at their time on
 * their track): a hardirq handler raising NET_RX -> that CPU's next
 * net_rx_action, and the code waking a sleeping thread (sk_data_ready ->
 * try_to_wake_up) -> the thread's next slice. Counters ("C"): RX ring fill
 * per queue and backlog length per CPU, one sample per change. */
#include <inttypes.h>
#include <stdlib.h>

#include "sim/host/timeline_priv.h"

static const char *const flow_cat[] = {"irq", "sched"};
static const char *const flow_name[] = {"NET_RX raised", "sched_wakeup"};

static int add_flow(struct sim_timeline *tl, enum tl_flow_kind kind, unsigned cpu, uint64_t at)
{
    if (at >= tl->until || cpu >= tl->n_cpus || !sim_timeline_room(tl, 2))
        return -1;
    struct tl_flow f = {.t = {at, 0}, .cpu = {cpu, 0}, .kind = (uint8_t)kind, .next = -1};
    g_array_append_val(tl->flows, f);
    return (int)tl->flows->len - 1;
}

static struct tl_flow *flow_at(struct sim_timeline *tl, int i)
{
    return &g_array_index(tl->flows, struct tl_flow, i);
}

static void end_flow(struct tl_flow *f, unsigned cpu, uint64_t at)
{
    f->t[1] = at;
    f->cpu[1] = cpu;
    f->done = true;
}

/* irq:softirq_raise from a hardirq handler: the start of an arrow to the NET_RX it runs. */
static void on_softirq_raise(void *ctx, unsigned cpu, unsigned nr, uint64_t at, bool hardirq)
{
    struct sim_timeline *tl = ctx;
    if (nr != NET_RX_SOFTIRQ || !hardirq)
        return;
    int i = add_flow(tl, TL_FLOW_SOFTIRQ, cpu, at);
    if (i < 0)
        return;
    flow_at(tl, i)->next = tl->irq_wait[cpu];
    tl->irq_wait[cpu] = i;
}

/* irq:softirq_entry of NET_RX serves every raise waiting on that CPU. */
static void on_softirq_entry(void *ctx, unsigned cpu, unsigned nr, uint64_t at)
{
    struct sim_timeline *tl = ctx;
    if (nr != NET_RX_SOFTIRQ || cpu >= tl->n_cpus)
        return;
    for (int i = tl->irq_wait[cpu]; i >= 0; i = flow_at(tl, i)->next)
        if (at < tl->until)
            end_flow(flow_at(tl, i), cpu, at);
    tl->irq_wait[cpu] = -1;
}

/* sched:sched_wakeup; a thread already woken keeps its first arrow (the kernel's second
 * try_to_wake_up of a runnable task does nothing). */
static void on_wakeup(void *ctx, unsigned cpu, uint64_t at, const char *comm)
{
    struct sim_timeline *tl = ctx;
    if (g_hash_table_contains(tl->woken, comm))
        return;
    int i = add_flow(tl, TL_FLOW_WAKEUP, cpu, at);
    if (i >= 0)
        g_hash_table_insert(tl->woken, (void *)comm, GINT_TO_POINTER(i + 1));
}

void sim_timeline_thread_runs(struct sim_timeline *tl, const struct kern_slice *s)
{
    int i = GPOINTER_TO_INT(g_hash_table_lookup(tl->woken, s->label)) - 1;
    if (i < 0 || s->from < flow_at(tl, i)->t[0])
        return;
    end_flow(flow_at(tl, i), s->cpu, s->from);
    g_hash_table_remove(tl->woken, s->label);
}

static void on_counter(void *ctx, enum kern_counter c, unsigned index, uint64_t at, int delta)
{
    struct sim_timeline *tl = ctx;
    if (at >= tl->until || index >= (1u << 28) || !sim_timeline_room(tl, 1))
        return;
    struct tl_delta d = {.at = at, .track = (uint32_t)c << 28 | index, .delta = delta};
    g_array_append_val(tl->deltas, d);
}

void sim_timeline_observe_extra(struct kern_observer *o)
{
    o->softirq_raise = on_softirq_raise;
    o->softirq_entry = on_softirq_entry;
    o->wakeup = on_wakeup;
    o->counter = on_counter;
}

/* ---- placing flow ends ---- */

/* One CPU track's slices sorted by start: top level (IRQ, softirq, thread: they
 * never overlap) and NAPI polls (inside them, never overlapping each other). */
struct track {
    GArray *top, *napi; /* struct tl_ev */
};

static int by_from(const void *a, const void *b)
{
    const struct tl_ev *x = a, *y = b;
    return x->from < y->from ? -1 : x->from > y->from;
}

static struct track *tracks_new(struct sim_timeline *tl)
{
    struct track *t = g_new(struct track, tl->n_cpus);
    for (unsigned c = 0; c < tl->n_cpus; c++) {
        t[c].top = g_array_new(FALSE, FALSE, sizeof(struct tl_ev));
        t[c].napi = g_array_new(FALSE, FALSE, sizeof(struct tl_ev));
    }
    for (guint i = 0; i < tl->evs->len; i++) {
        const struct tl_ev *e = &g_array_index(tl->evs, struct tl_ev, i);
        g_array_append_val(e->cat == TL_NAPI ? t[e->cpu].napi : t[e->cpu].top, *e);
    }
    for (unsigned c = 0; c < tl->n_cpus; c++) {
        g_array_sort(t[c].top, by_from);
        g_array_sort(t[c].napi, by_from);
    }
    return t;
}

static void tracks_free(struct track *t, unsigned n)
{
    for (unsigned c = 0; c < n; c++) {
        g_array_free(t[c].top, TRUE);
        g_array_free(t[c].napi, TRUE);
    }
    g_free(t);
}

/* The last slice of `a` starting at or before ts (NULL: none). */
static const struct tl_ev *last_from(const GArray *a, uint64_t ts)
{
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(a, struct tl_ev, mid).from <= ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &g_array_index(a, struct tl_ev, lo - 1) : NULL;
}

/* The deepest slice containing ts (from <= ts < to), or NULL. */
static const struct tl_ev *deepest(const struct track *t, uint64_t ts)
{
    const struct tl_ev *n = last_from(t->napi, ts);
    if (n && ts < n->to)
        return n;
    const struct tl_ev *p = last_from(t->top, ts);
    return p && ts < p->to ? p : NULL;
}

/* No slice of the track starts or ends at ts (at a boundary the importer's order of
 * slice begin/end and flow event at one timestamp would decide the binding). */
static bool clear_of_edges(const struct track *t, uint64_t ts)
{
    const GArray *arr[2] = {t->top, t->napi};
    for (int k = 0; k < 2; k++) {
        const struct tl_ev *e = last_from(arr[k], ts);
        if (e && (e->from == ts || e->to == ts))
            return false;
        if (e && e > &g_array_index(arr[k], struct tl_ev, 0) && (e - 1)->to == ts)
            return false;
    }
    return true;
}

/* A time near t strictly inside the deepest slice open at t and clear of edges, so the
 * flow binds to that slice; false when the slice is too short to hold one. */
static bool place(const struct track *t, uint64_t at, uint64_t *ts)
{
    const struct tl_ev *want = deepest(t, at);
    if (!want)
        return false;
    for (uint64_t x = at; x < at + 3 && x < want->to; x++)
        if (x > want->from && deepest(t, x) == want && clear_of_edges(t, x)) {
            *ts = x;
            return true;
        }
    return false;
}

static void append_flow_ev(GString *s, const struct tl_flow *f, int end, unsigned id, uint64_t ts)
{
    g_string_append_printf(s,
                           ",\n{%s\"cat\":\"%s\",\"id\":%u,\"name\":\"%s\",\"ph\":\"%s\","
                           "\"pid\":1,\"tid\":%u,\"ts\":",
                           end ? "\"bp\":\"e\"," : "", flow_cat[f->kind], id, flow_name[f->kind],
                           end ? "f" : "s", f->cpu[end]);
    sim_timeline_append_us(s, ts);
    g_string_append_c(s, '}');
}

void sim_timeline_append_flows(struct sim_timeline *tl, GString *s)
{
    struct track *t = tracks_new(tl);
    unsigned id = 0;
    for (guint i = 0; i < tl->flows->len; i++) {
        const struct tl_flow *f = &g_array_index(tl->flows, struct tl_flow, i);
        uint64_t a, b;
        if (!f->done || !place(&t[f->cpu[0]], f->t[0], &a) || !place(&t[f->cpu[1]], f->t[1], &b))
            continue; /* its end fell outside the window or on a slice too short */
        id++;
        append_flow_ev(s, f, 0, id, a);
        append_flow_ev(s, f, 1, id, b);
    }
    tracks_free(t, tl->n_cpus);
}

/* ---- counters ---- */

static int by_track_time(const void *a, const void *b)
{
    const struct tl_delta *x = a, *y = b;
    if (x->track != y->track)
        return x->track < y->track ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void append_sample(GString *s, uint32_t track, uint64_t ts, int64_t v)
{
    unsigned idx = track & ((1u << 28) - 1);
    if (track >> 28 == KERN_CTR_RX_RING)
        g_string_append_printf(s,
                               ",\n{\"args\":{\"descriptors\":%" PRId64 "},\"name\":\"eth%u rx "
                               "ring %u\",\"ph\":\"C\",\"pid\":1,\"ts\":",
                               v, idx >> 16, idx & 0xffffu);
    else
        g_string_append_printf(s,
                               ",\n{\"args\":{\"skbs\":%" PRId64 "},\"name\":\"CPU %u backlog\","
                               "\"ph\":\"C\",\"pid\":1,\"ts\":",
                               v, idx);
    sim_timeline_append_us(s, ts);
    g_string_append_c(s, '}');
}

/* Each track from 0 at time 0, then its value after each instant it changed. */
void sim_timeline_append_counters(struct sim_timeline *tl, GString *s)
{
    GArray *d = tl->deltas;
    g_array_sort(d, by_track_time);
    for (guint i = 0; i < d->len;) {
        uint32_t track = g_array_index(d, struct tl_delta, i).track;
        int64_t v = 0, shown = 0;
        bool have = g_array_index(d, struct tl_delta, i).at > 0;
        if (have)
            append_sample(s, track, 0, 0);
        while (i < d->len && g_array_index(d, struct tl_delta, i).track == track) {
            uint64_t at = g_array_index(d, struct tl_delta, i).at;
            for (; i < d->len && g_array_index(d, struct tl_delta, i).track == track &&
                   g_array_index(d, struct tl_delta, i).at == at;
                 i++)
                v += g_array_index(d, struct tl_delta, i).delta;
            if (!have || v != shown)
                append_sample(s, track, at, v);
            shown = v;
            have = true;
        }
    }
}
