/* Streaming reader of kernel trace text: tracefs `trace` (print_trace_fmt(),
 * kernel/trace/trace.c) and `perf script`; print formats from
 * include/trace/events/{irq,napi,net,sched}.h. */
#include "validate/trace.h"

#include "sim/core/err.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct val_trace_reader {
    FILE *f;
    bool own;
    char *name;
    char *buf; /* bounded: VAL_TRACE_MAX_LINE + 2 */
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

static int lookup(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
            return i;
    return -1;
}

bool val_trace_parse_ts(const char *s, size_t n, uint64_t *ns)
{
    size_t i = 0;
    uint64_t secs = 0, frac = 0;
    if (n == 0 || !isdigit((unsigned char)s[0]))
        return false;
    for (; i < n && isdigit((unsigned char)s[i]); i++) {
        if (secs > (UINT64_MAX / 1000000000ULL - 9) / 10)
            return false;
        secs = secs * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == n || s[i] != '.')
        return false;
    size_t fd = 0;
    for (i++; i < n && isdigit((unsigned char)s[i]); i++, fd++) {
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

static void copy_str(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Value of " key=" (or key= at the start) in fields, NULL when absent. */
static const char *kv_find(const char *fields, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = fields; (p = strstr(p, key)); p += kl) {
        if ((p == fields || p[-1] == ' ') && p[kl] == '=')
            return p + kl + 1;
    }
    return NULL;
}

static bool end_ok(const char *e)
{
    return *e == '\0' || *e == ' ' || *e == ',' || *e == ')' || *e == ']';
}

static bool kv_u64(const char *fields, const char *key, int base, uint64_t *out)
{
    const char *v = kv_find(fields, key);
    if (!v || *v == '-' || !isxdigit((unsigned char)*v))
        return false;
    char *e;
    errno = 0;
    unsigned long long x = strtoull(v, &e, base);
    if (errno || e == v || !end_ok(e))
        return false;
    *out = x;
    return true;
}

static bool kv_int(const char *fields, const char *key, int *out)
{
    const char *v = kv_find(fields, key);
    if (!v)
        return false;
    char *e;
    errno = 0;
    long x = strtol(v, &e, 10);
    if (errno || e == v || !end_ok(e) || x < INT32_MIN || x > INT32_MAX)
        return false;
    *out = (int)x;
    return true;
}

static bool kv_u32(const char *fields, const char *key, int base, uint32_t *out)
{
    uint64_t x;
    if (!kv_u64(fields, key, base, &x) || x > UINT32_MAX)
        return false;
    *out = (uint32_t)x;
    return true;
}

/* Copies a space-free value into dst. */
static bool kv_word(const char *fields, const char *key, char *dst, size_t cap)
{
    const char *v = kv_find(fields, key);
    if (!v)
        return false;
    size_t n = strcspn(v, " ");
    copy_str(dst, cap, v, n);
    return true;
}

/* A comm value may contain spaces: it runs up to the next " <stop>=". */
static bool kv_comm(const char *fields, const char *key, const char *stop, char *dst, size_t cap)
{
    const char *v = kv_find(fields, key);
    if (!v)
        return false;
    char pat[32];
    snprintf(pat, sizeof pat, " %s=", stop);
    const char *e = strstr(v, pat);
    if (!e)
        return false;
    copy_str(dst, cap, v, (size_t)(e - v));
    return true;
}

static const char *parse_rx(const char *f, struct val_ev_rx *rx)
{
    memset(rx, 0, sizeof *rx);
    uint64_t x;
    int i;
    if (!kv_word(f, "dev", rx->dev, sizeof rx->dev))
        return "missing dev=";
    if (!kv_u64(f, "skbaddr", 16, &rx->skbaddr))
        return "missing or bad skbaddr=";
    if (!kv_u32(f, "len", 10, &rx->len))
        return "missing or bad len=";
    if (!kv_u32(f, "queue_mapping", 10, &rx->queue_mapping))
        return "missing or bad queue_mapping=";
    /* Older kernels named the fields rxhash / l4_rxhash. */
    if (!kv_u32(f, "hash", 16, &rx->hash) && !kv_u32(f, "rxhash", 16, &rx->hash))
        return "missing or bad hash=";
    if (kv_int(f, "l4_hash", &i) || kv_int(f, "l4_rxhash", &i))
        rx->l4_hash = i != 0;
    kv_u32(f, "napi_id", 16, &rx->napi_id);
    if (kv_u64(f, "protocol", 16, &x))
        rx->protocol = (uint16_t)x;
    kv_int(f, "ip_summed", &rx->ip_summed);
    kv_u32(f, "data_len", 10, &rx->data_len);
    kv_u32(f, "truesize", 10, &rx->truesize);
    kv_u32(f, "gso_size", 10, &rx->gso_size);
    kv_u32(f, "gso_type", 16, &rx->gso_type);
    kv_u32(f, "nr_frags", 10, &rx->nr_frags);
    return NULL;
}

static const char *parse_skb(const char *f, enum val_ev_kind k, struct val_ev_skb *s)
{
    memset(s, 0, sizeof *s);
    if (!kv_word(f, "dev", s->dev, sizeof s->dev))
        return "missing dev=";
    if (!kv_u64(f, "skbaddr", 16, &s->skbaddr))
        return "missing or bad skbaddr=";
    if (!kv_u32(f, "len", 10, &s->len))
        return "missing or bad len=";
    if (k == VAL_EV_NET_DEV_XMIT && !kv_int(f, "rc", &s->rc))
        return "missing or bad rc=";
    if (k == VAL_EV_NET_DEV_START_XMIT && !kv_u32(f, "queue_mapping", 10, &s->queue_mapping))
        return "missing or bad queue_mapping=";
    return NULL;
}

/* "napi poll on napi struct %p for device %s[ work %d budget %d]" */
static const char *parse_napi_poll(const char *f, struct val_trace_event *ev)
{
    static const char pre[] = "napi poll on napi struct ";
    if (strncmp(f, pre, sizeof pre - 1) != 0)
        return "napi_poll without 'napi poll on napi struct'";
    const char *p = f + sizeof pre - 1;
    char *e;
    errno = 0;
    ev->u.napi_poll.napi = strtoull(p, &e, 16);
    if (errno || e == p || *e != ' ')
        return "napi_poll: bad napi struct pointer";
    static const char dev[] = " for device ";
    if (strncmp(e, dev, sizeof dev - 1) != 0)
        return "napi_poll without 'for device'";
    p = e + sizeof dev - 1;
    size_t n = strcspn(p, " ");
    if (n == 0)
        return "napi_poll: empty device";
    copy_str(ev->u.napi_poll.dev, sizeof ev->u.napi_poll.dev, p, n);
    p += n;
    ev->u.napi_poll.has_work = false;
    ev->u.napi_poll.work = ev->u.napi_poll.budget = -1;
    if (*p == '\0')
        return NULL; /* kernels before work/budget were added */
    int w, b, used = 0;
    if (sscanf(p, " work %d budget %d%n", &w, &b, &used) != 2 || p[used] != '\0')
        return "napi_poll: expected 'work N budget N' after the device";
    ev->u.napi_poll.has_work = true;
    ev->u.napi_poll.work = w;
    ev->u.napi_poll.budget = b;
    return NULL;
}

static const char *parse_fields(struct val_trace_event *ev, const char *f)
{
    int x;
    switch (ev->kind) {
    case VAL_EV_IRQ_HANDLER_ENTRY: {
        if (!kv_int(f, "irq", &ev->u.irq.irq))
            return "missing or bad irq=";
        const char *n = kv_find(f, "name");
        if (!n)
            return "missing name=";
        copy_str(ev->u.irq.name, sizeof ev->u.irq.name, n, strlen(n));
        ev->u.irq.handled = false;
        return NULL;
    }
    case VAL_EV_IRQ_HANDLER_EXIT: {
        char ret[16];
        ev->u.irq.name[0] = '\0';
        if (!kv_int(f, "irq", &ev->u.irq.irq))
            return "missing or bad irq=";
        if (!kv_word(f, "ret", ret, sizeof ret))
            return "missing ret=";
        ev->u.irq.handled = strcmp(ret, "handled") == 0;
        return NULL;
    }
    case VAL_EV_SOFTIRQ_RAISE:
    case VAL_EV_SOFTIRQ_ENTRY:
    case VAL_EV_SOFTIRQ_EXIT:
        if (!kv_int(f, "vec", &x) || x < 0)
            return "missing or bad vec=";
        ev->u.softirq.vec = (unsigned)x;
        return NULL;
    case VAL_EV_NAPI_POLL:
        return parse_napi_poll(f, ev);
    case VAL_EV_NAPI_GRO_RECEIVE_ENTRY:
    case VAL_EV_NETIF_RECEIVE_SKB_ENTRY:
    case VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY:
    case VAL_EV_NETIF_RX_ENTRY:
        return parse_rx(f, &ev->u.rx);
    case VAL_EV_NETIF_RECEIVE_SKB:
    case VAL_EV_NETIF_RX:
    case VAL_EV_NET_DEV_QUEUE:
    case VAL_EV_NET_DEV_START_XMIT:
    case VAL_EV_NET_DEV_XMIT:
        return parse_skb(f, ev->kind, &ev->u.skb);
    case VAL_EV_SCHED_SWITCH:
        if (!kv_comm(f, "prev_comm", "prev_pid", ev->u.sw.prev_comm, sizeof ev->u.sw.prev_comm) ||
            !kv_int(f, "prev_pid", &ev->u.sw.prev_pid) ||
            !kv_int(f, "prev_prio", &ev->u.sw.prev_prio) ||
            !kv_word(f, "prev_state", ev->u.sw.prev_state, sizeof ev->u.sw.prev_state) ||
            !kv_comm(f, "next_comm", "next_pid", ev->u.sw.next_comm, sizeof ev->u.sw.next_comm) ||
            !kv_int(f, "next_pid", &ev->u.sw.next_pid) ||
            !kv_int(f, "next_prio", &ev->u.sw.next_prio))
            return "sched_switch: expected prev_comm= prev_pid= prev_prio= prev_state= ==> "
                   "next_comm= next_pid= next_prio=";
        return NULL;
    case VAL_EV_SCHED_WAKEUP:
    case VAL_EV_SCHED_WAKING:
        ev->u.wake.orig_cpu = ev->u.wake.dest_cpu = -1;
        if (!kv_comm(f, "comm", "pid", ev->u.wake.comm, sizeof ev->u.wake.comm) ||
            !kv_int(f, "pid", &ev->u.wake.pid) || !kv_int(f, "prio", &ev->u.wake.prio) ||
            !kv_int(f, "target_cpu", &ev->u.wake.target_cpu))
            return "sched_wakeup: expected comm= pid= prio= target_cpu=";
        return NULL;
    case VAL_EV_SCHED_MIGRATE_TASK:
        ev->u.wake.target_cpu = -1;
        if (!kv_comm(f, "comm", "pid", ev->u.wake.comm, sizeof ev->u.wake.comm) ||
            !kv_int(f, "pid", &ev->u.wake.pid) || !kv_int(f, "prio", &ev->u.wake.prio) ||
            !kv_int(f, "orig_cpu", &ev->u.wake.orig_cpu) ||
            !kv_int(f, "dest_cpu", &ev->u.wake.dest_cpu))
            return "sched_migrate_task: expected comm= pid= prio= orig_cpu= dest_cpu=";
        return NULL;
    case VAL_EV_CSD_QUEUE_CPU:
        if (!kv_int(f, "cpu", &ev->u.csd.cpu) || ev->u.csd.cpu < 0 ||
            !kv_word(f, "func", ev->u.csd.func, sizeof ev->u.csd.func))
            return "csd_queue_cpu: expected cpu= callsite= func=";
        return NULL;
    case VAL_EV_CALL_FUNCTION_SINGLE_ENTRY:
    case VAL_EV_RESCHEDULE_ENTRY:
    case VAL_EV_HRTIMER_EXPIRE_ENTRY:
        return NULL; /* only their time and CPU are used: an interrupt nested in a run */
    case VAL_EV_SYSCALL_ENTER: {
        /* tracefs "fd: 3" / "fd: 0xb" (older kernels: bare %lx), perf "fd: 0x00000003":
         * syscall arguments are printed in hex in every variant. */
        const char *v = strstr(f, "fd: ");
        if (v != f)
            return "syscall entry without 'fd: ' as first argument";
        v += 4;
        char *e;
        errno = 0;
        unsigned long long fd = strtoull(v, &e, 16);
        if (errno || e == v || !end_ok(e))
            return "syscall entry: bad fd value";
        ev->u.sys.fd = (int64_t)(int32_t)(uint32_t)fd;
        return NULL;
    }
    case VAL_EV_KFREE_SKB: {
        if (!kv_u64(f, "skbaddr", 16, &ev->u.kfree.skbaddr))
            return "kfree_skb: missing or bad skbaddr=";
        /* trace_kfree_skb() prints "reason: %s" last (include/trace/events/skb.h, 5.17+) */
        const char *r = strstr(f, "reason: ");
        ev->u.kfree.cpu_backlog = r && strncmp(r + 8, "CPU_BACKLOG", 11) == 0 && end_ok(r + 19);
        return NULL;
    }
    case VAL_EV__COUNT:
        break;
    }
    return "internal: unhandled event kind";
}

/* Locates " <digits>.<digits>: " (or at end of line); returns its start or NULL. */
static char *find_ts(char *p, char **ts_end)
{
    for (char *d = strchr(p, '.'); d; d = strchr(d + 1, '.')) {
        char *s = d;
        while (s > p && isdigit((unsigned char)s[-1]))
            s--;
        if (s == d || (s > p && s[-1] != ' '))
            continue;
        char *e = d + 1;
        while (isdigit((unsigned char)*e))
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
        copy_str(ev->comm, sizeof ev->comm, s, (size_t)(cend - s));
        ev->tid = (int32_t)strtol(num, NULL, 10);
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
    copy_str(ev->comm, sizeof ev->comm, s, (size_t)(dash - s));
    ev->tid = (int32_t)strtol(dash + 1, NULL, 10);
    return NULL;
}

static bool is_cpu_tok(const char *t, size_t n, int *cpu)
{
    if (n < 3 || t[0] != '[' || t[n - 1] != ']' || !all_digits(t + 1, n - 2))
        return false;
    *cpu = (int)strtol(t + 1, NULL, 10);
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
        copy_str(ev->flags, sizeof ev->flags, fend, fl);
        ev->cpu = cpu;
        return parse_task(s, prev, ev);
    }
    return parse_task(s, end, ev); /* no CPU column (trimmed by hand) */
}

enum val_line_kind val_trace_parse_line(char *line, struct val_trace_event *ev,
                                        struct val_line_info *info)
{
    memset(info, 0, sizeof *info);
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    /* Lines copied out of an editor's search results: "Line 17: <trace line>". */
    if (strncmp(p, "Line ", 5) == 0 && isdigit((unsigned char)p[5])) {
        char *q = p + 5;
        while (isdigit((unsigned char)*q))
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
    if (sscanf(p, "CPU:%d [LOST %llu EVENTS]%n", &cpu, &lost, &n) == 2 && n > 0) {
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
    if (nl > 10 && strncmp(name, "sys_enter_", 10) == 0) {
        sysname = name + 10;
        sl = nl - 10;
    } else if (nl > 9 && strncmp(name, "sys_exit_", 9) == 0) {
        return VAL_LINE_SYSCALL_EXIT;
    } else if (tracefs_syscall && nl > 4 && strncmp(name, "sys_", 4) == 0) {
        sysname = name + 4;
        sl = nl - 4;
    }
    if (sysname) {
        int s = lookup(sys_names, VAL_SYS__COUNT, sysname, sl);
        if (s < 0) {
            copy_str(info->event_name, sizeof info->event_name, name, nl);
            return VAL_LINE_UNKNOWN_EVENT;
        }
        ev->kind = VAL_EV_SYSCALL_ENTER;
        ev->u.sys.nr = (enum val_syscall)s;
    } else {
        int k = tracefs_syscall ? -1 : lookup(kind_names, VAL_EV__COUNT, name, nl);
        if (k < 0 || k == VAL_EV_SYSCALL_ENTER) { /* raw_syscalls:sys_enter is not ours */
            copy_str(info->event_name, sizeof info->event_name, name, nl);
            return VAL_LINE_UNKNOWN_EVENT;
        }
        ev->kind = (enum val_ev_kind)k;
    }
    why = parse_fields(ev, fields);
    if (why)
        return garbled(info, why);
    return VAL_LINE_EVENT;
}

static void stats_init(struct val_trace_stats *st)
{
    memset(st, 0, sizeof *st);
    st->lost_per_cpu = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    st->buffer_started_cpus = g_array_new(FALSE, FALSE, sizeof(int));
    st->unknown = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    st->warnings = g_ptr_array_new_with_free_func(g_free);
}

static struct val_trace_reader *reader_new(FILE *f, bool own, const char *name)
{
    struct val_trace_reader *r = g_new0(struct val_trace_reader, 1);
    r->f = f;
    r->own = own;
    r->name = g_strdup(name);
    r->buf = g_malloc(VAL_TRACE_MAX_LINE + 2);
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

/* Reads one line into buf; false at EOF. Overlong lines are truncated and flagged. */
static bool read_line(struct val_trace_reader *r, bool *too_long)
{
    *too_long = false;
    if (!fgets(r->buf, VAL_TRACE_MAX_LINE + 2, r->f))
        return false;
    size_t n = strlen(r->buf);
    if (n > 0 && r->buf[n - 1] == '\n') {
        r->buf[--n] = '\0';
    } else if (n == VAL_TRACE_MAX_LINE + 1) {
        int c;
        while ((c = fgetc(r->f)) != EOF && c != '\n')
            ;
        *too_long = true;
    }
    if (n > 0 && r->buf[n - 1] == '\r')
        r->buf[--n] = '\0';
    return true;
}

int val_trace_next(struct val_trace_reader *r, struct val_trace_event *ev, GError **err)
{
    struct val_trace_stats *st = &r->st;
    bool too_long;
    while (read_line(r, &too_long)) {
        st->lines++;
        if (too_long) {
            warn(r, "line longer than " G_STRINGIFY(VAL_TRACE_MAX_LINE) " bytes", r->buf);
            continue;
        }
        char orig[96]; /* the line's head for warnings: the parse cuts r->buf up */
        size_t on = strnlen(r->buf, sizeof orig - 1);
        memcpy(orig, r->buf, on);
        orig[on] = '\0';
        struct val_line_info info;
        enum val_line_kind k = val_trace_parse_line(r->buf, ev, &info);
        if (info.prefixed)
            st->prefixed_lines++;
        switch (k) {
        case VAL_LINE_EVENT:
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
            gpointer old = g_hash_table_lookup(st->unknown, info.event_name);
            if (old)
                g_hash_table_replace(st->unknown, g_strdup(info.event_name),
                                     GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
            else
                g_hash_table_insert(st->unknown, g_strdup(info.event_name), GUINT_TO_POINTER(1));
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
        g_ptr_array_add(out, g_strdup_printf("%s %u", (char *)k, GPOINTER_TO_UINT(v)));
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
    g_free(r->buf);
    g_free(r->name);
    g_free(r);
}

void val_trace_position(const struct val_trace_reader *r, uint64_t *done, uint64_t *total)
{
    struct stat sb;
    off_t at = ftello(r->f);
    *done = at > 0 ? (uint64_t)at : 0;
    *total = fstat(fileno(r->f), &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
}
