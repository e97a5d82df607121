/* Event fields of one trace line (the text after "event: "), as the print formats of
 * include/trace/events/{irq,napi,net,sched,csd}.h and the syscalls' enter events write
 * them: "key=value" pairs found in one pass, numbers read without strto* in the common
 * case (validate/trace.c reads the rest of the line). */
#include "validate/trace_fields.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void val_trace_copy_str(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* The "key=" positions of one line's fields, found in one pass: a key starts the
 * fields or follows a space and runs up to '=' (what strstr-ing " key=" finds,
 * first occurrence first). More keys than fit fall back to the scan. */
#define KV_MAX 32
struct kv_idx {
    const char *fields;
    unsigned n;
    bool overflow;
    struct {
        const char *k, *v;
        size_t kl;
    } e[KV_MAX];
};

static void kv_index(struct kv_idx *x, const char *fields)
{
    x->fields = fields;
    x->n = 0;
    x->overflow = false;
    for (const char *p = fields; *p;) {
        const char *q = p;
        while (*q && *q != '=' && *q != ' ')
            q++;
        if (*q == '=' && q > p) {
            if (x->n == KV_MAX) {
                x->overflow = true;
                return;
            }
            x->e[x->n].k = p;
            x->e[x->n].kl = (size_t)(q - p);
            x->e[x->n++].v = q + 1;
        }
        while (*q && *q != ' ')
            q++;
        while (*q == ' ')
            q++;
        p = q;
    }
}

/* Value of " key=" (or key= at the start) in the fields, NULL when absent. */
/* k[0..kl) (no NUL) == key */
static bool key_is(const char *k, size_t kl, const char *key)
{
    size_t i = 0;
    while (i < kl && k[i] == key[i])
        i++;
    return i == kl && key[kl] == '\0';
}

static const char *kv_find(const struct kv_idx *x, const char *key)
{
    for (unsigned i = 0; i < x->n; i++)
        if (x->e[i].k[0] == key[0] && key_is(x->e[i].k, x->e[i].kl, key))
            return x->e[i].v;
    if (!x->overflow)
        return NULL;
    size_t kl = strlen(key);
    for (const char *p = x->fields; (p = strstr(p, key)); p += kl) {
        if ((p == x->fields || p[-1] == ' ') && p[kl] == '=')
            return p + kl + 1;
    }
    return NULL;
}

static bool end_ok(const char *e)
{
    return *e == '\0' || *e == ' ' || *e == ',' || *e == ')' || *e == ']';
}

static int digit_val(char c, int base)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* strtoull(v, &e, base) for base 10 or 16 (up to 16 hex or 19 decimal digits) without a sign, space
 * or "0x" (those, and numbers long enough to overflow, take strtoull itself); false on overflow. */
static bool parse_u64(const char *v, int base, unsigned long long *out, const char **e)
{
    unsigned long long x = 0;
    int i = 0, d, max = base == 16 ? 16 : 19;
    if (!(base == 16 && v[0] == '0' && (v[1] | 0x20) == 'x'))
        for (; i <= max && (d = digit_val(v[i], base)) >= 0; i++)
            x = x * (unsigned)base + (unsigned)d;
    if (i > 0 && i <= max) {
        *out = x;
        *e = v + i;
        return true;
    }
    char *end;
    errno = 0;
    *out = strtoull(v, &end, base);
    *e = end;
    return errno == 0;
}

/* strtol(v, &e, 10), the common "[-]digits" case without strtol. */
static bool parse_long(const char *v, long *out, const char **e)
{
    const char *p = v + (*v == '-');
    uint64_t x = 0; /* a 19th digit only says "too long": unsigned, it may wrap */
    int i = 0;
    for (; i <= 18 && p[i] >= '0' && p[i] <= '9'; i++)
        x = x * 10 + (uint64_t)(p[i] - '0');
    if (i > 0 && i <= 18) {
        *out = *v == '-' ? -(long)x : (long)x;
        *e = p + i;
        return true;
    }
    char *end;
    errno = 0;
    *out = strtol(v, &end, 10);
    *e = end;
    return errno == 0;
}

/* strtol(s, NULL, 10) */
long val_trace_dec_long(const char *s)
{
    long x;
    const char *e;
    parse_long(s, &x, &e);
    return x;
}

static bool kv_u64(const struct kv_idx *f, const char *key, int base, uint64_t *out)
{
    const char *v = kv_find(f, key);
    if (!v || *v == '-' || !isxdigit((unsigned char)*v))
        return false;
    const char *e;
    unsigned long long x;
    if (!parse_u64(v, base, &x, &e) || e == v || !end_ok(e))
        return false;
    *out = x;
    return true;
}

static bool kv_int(const struct kv_idx *f, const char *key, int *out)
{
    const char *v = kv_find(f, key);
    if (!v)
        return false;
    const char *e;
    long x;
    if (!parse_long(v, &x, &e) || e == v || !end_ok(e) || x < INT32_MIN || x > INT32_MAX)
        return false;
    *out = (int)x;
    return true;
}

static bool kv_u32(const struct kv_idx *f, const char *key, int base, uint32_t *out)
{
    uint64_t x;
    if (!kv_u64(f, key, base, &x) || x > UINT32_MAX)
        return false;
    *out = (uint32_t)x;
    return true;
}

/* Copies a space-free value into dst. */
static bool kv_word(const struct kv_idx *f, const char *key, char *dst, size_t cap)
{
    const char *v = kv_find(f, key);
    if (!v)
        return false;
    size_t n = strcspn(v, " ");
    val_trace_copy_str(dst, cap, v, n);
    return true;
}

/* A comm value may contain spaces: it runs up to the next " <stop>=". */
static bool kv_comm(const struct kv_idx *f, const char *key, const char *stop, char *dst,
                    size_t cap)
{
    const char *v = kv_find(f, key);
    if (!v)
        return false;
    size_t sl = strlen(stop);
    const char *e = v;
    while ((e = strstr(e + 1, stop)) && !(e[-1] == ' ' && e[sl] == '='))
        ;
    if (!e)
        return false;
    val_trace_copy_str(dst, cap, v, (size_t)(e - 1 - v));
    return true;
}

static const char *parse_rx(const struct kv_idx *f, struct val_ev_rx *rx)
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

static const char *parse_skb(const struct kv_idx *f, enum val_ev_kind k, struct val_ev_skb *s)
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

/* Up to 9 digits at *p (advanced), as sscanf's %d reads them; false if none or more. */
static bool small_uint(const char **p, int *out)
{
    unsigned x = 0; /* a 10th digit only says "too long": unsigned, it may wrap */
    int i = 0;
    for (; i < 10 && (*p)[i] >= '0' && (*p)[i] <= '9'; i++)
        x = x * 10 + (unsigned)((*p)[i] - '0');
    if (i == 0 || i > 9)
        return false;
    *p += i;
    *out = (int)x;
    return true;
}

/* The common " work N budget N" exactly (what sscanf(" work %d budget %d%n") then an end
 * check take, without sscanf); false leaves the rarer spellings to sscanf. */
static bool napi_work_budget(const char *p, int *w, int *b)
{
    if (strncmp(p, " work ", 6) != 0)
        return false;
    p += 6;
    if (!small_uint(&p, w) || strncmp(p, " budget ", 8) != 0)
        return false;
    p += 8;
    return small_uint(&p, b) && *p == '\0';
}

/* "napi poll on napi struct %p for device %s[ work %d budget %d]" */
static const char *parse_napi_poll(const char *f, struct val_trace_event *ev)
{
    static const char pre[] = "napi poll on napi struct ";
    if (strncmp(f, pre, sizeof pre - 1) != 0)
        return "napi_poll without 'napi poll on napi struct'";
    const char *p = f + sizeof pre - 1;
    const char *e;
    unsigned long long napi;
    bool ok = parse_u64(p, 16, &napi, &e);
    ev->u.napi_poll.napi = napi;
    if (!ok || e == p || *e != ' ')
        return "napi_poll: bad napi struct pointer";
    static const char dev[] = " for device ";
    if (strncmp(e, dev, sizeof dev - 1) != 0)
        return "napi_poll without 'for device'";
    p = e + sizeof dev - 1;
    size_t n = strcspn(p, " ");
    if (n == 0)
        return "napi_poll: empty device";
    val_trace_copy_str(ev->u.napi_poll.dev, sizeof ev->u.napi_poll.dev, p, n);
    p += n;
    ev->u.napi_poll.has_work = false;
    ev->u.napi_poll.work = ev->u.napi_poll.budget = -1;
    if (*p == '\0')
        return NULL; /* kernels before work/budget were added */
    int w, b, used = 0;
    if (!napi_work_budget(p, &w, &b) &&
        (sscanf(p, " work %d budget %d%n", &w, &b, &used) != 2 || p[used] != '\0'))
        return "napi_poll: expected 'work N budget N' after the device";
    ev->u.napi_poll.has_work = true;
    ev->u.napi_poll.work = w;
    ev->u.napi_poll.budget = b;
    return NULL;
}

static const char *parse_syscall_enter(const char *f, struct val_trace_event *ev)
{
    /* tracefs "fd: 3" / "fd: 0xb" (older kernels: bare %lx), perf "fd: 0x00000003":
     * syscall arguments are printed in hex in every variant. */
    if (strncmp(f, "fd: ", 4) != 0)
        return "syscall entry without 'fd: ' as first argument";
    const char *v = f + 4;
    char *e;
    errno = 0;
    unsigned long long fd = strtoull(v, &e, 16);
    if (errno || e == v || !end_ok(e))
        return "syscall entry: bad fd value";
    ev->u.sys.fd = (int64_t)(int32_t)(uint32_t)fd;
    return NULL;
}

static const char *parse_kv_fields(struct val_trace_event *ev, const struct kv_idx *f)
{
    int x;
    switch (ev->kind) {
    case VAL_EV_IRQ_HANDLER_ENTRY: {
        if (!kv_int(f, "irq", &ev->u.irq.irq))
            return "missing or bad irq=";
        const char *n = kv_find(f, "name");
        if (!n)
            return "missing name=";
        val_trace_copy_str(ev->u.irq.name, sizeof ev->u.irq.name, n, strlen(n));
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
    default:
        break;
    }
    return "internal: unhandled event kind";
}

/* skb:kfree_skb: "skbaddr=%p rx_sk=%p protocol=%u location=%pS reason: %s"; the reason is last
 * and not key=value (include/trace/events/skb.h, 5.17+; older kernels print none). */
static const char *parse_kfree_skb(const char *f, struct val_trace_event *ev)
{
    struct kv_idx x;
    kv_index(&x, f);
    if (!kv_u64(&x, "skbaddr", 16, &ev->u.kfree.skbaddr))
        return "kfree_skb: missing or bad skbaddr=";
    const char *r = strstr(f, "reason: ");
    ev->u.kfree.cpu_backlog = r && strncmp(r + 8, "CPU_BACKLOG", 11) == 0 && end_ok(r + 19);
    return NULL;
}

const char *val_trace_parse_fields(struct val_trace_event *ev, const char *f)
{
    switch (ev->kind) {
    case VAL_EV_NAPI_POLL:
        return parse_napi_poll(f, ev);
    case VAL_EV_CALL_FUNCTION_SINGLE_ENTRY:
    case VAL_EV_RESCHEDULE_ENTRY:
    case VAL_EV_HRTIMER_EXPIRE_ENTRY:
        return NULL; /* only their time and CPU are used: an interrupt nested in a run */
    case VAL_EV_SYSCALL_ENTER:
        return parse_syscall_enter(f, ev);
    case VAL_EV_KFREE_SKB:
        return parse_kfree_skb(f, ev);
    case VAL_EV__COUNT:
        return "internal: unhandled event kind";
    default: {
        struct kv_idx x;
        kv_index(&x, f);
        return parse_kv_fields(ev, &x);
    }
    }
}
