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

static CU_TestInfo cases[] = {
    {"test_busy_poll_budget_8_and_irq_stays_masked", test_busy_poll_budget_8_and_irq_stays_masked},
    {"test_busy_poll_backs_off_from_softirq_owned_napi",
     test_busy_poll_backs_off_from_softirq_owned_napi},
    CU_TEST_INFO_NULL,
};

CU_MAIN("busy_poll", cases)
