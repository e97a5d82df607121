/* RPS/RFS/aRFS CPU choice: mirrors get_rps_cpu(), set_rps_cpu(), rps_may_expire_flow()
 * (net/core/dev.c) and store_rps_map() (net/core/net-sysfs.c), Linux 6.12. */
#include "models/kernel/rps.h"

#include "sim/core/err.h"

struct rx_queue {
    struct kern_rps_map *map;              /* rxqueue->rps_map, NULL = none */
    struct kern_rps_dev_flow_table *flows; /* rxqueue->rps_flow_table, NULL = none */
};

struct kern_rps_dev {
    unsigned num_rx_queues;
    unsigned nr_cpu_ids;
    struct sim_cpumask online;
    struct rx_queue *rxq;
    uint16_t *rx_cpu_rmap; /* dev->rx_cpu_rmap resolved per CPU, NULL = no aRFS */
    kern_ndo_rx_flow_steer steer;
    void *steer_ctx;
};

struct kern_rps_dev *kern_rps_dev_new(unsigned num_rx_queues, unsigned nr_cpu_ids,
                                      const struct sim_cpumask *online, GError **err)
{
    if (num_rx_queues == 0 || num_rx_queues > 0xffff || nr_cpu_ids == 0 ||
        nr_cpu_ids > SIM_NR_CPUS) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "RPS device: %u rx queues, %u CPUs: expected 1..65535 queues and 1..%d CPUs",
                    num_rx_queues, nr_cpu_ids, SIM_NR_CPUS);
        return NULL;
    }
    struct kern_rps_dev *dev = g_new0(struct kern_rps_dev, 1);
    dev->num_rx_queues = num_rx_queues;
    dev->nr_cpu_ids = nr_cpu_ids;
    dev->online = *online;
    dev->rxq = g_new0(struct rx_queue, num_rx_queues);
    return dev;
}

void kern_rps_dev_free(struct kern_rps_dev *dev)
{
    if (!dev)
        return;
    for (unsigned i = 0; i < dev->num_rx_queues; i++) {
        g_free(dev->rxq[i].map);
        kern_rps_dev_flow_table_free(dev->rxq[i].flows);
    }
    g_free(dev->rxq);
    g_free(dev->rx_cpu_rmap);
    g_free(dev);
}

unsigned kern_rps_dev_num_rx_queues(const struct kern_rps_dev *dev)
{
    return dev->num_rx_queues;
}

static bool check_rxq(const struct kern_rps_dev *dev, unsigned rxq, GError **err)
{
    if (rxq < dev->num_rx_queues)
        return true;
    g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "rx-%u: expected a queue below %u", rxq,
                dev->num_rx_queues);
    return false;
}

bool kern_rps_dev_set_rps_cpus(struct kern_rps_dev *dev, unsigned rxq,
                               const struct sim_cpumask *mask, GError **err)
{
    if (!check_rxq(dev, rxq, err))
        return false;
    struct kern_rps_map *map = g_new0(struct kern_rps_map, 1);
    /* for_each_cpu_and(cpu, mask, cpu_online_mask) */
    for (int cpu = sim_cpumask_next(mask, -1); cpu >= 0; cpu = sim_cpumask_next(mask, cpu))
        if ((unsigned)cpu < dev->nr_cpu_ids && sim_cpumask_test(&dev->online, (unsigned)cpu))
            map->cpus[map->len++] = (uint16_t)cpu;
    if (map->len == 0) {
        g_free(map);
        map = NULL;
    }
    g_free(dev->rxq[rxq].map);
    dev->rxq[rxq].map = map;
    return true;
}

const struct kern_rps_map *kern_rps_dev_map(const struct kern_rps_dev *dev, unsigned rxq)
{
    return rxq < dev->num_rx_queues ? dev->rxq[rxq].map : NULL;
}

void kern_rps_dev_set_flow_table(struct kern_rps_dev *dev, unsigned rxq,
                                 struct kern_rps_dev_flow_table *table)
{
    if (rxq >= dev->num_rx_queues) {
        kern_rps_dev_flow_table_free(table);
        return;
    }
    kern_rps_dev_flow_table_free(dev->rxq[rxq].flows);
    dev->rxq[rxq].flows = table;
}

struct kern_rps_dev_flow_table *kern_rps_dev_flow_table(struct kern_rps_dev *dev, unsigned rxq)
{
    return rxq < dev->num_rx_queues ? dev->rxq[rxq].flows : NULL;
}

void kern_rps_dev_set_accel(struct kern_rps_dev *dev, const uint16_t *rx_cpu_rmap,
                            kern_ndo_rx_flow_steer steer, void *ctx)
{
    g_free(dev->rx_cpu_rmap);
    dev->rx_cpu_rmap =
        rx_cpu_rmap && steer ? g_memdup2(rx_cpu_rmap, dev->nr_cpu_ids * sizeof(uint16_t)) : NULL;
    dev->steer = steer;
    dev->steer_ctx = ctx;
}

void kern_cpu_rmap_from_affinity(uint16_t *rmap, unsigned nr_cpu_ids, unsigned num_queues,
                                 const struct sim_cpumask *affinity)
{
    for (unsigned cpu = 0; cpu < nr_cpu_ids; cpu++)
        rmap[cpu] = (uint16_t)(cpu % num_queues); /* alloc_cpu_rmap() */
    for (unsigned q = 0; q < num_queues; q++)     /* cpu_rmap_update(), distance 0 */
        for (int cpu = sim_cpumask_next(&affinity[q], -1); cpu >= 0;
             cpu = sim_cpumask_next(&affinity[q], cpu))
            if ((unsigned)cpu < nr_cpu_ids)
                rmap[cpu] = (uint16_t)q;
}

/* per_cpu(softnet_data, cpu).input_queue_head; CPUs the backlog does not know read as 0. */
static uint32_t head_of(const struct kern_backlog *bl, unsigned cpu)
{
    return cpu < kern_backlog_nr_cpus(bl) ? kern_backlog_head(bl, cpu) : 0;
}

static bool cpu_usable(const struct kern_rps_dev *dev, unsigned cpu)
{
    return cpu < dev->nr_cpu_ids && sim_cpumask_test(&dev->online, cpu);
}

/* set_rps_cpu(): optionally move the flow to the hardware queue nearest next_cpu (aRFS), then
 * bind the entry to next_cpu with last_qtail = next_cpu's input_queue_head. */
static struct kern_rps_dev_flow *set_rps_cpu(struct kern_rps_dev *dev,
                                             const struct kern_backlog *bl, uint16_t queue_mapping,
                                             uint32_t hash, struct kern_rps_dev_flow *rflow,
                                             uint16_t next_cpu)
{
    if (next_cpu < dev->nr_cpu_ids) {
        /* aRFS needs skb_rx_queue_recorded(), dev->rx_cpu_rmap and NETIF_F_NTUPLE. */
        if (queue_mapping && dev->rx_cpu_rmap) {
            uint16_t rxq_index = dev->rx_cpu_rmap[next_cpu]; /* cpu_rmap_lookup_index() */
            struct kern_rps_dev_flow_table *ft =
                rxq_index < dev->num_rx_queues ? dev->rxq[rxq_index].flows : NULL;
            if (rxq_index != queue_mapping - 1 && ft) {
                uint32_t flow_id = hash & kern_rps_dev_flow_table_mask(ft);
                int rc = dev->steer(dev->steer_ctx, hash, rxq_index, flow_id);
                if (rc >= 0) {
                    struct kern_rps_dev_flow *old = rflow;
                    rflow = kern_rps_dev_flow_at(ft, flow_id);
                    rflow->filter = (uint16_t)rc;
                    if (old->filter == (uint16_t)rc)
                        old->filter = KERN_RPS_NO_FILTER;
                }
            }
        }
        rflow->last_qtail = head_of(bl, next_cpu);
    }
    rflow->cpu = next_cpu;
    return rflow;
}

struct kern_rps_steer kern_rps_steer_skb(struct kern_rps_dev *dev,
                                         const struct kern_sock_flow_table *sft,
                                         struct kern_backlog *bl, uint16_t queue_mapping,
                                         uint32_t hash, unsigned this_cpu, bool to_backlog)
{
    uint32_t voidflow = 0, *qtail = &voidflow;
    struct kern_rps_steer s = {.rps_cpu = -1, .backlog = -1, .cpu = (int)this_cpu};
    if (dev)
        s.rps_cpu = kern_get_rps_cpu(dev, sft, bl, queue_mapping, hash, &qtail);
    if (s.rps_cpu < 0 && !to_backlog)
        return s; /* __netif_receive_skb() here */
    unsigned cpu = s.rps_cpu >= 0 ? (unsigned)s.rps_cpu : this_cpu;
    s.rc = kern_enqueue_to_backlog(bl, cpu, this_cpu, hash, qtail);
    if (s.rc == KERN_ENQUEUE_DROP_BACKLOG || s.rc == KERN_ENQUEUE_DROP_FLOW_LIMIT) {
        s.cpu = -1;
        return s;
    }
    s.backlog = s.cpu = (int)cpu;
    return s;
}

int kern_get_rps_cpu(struct kern_rps_dev *dev, const struct kern_sock_flow_table *sft,
                     const struct kern_backlog *bl, uint16_t queue_mapping, uint32_t hash,
                     uint32_t **qtail)
{
    unsigned index = kern_rps_rx_queue(queue_mapping);
    if (index >= dev->num_rx_queues)
        return -1; /* "received on queue N, but number of RX queues is M" */
    struct rx_queue *rxqueue = &dev->rxq[index];
    if ((!rxqueue->flows && !rxqueue->map) || !hash)
        return -1;
    if (rxqueue->flows && sft) {
        uint32_t cpu_mask = kern_rps_cpu_mask(sft);
        uint32_t ident = kern_sock_flow_table_entry(sft, hash);
        if (((ident ^ hash) & ~cpu_mask) == 0) {
            uint16_t next_cpu = (uint16_t)(ident & cpu_mask);
            struct kern_rps_dev_flow *rflow = kern_rps_dev_flow_at(rxqueue->flows, hash);
            uint16_t tcpu = rflow->cpu;
            /* Switch only if the old CPU is unusable or has dequeued every packet this flow
             * put in its backlog (in-order delivery). */
            if (tcpu != next_cpu &&
                (!cpu_usable(dev, tcpu) || (int32_t)(head_of(bl, tcpu) - rflow->last_qtail) >= 0)) {
                tcpu = next_cpu;
                rflow = set_rps_cpu(dev, bl, queue_mapping, hash, rflow, next_cpu);
            }
            if (cpu_usable(dev, tcpu)) {
                *qtail = &rflow->last_qtail;
                return tcpu;
            }
        }
    }
    if (rxqueue->map) {
        uint16_t tcpu = rxqueue->map->cpus[kern_reciprocal_scale(hash, rxqueue->map->len)];
        if (sim_cpumask_test(&dev->online, tcpu))
            return tcpu;
    }
    return -1;
}

bool kern_rps_may_expire_flow(struct kern_rps_dev *dev, const struct kern_backlog *bl, unsigned rxq,
                              uint32_t flow_id, uint16_t filter_id)
{
    struct kern_rps_dev_flow_table *ft = kern_rps_dev_flow_table(dev, rxq);
    if (!ft || flow_id > kern_rps_dev_flow_table_mask(ft))
        return true;
    struct kern_rps_dev_flow *rflow = kern_rps_dev_flow_at(ft, flow_id);
    unsigned cpu = rflow->cpu;
    if (rflow->filter == filter_id && cpu < dev->nr_cpu_ids &&
        (int32_t)(head_of(bl, cpu) - rflow->last_qtail) <
            (int32_t)(10 * kern_rps_dev_flow_table_mask(ft)))
        return false;
    return true;
}
