/* Snapshot parsers: show_interrupts() (kernel/irq/proc.c), softnet_seq_show()
 * (net/core/net-procfs.c), show_softirqs() (fs/proc/softirqs.c) and
 * ethtool's do_gchannels/do_gcoalesce/do_gfeatures text. */
#include "validate/snapshot.h"

#include "sim/core/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool fail(GError **err, const char *source, int line, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bool fail(GError **err, const char *source, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (line > 0)
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: line %d: %s", source, line, msg);
    else
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: %s", source, msg);
    g_free(msg);
    return false;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* ---------------------------------------------------------------- helpers */

/* Header "CPU0 CPU1 ..." -> number of columns, 0 when not a header. */
static int header_cpus(const char *line)
{
    char **tok = g_strsplit_set(line, " \t", -1);
    int n = 0;
    bool ok = true;
    for (int i = 0; tok[i]; i++) {
        if (!*tok[i])
            continue;
        if (strncmp(tok[i], "CPU", 3) != 0 || !all_digits(tok[i] + 3)) {
            ok = false;
            break;
        }
        n++;
    }
    g_strfreev(tok);
    return ok ? n : 0;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The "CPU0 CPU1 ..." header show_interrupts() and show_softirqs() print first (one column per
 * online CPU), after any blank lines. Returns the column count, 0 + error when absent; *line
 * is the header's index. */
static int read_cpu_header(char **lines, int *line, const char *source, GError **err)
{
    int i = 0;
    while (lines[i] && !*skip_ws(lines[i]))
        i++;
    *line = i;
    int n = lines[i] ? header_cpus(lines[i]) : 0;
    if (n == 0)
        fail(err, source, i + 1, "expected the header of CPU columns (\"CPU0 CPU1 ...\")");
    return n;
}

/* Reads up to max unsigned decimal counts; returns how many; *rest after them. */
static int read_counts(const char *p, uint64_t *out, int max, const char **rest)
{
    int n = 0;
    for (;;) {
        const char *q = skip_ws(p);
        if (n >= max || !isdigit((unsigned char)*q))
            break;
        char *e;
        errno = 0;
        unsigned long long v = strtoull(q, &e, 10);
        /* kstat_irqs_cpu() and kstat_softirqs_cpu() are unsigned int: a larger
         * number is no count the kernel prints (and deltas are taken mod 2^32) */
        if ((*e != ' ' && *e != '\t' && *e != '\0') || errno || v > UINT32_MAX)
            break;
        out[n++] = v;
        p = e;
    }
    *rest = p;
    return n;
}

/* ---------------------------------------------------------------- /proc/interrupts */

static void irq_row_free(gpointer p)
{
    struct val_irq_row *r = p;
    g_free(r->label);
    g_free(r->counts);
    g_free(r->chip);
    g_free(r->flow);
    g_strfreev(r->actions);
    g_free(r->desc);
    g_free(r);
}

/* After the counts of a numbered row: chip, [hwirq[-flow] | hwirq Level|Edge], actions. */
static void parse_irq_tail(struct val_irq_row *r, const char *p)
{
    p = skip_ws(p);
    size_t n = strcspn(p, " \t");
    char *chip = g_strndup(p, n);
    p = skip_ws(p + n);
    n = strcspn(p, " \t");
    char *tok = g_strndup(p, n);
    r->hwirq = -1;
    char *dash = strchr(tok, '-');
    if (dash && dash > tok) {
        *dash = '\0';
        if (all_digits(tok)) {
            r->hwirq = strtol(tok, NULL, 10);
            r->flow = g_strdup(dash + 1);
            p = skip_ws(p + n);
        }
        *dash = '-';
    } else if (all_digits(tok)) {
        r->hwirq = strtol(tok, NULL, 10);
        p = skip_ws(p + n);
        n = strcspn(p, " \t");
        if ((n == 5 && strncmp(p, "Level", 5) == 0) || (n == 4 && strncmp(p, "Edge", 4) == 0)) {
            r->flow = g_strndup(p, n); /* CONFIG_GENERIC_IRQ_SHOW_LEVEL */
            p = skip_ws(p + n);
        } else {
            r->flow = g_strdup("");
        }
    }
    if (r->hwirq < 0) {
        /* 2.6-era "%8s-%-8s": chip and flow handler joined, e.g. "PCI-MSI-edge". */
        char *last = strrchr(chip, '-');
        if (last && last > chip) {
            r->flow = g_strdup(last + 1);
            *last = '\0';
        } else {
            r->flow = g_strdup("");
        }
    }
    g_free(tok);
    r->chip = chip;
    char *acts = g_strstrip(g_strdup(p));
    r->actions = *acts ? g_strsplit(acts, ", ", -1) : g_new0(char *, 1);
    g_free(acts);
}

struct val_interrupts *val_interrupts_parse(const char *text, const char *source, GError **err)
{
    char **lines = g_strsplit(text, "\n", -1);
    struct val_interrupts *t = g_new0(struct val_interrupts, 1);
    t->rows = g_ptr_array_new_with_free_func(irq_row_free);
    int i;
    bool ok = (t->ncpus = read_cpu_header(lines, &i, source, err)) > 0;
    for (i++; ok && lines[i]; i++) {
        const char *p = skip_ws(lines[i]);
        if (!*p)
            continue;
        const char *colon = strchr(p, ':');
        if (!colon || colon == p || memchr(p, ' ', (size_t)(colon - p))) {
            ok = fail(err, source, i + 1, "expected \"<irq>:\" or \"<NAME>:\" then counts");
            break;
        }
        struct val_irq_row *r = g_new0(struct val_irq_row, 1);
        g_ptr_array_add(t->rows, r);
        r->label = g_strndup(p, (size_t)(colon - p));
        r->irq = all_digits(r->label) ? atoi(r->label) : -1;
        r->hwirq = -1;
        r->counts = g_new0(uint64_t, t->ncpus);
        const char *rest;
        r->ncounts = read_counts(colon + 1, r->counts, t->ncpus, &rest);
        if (r->ncounts == 0 || (r->irq >= 0 && r->ncounts != t->ncpus)) {
            ok = fail(err, source, i + 1, "IRQ %s: expected %d per-CPU counts, found %d", r->label,
                      t->ncpus, r->ncounts);
            break;
        }
        if (r->irq >= 0) {
            parse_irq_tail(r, rest);
        } else {
            r->chip = g_strdup("");
            r->flow = g_strdup("");
            r->actions = g_new0(char *, 1);
            r->desc = g_strstrip(g_strdup(rest));
        }
    }
    g_strfreev(lines);
    if (!ok) {
        val_interrupts_free(t);
        return NULL;
    }
    return t;
}

void val_interrupts_free(struct val_interrupts *t)
{
    if (!t)
        return;
    g_ptr_array_free(t->rows, TRUE);
    g_free(t);
}

const struct val_irq_row *val_interrupts_by_label(const struct val_interrupts *t, const char *label)
{
    for (guint i = 0; i < t->rows->len; i++) {
        const struct val_irq_row *r = t->rows->pdata[i];
        if (strcmp(r->label, label) == 0)
            return r;
    }
    return NULL;
}

const struct val_irq_row *val_interrupts_by_action(const struct val_interrupts *t,
                                                   const char *action)
{
    for (guint i = 0; i < t->rows->len; i++) {
        const struct val_irq_row *r = t->rows->pdata[i];
        for (char **a = r->actions; *a; a++)
            if (strcmp(*a, action) == 0)
                return r;
    }
    return NULL;
}

/* "<dev>-TxRx-N" / "<dev>-rx-N" -> N, else -1. */
static int queue_index(const char *action, const char *dev)
{
    size_t dl = strlen(dev);
    if (strncmp(action, dev, dl) != 0)
        return -1;
    const char *p = action + dl;
    if (strncmp(p, "-TxRx-", 6) == 0)
        p += 6;
    else if (strncmp(p, "-rx-", 4) == 0)
        p += 4;
    else
        return -1;
    if (!all_digits(p) || strlen(p) > 6)
        return -1;
    return atoi(p);
}

GPtrArray *val_interrupts_dev_queues(const struct val_interrupts *t, const char *dev,
                                     const struct val_irq_row **other)
{
    GPtrArray *q = g_ptr_array_new();
    if (other)
        *other = NULL;
    for (guint i = 0; i < t->rows->len; i++) {
        struct val_irq_row *r = t->rows->pdata[i];
        for (char **a = r->actions; *a; a++) {
            if (other && strcmp(*a, dev) == 0)
                *other = r;
            int n = queue_index(*a, dev);
            if (n < 0)
                continue;
            if ((guint)n >= q->len)
                g_ptr_array_set_size(q, n + 1);
            q->pdata[n] = r;
        }
    }
    return q;
}

static uint64_t u32_delta(uint64_t before, uint64_t after)
{
    return (after - before) & 0xffffffffULL;
}

bool val_interrupts_delta(const struct val_interrupts *before, const struct val_interrupts *after,
                          const char *label, uint64_t *out, int ncpus, GError **err)
{
    const struct val_irq_row *b = val_interrupts_by_label(before, label);
    const struct val_irq_row *a = val_interrupts_by_label(after, label);
    if (!b || !a)
        return fail(err, b ? "interrupts after" : "interrupts before", 0, "no row \"%s:\"", label);
    for (int c = 0; c < ncpus; c++)
        out[c] = c < a->ncounts && c < b->ncounts ? u32_delta(b->counts[c], a->counts[c]) : 0;
    return true;
}

/* ---------------------------------------------------------------- softnet_stat */

struct val_softnet *val_softnet_parse(const char *text, const char *source, GError **err)
{
    char **lines = g_strsplit(text, "\n", -1);
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(struct val_softnet_row));
    bool ok = true;
    int first_line = 0; /* of the first row, whose column count the others must have */
    for (int i = 0; ok && lines[i]; i++) {
        char **tok = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        uint32_t v[15];
        int n = 0;
        for (int k = 0; tok[k] && ok; k++) {
            if (!*tok[k])
                continue;
            char *e;
            errno = 0;
            unsigned long x = strtoul(tok[k], &e, 16);
            if (n == 15 || *e || errno || x > UINT32_MAX || !isxdigit((unsigned char)*tok[k])) {
                n = -1;
                break;
            }
            v[n++] = (uint32_t)x;
        }
        g_strfreev(tok);
        if (n == 0)
            continue;
        if (n != 11 && n != 13 && n != 15) {
            ok = fail(err, source, i + 1, "expected 11, 13 or 15 hex columns");
            break;
        }
        /* one kernel's softnet_seq_show() prints every row alike; a row without
         * the CPU column among rows with it would be credited to the wrong CPU */
        if (rows->len && n != g_array_index(rows, struct val_softnet_row, 0).ncols) {
            ok = fail(err, source, i + 1, "%d hex columns, expected %d like line %d", n,
                      g_array_index(rows, struct val_softnet_row, 0).ncols, first_line);
            break;
        }
        if (!rows->len)
            first_line = i + 1;
        struct val_softnet_row r = {0};
        r.ncols = n;
        r.processed = v[0];
        r.dropped = v[1];
        r.time_squeeze = v[2];
        r.received_rps = v[9];
        r.flow_limit_count = v[10];
        r.cpu = (int)rows->len;
        if (n >= 13) {
            r.backlog_len = v[11];
            r.cpu = (int)v[12];
        }
        if (n == 15) {
            r.input_qlen = v[13];
            r.process_qlen = v[14];
        }
        /* softnet_get_online() walks the online CPUs upwards: one row each */
        int prev = rows->len ? g_array_index(rows, struct val_softnet_row, rows->len - 1).cpu : -1;
        if (n >= 13 && (v[12] >= VAL_MAX_CPUS || (int)v[12] <= prev)) {
            ok = fail(err, source, i + 1,
                      "CPU %u, expected above the previous row's CPU %d and below %d", v[12], prev,
                      VAL_MAX_CPUS);
            break;
        }
        g_array_append_val(rows, r);
    }
    g_strfreev(lines);
    if (ok && rows->len == 0)
        ok = fail(err, source, 0, "no CPU rows");
    if (!ok) {
        g_array_free(rows, TRUE);
        return NULL;
    }
    struct val_softnet *s = g_new0(struct val_softnet, 1);
    s->nrows = (int)rows->len;
    s->rows = (struct val_softnet_row *)(void *)g_array_free(rows, FALSE);
    return s;
}

void val_softnet_free(struct val_softnet *s)
{
    if (!s)
        return;
    g_free(s->rows);
    g_free(s);
}

const struct val_softnet_row *val_softnet_cpu(const struct val_softnet *s, int cpu)
{
    for (int i = 0; i < s->nrows; i++)
        if (s->rows[i].cpu == cpu)
            return &s->rows[i];
    return NULL;
}

struct val_softnet *val_softnet_delta(const struct val_softnet *before,
                                      const struct val_softnet *after, GError **err)
{
    struct val_softnet *d = g_new0(struct val_softnet, 1);
    d->nrows = after->nrows;
    d->rows = g_new0(struct val_softnet_row, after->nrows);
    for (int i = 0; i < after->nrows; i++) {
        const struct val_softnet_row *a = &after->rows[i];
        const struct val_softnet_row *b = val_softnet_cpu(before, a->cpu);
        if (!b) {
            fail(err, "softnet_stat before", 0, "no row for CPU %d present after", a->cpu);
            val_softnet_free(d);
            return NULL;
        }
        struct val_softnet_row *r = &d->rows[i];
        *r = *a;
        r->processed = (uint32_t)(a->processed - b->processed);
        r->dropped = (uint32_t)(a->dropped - b->dropped);
        r->time_squeeze = (uint32_t)(a->time_squeeze - b->time_squeeze);
        r->received_rps = (uint32_t)(a->received_rps - b->received_rps);
        r->flow_limit_count = (uint32_t)(a->flow_limit_count - b->flow_limit_count);
    }
    return d;
}

/* ---------------------------------------------------------------- /proc/softirqs */

struct val_softirqs *val_softirqs_parse(const char *text, const char *source, GError **err)
{
    char **lines = g_strsplit(text, "\n", -1);
    struct val_softirqs *s = g_new0(struct val_softirqs, 1);
    GPtrArray *names = g_ptr_array_new();
    GArray *counts = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    int i;
    bool ok = (s->ncpus = read_cpu_header(lines, &i, source, err)) > 0;
    for (i++; ok && lines[i]; i++) {
        const char *p = skip_ws(lines[i]);
        if (!*p)
            continue;
        const char *colon = strchr(p, ':');
        if (!colon || colon == p) {
            ok = fail(err, source, i + 1, "expected \"<VECTOR>:\" then counts");
            break;
        }
        uint64_t *c = g_new0(uint64_t, s->ncpus);
        const char *rest;
        int n = read_counts(colon + 1, c, s->ncpus, &rest);
        if (n != s->ncpus || *skip_ws(rest)) {
            g_free(c);
            ok = fail(err, source, i + 1, "%.*s: expected %d per-CPU counts", (int)(colon - p), p,
                      s->ncpus);
            break;
        }
        g_ptr_array_add(names, g_strndup(p, (size_t)(colon - p)));
        g_array_append_vals(counts, c, (guint)s->ncpus);
        g_free(c);
    }
    g_strfreev(lines);
    g_ptr_array_add(names, NULL);
    s->nvec = (int)names->len - 1;
    s->names = (char **)g_ptr_array_free(names, FALSE);
    s->counts = (uint64_t *)(void *)g_array_free(counts, FALSE);
    if (!ok) {
        val_softirqs_free(s);
        return NULL;
    }
    return s;
}

void val_softirqs_free(struct val_softirqs *s)
{
    if (!s)
        return;
    g_strfreev(s->names);
    g_free(s->counts);
    g_free(s);
}

int64_t val_softirqs_get(const struct val_softirqs *s, const char *name, int cpu)
{
    if (cpu < 0 || cpu >= s->ncpus)
        return -1;
    for (int v = 0; v < s->nvec; v++)
        if (strcmp(s->names[v], name) == 0)
            return (int64_t)s->counts[(size_t)v * (size_t)s->ncpus + (size_t)cpu];
    return -1;
}

bool val_softirqs_delta(const struct val_softirqs *before, const struct val_softirqs *after,
                        const char *name, uint64_t *out, int ncpus, GError **err)
{
    for (int c = 0; c < ncpus; c++) {
        int64_t b = val_softirqs_get(before, name, c), a = val_softirqs_get(after, name, c);
        if (a < 0 || b < 0)
            return fail(err, a < 0 ? "softirqs after" : "softirqs before", 0,
                        "no count for %s on CPU %d", name, c);
        out[c] = u32_delta((uint64_t)b, (uint64_t)a);
    }
    return true;
}

/* ---------------------------------------------------------------- ethtool */

static char *first_line(const char *text)
{
    const char *p = skip_ws(text);
    return g_strndup(p, strcspn(p, "\n"));
}

static bool channel_value(const char *v, int *out)
{
    v = skip_ws(v);
    if (strncmp(v, "n/a", 3) == 0) {
        *out = -1;
        return true;
    }
    char *e;
    long x = strtol(v, &e, 10);
    if (e == v || *skip_ws(e) || x < 0 || x > INT32_MAX)
        return false;
    *out = (int)x;
    return true;
}

bool val_ethtool_l_parse(const char *text, const char *source, struct val_ethtool_channels *c,
                         GError **err)
{
    struct val_ethtool_channels r = {-1, -1, -1, -1, -1, -1, -1, -1};
    char **lines = g_strsplit(text, "\n", -1);
    int section = 0; /* 1 = maximums, 2 = current */
    bool seen_max = false, seen_cur = false, ok = true;
    for (int i = 0; ok && lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (g_str_has_prefix(l, "Pre-set maximums")) {
            section = 1;
            seen_max = true;
            continue;
        }
        if (g_str_has_prefix(l, "Current hardware settings")) {
            section = 2;
            seen_cur = true;
            continue;
        }
        char *colon = strchr(l, ':');
        if (!section || !colon)
            continue;
        *colon = '\0';
        int *dst = NULL;
        if (strcmp(l, "RX") == 0)
            dst = section == 1 ? &r.max_rx : &r.rx;
        else if (strcmp(l, "TX") == 0)
            dst = section == 1 ? &r.max_tx : &r.tx;
        else if (strcmp(l, "Other") == 0)
            dst = section == 1 ? &r.max_other : &r.other;
        else if (strcmp(l, "Combined") == 0)
            dst = section == 1 ? &r.max_combined : &r.combined;
        if (dst && !channel_value(colon + 1, dst))
            ok = fail(err, source, i + 1, "%s: expected a count or n/a", l);
    }
    g_strfreev(lines);
    if (ok && (!seen_max || !seen_cur)) {
        char *f = first_line(text);
        ok = fail(err, source, 0,
                  "not ethtool -l output (no \"Pre-set maximums\"/\"Current hardware "
                  "settings\"): \"%s\"",
                  f);
        g_free(f);
    }
    if (ok)
        *c = r;
    return ok;
}

struct val_ethtool_coalesce {
    int adaptive_rx, adaptive_tx;
    GHashTable *vals; /* key -> int64 (boxed) */
};

static int on_off(const char *v)
{
    if (strncmp(v, "on", 2) == 0)
        return 1;
    if (strncmp(v, "off", 3) == 0)
        return 0;
    return -1;
}

struct val_ethtool_coalesce *val_ethtool_c_parse(const char *text, const char *source, GError **err)
{
    if (!strstr(text, "Coalesce parameters for")) {
        char *f = first_line(text);
        fail(err, source, 0, "not ethtool -c output (no \"Coalesce parameters for\"): \"%s\"", f);
        g_free(f);
        return NULL;
    }
    struct val_ethtool_coalesce *c = g_new0(struct val_ethtool_coalesce, 1);
    c->adaptive_rx = c->adaptive_tx = -1;
    c->vals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (g_str_has_prefix(l, "Adaptive RX:")) {
            c->adaptive_rx = on_off(skip_ws(l + 12));
            const char *tx = strstr(l, "TX:");
            if (tx)
                c->adaptive_tx = on_off(skip_ws(tx + 3));
            continue;
        }
        char *colon = strchr(l, ':');
        char *sp = strchr(l, ' ');
        if (!colon || (sp && sp < colon))
            continue;
        *colon = '\0';
        const char *v = skip_ws(colon + 1);
        char *e;
        long long x = strtoll(v, &e, 10);
        if (e == v || *skip_ws(e))
            continue; /* n/a or text */
        int64_t *box = g_new(int64_t, 1);
        *box = x;
        g_hash_table_replace(c->vals, g_strdup(l), box);
    }
    g_strfreev(lines);
    return c;
}

void val_ethtool_coalesce_free(struct val_ethtool_coalesce *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->vals);
    g_free(c);
}

int val_ethtool_coalesce_adaptive_rx(const struct val_ethtool_coalesce *c)
{
    return c->adaptive_rx;
}

int val_ethtool_coalesce_adaptive_tx(const struct val_ethtool_coalesce *c)
{
    return c->adaptive_tx;
}

bool val_ethtool_coalesce_get(const struct val_ethtool_coalesce *c, const char *key, int64_t *v)
{
    const int64_t *box = g_hash_table_lookup(c->vals, key);
    if (!box)
        return false;
    *v = *box;
    return true;
}

struct val_feature {
    char *name;
    bool on, fixed;
};

struct val_ethtool_features {
    GArray *f; /* struct val_feature, file order */
};

struct val_ethtool_features *val_ethtool_k_parse(const char *text, const char *source, GError **err)
{
    if (!strstr(text, "Features for")) {
        char *f = first_line(text);
        fail(err, source, 0, "not ethtool -k output (no \"Features for\"): \"%s\"", f);
        g_free(f);
        return NULL;
    }
    struct val_ethtool_features *fs = g_new0(struct val_ethtool_features, 1);
    fs->f = g_array_new(FALSE, TRUE, sizeof(struct val_feature));
    char **lines = g_strsplit(text, "\n", -1);
    bool ok = true;
    for (int i = 0; ok && lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (!*l || g_str_has_prefix(l, "Features for"))
            continue;
        char *colon = strstr(l, ": ");
        int st = colon ? on_off(colon + 2) : -1;
        if (!colon || st < 0) {
            ok = fail(err, source, i + 1, "expected \"<feature>: on|off [fixed]\"");
            break;
        }
        *colon = '\0';
        struct val_feature f = {g_strdup(l), st == 1, strstr(colon + 2, "[fixed]") != NULL};
        g_array_append_val(fs->f, f);
    }
    g_strfreev(lines);
    if (!ok) {
        val_ethtool_features_free(fs);
        return NULL;
    }
    return fs;
}

void val_ethtool_features_free(struct val_ethtool_features *f)
{
    if (!f)
        return;
    for (guint i = 0; i < f->f->len; i++)
        g_free(g_array_index(f->f, struct val_feature, i).name);
    g_array_free(f->f, TRUE);
    g_free(f);
}

bool val_ethtool_feature(const struct val_ethtool_features *f, const char *name, bool *on,
                         bool *fixed)
{
    for (guint i = 0; i < f->f->len; i++) {
        const struct val_feature *x = &g_array_index(f->f, struct val_feature, i);
        if (strcmp(x->name, name) == 0) {
            if (on)
                *on = x->on;
            if (fixed)
                *fixed = x->fixed;
            return true;
        }
    }
    return false;
}

int val_ethtool_features_count(const struct val_ethtool_features *f)
{
    return (int)f->f->len;
}
