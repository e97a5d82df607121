/* models/kernel/napi.c: net_rx_action's budget and time_squeeze, the repoll
 * list, napi_complete_done with MISSED, hard IRQ deferral and napi_watchdog (net/core/dev.c,
 * Linux 6.12). */
#include "tests/unit/cu_main.h"
#include "models/kernel/smp.h"
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

/* The engine's timer_at callback, recorded (the last armed expiry). */
static uint64_t timer_armed_at = UINT64_MAX;
static void rec_timer(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx;
    (void)cpu;
    timer_armed_at = at;
}

static struct kern_host *defer_host(uint32_t defer, uint64_t timeout_ns)
{
    struct kern_host *h = h_new(1000, 300);
    h->p.napi_defer_hard_irqs = defer;
    h->p.gro_flush_timeout_ns = timeout_ns;
    h->ops.timer_at = rec_timer;
    timer_armed_at = UINT64_MAX;
    h->cpu = 0;
    return h;
}

/* One poll by the IRQ path or the watchdog: napi_complete_done's verdict. */
static bool complete_after(struct napi_struct *n, int work)
{
    n->state |= NAPI_STATE_SCHED;
    return kern_napi_complete_done(n, work);
}

/* napi_complete_done (net/core/dev.c): a poll that did work reloads defer_hard_irqs_count and
 * keeps the IRQ masked, arming n->timer for gro_flush_timeout; the IRQ comes back only on the
 * napi_defer_hard_irqs-th empty poll in a row. */
static void test_defer_keeps_irq_masked_until_n_empty_polls(void)
{
    struct kern_host *h = defer_host(3, 20000);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, 0, 0);
    h->now = 1000;
    CU_ASSERT_FALSE(complete_after(&a.napi, 5)); /* work: count 3 -> 2, IRQ stays masked */
    CU_ASSERT_EQUAL(a.napi.defer_hard_irqs_count, 2);
    CU_ASSERT_EQUAL(timer_armed_at, 21000);      /* hrtimer_start(gro_flush_timeout), REL */
    CU_ASSERT_EQUAL(a.napi.state, 0);            /* not scheduled: the timer will */
    CU_ASSERT_FALSE(complete_after(&a.napi, 0)); /* empty: 2 -> 1 */
    CU_ASSERT_FALSE(complete_after(&a.napi, 4)); /* work again: reloaded, 3 -> 2 */
    CU_ASSERT_EQUAL(a.napi.defer_hard_irqs_count, 2);
    CU_ASSERT_FALSE(complete_after(&a.napi, 0)); /* 2 -> 1 */
    CU_ASSERT_FALSE(complete_after(&a.napi, 0)); /* 1 -> 0, still deferred */
    timer_armed_at = UINT64_MAX;
    CU_ASSERT_TRUE(complete_after(&a.napi, 0));  /* the third empty poll: IRQ re-enabled */
    CU_ASSERT_EQUAL(timer_armed_at, UINT64_MAX); /* and no timer armed */
    kern_host_free(h);
}

/* Without gro_flush_timeout the counter is spent but the IRQ is re-enabled at once (the
 * deferral needs both sysfs knobs); the defaults (0, 0) are the plain napi_complete_done. */
static void test_defer_without_timeout_reenables_irq(void)
{
    struct kern_host *h = defer_host(10, 0);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, 0, 0);
    CU_ASSERT_TRUE(complete_after(&a.napi, 5));
    CU_ASSERT_EQUAL(a.napi.defer_hard_irqs_count, 9);
    CU_ASSERT_EQUAL(timer_armed_at, UINT64_MAX);
    kern_host_free(h);
    h = defer_host(0, 0);
    fake_napi_add(h, &a, 64, 0, 0);
    CU_ASSERT_TRUE(complete_after(&a.napi, 5));
    CU_ASSERT_EQUAL(timer_armed_at, UINT64_MAX);
    kern_host_free(h);
}

/* napi_watchdog() at the timer's expiry: the hrtimer interrupt schedules the NAPI on the CPU
 * that armed it (HRTIMER_MODE_REL_PINNED) and NET_RX polls it, with no device IRQ. */
static void test_watchdog_schedules_napi_at_expiry(void)
{
    struct kern_host *h = defer_host(2, 50000);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, 0, 1000);
    h->now = 0;
    CU_ASSERT_FALSE(complete_after(&a.napi, 7));
    CU_ASSERT_EQUAL(timer_armed_at, 50000);
    kern_hrtimer_expire(h, 0, 49999); /* not yet due: nothing raised */
    CU_ASSERT_EQUAL(h->cpus[0].irq_pending, 0);
    kern_hrtimer_expire(h, 0, 50000);
    CU_ASSERT(h->cpus[0].irq_pending & (1ull << KERN_IRQ_HRTIMER));
    uint64_t t = 50000;
    for (int i = 0; i < 10; i++)
        t = kern_cpu_step(h, 0, t);
    CU_ASSERT_EQUAL(a.napi.watchdog_fires, 1);
    CU_ASSERT_EQUAL(a.polls, 1); /* polled by NET_RX after the timer interrupt */
    CU_ASSERT_EQUAL(kern_irq_count(h, KERN_IRQ_HRTIMER, 0), 1);
    /* that poll found nothing (count 1 -> 0): deferred once more, timer re-armed */
    CU_ASSERT_EQUAL(a.napi.defer_hard_irqs_count, 0);
    CU_ASSERT(timer_armed_at > 50000);
    kern_host_free(h);
}

/* Re-arming (hrtimer_start on an armed timer) moves the expiry: the old one does not fire. */
static void test_rearmed_timer_fires_once_at_new_expiry(void)
{
    struct kern_host *h = defer_host(5, 10000);
    struct fake_napi a = {0};
    fake_napi_add(h, &a, 64, 0, 0);
    h->now = 0;
    complete_after(&a.napi, 1);
    h->now = 5000;
    complete_after(&a.napi, 1);
    CU_ASSERT_EQUAL(a.napi.timer_at, 15000);
    kern_hrtimer_expire(h, 0, 10000);
    CU_ASSERT_EQUAL(h->cpus[0].irq_pending, 0);
    kern_hrtimer_expire(h, 0, 15000);
    CU_ASSERT(h->cpus[0].irq_pending & (1ull << KERN_IRQ_HRTIMER));
    kern_host_free(h);
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
    {"test_defer_keeps_irq_masked_until_n_empty_polls",
     test_defer_keeps_irq_masked_until_n_empty_polls},
    {"test_defer_without_timeout_reenables_irq", test_defer_without_timeout_reenables_irq},
    {"test_watchdog_schedules_napi_at_expiry", test_watchdog_schedules_napi_at_expiry},
    {"test_rearmed_timer_fires_once_at_new_expiry", test_rearmed_timer_fires_once_at_new_expiry},
    CU_TEST_INFO_NULL,
};

CU_MAIN("napi", cases)
