/* models/kernel/busy_poll.c: napi_busy_loop() polls with BUSY_POLL_BUDGET (8) and keeps
 * the NAPI (so the driver's napi_complete_done does not re-enable the IRQ). */
#include "models/kernel/kern.h"
#include "tests/unit/cu_main.h"

static int seen_budget, ring_left, completes_ok;

static void kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx, (void)t, (void)at;
}

/* A driver poll: cleans up to `budget` of ring_left, completes when under budget. */
static int fake_poll(struct napi_struct *n, int budget)
{
    seen_budget = budget;
    int work = ring_left < budget ? ring_left : budget;
    ring_left -= work;
    if (work < budget && kern_napi_complete_done(n, work))
        completes_ok++;
    return work;
}

static struct kern_host *host(void)
{
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    struct kern_ops ops = {.kick_cpu = kick, .wake_at = wake};
    return kern_host_new(1, &p, &c, &ops);
}

static void test_busy_poll_budget_8_and_irq_stays_masked(void)
{
    struct kern_host *h = host();
    struct napi_struct n;
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    ring_left = 20;
    completes_ok = 0;
    CU_ASSERT_EQUAL(kern_napi_busy_poll(&n), 8);
    CU_ASSERT_EQUAL(seen_budget, KERN_BUSY_POLL_BUDGET);
    CU_ASSERT_EQUAL(KERN_BUSY_POLL_BUDGET, 8);
    CU_ASSERT_EQUAL(kern_napi_busy_poll(&n), 8);
    CU_ASSERT_EQUAL(kern_napi_busy_poll(&n), 4); /* ring drained: under budget */
    CU_ASSERT_EQUAL(completes_ok, 0);            /* napi_complete_done refused */
    CU_ASSERT_TRUE(n.state & NAPI_STATE_SCHED);
    CU_ASSERT_TRUE(n.state & NAPI_STATE_IN_BUSY_POLL);
    /* an interrupt meanwhile finds it owned: no NET_RX raised, only MISSED */
    kern_napi_schedule(&n);
    CU_ASSERT_EQUAL(kern_softirq_pending(h, 0), 0);
    CU_ASSERT_EQUAL(n.polls, 3);
    kern_host_free(h);
}

/* A NAPI the IRQ path scheduled belongs to softirq: the busy poller backs off. */
static void test_busy_poll_backs_off_from_softirq_owned_napi(void)
{
    struct kern_host *h = host();
    struct napi_struct n;
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    kern_napi_schedule(&n);
    CU_ASSERT_TRUE(kern_softirq_pending(h, 0) & (1u << NET_RX_SOFTIRQ));
    seen_budget = -1;
    CU_ASSERT_EQUAL(kern_napi_busy_poll(&n), -1);
    CU_ASSERT_EQUAL(seen_budget, -1);
    kern_host_free(h);
}

static uint64_t armed_at = UINT64_MAX;
static void rec_timer(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu;
    armed_at = at;
}

static struct kern_host *suspend_host(uint64_t suspend_ns, uint32_t defer, uint64_t gro_ns)
{
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    p.kernel_version = 613;
    p.irq_suspend_timeout_ns = suspend_ns;
    p.napi_defer_hard_irqs = defer;
    p.gro_flush_timeout_ns = gro_ns;
    struct kern_ops ops = {.kick_cpu = kick, .wake_at = wake, .timer_at = rec_timer};
    armed_at = UINT64_MAX;
    return kern_host_new(1, &p, &c, &ops);
}

/* busy_poll_stop() with prefer_busy_poll (net/core/dev.c, 6.13): irq_suspend_timeout takes
 * the place of gro_flush_timeout in the re-armed timer, so the IRQ stays suspended. */
static void test_busy_poll_stop_arms_irq_suspend_timeout(void)
{
    struct kern_host *h = suspend_host(20000000, 2, 100000);
    struct napi_struct n;
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    ring_left = 3;
    completes_ok = 0;
    CU_ASSERT_EQUAL(kern_napi_busy_poll(&n), 3);
    uint64_t now = kern_now(h);
    kern_napi_busy_poll_stop(&n);
    CU_ASSERT_EQUAL(n.state, 0);                 /* handed back, not scheduled */
    CU_ASSERT_EQUAL(armed_at, now + 20000000);   /* the suspend timeout */
    CU_ASSERT_EQUAL(n.defer_hard_irqs_count, 2); /* reloaded */
    CU_ASSERT_EQUAL(kern_softirq_pending(h, 0), 0);
    kern_host_free(h);
    /* without irq_suspend_timeout: gro_flush_timeout, as in 6.12 */
    h = suspend_host(0, 2, 100000);
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    ring_left = 0;
    kern_napi_busy_poll(&n);
    now = kern_now(h);
    kern_napi_busy_poll_stop(&n);
    CU_ASSERT_EQUAL(armed_at, now + 100000);
    kern_host_free(h);
}

/* Without deferral busy_poll_stop schedules the NAPI so softirq's napi_complete_done turns
 * the IRQ back on; napi_resume_irqs (epoll found nothing) does the same when suspension is
 * configured, and nothing otherwise. */
static void run_softirq(struct kern_host *h)
{
    completes_ok = 0;
    uint64_t t = kern_now(h);
    for (int i = 0; i < 20; i++)
        t = kern_cpu_step(h, 0, t);
}

static void test_busy_poll_stop_and_resume_schedule_softirq(void)
{
    struct kern_host *h = suspend_host(0, 0, 0);
    struct napi_struct n;
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    ring_left = 0;
    kern_napi_busy_poll(&n);
    kern_napi_busy_poll_stop(&n);
    CU_ASSERT_EQUAL(armed_at, UINT64_MAX);
    run_softirq(h);
    CU_ASSERT_EQUAL(completes_ok, 1); /* NET_RX polled it: napi_complete_done said IRQ on */
    CU_ASSERT_EQUAL(n.state, 0);
    kern_host_free(h);
    h = suspend_host(0, 0, 0);
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    kern_napi_resume_irqs(&n);
    CU_ASSERT_EQUAL(n.state, 0);
    kern_host_free(h);
    h = suspend_host(20000000, 2, 100000);
    kern_netif_napi_add(h, &n, fake_poll, 64, NULL);
    kern_napi_resume_irqs(&n);
    run_softirq(h);
    CU_ASSERT_EQUAL(completes_ok, 1); /* NET_RX polled it: napi_complete_done said IRQ on */
    CU_ASSERT_EQUAL(n.state, 0);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_busy_poll_stop_arms_irq_suspend_timeout", test_busy_poll_stop_arms_irq_suspend_timeout},
    {"test_busy_poll_stop_and_resume_schedule_softirq",
     test_busy_poll_stop_and_resume_schedule_softirq},
    {"test_busy_poll_budget_8_and_irq_stays_masked", test_busy_poll_budget_8_and_irq_stays_masked},
    {"test_busy_poll_backs_off_from_softirq_owned_napi",
     test_busy_poll_backs_off_from_softirq_owned_napi},
    CU_TEST_INFO_NULL,
};

CU_MAIN("busy_poll", cases)
