/* Interrupts: per-vector counts of the trace and /proc/interrupts, against the simulator's
 * own NIC + ixgbe driver + ITR fed the matched frames and the host's transmits
 * (irq_model.c). */
#include "validate/replay_priv.h"

#include "models/nic/nic.h"
#include "models/traffic/flow_key.h"
#include "nicdrv-model/nicdrv.h"

#include <string.h>

/* A matched packet of the receiving device, kept for the NIC/ITR replay: the driver recorded
 * its ring (queue_mapping = ring + 1, skb_record_rx_queue), else the RSS model's choice. */
void val_cmp_irq_keep_pkt(struct replay *p, const struct val_trace_event *ev,
                          const struct pcap_rec *pr, int32_t rss_q)
{
    if (!strcmp(p->r->rx_driver, "veth"))
        return; /* no NIC replay (irq_model_why_not): keep nothing per packet */
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

/* net_dev_start_xmit on the receiving device: the driver's ring, ndo_start_xmit(skb) on
 * netdev_get_tx_queue(dev, queue_mapping), for the IRQ model's TX completions. */
static void irq_on_start_xmit(struct replay *p, const struct val_trace_event *ev)
{
    struct val_irq_tx t = {(uint64_t)((int64_t)ev->ts_ns + p->pcap_off), ev->u.skb.len,
                           (uint16_t)MIN(ev->u.skb.queue_mapping, 0xffffu)};
    g_array_append_val(p->hw_tx, t);
    p->last_start[ev->cpu] = ev->u.skb.skbaddr;
    p->last_start_idx[ev->cpu] = p->hw_tx->len;
}

/* net_dev_xmit rc=0 (NETDEV_TX_OK) on the receiving device: the frame reached its TX ring. Used
 * for the IRQ model when the trace has no net_dev_start_xmit (which records the queue). */
static void irq_on_xmit(struct replay *p, const struct val_trace_event *ev)
{
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
    struct hw_xmit x = {
        (uint64_t)((int64_t)ev->ts_ns + p->pcap_off), ev->u.skb.len, ev->cpu, c >= 0, {0}};
    if (c >= 0)
        x.pkt = val_replay_pcap_at(p, c)->pkt;
    g_array_append_val(p->hw_xmit, x);
}

/* Interrupts per vector name, and the receiving device's transmits for the IRQ model. */
static void irq_on_event(struct replay *p, const struct val_trace_event *ev)
{
    if (ev->kind == VAL_EV_IRQ_HANDLER_ENTRY) {
        gpointer n = g_hash_table_lookup(p->irq_names, ev->u.irq.name);
        g_hash_table_insert(p->irq_names, g_strdup(ev->u.irq.name),
                            GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
    }
    bool rx_dev = (ev->kind == VAL_EV_NET_DEV_START_XMIT || ev->kind == VAL_EV_NET_DEV_XMIT) &&
                  strcmp(ev->u.skb.dev, p->r->rx_dev) == 0 && strcmp(p->r->rx_driver, "veth") != 0;
    if (rx_dev && ev->kind == VAL_EV_NET_DEV_START_XMIT)
        irq_on_start_xmit(p, ev);
    else if (rx_dev)
        irq_on_xmit(p, ev);
}

/* /proc/interrupts deltas of the receiving device's vectors, with the trace's counts. */
static void irq_vectors(struct replay *p)
{
    struct val_report *r = p->r;
    bool irq_traced = g_hash_table_size(p->irq_names) > 0;
    uint64_t *out = g_new0(uint64_t, r->ncpus);
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
        if (g_array_index(p->hw_pkts, struct val_irq_pkt, i).pkt.l4 == IPPROTO_TCP)
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
        sim_hist_add_n(&r->napi_device_model, w, res->poll_hist[w]);
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
    struct sim_cpumask *masks = g_new0(struct sim_cpumask, nq);
    bool any = false, ok = true;
    for (unsigned q = 0; ok && q < nq; q++) {
        char k[16];
        g_snprintf(k, sizeof k, "tx-%u", q);
        if (!json_object_get(json_object_get(qs, k), "xps_cpus"))
            continue;
        ok = val_bundle_xps(p->b, dev, (int)q, "xps_cpus", &masks[q], err);
        sim_cpumask_and(&masks[q], &masks[q], &p->online);
        any |= !sim_cpumask_empty(&masks[q]);
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
        const struct traffic_pkt *pk = x->has_pkt ? &x->pkt : NULL;
        struct traffic_flow_key fk;
        if (pk)
            fk = traffic_flow_key_of(pk);
        struct kern_tx_skb skb = {.hash = pk ? traffic_flow_key_hash(&fk) : 0,
                                  .ooo_okay = pk && pk->l4 == IPPROTO_TCP,
                                  .sender_cpu = (unsigned)MAX(x->cpu, 0)};
        unknown += !pk;
        uint16_t q = kern_netdev_core_pick_tx(&xd, pk ? val_replay_sender_sock(p, pk) : NULL, &skb);
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
    for (guint i = 0; i < p->tx_pkts->len; i++) {
        const struct traffic_pkt *pk = &g_array_index(p->tx_pkts, struct traffic_pkt, i);
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
                    p->r->rx_dev, p->tx_pkts->len, hashed);
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
    else if (!p->hw_xmit->len && p->tx_pkts->len)
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

/* Hardware NIC: the matched packets at their pcap stamps through the simulator's NIC, ixgbe
 * driver and ITR (validate/irq_model.c), configured from the bundle. */
static void irq_finish(struct replay *p)
{
    irq_vectors(p);
    run_irq_model(p);
}

const struct val_cmp val_cmp_irq = {"irq", NULL, irq_on_event, irq_finish};
