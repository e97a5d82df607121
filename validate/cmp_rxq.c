/* RX queue agreement on hardware NICs: the Toeplitz hash of each matched frame with the key
 * of `ethtool -x`, the indirection table's queue (ixgbe RSS), or the Flow Director signature
 * filter ATR programmed from the host's transmits (ixgbe_atr()). */
#include "validate/replay_priv.h"

#include "models/nic/steer.h"
#include "models/nic/steer_fdir.h"

#include <string.h>

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
                            (unsigned)p->ncpus, 0, NULL};
    p->atr = steer_fdir_ops.init(NULL, "/fdir", &env, err);
    if (p->atr)
        p->r->rx_queue_mode = "toeplitz+atr";
    if (!k)
        val_report_warn(p->r, "no ethtool -k of %s: ntuple-filters assumed off (ATR on)", rx);
    return p->atr != NULL;
}

/* Toeplitz mode when `ethtool -x` of the receiver shows a key and an indirection table. */
static bool rxq_setup(struct replay *p, GError **err)
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

/* ixgbe defaults: Toeplitz over the TCP 4-tuple / UDP 2-tuple, queue = RETA[hash & (size-1)]
 * unless an ATR signature filter matches the flow. */
int32_t val_cmp_rxq_packet(struct replay *p, const struct val_trace_event *ev,
                           const struct pcap_rec *pr)
{
    static const struct nic_rss_fields fields = {false, false};
    uint8_t in[NIC_TOEPLITZ_INPUT_MAX];
    enum nic_rss_type type;
    size_t n = nic_toeplitz_pkt_input(&pr->pkt, &fields, in, &type);
    uint32_t h = n ? nic_toeplitz_hash(p->tz, in, n) : 0;
    val_agree_add(&p->r->hash, h, ev->u.rx.hash, pr->no, ev->line);
    if (h != ev->u.rx.hash && pr->pkt.l4 == IPPROTO_UDP) {
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

/* ixgbe_xmit_frame_ring() -> ixgbe_atr(): every frame sent on TX ring q counts towards the
 * ring's sample; a sampled TCP flow gets a signature filter to RX queue q. */
static void rxq_on_event(struct replay *p, const struct val_trace_event *ev)
{
    if (ev->kind != VAL_EV_NET_DEV_START_XMIT || !p->atr || strcmp(ev->u.skb.dev, p->r->rx_dev))
        return;
    int64_t c = val_match_take(p->tx_match, ev->ts_ns, ev->u.skb.len);
    static const struct traffic_pkt unknown; /* not in the pcap: counted, never sampled */
    const struct traffic_pkt *pk = &unknown;
    if (c >= 0) {
        pk = &val_replay_pcap_at(p, c)->pkt;
        p->r->tx_matched++;
    }
    steer_fdir_ops.observe_tx(p->atr, pk, ev->u.skb.queue_mapping);
}

const struct val_cmp val_cmp_rxq = {"rx_queue", rxq_setup, rxq_on_event, NULL};
