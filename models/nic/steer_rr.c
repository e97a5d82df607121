/* Round-robin assignment of new connections to RX queues, pinned by a
 * connection table (as a software load balancer keeps a flow on one backend).
 * Not an 82599 feature: a baseline to compare RSS's hash spread with. */
#include "models/nic/steer.h"

#include <string.h>

#include "sim/core/err.h"

#define RR_PROBE 8 /* slots examined per lookup (open addressing, linear window) */

/* Canonical 5-tuple: endpoints ordered so both directions share an entry. */
struct rr_key {
    uint8_t a_addr[16], b_addr[16];
    uint16_t a_port, b_port;
    uint8_t l3, proto;
    uint8_t pad[2];
};

struct rr_slot {
    struct rr_key key;
    uint64_t last_ns; /* last packet of the flow */
    uint16_t queue;
    uint8_t used;
};

struct steer_rr {
    struct rr_slot *slot; /* fixed array, allocated at init */
    unsigned cap;
    unsigned n_queues;
    unsigned next;       /* queue for the next new connection */
    uint64_t idle_ns;    /* an entry idle this long may be evicted */
    uint64_t assigned;   /* new connections given the next queue */
    uint64_t hits;       /* packets that followed their flow's entry */
    uint64_t table_full; /* new flow, window full of live flows: hash fallback */
    uint64_t untracked;  /* mid-flow packet of an unknown TCP flow: hash fallback */
    uint64_t evictions;  /* idle entries replaced by a new flow */
    uint64_t closed;     /* entries removed by FIN/RST */
    uint64_t no_tuple;   /* non-IP: no opinion */
    unsigned occupied;
};

static void rr_key_of(const struct traffic_pkt *p, struct rr_key *k)
{
    memset(k, 0, sizeof(*k));
    size_t alen = p->l3 == PKT_L3_IPV4 ? 4 : 16;
    int c = memcmp(p->saddr, p->daddr, alen);
    bool swap = c > 0 || (c == 0 && p->sport > p->dport);
    memcpy(k->a_addr, swap ? p->daddr : p->saddr, alen);
    memcpy(k->b_addr, swap ? p->saddr : p->daddr, alen);
    k->a_port = swap ? p->dport : p->sport;
    k->b_port = swap ? p->sport : p->dport;
    k->l3 = p->l3;
    k->proto = p->l4;
}

/* FNV-1a over the canonical key. */
static uint32_t rr_key_hash(const struct rr_key *k)
{
    const uint8_t *b = (const uint8_t *)k;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof(*k); i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static void *steer_rr_init(const json_t *cfg, const char *path, const struct steer_env *env,
                           GError **err)
{
    json_int_t size = 4096, idle_ms = 10000;
    json_error_t je;
    if (cfg && json_unpack_ex((json_t *)cfg, &je, JSON_STRICT, "{s?I, s?I}", "table_size", &size,
                              "idle_timeout_ms", &idle_ms) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: %s (expected keys table_size, idle_timeout_ms)", path, je.text);
        return NULL;
    }
    if (size < RR_PROBE || size > (1 << 24)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/table_size: %" JSON_INTEGER_FORMAT ", expected %d..%d", path, size,
                    RR_PROBE, 1 << 24);
        return NULL;
    }
    if (idle_ms < 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/idle_timeout_ms: %" JSON_INTEGER_FORMAT ", expected >= 0", path, idle_ms);
        return NULL;
    }
    if (env->n_rx_queues == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: no RX queues", path);
        return NULL;
    }
    struct steer_rr *s = g_new0(struct steer_rr, 1);
    s->cap = (unsigned)size;
    s->slot = g_new0(struct rr_slot, s->cap);
    s->n_queues = env->n_rx_queues;
    s->idle_ns = (uint64_t)idle_ms * 1000000u;
    return s;
}

static struct rr_slot *rr_find(struct steer_rr *s, const struct rr_key *k, uint32_t h)
{
    for (unsigned i = 0; i < RR_PROBE; i++) {
        struct rr_slot *e = &s->slot[(h + i) % s->cap];
        if (e->used && memcmp(&e->key, k, sizeof(*k)) == 0)
            return e;
    }
    return NULL;
}

/* Free slot in the window, else the least recently used one if idle long
 * enough (evicting a live flow would move it mid-stream), else NULL. */
static struct rr_slot *rr_claim(struct steer_rr *s, uint32_t h, uint64_t now)
{
    struct rr_slot *lru = NULL;
    for (unsigned i = 0; i < RR_PROBE; i++) {
        struct rr_slot *e = &s->slot[(h + i) % s->cap];
        if (!e->used)
            return e;
        if (!lru || e->last_ns < lru->last_ns)
            lru = e;
    }
    if (now >= lru->last_ns && now - lru->last_ns >= s->idle_ns) {
        s->evictions++;
        s->occupied--;
        return lru;
    }
    return NULL;
}

static int steer_rr_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    struct steer_rr *s = st;
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        s->no_tuple++;
        return STEER_NO_MATCH;
    }
    struct rr_key k;
    rr_key_of(p, &k);
    uint32_t h = rr_key_hash(&k);
    bool tcp = p->l4 == IPPROTO_TCP;
    struct rr_slot *e = rr_find(s, &k, h);
    if (e) {
        int q = e->queue;
        e->last_ns = p->ts_ns;
        s->hits++;
        if (tcp && (p->tcp_flags & (PKT_TCP_FIN | PKT_TCP_RST))) {
            e->used = 0; /* connection over: free the slot */
            s->occupied--;
            s->closed++;
        }
        return q;
    }
    bool is_new = !tcp || (p->tcp_flags & (PKT_TCP_SYN | PKT_TCP_ACK)) == PKT_TCP_SYN;
    if (!is_new) {
        s->untracked++;
        return (int)(h % s->n_queues);
    }
    e = rr_claim(s, h, p->ts_ns);
    if (!e) {
        s->table_full++;
        return (int)(h % s->n_queues);
    }
    e->key = k;
    e->used = 1;
    e->last_ns = p->ts_ns;
    e->queue = (uint16_t)s->next;
    s->next = (s->next + 1) % s->n_queues;
    s->occupied++;
    s->assigned++;
    return e->queue;
}

static json_t *steer_rr_dump(void *st)
{
    const struct steer_rr *s = st;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "table_size",
                     (json_int_t)s->cap, "occupied", (json_int_t)s->occupied, "assigned",
                     (json_int_t)s->assigned, "hits", (json_int_t)s->hits, "table_full_fallbacks",
                     (json_int_t)s->table_full, "untracked_fallbacks", (json_int_t)s->untracked,
                     "evictions", (json_int_t)s->evictions, "closed", (json_int_t)s->closed,
                     "no_tuple", (json_int_t)s->no_tuple);
}

static void steer_rr_destroy(void *st)
{
    struct steer_rr *s = st;
    if (!s)
        return;
    g_free(s->slot);
    g_free(s);
}

const struct steer_policy_ops steer_rr_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "rr",
    .init = steer_rr_init,
    .select_rxq = steer_rr_select,
    .dump = steer_rr_dump,
    .destroy = steer_rr_destroy,
};
