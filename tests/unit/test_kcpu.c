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

static CU_TestInfo cases[] = {
    {"IRQ_NONE is counted unhandled", test_kcpu_irq_none_is_counted_unhandled},
    CU_TEST_INFO_NULL,
};

CU_MAIN("kcpu", cases)
