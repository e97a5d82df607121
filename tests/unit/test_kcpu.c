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

/* kern_set_intervals(): a charge that straddles boundaries is split at each, a CPU idle
 * across boundaries keeps its sums, and the last boundary's row plus the rest adds up to
 * the totals (what mpstat's Average is the weighted mean of). */
static void charge_usr_at(struct kern_host *h, uint64_t at, uint64_t ns)
{
    h->cpu = 0;
    h->now = at;
    kern_charge_user(h, ns);
}

static void test_kcpu_intervals_split_charges_at_boundaries(void)
{
    struct kern_host *h = h_new(250, 300);
    kern_set_end(h, 10000000);
    kern_set_intervals(h, 1000000);     /* 1 ms: boundaries 1..9 ms */
    charge_usr_at(h, 500000, 2500000);  /* [0.5, 3) ms */
    charge_usr_at(h, 3000000, 100000);  /* [3, 3.1): ends inside interval 3 */
    charge_usr_at(h, 7200000, 300000);  /* [7.2, 7.5) after idling over 4..7 ms */
    charge_usr_at(h, 9500000, 2000000); /* clipped at the end: 0.5 ms */
    const uint64_t *rows;
    CU_ASSERT_EQUAL_FATAL(kern_intervals(h, 0, &rows), 9);
    static const uint64_t want_us[9] = {500, 1500, 2500, 2600, 2600, 2600, 2600, 2900, 2900};
    for (unsigned i = 0; i < 9; i++)
        CU_ASSERT_EQUAL(rows[i * KERN_IV_COLS + KERN_USR], want_us[i] * 1000);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->acct[KERN_USR], 3400000);
    CU_ASSERT_EQUAL(rows[8 * KERN_IV_COLS + KERN_SYS], 0);
    kern_host_free(h);
}

static void test_kcpu_intervals_off_by_default(void)
{
    struct kern_host *h = h_new(250, 300);
    kern_set_end(h, 10000000);
    const uint64_t *rows;
    charge_usr_at(h, 0, 5000000);
    CU_ASSERT_EQUAL(kern_intervals(h, 0, &rows), 0);
    kern_set_intervals(h, 20000000); /* one interval: the whole run, no boundary inside */
    CU_ASSERT_EQUAL(kern_intervals(h, 0, &rows), 0);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"intervals split charges at boundaries", test_kcpu_intervals_split_charges_at_boundaries},
    {"intervals off by default", test_kcpu_intervals_off_by_default},
    {"IRQ_NONE is counted unhandled", test_kcpu_irq_none_is_counted_unhandled},
    CU_TEST_INFO_NULL,
};

CU_MAIN("kcpu", cases)
