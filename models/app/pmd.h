/* DPDK-style poll-mode receive (#15 point 1; field-figures.md "Kernel bypass"): lcores
 * pinned one per CPU spin on rte_eth_rx_burst() over the RX queues they own (the port is
 * bound to vfio-pci: no interrupt, no sk_buff, no socket), mbufs come from an rte_mempool
 * with per-lcore caches. Run-to-completion: the RX lcore does each packet's work.
 * Pipeline: RX lcores hand the packets through rte_rings to worker lcores. */
#ifndef NICSTEER_APP_PMD_H
#define NICSTEER_APP_PMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/app/workload.h"
#include "models/kernel/kern.h"
#include "models/nic/nic.h"
#include "sim/core/result.h"

#define APP_PMD_MAX_LCORES     64
#define APP_PMD_MAX_BURST      512
#define APP_PMD_REARM_THRESH   32 /* RTE_IXGBE_RXQ_REARM_THRESH (ixgbe_rxtx_vec_common.h) */
#define APP_PMD_MAX_RX_BURST   32 /* RTE_IXGBE_MAX_RX_BURST: ixgbe_recv_pkts_vec's chunk */
#define APP_PMD_DESCS_PER_LOOP 4  /* RTE_IXGBE_DESCS_PER_LOOP: the vector path's stride */

enum app_pmd_mode { APP_PMD_RTC, APP_PMD_PIPELINE };
enum app_pmd_page { APP_PMD_PAGE_4K, APP_PMD_PAGE_2M, APP_PMD_PAGE_1G };

/* ns per DPDK operation (app room's cost struct; defaults and their sources in pmd.c). */
struct app_pmd_cost {
    uint32_t rx_burst_call; /* ns: one ixgbe_recv_pkts_vec call (DD scan, loop set-up) */
    uint32_t rx_pkt;        /* ns: per descriptor of _recv_raw_pkts_vec (desc -> mbuf fields) */
    uint32_t rearm_desc;    /* ns: per descriptor of ixgbe_rxq_rearm (mempool get, desc write) */
    uint32_t mbuf_free;     /* ns: rte_pktmbuf_free -> rte_mempool_put into the lcore cache */
    uint32_t ring_op;       /* ns: one rte_ring_{en,de}queue_burst call (head/tail update) */
    uint32_t ring_obj;      /* ns: per pointer copied by ENQUEUE_PTRS / DEQUEUE_PTRS */
    uint32_t handoff_pkt;   /* ns: worker's first touch of an mbuf the RX core wrote (lines
                               move core to core) */
    uint32_t page_walk;     /* ns: one STLB miss's page walk */
    uint32_t stlb_4k, stlb_2m, stlb_1g; /* STLB entries per page size */
    uint32_t mbuf_bytes; /* bytes per mempool object (header + rte_mbuf + data room) */
};

struct app_pmd_cfg {
    enum app_pmd_mode mode;
    unsigned burst;                       /* nb_pkts of rte_eth_rx_burst */
    unsigned n_lcores;                    /* lcores, one per CPU in lcores[] */
    unsigned lcores[APP_PMD_MAX_LCORES];  /* CPU of lcore i */
    unsigned rx_lcores;                   /* the first rx_lcores lcores receive */
    unsigned ring_size;                   /* rte_ring count (pipeline) */
    unsigned mempool_size, mempool_cache; /* rte_pktmbuf_pool_create n, cache_size */
    uint32_t work_ns;                     /* application work per packet */
    enum app_pmd_page page;               /* hugepage size backing the mempool */
    struct app_pmd_cost cost;
};

void app_pmd_cost_defaults(struct app_pmd_cost *c);
void app_pmd_cfg_defaults(struct app_pmd_cfg *c);
/* /app/pmd/costs overrides (keys = field names, integers >= 0); errors name `path`. */
bool app_pmd_cost_load(struct app_pmd_cost *c, const json_t *o, const char *path, GError **err);
/* The STLB reach model: the mempool's footprint over the page size against the STLB's
 * entries; a touch of a uniformly chosen mbuf misses with 1 - reach / footprint. */
double app_pmd_stlb_miss(const struct app_pmd_cfg *c);

struct app_pmd;
/* The PMD on env->nic's queues (each attached, masked); NULL when the pool cannot fill
 * every RX ring (rte_eth_dev_start: -ENOMEM) or the cache is refused. */
struct app_pmd *app_pmd_new(const struct app_pmd_cfg *cfg, const struct app_env *env);
void app_pmd_free(struct app_pmd *p);
void app_pmd_result(const struct app_pmd *p, struct sim_pmd_result *r);
/* The lcore that owns RX queue q (q % rx_lcores). */
unsigned app_pmd_queue_lcore(const struct app_pmd *p, unsigned q);

#endif
