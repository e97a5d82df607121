/* aRFS filters of the model driver: ndo_rx_flow_steer -> Flow Director perfect
 * filter, expiry with rps_may_expire_flow (mlx4_en_filter_rfs /
 * mlx4_en_filter_rfs_expire, efx_filter_rfs / __efx_filter_rfs_expire), Linux 6.12. */
#include "nicdrv-model/nicdrv_arfs.h"

#include <glib.h>

#include "nicdrv-model/kshim.h"

struct arfs_filter {
    uint32_t flow_id; /* index in the RX queue's rps_flow_table */
    uint16_t rxq;
    bool used;
};

struct nicdrv_arfs {
    struct kern_host *h;
    unsigned dev;
    struct nicdrv_arfs_hw hw;
    struct arfs_filter f[NICDRV_ARFS_MAX_FILTERS]; /* by filter id = FDIR location */
    unsigned n;
    unsigned long next_expire; /* jiffies */
    uint64_t installed, expired;
};

struct nicdrv_arfs *nicdrv_arfs_new(struct kern_host *h, unsigned dev,
                                    const struct nicdrv_arfs_hw *hw)
{
    struct nicdrv_arfs *a = g_new0(struct nicdrv_arfs, 1);
    a->h = h;
    a->dev = dev;
    a->hw = *hw;
    return a;
}

void nicdrv_arfs_free(struct nicdrv_arfs *a)
{
    g_free(a);
}

int nicdrv_rx_flow_steer(void *arfs, const struct kern_skb *skb, uint16_t rxq_index,
                         uint32_t flow_id)
{
    struct nicdrv_arfs *a = arfs;
    /* the flow's 5-tuple from the skb (flow dissector), one perfect filter per flow */
    int id = a->hw.add(a->hw.ctx, skb->flow, rxq_index);
    if (id < 0 || id >= NICDRV_ARFS_MAX_FILTERS)
        return -1; /* -EBUSY / -ENOSPC: the flow stays where the NIC puts it */
    struct arfs_filter *f = &a->f[id];
    if (!f->used) {
        f->used = true;
        a->n++;
    }
    f->flow_id = flow_id;
    f->rxq = rxq_index;
    a->installed++;
    return id;
}

void nicdrv_arfs_expire(struct nicdrv_arfs *a)
{
    unsigned long now = jiffies_of(a->h);
    if (!a->n || time_after(a->next_expire, now))
        return;
    a->next_expire = now + usecs_to_jiffies(a->h, NICDRV_ARFS_EXPIRE_MS * 1000u);
    for (unsigned id = 0; id < NICDRV_ARFS_MAX_FILTERS && a->n; id++) {
        struct arfs_filter *f = &a->f[id];
        if (!f->used || !rps_may_expire_flow(a->h, a->dev, f->rxq, f->flow_id, (uint16_t)id))
            continue;
        a->hw.del(a->hw.ctx, id);
        f->used = false;
        a->n--;
        a->expired++;
    }
}

unsigned nicdrv_arfs_filters(const struct nicdrv_arfs *a)
{
    return a ? a->n : 0;
}

uint64_t nicdrv_arfs_installed(const struct nicdrv_arfs *a)
{
    return a ? a->installed : 0;
}

uint64_t nicdrv_arfs_expired(const struct nicdrv_arfs *a)
{
    return a ? a->expired : 0;
}
