/* models/app/pmd_ring.c: rte_ring SP/SC burst semantics (lib/ring). */
#include "models/app/pmd_ring.h"
#include "tests/unit/cu_main.h"

/* rte_ring_create: a power of two, holding count - 1 without RING_F_EXACT_SZ. */
static void test_ring_size_rules(void)
{
    CU_ASSERT_PTR_NULL(app_ring_new(1000));
    CU_ASSERT_PTR_NULL(app_ring_new(1));
    struct app_ring *r = app_ring_new(8);
    CU_ASSERT_EQUAL(app_ring_capacity(r), 7);
    app_ring_free(r);
}

/* rte_ring_enqueue_burst takes as many as fit; the rest is the caller's to free. */
static void test_ring_enqueue_burst_partial_when_full(void)
{
    struct app_ring *r = app_ring_new(8);
    struct app_pmd_pkt p[10];
    for (unsigned i = 0; i < 10; i++)
        p[i] = (struct app_pmd_pkt){.ts = i, .flow = i};
    CU_ASSERT_EQUAL(app_ring_enqueue_burst(r, p, 5, 100), 5);
    CU_ASSERT_EQUAL(app_ring_enqueue_burst(r, p + 5, 5, 100), 2);
    CU_ASSERT_EQUAL(app_ring_count(r), 7);
    CU_ASSERT_EQUAL(app_ring_enqueue_burst(r, p, 1, 100), 0);
    struct app_pmd_pkt o[10];
    CU_ASSERT_EQUAL(app_ring_dequeue_burst(r, o, 3, 100), 3);
    CU_ASSERT_EQUAL(o[0].flow, 0);
    CU_ASSERT_EQUAL(o[2].flow, 2);
    CU_ASSERT_EQUAL(app_ring_enqueue_burst(r, p + 7, 3, 101), 3); /* wraps */
    CU_ASSERT_EQUAL(app_ring_dequeue_burst(r, o, 10, 200), 7);
    CU_ASSERT_EQUAL(o[6].flow, 9);
    app_ring_free(r);
}

/* The consumer sees only entries enqueued by its clock, in FIFO order. */
static void test_ring_dequeue_respects_time(void)
{
    struct app_ring *r = app_ring_new(16);
    struct app_pmd_pkt p = {.flow = 1};
    app_ring_enqueue_burst(r, &p, 1, 50);
    p.flow = 2;
    app_ring_enqueue_burst(r, &p, 1, 80);
    struct app_pmd_pkt o[4];
    CU_ASSERT_EQUAL(app_ring_dequeue_burst(r, o, 4, 40), 0);
    CU_ASSERT_EQUAL(app_ring_dequeue_burst(r, o, 4, 60), 1);
    CU_ASSERT_EQUAL(o[0].vis, 50);
    CU_ASSERT_EQUAL(app_ring_dequeue_burst(r, o, 4, 80), 1);
    CU_ASSERT_EQUAL(o[0].flow, 2);
    app_ring_free(r);
}

static CU_TestInfo cases[] = {
    {"size rules", test_ring_size_rules},
    {"enqueue burst partial when full", test_ring_enqueue_burst_partial_when_full},
    {"dequeue respects time", test_ring_dequeue_respects_time},
    CU_TEST_INFO_NULL,
};

CU_MAIN("pmd_ring", cases)
