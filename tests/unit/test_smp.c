/* models/kernel/smp.c: remote wake-ups as ttwu_queue() does them (kernel/sched/core.c):
 * a local wake sends no IPI, a wake-list wake raises the CAL IPI on the target (hardirq
 * + sched_ttwu_pending, counted), an idle target pays its C-state exit, and RPS shares
 * the same CAL vector. */
#include "models/kernel/kern_priv.h"
#include "models/kernel/smp.h"
#include "tests/unit/cu_main.h"

static void t_kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx;
    (void)cpu;
    (void)at;
}

static void t_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx;
    (void)t;
    (void)at;
}

static struct kern_host *host2(uint32_t idle_exit)
{
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    c.hardirq = 1000;
    c.ttwu_pending = 250;
    c.idle_exit_ns = idle_exit;
    c.wakeup = 600;
    c.wakeup_local = 300;
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    return kern_host_new(2, &p, &c, &ops);
}

static uint64_t run_cpu(struct kern_host *h, unsigned cpu, uint64_t t)
{
    for (int i = 0; i < 1000; i++) {
        uint64_t e = kern_cpu_step(h, cpu, t);
        if (e == t)
            break;
        t = e;
    }
    return t;
}

static void test_smp_local_wake_sends_no_ipi(void)
{
    struct kern_host *h = host2(2000);
    /* waker and target are the same CPU (RFS: the stack ran where the reader sleeps) */
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, 1, false, true, true, 5000), 5000);
    CU_ASSERT_EQUAL(h->cpus[1].irq_pending, 0);
    CU_ASSERT_EQUAL(kern_wake_ipis(h), 0);
    /* not a CPU's code (an engine timer): treated as local too */
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, -1, true, false, true, 5000), 5000);
    CU_ASSERT_EQUAL(kern_wake_ipis(h), 0);
    kern_host_free(h);
}

static void test_smp_remote_wake_charges_a_cal_ipi_on_the_target(void)
{
    struct kern_host *h = host2(2000);
    /* busy target outside the waker's LLC: ttwu_queue_wakelist, no idle exit */
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, 0, true, false, false, 5000), 5000);
    CU_ASSERT(h->cpus[1].irq_pending >> KERN_IRQ_CAL & 1);
    CU_ASSERT_EQUAL(h->cpus[1].irq_at[KERN_IRQ_CAL], 5000);
    CU_ASSERT_EQUAL(kern_wake_ipis(h), 1);
    CU_ASSERT_EQUAL(h->cpus[0].irq_pending, 0); /* the waker pays no hardirq */
    run_cpu(h, 1, 5000);
    const struct kern_cpu_stats *st = kern_cpu_stats(h, 1);
    CU_ASSERT_EQUAL(st->irqs, 1);
    CU_ASSERT_EQUAL(kern_irq_count(h, KERN_IRQ_CAL, 1), 1);
    CU_ASSERT_STRING_EQUAL(kern_irq_name(h, KERN_IRQ_CAL), "CAL");
    /* entry/exit + sched_ttwu_pending, as irq time on the target */
    CU_ASSERT_EQUAL(st->acct[KERN_IRQ], 1000 + 250);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->acct[KERN_IRQ], 0);
    kern_host_free(h);
}

static void test_smp_remote_wake_of_a_busy_shared_cache_cpu_sends_res_only_to_preempt(void)
{
    struct kern_host *h = host2(2000);
    /* ttwu_queue_cond false: activated under the target's rq lock, no IPI */
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, 0, false, false, false, 100), 100);
    CU_ASSERT_EQUAL(h->cpus[1].irq_pending, 0);
    CU_ASSERT_EQUAL(kern_wake_ipis(h), 0);
    /* the wakee preempts the target's current thread: resched_curr -> RES IPI */
    kern_ttwu_queue(h, 1, 0, false, true, false, 100);
    CU_ASSERT(h->cpus[1].irq_pending >> KERN_IRQ_RES & 1);
    CU_ASSERT_EQUAL(kern_wake_ipis(h), 1);
    run_cpu(h, 1, 100);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->acct[KERN_IRQ], 1000); /* scheduler_ipi: entry/exit */
    kern_host_free(h);
}

static void test_smp_idle_target_pays_the_idle_exit_latency(void)
{
    struct kern_host *h = host2(2000);
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, 0, true, false, true, 5000), 7000);
    CU_ASSERT_EQUAL(h->cpus[1].irq_at[KERN_IRQ_CAL], 7000);
    /* latency, not CPU time: the IPI itself costs the same */
    run_cpu(h, 1, 7000);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->acct[KERN_IRQ], 1000 + 250);
    kern_host_free(h);
    h = host2(0); /* idle_exit_ns 0 disables it */
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, 0, true, false, true, 5000), 5000);
    kern_host_free(h);
}

static int rps_calls;
static void rps_fn(void *ctx)
{
    (void)ctx;
    rps_calls++;
}

static void test_smp_one_cal_ipi_serves_rps_and_wake_list(void)
{
    struct kern_host *h = host2(0);
    rps_calls = 0;
    kern_smp_set_rps_fn(h, rps_fn, NULL);
    kern_smp_call_function_single(h, 1, KERN_CSD_RPS, 100);
    kern_ttwu_queue(h, 1, 0, true, false, false, 100);
    run_cpu(h, 1, 100);
    CU_ASSERT_EQUAL(rps_calls, 1);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->irqs, 1); /* both callbacks, one hardirq */
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->acct[KERN_IRQ], 1000 + 250);
    kern_host_free(h);
}

/* __smp_call_single_queue(): llist_add onto an empty call_single_queue sends the IPI; onto one
 * that still holds an entry (a wake-list entry not yet run) it sends none, and the pending IPI
 * runs both; once drained, the next csd sends again. */
static void test_smp_call_single_queue_sends_an_ipi_only_onto_an_empty_queue(void)
{
    struct kern_host *h = host2(0);
    rps_calls = 0;
    kern_smp_set_rps_fn(h, rps_fn, NULL);
    kern_ttwu_queue(h, 1, 0, true, false, false, 100);
    CU_ASSERT_FALSE(kern_smp_call_single_queue(h, 1, KERN_CSD_RPS, 100));
    run_cpu(h, 1, 100);
    CU_ASSERT_EQUAL(rps_calls, 1);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->irqs, 1);
    CU_ASSERT_TRUE(kern_smp_call_single_queue(h, 1, KERN_CSD_RPS, 5000));
    run_cpu(h, 1, 5000);
    CU_ASSERT_EQUAL(rps_calls, 2);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->irqs, 2);
    kern_host_free(h);
}

static int t_vector(int irq, void *dev)
{
    (void)irq;
    (void)dev;
    return KERN_IRQ_HANDLED;
}

/* CPU 1 sits in the idle loop, CPU 0 is running something. */
static bool t_cpu1_idle(void *ctx, unsigned cpu)
{
    (void)ctx;
    return cpu == 1;
}

/* The C-state exit is paid by every interrupt that finds the CPU idle, not only by
 * wake-up IPIs: the RPS IPI to an idle backlog CPU (rps_trigger_softirq) and the NIC's
 * vector wait it out too, once; a busy CPU takes them at once. */
static void test_smp_any_interrupt_to_an_idle_cpu_pays_the_idle_exit_once(void)
{
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    c.hardirq = 1000;
    c.idle_exit_ns = 2000;
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake, .cpu_idle = t_cpu1_idle};
    struct kern_host *h = kern_host_new(2, &p, &c, &ops);
    rps_calls = 0;
    kern_smp_set_rps_fn(h, rps_fn, NULL);
    kern_smp_call_function_single(h, 1, KERN_CSD_RPS, 5000);
    CU_ASSERT_EQUAL(h->cpus[1].irq_at[KERN_IRQ_CAL], 7000);
    kern_smp_call_function_single(h, 0, KERN_CSD_RPS, 5000);
    CU_ASSERT_EQUAL(h->cpus[0].irq_at[KERN_IRQ_CAL], 5000);
    CU_ASSERT(kern_request_irq(h, 0, t_vector, "eth0-TxRx-0", NULL));
    kern_irq_deliver(h, 1, 0, 100); /* a device vector */
    CU_ASSERT_EQUAL(h->cpus[1].irq_at[0], 2100);
    /* a queued wake-up onto the idle CPU counts the exit once (the caller's `idle`) */
    CU_ASSERT_EQUAL(kern_ttwu_queue(h, 1, 0, false, true, true, 9000), 11000);
    CU_ASSERT_EQUAL(h->cpus[1].irq_at[KERN_IRQ_RES], 11000);
    run_cpu(h, 1, 7000);
    CU_ASSERT_EQUAL(rps_calls, 1);
    kern_host_free(h);
    c.idle_exit_ns = 0; /* 0 disables it */
    h = kern_host_new(2, &p, &c, &ops);
    kern_smp_call_function_single(h, 1, KERN_CSD_RPS, 5000);
    CU_ASSERT_EQUAL(h->cpus[1].irq_at[KERN_IRQ_CAL], 5000);
    kern_host_free(h);
}

/* sk_data_ready's wake-up costs the waker less when the reader sleeps on its CPU. */
static void test_smp_waker_pays_less_for_a_local_wake(void)
{
    struct kern_host *h = host2(0);
    struct cpus_thread *t = cpus_thread_new(kern_sched(h), "rx", 1, NULL, NULL);
    h->cpu = 1;
    h->now = 0;
    kern_wake_up(h, t);
    CU_ASSERT_EQUAL(h->now, 300);
    h->cpu = 0;
    h->now = 0;
    kern_wake_up(h, t);
    CU_ASSERT_EQUAL(h->now, 600);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_smp_local_wake_sends_no_ipi", test_smp_local_wake_sends_no_ipi},
    {"test_smp_remote_wake_charges_a_cal_ipi_on_the_target",
     test_smp_remote_wake_charges_a_cal_ipi_on_the_target},
    {"test_smp_remote_wake_of_a_busy_shared_cache_cpu_sends_res_only_to_preempt",
     test_smp_remote_wake_of_a_busy_shared_cache_cpu_sends_res_only_to_preempt},
    {"test_smp_idle_target_pays_the_idle_exit_latency",
     test_smp_idle_target_pays_the_idle_exit_latency},
    {"test_smp_one_cal_ipi_serves_rps_and_wake_list",
     test_smp_one_cal_ipi_serves_rps_and_wake_list},
    {"test_smp_waker_pays_less_for_a_local_wake", test_smp_waker_pays_less_for_a_local_wake},
    {"test_smp_any_interrupt_to_an_idle_cpu_pays_the_idle_exit_once",
     test_smp_any_interrupt_to_an_idle_cpu_pays_the_idle_exit_once},
    {"test_smp_call_single_queue_sends_an_ipi_only_onto_an_empty_queue",
     test_smp_call_single_queue_sends_an_ipi_only_onto_an_empty_queue},
    CU_TEST_INFO_NULL,
};

CU_MAIN("smp", cases)
