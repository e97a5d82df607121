/* models/kernel/softirq.c (softirq start latency, other devices' vectors): __do_softirq
 * runs pending vectors in bit order, so NET_RX raised by a hardirq waits for the vector
 * being run and for lower-numbered ones; the wait is measured from the MSI arrival. */
#include "models/kernel/kern.h"
#include "tests/unit/cu_main.h"

#define IRQ_NIC 40
#define IRQ_DEV 41

static struct napi_struct napi;
static uint64_t dev_work_ns;
static unsigned dev_vec;

static void kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx, (void)t, (void)at;
}

static int poll(struct napi_struct *n, int budget)
{
    (void)budget;
    kern_napi_complete_done(n, 0);
    return 0;
}

static int nic_irq(int irq, void *dev)
{
    (void)irq, (void)dev;
    kern_napi_schedule(&napi);
    return KERN_IRQ_HANDLED;
}

static int dev_irq(int irq, void *dev)
{
    (void)irq;
    kern_raise_softirq_work(dev, dev_vec, dev_work_ns);
    return KERN_IRQ_HANDLED;
}

static struct kern_host *host(void)
{
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    struct kern_ops ops = {.kick_cpu = kick, .wake_at = wake};
    struct kern_host *h = kern_host_new(1, &p, &c, &ops);
    kern_netif_napi_add(h, &napi, poll, 64, NULL);
    CU_ASSERT_TRUE(kern_request_irq(h, IRQ_NIC, nic_irq, "eth0-TxRx-0", NULL));
    CU_ASSERT_TRUE(kern_request_irq(h, IRQ_DEV, dev_irq, "nvme0q1", h));
    return h;
}

/* Step CPU 0 until it idles; returns the time. */
static uint64_t run_until_idle(struct kern_host *h, uint64_t t)
{
    for (int i = 0; i < 1000; i++) {
        uint64_t e = kern_cpu_step(h, 0, t);
        if (e == t && !kern_softirq_pending(h, 0))
            return t;
        t = e;
    }
    CU_FAIL("CPU never went idle");
    return t;
}

/* The NIC's MSI arrives 2 us into a 20 us BLOCK softirq: net_rx_action starts after it,
 * so the sample is ~18 us (plus the hardirq and the softirq pass). */
static void test_softirq_start_waits_for_running_block_softirq(void)
{
    struct kern_host *h = host();
    dev_vec = BLOCK_SOFTIRQ;
    dev_work_ns = 20000;
    kern_irq_deliver(h, 0, IRQ_DEV, 0);
    uint64_t t = kern_cpu_step(h, 0, 0); /* hardirq of the device */
    t = kern_cpu_step(h, 0, t);          /* irq_exit: the softirq pass begins */
    t = kern_cpu_step(h, 0, t);          /* the BLOCK action: one 20 us chunk */
    kern_irq_deliver(h, 0, IRQ_NIC, 2000);
    run_until_idle(h, t);
    const struct sim_hist *s = kern_softirq_start_hist(h);
    CU_ASSERT_EQUAL(s->count, 1);
    CU_ASSERT_TRUE(s->max >= 18000 && s->max < 25000);
    kern_host_free(h);
}

/* Both raised by IRQs arriving together: TIMER (bit 1) runs before NET_RX (bit 3) in
 * the same pass, BLOCK (bit 4) after it. */
static void test_softirq_vectors_run_in_bit_order(void)
{
    for (int v = 0; v < 2; v++) {
        struct kern_host *h = host();
        dev_vec = v == 0 ? TIMER_SOFTIRQ : BLOCK_SOFTIRQ;
        dev_work_ns = 50000;
        kern_irq_deliver(h, 0, IRQ_DEV, 0);
        kern_irq_deliver(h, 0, IRQ_NIC, 0);
        run_until_idle(h, 0);
        const struct sim_hist *s = kern_softirq_start_hist(h);
        CU_ASSERT_EQUAL(s->count, 1);
        CU_ASSERT_TRUE(v == 0 ? s->max >= 50000 : s->max < 10000);
        kern_host_free(h);
    }
}

static CU_TestInfo cases[] = {
    {"test_softirq_start_waits_for_running_block_softirq",
     test_softirq_start_waits_for_running_block_softirq},
    {"test_softirq_vectors_run_in_bit_order", test_softirq_vectors_run_in_bit_order},
    CU_TEST_INFO_NULL,
};

CU_MAIN("softirq_latency", cases)
