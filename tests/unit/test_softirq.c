/* models/kernel/softirq.c: __do_softirq restarts while < MAX_SOFTIRQ_TIME
 * (msecs_to_jiffies(2)) and < MAX_SOFTIRQ_RESTART (10) passes, then hands
 * the rest to ksoftirqd (kernel/softirq.c, Linux 6.12). */
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

static void test_max_softirq_time_is_2ms_in_jiffies(void)
{
    CU_ASSERT_EQUAL(kern_max_softirq_time(1000), 2);
    CU_ASSERT_EQUAL(kern_max_softirq_time(250), 1);
    CU_ASSERT_EQUAL(kern_max_softirq_time(300), 1);
    CU_ASSERT_EQUAL(kern_max_softirq_time(100), 1);
    CU_ASSERT_EQUAL(kern_usecs_to_jiffies(2000, 1000), 2);
    CU_ASSERT_EQUAL(kern_usecs_to_jiffies(8000, 250), 2);
    CU_ASSERT_EQUAL(kern_usecs_to_jiffies(1, 250), 1);
}

/* Run the inline softirq after one IRQ; return polls done before the
 * hand-off to ksoftirqd. */
static unsigned polls_before_ksoftirqd(unsigned hz, uint64_t poll_cost)
{
    struct kern_host *h = h_new(hz, 300);
    struct fake_napi f = {0};
    fake_napi_add(h, &f, 64, -1, poll_cost); /* always a full poll: NET_RX re-raised */
    h_irq_napis[0] = &f;
    h_irq_napis[1] = NULL;
    kern_request_irq(h, 5, h_irq, "t", NULL);
    kern_irq_deliver(h, 0, 5, 0);
    h_run(h, 50000000);
    unsigned polls = f.polls_inline;
    CU_ASSERT(f.polls > polls); /* ksoftirqd/0 went on polling */
    CU_ASSERT_EQUAL(h->cpus[0].st.softirq_restarts_exhausted, 1);
    CU_ASSERT_NOT_EQUAL(h->cpus[0].ksoftirqd->state, CPUS_SLEEPING);
    kern_host_free(h);
    return polls;
}

static void test_restart_limit_10_passes_then_ksoftirqd(void)
{
    /* cheap polls: the 10-pass limit strikes first (one poll per pass:
     * a single NAPI is polled once per net_rx_action) */
    CU_ASSERT_EQUAL(polls_before_ksoftirqd(1000, 1000), 10);
}

static void test_time_limit_depends_on_hz(void)
{
    /* 1.5 ms polls. HZ=1000: end = 2 jiffies; after poll 2 (3 ms) jiffies=3.
     * HZ=250: end = 1 jiffy (4 ms); polls at 1.5, 3.0, 4.5 ms -> 3 polls. */
    CU_ASSERT_EQUAL(polls_before_ksoftirqd(1000, 1500000), 2);
    CU_ASSERT_EQUAL(polls_before_ksoftirqd(250, 1500000), 3);
}

static void test_ksoftirqd_time_counts_as_soft(void)
{
    struct kern_host *h = h_new(1000, 300);
    struct fake_napi f = {0};
    fake_napi_add(h, &f, 64, -1, 10000);
    h_irq_napis[0] = &f;
    h_irq_napis[1] = NULL;
    kern_request_irq(h, 5, h_irq, "t", NULL);
    kern_irq_deliver(h, 0, 5, 0);
    kern_set_end(h, 10000000);
    h_run(h, 10000000);
    const struct kern_cpu_stats *st = kern_cpu_stats(h, 0);
    CU_ASSERT(st->ksoftirqd_ns > 9000000);
    CU_ASSERT(st->acct[KERN_SOFT] >= st->ksoftirqd_ns);
    CU_ASSERT(st->acct[KERN_SOFT] + st->acct[KERN_IRQ] + st->acct[KERN_SYS] <= 10000000);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_max_softirq_time_is_2ms_in_jiffies", test_max_softirq_time_is_2ms_in_jiffies},
    {"test_restart_limit_10_passes_then_ksoftirqd", test_restart_limit_10_passes_then_ksoftirqd},
    {"test_time_limit_depends_on_hz", test_time_limit_depends_on_hz},
    {"test_ksoftirqd_time_counts_as_soft", test_ksoftirqd_time_counts_as_soft},
    CU_TEST_INFO_NULL,
};

CU_MAIN("softirq", cases)
