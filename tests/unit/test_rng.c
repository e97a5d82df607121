/* sim/rng.c: named seeded streams are reproducible and independent. */
#include "sim/core/rng.h"
#include "tests/unit/cu_main.h"

static void test_rng_same_seed_same_stream(void)
{
    struct sim_rng a, b;
    sim_rng_init(&a, 42, "traffic");
    sim_rng_init(&b, 42, "traffic");
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(sim_rng_u32(&a), sim_rng_u32(&b));
}

static void test_rng_names_give_distinct_streams(void)
{
    struct sim_rng a, b;
    sim_rng_init(&a, 42, "traffic");
    sim_rng_init(&b, 42, "sched");
    int same = 0;
    for (int i = 0; i < 100; i++)
        same += sim_rng_u32(&a) == sim_rng_u32(&b);
    CU_ASSERT(same < 3);
}

static void test_rng_below_stays_in_range_and_covers_it(void)
{
    struct sim_rng r;
    sim_rng_init(&r, 1, "x");
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint32_t v = sim_rng_below(&r, 7);
        CU_ASSERT_FATAL(v < 7);
        seen[v]++;
    }
    for (int i = 0; i < 7; i++)
        CU_ASSERT(seen[i] > 800 && seen[i] < 1200);
}

static void test_rng_exp_mean(void)
{
    struct sim_rng r;
    sim_rng_init(&r, 3, "poisson");
    double sum = 0;
    for (int i = 0; i < 100000; i++)
        sum += sim_rng_exp(&r, 5.0);
    CU_ASSERT_DOUBLE_EQUAL(sum / 100000, 5.0, 0.1);
}

static CU_TestInfo cases[] = {
    {"same seed same stream", test_rng_same_seed_same_stream},
    {"names give distinct streams", test_rng_names_give_distinct_streams},
    {"below stays in range", test_rng_below_stays_in_range_and_covers_it},
    {"exponential mean", test_rng_exp_mean},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rng", cases)
