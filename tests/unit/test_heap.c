/* sim/heap.c: events come out by time, equal times in insertion order. */
#include "sim/core/heap.h"
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

/* Pops interleaved with pushes, as the engine does (a CPU's next step pushed
 * after its event popped): always the earliest (time, insertion) left. */
static void test_heap_interleaved_pops_give_the_earliest_left(void)
{
    struct sim_heap h;
    sim_heap_init(&h, 4);
    uint64_t t_of[4000];
    bool popped[4000] = {false};
    uint32_t x = 12345, pushed = 0;
    struct sim_ev ev;
    for (unsigned round = 0; round < 1000; round++) {
        for (unsigned k = 0; k < 4; k++) {
            x = x * 1103515245u + 12345u;
            t_of[pushed] = round * 8 + (x >> 16) % 64; /* ties and out-of-order times */
            sim_heap_push(&h, t_of[pushed], 0, pushed);
            pushed++;
        }
        for (unsigned k = 0; k < (round % 2 ? 5u : 2u) && sim_heap_pop(&h, &ev); k++) {
            for (uint32_t j = 0; j < pushed; j++) /* nothing earlier is left */
                if (!popped[j] && j != ev.id)
                    CU_ASSERT_FATAL(t_of[j] > ev.t || (t_of[j] == ev.t && j > ev.id));
            CU_ASSERT_EQUAL(ev.t, t_of[ev.id]);
            popped[ev.id] = true;
        }
    }
    while (sim_heap_pop(&h, &ev))
        popped[ev.id] = true;
    for (uint32_t j = 0; j < pushed; j++)
        CU_ASSERT_TRUE(popped[j]);
    sim_heap_clear(&h);
}

/* Lanes change nothing in the order: the same pushes (some through lanes, in and out
 * of each lane's time order), interleaved with pops, come out of a laned heap and a
 * plain one identically, peeks included. */
static void test_heap_lanes_pop_in_the_plain_heap_order(void)
{
    struct sim_heap a, b;
    sim_heap_init(&a, 4);
    sim_heap_init(&b, 4);
    sim_heap_lanes(&a, 3);
    uint32_t x = 777, id = 0;
    uint64_t now = 0, lane_t[3] = {0, 0, 0};
    struct sim_ev ea, eb;
    for (int step = 0; step < 20000; step++) {
        x = x * 1103515245u + 12345u;
        unsigned r = (x >> 16) % 10;
        if (r < 6) {
            unsigned lane = r % 3;
            /* mostly forward in the lane's time, sometimes behind its last */
            uint64_t t = (x >> 8) % 7 == 0 ? now + (x >> 20) % 50 : lane_t[lane] + (x >> 20) % 5;
            if (t < now)
                t = now;
            if (t > lane_t[lane])
                lane_t[lane] = t;
            sim_heap_push_lane(&a, lane, t, 1, id);
            sim_heap_push(&b, t, 1, id++);
        } else if (r < 7) {
            uint64_t t = now + (x >> 20) % 40;
            sim_heap_push(&a, t, 2, id);
            sim_heap_push(&b, t, 2, id++);
        } else {
            bool pa = sim_heap_peek(&a, &ea), pb = sim_heap_peek(&b, &eb);
            CU_ASSERT_EQUAL_FATAL(pa, pb);
            if (pa)
                CU_ASSERT_EQUAL_FATAL(ea.id, eb.id);
            pa = sim_heap_pop(&a, &ea);
            pb = sim_heap_pop(&b, &eb);
            CU_ASSERT_EQUAL_FATAL(pa, pb);
            if (pa) {
                CU_ASSERT_EQUAL_FATAL(ea.id, eb.id);
                CU_ASSERT_EQUAL_FATAL(ea.t, eb.t);
                CU_ASSERT_EQUAL_FATAL(ea.kind, eb.kind);
                now = ea.t;
            }
        }
    }
    while (sim_heap_pop(&b, &eb)) {
        CU_ASSERT_TRUE_FATAL(sim_heap_pop(&a, &ea));
        CU_ASSERT_EQUAL_FATAL(ea.id, eb.id);
    }
    CU_ASSERT_FALSE(sim_heap_pop(&a, &ea));
    sim_heap_clear(&a);
    sim_heap_clear(&b);
}

/* Re-arming the top (or another event) and removing by insertion number leave the
 * heap popping as a plain pop + push would: same events, same order. */
static void test_heap_rearm_and_remove_as_pop_and_push(void)
{
    struct sim_heap a, b;
    sim_heap_init(&a, 4);
    sim_heap_init(&b, 4);
    uint32_t x = 4242, id = 0;
    uint64_t now = 0;
    struct sim_ev ea, eb;
    for (int i = 0; i < 8; i++) {
        sim_heap_push(&a, i * 3, 0, id);
        sim_heap_push(&b, i * 3, 0, id++);
    }
    for (int step = 0; step < 20000 && a.n; step++) {
        x = x * 1103515245u + 12345u;
        CU_ASSERT_TRUE_FATAL(sim_heap_peek(&a, &ea));
        CU_ASSERT_TRUE_FATAL(sim_heap_peek(&b, &eb));
        CU_ASSERT_EQUAL_FATAL(ea.id, eb.id);
        now = ea.t;
        unsigned r = (x >> 16) % 8;
        if (r < 2) { /* another event pushed meanwhile, some at the same time */
            uint64_t t = now + (x >> 20) % 4;
            sim_heap_push(&a, t, 1, id);
            sim_heap_push(&b, t, 1, id++);
        }
        uint64_t t = now + (x >> 8) % 16;
        if (r < 6) { /* the top re-armed */
            CU_ASSERT_TRUE_FATAL(sim_heap_pop(&b, &eb));
            sim_heap_push(&b, t, eb.kind, eb.id);
            sim_heap_rearm(&a, ea.seq, t, ea.kind, ea.id);
        } else if (r < 7) { /* the top removed */
            CU_ASSERT_TRUE_FATAL(sim_heap_pop(&b, &eb));
            CU_ASSERT_TRUE_FATAL(sim_heap_remove(&a, ea.seq));
        } else { /* a deeper event removed: the last one's, if still queued */
            uint64_t seq = a.a[a.n - 1].seq;
            uint32_t gone = a.a[a.n - 1].id;
            CU_ASSERT_TRUE_FATAL(sim_heap_remove(&a, seq));
            CU_ASSERT_FALSE(sim_heap_remove(&a, seq));
            struct sim_heap keep;
            sim_heap_init(&keep, 4);
            while (sim_heap_pop(&b, &eb))
                if (eb.id != gone)
                    sim_heap_push(&keep, eb.t, eb.kind, eb.id);
            sim_heap_clear(&b);
            b = keep;
            /* rebuilt b has new seqs in pop order: equal times keep their order */
        }
    }
    while (sim_heap_pop(&b, &eb)) {
        CU_ASSERT_TRUE_FATAL(sim_heap_pop(&a, &ea));
        CU_ASSERT_EQUAL_FATAL(ea.id, eb.id);
    }
    CU_ASSERT_FALSE(sim_heap_pop(&a, &ea));
    sim_heap_clear(&a);
    sim_heap_clear(&b);
}

static CU_TestInfo cases[] = {
    {"test_heap_rearm_and_remove_as_pop_and_push", test_heap_rearm_and_remove_as_pop_and_push},
    {"test_heap_lanes_pop_in_the_plain_heap_order", test_heap_lanes_pop_in_the_plain_heap_order},
    {"test_heap_interleaved_pops_give_the_earliest_left",
     test_heap_interleaved_pops_give_the_earliest_left},
    {"test_heap_orders_by_time_then_insertion", test_heap_orders_by_time_then_insertion},
    CU_TEST_INFO_NULL,
};

CU_MAIN("heap", cases)
