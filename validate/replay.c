/* Validation replay: every receive-entry event of a capture bundle's trace goes, in trace order,
 * through get_rps_cpu()/enqueue_to_backlog() (net/core/dev.c) and RFS's sock_rps_record_flow()
 * (include/net/sock.h) configured from the bundle; the model's CPU is compared with the CPU of
 * the packet's netif_receive_skb event, and the backlog NAPI is replayed as process_backlog(). */
#include "validate/replay.h"

#include "models/kernel/backlog.h"
#include "models/kernel/cpumask.h"
#include "models/kernel/rfs.h"
#include "models/kernel/rps.h"
#include "models/kernel/xps.h"
#include "models/nic/ethtool_x.h"
#include "models/nic/steer.h"
#include "models/nic/steer_fdir.h"
#include "models/nic/toeplitz.h"
#include "models/traffic/flow_key.h"
#include "models/traffic/pcap_src.h"
#include "sim/core/err.h"
#include "validate/bundle.h"
#include "validate/irq_model.h"
#include "validate/match.h"
#include "validate/softirq_model.h"
#include "validate/trace.h"
#include "validate/wake_model.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define NET_RX_SOFTIRQ 3 /* include/linux/interrupt.h */
#define ETH_HLEN       14

void val_replay_opts_init(struct val_replay_opts *o)
{
    o->match_window_ns = VAL_MATCH_WINDOW_NS;
    o->keep = 20;
    o->topo = NULL;
    kern_cost_defaults(&o->cost);
}

struct pcap_rec {
    uint64_t no; /* 1-based packet number in the pcap */
    struct traffic_pkt pkt;
};

/* A device seen in the trace and its RPS/RFS configuration (NULL rps: no sysfs maps). */
struct dev_model {
    char name[VAL_DEV_LEN];
    struct kern_rps_dev *rps;
    bool steering; /* some rx queue has an RPS map or an RFS table */
    bool is_rx;
};

/* A receive entry waiting for its netif_receive_skb (keyed by skbaddr). */
struct inflight {
    uint64_t line;
    int64_t pkt;         /* index into pcap, -1 unmatched */
    int32_t model_cpu;   /* -1: dropped by the model backlog */
    int32_t backlog_cpu; /* model backlog holding it, -1 none */
    uint32_t hash;
    bool rx_dev;
};

/* A connected TCP receiving socket: its flow's sk_rxhash feeds the RFS table on each read. */
struct tcp_sock {
    int fd;
    uint8_t l3;
    uint8_t addr[16];
    uint16_t port;
    uint32_t rxhash; /* sock_rps_save_rxhash(): hash of the flow's last processed packet */
};

/* A transmit seen only as net_dev_xmit (no queue recorded): its queue is chosen later. */
struct hw_xmit {
    uint64_t ts_ns; /* pcap clock */
    uint32_t len;
    int32_t cpu;
    int64_t pkt; /* its outgoing pcap frame, -1 none */
};

struct replay {
    const struct val_replay_opts *o;
    struct val_bundle *b;
    struct val_report *r;
    json_t *cfg;
    int ncpus;
    struct kern_cpumask online; /* CPUs 0..ncpus-1 (cpu_online_mask) */
    GArray *pcap;               /* struct pcap_rec */
    GArray *cand;               /* guint: pcap index of each join candidate */
    struct val_match *match;
    GPtrArray *devs; /* struct dev_model* */
    struct kern_sock_flow_table *sft;
    struct kern_backlog *bl;
    uint32_t *dequeued;         /* per CPU: model backlog dequeues since its last poll */
    uint64_t *backlog_model;    /* per CPU: packets waiting for the replayed backlog NAPI */
    uint64_t *softirq_start;    /* per CPU: NET_RX softirq_entry time + 1, 0 outside */
    bool *softirq_in_ksoftirqd; /* per CPU: the open NET_RX run is in ksoftirqd/N */
    GHashTable *inflight;       /* skbaddr -> struct inflight* */
    GHashTable *irq_names;      /* irq_handler_entry name -> count */
    GArray *tcp;                /* struct tcp_sock */
    struct nic_ethtool_x *ethx;
    const struct nic_ethtool_x_table *reta; /* context 0 table with key, toeplitz mode */
    struct nic_toeplitz *tz;
    void *atr;                  /* Flow Director signature filters learnt from TX (ixgbe ATR) */
    struct val_match *tx_match; /* outgoing pcap frames by (time, frame length) */
    GArray *tx_cand;            /* guint: pcap index of each outgoing candidate */
    GArray *in_ts, *in_len;     /* incoming candidates: pcap stamp (ns), frame - 14 */
    GArray *tx_ts, *tx_len;     /* outgoing candidates: pcap stamp (ns), frame length */
    /* veth: the sender's TX queue is the receiver's RX queue (veth_xmit keeps the skb). */
    struct kern_xps_dev xps; /* sender device: queues + xps_cpus maps */
    struct kern_xps_maps *xps_cpus;
    bool xps_model;           /* sender on this host and its xmits traced */
    GHashTable *sender_xmit;  /* skbaddr -> (cpu << 16 | queue) + 1 of its start_xmit */
    GHashTable *sender_socks; /* GBytes flow key -> struct kern_xps_sock* */
    int weight, budget;
    uint64_t hash0, no_cpu;
    uint64_t pcap_vlan;   /* incoming frames with a VLAN tag */
    uint64_t udp_l4_hash; /* UDP packets whose trace hash is the 4-tuple Toeplitz hash */
    uint64_t n_receive_skb, n_napi_poll, n_softirq, n_syscall; /* events of these kinds */
    struct val_nrx_model *nrx;        /* NET_RX run durations priced by the cost model */
    GArray *hw_pkts;                  /* struct val_irq_pkt: matched rx_dev packets, pcap stamps */
    uint64_t hw_q_recorded, hw_q_rss; /* where their RX queue came from */
    int64_t pcap_off;                 /* pcap (realtime) stamp - trace time */
    GArray *hw_tx;                    /* struct val_irq_tx: rx_dev start_xmits, pcap clock */
    GArray *hw_xmit;                  /* struct hw_xmit: rx_dev net_dev_xmit rc 0 */
    uint64_t *last_start;             /* per CPU: skbaddr of its last rx_dev start_xmit */
    guint *last_start_idx;            /* per CPU: its hw_tx index + 1, 0 none */
    struct val_wake_model *wake;      /* receiver wake placement; NULL without listed threads */
};

static void dev_model_free(gpointer p)
{
    struct dev_model *d = p;
    kern_rps_dev_free(d->rps);
    g_free(d);
}

/* ---- configuration ---- */

static bool set_flow_cnt(struct kern_rps_dev *dev, unsigned q, uint64_t cnt, GError **err)
{
    struct kern_rps_dev_flow_table *t = NULL;
    if (!kern_rps_dev_flow_table_create(cnt, &t, err))
        return false;
    if (t)
        kern_rps_dev_set_flow_table(dev, q, t);
    return true;
}

/* A device's RPS/RFS state as store_rps_map()/store_rps_dev_flow_table_cnt() left it, from
 * the bundle's sysfs_queues/<dev>/rx-<q> values for nq queues; NULL + error when rejected. */
static struct kern_rps_dev *rps_dev_model(struct replay *p, const char *dev, int nq, GError **err)
{
    struct kern_rps_dev *rps = kern_rps_dev_new((unsigned)nq, (unsigned)p->ncpus, &p->online, err);
    for (int q = 0; rps && q < nq; q++) {
        struct kern_cpumask mask;
        uint64_t cnt;
        if (!val_bundle_rx_queue(p->b, dev, q, &mask, &cnt, err)) {
            kern_rps_dev_free(rps);
            return NULL;
        }
        if (!kern_rps_dev_set_rps_cpus(rps, (unsigned)q, &mask, err) ||
            !set_flow_cnt(rps, (unsigned)q, cnt, err)) {
            g_prefix_error(err, "%s/config.json: /sysfs_queues/%s/rx-%d: ", val_bundle_dir(p->b),
                           dev, q);
            kern_rps_dev_free(rps);
            return NULL;
        }
    }
    return rps;
}

/* Whether any rx queue has an RPS map (and, in *flows, an RFS table). */
static bool dev_steers(const struct kern_rps_dev *dev, bool *flows)
{
    bool map = false, fl = false;
    for (unsigned q = 0; q < kern_rps_dev_num_rx_queues(dev); q++) {
        map |= kern_rps_dev_map(dev, q) != NULL;
        fl |= kern_rps_dev_flow_table((struct kern_rps_dev *)dev, q) != NULL;
    }
    if (flows)
        *flows = fl;
    return map || fl;
}

/* Another device of this host (the veth sender receives the ACKs): its sysfs_queues rx-N maps
 * when the bundle has them, else no RPS. */
static bool other_dev_model(struct replay *p, struct dev_model *d, GError **err)
{
    int nq = val_bundle_rx_queues(p->b, d->name);
    if (!nq)
        return true;
    if (!(d->rps = rps_dev_model(p, d->name, nq, err)))
        return false;
    d->steering = dev_steers(d->rps, NULL);
    return true;
}

static struct dev_model *dev_get(struct replay *p, const char *name, GError **err)
{
    for (guint i = 0; i < p->devs->len; i++) {
        struct dev_model *d = p->devs->pdata[i];
        if (strcmp(d->name, name) == 0)
            return d;
    }
    struct dev_model *d = g_new0(struct dev_model, 1);
    g_strlcpy(d->name, name, sizeof d->name);
    g_ptr_array_add(p->devs, d);
    return other_dev_model(p, d, err) ? d : NULL;
}

static bool parse_addr(const char *s, uint8_t *l3, uint8_t addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, s, addr) == 1) {
        *l3 = PKT_L3_IPV4;
        return true;
    }
    if (inet_pton(AF_INET6, s, addr) == 1) {
        *l3 = PKT_L3_IPV6;
        return true;
    }
    return false;
}

/* Connected TCP sockets of the receiver: "peer" is "ip:port" or "[ip6]:port". */
static void setup_tcp_socks(struct replay *p)
{
    int n = 0;
    const struct val_socket *s = val_bundle_sockets(p->b, &n);
    for (int i = 0; i < n; i++) {
        if (s[i].kind != VAL_SOCK_TCP)
            continue;
        const char *colon = strrchr(s[i].peer, ':');
        if (!colon)
            continue;
        char host[64];
        g_strlcpy(host, s[i].peer, MIN(sizeof host, (size_t)(colon - s[i].peer) + 1));
        char *h = host;
        if (*h == '[') {
            h++;
            char *e = strchr(h, ']');
            if (e)
                *e = 0;
        }
        struct tcp_sock t = {.fd = s[i].fd, .port = (uint16_t)atoi(colon + 1)};
        if (parse_addr(h, &t.l3, t.addr))
            g_array_append_val(p->tcp, t);
        else
            val_report_warn(p->r,
                            "workload.rx_result.sockets.%d.peer \"%s\" is not ip:port: "
                            "its reads are left out of RFS",
                            s[i].fd, s[i].peer);
    }
}

/* ixgbe with more than one queue runs ATR unless ntuple filters are on (ixgbe_sw_init,
 * ixgbe_set_rss_queues): TCP flows then follow the TX ring their replies left on. */
static bool setup_atr(struct replay *p, GError **err)
{
    const char *rx = val_bundle_rx_dev(p->b);
    if (strcmp(val_bundle_rx_driver(p->b), "ixgbe") != 0 || val_bundle_queues(p->b) < 2)
        return true;
    const char *k = val_bundle_ethtool(p->b, 'k', rx);
    bool ntuple = false, fixed = false;
    if (k) {
        char *name =
            g_strdup_printf("%s/config.json: /ethtool/ethtool_k_%s", val_bundle_dir(p->b), rx);
        struct val_ethtool_features *f = val_ethtool_k_parse(k, name, err);
        g_free(name);
        if (!f)
            return false;
        val_ethtool_feature(f, "ntuple-filters", &ntuple, &fixed);
        val_ethtool_features_free(f);
    }
    if (ntuple) {
        val_report_partial(p->r,
                           "ntuple-filters on %s: Flow Director perfect filters are not in "
                           "the bundle, queues are predicted by RSS only",
                           rx);
        return true;
    }
    struct steer_env env = {(unsigned)val_bundle_queues(p->b), (unsigned)val_bundle_queues(p->b),
                            (unsigned)p->ncpus, 0};
    p->atr = steer_fdir_ops.init(NULL, "/fdir", &env, err);
    if (p->atr)
        p->r->rx_queue_mode = "toeplitz+atr";
    if (!k)
        val_report_warn(p->r, "no ethtool -k of %s: ntuple-filters assumed off (ATR on)", rx);
    return p->atr != NULL;
}

/* Toeplitz mode when `ethtool -x` of the receiver shows a key and an indirection table. */
static bool setup_rss(struct replay *p, GError **err)
{
    const char *rx = val_bundle_rx_dev(p->b);
    const char *text = val_bundle_ethtool(p->b, 'x', rx);
    if (!text || strstr(text, "Operation not supported"))
        return true;
    char *name = g_strdup_printf("%s/config.json: /ethtool/ethtool_x_%s", val_bundle_dir(p->b), rx);
    p->ethx = nic_ethtool_x_parse(text, name, err);
    g_free(name);
    if (!p->ethx)
        return false;
    for (unsigned i = 0; i < nic_ethtool_x_n_tables(p->ethx); i++) {
        const struct nic_ethtool_x_table *t = nic_ethtool_x_table(p->ethx, i);
        if (t->context == 0 && t->has_key && t->key_len && !t->indir_unsupported && t->n_entries)
            p->reta = t;
    }
    if (!p->reta)
        return true;
    p->tz = nic_toeplitz_new(p->reta->key, p->reta->key_len, err);
    if (!p->tz)
        return false;
    p->r->rx_queue_mode = "toeplitz";
    if (!setup_atr(p, err))
        return false;
    if (p->reta->partial)
        val_report_partial(p->r,
                           "ethtool -x of %s elides rows: RX queues are compared only for "
                           "packets whose table entry is shown",
                           rx);
    return true;
}

/* Frames as join candidates: incoming ones against receive entries (frame - 14 = skb->len),
 * outgoing ones (from the receiver's address) against net_dev_start_xmit (len with the MAC
 * header: tcpdump sees them in xmit_one()). Stamps kept on the pcap clock (realtime). */
static bool read_pcap(struct replay *p, GError **err)
{
    struct traffic_pcap *pc = traffic_pcap_open(val_bundle_pcap_path(p->b), err);
    if (!pc)
        return false;
    uint8_t l3 = 0, me[16];
    const char *addr = val_bundle_rx_addr(p->b);
    bool have_me = addr && parse_addr(addr, &l3, me);
    struct pcap_rec rec;
    int rc;
    while ((rc = traffic_pcap_next(pc, &rec.pkt, err)) == 1) {
        rec.no = traffic_pcap_packet_no(pc);
        g_array_append_val(p->pcap, rec);
        p->r->pcap_packets++;
        guint idx = p->pcap->len - 1;
        if (have_me && rec.pkt.l3 == l3 &&
            memcmp(rec.pkt.saddr, me, l3 == PKT_L3_IPV4 ? 4 : 16) == 0) {
            p->r->pcap_outgoing++;
            g_array_append_val(p->tx_cand, idx);
            g_array_append_val(p->tx_ts, rec.pkt.ts_ns);
            g_array_append_val(p->tx_len, rec.pkt.wire_len);
            continue;
        }
        uint32_t l = rec.pkt.wire_len >= ETH_HLEN ? rec.pkt.wire_len - ETH_HLEN : 0;
        p->pcap_vlan += rec.pkt.has_vlan;
        g_array_append_val(p->cand, idx);
        g_array_append_val(p->in_ts, rec.pkt.ts_ns);
        g_array_append_val(p->in_len, l);
    }
    /* A cut capture (tcpdump killed) is compared as far as it goes. */
    if (rc == 0 && traffic_pcap_truncation(pc)) {
        val_report_warn(p->r, "%s", traffic_pcap_truncation(pc));
        val_report_partial(p->r, "%s", traffic_pcap_truncation(pc));
    }
    traffic_pcap_free(pc);
    return rc == 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static struct val_match *match_on_trace_clock(const GArray *ts, const GArray *len, int64_t off,
                                              uint64_t window)
{
    uint64_t *t = g_new(uint64_t, ts->len ? ts->len : 1);
    for (guint i = 0; i < ts->len; i++)
        t[i] = (uint64_t)((int64_t)g_array_index(ts, uint64_t, i) - off);
    struct val_match *m =
        val_match_new(t, (const uint32_t *)(const void *)len->data, ts->len, window);
    g_free(t);
    return m;
}

#define OFFSET_PROBE_ENTRIES 256   /* receive entries the estimate is scored on */
#define OFFSET_PROBE_CANDS   20000 /* offsets tried (frames of the first entry's length) */
#define OFFSET_PROBE_WINDOW  50000 /* ns: a probe entry counts when a frame is this close */

/* A trace clock other than CLOCK_MONOTONIC (local, global: sched_clock) has an unknown offset
 * to realtime: take the offset, among those pairing the first receive entry with a frame of
 * its length, under which most of the first entries find a frame of their length within
 * 50 us. Returns false (keeping *off) when too few entries agree. */
static bool estimate_offset(struct replay *p, int64_t *off, uint64_t *score, GError **err)
{
    struct val_trace_reader *tr = val_trace_open(val_bundle_trace_path(p->b), err);
    if (!tr)
        return false;
    uint64_t ets[OFFSET_PROBE_ENTRIES];
    uint32_t elen[OFFSET_PROBE_ENTRIES];
    unsigned ne = 0;
    struct val_trace_event ev;
    while (ne < OFFSET_PROBE_ENTRIES && val_trace_next(tr, &ev, NULL) == 1) {
        bool entry =
            ev.kind == VAL_EV_NAPI_GRO_RECEIVE_ENTRY || ev.kind == VAL_EV_NETIF_RECEIVE_SKB_ENTRY ||
            ev.kind == VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY || ev.kind == VAL_EV_NETIF_RX_ENTRY;
        if (entry && strcmp(ev.u.rx.dev, p->r->rx_dev) == 0) {
            ets[ne] = ev.ts_ns;
            elen[ne++] = ev.u.rx.len;
        }
    }
    val_trace_free(tr);
    *score = 0;
    if (ne < 8)
        return false;
    struct val_match *m = match_on_trace_clock(p->in_ts, p->in_len, 0, OFFSET_PROBE_WINDOW);
    unsigned tried = 0;
    int64_t best = *off;
    for (guint i = 0; i < p->in_ts->len && tried < OFFSET_PROBE_CANDS; i++) {
        if (g_array_index(p->in_len, uint32_t, i) != elen[0])
            continue;
        tried++;
        int64_t d = (int64_t)g_array_index(p->in_ts, uint64_t, i) - (int64_t)ets[0];
        uint64_t hits = 0;
        for (unsigned e = 0; e < ne; e++)
            hits += val_match_find(m, (uint64_t)((int64_t)ets[e] + d), elen[e]) >= 0;
        if (hits > *score) {
            *score = hits;
            best = d;
        }
    }
    if (*score * 2 < ne) {
        val_match_free(m);
        return false;
    }
    /* Centre it: the median gap between the probe entries and their frames under `best`. */
    int64_t gaps[OFFSET_PROBE_ENTRIES];
    unsigned ng = 0;
    for (unsigned e = 0; e < ne; e++) {
        int64_t c = val_match_find(m, (uint64_t)((int64_t)ets[e] + best), elen[e]);
        if (c >= 0)
            gaps[ng++] = (int64_t)g_array_index(p->in_ts, uint64_t, c) - (int64_t)ets[e] - best;
    }
    val_match_free(m);
    qsort(gaps, ng, sizeof gaps[0], cmp_i64);
    *off = best + gaps[ng / 2];
    return true;
}

static bool build_matches(struct replay *p, GError **err)
{
    int64_t off =
        (val_bundle_clock_offset_ns(p->b, false) + val_bundle_clock_offset_ns(p->b, true)) / 2;
    const char *clk = val_bundle_trace_clock(p->b);
    if (strcmp(clk, "mono") != 0 && strcmp(clk, "mono_raw") != 0 && strcmp(clk, "boot") != 0) {
        uint64_t score = 0;
        int64_t cfg_off = off;
        GError *e = NULL;
        if (estimate_offset(p, &off, &score, &e))
            val_report_warn(p->r,
                            "trace clock \"%s\" is not CLOCK_MONOTONIC: the pcap -> trace offset "
                            "was estimated from the data (%+.6f s from clock.*, %" G_GUINT64_FORMAT
                            " of the first receive entries agree)",
                            clk, (double)(off - cfg_off) / 1e9, score);
        else if (e)
            return g_propagate_error(err, e), false;
        else
            val_report_warn(p->r,
                            "trace clock \"%s\" is not CLOCK_MONOTONIC and no offset to the "
                            "pcap clock fits the data: the join may miss",
                            clk);
    }
    p->pcap_off = off;
    p->match = match_on_trace_clock(p->in_ts, p->in_len, off, p->o->match_window_ns);
    p->tx_match = match_on_trace_clock(p->tx_ts, p->tx_len, off, p->o->match_window_ns);
    return true;
}

/* The sender's queue choice (netdev_core_pick_tx) from its tx-<q>/xps_cpus masks. */
static bool setup_sender_xps(struct replay *p, GError **err)
{
    const char *tx = val_bundle_tx_dev(p->b);
    if (!tx || strcmp(val_bundle_rx_driver(p->b), "veth") != 0)
        return true;
    unsigned nq = (unsigned)val_bundle_queues(p->b);
    struct kern_cpumask *masks = g_new0(struct kern_cpumask, nq);
    bool any = false, ok = true;
    for (unsigned q = 0; ok && q < nq; q++) {
        GError *e = NULL;
        if (!val_bundle_xps(p->b, tx, (int)q, "xps_cpus", &masks[q], &e)) {
            g_clear_error(&e); /* not captured: no XPS map for this queue */
            continue;
        }
        kern_cpumask_and(&masks[q], &p->online);
        any |= !kern_cpumask_empty(&masks[q]);
        struct kern_cpumask rq;
        if (val_bundle_xps(p->b, tx, (int)q, "xps_rxqs", &rq, NULL) && !kern_cpumask_empty(&rq))
            val_report_partial(p->r, "%s tx-%u has an xps_rxqs map: not replayed", tx, q);
    }
    if (any) {
        p->xps_cpus = kern_xps_maps_new((unsigned)p->ncpus, nq, masks, err);
        ok = p->xps_cpus != NULL;
    }
    g_free(masks);
    p->xps = (struct kern_xps_dev){nq, p->xps_cpus, NULL};
    p->xps_model = ok;
    p->r->tx_queue_mode = any ? "xps" : "tx-hash";
    p->r->rx_queue_mode = any ? "veth: sender's xps" : "veth: sender's tx-hash";
    return ok;
}

/* settings.rx_pin of the capture script: the receivers' CPU list ("" or absent: all CPUs). */
static bool rx_pin_mask(struct replay *p, struct cpus_mask *m, GError **err)
{
    const char *pin =
        json_string_value(json_object_get(json_object_get(p->cfg, "settings"), "rx_pin"));
    cpus_mask_fill(m, p->ncpus);
    if (!pin || !*pin)
        return true;
    cpus_mask_clear(m);
    char **parts = g_strsplit(pin, ",", -1);
    bool ok = true;
    for (char **q = parts; ok && *q; q++) {
        unsigned a = 0, b = 0;
        int n = 0;
        if (sscanf(*q, "%u-%u%n", &a, &b, &n) == 2 && (*q)[n] == 0) {
        } else if (sscanf(*q, "%u%n", &a, &n) == 1 && (*q)[n] == 0) {
            b = a;
        } else {
            ok = false;
            break;
        }
        for (unsigned c = a; ok && c <= b; c++) {
            if (c >= (unsigned)p->ncpus)
                ok = false;
            else
                cpus_mask_set(m, (int)c);
        }
    }
    g_strfreev(parts);
    if (!ok)
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s/config.json: /settings/rx_pin \"%s\": expected a CPU list like 0,2-3 "
                    "within host.ncpus %d",
                    val_bundle_dir(p->b), pin, p->ncpus);
    return ok;
}

static bool setup_wakes(struct replay *p, const struct val_thread *th, int nt, GError **err)
{
    if (nt <= 0)
        return true;
    struct cpus_mask allowed;
    if (!rx_pin_mask(p, &allowed, err))
        return false;
    if (p->o->topo && cpus_topology_nr_cpus(p->o->topo) != p->ncpus) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "--topology has %d CPUs but %s/config.json /host/ncpus is %d",
                    cpus_topology_nr_cpus(p->o->topo), val_bundle_dir(p->b), p->ncpus);
        return false;
    }
    int *tids = g_new(int, nt);
    for (int i = 0; i < nt; i++)
        tids[i] = th[i].tid;
    p->wake = val_wake_model_new(p->ncpus, p->o->topo, tids, (unsigned)nt, &allowed, p->o->keep);
    g_free(tids);
    return true;
}

static bool setup(struct replay *p, GError **err)
{
    const struct val_sysctl *sc = val_bundle_sysctl(p->b);
    p->weight = sc->dev_weight * MAX(sc->dev_weight_rx_bias, 1); /* dev_rx_weight */
    p->budget = sc->netdev_budget;
    if (!kern_sock_flow_table_create(sc->rps_sock_flow_entries, (unsigned)p->ncpus, &p->sft, err)) {
        g_prefix_error(
            err, "%s/config.json: /sysctl_net_core/rps_sock_flow_entries: ", val_bundle_dir(p->b));
        return false;
    }
    struct kern_cpumask fl = sc->flow_limit_cpu_bitmap;
    kern_cpumask_and(&fl, &p->online);
    p->bl = kern_backlog_new((unsigned)p->ncpus, sc->netdev_max_backlog,
                             (unsigned)sc->flow_limit_table_len, &fl, err);
    if (!p->bl) {
        g_prefix_error(err, "%s/config.json: /sysctl_net_core: ", val_bundle_dir(p->b));
        return false;
    }
    kern_backlog_set_kernel(p->bl, val_bundle_kernel_version(p->b));
    struct dev_model *rx = g_new0(struct dev_model, 1);
    g_strlcpy(rx->name, val_bundle_rx_dev(p->b), sizeof rx->name);
    rx->is_rx = true;
    g_ptr_array_add(p->devs, rx);
    if (!(rx->rps = rps_dev_model(p, val_bundle_rx_dev(p->b), val_bundle_queues(p->b), err)))
        return false;
    bool any_flows = false;
    rx->steering = dev_steers(rx->rps, &any_flows);
    bool any_map = false;
    for (unsigned q = 0; q < kern_rps_dev_num_rx_queues(rx->rps); q++)
        any_map |= kern_rps_dev_map(rx->rps, q) != NULL;
    bool rfs = p->sft && any_flows;
    p->r->cpu_mode = any_map ? (rfs ? "rps+rfs" : "rps") : (rfs ? "rfs" : "none");
    int nt = 0;
    const struct val_thread *th = val_bundle_threads(p->b, &nt);
    for (int i = 0; i < nt; i++) {
        struct val_report_thread t = {.thread = th[i].thread, .tid = th[i].tid};
        g_array_append_val(p->r->threads, t);
    }
    setup_tcp_socks(p);
    p->nrx = val_nrx_model_new(p->ncpus, &p->o->cost, val_bundle_rx_dev(p->b));
    if (!setup_wakes(p, th, nt, err))
        return false;
    return setup_rss(p, err) && setup_sender_xps(p, err) && read_pcap(p, err) &&
           build_matches(p, err);
}

/* ---- trace events ---- */

static struct val_report_thread *receiver(struct replay *p, int tid)
{
    for (guint i = 0; i < p->r->threads->len; i++) {
        struct val_report_thread *t = &g_array_index(p->r->threads, struct val_report_thread, i);
        if (t->tid == tid)
            return t;
    }
    return NULL;
}

/* ixgbe defaults: Toeplitz over the TCP 4-tuple / UDP 2-tuple, queue = RETA[hash & (size-1)]
 * unless an ATR signature filter matches the flow. */
static int32_t compare_rss(struct replay *p, const struct val_trace_event *ev,
                           const struct pcap_rec *pr)
{
    static const struct nic_rss_fields fields = {false, false};
    uint8_t in[NIC_TOEPLITZ_INPUT_MAX];
    enum nic_rss_type type;
    size_t n = nic_toeplitz_pkt_input(&pr->pkt, &fields, in, &type);
    uint32_t h = n ? nic_toeplitz_hash(p->tz, in, n) : 0;
    val_agree_add(&p->r->hash, h, ev->u.rx.hash, pr->no, ev->line);
    if (h != ev->u.rx.hash && pr->pkt.l4 == 17) {
        /* `ethtool -N dev rx-flow-hash udp4 sdfn` puts the ports in; the bundle does not say. */
        static const struct nic_rss_fields l4 = {true, true};
        uint8_t in4[NIC_TOEPLITZ_INPUT_MAX];
        enum nic_rss_type t4;
        size_t n4 = nic_toeplitz_pkt_input(&pr->pkt, &l4, in4, &t4);
        if (n4 && nic_toeplitz_hash(p->tz, in4, n4) == ev->u.rx.hash)
            p->udp_l4_hash++;
    }
    int32_t q = 0;
    struct steer_ctx ctx = {h, (uint8_t)type};
    int fq = p->atr ? steer_fdir_ops.select_rxq(p->atr, &pr->pkt, &ctx) : STEER_NO_MATCH;
    if (fq >= 0) {
        q = fq; /* Flow Director match overrides RSS; the descriptor keeps the RSS hash */
        p->r->atr_steered++;
    } else if (n) {
        unsigned size = p->reta->n_entries;
        unsigned idx = (size & (size - 1)) == 0 ? (h & (size - 1)) : h % size;
        q = p->reta->entry[idx];
    }
    if (q != NIC_ETHTOOL_X_UNKNOWN)
        val_agree_add(&p->r->rx_queue, q, kern_rps_rx_queue((uint16_t)ev->u.rx.queue_mapping),
                      pr->no, ev->line);
    return q == NIC_ETHTOOL_X_UNKNOWN ? -1 : q;
}

/* A matched packet of the receiving device, kept for the NIC/ITR replay: the driver recorded
 * its ring (queue_mapping = ring + 1, skb_record_rx_queue), else the RSS model's choice. */
static void keep_hw_pkt(struct replay *p, const struct val_trace_event *ev,
                        const struct pcap_rec *pr, int32_t rss_q)
{
    struct val_irq_pkt k = {.pkt = pr->pkt, .hash = ev->u.rx.hash};
    if (ev->u.rx.queue_mapping) {
        /* clamped, not wrapped: a corrupt value stays a queue beyond the device's */
        k.rxq = (uint16_t)MIN(ev->u.rx.queue_mapping - 1, 0xffffu);
        p->hw_q_recorded++;
    } else if (rss_q >= 0) {
        k.rxq = (uint16_t)rss_q;
        p->hw_q_rss++;
    } else {
        return;
    }
    g_array_append_val(p->hw_pkts, k);
}

/* The flow's sending socket: its cached queue (sk_tx_queue_mapping) lives across packets. */
static struct kern_xps_sock *sender_sock(struct replay *p, const struct traffic_pkt *pk)
{
    struct {
        uint8_t saddr[16], daddr[16];
        uint16_t sport, dport;
        uint8_t l4, pad[3];
    } key;
    memset(&key, 0, sizeof key);
    memcpy(key.saddr, pk->saddr, 16);
    memcpy(key.daddr, pk->daddr, 16);
    key.sport = pk->sport;
    key.dport = pk->dport;
    key.l4 = pk->l4;
    GBytes *k = g_bytes_new(&key, sizeof key);
    struct kern_xps_sock *sk = g_hash_table_lookup(p->sender_socks, k);
    if (!sk) {
        sk = g_new(struct kern_xps_sock, 1);
        /* a flow's socket is connected (cached route): it may cache its queue */
        *sk = (struct kern_xps_sock){-1, -1, true};
        g_hash_table_insert(p->sender_socks, g_bytes_ref(k), sk);
    }
    g_bytes_unref(k);
    return sk;
}

/* netdev_core_pick_tx() on the sender for this skb (veth_xmit hands the same skb over, so the
 * receive entry's skbaddr and hash are the sender's): TCP sets ooo_okay when nothing of the
 * socket is in flight, assumed here for every segment; UDP never does, so a connected UDP
 * socket keeps the queue of its first send. */
static void compare_sender_queue(struct replay *p, const struct val_trace_event *ev,
                                 const struct pcap_rec *pr)
{
    gpointer key = (gpointer)(uintptr_t)ev->u.rx.skbaddr;
    gpointer v = g_hash_table_lookup(p->sender_xmit, key);
    if (!v)
        return;
    g_hash_table_remove(p->sender_xmit, key);
    unsigned packed = GPOINTER_TO_UINT(v) - 1;
    struct kern_tx_skb skb = {.hash = ev->u.rx.hash,
                              .queue_mapping = 0,
                              .ooo_okay = pr->pkt.l4 == 6,
                              .sender_cpu = packed >> 16};
    uint16_t q = kern_netdev_core_pick_tx(&p->xps, sender_sock(p, &pr->pkt), &skb);
    val_agree_add(&p->r->tx_queue, q, packed & 0xffff, pr->no, ev->line);
    /* veth_xmit: the peer's rx queue is the skb's queue_mapping (the sender's tx queue),
     * recorded as queue_mapping = q by the receive entry */
    val_agree_add(&p->r->rx_queue, q, ev->u.rx.queue_mapping, pr->no, ev->line);
}

/* process_backlog() took a packet off the model backlog of cpu. */
static void model_dequeue(struct replay *p, unsigned cpu)
{
    if (kern_backlog_dequeue(p->bl, cpu))
        p->dequeued[cpu]++;
}

/* An entry the trace never delivered (GRO merged it into another skb, it was dropped, or the
 * trace ended first): GRO and drops before the stack are not modelled, so its steering is taken
 * back from the model's counts and backlogs. */
static void forget_unpaired(struct replay *p, const struct inflight *f)
{
    p->r->unpaired += f->rx_dev;
    if (f->model_cpu >= 0)
        p->r->cpus[f->model_cpu].model_processed--;
    if (f->backlog_cpu >= 0) {
        model_dequeue(p, (unsigned)f->backlog_cpu);
        if (p->backlog_model[f->backlog_cpu])
            p->backlog_model[f->backlog_cpu]--;
    }
}

static bool on_rx_entry(struct replay *p, const struct val_trace_event *ev, GError **err)
{
    const struct val_ev_rx *rx = &ev->u.rx;
    struct dev_model *d = dev_get(p, rx->dev, err);
    if (!d)
        return false;
    struct val_report *r = p->r;
    r->trace_entries_all++;
    int64_t pkt = -1;
    if (d->is_rx) {
        r->trace_entries++;
        int64_t c = p->match ? val_match_take(p->match, ev->ts_ns, rx->len) : -1;
        /* A tag the NIC stripped (rxvlan) is not in skb->len but tcpdump shows it again. */
        if (c < 0 && p->pcap_vlan)
            c = val_match_take(p->match, ev->ts_ns, rx->len + 4);
        if (c >= 0) {
            pkt = g_array_index(p->cand, guint, c);
            r->matched++;
        }
    }
    /* netif_receive_skb_internal() / netif_rx_internal(): the model's receive step. */
    if (d->rps && !rx->hash && d->steering)
        p->hash0++;
    bool to_backlog = ev->kind == VAL_EV_NETIF_RX_ENTRY;
    struct kern_rps_steer s = kern_rps_steer_skb(d->rps, p->sft, p->bl, (uint16_t)rx->queue_mapping,
                                                 rx->hash, (unsigned)ev->cpu, to_backlog);
    int backlog = s.backlog, model = s.cpu;
    if (s.cpu < 0)
        r->model_drops++;
    if (backlog >= 0) {
        p->backlog_model[backlog]++;
        if (s.rps_cpu >= 0)
            val_nrx_model_rps_enqueue(p->nrx, ev->cpu, s.rps_cpu);
    }
    if (model >= 0)
        r->cpus[model].model_processed++;
    int32_t rss_q = -1;
    if (pkt >= 0 && p->tz)
        rss_q = compare_rss(p, ev, &g_array_index(p->pcap, struct pcap_rec, pkt));
    if (pkt >= 0 && d->is_rx)
        keep_hw_pkt(p, ev, &g_array_index(p->pcap, struct pcap_rec, pkt), rss_q);
    if (pkt >= 0 && d->is_rx && p->xps_model)
        compare_sender_queue(p, ev, &g_array_index(p->pcap, struct pcap_rec, pkt));
    struct inflight *f = g_new(struct inflight, 1);
    *f = (struct inflight){ev->line, pkt, model, backlog, rx->hash, d->is_rx};
    gpointer key = (gpointer)(uintptr_t)rx->skbaddr;
    struct inflight *old = g_hash_table_lookup(p->inflight, key);
    if (old)
        forget_unpaired(p, old); /* freed (merged by GRO, dropped) before netif_receive_skb */
    g_hash_table_insert(p->inflight, key, f);
    return true;
}

/* tcp_v4_do_rcv() -> sock_rps_save_rxhash(): the socket remembers its flow's hash. */
static void save_rxhash(struct replay *p, const struct traffic_pkt *pk, uint32_t hash)
{
    if (pk->l4 != 6)
        return;
    for (guint i = 0; i < p->tcp->len; i++) {
        struct tcp_sock *t = &g_array_index(p->tcp, struct tcp_sock, i);
        if (t->l3 == pk->l3 && t->port == pk->sport &&
            memcmp(t->addr, pk->saddr, pk->l3 == PKT_L3_IPV4 ? 4 : 16) == 0)
            t->rxhash = hash;
    }
}

static void on_receive_skb(struct replay *p, const struct val_trace_event *ev)
{
    struct val_report *r = p->r;
    r->cpus[ev->cpu].trace_processed++;
    if (g_str_has_prefix(ev->comm, "ksoftirqd/"))
        r->cpus[ev->cpu].trace_processed_ksoftirqd++;
    gpointer key = (gpointer)(uintptr_t)ev->u.skb.skbaddr;
    struct inflight *f = g_hash_table_lookup(p->inflight, key);
    if (!f)
        return;
    if (f->backlog_cpu >= 0)
        model_dequeue(p, (unsigned)f->backlog_cpu);
    if (f->rx_dev) {
        const struct pcap_rec *pr =
            f->pkt >= 0 ? &g_array_index(p->pcap, struct pcap_rec, f->pkt) : NULL;
        val_agree_add(&r->cpu_all, f->model_cpu, ev->cpu, pr ? pr->no : 0, f->line);
        if (pr) {
            val_agree_add(&r->cpu, f->model_cpu, ev->cpu, pr->no, f->line);
            save_rxhash(p, &pr->pkt, f->hash);
        }
    }
    g_hash_table_remove(p->inflight, key);
}

/* ixgbe_xmit_frame_ring() -> ixgbe_atr(): every frame sent on TX ring q counts towards the
 * ring's sample; a sampled TCP flow gets a signature filter to RX queue q. */
static void on_start_xmit(struct replay *p, const struct val_trace_event *ev)
{
    if (p->xps_model && strcmp(ev->u.skb.dev, val_bundle_tx_dev(p->b)) == 0)
        g_hash_table_insert(
            p->sender_xmit, (gpointer)(uintptr_t)ev->u.skb.skbaddr,
            GUINT_TO_POINTER(((unsigned)ev->cpu << 16 | ev->u.skb.queue_mapping) + 1));
    if (strcmp(ev->u.skb.dev, p->r->rx_dev) != 0)
        return;
    /* the driver's ring: ndo_start_xmit(skb) on netdev_get_tx_queue(dev, queue_mapping) */
    struct val_irq_tx t = {(uint64_t)((int64_t)ev->ts_ns + p->pcap_off), ev->u.skb.len,
                           (uint16_t)MIN(ev->u.skb.queue_mapping, 0xffffu)};
    g_array_append_val(p->hw_tx, t);
    p->last_start[ev->cpu] = ev->u.skb.skbaddr;
    p->last_start_idx[ev->cpu] = p->hw_tx->len;
    if (!p->atr)
        return;
    int64_t c = val_match_take(p->tx_match, ev->ts_ns, ev->u.skb.len);
    static const struct traffic_pkt unknown; /* not in the pcap: counted, never sampled */
    const struct traffic_pkt *pk = &unknown;
    if (c >= 0) {
        pk = &g_array_index(p->pcap, struct pcap_rec, g_array_index(p->tx_cand, guint, c)).pkt;
        p->r->tx_matched++;
    }
    steer_fdir_ops.observe_tx(p->atr, pk, ev->u.skb.queue_mapping);
}

/* net_dev_xmit rc=0 (NETDEV_TX_OK) on the receiving device: the frame reached its TX ring. Used
 * for the IRQ model when the trace has no net_dev_start_xmit (which records the queue). */
static void on_xmit(struct replay *p, const struct val_trace_event *ev)
{
    if (strcmp(ev->u.skb.dev, p->r->rx_dev) != 0)
        return;
    guint *idx = &p->last_start_idx[ev->cpu];
    if (ev->u.skb.rc != 0) {
        /* NETDEV_TX_BUSY from xmit_one() right after its start_xmit on this CPU: the ring
         * refused the skb (it is requeued and sent again later), nothing was posted */
        guint gone = *idx;
        *idx = 0;
        if (!gone || p->last_start[ev->cpu] != ev->u.skb.skbaddr)
            return;
        g_array_remove_index(p->hw_tx, gone - 1);
        for (int c = 0; c < p->ncpus; c++)
            p->last_start_idx[c] -= p->last_start_idx[c] > gone;
        return;
    }
    *idx = 0;
    int64_t c = p->tx_match ? val_match_find(p->tx_match, ev->ts_ns, ev->u.skb.len) : -1;
    struct hw_xmit x = {(uint64_t)((int64_t)ev->ts_ns + p->pcap_off), ev->u.skb.len, ev->cpu,
                        c >= 0 ? (int64_t)g_array_index(p->tx_cand, guint, c) : -1};
    g_array_append_val(p->hw_xmit, x);
}

static void on_napi_poll(struct replay *p, const struct val_trace_event *ev)
{
    struct val_report *r = p->r;
    if (strcmp(ev->u.napi_poll.dev, "(no_device)") == 0) {
        /* process_backlog() ends: rps_input_queue_head_add(sd, work) (Linux >= 6.10). */
        kern_backlog_poll_done(p->bl, (unsigned)ev->cpu, p->dequeued[ev->cpu]);
        p->dequeued[ev->cpu] = 0;
        if (!ev->u.napi_poll.has_work)
            return;
        val_hist_add(r->napi_trace, (uint64_t)MAX(ev->u.napi_poll.work, 0));
        r->cpus[ev->cpu].backlog_polls++;
        if (ev->u.napi_poll.work >= ev->u.napi_poll.budget)
            r->polls_full++;
    } else if (ev->u.napi_poll.has_work && strcmp(ev->u.napi_poll.dev, r->rx_dev) == 0) {
        val_hist_add(r->napi_device, (uint64_t)MAX(ev->u.napi_poll.work, 0));
    }
}

/* One NET_RX run: net_rx_action() polls the CPU's backlog once (a full poll re-raises the
 * softirq, it is not repolled in the same round); process_backlog() takes what was queued by
 * the end of the run, at most the quota dev_rx_weight and the round's netdev_budget. */
static void on_softirq(struct replay *p, const struct val_trace_event *ev)
{
    if (ev->u.softirq.vec != NET_RX_SOFTIRQ)
        return;
    int c = ev->cpu;
    if (ev->kind == VAL_EV_SOFTIRQ_ENTRY) {
        p->softirq_start[c] = ev->ts_ns + 1;
        p->softirq_in_ksoftirqd[c] = g_str_has_prefix(ev->comm, "ksoftirqd/");
        return;
    }
    if (!p->softirq_start[c])
        return; /* the run began before the trace */
    uint64_t dur = ev->ts_ns + 1 - p->softirq_start[c];
    p->softirq_start[c] = 0;
    struct val_report_cpu *pc = &p->r->cpus[c];
    pc->net_rx_ns += dur;
    if (p->softirq_in_ksoftirqd[c])
        pc->net_rx_ksoftirqd_ns += dur;
    pc->net_rx_runs++;
    val_hist_add(p->r->net_rx_us, dur / 1000);
    if (p->backlog_model[c]) {
        uint64_t take = MIN(p->backlog_model[c], (uint64_t)MIN(p->weight, p->budget));
        val_hist_add(p->r->napi_model, take);
        p->backlog_model[c] -= take;
    }
}

/* sock_rps_record_flow() in recvmsg/read on an established TCP socket (unconnected UDP never
 * records). */
static void on_syscall(struct replay *p, const struct val_trace_event *ev)
{
    struct val_report_thread *t = receiver(p, ev->tid);
    if (!t && p->r->threads->len)
        return;
    if (t)
        t->socket_reads++;
    switch (ev->u.sys.nr) {
    case VAL_SYS_RECVFROM:
    case VAL_SYS_RECVMSG:
    case VAL_SYS_RECVMMSG:
    case VAL_SYS_READ:
    case VAL_SYS_READV:
        break;
    default:
        return;
    }
    for (guint i = 0; p->sft && i < p->tcp->len; i++) {
        const struct tcp_sock *s = &g_array_index(p->tcp, struct tcp_sock, i);
        if (s->fd == ev->u.sys.fd && s->rxhash)
            kern_rps_record_flow(p->sft, s->rxhash, (unsigned)ev->cpu);
    }
}

static bool on_event(struct replay *p, const struct val_trace_event *ev, GError **err)
{
    if (ev->cpu >= p->ncpus) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s:%" G_GUINT64_FORMAT ": event on CPU %d but config.json /host/ncpus is %d "
                    "(trace from another host?)",
                    val_bundle_trace_path(p->b), ev->line, ev->cpu, p->ncpus);
        return false;
    }
    if (ev->cpu < 0) {
        p->no_cpu++;
        return true;
    }
    int64_t nrx_ns = val_nrx_model_event(p->nrx, ev);
    if (nrx_ns >= 0)
        val_hist_add(p->r->net_rx_model_us, (uint64_t)nrx_ns / 1000);
    if (p->wake)
        val_wake_model_event(p->wake, ev);
    switch (ev->kind) {
    case VAL_EV_NAPI_GRO_RECEIVE_ENTRY:
    case VAL_EV_NETIF_RECEIVE_SKB_ENTRY:
    case VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY:
    case VAL_EV_NETIF_RX_ENTRY:
        return on_rx_entry(p, ev, err);
    case VAL_EV_NETIF_RECEIVE_SKB:
        on_receive_skb(p, ev);
        break;
    case VAL_EV_NET_DEV_START_XMIT:
        on_start_xmit(p, ev);
        break;
    case VAL_EV_NET_DEV_XMIT:
        on_xmit(p, ev);
        break;
    case VAL_EV_NAPI_POLL:
        on_napi_poll(p, ev);
        break;
    case VAL_EV_SOFTIRQ_ENTRY:
    case VAL_EV_SOFTIRQ_EXIT:
        on_softirq(p, ev);
        break;
    case VAL_EV_IRQ_HANDLER_ENTRY: {
        gpointer n = g_hash_table_lookup(p->irq_names, ev->u.irq.name);
        g_hash_table_insert(p->irq_names, g_strdup(ev->u.irq.name),
                            GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
        break;
    }
    case VAL_EV_SCHED_MIGRATE_TASK: {
        struct val_report_thread *t = receiver(p, ev->u.wake.pid);
        if (t)
            t->migrations++;
        break;
    }
    case VAL_EV_SYSCALL_ENTER:
        on_syscall(p, ev);
        break;
    default:
        break;
    }
    return true;
}

static bool run_trace(struct replay *p, GError **err)
{
    struct val_trace_reader *tr = val_trace_open(val_bundle_trace_path(p->b), err);
    if (!tr)
        return false;
    struct val_trace_event ev;
    int rc;
    bool ok = true;
    while (ok && (rc = val_trace_next(tr, &ev, err)) == 1)
        ok = on_event(p, &ev, err);
    ok = ok && rc == 0;
    const struct val_trace_stats *st = val_trace_get_stats(tr);
    struct val_report *r = p->r;
    r->trace_lines = st->lines;
    r->trace_events = st->events;
    r->trace_garbled = st->garbled;
    r->trace_unknown = st->unknown_events;
    r->trace_lost = st->lost_events;
    if (st->lost_events)
        val_report_warn(r, "%s reports %" G_GUINT64_FORMAT " lost events: counts are low",
                        val_bundle_trace_path(p->b), st->lost_events);
    for (guint i = 0; i < st->warnings->len; i++)
        val_report_warn(r, "%s", (const char *)st->warnings->pdata[i]);
    if (st->backwards)
        val_report_warn(r,
                        "%s:%" G_GUINT64_FORMAT ": timestamp %.3f us before the event above it "
                        "(%" G_GUINT64_FORMAT " such lines): the trace is not in time order "
                        "(concatenated or edited?), so the time join may miss packets",
                        val_bundle_trace_path(p->b), st->backwards_line,
                        (double)st->backwards_ns / 1e3, st->backwards);
    if (st->garbled > st->warnings->len)
        val_report_warn(r, "%" G_GUINT64_FORMAT " garbled trace lines skipped in all", st->garbled);
    p->n_receive_skb = st->by_kind[VAL_EV_NETIF_RECEIVE_SKB];
    p->n_napi_poll = st->by_kind[VAL_EV_NAPI_POLL];
    p->n_softirq = st->by_kind[VAL_EV_SOFTIRQ_ENTRY] + st->by_kind[VAL_EV_SOFTIRQ_EXIT];
    p->n_syscall = st->by_kind[VAL_EV_SYSCALL_ENTER];
    if (p->wake && st->by_kind[VAL_EV_SCHED_WAKEUP]) {
        r->wakes_applicable = true;
        val_agree_clear(&r->wakes.agree);
        r->wakes = *val_wake_model_stats(p->wake);
        val_agree_init(&((struct val_wake_stats *)val_wake_model_stats(p->wake))->agree, 0);
    }
    if (ok && !st->by_kind[VAL_EV_IRQ_HANDLER_ENTRY])
        g_hash_table_remove_all(p->irq_names);
    val_trace_free(tr);
    return ok;
}

/* ---- after the trace ---- */

static void count_unpaired(struct replay *p)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, p->inflight);
    while (g_hash_table_iter_next(&it, NULL, &v))
        forget_unpaired(p, v);
}

static void snapshots(struct replay *p, bool irq_traced)
{
    struct val_report *r = p->r;
    GError *e = NULL;
    struct val_softnet *d =
        val_softnet_delta(val_bundle_softnet(p->b, false), val_bundle_softnet(p->b, true), &e);
    if (!d) {
        val_report_partial(r, "softnet_stat delta: %s", e->message);
        g_clear_error(&e);
    }
    for (int c = 0; d && c < r->ncpus; c++) {
        const struct val_softnet_row *row = val_softnet_cpu(d, c);
        if (!row)
            continue;
        r->cpus[c].softnet_processed = row->processed;
        r->cpus[c].softnet_dropped = row->dropped;
        r->cpus[c].softnet_time_squeeze = row->time_squeeze;
    }
    val_softnet_free(d);
    const struct val_softirqs *sb = val_bundle_softirqs(p->b, false),
                              *sa = val_bundle_softirqs(p->b, true);
    uint64_t *out = g_new0(uint64_t, r->ncpus);
    if (sb && sa && val_softirqs_delta(sb, sa, "NET_RX", out, r->ncpus, NULL))
        for (int c = 0; c < r->ncpus; c++)
            r->cpus[c].softirqs_net_rx = (int64_t)out[c];
    const struct val_interrupts *ib = val_bundle_interrupts(p->b, false),
                                *ia = val_bundle_interrupts(p->b, true);
    GPtrArray *vec = ia ? val_interrupts_dev_queues(ia, r->rx_dev, NULL) : NULL;
    for (guint i = 0; vec && ib && i < vec->len; i++) {
        const struct val_irq_row *row = vec->pdata[i];
        if (!row || !row->actions[0])
            continue;
        struct val_report_vector v = {.trace = -1, .index = (int)i, .model = -1, .model_cpu = -1};
        g_strlcpy(v.name, row->actions[0], sizeof v.name);
        v.txrx = strstr(v.name, "-TxRx-") != NULL;
        if (!val_interrupts_delta(ib, ia, row->label, out, r->ncpus, NULL))
            continue;
        for (int c = 0; c < r->ncpus; c++)
            v.procfs += (int64_t)out[c];
        if (irq_traced)
            v.trace = GPOINTER_TO_INT(g_hash_table_lookup(p->irq_names, v.name));
        g_array_append_val(r->vectors, v);
    }
    r->irq_applicable = r->vectors->len > 0;
    if (vec)
        g_ptr_array_free(vec, TRUE);
    g_free(out);
}

static int cmp_hw_pkt(const void *a, const void *b)
{
    uint64_t x = ((const struct val_irq_pkt *)a)->pkt.ts_ns,
             y = ((const struct val_irq_pkt *)b)->pkt.ts_ns;
    return (x > y) - (x < y);
}

/* A TCP segment among the replayed receives: the host must have sent ACKs. */
static bool hw_tcp_received(const struct replay *p)
{
    for (guint i = 0; i < p->hw_pkts->len; i++)
        if (g_array_index(p->hw_pkts, struct val_irq_pkt, i).pkt.l4 == 6)
            return true;
    return false;
}

/* Why the NIC/ITR replay does not apply to this bundle, NULL when it does. */
static char *irq_model_why_not(const struct replay *p, const struct val_irq_model_cfg *c)
{
    const struct val_report *r = p->r;
    if (!strcmp(r->rx_driver, "veth"))
        return g_strdup("veth has no hardware interrupts: its NAPI is scheduled by the sender's "
                        "veth_xmit");
    bool txrx = false;
    for (guint i = 0; i < r->vectors->len; i++)
        txrx |= g_array_index(r->vectors, struct val_report_vector, i).txrx;
    if (!txrx)
        return g_strdup_printf("no %s-TxRx-N vector in /proc/interrupts before/after: the model "
                               "is an ixgbe-like NIC with combined TxRx vectors",
                               r->rx_dev);
    if (c->n_cpus > VAL_IRQ_MODEL_MAX_CPUS || c->n_queues > NIC_MAX_VECTORS)
        return g_strdup_printf("%u CPUs, %u queues: the simulated host takes at most %d CPUs "
                               "and %d queues",
                               c->n_cpus, c->n_queues, VAL_IRQ_MODEL_MAX_CPUS, NIC_MAX_VECTORS);
    if (!p->hw_pkts->len)
        return g_strdup("no matched packet with a known RX queue (queue_mapping 0 and no RSS "
                        "table)");
    return NULL;
}

static void irq_model_results(struct replay *p, const struct val_irq_model_result *res)
{
    struct val_report *r = p->r;
    struct val_report_irq_model *im = &r->irq_model;
    im->vectors = res->n_vectors;
    im->ring_drops = res->ring_drops;
    unsigned unmodelled = 0;
    for (guint i = 0; i < r->vectors->len; i++) {
        struct val_report_vector *v = &g_array_index(r->vectors, struct val_report_vector, i);
        if (!v->txrx)
            continue;
        if ((unsigned)v->index >= res->n_vectors) {
            unmodelled++;
            continue;
        }
        v->model = (int64_t)res->irqs[v->index];
        v->model_cpu = (int)res->irq_cpu[v->index];
    }
    if (unmodelled)
        val_report_partial(r,
                           "%u %s-TxRx vector(s) beyond the model's %u q_vectors (min(queues, "
                           "CPUs)): no model IRQ count for them",
                           unmodelled, r->rx_dev, res->n_vectors);
    for (unsigned w = 0; w < NICDRV_POLL_HIST_BINS; w++)
        val_hist_add_n(r->napi_device_model, w, res->poll_hist[w]);
    if (r->trace_entries - r->matched > r->trace_entries / 100) /* as the join warning */
        val_report_partial(r,
                           "IRQ/ITR model replays the %" G_GUINT64_FORMAT
                           " matched of %" G_GUINT64_FORMAT
                           " %s receive entries: its IRQ counts and poll sizes miss the rest",
                           r->matched, r->trace_entries, r->rx_dev);
    if (!r->irq_model.tx_frames && r->pcap_outgoing)
        val_report_warn(r,
                        "the pcap holds %" G_GUINT64_FORMAT " frames sent by %s but the trace "
                        "has no net_dev_start_xmit/net_dev_xmit on it: TX-completion interrupts "
                        "of the TxRx vectors are missing (model IRQs are a lower bound)",
                        r->pcap_outgoing, r->rx_dev);
    else if (!r->irq_model.tx_frames && hw_tcp_received(p))
        g_ptr_array_add(r->irq_model.notes,
                        g_strdup_printf("%s received TCP but neither the trace nor the pcap shows "
                                        "it sending (an inbound-only capture?): any ACKs' "
                                        "TX-completion interrupts are missing (model IRQs are a "
                                        "lower bound)",
                                        r->rx_dev));
    if (res->tx_ring_full)
        val_report_warn(r,
                        "%" G_GUINT64_FORMAT " replayed transmits found the model's TX ring "
                        "full (ring %u): their write-backs are missing",
                        res->tx_ring_full, r->irq_model.ring_size);
}

static int cmp_hw_tx(const void *a, const void *b)
{
    uint64_t x = ((const struct val_irq_tx *)a)->ts_ns, y = ((const struct val_irq_tx *)b)->ts_ns;
    return (x > y) - (x < y);
}

/* The receiving device's tx-<q>/xps_cpus maps (NULL when none is captured or all are empty). */
static struct kern_xps_maps *rx_dev_xps(struct replay *p, unsigned nq, GError **err)
{
    const char *dev = p->r->rx_dev;
    json_t *qs = json_object_get(json_object_get(p->cfg, "sysfs_queues"), dev);
    struct kern_cpumask *masks = g_new0(struct kern_cpumask, nq);
    bool any = false, ok = true;
    for (unsigned q = 0; ok && q < nq; q++) {
        char k[16];
        g_snprintf(k, sizeof k, "tx-%u", q);
        if (!json_object_get(json_object_get(qs, k), "xps_cpus"))
            continue;
        ok = val_bundle_xps(p->b, dev, (int)q, "xps_cpus", &masks[q], err);
        kern_cpumask_and(&masks[q], &p->online);
        any |= !kern_cpumask_empty(&masks[q]);
    }
    struct kern_xps_maps *m =
        ok && any ? kern_xps_maps_new((unsigned)p->ncpus, nq, masks, err) : NULL;
    g_free(masks);
    return m;
}

/* Transmits seen only as net_dev_xmit: netdev_core_pick_tx() (models/kernel/xps.c) as the host
 * ran it, XPS by the sending CPU from tx-<q>/xps_cpus, else skb_tx_hash(). A socket's
 * sk_txhash is random per connection and not in the bundle: the flow's 4-tuple hash (of the
 * outgoing pcap frame) stands for it, so without XPS a flow's queue is right in distribution
 * only. False + error when an xps_cpus map is malformed. */
static bool pick_xmit_queues(struct replay *p, unsigned nq, const char **source, GError **err)
{
    struct kern_xps_maps *xps = rx_dev_xps(p, nq, err);
    if (!xps && err && *err)
        return false;
    struct kern_xps_dev xd = {nq, xps, NULL};
    uint64_t unknown = 0;
    for (guint i = 0; i < p->hw_xmit->len; i++) {
        const struct hw_xmit *x = &g_array_index(p->hw_xmit, struct hw_xmit, i);
        const struct traffic_pkt *pk =
            x->pkt >= 0 ? &g_array_index(p->pcap, struct pcap_rec, x->pkt).pkt : NULL;
        struct traffic_flow_key fk;
        if (pk)
            fk = traffic_flow_key_of(pk);
        struct kern_tx_skb skb = {.hash = pk ? traffic_flow_key_hash(&fk) : 0,
                                  .ooo_okay = pk && pk->l4 == 6,
                                  .sender_cpu = (unsigned)MAX(x->cpu, 0)};
        unknown += !pk;
        uint16_t q = kern_netdev_core_pick_tx(&xd, pk ? sender_sock(p, pk) : NULL, &skb);
        struct val_irq_tx t = {x->ts_ns, x->len, q};
        g_array_append_val(p->hw_tx, t);
    }
    kern_xps_maps_free(xps);
    *source = xps ? "xps" : "tx-hash";
    if (unknown)
        val_report_warn(p->r,
                        "%" G_GUINT64_FORMAT " of %u net_dev_xmit on %s match no outgoing pcap "
                        "frame: their TX queue is skb_tx_hash() of hash 0 unless XPS decides",
                        unknown, p->hw_xmit->len, p->r->rx_dev);
    return true;
}

/* The reverse direction's key: a transmitted frame's flow as its received frames carry it. */
static struct traffic_flow_key reverse_key(const struct traffic_pkt *pk)
{
    struct traffic_flow_key k = traffic_flow_key_of(pk), r = k;
    memcpy(r.saddr, k.daddr, sizeof r.saddr);
    memcpy(r.daddr, k.saddr, sizeof r.daddr);
    r.sport = k.dport;
    r.dport = k.sport;
    return r;
}

/* No transmit event on the device in the trace, but the pcap saw the host send (tcpdump taps
 * dev_queue_xmit_nit, just before ndo_start_xmit): each outgoing frame at its pcap stamp, on
 * the ring its flow is received on. ixgbe pins tx-q's XPS to ring q's vector CPU
 * (ixgbe_configure_tx_ring -> netif_set_xps_queue) and an ACK or reply is mostly sent on the
 * CPU that received the flow; a flow never received goes by skb_tx_hash() of its 4-tuple. */
static void pcap_transmits(struct replay *p, unsigned nq, const char **source)
{
    GHashTable *rxq =
        g_hash_table_new_full(traffic_flow_key_hash, traffic_flow_key_equal, g_free, NULL);
    for (guint i = 0; i < p->hw_pkts->len; i++) {
        const struct val_irq_pkt *k = &g_array_index(p->hw_pkts, struct val_irq_pkt, i);
        struct traffic_flow_key *fk = g_new(struct traffic_flow_key, 1);
        *fk = traffic_flow_key_of(&k->pkt);
        g_hash_table_replace(rxq, fk, GUINT_TO_POINTER((guint)k->rxq + 1));
    }
    uint64_t hashed = 0;
    for (guint i = 0; i < p->tx_cand->len; i++) {
        const struct traffic_pkt *pk =
            &g_array_index(p->pcap, struct pcap_rec, g_array_index(p->tx_cand, guint, i)).pkt;
        struct traffic_flow_key rk = reverse_key(pk);
        guint q1 = GPOINTER_TO_UINT(g_hash_table_lookup(rxq, &rk));
        if (!q1) {
            struct traffic_flow_key fk = traffic_flow_key_of(pk);
            struct kern_tx_skb skb = {.hash = traffic_flow_key_hash(&fk)};
            struct kern_xps_dev xd = {nq, NULL, NULL};
            q1 = (guint)kern_netdev_core_pick_tx(&xd, NULL, &skb) + 1u;
            hashed++;
        }
        struct val_irq_tx t = {pk->ts_ns, pk->wire_len, (uint16_t)(q1 - 1)};
        g_array_append_val(p->hw_tx, t);
    }
    g_hash_table_destroy(rxq);
    *source = "pcap";
    val_report_warn(p->r,
                    "no net_dev_start_xmit/net_dev_xmit on %s in the trace: its %u transmits "
                    "are taken from the pcap, each on its flow's RX ring (%" G_GUINT64_FORMAT
                    " by skb_tx_hash), so TX-completion interrupts per vector are estimates",
                    p->r->rx_dev, p->tx_cand->len, hashed);
}

/* The host's transmits on the receiving device for the IRQ model, on the pcap clock, time
 * order, queues < nq: net_dev_start_xmit records the ring; without it, net_dev_xmit with the
 * queue netdev_core_pick_tx() gives; without either, the pcap's outgoing frames. *source says
 * which. */
static GArray *hw_transmits(struct replay *p, unsigned nq, const char **source, GError **err)
{
    *source = "none";
    if (p->hw_tx->len)
        *source = "recorded";
    else if (p->hw_xmit->len && !pick_xmit_queues(p, nq, source, err))
        return NULL;
    else if (!p->hw_xmit->len && p->tx_cand->len)
        pcap_transmits(p, nq, source);
    GArray *tx = p->hw_tx;
    g_array_sort(tx, cmp_hw_tx);
    guint kept = 0;
    for (guint i = 0; i < tx->len; i++)
        if (g_array_index(tx, struct val_irq_tx, i).txq < nq)
            g_array_index(tx, struct val_irq_tx, kept++) = g_array_index(tx, struct val_irq_tx, i);
    if (kept < tx->len)
        val_report_partial(p->r,
                           "%u transmits on %s were recorded on TX queues beyond the %u of "
                           "ethtool -l: left out of the IRQ/ITR model",
                           tx->len - kept, p->r->rx_dev, nq);
    g_array_set_size(tx, kept);
    return tx;
}

/* Hardware NIC: the matched packets at their pcap stamps through the simulator's NIC, ixgbe
 * driver and ITR (validate/irq_model.c), configured from the bundle. */
static void run_irq_model(struct replay *p)
{
    struct val_report *r = p->r;
    struct val_report_irq_model *im = &r->irq_model;
    struct val_irq_model_cfg c;
    GError *e = NULL;
    if (!val_irq_model_cfg_from_bundle(&c, p->b, &p->o->cost, im->notes, &e)) {
        im->why_not = g_strdup_printf("configuration: %s", e->message);
        val_report_partial(r, "IRQ/ITR model not run: %s", e->message);
        g_clear_error(&e);
        val_irq_model_cfg_clear(&c);
        return;
    }
    if ((im->why_not = irq_model_why_not(p, &c))) {
        g_ptr_array_set_size(im->notes, 0);
        if (strcmp(r->rx_driver, "veth") != 0)
            val_report_partial(r, "IRQ/ITR model not run: %s", im->why_not);
        val_irq_model_cfg_clear(&c);
        return;
    }
    const char *tx_source = "none";
    GArray *tx = hw_transmits(p, c.n_queues, &tx_source, &e);
    if (!tx) {
        im->why_not = g_strdup_printf("configuration: %s", e->message);
        val_report_partial(r, "IRQ/ITR model not run: %s", e->message);
        g_clear_error(&e);
        val_irq_model_cfg_clear(&c);
        return;
    }
    GArray *hw = p->hw_pkts;
    g_array_sort(hw, cmp_hw_pkt); /* stable: equal stamps keep trace order */
    uint64_t t0 = g_array_index(hw, struct val_irq_pkt, 0).pkt.ts_ns;
    if (tx->len && g_array_index(tx, struct val_irq_tx, 0).ts_ns < t0)
        t0 = g_array_index(tx, struct val_irq_tx, 0).ts_ns;
    for (guint i = 0; i < tx->len; i++)
        g_array_index(tx, struct val_irq_tx, i).ts_ns -= t0;
    guint kept = 0;
    for (guint i = 0; i < hw->len; i++) {
        struct val_irq_pkt k = g_array_index(hw, struct val_irq_pkt, i);
        if (k.rxq >= c.n_queues)
            continue;
        k.pkt.ts_ns -= t0;
        g_array_index(hw, struct val_irq_pkt, kept++) = k;
    }
    if (kept < hw->len)
        val_report_partial(r,
                           "%u matched packets were recorded on RX queues beyond the %u of "
                           "ethtool -l: left out of the IRQ/ITR model",
                           hw->len - kept, c.n_queues);
    g_array_set_size(hw, kept);
    im->rx_usecs = c.rx_usecs;
    im->queues = c.n_queues;
    im->ring_size = c.ring_size;
    im->packets = kept;
    im->queue_source = p->hw_q_rss ? (p->hw_q_recorded ? "recorded+rss" : "rss") : "recorded";
    im->tx_queue_source = tx_source;
    if (tx->len)
        g_ptr_array_add(im->notes,
                        g_strdup_printf("TX rings of %u descriptors like the RX rings; a TSO "
                                        "transmit is one descriptor and one write-back",
                                        c.ring_size));
    struct val_irq_model_result res;
    if (!val_irq_model_run_tx(&c, (const struct val_irq_pkt *)(const void *)hw->data, hw->len,
                              (const struct val_irq_tx *)(const void *)tx->data, tx->len, &res,
                              &e)) {
        im->why_not = g_strdup(e->message);
        val_report_partial(r, "IRQ/ITR model not run: %s", e->message);
        g_clear_error(&e);
    } else {
        im->applicable = true;
        im->tx_frames = tx->len;
        im->tx_queues = c.n_queues;
        im->tx_per_queue = g_memdup2(res.tx_frames, sizeof(uint64_t) * c.n_queues);
        im->tx_ring_full = res.tx_ring_full;
        irq_model_results(p, &res);
    }
    val_irq_model_cfg_clear(&c);
}

static void summarize(struct replay *p)
{
    struct val_report *r = p->r;
    int64_t lost = val_bundle_lost_events(p->b);
    const GPtrArray *notes = val_bundle_notes(p->b);
    for (guint i = 0; i < notes->len; i++)
        g_ptr_array_insert(r->warnings, (gint)i, g_strdup(notes->pdata[i]));
    if (lost > 0)
        g_ptr_array_insert(r->warnings, 0,
                           g_strdup_printf("trace.per_cpu_overrun: %" G_GINT64_FORMAT
                                           " events lost while tracing: the trace is incomplete",
                                           lost));
    if (!p->n_receive_skb)
        val_report_partial(r, "no net:netif_receive_skb event in the trace: the processing CPU "
                              "is unknown, CPU agreement not computed");
    if (!p->n_napi_poll)
        val_report_partial(r, "no napi:napi_poll event in the trace: poll sizes not compared");
    if (!p->n_softirq)
        val_report_partial(r, "no irq:softirq_entry/exit events in the trace: NET_RX time and "
                              "the backlog NAPI replay are missing");
    if (!strcmp(r->cpu_mode, "rps+rfs") && (!p->n_syscall || !p->tcp->len))
        val_report_partial(r, "RFS is on but the %s: the RFS table is not replayed",
                           !p->n_syscall ? "trace has no recvfrom/recvmsg/read syscall entries"
                                         : "bundle lists no connected TCP receiving socket "
                                           "(workload.rx_result.sockets)");
    if (p->no_cpu)
        val_report_partial(r, "%" G_GUINT64_FORMAT " trace events have no CPU column: left out",
                           p->no_cpu);
    if (p->udp_l4_hash)
        val_report_warn(r,
                        "%" G_GUINT64_FORMAT " UDP packets carry the Toeplitz hash of their "
                        "4-tuple, not the ixgbe default 2-tuple: the host had rx-flow-hash "
                        "udp4/udp6 sdfn set, which the bundle does not record",
                        p->udp_l4_hash);
    if (p->hash0)
        val_report_warn(r,
                        "%" G_GUINT64_FORMAT " receive entries carry hash 0 (computed later by "
                        "the flow dissector): the model could not steer them",
                        p->hash0);
    uint64_t cands = r->pcap_packets - r->pcap_outgoing;
    if (r->matched < r->trace_entries && r->trace_entries - r->matched > r->trace_entries / 100)
        val_report_warn(r,
                        "only %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " %s receive "
                        "entries matched a pcap frame (%" G_GUINT64_FORMAT " candidates)",
                        r->matched, r->trace_entries, r->rx_dev, cands);
    if (r->unpaired)
        val_report_warn(r,
                        "%" G_GUINT64_FORMAT " %s receive entries never reached "
                        "netif_receive_skb in the trace (GRO merge, drop or trace end)",
                        r->unpaired, r->rx_dev);
    for (int c = 0; c < r->ncpus; c++) {
        const struct val_report_cpu *pc = &r->cpus[c];
        double e = val_rel_error((double)pc->trace_processed, (double)pc->softnet_processed);
        if (pc->softnet_processed >= 0 && e > 0.01)
            val_report_warn(r,
                            "CPU %d: trace netif_receive_skb count %" G_GUINT64_FORMAT
                            " is %.1f%% off the softnet_stat processed delta %" G_GINT64_FORMAT
                            " (trace shorter than the snapshot interval, lost events, or "
                            "other traffic)",
                            c, pc->trace_processed, 100.0 * e, pc->softnet_processed);
    }
    r->napi_kind = (r->napi_trace->count || r->napi_model->count) ? "backlog" : NULL;
}

static void replay_free(struct replay *p)
{
    if (p->devs)
        g_ptr_array_free(p->devs, TRUE);
    kern_sock_flow_table_free(p->sft);
    kern_backlog_free(p->bl);
    val_nrx_model_free(p->nrx);
    val_wake_model_free(p->wake);
    g_free(p->dequeued);
    g_free(p->backlog_model);
    g_free(p->softirq_start);
    g_free(p->softirq_in_ksoftirqd);
    if (p->inflight)
        g_hash_table_destroy(p->inflight);
    if (p->irq_names)
        g_hash_table_destroy(p->irq_names);
    if (p->tcp)
        g_array_free(p->tcp, TRUE);
    if (p->hw_pkts)
        g_array_free(p->hw_pkts, TRUE);
    if (p->hw_tx)
        g_array_free(p->hw_tx, TRUE);
    if (p->hw_xmit)
        g_array_free(p->hw_xmit, TRUE);
    g_free(p->last_start);
    g_free(p->last_start_idx);
    if (p->pcap)
        g_array_free(p->pcap, TRUE);
    if (p->cand)
        g_array_free(p->cand, TRUE);
    val_match_free(p->match);
    nic_toeplitz_free(p->tz);
    kern_xps_maps_free(p->xps_cpus);
    if (p->sender_xmit)
        g_hash_table_destroy(p->sender_xmit);
    if (p->sender_socks)
        g_hash_table_destroy(p->sender_socks);
    if (p->atr)
        steer_fdir_ops.destroy(p->atr);
    val_match_free(p->tx_match);
    GArray *arrays[] = {p->tx_cand, p->in_ts, p->in_len, p->tx_ts, p->tx_len};
    for (unsigned i = 0; i < G_N_ELEMENTS(arrays); i++)
        if (arrays[i])
            g_array_free(arrays[i], TRUE);
    nic_ethtool_x_free(p->ethx);
    json_decref(p->cfg);
    val_bundle_free(p->b);
}

static bool check_overlap(struct replay *p, GError **err)
{
    struct val_report *r = p->r;
    if (!r->trace_entries) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: no receive-entry event (napi_gro_receive_entry, netif_receive_skb_entry, "
                    "netif_rx_entry) for %s (topology.receiver.dev): events not enabled or a "
                    "trace from another host",
                    val_bundle_trace_path(p->b), r->rx_dev);
        return false;
    }
    if (!r->matched) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: none of its %" G_GUINT64_FORMAT " frames matches a %s receive entry of %s "
                    "by time and length (clock.*.realtime_minus_mono_ns wrong, or files from "
                    "different runs)",
                    val_bundle_pcap_path(p->b), r->pcap_packets, r->rx_dev,
                    val_bundle_trace_path(p->b));
        return false;
    }
    return true;
}

struct val_report *val_replay_bundle(const char *dir, const struct val_replay_opts *o, GError **err)
{
    struct replay p = {.o = o};
    p.b = val_bundle_load(dir, err);
    if (!p.b)
        return NULL;
    char *cfg_path = g_build_filename(dir, "config.json", NULL);
    p.cfg = json_load_file(cfg_path, 0, NULL);
    g_free(cfg_path);
    p.ncpus = val_bundle_ncpus(p.b);
    kern_cpumask_first_n(&p.online, (unsigned)p.ncpus);
    struct val_report *r = p.r = val_report_new(p.ncpus, o->keep);
    r->bundle = g_strdup(dir);
    const char *cs = json_string_value(json_object_get(p.cfg, "case"));
    r->case_name = cs ? g_strdup(cs) : g_path_get_basename(dir);
    r->kernel = g_strdup(val_bundle_kernel(p.b));
    r->rx_dev = g_strdup(val_bundle_rx_dev(p.b));
    r->rx_driver = g_strdup(val_bundle_rx_driver(p.b));
    r->match_window_ns = o->match_window_ns;
    p.pcap = g_array_new(FALSE, FALSE, sizeof(struct pcap_rec));
    p.cand = g_array_new(FALSE, FALSE, sizeof(guint));
    p.tx_cand = g_array_new(FALSE, FALSE, sizeof(guint));
    p.sender_xmit = g_hash_table_new(g_direct_hash, g_direct_equal);
    p.sender_socks =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
    p.in_ts = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    p.in_len = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    p.tx_ts = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    p.tx_len = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    p.devs = g_ptr_array_new_with_free_func(dev_model_free);
    p.dequeued = g_new0(uint32_t, p.ncpus);
    p.backlog_model = g_new0(uint64_t, p.ncpus);
    p.softirq_start = g_new0(uint64_t, p.ncpus);
    p.softirq_in_ksoftirqd = g_new0(bool, p.ncpus);
    p.inflight = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    p.irq_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    p.tcp = g_array_new(FALSE, FALSE, sizeof(struct tcp_sock));
    p.hw_pkts = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    p.hw_tx = g_array_new(FALSE, FALSE, sizeof(struct val_irq_tx));
    p.hw_xmit = g_array_new(FALSE, FALSE, sizeof(struct hw_xmit));
    p.last_start = g_new0(uint64_t, p.ncpus);
    p.last_start_idx = g_new0(guint, p.ncpus);
    bool ok = setup(&p, err) && run_trace(&p, err) && check_overlap(&p, err);
    if (ok) {
        count_unpaired(&p);
        snapshots(&p, g_hash_table_size(p.irq_names) > 0);
        run_irq_model(&p);
        summarize(&p);
    }
    replay_free(&p);
    if (!ok) {
        val_report_free(r);
        return NULL;
    }
    return r;
}
