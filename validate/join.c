/* The pcap <-> trace join of the validation replay: the trace-clock offset estimated from the
 * first receive entries, then a streaming merge that keeps only the frames within the match
 * window (+ slack) of the trace's time, so memory does not grow with the capture. */
#include "validate/replay_priv.h"

#include <stdlib.h>
#include <string.h>

#include "models/traffic/pcap_src.h"
#include "sim/core/err.h"
#include "validate/bundle.h"
#include "validate/match.h"
#include "validate/trace.h"

#define ETH_HLEN 14

#define OFFSET_PROBE_ENTRIES 256   /* receive entries the estimate is scored on */
#define OFFSET_PROBE_CANDS   20000 /* offsets tried (frames of the first entry's length) */
#define OFFSET_PROBE_WINDOW  50000 /* ns: a probe entry counts when a frame is this close */
/* Disorder the streaming join absorbs: pcap stamps out of capture order (tcpdump's per-CPU
 * stamping) and trace stamps out of line order, beyond the match window. */
#define JOIN_SLACK_NS 10000000ull

/* The first receive entries of the receiving device, for the offset estimate. */
struct offset_probe {
    uint64_t ets[OFFSET_PROBE_ENTRIES];
    uint32_t elen[OFFSET_PROBE_ENTRIES];
    unsigned ne;
    uint64_t ets_max;
    unsigned tried;   /* frames of length elen[0] kept so far */
    uint64_t keep_to; /* pcap stamp past which no probe reaches, once tried is full */
};

static bool is_outgoing(const struct replay *p, const struct traffic_pkt *pk)
{
    return p->have_me && pk->l3 == p->me_l3 &&
           memcmp(pk->saddr, p->me, p->me_l3 == PKT_L3_IPV4 ? 4 : 16) == 0;
}

static uint32_t in_len(const struct traffic_pkt *pk)
{
    return pk->wire_len >= ETH_HLEN ? pk->wire_len - ETH_HLEN : 0;
}

/* An incoming frame the offset estimate may need: every frame until OFFSET_PROBE_CANDS of the
 * first entry's length are kept, then those any probe entry can still reach. */
static void probe_keep(struct replay *p, struct offset_probe *pr, const struct traffic_pkt *pk)
{
    uint32_t l = in_len(pk);
    if (pr->tried >= OFFSET_PROBE_CANDS && pk->ts_ns > pr->keep_to)
        return;
    if (l == pr->elen[0] && pr->tried < OFFSET_PROBE_CANDS && ++pr->tried == OFFSET_PROBE_CANDS)
        pr->keep_to = pk->ts_ns + (pr->ets_max - pr->ets[0]) + OFFSET_PROBE_WINDOW + JOIN_SLACK_NS;
    g_array_append_val(p->in_ts, pk->ts_ns);
    g_array_append_val(p->in_len, l);
}

/* First pass over the pcap: its counts (whether any frame has a VLAN tag decides how entries
 * are joined), its truncation, and the frames the offset probe needs (probe NULL: none).
 * Frames are join candidates: incoming ones against receive entries (frame - 14 = skb->len),
 * outgoing ones (from the receiver's address) against net_dev_start_xmit (len with the MAC
 * header: tcpdump sees them in xmit_one()). Stamps kept on the pcap clock (realtime). */
static bool scan_pcap(struct replay *p, struct offset_probe *probe, GError **err)
{
    struct traffic_pcap *pc = traffic_pcap_open(val_bundle_pcap_path(p->b), err);
    if (!pc)
        return false;
    const char *addr = val_bundle_rx_addr(p->b);
    p->have_me = addr && val_replay_parse_addr(addr, &p->me_l3, p->me);
    struct traffic_pkt pk;
    int rc;
    while ((rc = traffic_pcap_next(pc, &pk, err)) == 1) {
        p->r->pcap_packets++;
        if (is_outgoing(p, &pk)) {
            p->r->pcap_outgoing++;
            continue;
        }
        p->pcap_vlan += pk.has_vlan;
        if (probe)
            probe_keep(p, probe, &pk);
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

/* The first OFFSET_PROBE_ENTRIES receive entries of the receiving device. */
static bool read_probe(struct replay *p, struct offset_probe *pr, GError **err)
{
    struct val_trace_reader *tr = val_trace_open(val_bundle_trace_path(p->b), err);
    if (!tr)
        return false;
    struct val_trace_event ev;
    while (pr->ne < OFFSET_PROBE_ENTRIES && val_trace_next(tr, &ev, NULL) == 1) {
        bool entry =
            ev.kind == VAL_EV_NAPI_GRO_RECEIVE_ENTRY || ev.kind == VAL_EV_NETIF_RECEIVE_SKB_ENTRY ||
            ev.kind == VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY || ev.kind == VAL_EV_NETIF_RX_ENTRY;
        if (entry && strcmp(ev.u.rx.dev, p->r->rx_dev) == 0) {
            pr->ets[pr->ne] = ev.ts_ns;
            pr->elen[pr->ne++] = ev.u.rx.len;
            pr->ets_max = MAX(pr->ets_max, ev.ts_ns);
        }
    }
    val_trace_free(tr);
    return true;
}

/* A trace clock other than CLOCK_MONOTONIC (local, global: sched_clock) has an unknown offset
 * to realtime: take the offset, among those pairing the first receive entry with a frame of
 * its length, under which most of the first entries find a frame of their length within
 * 50 us. Returns false (keeping *off) when too few entries agree. */
static bool estimate_offset(struct replay *p, const struct offset_probe *pr, int64_t *off,
                            uint64_t *score)
{
    const uint64_t *ets = pr->ets;
    const uint32_t *elen = pr->elen;
    unsigned ne = pr->ne;
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

/* The pcap pass(es) before the trace: counts, the pcap -> trace offset, the empty joins. */
bool val_join_build_matches(struct replay *p, GError **err)
{
    int64_t off =
        (val_bundle_clock_offset_ns(p->b, false) + val_bundle_clock_offset_ns(p->b, true)) / 2;
    const char *clk = val_bundle_trace_clock(p->b);
    bool estimate =
        strcmp(clk, "mono") != 0 && strcmp(clk, "mono_raw") != 0 && strcmp(clk, "boot") != 0;
    struct offset_probe *probe = estimate ? g_new0(struct offset_probe, 1) : NULL;
    GError *e = NULL;
    bool ok = (!probe || read_probe(p, probe, &e)) && scan_pcap(p, probe, err);
    if (probe && e && ok) {
        ok = false;
        g_propagate_error(err, e);
        e = NULL;
    }
    g_clear_error(&e);
    if (ok && probe) {
        uint64_t score = 0;
        int64_t cfg_off = off;
        if (estimate_offset(p, probe, &off, &score))
            val_report_warn(p->r,
                            "trace clock \"%s\" is not CLOCK_MONOTONIC: the pcap -> trace offset "
                            "was estimated from the data (%+.6f s from clock.*, %" G_GUINT64_FORMAT
                            " of the first receive entries agree)",
                            clk, (double)(off - cfg_off) / 1e9, score);
        else
            val_report_warn(p->r,
                            "trace clock \"%s\" is not CLOCK_MONOTONIC and no offset to the "
                            "pcap clock fits the data: the join may miss",
                            clk);
    }
    g_free(probe);
    g_array_set_size(p->in_ts, 0);
    g_array_set_size(p->in_len, 0);
    if (!ok)
        return false;
    p->pcap_off = off;
    p->match = val_match_new_stream(p->o->match_window_ns);
    p->tx_match = val_match_new_stream(p->o->match_window_ns);
    p->pc = traffic_pcap_open(val_bundle_pcap_path(p->b), err);
    return p->pc != NULL;
}

/* The next frame of the second pass into pc_next; false at its end. */
static bool pcap_peek(struct replay *p)
{
    if (p->pc_pending)
        return true;
    if (!p->pc || traffic_pcap_next(p->pc, &p->pc_next.pkt, NULL) != 1)
        return false;
    p->pc_next.no = traffic_pcap_packet_no(p->pc);
    uint64_t ts = p->pc_next.pkt.ts_ns;
    if (ts + JOIN_SLACK_NS < p->pc_max_ts)
        p->pc_late++;
    p->pc_max_ts = MAX(p->pc_max_ts, ts);
    return p->pc_pending = true;
}

static uint64_t on_trace_clock(const struct replay *p, uint64_t pcap_ts)
{
    return (uint64_t)((int64_t)pcap_ts - p->pcap_off);
}

/* Frames into the join up to trace time t + window + slack; outgoing ones are also kept for
 * the IRQ model (pcap_transmits). */
static void pcap_fill(struct replay *p, uint64_t t)
{
    uint64_t to = t + p->o->match_window_ns + JOIN_SLACK_NS;
    while (pcap_peek(p) && on_trace_clock(p, p->pc_next.pkt.ts_ns) <= to) {
        const struct traffic_pkt *pk = &p->pc_next.pkt;
        size_t idx = p->pcap_base + p->pcap->len;
        uint64_t ts = on_trace_clock(p, pk->ts_ns);
        if (is_outgoing(p, pk)) {
            g_array_append_val(p->tx_pkts, *pk);
            val_match_add(p->tx_match, ts, pk->wire_len, idx);
        } else {
            val_match_add(p->match, ts, in_len(pk), idx);
        }
        g_array_append_val(p->pcap, p->pc_next);
        p->pc_pending = false;
    }
}

/* Frames no entry at or after trace time t can reach leave the window, a slack's worth at a time.
 */
static void pcap_forget(struct replay *p, uint64_t t)
{
    uint64_t keep = p->o->match_window_ns + JOIN_SLACK_NS;
    if (!p->pcap->len || t < 2 * keep)
        return;
    const struct pcap_rec *r0 = &g_array_index(p->pcap, struct pcap_rec, 0);
    if (on_trace_clock(p, r0->pkt.ts_ns) + 2 * keep >= t)
        return;
    uint64_t before = t - keep;
    guint n = 0;
    while (n < p->pcap->len &&
           on_trace_clock(p, g_array_index(p->pcap, struct pcap_rec, n).pkt.ts_ns) < before)
        n++;
    g_array_remove_range(p->pcap, 0, n);
    p->pcap_base += n;
    val_match_forget_before(p->match, before);
    val_match_forget_before(p->tx_match, before);
}

/* Before each trace event: the join window follows the trace. */
void val_join_advance(struct replay *p, uint64_t t)
{
    p->trace_max_ts = MAX(p->trace_max_ts, t);
    pcap_fill(p, p->trace_max_ts);
    pcap_forget(p, p->trace_max_ts);
}

/* After the trace: the remaining outgoing frames (the IRQ model's pcap transmits). */
void val_join_drain(struct replay *p)
{
    while (pcap_peek(p)) {
        if (is_outgoing(p, &p->pc_next.pkt))
            g_array_append_val(p->tx_pkts, p->pc_next.pkt);
        p->pc_pending = false;
    }
    if (p->pc_late)
        val_report_warn(p->r,
                        "%s: %" G_GUINT64_FORMAT " frames stamped more than %.0f ms before a "
                        "frame above them: the join may miss them",
                        val_bundle_pcap_path(p->b), p->pc_late, (double)JOIN_SLACK_NS / 1e6);
}
