/* Chrome trace-event timeline of the simulated CPUs: one track per CPU with
 * hardirq, softirq (at irq_exit or in ksoftirqd), NAPI polls nested inside
 * them, and thread slices. Adjacent slices of the same kind are merged so a
 * saturated CPU's softirq shows as one bar, with its NAPI polls inside.
 * Flow arrows (hardirq -> the NET_RX it raised, waker -> woken thread) and
 * counter tracks (RX ring fill, backlog length) come from the same observer;
 * their JSON is written by sim/host/timeline_extra.c. */
#include "sim/host/timeline.h"
#include "sim/host/timeline_priv.h"

#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>

static const char *const cat_name[] = {"usr", "sys", "irq", "softirq", "softirq", "napi"};

struct sim_timeline *sim_timeline_new(unsigned n_cpus, uint64_t until_ns, size_t max_events)
{
    struct sim_timeline *tl = g_new0(struct sim_timeline, 1);
    tl->n_cpus = n_cpus;
    tl->until = until_ns;
    tl->max = max_events;
    tl->evs = g_array_new(FALSE, FALSE, sizeof(struct tl_ev));
    tl->open = g_new0(struct tl_ev, n_cpus);
    tl->flows = g_array_new(FALSE, FALSE, sizeof(struct tl_flow));
    tl->deltas = g_array_new(FALSE, FALSE, sizeof(struct tl_delta));
    tl->irq_wait = g_new(int, n_cpus);
    for (unsigned c = 0; c < n_cpus; c++)
        tl->irq_wait[c] = -1;
    tl->woken = g_hash_table_new(g_direct_hash, g_direct_equal);
    return tl;
}

void sim_timeline_free(struct sim_timeline *tl)
{
    if (!tl)
        return;
    g_array_free(tl->evs, TRUE);
    g_array_free(tl->flows, TRUE);
    g_array_free(tl->deltas, TRUE);
    g_free(tl->irq_wait);
    g_hash_table_destroy(tl->woken);
    g_free(tl->open);
    g_free(tl);
}

bool sim_timeline_room(struct sim_timeline *tl, size_t n)
{
    if (sim_timeline_events(tl) + n > tl->max) {
        tl->truncated = true;
        return false;
    }
    return true;
}

static void push(struct sim_timeline *tl, const struct tl_ev *e)
{
    if (sim_timeline_room(tl, 1))
        g_array_append_val(tl->evs, *e);
}

static void close_open(struct sim_timeline *tl, unsigned cpu)
{
    if (tl->open[cpu].label)
        push(tl, &tl->open[cpu]);
    tl->open[cpu].label = NULL;
}

static enum tl_cat slice_cat(const struct kern_slice *s)
{
    switch (s->what) {
    case KERN_USR:
        return TL_USR;
    case KERN_SYS:
        return TL_SYS;
    case KERN_IRQ:
        return TL_IRQ;
    default:
        return s->ksoftirqd ? TL_KSOFTIRQD : TL_SOFT;
    }
}

static void on_slice(void *ctx, const struct kern_slice *s)
{
    struct sim_timeline *tl = ctx;
    if (s->from >= tl->until || s->cpu >= tl->n_cpus)
        return;
    struct tl_ev *o = &tl->open[s->cpu];
    uint8_t cat = (uint8_t)slice_cat(s);
    if (cat <= TL_SYS && g_hash_table_size(tl->woken))
        sim_timeline_thread_runs(tl, s);
    uint64_t to = s->to < tl->until ? s->to : tl->until;
    if (o->label == s->label && o->cat == cat && o->to == s->from) {
        o->to = to;
        return;
    }
    close_open(tl, s->cpu);
    *o = (struct tl_ev){.from = s->from, .to = to, .label = s->label, .cpu = s->cpu, .cat = cat};
}

static void on_napi_poll(void *ctx, unsigned cpu, const struct napi_struct *n, uint64_t from,
                         uint64_t to, int work)
{
    struct sim_timeline *tl = ctx;
    if (from >= tl->until || cpu >= tl->n_cpus)
        return;
    struct tl_ev e = {.from = from,
                      .to = to < tl->until ? to : tl->until,
                      .label = n->name ? n->name : "napi",
                      .cpu = cpu,
                      .cat = TL_NAPI,
                      .work = work};
    push(tl, &e);
}

struct kern_observer sim_timeline_observer(struct sim_timeline *tl)
{
    struct kern_observer o = {.slice = on_slice, .napi_poll = on_napi_poll, .ctx = tl};
    sim_timeline_observe_extra(&o);
    return o;
}

size_t sim_timeline_events(const struct sim_timeline *tl)
{
    return tl->evs->len + 2 * (size_t)tl->flows->len + tl->deltas->len;
}

bool sim_timeline_truncated(const struct sim_timeline *tl)
{
    return tl->truncated;
}

/* A label as a JSON string (quoted, escaped), built once per label and
 * form: plain, " (ksoftirqd)" suffix, "napi_poll " prefix. */
static const char *quoted(GHashTable *cache[3], const struct tl_ev *e)
{
    bool ks = e->cat == TL_KSOFTIRQD;
    unsigned form = ks ? 1 : e->cat == TL_NAPI ? 2 : 0;
    char *hit = g_hash_table_lookup(cache[form], e->label);
    if (hit)
        return hit;
    char *name = e->cat == TL_NAPI ? g_strconcat("napi_poll ", e->label, NULL)
                 : ks              ? g_strconcat(e->label, " (ksoftirqd)", NULL)
                                   : g_strdup(e->label);
    json_t *js = json_string(name);
    char *q = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
    json_decref(js);
    g_free(name);
    char *kept = g_strdup(q ? q : "\"?\"");
    free(q);
    g_hash_table_insert(cache[form], (void *)e->label, kept);
    return kept;
}

void sim_timeline_append_us(GString *s, uint64_t ns)
{
    g_string_append_printf(s, "%" PRIu64 ".%03u", ns / 1000u, (unsigned)(ns % 1000u));
}

static void append_ev(GString *s, GHashTable *cache[3], const struct tl_ev *e)
{
    g_string_append(s, ",\n{");
    if (e->cat == TL_NAPI)
        g_string_append_printf(s, "\"args\":{\"work\":%d},", e->work);
    g_string_append_printf(s, "\"cat\":\"%s\",\"dur\":", cat_name[e->cat]);
    sim_timeline_append_us(s, e->to - e->from);
    g_string_append_printf(
        s, ",\"name\":%s,\"ph\":\"X\",\"pid\":1,\"tid\":%u,\"ts\":", quoted(cache, e), e->cpu);
    sim_timeline_append_us(s, e->from);
    g_string_append_c(s, '}');
}

char *sim_timeline_json(struct sim_timeline *tl, size_t *len)
{
    for (unsigned c = 0; c < tl->n_cpus; c++)
        close_open(tl, c);
    GString *s = g_string_sized_new(128 + (gsize)tl->evs->len * 120);
    g_string_append_printf(s,
                           "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"events\":%u,"
                           "\"truncated\":%s,\"until_us\":",
                           tl->evs->len, tl->truncated ? "true" : "false");
    sim_timeline_append_us(s, tl->until);
    g_string_append(s, "},\"traceEvents\":[\n{\"args\":{\"name\":\"simulated host\"},"
                       "\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1}");
    for (unsigned c = 0; c < tl->n_cpus; c++)
        g_string_append_printf(s,
                               ",\n{\"args\":{\"name\":\"CPU %u\"},\"name\":\"thread_name\","
                               "\"ph\":\"M\",\"pid\":1,\"tid\":%u},\n{\"args\":{\"sort_index\":%u},"
                               "\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u}",
                               c, c, c, c);
    GHashTable *cache[3];
    for (int i = 0; i < 3; i++)
        cache[i] = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    for (guint i = 0; i < tl->evs->len; i++)
        append_ev(s, cache, &g_array_index(tl->evs, struct tl_ev, i));
    for (int i = 0; i < 3; i++)
        g_hash_table_destroy(cache[i]);
    sim_timeline_append_flows(tl, s);
    sim_timeline_append_counters(tl, s);
    g_string_append(s, "\n]}\n");
    *len = s->len;
    return g_string_free(s, FALSE);
}
