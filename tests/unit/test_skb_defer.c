/* models/kernel/skb_defer.c: skb_attempt_defer_free() queues a remotely freed skb on its
 * alloc CPU's defer_list, kicks that CPU (trigger_rx_softirq) when the list holds
 * defer_max / 2 = 32, and that CPU's net_rx_action empties it (skb_defer_free_flush),
 * net/core/skbuff.c and net/core/dev.c, 5.19+. */
#include "models/kernel/kversion.h"
#include "models/kernel/smp.h"
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

static void test_33rd_remote_free_kicks(void)
{
    /* kick = defer_count == defer_max >> 1, read before the increment: the free that finds
     * 32 queued sends the IPI; the 32 before it do not */
    struct kern_skb_defer d = {0};
    for (int i = 0; i < 32; i++)
        CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true), KERN_DEFER_QUEUED);
    CU_ASSERT_FALSE(d.kicked);
    CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true), KERN_DEFER_KICK);
    CU_ASSERT(d.kicked);
    CU_ASSERT_EQUAL(d.count, 33);
}

static void test_full_list_frees_locally_and_one_ipi_at_a_time(void)
{
    struct kern_skb_defer d = {0};
    for (int i = 0; i < KERN_SKB_DEFER_MAX; i++)
        kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true);
    CU_ASSERT_EQUAL(d.count, KERN_SKB_DEFER_MAX);
    /* defer_count >= defer_max: nodefer */
    CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true), KERN_DEFER_LOCAL);
    CU_ASSERT(kern_skb_defer_flush(&d));
    /* the first IPI has not run trigger_rx_softirq yet: the next kick sends none */
    for (int i = 0; i < 32; i++)
        kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true);
    CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true), KERN_DEFER_QUEUED);
    CU_ASSERT(d.kicked);
}

static void test_flush_empties_and_is_priced_once(void)
{
    struct kern_skb_defer d = {0};
    for (int i = 0; i < 5; i++)
        kern_skb_defer_queue(&d, KERN_VERSION(6, 12), true);
    CU_ASSERT_FALSE(kern_skb_defer_flush(&d)); /* emptied, no kick asked for it */
    CU_ASSERT_EQUAL(d.count, 0);
    kern_skb_defer_kicked(&d); /* validate: a trigger_rx_softirq csd in the trace */
    CU_ASSERT(kern_skb_defer_flush(&d));
    CU_ASSERT_FALSE(kern_skb_defer_flush(&d));
}

static void test_local_free_and_old_release_never_defer(void)
{
    struct kern_skb_defer d = {0};
    CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(6, 12), false), KERN_DEFER_LOCAL);
    for (int i = 0; i < 40; i++)
        CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(5, 18), true), KERN_DEFER_LOCAL);
    CU_ASSERT_EQUAL(d.count, 0);
    CU_ASSERT_EQUAL(kern_skb_defer_queue(&d, KERN_VERSION(5, 19), true), KERN_DEFER_QUEUED);
}

static struct kern_host *two_cpus(unsigned version)
{
    struct kern_params p;
    kern_params_defaults(&p);
    p.kernel_version = version;
    struct kern_cost c = {0};
    c.ipi_send = 700;
    c.skb_defer_flush = 3200;
    struct kern_ops ops = {.kick_cpu = h_kick, .wake_at = h_wake};
    return kern_host_new(2, &p, &c, &ops);
}

static void test_host_kicks_alloc_cpu_and_its_net_rx_action_pays_the_flush(void)
{
    struct kern_host *h = two_cpus(KERN_VERSION(6, 12));
    h->cpu = 1; /* the reader's recvmsg on CPU 1 frees skbs CPU 0's NAPI built */
    for (int i = 0; i < 32; i++)
        kern_skb_attempt_defer_free(h, 0);
    CU_ASSERT_EQUAL(h->cpus[0].csd_pending, 0);
    uint64_t before = h->now;
    kern_skb_attempt_defer_free(h, 0);
    CU_ASSERT(h->cpus[0].csd_pending & KERN_CSD_DEFER);
    CU_ASSERT_EQUAL(h->now - before, 700); /* the IPI's send on the freeing CPU */
    /* CPU 0's CAL IPI: trigger_rx_softirq raises NET_RX and allows the next kick */
    h->cpu = 0;
    kern_skb_defer_trigger_rx_softirq(h);
    CU_ASSERT(h->cpus[0].softirq_pending & (1u << NET_RX_SOFTIRQ));
    CU_ASSERT_FALSE(h->cpus[0].defer.ipi_scheduled);
    before = h->now;
    kern_skb_defer_free_flush(h);
    CU_ASSERT_EQUAL(h->now - before, 3200);
    CU_ASSERT_EQUAL(h->cpus[0].defer.count, 0);
    before = h->now;
    kern_skb_defer_free_flush(h); /* empty list: nothing */
    CU_ASSERT_EQUAL(h->now, before);
    /* a free on the alloc CPU itself is not deferred */
    kern_skb_attempt_defer_free(h, 0);
    CU_ASSERT_EQUAL(h->cpus[0].defer.count, 0);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_33rd_remote_free_kicks", test_33rd_remote_free_kicks},
    {"test_full_list_frees_locally_and_one_ipi_at_a_time",
     test_full_list_frees_locally_and_one_ipi_at_a_time},
    {"test_flush_empties_and_is_priced_once", test_flush_empties_and_is_priced_once},
    {"test_local_free_and_old_release_never_defer", test_local_free_and_old_release_never_defer},
    {"test_host_kicks_alloc_cpu_and_its_net_rx_action_pays_the_flush",
     test_host_kicks_alloc_cpu_and_its_net_rx_action_pays_the_flush},
    CU_TEST_INFO_NULL,
};

CU_MAIN("skb_defer", cases)
