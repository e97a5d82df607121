/* models/app/pmd_mempool.c: rte_mempool_do_generic_get / _put through per-lcore caches
 * (lib/mempool/rte_mempool.h, DPDK 23.11). */
#include "models/app/pmd_mempool.h"
#include "tests/unit/cu_main.h"

/* rte_mempool_create_empty refuses a cache over RTE_MEMPOOL_CACHE_MAX_SIZE or n / 1.5. */
static void test_mempool_create_limits(void)
{
    CU_ASSERT_PTR_NULL(app_mempool_new(1000, 513, 1));
    CU_ASSERT_PTR_NULL(app_mempool_new(600, 512, 1)); /* 768 > 600 */
    struct app_mempool *mp = app_mempool_new(768, 512, 1);
    CU_ASSERT_PTR_NOT_NULL(mp);
    CU_ASSERT_EQUAL(app_mempool_avail(mp), 768);
    app_mempool_free(mp);
}

/* A get the cache cannot cover refills it to cache_size from the backend on the way. */
static void test_mempool_get_fills_cache(void)
{
    struct app_mempool *mp = app_mempool_new(1000, 100, 2);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 32));
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 0), 100);
    CU_ASSERT_EQUAL(app_mempool_common(mp), 1000 - 132);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 32)); /* from the cache now */
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 0), 68);
    CU_ASSERT_EQUAL(app_mempool_common(mp), 868);
    CU_ASSERT_EQUAL(app_mempool_avail(mp), 1000 - 64);
    app_mempool_free(mp);
}

/* Puts stay in the cache up to flushthresh (1.5 x size); one more flushes the cache to
 * the backend and the put objects become the cache. */
static void test_mempool_put_flushes_over_threshold(void)
{
    struct app_mempool *mp = app_mempool_new(1000, 100, 2);
    CU_ASSERT_TRUE(app_mempool_get(mp, 1, 200)); /* 200 + a cache fill of 100 */
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 1), 100);
    CU_ASSERT_EQUAL(app_mempool_common(mp), 700);
    for (unsigned i = 0; i < 50; i++)
        app_mempool_put(mp, 1, 1);
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 1), 150);
    app_mempool_put(mp, 1, 1);
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 1), 1);
    CU_ASSERT_EQUAL(app_mempool_common(mp), 850);
    CU_ASSERT_EQUAL(app_mempool_avail(mp), 851);
    app_mempool_free(mp);
}

/* Exhaustion: all or nothing, and a failed get leaves the cache as it was (rollback);
 * objects in another lcore's cache are not reachable. */
static void test_mempool_exhaustion_all_or_nothing(void)
{
    struct app_mempool *mp = app_mempool_new(96, 32, 2);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 64)); /* 64 + a cache fill of 32: common empty */
    CU_ASSERT_EQUAL(app_mempool_common(mp), 0);
    app_mempool_put(mp, 1, 20); /* lcore 1's cache holds 20 */
    app_mempool_put(mp, 0, 10); /* lcore 0's 42 */
    CU_ASSERT_EQUAL(app_mempool_avail(mp), 62);
    CU_ASSERT_FALSE(app_mempool_get(mp, 0, 43)); /* 42 + 0 < 43; lcore 1's 20 unseen */
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 0), 42);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 42));
    CU_ASSERT_FALSE(app_mempool_get(mp, 0, 1));
    CU_ASSERT_TRUE(app_mempool_get(mp, 1, 20));
    app_mempool_free(mp);
}

/* driver_dequeue: the backend cannot give the request plus a cache fill, so it gives the
 * request alone and the cache stays empty. */
static void test_mempool_short_backend_skips_cache_fill(void)
{
    struct app_mempool *mp = app_mempool_new(100, 32, 1);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 80)); /* 100 < 80 + 32 */
    CU_ASSERT_EQUAL(app_mempool_common(mp), 20);
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 0), 0);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 10));
    CU_ASSERT_EQUAL(app_mempool_common(mp), 10);
    app_mempool_free(mp);
}

/* Without a cache every get and put goes to the backend. */
static void test_mempool_no_cache(void)
{
    struct app_mempool *mp = app_mempool_new(10, 0, 1);
    CU_ASSERT_TRUE(app_mempool_get(mp, 0, 10));
    CU_ASSERT_FALSE(app_mempool_get(mp, 0, 1));
    app_mempool_put(mp, 0, 3);
    CU_ASSERT_EQUAL(app_mempool_common(mp), 3);
    CU_ASSERT_EQUAL(app_mempool_cache_len(mp, 0), 0);
    app_mempool_free(mp);
}

static CU_TestInfo cases[] = {
    {"create limits", test_mempool_create_limits},
    {"get fills cache", test_mempool_get_fills_cache},
    {"put flushes over threshold", test_mempool_put_flushes_over_threshold},
    {"exhaustion all or nothing", test_mempool_exhaustion_all_or_nothing},
    {"short backend skips cache fill", test_mempool_short_backend_skips_cache_fill},
    {"no cache", test_mempool_no_cache},
    CU_TEST_INFO_NULL,
};

CU_MAIN("pmd_mempool", cases)
