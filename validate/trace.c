/* Streaming reader of kernel trace text: tracefs `trace` (print_trace_fmt(),
 * kernel/trace/trace.c) and `perf script`; print formats from
 * include/trace/events/{irq,napi,net,sched}.h. */
#define _GNU_SOURCE /* memmem */
#include "validate/trace.h"
#include "validate/trace_fields.h"

#include "sim/core/err.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define READ_BUF (1u << 20) /* read ahead: well over VAL_TRACE_MAX_LINE */

struct val_trace_reader {
    FILE *f;
    bool own;
    char *name;
    char *buf;             /* bounded: VAL_TRACE_MAX_LINE + 2 */
    char *rb;              /* READ_BUF bytes read ahead; lines are cut in place */
    size_t rb_pos, rb_len; /* unread bytes: rb[rb_pos..rb_len) */
    bool rb_eof;           /* fread came back short */
    uint64_t rb_total;     /* bytes fread so far */
    char *line;            /* the current line (in rb, or in buf when it had no room) */
    const char *only;      /* val_trace_only: the event name a returned line must hold */
    enum val_ev_kind only_kind;
    size_t only_len, line_len;
    struct val_trace_stats st;
    uint64_t last_ts; /* of the last event returned */
};

static const char *const kind_names[VAL_EV__COUNT] = {
    [VAL_EV_IRQ_HANDLER_ENTRY] = "irq_handler_entry",
    [VAL_EV_IRQ_HANDLER_EXIT] = "irq_handler_exit",
    [VAL_EV_SOFTIRQ_RAISE] = "softirq_raise",
    [VAL_EV_SOFTIRQ_ENTRY] = "softirq_entry",
    [VAL_EV_SOFTIRQ_EXIT] = "softirq_exit",
    [VAL_EV_NAPI_POLL] = "napi_poll",
    [VAL_EV_NAPI_GRO_RECEIVE_ENTRY] = "napi_gro_receive_entry",
    [VAL_EV_NETIF_RECEIVE_SKB_ENTRY] = "netif_receive_skb_entry",
    [VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY] = "netif_receive_skb_list_entry",
    [VAL_EV_NETIF_RX_ENTRY] = "netif_rx_entry",
    [VAL_EV_NETIF_RECEIVE_SKB] = "netif_receive_skb",
    [VAL_EV_NETIF_RX] = "netif_rx",
    [VAL_EV_NET_DEV_QUEUE] = "net_dev_queue",
    [VAL_EV_NET_DEV_START_XMIT] = "net_dev_start_xmit",
    [VAL_EV_NET_DEV_XMIT] = "net_dev_xmit",
    [VAL_EV_SCHED_SWITCH] = "sched_switch",
    [VAL_EV_SCHED_WAKEUP] = "sched_wakeup",
    [VAL_EV_SCHED_WAKING] = "sched_waking",
    [VAL_EV_SCHED_MIGRATE_TASK] = "sched_migrate_task",
    [VAL_EV_CSD_QUEUE_CPU] = "csd_queue_cpu",
    [VAL_EV_CALL_FUNCTION_SINGLE_ENTRY] = "call_function_single_entry",
    [VAL_EV_RESCHEDULE_ENTRY] = "reschedule_entry",
    [VAL_EV_HRTIMER_EXPIRE_ENTRY] = "hrtimer_expire_entry",
    [VAL_EV_SYSCALL_ENTER] = "sys_enter",
    [VAL_EV_KFREE_SKB] = "kfree_skb",
};

static const char *const sys_names[VAL_SYS__COUNT] = {
    [VAL_SYS_RECVFROM] = "recvfrom", [VAL_SYS_RECVMSG] = "recvmsg", [VAL_SYS_RECVMMSG] = "recvmmsg",
    [VAL_SYS_READ] = "read",         [VAL_SYS_READV] = "readv",     [VAL_SYS_ACCEPT] = "accept",
    [VAL_SYS_ACCEPT4] = "accept4",
};

const char *val_ev_kind_name(enum val_ev_kind k)
{
    return (unsigned)k < VAL_EV__COUNT ? kind_names[k] : "?";
}

const char *val_syscall_name(enum val_syscall s)
{
    return (unsigned)s < VAL_SYS__COUNT ? sys_names[s] : "?";
}

static size_t kind_lens[VAL_EV__COUNT], sys_lens[VAL_SYS__COUNT];

static void init_lens(void)
{
    static gsize once;
    if (!g_once_init_enter(&once))
        return;
    for (int i = 0; i < VAL_EV__COUNT; i++)
        kind_lens[i] = strlen(kind_names[i]);
    for (int i = 0; i < VAL_SYS__COUNT; i++)
        sys_lens[i] = strlen(sys_names[i]);
    g_once_init_leave(&once, 1);
}

static int lookup(const char *const *names, const size_t *lens, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (lens[i] == len && names[i][0] == s[0] && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

/* isdigit() of the C locale, without the locale table's call */
static inline bool is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

bool val_trace_parse_ts(const char *s, size_t n, uint64_t *ns)
{
    size_t i = 0;
    uint64_t secs = 0, frac = 0;
    if (n == 0 || !is_digit(s[0]))
        return false;
    for (; i < n && is_digit(s[i]); i++) {
        if (secs > (UINT64_MAX / 1000000000ULL - 9) / 10)
            return false;
        secs = secs * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == n || s[i] != '.')
        return false;
    size_t fd = 0;
    for (i++; i < n && is_digit(s[i]); i++, fd++) {
        if (fd >= 9)
            return false;
        frac = frac * 10 + (uint64_t)(s[i] - '0');
    }
    if (i != n || fd == 0)
        return false;
    for (; fd < 9; fd++)
        frac *= 10;
    *ns = secs * 1000000000ULL + frac;
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* Locates " <digits>.<digits>: " (or at end of line); returns its start or NULL. */
static char *find_ts(char *p, char **ts_end)
{
    for (char *d = strchr(p, '.'); d; d = strchr(d + 1, '.')) {
        char *s = d;
        while (s > p && is_digit(s[-1]))
            s--;
        if (s == d || (s > p && s[-1] != ' '))
            continue;
        char *e = d + 1;
        while (is_digit(*e))
            e++;
        if (e == d + 1 || *e != ':' || (e[1] != ' ' && e[1] != '\0'))
            continue;
        *ts_end = e;
        return s;
    }
    return NULL;
}

static char *rtrim(char *s, char *end)
{
    while (end > s && end[-1] == ' ')
        end--;
    return end;
}

static enum val_line_kind garbled(struct val_line_info *info, const char *why)
{
    info->why = why;
    return VAL_LINE_GARBLED;
}

/* "comm-pid" (tracefs, split on the last '-') or "comm tid" / "comm pid/tid" (perf). */
static const char *parse_task(char *s, char *end, struct val_trace_event *ev)
{
    while (s < end && *s == ' ')
        s++;
    end = rtrim(s, end);
    /* record-tgid option: "<comm>-<pid> (<tgid>)", tgid "-------" when unknown. */
    if (end > s && end[-1] == ')') {
        char *open = end;
        while (open > s && open[-1] != '(')
            open--;
        if (open > s)
            end = rtrim(s, open - 1);
    }
    if (s == end)
        return "no task before the timestamp";
    char *tok = end;
    while (tok > s && tok[-1] != ' ')
        tok--;
    char *slash = memchr(tok, '/', (size_t)(end - tok));
    char *num = tok;
    if (slash && all_digits(tok, (size_t)(slash - tok)))
        num = slash + 1;
    if (tok > s && all_digits(num, (size_t)(end - num)) && (num == tok || slash)) {
        char *cend = rtrim(s, tok);
        val_trace_copy_str(ev->comm, sizeof ev->comm, s, (size_t)(cend - s));
        ev->tid = (int32_t)val_trace_dec_long(num);
        return NULL;
    }
    char *dash = NULL;
    for (char *q = end; q > s; q--)
        if (q[-1] == '-') {
            dash = q - 1;
            break;
        }
    if (!dash || dash == s || !all_digits(dash + 1, (size_t)(end - dash - 1)))
        return "expected '<comm>-<pid>' or '<comm> <tid>' before the timestamp";
    val_trace_copy_str(ev->comm, sizeof ev->comm, s, (size_t)(dash - s));
    ev->tid = (int32_t)val_trace_dec_long(dash + 1);
    return NULL;
}

static bool is_cpu_tok(const char *t, size_t n, int *cpu)
{
    if (n < 3 || t[0] != '[' || t[n - 1] != ']' || !all_digits(t + 1, n - 2))
        return false;
    *cpu = (int)val_trace_dec_long(t + 1);
    return true;
}

/* Header left of the timestamp: task, optional [CPU], optional irq-info flags. */
static const char *parse_header(char *s, char *end, struct val_trace_event *ev)
{
    end = rtrim(s, end);
    ev->cpu = -1;
    ev->flags[0] = '\0';
    char *tok = end;
    while (tok > s && tok[-1] != ' ')
        tok--;
    int cpu;
    if (is_cpu_tok(tok, (size_t)(end - tok), &cpu)) {
        ev->cpu = cpu;
        return parse_task(s, tok, ev);
    }
    /* Flags column: 4 chars before Linux 4.18-ish, 5 with migrate-disable. */
    char *fend = tok;
    char *prev_end = rtrim(s, tok);
    char *prev = prev_end;
    while (prev > s && prev[-1] != ' ')
        prev--;
    if (prev < prev_end && is_cpu_tok(prev, (size_t)(prev_end - prev), &cpu)) {
        size_t fl = (size_t)(end - fend);
        if (fl < 4 || fl > 5)
            return "flags column is not 4 or 5 characters";
        val_trace_copy_str(ev->flags, sizeof ev->flags, fend, fl);
        ev->cpu = cpu;
        return parse_task(s, prev, ev);
    }
    return parse_task(s, end, ev); /* no CPU column (trimmed by hand) */
}

enum val_line_kind val_trace_parse_line(char *line, struct val_trace_event *ev,
                                        struct val_line_info *info)
{
    init_lens();
    memset(info, 0, sizeof *info);
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    /* Lines copied out of an editor's search results: "Line 17: <trace line>". */
    if (p[0] == 'L' && strncmp(p, "Line ", 5) == 0 && is_digit(p[5])) {
        char *q = p + 5;
        while (is_digit(*q))
            q++;
        if (*q == ':') {
            info->prefixed = true;
            p = q + 1;
            while (*p == ' ' || *p == '\t')
                p++;
        }
    }
    if (*p == '\0')
        return VAL_LINE_HEADER;
    int cpu, n = 0;
    unsigned long long lost;
    if (*p == '#') {
        if (sscanf(p, "##### CPU %d buffer started ####%n", &cpu, &n) == 1 && n > 0) {
            info->cpu = cpu;
            return VAL_LINE_BUFFER_STARTED;
        }
        return VAL_LINE_HEADER;
    }
    if (strncmp(p, "CPU:", 4) == 0 &&
        sscanf(p, "CPU:%d [LOST %llu EVENTS]%n", &cpu, &lost, &n) == 2 && n > 0) {
        info->cpu = cpu;
        info->lost = lost;
        return VAL_LINE_LOST;
    }
    char *ts_end;
    char *ts = find_ts(p, &ts_end);
    if (!ts)
        return garbled(info, "no 'secs.frac:' timestamp");
    memset(ev, 0, sizeof *ev);
    if (!val_trace_parse_ts(ts, (size_t)(ts_end - ts), &ev->ts_ns))
        return garbled(info, "timestamp out of range or more than 9 fraction digits");
    const char *why = parse_header(p, ts, ev);
    if (why)
        return garbled(info, why);

    char *e = ts_end + 1;
    while (*e == ' ')
        e++;
    char *q = e;
    while (*q && *q != ' ' && *q != '(')
        q++;
    if (q == e)
        return garbled(info, "no event name after the timestamp");
    char *name = e, *name_end, *fields;
    bool tracefs_syscall = false;
    if (q[-1] == ':') {
        name_end = q - 1;
        fields = q;
        while (*fields == ' ')
            fields++;
    } else if (*q == '(') {
        name_end = q;
        fields = q + 1;
        char *close = strrchr(fields, ')');
        if (!close)
            return garbled(info, "syscall entry without closing ')'");
        *close = '\0';
        tracefs_syscall = true;
    } else if (strncmp(q, " <-", 3) == 0) {
        return VAL_LINE_FUNCTION;
    } else if (strncmp(q, " -> ", 4) == 0 && strncmp(e, "sys_", 4) == 0) {
        return VAL_LINE_SYSCALL_EXIT;
    } else {
        return garbled(info, "expected 'event:' after the timestamp");
    }
    /* perf script prefixes the subsystem: "napi:napi_poll". */
    for (char *c = name_end; c > name; c--)
        if (c[-1] == ':') {
            name = c;
            break;
        }
    size_t nl = (size_t)(name_end - name);
    if (nl == 0)
        return garbled(info, "empty event name");
    const char *sysname = NULL;
    size_t sl = 0;
    bool sys = name[0] == 's' && name[1] == 'y';
    if (sys && nl > 10 && strncmp(name, "sys_enter_", 10) == 0) {
        sysname = name + 10;
        sl = nl - 10;
    } else if (sys && nl > 9 && strncmp(name, "sys_exit_", 9) == 0) {
        return VAL_LINE_SYSCALL_EXIT;
    } else if (tracefs_syscall && nl > 4 && strncmp(name, "sys_", 4) == 0) {
        sysname = name + 4;
        sl = nl - 4;
    }
    if (sysname) {
        int s = lookup(sys_names, sys_lens, VAL_SYS__COUNT, sysname, sl);
        if (s < 0) {
            val_trace_copy_str(info->event_name, sizeof info->event_name, name, nl);
            return VAL_LINE_UNKNOWN_EVENT;
        }
        ev->kind = VAL_EV_SYSCALL_ENTER;
        ev->u.sys.nr = (enum val_syscall)s;
    } else {
        int k = tracefs_syscall ? -1 : lookup(kind_names, kind_lens, VAL_EV__COUNT, name, nl);
        if (k < 0 || k == VAL_EV_SYSCALL_ENTER) { /* raw_syscalls:sys_enter is not ours */
            val_trace_copy_str(info->event_name, sizeof info->event_name, name, nl);
            return VAL_LINE_UNKNOWN_EVENT;
        }
        ev->kind = (enum val_ev_kind)k;
    }
    why = val_trace_parse_fields(ev, fields);
    if (why)
        return garbled(info, why);
    return VAL_LINE_EVENT;
}

static void stats_init(struct val_trace_stats *st)
{
    memset(st, 0, sizeof *st);
    st->lost_per_cpu = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    st->buffer_started_cpus = g_array_new(FALSE, FALSE, sizeof(int));
    st->unknown = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free); /* counts */
    st->warnings = g_ptr_array_new_with_free_func(g_free);
}

static struct val_trace_reader *reader_new(FILE *f, bool own, const char *name)
{
    struct val_trace_reader *r = g_new0(struct val_trace_reader, 1);
    r->f = f;
    r->own = own;
    r->name = g_strdup(name);
    r->buf = g_malloc(VAL_TRACE_MAX_LINE + 2);
    r->rb = g_malloc(READ_BUF);
    stats_init(&r->st);
    return r;
}

struct val_trace_reader *val_trace_open(const char *path, GError **err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open trace: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    return reader_new(f, true, path);
}

struct val_trace_reader *val_trace_open_stream(FILE *f, const char *name)
{
    return reader_new(f, false, name);
}

static void warn(struct val_trace_reader *r, const char *why, const char *line)
{
    r->st.garbled++;
    if (r->st.warnings->len >= VAL_TRACE_MAX_WARNINGS)
        return;
    char shown[81];
    size_t i = 0;
    for (; i < sizeof shown - 1 && line[i]; i++) /* binary input stays printable */
        shown[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
    shown[i] = '\0';
    g_ptr_array_add(r->st.warnings, g_strdup_printf("%s:%" PRIu64 ": %s: \"%s\"", r->name,
                                                    r->st.lines, why, shown));
}

/* Keeps at least VAL_TRACE_MAX_LINE + 1 unread bytes in rb, or all that is left. */
static void fill(struct val_trace_reader *r)
{
    if (r->rb_eof || r->rb_len - r->rb_pos > VAL_TRACE_MAX_LINE)
        return;
    memmove(r->rb, r->rb + r->rb_pos, r->rb_len - r->rb_pos);
    r->rb_len -= r->rb_pos;
    r->rb_pos = 0;
    size_t got = fread(r->rb + r->rb_len, 1, READ_BUF - r->rb_len, r->f);
    r->rb_len += got;
    r->rb_total += got;
    if (got < READ_BUF - (r->rb_len - got))
        r->rb_eof = true;
}

/* What fgets(buf, VAL_TRACE_MAX_LINE + 2) took: up to a newline or that many bytes. */
static size_t take_chunk(struct val_trace_reader *r, bool *nl)
{
    size_t avail = r->rb_len - r->rb_pos, lim = MIN(avail, (size_t)VAL_TRACE_MAX_LINE + 1);
    char *s = r->rb + r->rb_pos, *e = memchr(s, '\n', lim);
    *nl = e != NULL;
    return e ? (size_t)(e - s) + 1 : lim;
}

/* Skips to past the next newline (fgetc by fgetc, as the reader did). */
static void skip_rest(struct val_trace_reader *r)
{
    for (;;) {
        fill(r);
        if (r->rb_pos == r->rb_len)
            return;
        char *s = r->rb + r->rb_pos, *e = memchr(s, '\n', r->rb_len - r->rb_pos);
        r->rb_pos = e ? (size_t)(e - r->rb) + 1 : r->rb_len;
        if (e)
            return;
    }
}

/* Reads one line into r->line; false at EOF. Overlong lines are truncated and flagged.
 * A line ending in a newline is cut in place in rb; the rest goes through buf. */
static bool read_line(struct val_trace_reader *r, bool *too_long)
{
    *too_long = false;
    fill(r);
    if (r->rb_pos == r->rb_len)
        return false;
    bool nl;
    size_t len = take_chunk(r, &nl);
    char *s = r->rb + r->rb_pos;
    r->rb_pos += len;
    size_t n;
    if (nl) {
        s[len - 1] = '\0';
        r->line = s;
        n = strlen(s);
    } else {
        memcpy(r->buf, s, len);
        r->buf[len] = '\0';
        r->line = r->buf;
        n = strlen(r->buf);
        if (n == VAL_TRACE_MAX_LINE + 1) {
            skip_rest(r);
            *too_long = true;
        }
    }
    if (n > 0 && r->line[n - 1] == '\r')
        r->line[--n] = '\0';
    r->line_len = n;
    return true;
}

int val_trace_next(struct val_trace_reader *r, struct val_trace_event *ev, GError **err)
{
    struct val_trace_stats *st = &r->st;
    bool too_long;
    while (read_line(r, &too_long)) {
        st->lines++;
        if (too_long) {
            warn(r, "line longer than " G_STRINGIFY(VAL_TRACE_MAX_LINE) " bytes", r->line);
            continue;
        }
        if (r->only && !memmem(r->line, r->line_len, r->only, r->only_len))
            continue;  /* cannot be an event of that name */
        char orig[96]; /* the line's head for warnings: the parse cuts r->line up */
        size_t on = strnlen(r->line, sizeof orig - 1);
        memcpy(orig, r->line, on);
        orig[on] = '\0';
        struct val_line_info info;
        enum val_line_kind k = val_trace_parse_line(r->line, ev, &info);
        if (info.prefixed)
            st->prefixed_lines++;
        switch (k) {
        case VAL_LINE_EVENT:
            if (r->only && ev->kind != r->only_kind)
                break;
            ev->line = st->lines;
            /* tracefs and perf script merge the per-CPU buffers in time order
             * (ring_buffer_iter, kernel/trace/trace.c): a step back means the
             * file was concatenated, edited or read from mixed clocks. */
            if (st->events && ev->ts_ns < r->last_ts && !st->backwards++) {
                st->backwards_line = st->lines;
                st->backwards_ns = r->last_ts - ev->ts_ns;
            }
            r->last_ts = ev->ts_ns;
            st->events++;
            st->by_kind[ev->kind]++;
            if (ev->cpu < 0)
                st->lines_without_cpu++;
            return 1;
        case VAL_LINE_HEADER:
            st->header_lines++;
            break;
        case VAL_LINE_UNKNOWN_EVENT: {
            st->unknown_events++;
            guint *count = g_hash_table_lookup(st->unknown, info.event_name);
            if (!count) {
                count = g_new0(guint, 1);
                g_hash_table_insert(st->unknown, g_strdup(info.event_name), count);
            }
            ++*count;
            break;
        }
        case VAL_LINE_FUNCTION:
            st->function_lines++;
            break;
        case VAL_LINE_SYSCALL_EXIT:
            st->syscall_exit_lines++;
            break;
        case VAL_LINE_LOST:
            if (info.cpu >= 0 && info.cpu < 65536) {
                if ((guint)info.cpu >= st->lost_per_cpu->len)
                    g_array_set_size(st->lost_per_cpu, (guint)info.cpu + 1);
                g_array_index(st->lost_per_cpu, uint64_t, info.cpu) += info.lost;
            }
            st->lost_events += info.lost;
            break;
        case VAL_LINE_BUFFER_STARTED:
            g_array_append_val(st->buffer_started_cpus, info.cpu);
            break;
        case VAL_LINE_GARBLED:
            warn(r, info.why, orig);
            break;
        }
    }
    if (ferror(r->f)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: read error after line %" PRIu64, r->name,
                    st->lines);
        return -1;
    }
    return 0;
}

void val_trace_only(struct val_trace_reader *r, enum val_ev_kind k)
{
    r->only = kind_names[k];
    r->only_len = strlen(r->only);
    r->only_kind = k;
}

const struct val_trace_stats *val_trace_get_stats(const struct val_trace_reader *r)
{
    return &r->st;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *val_trace_unknown_sorted(const struct val_trace_reader *r)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r->st.unknown);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(out, g_strdup_printf("%s %u", (char *)k, *(guint *)v));
    g_ptr_array_sort(out, cmp_str);
    return out;
}

void val_trace_free(struct val_trace_reader *r)
{
    if (!r)
        return;
    if (r->own && r->f)
        fclose(r->f);
    g_array_free(r->st.lost_per_cpu, TRUE);
    g_array_free(r->st.buffer_started_cpus, TRUE);
    g_hash_table_destroy(r->st.unknown);
    g_ptr_array_free(r->st.warnings, TRUE);
    g_free(r->rb);
    g_free(r->buf);
    g_free(r->name);
    g_free(r);
}

void val_trace_position(const struct val_trace_reader *r, uint64_t *done, uint64_t *total)
{
    struct stat sb;
    *done = r->rb_total - (r->rb_len - r->rb_pos);
    *total = fstat(fileno(r->f), &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
}
