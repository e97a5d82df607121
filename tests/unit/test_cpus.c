/* models/sched/cpus.c: wake-ups queue on the thread's CPU, need_resched
 * for the idle task and after a used-up slice, round-robin switching. */
#include "models/sched/cpus.h"
#include "tests/unit/cu_main.h"

static bool step(struct cpus_thread *t, void *arg)
{
    return true;
}

static void test_cpus_wake_preempts_idle_and_slices_rotate(void)
{
    struct cpus_sched *s = cpus_new(2, 1000);
    struct cpus_thread *a = cpus_thread_new(s, "a", 1, step, NULL);
    struct cpus_thread *b = cpus_thread_new(s, "b", 1, step, NULL);
    CU_ASSERT_FALSE(cpus_need_resched(s, 1, 0));
    CU_ASSERT_TRUE(cpus_wake(s, a));
    CU_ASSERT_FALSE(cpus_wake(s, a));           /* already runnable */
    CU_ASSERT_TRUE(cpus_need_resched(s, 1, 0)); /* idle task with work queued */
    CU_ASSERT_FALSE(cpus_need_resched(s, 0, 0));
    bool sw;
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 0, &sw), a);
    CU_ASSERT_TRUE(sw);
    cpus_wake(s, b);
    CU_ASSERT_FALSE(cpus_need_resched(s, 1, 999));
    CU_ASSERT_TRUE(cpus_need_resched(s, 1, 1000)); /* slice used up, b waits */
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 1000, &sw), b);
    CU_ASSERT_EQUAL(a->state, CPUS_RUNNABLE);
    cpus_block(s, 1);
    CU_ASSERT_EQUAL(b->state, CPUS_SLEEPING);
    CU_ASSERT_PTR_EQUAL(cpus_schedule(s, 1, 2000, &sw), a);
    CU_ASSERT_PTR_EQUAL(cpus_thread_get(s, 1), b);
    cpus_free(s);
}

static CU_TestInfo cases[] = {
    {"test_cpus_wake_preempts_idle_and_slices_rotate",
     test_cpus_wake_preempts_idle_and_slices_rotate},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cpus", cases)
