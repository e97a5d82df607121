/* An rte_mempool of mbufs as counts (lib/mempool/rte_mempool.h): a common store (the
 * default "ring_mp_mc" ops) and one cache per lcore, with the get/put rules of
 * rte_mempool_do_generic_get / rte_mempool_do_generic_put (DPDK 23.11). Objects are
 * interchangeable, so only how many sit where is kept. */
#ifndef NICSTEER_APP_PMD_MEMPOOL_H
#define NICSTEER_APP_PMD_MEMPOOL_H

#include <stdbool.h>
#include <stdint.h>

#define APP_MEMPOOL_CACHE_MAX 512 /* RTE_MEMPOOL_CACHE_MAX_SIZE */

struct app_mempool;

/* rte_pktmbuf_pool_create(n, cache_size, ...) for n_lcores lcores; NULL when the cache
 * is over RTE_MEMPOOL_CACHE_MAX_SIZE or n / 1.5 (rte_mempool_create_empty's EINVAL). */
struct app_mempool *app_mempool_new(unsigned n, unsigned cache_size, unsigned n_lcores);
void app_mempool_free(struct app_mempool *mp);
/* rte_mempool_get_bulk on `lcore`: all n objects or none (false: -ENOENT). */
bool app_mempool_get(struct app_mempool *mp, unsigned lcore, unsigned n);
/* rte_mempool_put_bulk on `lcore` (rte_pktmbuf_free of n mbufs). */
void app_mempool_put(struct app_mempool *mp, unsigned lcore, unsigned n);
/* rte_mempool_avail_count: the common store plus every cache. */
unsigned app_mempool_avail(const struct app_mempool *mp);
unsigned app_mempool_cache_len(const struct app_mempool *mp, unsigned lcore);
unsigned app_mempool_common(const struct app_mempool *mp);

#endif
