/* validate/hz.c: CONFIG_HZ from the tick's softirq raises (tick_sched_handle()
 * -> run_local_timers() / trigger_load_balance() / rcu_sched_clock_irq()). */
#include "tests/unit/cu_main.h"
#include "validate/hz.h"

/* n raises on cpu, one per `every`-th tick of a HZ=hz clock, with jitter. */
static void ticks(struct val_hz_estimator *e, int cpu, int hz, int n, int every, unsigned vec,
                  bool hardirq)
{
    uint64_t period = 1000000000ull / (uint64_t)hz;
    for (int k = 0; k < n; k++) {
        uint64_t ts = 5000000000ull + (uint64_t)(k * every + (k % 4 == 1)) * period;
        val_hz_add_raise(e, cpu, ts + (uint64_t)(k % 7) * 2000, vec, hardirq);
    }
}

static int estimate(int hz, int every)
{
    struct val_hz_estimator *e = val_hz_estimator_new();
    ticks(e, 0, hz, 80, every, 1, true);
    ticks(e, 3, hz, 80, every + 1, 7, true);
    int got = val_hz_estimate(e);
    val_hz_estimator_free(e);
    return got;
}

static void test_hz_each_config_hz_is_told_apart(void)
{
    CU_ASSERT_EQUAL(estimate(100, 1), 100);
    CU_ASSERT_EQUAL(estimate(250, 1), 250);
    CU_ASSERT_EQUAL(estimate(300, 2), 300);
    CU_ASSERT_EQUAL(estimate(1000, 1), 1000);
    /* Every 4th tick of a 1000 Hz clock still has 1 ms steps where k%4 == 1. */
    CU_ASSERT_EQUAL(estimate(1000, 4), 1000);
}

static void test_hz_only_tick_raises_count(void)
{
    struct val_hz_estimator *e = val_hz_estimator_new();
    /* NET_RX from a NIC IRQ, and TIMER raised outside hard IRQ, are no ticks. */
    ticks(e, 0, 250, 200, 1, 3, true);
    ticks(e, 1, 250, 200, 1, 1, false);
    CU_ASSERT_EQUAL(val_hz_intervals(e), 0);
    CU_ASSERT_EQUAL(val_hz_estimate(e), 0);
    /* TIMER then SCHED within one tick are one tick, not a 2 us interval. */
    val_hz_add_raise(e, 2, 1000000, 1, true);
    val_hz_add_raise(e, 2, 1002000, 7, true);
    val_hz_add_raise(e, 2, 5000000, 1, true);
    CU_ASSERT_EQUAL(val_hz_intervals(e), 1);
    val_hz_estimator_free(e);
}

static void test_hz_too_few_ticks_or_no_fit_is_unknown(void)
{
    struct val_hz_estimator *e = val_hz_estimator_new();
    ticks(e, 0, 250, VAL_HZ_MIN_INTERVALS, 1, 1, true); /* one interval short */
    CU_ASSERT_EQUAL(val_hz_estimate(e), 0);
    val_hz_estimator_free(e);
    /* Raises at random-looking spacing fit no tick. */
    e = val_hz_estimator_new();
    uint64_t ts = 1000000000ull;
    for (int k = 0; k < 200; k++) {
        ts += 1000000ull + (uint64_t)((k * 7919) % 997) * 433;
        val_hz_add_raise(e, 0, ts, 9, true);
    }
    CU_ASSERT_EQUAL(val_hz_estimate(e), 0);
    val_hz_estimator_free(e);
}

static CU_TestInfo cases[] = {
    {"each CONFIG_HZ is told apart", test_hz_each_config_hz_is_told_apart},
    {"only tick raises count", test_hz_only_tick_raises_count},
    {"too few ticks or no fit is unknown", test_hz_too_few_ticks_or_no_fit_is_unknown},
    CU_TEST_INFO_NULL,
};

CU_MAIN("hz", cases)
