/* Validation replay: the event loop and the pcap <-> trace join. Every receive-entry event of
 * a capture bundle's trace goes, in trace order, through the model's receive step
 * (kern_rps_steer_skb(): get_rps_cpu() + enqueue_to_backlog(), net/core/dev.c) and RFS's
 * sock_rps_record_flow() (include/net/sock.h) configured from the bundle; the model's CPU is
 * compared with the CPU of the packet's netif_receive_skb event. The other comparisons are
 * modules (replay_priv.h, cmp_*.c) that the loop drives. */
#include "validate/replay.h"
#include "validate/replay_priv.h"

#include "models/kernel/backlog.h"
#include "models/kernel/rfs.h"
#include "models/kernel/rps.h"
#include "models/kernel/xps.h"
#include "models/nic/ethtool_x.h"
#include "models/nic/steer.h"
#include "models/nic/steer_fdir.h"
#include "models/nic/toeplitz.h"
#include "models/traffic/flow_key.h"
#include "models/traffic/pcap_src.h"
#include "sim/core/cpumask.h"
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

void val_replay_opts_init(struct val_replay_opts *o)
{
    o->match_window_ns = VAL_MATCH_WINDOW_NS;
    o->keep = 20;
    o->topo = NULL;
    o->nrx_runs = NULL;
    o->progress = NULL;
    o->progress_ctx = NULL;
    o->cost_hosts = NULL;
    o->cost_bundles = NULL;
    o->cost_source = NULL;
    o->cost_by = VAL_COSTS_BUILTIN;
    kern_cost_defaults(&o->cost);
}

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
        struct sim_cpumask mask;
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

bool val_replay_parse_addr(const char *s, uint8_t *l3, uint8_t addr[16])
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
        if (val_replay_parse_addr(h, &t.l3, t.addr))
            g_array_append_val(p->tcp, t);
        else
            val_report_warn(p->r,
                            "workload.rx_result.sockets.%d.peer \"%s\" is not ip:port: "
                            "its reads are left out of RFS",
                            s[i].fd, s[i].peer);
    }
}

const struct pcap_rec *val_replay_pcap_at(const struct replay *p, int64_t idx)
{
    return &g_array_index(p->pcap, struct pcap_rec, (guint)((uint64_t)idx - p->pcap_base));
}

/* The comparisons, in the order they set up, see each event and finish. */
static const struct val_cmp *const COMPARISONS[] = {
    &val_cmp_softirq, &val_cmp_wake, &val_cmp_rxq, &val_cmp_txq, &val_cmp_irq, &val_cmp_backlog};

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
    struct sim_cpumask fl = sc->flow_limit_cpu_bitmap;
    sim_cpumask_and(&fl, &fl, &p->online);
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
    for (size_t i = 0; i < G_N_ELEMENTS(COMPARISONS); i++)
        if (COMPARISONS[i]->setup && !COMPARISONS[i]->setup(p, err))
            return false;
    return val_join_build_matches(p, err);
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

static void backlog_poll_start(struct replay *p, int cpu);

/* process_backlog() took a packet off the model backlog of cpu. */
static void model_dequeue(struct replay *p, unsigned cpu)
{
    if (p->poll_start_at[cpu]) /* the poll is running: it started */
        backlog_poll_start(p, (int)cpu);
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
    const struct pcap_rec *pr = NULL;
    if (d->is_rx) {
        r->trace_entries++;
        int64_t c = p->match ? val_match_take(p->match, ev->ts_ns, rx->len) : -1;
        /* A tag the NIC stripped (rxvlan) is not in skb->len but tcpdump shows it again. */
        if (c < 0 && p->pcap_vlan)
            c = val_match_take(p->match, ev->ts_ns, rx->len + 4);
        if (c >= 0) {
            pr = val_replay_pcap_at(p, c);
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
    if (s.cpu < 0) {
        r->model_drops++;
    }
    if (backlog >= 0) {
        p->backlog_model[backlog]++;
        if (s.rps_cpu >= 0)
            val_nrx_model_rps_enqueue(p->nrx, ev->cpu, s.rps_cpu);
    }
    if (model >= 0)
        r->cpus[model].model_processed++;
    int32_t rss_q = -1;
    if (pr && p->tz)
        rss_q = val_cmp_rxq_packet(p, ev, pr);
    if (pr && d->is_rx)
        val_cmp_irq_keep_pkt(p, ev, pr, rss_q);
    if (pr && d->is_rx && p->xps_model)
        val_cmp_txq_packet(p, ev, pr);
    struct inflight *f = g_new(struct inflight, 1);
    *f = (struct inflight){.line = ev->line,
                           .has_pkt = pr != NULL,
                           .model_cpu = model,
                           .backlog_cpu = backlog,
                           .hash = rx->hash,
                           .rx_dev = d->is_rx};
    if (pr)
        f->pr = *pr;
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
    if (pk->l4 != IPPROTO_TCP)
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
        const struct pcap_rec *pr = f->has_pkt ? &f->pr : NULL;
        val_agree_add(&r->cpu_all, f->model_cpu, ev->cpu, pr ? pr->no : 0, f->line);
        if (pr) {
            val_agree_add(&r->cpu, f->model_cpu, ev->cpu, pr->no, f->line);
            save_rxhash(p, &pr->pkt, f->hash);
        }
    }
    g_hash_table_remove(p->inflight, key);
}

/* skb:kfree_skb reason CPU_BACKLOG: the host's enqueue_to_backlog() dropped this packet. Counted
 * against the model's own choice for it: dropped too (the same packet found the model's backlog
 * full) or queued. The model's backlog keeps its own course (its drops are its own figure). */
static void on_kfree_skb(struct replay *p, const struct val_trace_event *ev)
{
    if (!ev->u.kfree.cpu_backlog)
        return;
    struct val_report *r = p->r;
    if (r->trace_backlog_drops >= 0)
        r->trace_backlog_drops++;
    const struct inflight *f =
        g_hash_table_lookup(p->inflight, (gpointer)(uintptr_t)ev->u.kfree.skbaddr);
    if (!f || !f->rx_dev)
        return;
    if (f->model_cpu < 0)
        r->host_dropped_model_dropped++;
    else
        r->host_dropped_model_queued++;
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
        sim_hist_add(&r->napi_trace, (uint64_t)MAX(ev->u.napi_poll.work, 0));
        r->cpus[ev->cpu].backlog_polls++;
        if (ev->u.napi_poll.work >= ev->u.napi_poll.budget)
            r->polls_full++;
    } else if (ev->u.napi_poll.has_work && strcmp(ev->u.napi_poll.dev, r->rx_dev) == 0) {
        sim_hist_add(&r->napi_device, (uint64_t)MAX(ev->u.napi_poll.work, 0));
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

/* process_backlog() starts on cpu (kern_backlog_poll_start): its splice takes what was queued
 * by then. */
static void backlog_poll_start(struct replay *p, int cpu)
{
    kern_backlog_poll_start(p->bl, (unsigned)cpu);
    p->poll_start_at[cpu] = 0;
    p->n_poll_start--;
}

/* The backlog polls that started by now (ts), before this event is replayed. */
static void backlog_polls_started(struct replay *p, uint64_t ts)
{
    for (int c = 0; p->n_poll_start && c < p->ncpus; c++)
        if (p->poll_start_at[c] && p->poll_start_at[c] <= ts)
            backlog_poll_start(p, c);
}

/* netif_rx_entry waits in its CPU's slot for the net:netif_rx that follows it in the same
 * context; when that event was lost, the entry is replayed at its CPU's next event (or at the
 * trace's end), about when netif_rx_internal() ran, instead of disappearing. */
static bool replay_stashed(struct replay *p, int cpu, GError **err)
{
    if (!p->rx_stash_set[cpu])
        return true;
    p->rx_stash_set[cpu] = false;
    return on_rx_entry(p, &p->rx_stash[cpu], err);
}

static bool flush_rx_stash(struct replay *p, GError **err)
{
    bool ok = true;
    for (int c = 0; ok && p->rx_stash && c < p->ncpus; c++)
        ok = replay_stashed(p, c, err);
    return ok;
}

static bool on_event(struct replay *p, const struct val_trace_event *ev, GError **err)
{
    val_join_advance(p, ev->ts_ns);
    backlog_polls_started(p, ev->ts_ns);
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
    for (size_t i = 0; i < G_N_ELEMENTS(COMPARISONS); i++)
        if (COMPARISONS[i]->on_event)
            COMPARISONS[i]->on_event(p, ev);
    /* any event of this CPU after a stashed netif_rx_entry: its net:netif_rx (when it is
     * that skb's) or a sign it was lost; either way the enqueue has happened by now */
    if (p->rx_stash && !replay_stashed(p, ev->cpu, err))
        return false;
    switch (ev->kind) {
    case VAL_EV_NAPI_GRO_RECEIVE_ENTRY:
    case VAL_EV_NETIF_RECEIVE_SKB_ENTRY:
    case VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY:
    case VAL_EV_NETIF_RX_ENTRY:
        if (p->rx_stash && ev->kind == VAL_EV_NETIF_RX_ENTRY) { /* enqueued at net:netif_rx */
            p->rx_stash[ev->cpu] = *ev;
            p->rx_stash_set[ev->cpu] = true;
            return true;
        }
        return on_rx_entry(p, ev, err);
    case VAL_EV_NETIF_RX: {
        /* trace_netif_rx() in netif_rx_internal(): get_rps_cpu() and enqueue_to_backlog()
         * follow (net/core/dev.c); netif_rx_entry came before it, in netif_rx() */
        break; /* the stashed entry was replayed before the switch */
    }
    case VAL_EV_NETIF_RECEIVE_SKB:
        on_receive_skb(p, ev);
        break;
    case VAL_EV_NAPI_POLL:
        on_napi_poll(p, ev);
        break;
    case VAL_EV_KFREE_SKB:
        on_kfree_skb(p, ev);
        break;
    case VAL_EV_SOFTIRQ_ENTRY:
        /* net_rx_action() starts: the backlog poll, and its first splice, follow the pass's
         * and net_rx_action()'s preamble, before the first netif_receive_skb the trace shows */
        if (ev->u.softirq.vec == 3 && !p->poll_start_at[ev->cpu]) {
            p->poll_start_at[ev->cpu] =
                ev->ts_ns + p->o->cost.softirq_pass + p->o->cost.net_rx_action;
            p->n_poll_start++;
        }
        break;
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
    uint64_t n = 0;
    while (ok && (rc = val_trace_next(tr, &ev, err)) == 1) {
        ok = on_event(p, &ev, err);
        if (p->o->progress && ++n % VAL_REPLAY_PROGRESS_EVENTS == 0) {
            uint64_t done, total;
            val_trace_position(tr, &done, &total);
            p->o->progress(p->o->progress_ctx, done, total);
        }
    }
    ok = ok && rc == 0 && flush_rx_stash(p, err);
    if (ok)
        val_join_drain(p);
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
    p->n_wakeup = st->by_kind[VAL_EV_SCHED_WAKEUP];
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

static void snapshots(struct replay *p)
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
    g_free(out);
}

/* Costs fitted on another host price this one's runs with that host's speed (a nested-virt
 * guest's IPI exit is ~30 us where a dedicated host's is ~2 us): say so, never silently. */
static void warn_cost_host(struct replay *p)
{
    const char *const *hosts = p->o->cost_hosts;
    if (!hosts)
        return;
    char *mine = val_host_class(p->r->kernel, p->r->ncpus);
    bool found = false;
    for (const char *const *h = hosts; *h && !found; h++)
        found = !strcmp(*h, mine);
    if (!found) {
        char *list = g_strjoinv("; ", (char **)hosts);
        val_report_warn(p->r,
                        "--costs were calibrated on %s%s, this bundle's host is %s: one "
                        "host's costs do not predict another's (softirq figures are off)",
                        *hosts ? "" : "no named host", list, mine);
        g_free(list);
    }
    g_free(mine);
}

/* The last two components of a bundle path ("veth/rps2"): calibrate records paths relative
 * to where it ran, validate is given another; the capture's folder and its parent name it. */
static char *bundle_tail(const char *path)
{
    char *t = g_strdup(path);
    for (size_t n = strlen(t); n > 1 && t[n - 1] == '/'; n--)
        t[n - 1] = 0;
    char *base = g_path_get_basename(t), *dir = g_path_get_dirname(t);
    char *parent = g_path_get_basename(dir);
    char *tail = g_build_filename(parent, base, NULL);
    g_free(t), g_free(base), g_free(dir), g_free(parent);
    return tail;
}

/* Which costs priced the runs, and whether this very bundle was among those they were fitted
 * on: softirq figures of a bundle priced in sample are no evidence of prediction. */
static void note_costs(struct replay *p, const char *dir)
{
    struct val_report *r = p->r;
    /* a library file by its name (its directory is this install's, not the result's) */
    r->costs_by = p->o->cost_by;
    r->costs_source = !p->o->cost_source                 ? g_strdup("built-in")
                      : r->costs_by == VAL_COSTS_BY_HOST ? g_path_get_basename(p->o->cost_source)
                                                         : g_strdup(p->o->cost_source);
    char *mine = bundle_tail(dir);
    for (const char *const *b = p->o->cost_bundles; b && *b && !r->costs_in_sample; b++) {
        char *t = bundle_tail(*b);
        r->costs_in_sample = !strcmp(t, mine);
        g_free(t);
    }
    g_free(mine);
    if (r->costs_in_sample)
        val_report_warn(r,
                        "the costs (%s) were fitted on this bundle: its softirq figures are "
                        "in sample, not a prediction",
                        r->costs_source);
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
    r->napi_kind = (r->napi_trace.count || r->napi_model.count) ? "backlog" : NULL;
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
    g_free(p->poll_start_at);
    if (p->inflight)
        g_hash_table_destroy(p->inflight);
    g_free(p->rx_stash);
    g_free(p->rx_stash_set);
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
    if (p->pc)
        traffic_pcap_free(p->pc);
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
    GArray *arrays[] = {p->tx_pkts, p->in_ts, p->in_len};
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
    sim_cpumask_fill(&p.online, (unsigned)p.ncpus);
    struct val_report *r = p.r = val_report_new(p.ncpus, o->keep);
    r->bundle = g_strdup(dir);
    const char *cs = json_string_value(json_object_get(p.cfg, "case"));
    r->case_name = cs ? g_strdup(cs) : g_path_get_basename(dir);
    r->kernel = g_strdup(val_bundle_kernel(p.b));
    r->trace_backlog_drops = val_bundle_trace_event_enabled(p.b, "skb:kfree_skb") == 0 ? -1 : 0;
    r->rx_dev = g_strdup(val_bundle_rx_dev(p.b));
    r->rx_driver = g_strdup(val_bundle_rx_driver(p.b));
    r->match_window_ns = o->match_window_ns;
    p.pcap = g_array_new(FALSE, FALSE, sizeof(struct pcap_rec));
    p.tx_pkts = g_array_new(FALSE, FALSE, sizeof(struct traffic_pkt));
    p.sender_xmit = g_hash_table_new(g_direct_hash, g_direct_equal);
    p.sender_socks =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, g_free);
    p.in_ts = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    p.in_len = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    p.devs = g_ptr_array_new_with_free_func(dev_model_free);
    p.dequeued = g_new0(uint32_t, p.ncpus);
    p.backlog_model = g_new0(uint64_t, p.ncpus);
    p.softirq_start = g_new0(uint64_t, p.ncpus);
    p.poll_start_at = g_new0(uint64_t, p.ncpus);
    p.softirq_in_ksoftirqd = g_new0(bool, p.ncpus);
    p.inflight = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    if (val_bundle_trace_event_enabled(p.b, "net:netif_rx") == 1) {
        p.rx_stash = g_new(struct val_trace_event, p.ncpus);
        p.rx_stash_set = g_new0(bool, p.ncpus);
    }
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
        snapshots(&p);
        for (size_t i = 0; i < G_N_ELEMENTS(COMPARISONS); i++)
            if (COMPARISONS[i]->finish)
                COMPARISONS[i]->finish(&p);
        summarize(&p);
        warn_cost_host(&p);
        note_costs(&p, dir);
    }
    replay_free(&p);
    if (!ok) {
        val_report_free(r);
        return NULL;
    }
    return r;
}
