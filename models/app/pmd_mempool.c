/* rte_mempool get/put through per-lcore caches (lib/mempool/rte_mempool.h, DPDK 23.11). */
#include "models/app/pmd_mempool.h"

#include <glib.h>

struct app_mempool {
    unsigned size, cache_size, flushthresh, n_lcores;
    unsigned common; /* objects in the backend ring */
    unsigned *len;   /* per lcore: cache->len */
};

struct app_mempool *app_mempool_new(unsigned n, unsigned cache_size, unsigned n_lcores)
{
    /* rte_mempool_create_empty: cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE or
     * CALC_CACHE_FLUSHTHRESH(cache_size) > n is EINVAL */
    if (n == 0 || n_lcores == 0 || cache_size > APP_MEMPOOL_CACHE_MAX ||
        (uint64_t)cache_size * 3 / 2 > n)
        return NULL;
    struct app_mempool *mp = g_new0(struct app_mempool, 1);
    mp->size = n;
    mp->cache_size = cache_size;
    mp->flushthresh = cache_size * 3 / 2; /* CALC_CACHE_FLUSHTHRESH: size * 1.5 */
    mp->n_lcores = n_lcores;
    mp->common = n;
    mp->len = g_new0(unsigned, n_lcores);
    return mp;
}

void app_mempool_free(struct app_mempool *mp)
{
    if (!mp)
        return;
    g_free(mp->len);
    g_free(mp);
}

/* rte_mempool_do_generic_get: from the cache; short, the rest with a cache refill of
 * cache_size from the backend; the backend unable to give both, the rest alone; unable
 * to give that either, the objects taken from the cache go back (-ENOENT). */
bool app_mempool_get(struct app_mempool *mp, unsigned lcore, unsigned n)
{
    unsigned *len = &mp->len[lcore];
    if (mp->cache_size == 0 || n > APP_MEMPOOL_CACHE_MAX) { /* no cache: the backend */
        if (mp->common < n)
            return false;
        mp->common -= n;
        return true;
    }
    if (*len >= n) {
        *len -= n;
        return true;
    }
    unsigned remaining = n - *len;
    if (mp->common >= mp->cache_size + remaining) {
        mp->common -= mp->cache_size + remaining;
        *len = mp->cache_size;
        return true;
    }
    if (mp->common >= remaining) { /* driver_dequeue: the rest straight from the backend */
        mp->common -= remaining;
        *len = 0;
        return true;
    }
    return false; /* rolled back: the cache keeps what it had */
}

/* rte_mempool_do_generic_put: into the cache while it stays under flushthresh, else the
 * cache is flushed to the backend and the n objects become the cache. */
void app_mempool_put(struct app_mempool *mp, unsigned lcore, unsigned n)
{
    unsigned *len = &mp->len[lcore];
    if (mp->cache_size == 0 || n > APP_MEMPOOL_CACHE_MAX) {
        mp->common += n;
        return;
    }
    if (*len + n <= mp->flushthresh) {
        *len += n;
        return;
    }
    mp->common += *len;
    *len = n;
}

unsigned app_mempool_avail(const struct app_mempool *mp)
{
    unsigned a = mp->common;
    for (unsigned l = 0; l < mp->n_lcores; l++)
        a += mp->len[l];
    return a;
}

unsigned app_mempool_cache_len(const struct app_mempool *mp, unsigned lcore)
{
    return mp->len[lcore];
}

unsigned app_mempool_common(const struct app_mempool *mp)
{
    return mp->common;
}
