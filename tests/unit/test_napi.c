/* models/kernel/napi.c: net_rx_action's budget and time_squeeze, the repoll
 * list, napi_complete_done with MISSED (net/core/dev.c, Linux 6.12). */
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

/* Deliver one IRQ, then run `polls` CPU steps after the hardirq (each
 * step of a busy softirq is one NAPI poll). */
static void run_polls(struct kern_host *h, unsigned polls)
{
    kern_request_irq(h, 5, h_irq, "t", NULL);
    kern_irq_deliver(h, 0, 5, 0);
    uint64_t t = kern_cpu_step(h, 0, 0); /* hardirq */
    for (unsigned i = 0; i < polls; i++)
        t = kern_cpu_step(h, 0, t);
}

static void test_budget_exhausted_counts_time_squeeze(void)
{
    struct kern_host *h = h_new(1000, 100);
    struct fake_napi a = {0}, b = {0};
    fake_napi_add(h, &a, 64, -1, 1000);
    fake_napi_add(h, &b, 64, -1, 1000);
    h_irq_napis[0] = &a;
    h_irq_napis[1] = &b;
    h_irq_napis[2] = NULL;
    run_polls(h, 2);
    /* 100 - 64 - 64 <= 0 after the second poll */
    CU_ASSERT_EQUAL(a.polls, 1);
    CU_ASSERT_EQUAL(b.polls, 1);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->time_squeeze, 1);
    /* both full: back on poll_list (a then b), NET_RX raised again */
    CU_ASSERT_PTR_EQUAL(h->cpus[0].poll_list.head, &a.napi);
    CU_ASSERT_PTR_EQUAL(h->cpus[0].poll_list.tail, &b.napi);
    CU_ASSERT(kern_softirq_pending(h, 0) & (1u << NET_RX_SOFTIRQ));
    kern_host_free(h);
}

static void test_full_weight_single_napi_repolls_without_squeeze(void)
{
    /* 6.12: a repolled NAPI waits for the next net_rx_action, so one busy
     * NAPI is polled once per softirq pass and never exhausts 300. */
    struct kern_host *h = h_new(1000, 300);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, -1, 1000);
    h_irq_napis[0] = &a;
    h_irq_napis[1] = NULL;
    run_polls(h, 5);
    /* 5 net_rx_actions (restarted passes), each polling once, no squeeze */
    CU_ASSERT_EQUAL(a.polls, 5);
    CU_ASSERT_EQUAL(h->cpus[0].ds_restart, KERN_MAX_SOFTIRQ_RESTART - 4);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->time_squeeze, 0);
    CU_ASSERT_EQUAL(kern_napi_poll_hist(h)[64], 5);
    kern_host_free(h);
}

static void test_partial_poll_completes_and_leaves_list(void)
{
    struct kern_host *h = h_new(1000, 300);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, 10, 1000);
    h_irq_napis[0] = &a;
    h_irq_napis[1] = NULL;
    run_polls(h, 2);
    CU_ASSERT_EQUAL(a.polls, 1);
    CU_ASSERT_PTR_NULL(h->cpus[0].poll_list.head);
    CU_ASSERT_EQUAL(a.napi.state, 0);
    CU_ASSERT_FALSE(h->cpus[0].in_net_rx_action);
    kern_host_free(h);
}

static void test_napi_schedule_while_scheduled_sets_missed_and_repolls(void)
{
    struct kern_host *h = h_new(1000, 300);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, 10, 1000);
    h->cpu = 0;
    kern_napi_schedule(&a.napi);
    kern_napi_schedule(&a.napi); /* IRQ while still scheduled */
    CU_ASSERT(a.napi.state & NAPI_STATE_MISSED);
    h->cpus[0].poll_list.head = h->cpus[0].poll_list.tail = NULL; /* as napi_poll's list_del */
    a.napi.on_list = false;
    CU_ASSERT_FALSE(kern_napi_complete_done(&a.napi, 3));
    CU_ASSERT_EQUAL(a.napi.state, NAPI_STATE_SCHED);
    CU_ASSERT_PTR_EQUAL(h->cpus[0].poll_list.head, &a.napi);
    kern_host_free(h);
}

static void test_small_weight_polls_are_capped_by_weight(void)
{
    struct kern_host *h = h_new(1000, 300);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 2, -1, 1000);
    h_irq_napis[0] = &a;
    h_irq_napis[1] = NULL;
    run_polls(h, 1);
    CU_ASSERT_EQUAL(kern_napi_poll_hist(h)[2], 1);
    kern_host_free(h);
}

/* net_rx_action punts after a poll when the budget is spent or the time window is over; with
 * netdev_budget 64 = dev_weight one full backlog poll is a time_squeeze (the validate model of
 * a traced NET_RX run relies on the same test). */
static void test_net_rx_punt_on_budget_or_time_limit(void)
{
    CU_ASSERT_TRUE(kern_net_rx_punt(64 - 64, 100, 102));   /* budget 64, one full poll */
    CU_ASSERT_TRUE(kern_net_rx_punt(300 - 364, 100, 102)); /* overspent */
    CU_ASSERT_FALSE(kern_net_rx_punt(300 - 64, 100, 102)); /* budget 300: repoll next round */
    CU_ASSERT_FALSE(kern_net_rx_punt(1, 101, 102));
    CU_ASSERT_TRUE(kern_net_rx_punt(1, 102, 102)); /* time_after_eq(jiffies, time_limit) */
    /* jiffies wrapped past the limit still counts as after it */
    CU_ASSERT_TRUE(kern_net_rx_punt(1, 1, (unsigned long)-1));
    CU_ASSERT_FALSE(kern_net_rx_punt(1, (unsigned long)-2, 1));
}

static CU_TestInfo cases[] = {
    {"test_net_rx_punt_on_budget_or_time_limit", test_net_rx_punt_on_budget_or_time_limit},
    {"test_budget_exhausted_counts_time_squeeze", test_budget_exhausted_counts_time_squeeze},
    {"test_full_weight_single_napi_repolls_without_squeeze",
     test_full_weight_single_napi_repolls_without_squeeze},
    {"test_partial_poll_completes_and_leaves_list", test_partial_poll_completes_and_leaves_list},
    {"test_napi_schedule_while_scheduled_sets_missed_and_repolls",
     test_napi_schedule_while_scheduled_sets_missed_and_repolls},
    {"test_small_weight_polls_are_capped_by_weight", test_small_weight_polls_are_capped_by_weight},
    CU_TEST_INFO_NULL,
};

CU_MAIN("napi", cases)
