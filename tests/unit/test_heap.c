/* sim/heap.c: events come out by time, equal times in insertion order. */
#include "sim/heap.h"
#include "tests/unit/cu_main.h"

static void test_heap_orders_by_time_then_insertion(void)
{
    struct sim_heap h;
    sim_heap_init(&h, 2);
    uint64_t times[] = {50, 10, 50, 30, 10, 50, 0};
    for (unsigned i = 0; i < G_N_ELEMENTS(times); i++)
        sim_heap_push(&h, times[i], 0, i);
    unsigned want[] = {6, 1, 4, 3, 0, 2, 5};
    struct sim_ev ev;
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        CU_ASSERT_TRUE(sim_heap_pop(&h, &ev));
        CU_ASSERT_EQUAL(ev.id, want[i]);
    }
    CU_ASSERT_FALSE(sim_heap_pop(&h, &ev));
    sim_heap_clear(&h);
}

static CU_TestInfo cases[] = {
    {"test_heap_orders_by_time_then_insertion", test_heap_orders_by_time_then_insertion},
    CU_TEST_INFO_NULL,
};

CU_MAIN("heap", cases)
