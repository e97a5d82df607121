/* Accelerated RFS in the model driver: ndo_rx_flow_steer installing Flow
 * Director perfect filters and their periodic expiry, written the way mlx4
 * (mlx4_en_filter_rfs, en_netdev.c) and sfc (efx_filter_rfs, rx_common.c) do
 * it: ixgbe has no aRFS, the 82599's perfect filters are what it would use. */
#ifndef NICSTEER_NICDRV_ARFS_H
#define NICSTEER_NICDRV_ARFS_H

#include <stdbool.h>
#include <stdint.h>

#include "nicdrv-model/kshim.h"

#define NICDRV_ARFS_EXPIRE_MS   100 /* expiry scan period (mlx4: filter work every HZ/10..HZ) */
#define NICDRV_ARFS_MAX_FILTERS 8192

/* The hardware side: add a 5-tuple perfect filter for `flow` to rxq (returns its
 * location >= 0 or -1), delete one by location. */
struct nicdrv_arfs_hw {
    int (*add)(void *ctx, uint32_t flow, unsigned rxq);
    bool (*del)(void *ctx, unsigned id);
    void *ctx;
};

struct nicdrv_arfs;

struct nicdrv_arfs *nicdrv_arfs_new(struct kern_host *h, unsigned dev,
                                    const struct nicdrv_arfs_hw *hw);
void nicdrv_arfs_free(struct nicdrv_arfs *a);
/* ndo_rx_flow_steer (kern_ndo_rx_flow_steer_skb). */
int nicdrv_rx_flow_steer(void *arfs, const struct kern_skb *skb, uint16_t rxq_index,
                         uint32_t flow_id);
/* From the NAPI poll: every NICDRV_ARFS_EXPIRE_MS, remove the filters
 * rps_may_expire_flow lets go (sfc runs its expiry from the poll as well). */
void nicdrv_arfs_expire(struct nicdrv_arfs *a);
unsigned nicdrv_arfs_filters(const struct nicdrv_arfs *a);
uint64_t nicdrv_arfs_installed(const struct nicdrv_arfs *a);
uint64_t nicdrv_arfs_expired(const struct nicdrv_arfs *a);

#endif
