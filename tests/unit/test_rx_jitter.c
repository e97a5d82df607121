/* models/kernel/rx_jitter.c: the fitted NET_RX jitter (/costs/net_rx_jitter_ns) drawn once
 * per net_rx_action() run, with the rule validate's softirq model uses
 * (kern_cost_net_rx_extra: a run lasts MAX(0, priced + jitter)). */
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

static void set_jitter(struct kern_host *h, int32_t lo, int32_t hi)
{
    h->c.n_net_rx_jitter = KERN_COST_JITTER_Q;
    for (int i = 0; i < KERN_COST_JITTER_Q; i++)
        h->c.net_rx_jitter_ns[i] = lo + (hi - lo) * i / (KERN_COST_JITTER_Q - 1);
}

/* Soft time on CPU 0 after n IRQs, each followed by a NET_RX run of one 10 µs poll. */
static uint64_t soft_after_runs(struct kern_host *h, int n)
{
    static struct fake_napi f;
    memset(&f, 0, sizeof f);
    fake_napi_add(h, &f, 64, 1, 10000);
    f.complete = true;
    h_irq_napis[0] = &f;
    h_irq_napis[1] = NULL;
    kern_request_irq(h, 5, h_irq, "t", NULL);
    for (int i = 0; i < n; i++) {
        kern_irq_deliver(h, 0, 5, (uint64_t)i * 1000000);
        h_run(h, (uint64_t)(i + 1) * 1000000);
    }
    CU_ASSERT_EQUAL(f.polls, (unsigned)n);
    return kern_cpu_stats(h, 0)->acct[KERN_SOFT];
}

static void test_extra_never_below_the_priced_work(void)
{
    struct kern_cost c = {0};
    c.n_net_rx_jitter = KERN_COST_JITTER_Q;
    for (int i = 0; i < KERN_COST_JITTER_Q; i++)
        c.net_rx_jitter_ns[i] = -5000;
    CU_ASSERT_EQUAL(kern_cost_net_rx_extra(&c, 3000, 0.5), -3000); /* MAX(0, 3000 - 5000) */
    CU_ASSERT_EQUAL(kern_cost_net_rx_extra(&c, 8000, 0.5), -5000);
    c.n_net_rx_jitter = 0;
    CU_ASSERT_EQUAL(kern_cost_net_rx_extra(&c, 3000, 0.5), 0);
}

static void test_no_calibration_changes_nothing(void)
{
    struct kern_host *h = h_new(1000, 300);
    uint64_t a = soft_after_runs(h, 20);
    kern_host_free(h);
    h = h_new(1000, 300);
    h->c.n_net_rx_jitter = 0;
    h->c.net_rx_jitter_ns[0] = 99999; /* ignored: no bins */
    CU_ASSERT_EQUAL(soft_after_runs(h, 20), a);
    kern_host_free(h);
}

static void test_positive_jitter_lengthens_each_run(void)
{
    struct kern_host *h = h_new(1000, 300);
    uint64_t base = soft_after_runs(h, 50);
    kern_host_free(h);
    h = h_new(1000, 300);
    set_jitter(h, 1000, 3000); /* mean 2 µs, every draw > 0 */
    uint64_t with = soft_after_runs(h, 50);
    kern_host_free(h);
    CU_ASSERT(with > base + 50 * 1000);
    CU_ASSERT(with < base + 50 * 3000 + 1);
    CU_ASSERT(with - base > 50 * 1500 && with - base < 50 * 2500); /* ~ the bins' mean */
}

static void test_negative_draws_are_owed_not_lost(void)
{
    /* symmetric bins around 0: what negative draws take is paid back out of later positive
     * ones, so 200 runs add about 0 on the whole, never less than 0 */
    struct kern_host *h = h_new(1000, 300);
    uint64_t base = soft_after_runs(h, 200);
    kern_host_free(h);
    h = h_new(1000, 300);
    set_jitter(h, -4000, 4000);
    uint64_t with = soft_after_runs(h, 200);
    int64_t owed = h->cpus[0].rx_jitter_owed;
    kern_host_free(h);
    CU_ASSERT(with >= base);
    CU_ASSERT((int64_t)(with - base) + owed < 200 * 1000); /* mean 0 within 1 µs per run */
    CU_ASSERT((int64_t)(with - base) + owed > -200 * 1000);
}

static void test_same_seed_same_draws(void)
{
    uint64_t v[3];
    for (int i = 0; i < 3; i++) {
        struct kern_params p;
        kern_params_defaults(&p);
        p.seed = i < 2 ? 7 : 8;
        struct kern_cost c = {0};
        struct kern_ops ops = {.kick_cpu = h_kick, .wake_at = h_wake};
        struct kern_host *h = kern_host_new(1, &p, &c, &ops);
        unsigned sof = 0;
        kern_sockets_init(h, 1, &sof, 1, 1 << 30);
        set_jitter(h, 0, 40000);
        v[i] = soft_after_runs(h, 30);
        kern_host_free(h);
    }
    CU_ASSERT_EQUAL(v[0], v[1]);
    CU_ASSERT_NOT_EQUAL(v[0], v[2]);
}

static CU_TestInfo cases[] = {
    {"test_extra_never_below_the_priced_work", test_extra_never_below_the_priced_work},
    {"test_no_calibration_changes_nothing", test_no_calibration_changes_nothing},
    {"test_positive_jitter_lengthens_each_run", test_positive_jitter_lengthens_each_run},
    {"test_negative_draws_are_owed_not_lost", test_negative_draws_are_owed_not_lost},
    {"test_same_seed_same_draws", test_same_seed_same_draws},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rx_jitter", cases)
