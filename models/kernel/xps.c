/* TX queue selection and XPS maps: mirrors netdev_core_pick_tx(), netdev_pick_tx(),
 * get_xps_queue(), __get_xps_queue_idx() and skb_tx_hash() (net/core/dev.c), Linux 6.12. */
#include "models/kernel/xps.h"

#include "models/kernel/rps.h"
#include "sim/core/err.h"

struct kern_xps_maps {
    unsigned nr_ids;
    unsigned num_tx_queues;
    uint16_t *len;    /* per id */
    uint16_t *queues; /* nr_ids rows of num_tx_queues */
};

struct kern_xps_maps *kern_xps_maps_new(unsigned nr_ids, unsigned num_tx_queues,
                                        const struct sim_cpumask *masks, GError **err)
{
    if (nr_ids == 0 || nr_ids > SIM_NR_CPUS || num_tx_queues == 0 || num_tx_queues > 0xffff) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "XPS: %u ids, %u tx queues: expected 1..%d ids and 1..65535 queues", nr_ids,
                    num_tx_queues, SIM_NR_CPUS);
        return NULL;
    }
    for (unsigned q = 0; q < num_tx_queues; q++) {
        int last = -1;
        for (int id = sim_cpumask_next(&masks[q], -1); id >= 0;
             id = sim_cpumask_next(&masks[q], id))
            last = id;
        if (last >= (int)nr_ids) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "tx-%u: XPS mask names %d: expected ids below %u", q, last, nr_ids);
            return NULL;
        }
    }
    struct kern_xps_maps *m = g_new0(struct kern_xps_maps, 1);
    m->nr_ids = nr_ids;
    m->num_tx_queues = num_tx_queues;
    m->len = g_new0(uint16_t, nr_ids);
    m->queues = g_new0(uint16_t, (gsize)nr_ids * num_tx_queues);
    for (unsigned q = 0; q < num_tx_queues; q++)
        for (unsigned id = 0; id < nr_ids; id++)
            if (sim_cpumask_test(&masks[q], id))
                m->queues[(gsize)id * num_tx_queues + m->len[id]++] = (uint16_t)q;
    return m;
}

void kern_xps_maps_free(struct kern_xps_maps *m)
{
    if (!m)
        return;
    g_free(m->len);
    g_free(m->queues);
    g_free(m);
}

const uint16_t *kern_xps_maps_get(const struct kern_xps_maps *m, unsigned id, unsigned *len)
{
    if (!m || id >= m->nr_ids || m->len[id] == 0) {
        *len = 0;
        return NULL;
    }
    *len = m->len[id];
    return &m->queues[(gsize)id * m->num_tx_queues];
}

void kern_xps_sock_record_rx(struct kern_xps_sock *sk, uint16_t queue_mapping)
{
    if (queue_mapping)
        sk->rx_queue = queue_mapping - 1;
}

/* __get_xps_queue_idx(): one map entry, -1 when absent or beyond real_num_tx_queues. */
static int xps_queue_idx(const struct kern_xps_dev *dev, const struct kern_xps_maps *maps,
                         unsigned id, uint32_t hash)
{
    unsigned len;
    const uint16_t *queues = kern_xps_maps_get(maps, id, &len);
    if (!queues)
        return -1;
    int q = len == 1 ? queues[0] : queues[kern_reciprocal_scale(hash, len)];
    return q < (int)dev->num_tx_queues ? q : -1;
}

int kern_get_xps_queue(const struct kern_xps_dev *dev, const struct kern_xps_sock *sk,
                       const struct kern_tx_skb *skb)
{
    int q = -1;
    if (dev->rxqs && sk && sk->rx_queue >= 0)
        q = xps_queue_idx(dev, dev->rxqs, (unsigned)sk->rx_queue, skb->hash);
    if (q < 0 && dev->cpus)
        q = xps_queue_idx(dev, dev->cpus, skb->sender_cpu, skb->hash);
    return q;
}

uint16_t kern_skb_tx_hash(const struct kern_xps_dev *dev, const struct kern_tx_skb *skb)
{
    uint32_t qcount = dev->num_tx_queues;
    if (skb->queue_mapping) { /* skb_rx_queue_recorded(): forwarded packet */
        uint32_t hint = skb->queue_mapping - 1u;
        while (hint >= qcount)
            hint -= qcount;
        return (uint16_t)hint;
    }
    return (uint16_t)kern_reciprocal_scale(skb->hash, qcount);
}

/* netdev_pick_tx() */
static uint16_t netdev_pick_tx(const struct kern_xps_dev *dev, struct kern_xps_sock *sk,
                               const struct kern_tx_skb *skb)
{
    int queue_index = sk ? sk->tx_queue : -1;
    if (queue_index < 0 || skb->ooo_okay || queue_index >= (int)dev->num_tx_queues) {
        int new_index = kern_get_xps_queue(dev, sk, skb);
        if (new_index < 0)
            new_index = kern_skb_tx_hash(dev, skb);
        if (queue_index != new_index && sk && sk->can_cache)
            sk->tx_queue = new_index; /* sk_tx_queue_set() */
        queue_index = new_index;
    }
    return (uint16_t)queue_index;
}

uint16_t kern_netdev_core_pick_tx(const struct kern_xps_dev *dev, struct kern_xps_sock *sk,
                                  const struct kern_tx_skb *skb)
{
    if (dev->num_tx_queues <= 1)
        return 0;
    uint16_t q = netdev_pick_tx(dev, sk, skb);
    return q < dev->num_tx_queues ? q : 0; /* netdev_cap_txqueue() */
}
