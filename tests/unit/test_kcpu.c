/* models/kernel/kcpu.c: do_IRQ accounting — every delivered interrupt counts in
 * /proc/interrupts (kstat_irqs), and one whose handler returned IRQ_NONE also
 * counts as unhandled (note_interrupt(), kernel/irq/spurious.c). */
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

static int irq_none(int irq, void *dev)
{
    (void)irq;
    (void)dev;
    return KERN_IRQ_NONE;
}

static void test_kcpu_irq_none_is_counted_unhandled(void)
{
    struct kern_host *h = h_new(250, 300);
    h_irq_napis[0] = NULL;
    CU_ASSERT_TRUE(kern_request_irq(h, 5, h_irq, "handled", NULL));
    CU_ASSERT_TRUE(kern_request_irq(h, 6, irq_none, "spurious", NULL));
    CU_ASSERT_FALSE(kern_request_irq(h, 6, irq_none, "again", NULL)); /* -EBUSY */
    kern_irq_deliver(h, 0, 5, 0);
    kern_irq_deliver(h, 0, 6, 0);
    h_run(h, 1000000);
    kern_irq_deliver(h, 0, 6, 2000000);
    h_run(h, 3000000);
    CU_ASSERT_EQUAL(kern_irq_count(h, 5, 0), 1);
    CU_ASSERT_EQUAL(kern_irq_count(h, 6, 0), 2);
    CU_ASSERT_EQUAL(kern_irq_unhandled(h, 5), 0);
    CU_ASSERT_EQUAL(kern_irq_unhandled(h, 6), 2);
    kern_host_free(h);
}

/* kern_set_intervals(): a charge that straddles boundaries is split at each, a CPU idle
 * across boundaries keeps its sums, and the last boundary's row plus the rest adds up to
 * the totals (what mpstat's Average is the weighted mean of). */
static void charge_usr_at(struct kern_host *h, uint64_t at, uint64_t ns)
{
    h->cpu = 0;
    h->now = at;
    kern_charge_user(h, ns);
}

static void test_kcpu_intervals_split_charges_at_boundaries(void)
{
    struct kern_host *h = h_new(250, 300);
    kern_set_end(h, 10000000);
    kern_set_intervals(h, 1000000);     /* 1 ms: boundaries 1..9 ms */
    charge_usr_at(h, 500000, 2500000);  /* [0.5, 3) ms */
    charge_usr_at(h, 3000000, 100000);  /* [3, 3.1): ends inside interval 3 */
    charge_usr_at(h, 7200000, 300000);  /* [7.2, 7.5) after idling over 4..7 ms */
    charge_usr_at(h, 9500000, 2000000); /* clipped at the end: 0.5 ms */
    const uint64_t *rows;
    CU_ASSERT_EQUAL_FATAL(kern_intervals(h, 0, &rows), 9);
    static const uint64_t want_us[9] = {500, 1500, 2500, 2600, 2600, 2600, 2600, 2900, 2900};
    for (unsigned i = 0; i < 9; i++)
        CU_ASSERT_EQUAL(rows[i * KERN_IV_COLS + KERN_USR], want_us[i] * 1000);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->acct[KERN_USR], 3400000);
    CU_ASSERT_EQUAL(rows[8 * KERN_IV_COLS + KERN_SYS], 0);
    kern_host_free(h);
}

static void test_kcpu_intervals_off_by_default(void)
{
    struct kern_host *h = h_new(250, 300);
    kern_set_end(h, 10000000);
    const uint64_t *rows;
    charge_usr_at(h, 0, 5000000);
    CU_ASSERT_EQUAL(kern_intervals(h, 0, &rows), 0);
    kern_set_intervals(h, 20000000); /* one interval: the whole run, no boundary inside */
    CU_ASSERT_EQUAL(kern_intervals(h, 0, &rows), 0);
    kern_host_free(h);
}

/* LOC: a tick at each jiffy boundary while a task is current, none while the CPU idles
 * (NO_HZ_IDLE stops it), not even when an interrupt's softirq runs on the idle task. */
static uint64_t thread_left_ns; /* work left before the thread blocks (UINT64_MAX: never) */

static bool busy_step(struct cpus_thread *t, void *arg)
{
    struct kern_host *h = arg;
    (void)t;
    uint64_t chunk = MIN(thread_left_ns, 500000);
    kern_charge_user(h, chunk);
    thread_left_ns -= thread_left_ns == UINT64_MAX ? 0 : chunk;
    return thread_left_ns > 0;
}

/* Step CPU0 from `at` until it idles or the run ends. */
static void run_from(struct kern_host *h, uint64_t at)
{
    for (int i = 0; i < 100000 && at < h->end_ns; i++) {
        uint64_t e = kern_cpu_step(h, 0, at);
        if (e == at)
            return;
        at = e;
    }
}

static void test_kcpu_local_timer_ticks_only_while_a_task_runs(void)
{
    struct kern_host *h = h_new(1000, 300); /* TICK_NSEC 1 ms */
    kern_set_end(h, 10000000);
    struct fake_napi f = {0};
    fake_napi_add(h, &f, 64, 1, 1000000); /* one 1 ms poll */
    h_irq_napis[0] = &f;
    h_irq_napis[1] = NULL;
    CU_ASSERT_TRUE(kern_request_irq(h, 5, h_irq, "eth0-TxRx-0", NULL));
    struct cpus_thread *t = cpus_thread_new(kern_sched(h), "app", 0, busy_step, h);
    thread_left_ns = 2000000;
    cpus_wake(kern_sched(h), t);
    run_from(h, 500000); /* runs [0.5, 2.5) ms: ticks at 1 and 2 ms */
    CU_ASSERT_EQUAL(kern_local_timer_irqs(h, 0), 2);
    kern_irq_deliver(h, 0, 5, 4200000); /* softirq on the idle task across 5 ms: no tick */
    run_from(h, 4200000);
    CU_ASSERT_EQUAL(f.polls, 1);
    CU_ASSERT_EQUAL(kern_local_timer_irqs(h, 0), 2);
    thread_left_ns = UINT64_MAX; /* from 7.5 ms to the end: 8 and 9 ms (10 is the end) */
    cpus_wake(kern_sched(h), t);
    run_from(h, 7500000);
    CU_ASSERT_EQUAL(kern_local_timer_irqs(h, 0), 4);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"local timer ticks only while a task runs",
     test_kcpu_local_timer_ticks_only_while_a_task_runs},
    {"intervals split charges at boundaries", test_kcpu_intervals_split_charges_at_boundaries},
    {"intervals off by default", test_kcpu_intervals_off_by_default},
    {"IRQ_NONE is counted unhandled", test_kcpu_irq_none_is_counted_unhandled},
    CU_TEST_INFO_NULL,
};

CU_MAIN("kcpu", cases)
