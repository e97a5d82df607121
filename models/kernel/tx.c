/* sendmsg -> __dev_queue_xmit -> netdev_core_pick_tx -> ndo_start_xmit, and the
 * TX completion; mirrors net/core/dev.c and the sk_tx_queue / ooo_okay rules of
 * net/ipv4/tcp_output.c, Linux 6.12. Queue choice itself is models/kernel/xps.c. */
#include "models/kernel/tx.h"

#include "models/kernel/kern_priv.h"
#include "models/kernel/rps_path.h"
#include "models/kernel/xps.h"
#include "sim/core/err.h"

#define HDR_BYTES 54 /* Ethernet + IPv4 + TCP without options */

struct tx_dev {
    unsigned num_tx_queues;
    struct kern_xps_maps *cpus, *rxqs;
    kern_ndo_start_xmit xmit;
    void *drv;
    uint64_t *packets;   /* per TX queue */
    bool no_tso, no_gso; /* ethtool -K off (features on by default) */
};

struct kern_tx_path {
    struct tx_dev dev[KERN_MAX_NETDEVS];
    uint64_t dropped;
};

bool kern_tx_register(struct kern_host *h, unsigned dev, unsigned num_tx_queues,
                      kern_ndo_start_xmit xmit, void *drv, GError **err)
{
    if (dev >= KERN_MAX_NETDEVS || num_tx_queues == 0 || num_tx_queues > 0xffff) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "TX: device %u with %u queues", dev,
                    num_tx_queues);
        return false;
    }
    if (!h->tx)
        h->tx = g_new0(struct kern_tx_path, 1);
    struct tx_dev *d = &h->tx->dev[dev];
    d->num_tx_queues = num_tx_queues;
    d->xmit = xmit;
    d->drv = drv;
    g_free(d->packets);
    d->packets = g_new0(uint64_t, num_tx_queues);
    return true;
}

bool kern_tx_set_xps(struct kern_host *h, unsigned dev, const struct sim_cpumask *cpus,
                     const struct sim_cpumask *rxqs, unsigned num_rx_queues, GError **err)
{
    if (!h->tx || dev >= KERN_MAX_NETDEVS || !h->tx->dev[dev].xmit) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "XPS: device %u has no TX side", dev);
        return false;
    }
    struct tx_dev *d = &h->tx->dev[dev];
    struct kern_xps_maps *c = NULL, *r = NULL;
    if (cpus && !(c = kern_xps_maps_new(h->n_cpus, d->num_tx_queues, cpus, err)))
        return false;
    if (rxqs && !(r = kern_xps_maps_new(num_rx_queues, d->num_tx_queues, rxqs, err))) {
        kern_xps_maps_free(c);
        return false;
    }
    kern_xps_maps_free(d->cpus);
    kern_xps_maps_free(d->rxqs);
    d->cpus = c;
    d->rxqs = r;
    return true;
}

void kern_tx_xps_show(const struct kern_host *h, unsigned dev, unsigned q, bool rxqs,
                      unsigned nr_ids, struct sim_cpumask *out)
{
    sim_cpumask_clear(out);
    if (!h->tx || dev >= KERN_MAX_NETDEVS)
        return;
    const struct kern_xps_maps *maps = rxqs ? h->tx->dev[dev].rxqs : h->tx->dev[dev].cpus;
    for (unsigned id = 0; maps && id < nr_ids; id++) {
        unsigned len = 0;
        const uint16_t *qs = kern_xps_maps_get(maps, id, &len);
        for (unsigned i = 0; qs && i < len; i++)
            if (qs[i] == q)
                sim_cpumask_set(out, id);
    }
}

void kern_tx_free(struct kern_tx_path *t)
{
    if (!t)
        return;
    for (unsigned i = 0; i < KERN_MAX_NETDEVS; i++) {
        kern_xps_maps_free(t->dev[i].cpus);
        kern_xps_maps_free(t->dev[i].rxqs);
        g_free(t->dev[i].packets);
    }
    g_free(t);
}

int kern_sock_sendmsg(struct kern_host *h, struct kern_sock *sk, unsigned dev, uint32_t flow,
                      uint32_t bytes, uint8_t tcp_flags)
{
    struct tx_dev *d = h->tx && dev < KERN_MAX_NETDEVS ? &h->tx->dev[dev] : NULL;
    if (!d || !d->xmit)
        return -1;
    kern_charge(h, h->c.tx_pkt + (uint64_t)bytes * h->c.copy_ps_per_byte / 1000u);
    kern_sock_rps_record_flow(h, sk); /* inet_sendmsg -> sock_rps_record_flow */
    struct kern_tx_pkt p = {.flow = flow,
                            .len = HDR_BYTES + bytes < 60 ? 60 : HDR_BYTES + bytes,
                            .payload = bytes,
                            .tcp_flags = tcp_flags};
    int q = kern_tx_xmit_skb(h, sk, dev, &p);
    if (q < 0)
        h->tx->dropped++;
    return q;
}

int kern_tx_xmit_skb(struct kern_host *h, struct kern_sock *sk, unsigned dev, struct kern_tx_pkt *p)
{
    struct tx_dev *d = h->tx && dev < KERN_MAX_NETDEVS ? &h->tx->dev[dev] : NULL;
    if (!d || !d->xmit)
        return -1;
    /* netdev_core_pick_tx(): skb->sender_cpu = this CPU; local TCP hashes sk_txhash;
     * ooo_okay when nothing of this socket is left on a TX ring (tcp_transmit_skb). */
    struct kern_xps_dev xd = {.num_tx_queues = d->num_tx_queues, .cpus = d->cpus, .rxqs = d->rxqs};
    struct kern_xps_sock xs = {
        .tx_queue = sk->tx_queue, .rx_queue = sk->rx_queue, .can_cache = true};
    struct kern_tx_skb skb = {.hash = sk->txhash,
                              .queue_mapping = 0,
                              .ooo_okay = kern_tcp_ooo_okay(sk->tx_inflight == 0, false),
                              .sender_cpu = h->cpu};
    unsigned q = kern_netdev_core_pick_tx(&xd, &xs, &skb);
    sk->tx_queue = xs.tx_queue;
    p->sock = (uint32_t)(sk - h->socks);
    if (!d->xmit(d->drv, p, q))
        return -1; /* NETDEV_TX_BUSY: the caller decides (drop, or keep it queued) */
    sk->tx_inflight++;
    d->packets[q]++;
    return (int)q;
}

void kern_tx_complete(struct kern_host *h, uint32_t sock)
{
    if (sock < h->n_socks && h->socks[sock].tx_inflight)
        h->socks[sock].tx_inflight--;
    if (sock < h->n_socks && h->socks[sock].write_space)
        h->socks[sock].write_space(h->socks[sock].write_space_ctx, &h->socks[sock]);
}

uint64_t kern_tx_packets(const struct kern_host *h, unsigned dev, unsigned txq)
{
    if (!h->tx || dev >= KERN_MAX_NETDEVS || txq >= h->tx->dev[dev].num_tx_queues)
        return 0;
    return h->tx->dev[dev].packets[txq];
}

uint64_t kern_tx_dropped(const struct kern_host *h)
{
    return h->tx ? h->tx->dropped : 0;
}

unsigned kern_n_cpus(const struct kern_host *h)
{
    return h->n_cpus;
}

/* ---- TSO/GSO (#15 point 3) ---- */

bool kern_tx_set_offloads(struct kern_host *h, unsigned dev, bool tso, bool gso, GError **err)
{
    if (!h->tx || dev >= KERN_MAX_NETDEVS || !h->tx->dev[dev].xmit) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "offloads: device %u has no TX side", dev);
        return false;
    }
    h->tx->dev[dev].no_tso = !tso;
    h->tx->dev[dev].no_gso = !gso;
    return true;
}

bool kern_tx_tso(const struct kern_host *h, unsigned dev)
{
    return h->tx && dev < KERN_MAX_NETDEVS && h->tx->dev[dev].xmit && !h->tx->dev[dev].no_tso;
}

bool kern_tx_gso(const struct kern_host *h, unsigned dev)
{
    return h->tx && dev < KERN_MAX_NETDEVS && h->tx->dev[dev].xmit && !h->tx->dev[dev].no_gso;
}
