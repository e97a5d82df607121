/* veth: the sender's TX queue (netdev_core_pick_tx(): XPS by the sending CPU, else
 * skb_tx_hash(), with the socket's cached queue) is the receiver's RX queue. */
#include "validate/replay_priv.h"

#include <string.h>

/* The sender's queue choice (netdev_core_pick_tx) from its tx-<q>/xps_cpus masks. */
static bool txq_setup(struct replay *p, GError **err)
{
    const char *tx = val_bundle_tx_dev(p->b);
    if (!tx || strcmp(val_bundle_rx_driver(p->b), "veth") != 0)
        return true;
    unsigned nq = (unsigned)val_bundle_queues(p->b);
    struct sim_cpumask *masks = g_new0(struct sim_cpumask, nq);
    bool any = false, ok = true;
    for (unsigned q = 0; ok && q < nq; q++) {
        GError *e = NULL;
        if (!val_bundle_xps(p->b, tx, (int)q, "xps_cpus", &masks[q], &e)) {
            g_clear_error(&e); /* not captured: no XPS map for this queue */
            continue;
        }
        sim_cpumask_and(&masks[q], &masks[q], &p->online);
        any |= !sim_cpumask_empty(&masks[q]);
        struct sim_cpumask rq;
        if (val_bundle_xps(p->b, tx, (int)q, "xps_rxqs", &rq, NULL) && !sim_cpumask_empty(&rq))
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

/* The flow's sending socket: its cached queue (sk_tx_queue_mapping) lives across packets. */
struct kern_xps_sock *val_replay_sender_sock(struct replay *p, const struct traffic_pkt *pk)
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
void val_cmp_txq_packet(struct replay *p, const struct val_trace_event *ev,
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
                              .ooo_okay = pr->pkt.l4 == IPPROTO_TCP,
                              .sender_cpu = packed >> 16};
    uint16_t q = kern_netdev_core_pick_tx(&p->xps, val_replay_sender_sock(p, &pr->pkt), &skb);
    val_agree_add(&p->r->tx_queue, q, packed & 0xffff, pr->no, ev->line);
    /* veth_xmit: the peer's rx queue is the skb's queue_mapping (the sender's tx queue),
     * recorded as queue_mapping = q by the receive entry */
    val_agree_add(&p->r->rx_queue, q, ev->u.rx.queue_mapping, pr->no, ev->line);
}

/* The veth sender's net_dev_start_xmit: its queue, for the receive entry of the same skb. */
static void txq_on_event(struct replay *p, const struct val_trace_event *ev)
{
    if (ev->kind == VAL_EV_NET_DEV_START_XMIT && p->xps_model &&
        strcmp(ev->u.skb.dev, val_bundle_tx_dev(p->b)) == 0)
        g_hash_table_insert(
            p->sender_xmit, (gpointer)(uintptr_t)ev->u.skb.skbaddr,
            GUINT_TO_POINTER(((unsigned)ev->cpu << 16 | ev->u.skb.queue_mapping) + 1));
}

const struct val_cmp val_cmp_txq = {"tx_queue", txq_setup, txq_on_event, NULL};
