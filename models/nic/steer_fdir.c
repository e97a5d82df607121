/* Intel 82599 Flow Director: ATR signature filters sampled on TX (ixgbe_atr(),
 * ixgbe_main.c) and ethtool -N perfect filters (ixgbe_ethtool.c), Linux 6.12. */
#include "models/nic/steer_fdir.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "models/nic/fdir_hash.h"
#include "sim/core/err.h"

#define FDIR_NONE        UINT32_MAX
#define FDIR_FULL_THRESH 64 /* FDIRCTRL.FULL_THRESH 4 x 16: FLOW_DIR irq at 64 free filters */
#define FDIR_MAX_CHAIN   10 /* FDIRCTRL.MAX_LENGTH 0xA filters per bucket */
#define FDIR_DEFAULT_ATR 20 /* ixgbe_sw_init: atr_sample_rate */
#define FDIR_FLEX_SHIFT  16
#define FDIR_TCP         6

enum fdir_mode { FDIR_MODE_SIGNATURE, FDIR_MODE_PERFECT };

struct fdir_sig_entry {
    uint32_t next;  /* next entry of the bucket's chain */
    uint16_t sig;   /* 15-bit signature hash */
    uint16_t queue; /* FDIRCMD.RX_QUEUE */
};

struct fdir_perfect {
    struct nic_fdir_perfect_input in; /* already masked */
    uint32_t next;
    int action; /* RX queue or STEER_DROP */
    unsigned loc;
};

struct fdir_state {
    enum fdir_mode mode;
    unsigned pballoc; /* IXGBE_FDIR_PBALLOC_64K = 1, 128K = 2, 256K = 3 */
    unsigned atr_sample_rate;
    unsigned n_rx, n_tx;
    uint32_t *atr_count; /* per TX ring, ring->atr_count */

    /* signature table, allocated at init: buckets chain entries by index */
    uint32_t sig_bucket_mask;
    uint32_t sig_capacity;
    uint32_t *sig_head;
    uint8_t *sig_chain;
    struct fdir_sig_entry *sig;
    uint32_t sig_used;

    /* perfect filters: one mask per port, chained by the bucket hash */
    struct nic_fdir_perfect_input mask;
    struct fdir_perfect *pf;
    uint32_t n_pf;
    uint8_t *pf_loc_used; /* [perfect capacity]: FDIR location holds a filter */
    uint32_t pf_bucket_mask;
    uint32_t *pf_head;

    uint64_t match, miss, overflow, added, updated, add_fail, drop, atr_bad_queue;
};

/* ---- capacities (ixgbe_type.h, DPDK ixgbe_fdir.c configure_fdir_flags) ---- */

static uint32_t fdir_sig_capacity(unsigned pb)
{
    return (8192u << (pb - 1)) - 1; /* 8K-1 / 16K-1 / 32K-1 signature filters */
}

static uint32_t fdir_perfect_capacity(unsigned pb)
{
    return (1024u << pb) - 2; /* ixgbe_get_ethtool_fdir_all: rule count */
}

static const char *fdir_pballoc_name(unsigned pb)
{
    static const char *const names[] = {"none", "64k", "128k", "256k"};
    return names[pb];
}

/* ---- signature filters: ixgbe_fdir_add_signature_filter_82599 ---- */

static void fdir_sig_flush(struct fdir_state *s)
{
    memset(s->sig_head, 0xff, (s->sig_bucket_mask + 1) * sizeof(*s->sig_head));
    memset(s->sig_chain, 0, s->sig_bucket_mask + 1);
    s->sig_used = 0;
}

static void fdir_sig_add(struct fdir_state *s, uint32_t hash, unsigned queue)
{
    uint32_t b = hash & s->sig_bucket_mask;
    uint16_t sig = (uint16_t)(hash >> 16);
    for (uint32_t i = s->sig_head[b]; i != FDIR_NONE; i = s->sig[i].next) {
        if (s->sig[i].sig == sig) {
            /* FDIRCMD.FILTER_UPDATE: same bucket+signature rewrites the queue [unverified] */
            s->sig[i].queue = (uint16_t)queue;
            s->updated++;
            return;
        }
    }
    if (s->sig_chain[b] >= FDIR_MAX_CHAIN || s->sig_used >= s->sig_capacity) {
        s->add_fail++; /* FDIRFSTAT.FADD: bucket list at MAX_LENGTH [unverified] */
        return;
    }
    uint32_t i = s->sig_used++;
    s->sig[i] =
        (struct fdir_sig_entry){.next = s->sig_head[b], .sig = sig, .queue = (uint16_t)queue};
    s->sig_head[b] = i;
    s->sig_chain[b]++;
    s->added++;
    if (s->sig_capacity - s->sig_used < FDIR_FULL_THRESH) {
        /* EICR.FLOW_DIR -> ixgbe_fdir_reinit_subtask -> ixgbe_reinit_fdir_tables_82599:
         * all signature filters go, the flow that filled the table included */
        fdir_sig_flush(s);
        s->overflow++;
    }
}

static int fdir_sig_lookup(struct fdir_state *s, const struct traffic_pkt *p)
{
    struct nic_fdir_atr_input in;
    if (!nic_fdir_atr_input(p, false, &in))
        return STEER_NO_MATCH;
    uint32_t hash = nic_fdir_sig_hash(&in);
    uint16_t sig = (uint16_t)(hash >> 16);
    for (uint32_t i = s->sig_head[hash & s->sig_bucket_mask]; i != FDIR_NONE; i = s->sig[i].next) {
        if (s->sig[i].sig == sig) {
            s->match++; /* a colliding flow is steered too: only bucket+signature compared */
            return s->sig[i].queue;
        }
    }
    s->miss++;
    return STEER_NO_MATCH;
}

/* ixgbe_atr(): sample a transmitted TCP segment and point its RX direction at
 * the RX queue with the TX ring's index. */
static void fdir_observe_tx(void *st, const struct traffic_pkt *p, unsigned txq)
{
    struct fdir_state *s = st;
    if (s->mode != FDIR_MODE_SIGNATURE || s->atr_sample_rate == 0 || txq >= s->n_tx)
        return;
    s->atr_count[txq]++; /* counted before any protocol check, as in ixgbe_atr */
    if ((p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) || p->l4 != FDIR_TCP || !p->has_ports ||
        p->frag)
        return;
    if (p->tcp_flags & PKT_TCP_FIN)
        return; /* "skip this packet since the socket is closing" */
    if (!(p->tcp_flags & PKT_TCP_SYN) && s->atr_count[txq] < s->atr_sample_rate)
        return;
    s->atr_count[txq] = 0;
    if (txq >= s->n_rx) {
        s->atr_bad_queue++; /* ring index names no enabled RX queue */
        return;
    }
    struct nic_fdir_atr_input in;
    nic_fdir_atr_input(p, true, &in);
    fdir_sig_add(s, nic_fdir_sig_hash(&in), txq);
}

/* ---- perfect filters: ixgbe_fdir_write_perfect_filter_82599 ---- */

static void fdir_pkt_perfect_input(const struct traffic_pkt *p, struct nic_fdir_perfect_input *in)
{
    memset(in, 0, sizeof(*in));
    in->flow_type = nic_fdir_flow_type(p);
    in->src_ip = (uint32_t)p->saddr[0] << 24 | (uint32_t)p->saddr[1] << 16 |
                 (uint32_t)p->saddr[2] << 8 | p->saddr[3];
    in->dst_ip = (uint32_t)p->daddr[0] << 24 | (uint32_t)p->daddr[1] << 16 |
                 (uint32_t)p->daddr[2] << 8 | p->daddr[3];
    if (p->has_ports && !p->frag) {
        in->src_port = p->sport;
        in->dst_port = p->dport;
    }
}

static void fdir_apply_mask(struct nic_fdir_perfect_input *in,
                            const struct nic_fdir_perfect_input *m)
{
    in->flow_type &= m->flow_type;
    in->vlan_id &= m->vlan_id;
    in->src_ip &= m->src_ip;
    in->dst_ip &= m->dst_ip;
    in->src_port &= m->src_port;
    in->dst_port &= m->dst_port;
    in->flex_bytes &= m->flex_bytes;
}

static bool fdir_input_equal(const struct nic_fdir_perfect_input *a,
                             const struct nic_fdir_perfect_input *b)
{
    return a->flow_type == b->flow_type && a->vlan_id == b->vlan_id && a->src_ip == b->src_ip &&
           a->dst_ip == b->dst_ip && a->src_port == b->src_port && a->dst_port == b->dst_port &&
           a->flex_bytes == b->flex_bytes;
}

static int fdir_perfect_lookup(struct fdir_state *s, const struct traffic_pkt *p)
{
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6)
        return STEER_NO_MATCH;
    if (p->l3 == PKT_L3_IPV4 && s->n_pf) {
        struct nic_fdir_perfect_input in;
        fdir_pkt_perfect_input(p, &in);
        fdir_apply_mask(&in, &s->mask);
        uint32_t b = nic_fdir_perfect_hash(&in, &s->mask) & s->pf_bucket_mask;
        for (uint32_t i = s->pf_head[b]; i != FDIR_NONE; i = s->pf[i].next) {
            if (fdir_input_equal(&s->pf[i].in, &in)) {
                s->match++;
                if (s->pf[i].action == STEER_DROP)
                    s->drop++; /* FDIRCTRL.DROP_QUEUE 127 */
                return s->pf[i].action;
            }
        }
    }
    s->miss++; /* IPv6 never matches: ixgbe perfect filters are IPv4 only */
    return STEER_NO_MATCH;
}

static int fdir_select_rxq(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    (void)ctx; /* FDIRCTRL.REPORT_STATUS is off: the RSS hash is independent */
    struct fdir_state *s = st;
    return s->mode == FDIR_MODE_SIGNATURE ? fdir_sig_lookup(s, p) : fdir_perfect_lookup(s, p);
}

/* ---- configuration ---- */

/* One ethtool -N rule before it is turned into input + mask. */
struct fdir_rule {
    uint8_t flow_type;
    bool has_sip, has_dip, has_sp, has_dp;
    uint32_t sip, dip;
    uint16_t sp, dp;
    int action;
    long loc; /* -1: RX_CLS_LOC_ANY */
};

static bool fdir_parse_flow_type(const char *v, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t type;
    } types[] = {{"tcp4", NIC_FDIR_FLOW_TCPV4},
                 {"udp4", NIC_FDIR_FLOW_UDPV4},
                 {"sctp4", NIC_FDIR_FLOW_SCTPV4},
                 {"ip4", NIC_FDIR_FLOW_IPV4}};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        if (strcmp(v, types[i].name) == 0) {
            *out = types[i].type;
            return true;
        }
    }
    return false;
}

static bool fdir_parse_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 0);
    if (errno || end == v || *end || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}

/* Value check shared by the object and the string form; `where` names the place. */
static bool fdir_rule_set(struct fdir_rule *r, const char *key, const char *sval, json_t *jval,
                          const char *where, GError **err)
{
    long n = 0;
    struct in_addr a;
    bool ok;
    if (strcmp(key, "flow_type") == 0) {
        ok = sval && fdir_parse_flow_type(sval, &r->flow_type);
        if (!ok)
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s: expected flow type tcp4, udp4, sctp4 or ip4 (82599 perfect filters "
                        "are IPv4 only)",
                        where);
        return ok;
    }
    if (strcmp(key, "src_ip") == 0 || strcmp(key, "dst_ip") == 0) {
        if (!sval || inet_pton(AF_INET, sval, &a) != 1) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected an IPv4 address a.b.c.d",
                        where);
            return false;
        }
        bool src = key[0] == 's';
        *(src ? &r->sip : &r->dip) = ntohl(a.s_addr);
        *(src ? &r->has_sip : &r->has_dip) = true;
        return true;
    }
    if (sval)
        ok = fdir_parse_long(sval, LONG_MIN, LONG_MAX, &n);
    else if ((ok = json_is_integer(jval)))
        n = (long)json_integer_value(jval);
    if (strcmp(key, "src_port") == 0 || strcmp(key, "dst_port") == 0) {
        if (!ok || n < 0 || n > 65535) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected a port 0..65535", where);
            return false;
        }
        bool src = key[0] == 's';
        *(src ? &r->sp : &r->dp) = (uint16_t)n;
        *(src ? &r->has_sp : &r->has_dp) = true;
        return true;
    }
    if (strcmp(key, "action") == 0) {
        if (!ok || n < -1 || n > INT_MAX) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected an RX queue or -1 (drop)",
                        where);
            return false;
        }
        r->action = n == -1 ? STEER_DROP : (int)n;
        return true;
    }
    /* loc */
    if (!ok || n < 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected a rule location >= 0", where);
        return false;
    }
    r->loc = n;
    return true;
}

static const char *const fdir_rule_keys[] = {"flow_type", "src_ip", "dst_ip", "src_port",
                                             "dst_port",  "action", "loc"};

static bool fdir_rule_key_is_string(const char *key)
{
    return strcmp(key, "flow_type") == 0 || strcmp(key, "src_ip") == 0 ||
           strcmp(key, "dst_ip") == 0;
}

static bool fdir_rule_from_object(json_t *f, const char *where, struct fdir_rule *r, GError **err)
{
    const char *key;
    json_t *v;
    json_object_foreach(f, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < G_N_ELEMENTS(fdir_rule_keys); i++)
            known |= strcmp(key, fdir_rule_keys[i]) == 0;
        g_autofree char *at = g_strdup_printf("%s/%s", where, key);
        if (!known) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s: unknown key (expected flow_type, src_ip, dst_ip, src_port, dst_port, "
                        "action, loc)",
                        at);
            return false;
        }
        bool want_string = fdir_rule_key_is_string(key);
        if (want_string != (json_is_string(v) != 0)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected %s", at,
                        want_string ? "a string" : "an integer");
            return false;
        }
        if (!fdir_rule_set(r, key, json_string_value(v), v, at, err))
            return false;
    }
    return true;
}

/* "flow-type tcp4 dst-port 80 action 3 loc 5": the ethtool -N command line */
static bool fdir_rule_from_string(const char *s, const char *where, struct fdir_rule *r,
                                  GError **err)
{
    static const char *const words[] = {"flow-type", "src-ip", "dst-ip", "src-port",
                                        "dst-port",  "action", "loc"};
    g_auto(GStrv) tok = g_strsplit_set(s, " \t", -1);
    unsigned i = 0;
    while (tok[i]) {
        if (!*tok[i]) {
            i++;
            continue;
        }
        size_t k = 0;
        while (k < G_N_ELEMENTS(words) && strcmp(tok[i], words[k]))
            k++;
        if (k == G_N_ELEMENTS(words)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s: unsupported ethtool -N word '%s' (expected flow-type, src-ip, "
                        "dst-ip, src-port, dst-port, action, loc)",
                        where, tok[i]);
            return false;
        }
        unsigned j = i + 1;
        while (tok[j] && !*tok[j])
            j++;
        g_autofree char *at = g_strdup_printf("%s: '%s'", where, words[k]);
        if (!tok[j]) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: missing value", at);
            return false;
        }
        if (!fdir_rule_set(r, fdir_rule_keys[k], tok[j], NULL, at, err))
            return false;
        i = j + 1;
    }
    return true;
}

/* Field mask of a rule as ixgbe_add_ethtool_fdir_entry builds it. */
static void fdir_rule_mask(const struct fdir_rule *r, struct nic_fdir_perfect_input *m)
{
    memset(m, 0, sizeof(*m));
    /* "ip4" matches any L4 type: only the IPv6 bit stays in the mask */
    m->flow_type =
        NIC_FDIR_IPV6_MASK | (r->flow_type == NIC_FDIR_FLOW_IPV4 ? 0 : NIC_FDIR_L4TYPE_MASK);
    m->src_ip = r->has_sip ? UINT32_MAX : 0;
    m->dst_ip = r->has_dip ? UINT32_MAX : 0;
    m->src_port = r->has_sp ? UINT16_MAX : 0;
    m->dst_port = r->has_dp ? UINT16_MAX : 0;
}

static char *fdir_mask_describe(const struct nic_fdir_perfect_input *m)
{
    return g_strdup_printf("{%s%s%s%s%s}", m->flow_type & NIC_FDIR_L4TYPE_MASK ? "l4 type" : "ip4",
                           m->src_ip ? ", src-ip" : "", m->dst_ip ? ", dst-ip" : "",
                           m->src_port ? ", src-port" : "", m->dst_port ? ", dst-port" : "");
}

/* Checks one parsed rule and stores it at its location (ethtool -N order). */
static bool fdir_rule_install(struct fdir_state *s, struct fdir_rule *r, unsigned idx,
                              const char *where, int32_t *loc_map, GError **err)
{
    uint32_t cap = fdir_perfect_capacity(s->pballoc);
    if (r->action == INT_MIN) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s/action: missing (RX queue or -1)", where);
        return false;
    }
    if (r->flow_type == UINT8_MAX) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s/flow_type: missing", where);
        return false;
    }
    if (r->flow_type == NIC_FDIR_FLOW_IPV4 && (r->has_sp || r->has_dp)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: ports need flow type tcp4, udp4 or sctp4, not ip4", where);
        return false;
    }
    if (r->action >= 0 && (unsigned)r->action >= s->n_rx) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s/action: queue %d >= %u rx queues", where,
                    r->action, s->n_rx);
        return false;
    }
    if (r->loc >= (long)cap) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/loc: %ld out of range: must be < %u with pballoc %s (ixgbe: (1024 << "
                    "fdir_pballoc) - 2)",
                    where, r->loc, cap, fdir_pballoc_name(s->pballoc));
        return false;
    }
    struct nic_fdir_perfect_input m;
    fdir_rule_mask(r, &m);
    if (idx == 0) {
        s->mask = m;
    } else if (!fdir_input_equal(&m, &s->mask)) {
        g_autofree char *want = fdir_mask_describe(&s->mask);
        g_autofree char *got = fdir_mask_describe(&m);
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: fields %s differ from filter 0's %s: the 82599 has one input mask per "
                    "port, every perfect filter must give the same fields",
                    where, got, want);
        return false;
    }
    if (r->loc < 0) { /* ethtool rmgr, RX_CLS_LOC_ANY: highest free location */
        long l = (long)cap - 1;
        while (l >= 0 && loc_map[l] >= 0)
            l--;
        if (l < 0) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: all %u locations in use", where,
                        cap);
            return false;
        }
        r->loc = l;
    }
    struct fdir_perfect f = {.action = r->action, .loc = (unsigned)r->loc, .next = FDIR_NONE};
    f.in = (struct nic_fdir_perfect_input){.flow_type = r->flow_type,
                                           .src_ip = r->sip,
                                           .dst_ip = r->dip,
                                           .src_port = r->sp,
                                           .dst_port = r->dp};
    fdir_apply_mask(&f.in, &s->mask);
    for (uint32_t i = 0; i < s->n_pf; i++) {
        if (s->pf[i].loc != f.loc && fdir_input_equal(&s->pf[i].in, &f.in)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "%s: matches the same packets as the filter at loc %u", where,
                        s->pf[i].loc);
            return false;
        }
    }
    if (loc_map[f.loc] >= 0) { /* same location: ixgbe_update_ethtool_fdir_entry replaces */
        s->pf[loc_map[f.loc]] = f;
    } else {
        loc_map[f.loc] = (int32_t)s->n_pf;
        s->pf_loc_used[f.loc] = 1;
        s->pf[s->n_pf++] = f;
    }
    return true;
}

static void fdir_perfect_build_buckets(struct fdir_state *s)
{
    memset(s->pf_head, 0xff, (s->pf_bucket_mask + 1) * sizeof(*s->pf_head));
    for (uint32_t i = 0; i < s->n_pf; i++) {
        uint32_t b = nic_fdir_perfect_hash(&s->pf[i].in, &s->mask) & s->pf_bucket_mask;
        s->pf[i].next = s->pf_head[b];
        s->pf_head[b] = i;
    }
}

static void fdir_perfect_alloc(struct fdir_state *s)
{
    s->pf_bucket_mask = (1u << (10 + s->pballoc)) - 1; /* 11/12/13 bits, DPDK ixgbe_fdir.c */
    s->pf_head = g_new(uint32_t, s->pf_bucket_mask + 1);
    /* the table is sized once, at the hardware's capacity: runtime adds (aRFS
     * ndo_rx_flow_steer, on the packet path) never allocate */
    uint32_t cap = fdir_perfect_capacity(s->pballoc);
    s->pf = g_new0(struct fdir_perfect, cap);
    s->pf_loc_used = g_new0(uint8_t, cap);
    fdir_perfect_build_buckets(s);
}

static bool fdir_parse_filters(struct fdir_state *s, json_t *filters, const char *path,
                               GError **err)
{
    if (!json_is_array(filters)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s/filters: expected an array", path);
        return false;
    }
    uint32_t cap = fdir_perfect_capacity(s->pballoc);
    if (json_array_size(filters) > cap) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s/filters: %zu filters > %u locations",
                    path, json_array_size(filters), cap);
        return false;
    }
    int32_t *loc_map = g_new(int32_t, cap);
    memset(loc_map, 0xff, cap * sizeof(*loc_map));
    size_t idx;
    json_t *f;
    bool ok = true;
    json_array_foreach(filters, idx, f)
    {
        g_autofree char *where = g_strdup_printf("%s/filters/%zu", path, idx);
        struct fdir_rule r = {.flow_type = UINT8_MAX, .action = INT_MIN, .loc = -1};
        if (json_is_string(f)) {
            ok = fdir_rule_from_string(json_string_value(f), where, &r, err);
        } else if (json_is_object(f)) {
            ok = fdir_rule_from_object(f, where, &r, err);
        } else {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s: expected an object or an ethtool -N string", where);
            ok = false;
        }
        if (!ok || !(ok = fdir_rule_install(s, &r, (unsigned)idx, where, loc_map, err)))
            break;
    }
    g_free(loc_map);
    if (ok)
        fdir_perfect_build_buckets(s);
    return ok;
}

static bool fdir_parse_top(struct fdir_state *s, const json_t *cfg, const char *path, GError **err)
{
    json_t *mode = NULL, *rate = NULL, *pb = NULL, *filters = NULL;
    json_error_t jerr;
    if (json_unpack_ex((json_t *)cfg, &jerr, JSON_STRICT, "{s?o, s?o, s?o, s?o}", "mode", &mode,
                       "atr_sample_rate", &rate, "pballoc", &pb, "filters", &filters)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: %s (keys: mode, atr_sample_rate, pballoc, filters)", path, jerr.text);
        return false;
    }
    if (mode) {
        const char *m = json_string_value(mode);
        if (m && strcmp(m, "perfect") == 0) {
            s->mode = FDIR_MODE_PERFECT;
        } else if (!m || strcmp(m, "signature")) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s/mode: expected \"signature\" (ATR) or \"perfect\" (ntuple)", path);
            return false;
        }
    }
    if (rate) {
        if (!json_is_integer(rate) || json_integer_value(rate) < 0 ||
            json_integer_value(rate) > 255) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s/atr_sample_rate: expected an integer 0..255 (0 = ATR off)", path);
            return false;
        }
        s->atr_sample_rate = (unsigned)json_integer_value(rate);
    }
    if (pb) {
        const char *v = json_string_value(pb);
        s->pballoc = 0;
        for (unsigned i = 1; v && i <= 3; i++)
            if (strcmp(v, fdir_pballoc_name(i)) == 0)
                s->pballoc = i;
        if (!s->pballoc) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s/pballoc: expected \"64k\", \"128k\" or \"256k\"", path);
            return false;
        }
    }
    if (filters && s->mode != FDIR_MODE_PERFECT) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/filters: perfect filters need \"mode\": \"perfect\" (ethtool -K ntuple "
                    "on turns ATR off)",
                    path);
        return false;
    }
    fdir_perfect_alloc(s);
    if (filters)
        return fdir_parse_filters(s, filters, path, err);
    return true;
}

static void fdir_destroy(void *st)
{
    struct fdir_state *s = st;
    if (!s)
        return;
    g_free(s->atr_count);
    g_free(s->sig_head);
    g_free(s->sig_chain);
    g_free(s->sig);
    g_free(s->pf);
    g_free(s->pf_loc_used);
    g_free(s->pf_head);
    g_free(s);
}

static void *fdir_init(const json_t *cfg, const char *path, const struct steer_env *env,
                       GError **err)
{
    if (!path)
        path = "";
    if (cfg && !json_is_object(cfg)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected an object", path);
        return NULL;
    }
    if (!env->n_rx_queues || !env->n_tx_queues) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: flow director needs rx and tx queues",
                    path);
        return NULL;
    }
    struct fdir_state *s = g_new0(struct fdir_state, 1);
    s->mode = FDIR_MODE_SIGNATURE;
    s->pballoc = 1; /* ixgbe_sw_init: fdir_pballoc = IXGBE_FDIR_PBALLOC_64K */
    s->atr_sample_rate = FDIR_DEFAULT_ATR;
    s->n_rx = env->n_rx_queues;
    s->n_tx = env->n_tx_queues;
    if (cfg && !fdir_parse_top(s, cfg, path, err)) {
        fdir_destroy(s);
        return NULL;
    }
    if (!cfg)
        fdir_perfect_alloc(s);
    s->atr_count = g_new0(uint32_t, s->n_tx);
    s->sig_capacity = fdir_sig_capacity(s->pballoc);
    s->sig_bucket_mask = (1u << (12 + s->pballoc)) - 1; /* 13/14/15 bits, DPDK ixgbe_fdir.c */
    s->sig_head = g_new(uint32_t, s->sig_bucket_mask + 1);
    s->sig_chain = g_new(uint8_t, s->sig_bucket_mask + 1);
    s->sig = g_new(struct fdir_sig_entry, s->sig_capacity);
    fdir_sig_flush(s);
    return s;
}

static json_t *fdir_dump(void *st)
{
    struct fdir_state *s = st;
    bool sig = s->mode == FDIR_MODE_SIGNATURE;
    return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "mode",
                     sig ? "signature" : "perfect", "pballoc", fdir_pballoc_name(s->pballoc),
                     "atr_sample_rate", (int)s->atr_sample_rate, "capacity",
                     (json_int_t)(sig ? s->sig_capacity : fdir_perfect_capacity(s->pballoc)),
                     "filters", (json_int_t)(sig ? s->sig_used : s->n_pf), "fdir_match",
                     (json_int_t)s->match, "fdir_miss", (json_int_t)s->miss, "fdir_overflow",
                     (json_int_t)s->overflow, "fdir_added", (json_int_t)s->added, "fdir_updated",
                     (json_int_t)s->updated, "fdir_add_fail", (json_int_t)s->add_fail, "fdir_drop",
                     (json_int_t)s->drop, "atr_bad_queue", (json_int_t)s->atr_bad_queue);
}

static void fdir_full_mask(struct nic_fdir_perfect_input *m)
{
    memset(m, 0, sizeof(*m));
    m->flow_type = NIC_FDIR_IPV6_MASK | NIC_FDIR_L4TYPE_MASK;
    m->src_ip = m->dst_ip = UINT32_MAX;
    m->src_port = m->dst_port = UINT16_MAX;
}

int steer_fdir_perfect_add(void *st, const struct traffic_pkt *p, unsigned rxq)
{
    struct fdir_state *s = st;
    struct nic_fdir_perfect_input m, in;
    fdir_full_mask(&m);
    if (s->mode != FDIR_MODE_PERFECT || p->l3 != PKT_L3_IPV4 || rxq >= s->n_rx ||
        (s->n_pf && !fdir_input_equal(&m, &s->mask))) {
        s->add_fail++;
        return -1;
    }
    s->mask = m;
    fdir_pkt_perfect_input(p, &in);
    fdir_apply_mask(&in, &s->mask);
    for (uint32_t i = 0; i < s->n_pf; i++) {
        if (fdir_input_equal(&s->pf[i].in, &in)) { /* FDIRCMD.FILTER_UPDATE */
            s->pf[i].action = (int)rxq;
            s->updated++;
            return (int)s->pf[i].loc;
        }
    }
    uint32_t cap = fdir_perfect_capacity(s->pballoc);
    if (s->n_pf >= cap) {
        s->add_fail++;
        return -1;
    }
    /* lowest free location (ethtool rule manager order does not matter here) */
    uint32_t loc = 0;
    while (s->pf_loc_used[loc])
        loc++;
    s->pf_loc_used[loc] = 1;
    uint32_t i = s->n_pf++;
    s->pf[i] = (struct fdir_perfect){.in = in, .action = (int)rxq, .loc = loc};
    uint32_t b = nic_fdir_perfect_hash(&in, &s->mask) & s->pf_bucket_mask;
    s->pf[i].next = s->pf_head[b];
    s->pf_head[b] = i;
    s->added++;
    return (int)loc;
}

bool steer_fdir_perfect_del(void *st, unsigned loc)
{
    struct fdir_state *s = st;
    for (uint32_t i = 0; i < s->n_pf; i++) {
        if (s->pf[i].loc != loc)
            continue;
        s->pf_loc_used[loc] = 0;
        s->pf[i] = s->pf[--s->n_pf];
        fdir_perfect_build_buckets(s);
        return true;
    }
    return false;
}

const struct steer_policy_ops steer_fdir_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "fdir",
    .init = fdir_init,
    .select_rxq = fdir_select_rxq,
    .observe_tx = fdir_observe_tx,
    .on_cpu_change = NULL, /* ixgbe has no ndo_rx_flow_steer (no aRFS) */
    .add_filter = steer_fdir_perfect_add,
    .del_filter = steer_fdir_perfect_del,
    .dump = fdir_dump,
    .destroy = fdir_destroy,
};
