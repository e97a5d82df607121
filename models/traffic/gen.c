/* Arrival processes of a traffic generator (pktgen/TRex-like flows, tcpreplay
 * replay), merged in time order with a binary heap (ties by flow id, as
 * libuv's timer heap breaks ties by start id) of streams: a constant-rate
 * group is one stream whose flows take turns. Line rate per IEEE 802.3 4.4.2. */
#include "models/traffic/gen.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/traffic/flow_key.h"
#include "models/traffic/pcap_src.h"
#include "sim/core/err.h"
#include "sim/core/jsonval.h"
#include "sim/core/rng.h"

#define ETH_HLEN         14
#define ETH_FCS_LEN      4
#define ETH_MIN_FRAME    64   /* with FCS */
#define ETH_MAX_FRAME    9216 /* jumbo, with FCS */
#define ETH_PREAMBLE_IFG (8 + 12)
#define VLAN_HLEN        4
#define MAX_FLOWS        (1u << 24)
#define MAX_SIZES        64

enum gen_process { PROC_CONSTANT, PROC_POISSON, PROC_ONOFF };
enum gen_vary { VARY_NONE, VARY_SPORT, VARY_DPORT, VARY_SRC, VARY_DST };

struct gen_group {
    enum gen_process process;
    double ival_ns;       /* per-flow mean inter-arrival, in on-time */
    double on_ns, off_ns; /* onoff only */
    uint64_t start_ns;
    double start_d;            /* start_ns as a double, converted once */
    uint32_t sizes[MAX_SIZES]; /* frame_len with FCS */
    uint32_t n_sizes;
    uint32_t hdr_len; /* L2..L4 header bytes */
    struct sim_rng rng;
    struct traffic_pkt tmpl; /* flow j = tmpl with `vary` incremented by j */
    enum gen_vary vary;
    uint32_t first; /* flow index of j = 0 */
};

/* Per-flow state, 32 bytes: the packet template lives in the group. */
struct gen_flow {
    /* poisson: next arrival in on-time (ns since group start); constant/onoff:
     * on-time of the first arrival (arrival k is at on + k * ival) */
    double on;
    uint64_t next_ns;
    uint64_t k; /* packets emitted */
    uint32_t group;
    uint32_t tcp_seq; /* next TCP sequence number */
};

/* A source of arrivals in strictly increasing time: one flow, or a whole
 * constant-rate group whose flows take turns (flow j's k-th arrival is the
 * group's (k * count + j)-th, evenly spaced), so the merge heap holds one
 * entry per group instead of one per flow. */
struct gen_stream {
    uint32_t first, n; /* flow indices [first, first + n) */
    uint32_t cur;      /* flow index of the stream's next arrival */
};

/* Merge-heap entry: the stream's next arrival, keyed (time, flow index). */
struct gen_head {
    uint64_t t;
    uint32_t flow;
    uint32_t stream;
};

struct traffic_gen {
    uint64_t duration_ns;
    /* generated flows */
    struct gen_group *groups;
    uint32_t n_groups;
    struct gen_flow *flows; /* index = flow id - 1 */
    uint32_t n_flows;
    struct gen_stream *streams;
    uint32_t n_streams;
    struct gen_head *heap; /* min (t, flow) on top */
    uint32_t heap_n;
    /* replay */
    bool replay;
    char *warning; /* the capture ended inside a record: replayed up to it */
    struct traffic_pkt *pkts;
    size_t n_pkts, pos;
};

double traffic_line_rate_pps(double bits_per_s, double frame_len)
{
    return bits_per_s / ((frame_len + ETH_PREAMBLE_IFG) * 8.0);
}

/* ---- heap ---------------------------------------------------------------- */

static bool heap_less(const struct gen_head *a, const struct gen_head *b)
{
    return a->t < b->t || (a->t == b->t && a->flow < b->flow);
}

static void heap_down(struct traffic_gen *g, uint32_t i)
{
    struct gen_head *h = g->heap, x = h[i];
    for (;;) {
        uint32_t l = 2 * i + 1, m = l;
        if (l >= g->heap_n)
            break;
        if (l + 1 < g->heap_n && heap_less(&h[l + 1], &h[l]))
            m = l + 1;
        if (!heap_less(&h[m], &x))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = x;
}

/* ---- arrival times ------------------------------------------------------- */

/* ns from a double, saturating: a tiny rate puts the next arrival at "never"
 * (NaN included: converting it would be undefined behaviour). */
static uint64_t ns_sat(double ns)
{
    return ns < 1.8e19 ? (uint64_t)(ns + 0.5) : UINT64_MAX;
}

/* On-off maps on-time to wall time: every `on` ns of sending is followed by
 * `off` ns of silence. */
static inline uint64_t wall_ns(const struct gen_group *gr, double on_t)
{
    if (gr->process == PROC_ONOFF) {
        double cycles = floor(on_t / gr->on_ns);
        on_t = cycles * (gr->on_ns + gr->off_ns) + (on_t - cycles * gr->on_ns);
    }
    return ns_sat(gr->start_d + on_t);
}

static void flow_advance(struct gen_group *gr, struct gen_flow *f)
{
    if (gr->process == PROC_POISSON)
        f->next_ns = wall_ns(gr, f->on += sim_rng_exp(&gr->rng, gr->ival_ns));
    else /* k * ival from the first arrival: no accumulated rounding drift */
        f->next_ns = wall_ns(gr, f->on + (double)f->k * gr->ival_ns);
}

static void vary_flow(struct traffic_pkt *p, enum gen_vary vary, int family, uint32_t j);
static bool addr_add(uint8_t *a, unsigned len, uint64_t n);

bool traffic_gen_next(struct traffic_gen *g, struct traffic_pkt *out)
{
    if (g->replay) {
        if (g->pos >= g->n_pkts)
            return false;
        *out = g->pkts[g->pos++];
        return true;
    }
    if (g->heap_n == 0)
        return false;
    struct gen_head *top = &g->heap[0];
    struct gen_stream *st = &g->streams[top->stream];
    struct gen_flow *f = &g->flows[top->flow];
    struct gen_group *gr = &g->groups[f->group];
    *out = gr->tmpl;
    vary_flow(out, gr->vary, out->l3, top->flow - gr->first);
    out->flow = top->flow + 1;
    out->tcp_seq = f->tcp_seq;
    out->ts_ns = f->next_ns;
    if (out->l4 == IPPROTO_TCP && f->k == 0) { /* TCP handshake opener, minimum frame */
        out->tcp_flags = PKT_TCP_SYN;
        out->payload_len = 0;
        out->wire_len = MAX(ETH_MIN_FRAME, gr->hdr_len + ETH_FCS_LEN) - ETH_FCS_LEN;
        f->tcp_seq++; /* SYN takes one sequence number */
    } else {
        uint32_t size = gr->sizes[gr->n_sizes == 1 ? 0 : sim_rng_below(&gr->rng, gr->n_sizes)];
        out->wire_len = size - ETH_FCS_LEN;
        out->payload_len = size - ETH_FCS_LEN - gr->hdr_len;
        if (out->l4 == IPPROTO_TCP) {
            out->tcp_flags = PKT_TCP_ACK;
            f->tcp_seq += out->payload_len;
        }
    }
    f->k++;
    flow_advance(gr, f);
    /* A turn-taking group's next arrival is its next flow's, already computed. */
    if (++st->cur == st->first + st->n)
        st->cur = st->first;
    top->flow = st->cur;
    top->t = g->flows[st->cur].next_ns;
    if (top->t >= g->duration_ns)
        *top = g->heap[--g->heap_n];
    if (g->heap_n > 1)
        heap_down(g, 0);
    return true;
}

/* ---- configuration ------------------------------------------------------- */

static bool cfg_fail(GError **err, const char *path, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool cfg_fail(GError **err, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: %s", path[0] ? path : "/", msg);
    g_free(msg);
    return false;
}

/* Error at member `key` of the object at `path`: "PATH/KEY: message". */
static bool key_fail(GError **err, const char *path, const char *key, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static bool key_fail(GError **err, const char *path, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s/%s: %s", path, key, msg);
    g_free(msg);
    return false;
}

/* Bounds of the traffic keys: an hour of simulated time (as /duration_ms), and
 * a rate above any NIC's (400 Gbit/s of 64-byte frames is 595 Mpps). */
#define MAX_DURATION_S 3600.0
#define MAX_RATE_PPS   1e9
#define MAX_ONOFF_US   3600e6

static bool positive_number(const json_t *v, const char *path, const char *key, double max,
                            double *out, GError **err)
{
    char got[SIM_JSON_GOT_LEN];
    if (!json_is_number(v) || !(json_number_value(v) > 0) || !(json_number_value(v) <= max))
        return key_fail(err, path, key, "expected a number in (0, %g], got %s", max,
                        sim_json_got(v, got));
    *out = json_number_value(v);
    return true;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) !=
        6)
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return true;
}

/* Add `n` to a big-endian address of `len` bytes; false on overflow. */
static bool addr_add(uint8_t *a, unsigned len, uint64_t n)
{
    for (int i = (int)len - 1; i >= 0 && n; i--) {
        uint64_t s = a[i] + (n & 0xff);
        a[i] = (uint8_t)s;
        n = (n >> 8) + (s >> 8);
    }
    return n == 0;
}

struct flowspec {
    json_t *count, *vary, *proto, *family, *src, *dst, *sport, *dport, *smac, *dmac, *vlan,
        *frame_len, *rate, *line, *process, *on_us, *off_us, *start_us;
};

static bool get_int(const json_t *v, const char *path, const char *key, long long lo, long long hi,
                    long long dflt, long long *out, GError **err)
{
    char got[SIM_JSON_GOT_LEN];
    *out = dflt;
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return key_fail(err, path, key, "expected integer in [%lld, %lld], got %s", lo, hi,
                        sim_json_got(v, got));
    *out = json_integer_value(v);
    return true;
}

static bool get_choice(const json_t *v, const char *path, const char *key, const char *const *names,
                       int dflt, int *out, GError **err)
{
    *out = dflt;
    if (!v)
        return true;
    if (json_is_string(v))
        for (int i = 0; names[i]; i++)
            if (!strcmp(json_string_value(v), names[i])) {
                *out = i;
                return true;
            }
    char *list = g_strjoinv("\", \"", (char **)names);
    key_fail(err, path, key, "expected one of \"%s\"", list);
    g_free(list);
    return false;
}

static bool parse_addr(const json_t *v, const char *path, const char *key, int family,
                       const char *dflt, uint8_t out[16], GError **err)
{
    const char *s = v ? json_string_value(v) : dflt;
    memset(out, 0, 16);
    if (!s || inet_pton(family == 6 ? AF_INET6 : AF_INET, s, out) != 1)
        return key_fail(err, path, key, "expected an IPv%d address", family);
    return true;
}

static bool parse_sizes(const json_t *v, const char *path, struct gen_group *gr, GError **err)
{
    if (!v) {
        gr->sizes[0] = ETH_MIN_FRAME;
        gr->n_sizes = 1;
    } else if (json_is_integer(v)) {
        gr->sizes[0] = (uint32_t)CLAMP(json_integer_value(v), 0, UINT32_MAX);
        gr->n_sizes = 1;
        if (json_integer_value(v) < ETH_MIN_FRAME || json_integer_value(v) > ETH_MAX_FRAME)
            return key_fail(err, path, "frame_len", "expected integer in [%d, %d] (bytes with FCS)",
                            ETH_MIN_FRAME, ETH_MAX_FRAME);
    } else if (json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= MAX_SIZES) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!json_is_integer(e) || json_integer_value(e) < ETH_MIN_FRAME ||
                json_integer_value(e) > ETH_MAX_FRAME) {
                char *key = g_strdup_printf("frame_len/%zu", i);
                key_fail(err, path, key, "expected integer in [%d, %d] (bytes with FCS)",
                         ETH_MIN_FRAME, ETH_MAX_FRAME);
                g_free(key);
                return false;
            }
            gr->sizes[i] = (uint32_t)json_integer_value(e);
        }
        gr->n_sizes = (uint32_t)json_array_size(v);
    } else {
        return key_fail(err, path, "frame_len", "expected an integer or a list of 1..%d integers",
                        MAX_SIZES);
    }
    for (uint32_t i = 0; i < gr->n_sizes; i++)
        if (gr->sizes[i] < gr->hdr_len + ETH_FCS_LEN)
            return key_fail(err, path, "frame_len",
                            "%u bytes cannot hold the %u bytes of headers + FCS", gr->sizes[i],
                            gr->hdr_len + ETH_FCS_LEN);
    return true;
}

static bool parse_rate(const struct flowspec *fs, const char *path, struct gen_group *gr,
                       double *pps, GError **err)
{
    if (!!fs->rate == !!fs->line)
        return cfg_fail(err, path, "expected exactly one of \"rate_pps\" and \"line\"");
    if (fs->rate)
        return positive_number(fs->rate, path, "rate_pps", MAX_RATE_PPS, pps, err);
    const char *s = json_string_value(fs->line);
    char *end = NULL;
    double gbps = s ? g_ascii_strtod(s, &end) : 0;
    if (!s || end == s || strcmp(end, "G") != 0 || !(gbps > 0) || !isfinite(gbps))
        return key_fail(err, path, "line", "expected \"<Gbit/s>G\" such as \"10G\"");
    double mean = 0;
    for (uint32_t i = 0; i < gr->n_sizes; i++)
        mean += gr->sizes[i];
    *pps = traffic_line_rate_pps(gbps * 1e9, mean / gr->n_sizes);
    return true;
}

static bool parse_process(const struct flowspec *fs, const char *path, struct gen_group *gr,
                          GError **err)
{
    static const char *const procs[] = {"constant", "poisson", "onoff", NULL};
    int p;
    if (!get_choice(fs->process, path, "process", procs, PROC_CONSTANT, &p, err))
        return false;
    gr->process = (enum gen_process)p;
    if (p != PROC_ONOFF) {
        if (fs->on_us || fs->off_us)
            return key_fail(err, path, fs->on_us ? "on_us" : "off_us",
                            "only with \"process\": \"onoff\"");
        return true;
    }
    double on, off;
    if (!fs->on_us || !fs->off_us)
        return key_fail(err, path, "process", "\"onoff\" needs \"on_us\" and \"off_us\"");
    if (!positive_number(fs->on_us, path, "on_us", MAX_ONOFF_US, &on, err) ||
        !positive_number(fs->off_us, path, "off_us", MAX_ONOFF_US, &off, err))
        return false;
    gr->on_ns = on * 1e3;
    gr->off_ns = off * 1e3;
    return true;
}

/* Build the template packet of the group's first flow; fields varied later. */
static bool parse_template(const struct flowspec *fs, const char *path, struct traffic_pkt *t,
                           struct gen_group *gr, GError **err)
{
    static const char *const protos[] = {"udp", "tcp", NULL};
    int proto;
    long long family, sport, dport, vlan;
    memset(t, 0, sizeof(*t));
    if (!get_choice(fs->proto, path, "proto", protos, 0, &proto, err) ||
        !get_int(fs->family, path, "family", 4, 6, 4, &family, err) ||
        !get_int(fs->sport, path, "sport", 0, 65535, 1024, &sport, err) ||
        !get_int(fs->dport, path, "dport", 0, 65535, 80, &dport, err) ||
        !get_int(fs->vlan, path, "vlan", 0, 4095, -1, &vlan, err))
        return false;
    if (family == 5)
        return key_fail(err, path, "family", "expected 4 or 6");
    if (!parse_addr(fs->src, path, "src", (int)family, family == 4 ? "10.0.0.1" : "fd00::1",
                    t->saddr, err) ||
        !parse_addr(fs->dst, path, "dst", (int)family, family == 4 ? "10.0.1.1" : "fd00::1:1",
                    t->daddr, err))
        return false;
    const char *smac = fs->smac ? json_string_value(fs->smac) : "02:00:00:00:00:01";
    const char *dmac = fs->dmac ? json_string_value(fs->dmac) : "02:00:00:00:00:02";
    if (!smac || !parse_mac(smac, t->smac))
        return key_fail(err, path, "smac", "expected a MAC address aa:bb:cc:dd:ee:ff");
    if (!dmac || !parse_mac(dmac, t->dmac))
        return key_fail(err, path, "dmac", "expected a MAC address aa:bb:cc:dd:ee:ff");
    t->l3 = family == 4 ? PKT_L3_IPV4 : PKT_L3_IPV6;
    t->ethertype = family == 4 ? 0x0800 : 0x86dd;
    t->l4 = proto == 1 ? IPPROTO_TCP : IPPROTO_UDP;
    t->sport = (uint16_t)sport;
    t->dport = (uint16_t)dport;
    t->has_ports = 1;
    if (vlan >= 0) {
        t->has_vlan = 1;
        t->vlan_tci = (uint16_t)vlan;
    }
    gr->hdr_len =
        ETH_HLEN + (vlan >= 0 ? VLAN_HLEN : 0) + (family == 4 ? 20 : 40) + (proto == 1 ? 20 : 8);
    return true;
}

/* addr_add on the packet path: an IPv4 address is one big-endian word (the
 * group's last address was checked not to wrap at configuration). */
static inline void addr_add_fast(uint8_t *a, unsigned len, uint32_t n)
{
    if (len != 4) {
        addr_add(a, len, n);
        return;
    }
    uint32_t w;
    memcpy(&w, a, 4);
    w = htonl(ntohl(w) + n);
    memcpy(a, &w, 4);
}

/* Flow j of a group: the template with the varied field incremented by j. */
static void vary_flow(struct traffic_pkt *p, enum gen_vary vary, int family, uint32_t j)
{
    unsigned alen = family == 4 ? 4 : 16;
    switch (vary) {
    case VARY_SPORT:
        p->sport = (uint16_t)(p->sport + j);
        break;
    case VARY_DPORT:
        p->dport = (uint16_t)(p->dport + j);
        break;
    case VARY_SRC:
        addr_add_fast(p->saddr, alen, j);
        break;
    case VARY_DST:
        addr_add_fast(p->daddr, alen, j);
        break;
    case VARY_NONE:
        break;
    }
}

static bool check_vary(const struct traffic_pkt *t, enum gen_vary vary, long long count,
                       const char *path, GError **err)
{
    uint8_t a[16];
    unsigned alen = t->l3 == PKT_L3_IPV4 ? 4 : 16;
    switch (vary) {
    case VARY_NONE:
        return count == 1 ? true : key_fail(err, path, "vary", "\"none\" needs \"count\": 1");
    case VARY_SPORT:
    case VARY_DPORT: {
        long long base = vary == VARY_SPORT ? t->sport : t->dport;
        if (base + count - 1 > 65535)
            return key_fail(err, path, "count", "%lld flows from port %lld pass port 65535", count,
                            base);
        return true;
    }
    case VARY_SRC:
    case VARY_DST:
        memcpy(a, vary == VARY_SRC ? t->saddr : t->daddr, 16);
        if (!addr_add(a, alen, (uint64_t)count - 1))
            return key_fail(err, path, "count", "%lld flows overflow the address space", count);
        return true;
    }
    return true;
}

static bool unpack_flowspec(json_t *o, const char *path, struct flowspec *fs, GError **err)
{
    json_error_t je;
    memset(fs, 0, sizeof(*fs));
    if (!json_is_object(o))
        return cfg_fail(err, path, "expected an object");
    if (json_unpack_ex(o, &je, JSON_STRICT,
                       "{s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o s?o}",
                       "count", &fs->count, "vary", &fs->vary, "proto", &fs->proto, "family",
                       &fs->family, "src", &fs->src, "dst", &fs->dst, "sport", &fs->sport, "dport",
                       &fs->dport, "smac", &fs->smac, "dmac", &fs->dmac, "vlan", &fs->vlan,
                       "frame_len", &fs->frame_len, "rate_pps", &fs->rate, "line", &fs->line,
                       "process", &fs->process, "on_us", &fs->on_us, "off_us", &fs->off_us,
                       "start_us", &fs->start_us) != 0)
        return cfg_fail(err, path, "%s", je.text);
    return true;
}

/* One group of `count` flows: group state + flow templates (appended). */
static bool parse_group(struct traffic_gen *g, json_t *o, const char *path, uint64_t seed,
                        GArray *flows, GError **err)
{
    static const char *const varies[] = {"none", "sport", "dport", "src", "dst", NULL};
    struct flowspec fs;
    struct gen_group *gr = &g->groups[g->n_groups];
    struct traffic_pkt t;
    long long count;
    int vary;
    double pps = 0, start_us = 0;
    if (!unpack_flowspec(o, path, &fs, err) || !parse_template(&fs, path, &t, gr, err) ||
        !get_int(fs.count, path, "count", 1, MAX_FLOWS, 1, &count, err) ||
        !get_choice(fs.vary, path, "vary", varies, VARY_SPORT, &vary, err) ||
        !check_vary(&t, (enum gen_vary)vary, count, path, err) ||
        !parse_sizes(fs.frame_len, path, gr, err) || !parse_rate(&fs, path, gr, &pps, err) ||
        !parse_process(&fs, path, gr, err))
        return false;
    if (fs.start_us && (!json_is_number(fs.start_us) || json_number_value(fs.start_us) < 0))
        return key_fail(err, path, "start_us", "expected number >= 0");
    if (fs.start_us)
        start_us = json_number_value(fs.start_us);
    if (flows->len + (uint64_t)count > MAX_FLOWS)
        return key_fail(err, path, "count", "more than %u flows in all", MAX_FLOWS);
    gr->start_ns = ns_sat(start_us * 1e3);
    gr->start_d = (double)gr->start_ns;
    gr->ival_ns = 1e9 * (double)count / pps;
    if (!(gr->ival_ns < 1.8e19)) /* rate_pps 1e-300: finite, so k = 0 still starts on time */
        gr->ival_ns = 1.8e19;
    char *stream = g_strdup_printf("traffic/flows/%u", g->n_groups);
    sim_rng_init(&gr->rng, seed, stream);
    g_free(stream);
    uint32_t isn = sim_rng_u32(&gr->rng);
    gr->tmpl = t;
    gr->vary = (enum gen_vary)vary;
    gr->first = flows->len;
    double stagger = 1e9 / pps;
    if (!(stagger < 1.8e19))
        stagger = 1.8e19;
    for (uint32_t j = 0; j < (uint32_t)count; j++) {
        struct gen_flow f = {.group = g->n_groups};
        f.tcp_seq = isn + j * 0x01000193u; /* distinct ISNs per flow */
        /* Constant: flows staggered by the group's inter-arrival time. */
        f.on =
            gr->process == PROC_POISSON ? sim_rng_exp(&gr->rng, gr->ival_ns) : (double)j * stagger;
        f.next_ns = wall_ns(gr, f.on);
        g_array_append_val(flows, f);
    }
    g->n_groups++;
    return true;
}

static void gen_streams_new(struct traffic_gen *g);

static bool gen_flows_new(struct traffic_gen *g, json_t *flows, const char *path, uint64_t seed,
                          GError **err)
{
    char *fpath = g_strdup_printf("%s/flows", path);
    bool ok = true;
    if (!json_is_array(flows) || json_array_size(flows) == 0) {
        ok = cfg_fail(err, fpath, "expected a non-empty list of flow objects");
        g_free(fpath);
        return ok;
    }
    g->groups = g_new0(struct gen_group, json_array_size(flows));
    GArray *arr = g_array_new(FALSE, FALSE, sizeof(struct gen_flow));
    size_t i;
    json_t *o;
    json_array_foreach(flows, i, o)
    {
        char *p = g_strdup_printf("%s/%zu", fpath, i);
        ok = parse_group(g, o, p, seed, arr, err);
        g_free(p);
        if (!ok)
            break;
    }
    g_free(fpath);
    g->n_flows = arr->len;
    /* trim the array's doubling slack: per-flow memory is a budget */
    g->flows = g_renew(struct gen_flow, g_array_free(arr, FALSE), MAX(g->n_flows, 1u));
    if (!ok)
        return false;
    gen_streams_new(g);
    return true;
}

/* Constant-rate groups whose arrivals are at least 2 ns apart take turns in
 * one stream: their arrival times strictly increase in turn order, so the
 * stream's head is always its group's earliest (time, flow) and the merge is
 * the same as with one heap entry per flow. Poisson flows, and groups so fast
 * that rounding to ns could tie, keep one stream per flow. */
static uint32_t gen_group_size(const struct traffic_gen *g, uint32_t i)
{
    return (i + 1 < g->n_groups ? g->groups[i + 1].first : g->n_flows) - g->groups[i].first;
}

static bool gen_group_turns(const struct traffic_gen *g, uint32_t i)
{
    const struct gen_group *gr = &g->groups[i];
    return gr->process != PROC_POISSON && gr->ival_ns / gen_group_size(g, i) >= 2.0;
}

static void gen_streams_new(struct traffic_gen *g)
{
    uint32_t n_streams = 0;
    for (uint32_t i = 0; i < g->n_groups; i++)
        n_streams += gen_group_turns(g, i) ? 1 : gen_group_size(g, i);
    g->streams = g_new(struct gen_stream, n_streams);
    g->heap = g_new(struct gen_head, n_streams);
    for (uint32_t f = 0; f < g->n_flows;) {
        uint32_t n = gen_group_size(g, g->flows[f].group);
        bool turns = gen_group_turns(g, g->flows[f].group);
        for (uint32_t j = 0; j < n; j += turns ? n : 1) {
            struct gen_stream *st = &g->streams[g->n_streams];
            *st = (struct gen_stream){.first = f + j, .n = turns ? n : 1, .cur = f + j};
            if (g->flows[st->cur].next_ns < g->duration_ns)
                g->heap[g->heap_n++] = (struct gen_head){
                    .t = g->flows[st->cur].next_ns, .flow = st->cur, .stream = g->n_streams};
            g->n_streams++;
        }
        f += n;
    }
    for (uint32_t k = g->heap_n / 2; k-- > 0;)
        heap_down(g, k);
}

/* ---- replay -------------------------------------------------------------- */

static bool load_pcap(struct traffic_gen *g, const char *file, GError **err)
{
    struct traffic_pcap *r = traffic_pcap_open(file, err);
    if (!r)
        return false;
    GArray *arr = g_array_new(FALSE, FALSE, sizeof(struct traffic_pkt));
    GHashTable *ids =
        g_hash_table_new_full(traffic_flow_key_hash, traffic_flow_key_equal, g_free, NULL);
    struct traffic_pkt p;
    int rc;
    uint64_t prev = 0;
    while ((rc = traffic_pcap_next(r, &p, err)) == 1) {
        uint64_t t = p.ts_ns - MIN(p.ts_ns, traffic_pcap_first_ts_ns(r));
        p.ts_ns = MAX(t, prev); /* clamp a clock going backwards */
        prev = p.ts_ns;
        if (p.l3 != PKT_L3_NONE) {
            struct traffic_flow_key k = traffic_flow_key_of(&p);
            gpointer id = g_hash_table_lookup(ids, &k);
            if (!id) {
                id = GUINT_TO_POINTER(g_hash_table_size(ids) + 1);
                g_hash_table_insert(ids, g_memdup2(&k, sizeof(k)), id);
            }
            p.flow = GPOINTER_TO_UINT(id);
        }
        g_array_append_val(arr, p);
    }
    g->n_flows = g_hash_table_size(ids);
    g_hash_table_destroy(ids);
    if (rc == 0 && traffic_pcap_truncation(r))
        g->warning = g_strdup(traffic_pcap_truncation(r));
    traffic_pcap_free(r);
    g->n_pkts = arr->len;
    g->pkts = (struct traffic_pkt *)g_array_free(arr, FALSE);
    return rc == 0;
}

/* Scale inter-arrival times so the mean rate is `pps`. */
static void rescale(struct traffic_gen *g, double pps)
{
    if (g->n_pkts < 2)
        return;
    uint64_t span = g->pkts[g->n_pkts - 1].ts_ns;
    for (size_t i = 0; i < g->n_pkts; i++) {
        double t =
            span ? (double)g->pkts[i].ts_ns * ((double)(g->n_pkts - 1) * 1e9 / pps) / (double)span
                 : (double)i * 1e9 / pps;
        g->pkts[i].ts_ns = ns_sat(t);
    }
}

static bool gen_pcap_new(struct traffic_gen *g, json_t *file, json_t *rate, json_t *dur,
                         const char *path, const struct traffic_gen_env *env, GError **err)
{
    double pps = 0, d = 0;
    if (!json_is_string(file) || !*json_string_value(file))
        return key_fail(err, path, "pcap", "expected a file name");
    if (rate && !positive_number(rate, path, "rate_pps", MAX_RATE_PPS, &pps, err))
        return false;
    if (dur && !positive_number(dur, path, "duration_s", MAX_DURATION_S, &d, err))
        return false;
    const char *name = json_string_value(file);
    char *full = g_path_is_absolute(name) || !env || !env->base_dir
                     ? g_strdup(name)
                     : g_build_filename(env->base_dir, name, NULL);
    g->replay = true;
    bool ok = load_pcap(g, full, err);
    g_free(full);
    if (!ok) {
        sim_error_prefix(err, "%s/pcap", path);
        return false;
    }
    if (pps > 0)
        rescale(g, pps);
    g->duration_ns = dur ? ns_sat(d * 1e9) : (g->n_pkts ? g->pkts[g->n_pkts - 1].ts_ns + 1 : 0);
    while (g->n_pkts && g->pkts[g->n_pkts - 1].ts_ns >= g->duration_ns)
        g->n_pkts--;
    return true;
}

struct traffic_gen *traffic_gen_new(const json_t *cfg, const char *path,
                                    const struct traffic_gen_env *env, GError **err)
{
    json_t *dur = NULL, *flows = NULL, *pcap = NULL, *rate = NULL;
    json_error_t je;
    path = path ? path : "";
    if (!json_is_object(cfg)) {
        cfg_fail(err, path[0] ? path : "/", "expected an object");
        return NULL;
    }
    if (json_unpack_ex((json_t *)cfg, &je, JSON_STRICT, "{s?o s?o s?o s?o}", "duration_s", &dur,
                       "flows", &flows, "pcap", &pcap, "rate_pps", &rate) != 0) {
        cfg_fail(err, path[0] ? path : "/", "%s", je.text);
        return NULL;
    }
    struct traffic_gen *g = g_new0(struct traffic_gen, 1);
    bool ok;
    if (!!flows == !!pcap) {
        ok = cfg_fail(err, path[0] ? path : "/", "expected exactly one of \"flows\" and \"pcap\"");
    } else if (pcap) {
        ok = gen_pcap_new(g, pcap, rate, dur, path, env, err);
    } else {
        double d = 0;
        if (rate)
            ok = key_fail(err, path, "rate_pps", "only with \"pcap\" (flows give their own)");
        else if (!dur)
            ok = key_fail(err, path, "duration_s", "expected number > 0 (required with flows)");
        else
            ok = positive_number(dur, path, "duration_s", MAX_DURATION_S, &d, err);
        g->duration_ns = ns_sat(d * 1e9);
        ok = ok && gen_flows_new(g, flows, path, env ? env->seed : 0, err);
    }
    if (!ok) {
        traffic_gen_free(g);
        return NULL;
    }
    return g;
}

void traffic_gen_free(struct traffic_gen *g)
{
    if (!g)
        return;
    g_free(g->groups);
    g_free(g->flows);
    g_free(g->heap);
    g_free(g->streams);
    g_free(g->pkts);
    g_free(g->warning);
    g_free(g);
}

const char *traffic_gen_warning(const struct traffic_gen *g)
{
    return g->warning;
}

uint32_t traffic_gen_n_flows(const struct traffic_gen *g)
{
    return g->n_flows;
}

uint64_t traffic_gen_duration_ns(const struct traffic_gen *g)
{
    return g->duration_ns;
}
