/* Parser/printer for `ethtool -x` (ethtool.c: print_indir_table, print_rss_info;
 * kernel side ethtool_get_rxfh, net/ethtool/ioctl.c, Linux 6.12). */
#include "models/nic/ethtool_x.h"
#include "models/nic/toeplitz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/err.h"
#include "sim/core/file.h"

struct nic_ethtool_x {
    GPtrArray *tables; /* struct nic_ethtool_x_table * */
    unsigned unsupported;
};

enum section { SEC_NONE, SEC_ROWS, SEC_KEY, SEC_HFUNC, SEC_XFRM };

struct parser {
    struct nic_ethtool_x *x;
    const char *name;
    unsigned line;
    struct nic_ethtool_x_table *t; /* current block */
    enum section sec;
    unsigned next_index; /* index the next row must start at (unless elided) */
    bool after_dots;
    bool short_row; /* last row had fewer than 8 entries: only the table's last may */
    unsigned rows;
    GArray *entries; /* int32_t, current block */
};

static const char *HEADER = "RX flow hash indirection table for ";
static const char *UNSUPPORTED = "Operation not supported";

static void table_free(gpointer p)
{
    struct nic_ethtool_x_table *t = p;
    g_free(t->dev);
    g_free(t->entry);
    g_free(t);
}

static bool fail(struct parser *ps, GError **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool fail(struct parser *ps, GError **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s:%u: %s", ps->name, ps->line, m);
    g_free(m);
    return false;
}

static bool parse_u(const char **s, unsigned *out)
{
    if (!g_ascii_isdigit(**s))
        return false;
    char *end;
    errno = 0;
    unsigned long v = strtoul(*s, &end, 10);
    if (errno || v > G_MAXINT)
        return false;
    *out = (unsigned)v;
    *s = end;
    return true;
}

#define ETHTOOL_X_MAX_RINGS 65536

/* "RX flow hash indirection table for %s with %u RX ring(s)[, context %u]:" */
static bool parse_header(struct parser *ps, const char *l, struct nic_ethtool_x_table *t,
                         GError **err)
{
    const char *s = l + strlen(HEADER);
    const char *with = g_strrstr(s, " with ");
    unsigned rings = 0, ctx = 0;
    const char *p = with ? with + 6 : NULL;
    bool ok = with && with > s && parse_u(&p, &rings) && g_str_has_prefix(p, " RX ring(s)");
    if (ok) {
        p += strlen(" RX ring(s)");
        if (g_str_has_prefix(p, ", context ")) {
            p += strlen(", context ");
            ok = parse_u(&p, &ctx);
        }
        ok = ok && strcmp(p, ":") == 0;
    }
    if (!ok)
        return fail(ps, err,
                    "expected \"RX flow hash indirection table for DEV with N RX ring(s)[, "
                    "context C]:\"");
    /* The RETA maps to at most this many rings (ethtool's u32 ring count is
     * bounded by the NIC; the ixgbe family has 128): a larger header is no dump. */
    if (rings == 0 || rings > ETHTOOL_X_MAX_RINGS)
        return fail(ps, err, "expected 1 to %u RX rings, got %u", ETHTOOL_X_MAX_RINGS, rings);
    t->dev = g_strndup(s, (gsize)(with - s));
    t->rings = rings;
    t->context = ctx;
    t->line = ps->line;
    return true;
}

static void finish_block(struct parser *ps)
{
    struct nic_ethtool_x_table *t = ps->t;
    if (!t)
        return;
    t->n_entries = ps->entries->len;
    t->entry = (int32_t *)g_array_free(ps->entries, FALSE);
    ps->entries = NULL;
    if (ps->after_dots) /* "..." after the last row: the rest of the table is unknown */
        t->trailing_elision = t->partial = true;
    ps->t = NULL;
    ps->sec = SEC_NONE;
}

static bool start_block(struct parser *ps, const char *l, GError **err)
{
    finish_block(ps);
    struct nic_ethtool_x_table *t = g_new0(struct nic_ethtool_x_table, 1);
    if (!parse_header(ps, l, t, err)) {
        table_free(t);
        return false;
    }
    g_ptr_array_add(ps->x->tables, t);
    ps->t = t;
    ps->sec = SEC_ROWS;
    ps->next_index = 0;
    ps->after_dots = false;
    ps->short_row = false;
    ps->rows = 0;
    ps->entries = g_array_new(FALSE, FALSE, sizeof(int32_t));
    return true;
}

static bool is_row(const char *l)
{
    while (*l == ' ')
        l++;
    if (!g_ascii_isdigit(*l))
        return false;
    while (g_ascii_isdigit(*l))
        l++;
    return *l == ':';
}

/* "%5u: " then " %5u" per entry (print_indir_table) */
static bool parse_row(struct parser *ps, const char *l, GError **err)
{
    struct nic_ethtool_x_table *t = ps->t;
    const char *s = l;
    while (*s == ' ')
        s++;
    unsigned idx;
    if (!parse_u(&s, &idx) || idx >= NIC_ETHTOOL_X_INDEX_MAX)
        return fail(ps, err, "row index out of range, expected < %d", NIC_ETHTOOL_X_INDEX_MAX);
    s++; /* ':' */
    if (ps->after_dots ? idx < ps->next_index : idx != ps->next_index)
        return fail(ps, err, "row starts at index %u, expected %s%u%s", idx,
                    ps->after_dots ? "at least " : "", ps->next_index,
                    ps->after_dots ? " after \"...\"" : " (missing \"...\" line?)");
    /* print_indir_table() starts a row at every i % 8 == 0: only the last is short */
    if (idx % 8)
        return fail(ps, err, "row starts at index %u, expected a multiple of 8", idx);
    if (ps->short_row)
        return fail(ps, err, "row %u follows a row of fewer than 8 entries, expected 8 per row",
                    idx);
    /* a "..." before the very next index elided nothing: still complete */
    if (ps->after_dots && idx > ps->next_index)
        t->partial = true;
    int32_t unknown = NIC_ETHTOOL_X_UNKNOWN;
    while (ps->entries->len < idx)
        g_array_append_val(ps->entries, unknown);
    unsigned n = 0;
    while (*s) {
        if (*s != ' ')
            return fail(ps, err, "unexpected '%c' in row %u, expected queue numbers", *s, idx);
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        unsigned q;
        if (n == 8)
            return fail(ps, err, "row %u: more than 8 entries, expected 8 per row", idx);
        if (!parse_u(&s, &q) || (*s && *s != ' '))
            return fail(ps, err, "row %u: expected a queue number, got \"%.12s\"", idx, s);
        if (q >= t->rings)
            return fail(ps, err, "entry %u is queue %u, expected < %u RX ring(s)", idx + n, q,
                        t->rings);
        int32_t v = (int32_t)q;
        g_array_append_val(ps->entries, v);
        t->known++;
        n++;
    }
    if (n == 0)
        return fail(ps, err, "row %u has no entries, expected queue numbers", idx);
    ps->next_index = idx + n;
    ps->short_row = n < 8;
    ps->after_dots = false;
    ps->rows++;
    return true;
}

/* "    toeplitz: on" */
static bool parse_flag(struct parser *ps, const char *l, struct nic_ethtool_x_flag *f, unsigned *n,
                       GError **err)
{
    const char *s = l + 4;
    const char *colon = strstr(s, ": ");
    if (!colon || colon == s || (strcmp(colon + 2, "on") && strcmp(colon + 2, "off")))
        return fail(ps, err, "expected \"    NAME: on|off\"");
    if (*n == NIC_ETHTOOL_X_FLAGS_MAX)
        return fail(ps, err, "more than %d flags, expected fewer", NIC_ETHTOOL_X_FLAGS_MAX);
    g_strlcpy(f[*n].name, s, MIN((size_t)(colon - s) + 1, sizeof(f[*n].name)));
    f[*n].on = strcmp(colon + 2, "on") == 0;
    (*n)++;
    return true;
}

static bool parse_key(struct parser *ps, const char *l, GError **err)
{
    struct nic_ethtool_x_table *t = ps->t;
    if (strcmp(l, UNSUPPORTED) == 0) {
        t->key_unsupported = true;
        return true;
    }
    const char *s = l;
    while (*s) {
        uint8_t b;
        if (!nic_hex_byte(s, &b) || (s[2] && s[2] != ':') || (s[2] == ':' && !s[3]))
            return fail(ps, err, "RSS hash key: expected colon-separated hex bytes at column %td",
                        s - l + 1);
        if (t->key_len == NIC_ETHTOOL_X_KEY_MAX)
            return fail(ps, err, "RSS hash key longer than %d bytes", NIC_ETHTOOL_X_KEY_MAX);
        t->key[t->key_len++] = b;
        s += s[2] ? 3 : 2;
    }
    return true;
}

static bool end_of_rows(struct parser *ps, GError **err)
{
    if (ps->rows == 0 && !ps->t->indir_unsupported)
        return fail(ps, err,
                    "table header at line %u has no rows, expected \"%%5u: \" rows or \"%s\"",
                    ps->t->line, UNSUPPORTED);
    return true;
}

/* dump_rxfhash() always prints a key line (or the error) after the title */
static bool key_complete(struct parser *ps, GError **err)
{
    if (ps->t && ps->sec == SEC_KEY && !ps->t->key_len && !ps->t->key_unsupported)
        return fail(ps, err, "\"RSS hash key:\" without a key line, expected colon-hex bytes");
    return true;
}

static bool parse_line(struct parser *ps, const char *l, GError **err)
{
    if (g_str_has_prefix(l, HEADER)) {
        if (ps->t && ps->sec == SEC_ROWS && !end_of_rows(ps, err))
            return false;
        if (!key_complete(ps, err))
            return false;
        return start_block(ps, l, err);
    }
    if (!ps->t) {
        if (g_str_has_suffix(l, UNSUPPORTED))
            ps->x->unsupported++; /* "Cannot get RX ring count: Operation not supported" */
        return true;              /* prompts, other output */
    }
    if (ps->sec == SEC_ROWS) {
        if (is_row(l))
            return parse_row(ps, l, err);
        if (strcmp(l, "...") == 0) {
            if (ps->rows == 0)
                return fail(ps, err, "\"...\" before the first row, expected row 0");
            ps->after_dots = true; /* partial only if the next row skips entries */
            return true;
        }
        if (strcmp(l, UNSUPPORTED) == 0 && ps->rows == 0) {
            ps->t->indir_unsupported = true;
            return true;
        }
        if (!end_of_rows(ps, err))
            return false;
    }
    if (ps->sec == SEC_KEY && !ps->t->key_len && !ps->t->key_unsupported)
        return parse_key(ps, l, err);
    if (strcmp(l, "RSS hash key:") == 0) {
        ps->t->has_key = true;
        ps->sec = SEC_KEY;
        return true;
    }
    if (strcmp(l, "RSS hash function:") == 0) {
        ps->t->has_hfunc = true;
        ps->sec = SEC_HFUNC;
        return true;
    }
    if (strcmp(l, "RSS input transformation:") == 0) {
        ps->t->has_xfrm = true;
        ps->sec = SEC_XFRM;
        return true;
    }
    if (g_str_has_prefix(l, "    ") && ps->sec == SEC_HFUNC)
        return parse_flag(ps, l, ps->t->hfunc, &ps->t->n_hfunc, err);
    if (g_str_has_prefix(l, "    ") && ps->sec == SEC_XFRM)
        return parse_flag(ps, l, ps->t->xfrm, &ps->t->n_xfrm, err);
    /* anything else ends the block (next shell prompt, other command) */
    finish_block(ps);
    if (g_str_has_suffix(l, UNSUPPORTED))
        ps->x->unsupported++;
    return true;
}

struct nic_ethtool_x *nic_ethtool_x_parse(const char *text, const char *name, GError **err)
{
    struct parser ps = {.name = name ? name : "<ethtool -x>"};
    ps.x = g_new0(struct nic_ethtool_x, 1);
    ps.x->tables = g_ptr_array_new_with_free_func(table_free);
    char **lines = g_strsplit(text, "\n", -1);
    bool ok = true;
    for (unsigned i = 0; lines[i] && ok; i++) {
        ps.line = i + 1;
        g_strchomp(lines[i]); /* trailing blanks and CR */
        ok = parse_line(&ps, lines[i], err);
    }
    if (ok && ps.t && ps.sec == SEC_ROWS)
        ok = end_of_rows(&ps, err);
    ok = ok && key_complete(&ps, err);
    if (ps.entries && !ps.t)
        g_array_free(ps.entries, TRUE);
    finish_block(&ps);
    g_strfreev(lines);
    if (ok && ps.x->tables->len == 0 && ps.x->unsupported == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: no \"%s...\" block, expected `ethtool -x` output", ps.name, HEADER);
        ok = false;
    }
    if (!ok) {
        nic_ethtool_x_free(ps.x);
        return NULL;
    }
    return ps.x;
}

struct nic_ethtool_x *nic_ethtool_x_load(const char *path, GError **err)
{
    /* A real dump is a few KB (512 entries of 8 per line); 1 MB is far past any. */
    char *text = sim_file_read(path, 1 << 20, "an ethtool -x dump", NULL, err);
    if (!text)
        return NULL;
    struct nic_ethtool_x *x = nic_ethtool_x_parse(text, path, err);
    g_free(text);
    return x;
}

void nic_ethtool_x_free(struct nic_ethtool_x *x)
{
    if (!x)
        return;
    g_ptr_array_free(x->tables, TRUE);
    g_free(x);
}

unsigned nic_ethtool_x_n_tables(const struct nic_ethtool_x *x)
{
    return x->tables->len;
}

const struct nic_ethtool_x_table *nic_ethtool_x_table(const struct nic_ethtool_x *x, unsigned i)
{
    return i < x->tables->len ? x->tables->pdata[i] : NULL;
}

unsigned nic_ethtool_x_unsupported(const struct nic_ethtool_x *x)
{
    return x->unsupported;
}

static bool row_known(const struct nic_ethtool_x_table *t, unsigned start)
{
    for (unsigned i = start; i < MIN(start + 8, t->n_entries); i++)
        if (t->entry[i] != NIC_ETHTOOL_X_UNKNOWN)
            return true;
    return false;
}

static void print_flags(GString *s, const char *title, const struct nic_ethtool_x_flag *f,
                        unsigned n)
{
    g_string_append_printf(s, "%s\n", title);
    for (unsigned i = 0; i < n; i++)
        g_string_append_printf(s, "    %s: %s\n", f[i].name, f[i].on ? "on" : "off");
}

char *nic_ethtool_x_print(const struct nic_ethtool_x_table *t)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "%s%s with %u RX ring(s)", HEADER, t->dev, t->rings);
    if (t->context)
        g_string_append_printf(s, ", context %u", t->context);
    g_string_append(s, ":\n");
    if (t->indir_unsupported)
        g_string_append_printf(s, "%s\n", UNSUPPORTED);
    bool in_gap = false;
    for (unsigned r = 0; r < t->n_entries; r += 8) {
        if (!row_known(t, r)) {
            if (!in_gap)
                g_string_append(s, "...\n");
            in_gap = true;
            continue;
        }
        in_gap = false;
        g_string_append_printf(s, "%5u: ", r);
        for (unsigned i = r; i < MIN(r + 8, t->n_entries); i++)
            g_string_append_printf(s, " %5d", t->entry[i]);
        g_string_append_c(s, '\n');
    }
    if (t->trailing_elision)
        g_string_append(s, "...\n");
    if (t->has_key) {
        g_string_append(s, "RSS hash key:\n");
        if (t->key_unsupported)
            g_string_append_printf(s, "%s\n", UNSUPPORTED);
        for (size_t i = 0; i < t->key_len; i++)
            g_string_append_printf(s, "%02x%c", t->key[i], i + 1 == t->key_len ? '\n' : ':');
    }
    if (t->has_hfunc)
        print_flags(s, "RSS hash function:", t->hfunc, t->n_hfunc);
    if (t->has_xfrm)
        print_flags(s, "RSS input transformation:", t->xfrm, t->n_xfrm);
    return g_string_free(s, FALSE);
}

unsigned nic_ethtool_x_period(const struct nic_ethtool_x_table *t)
{
    for (unsigned n = 1; n <= t->rings; n++) {
        bool ok = t->known > 0;
        for (unsigned i = 0; i < t->n_entries && ok; i++)
            ok = t->entry[i] == NIC_ETHTOOL_X_UNKNOWN || (unsigned)t->entry[i] == i % n;
        if (ok)
            return n;
    }
    return 0;
}

struct nic_reta *nic_ethtool_x_to_reta(const struct nic_ethtool_x_table *t, const char *name,
                                       GError **err)
{
    name = name ? name : "<ethtool -x>";
    if (t->partial || t->trailing_elision || t->known != t->n_entries || t->n_entries == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s:%u: table lists %u of its entries (rows elided with \"...\"), expected "
                    "a complete table",
                    name, t->line, t->known);
        return NULL;
    }
    struct nic_reta *r = nic_reta_new(t->n_entries, t->rings, err);
    if (!r) {
        sim_error_prefix(err, "%s:%u", name, t->line);
        return NULL;
    }
    unsigned *q = g_new(unsigned, t->n_entries);
    for (unsigned i = 0; i < t->n_entries; i++)
        q[i] = (unsigned)t->entry[i];
    char *where = g_strdup_printf("%s:%u", name, t->line);
    bool ok = nic_reta_set_list(r, q, t->n_entries, where, err);
    g_free(where);
    g_free(q);
    if (!ok) {
        nic_reta_free(r);
        return NULL;
    }
    return r;
}
