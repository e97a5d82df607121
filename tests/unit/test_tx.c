/* models/kernel/tx.c: the XPS maps set per TX queue read back as xps_cpus_show() /
 * xps_rxqs_show() print them (net/core/net-sysfs.c): the ids whose map lists the queue. */
#include "models/kernel/kern_priv.h"
#include "models/kernel/tx.h"
#include "tests/unit/cu_main.h"

static bool t_xmit(void *drv, const struct kern_tx_pkt *p, unsigned txq)
{
    (void)drv, (void)p, (void)txq;
    return true;
}

static void t_kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void t_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx, (void)t, (void)at;
}

static struct kern_host *host(unsigned n_cpus)
{
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    return kern_host_new(n_cpus, &p, &c, &ops);
}

/* 256 CPUs, 2 TX queues: tx-0 <- CPUs 0-127, tx-1 <- CPUs 128-255 and CPU 3 (a CPU may map
 * to several queues); xps_rxqs tx-1 <- rx queue 1. */
static void test_tx_xps_show_reads_back_the_maps(void)
{
    struct kern_host *h = host(256);
    CU_ASSERT_FATAL(kern_tx_register(h, 0, 2, t_xmit, NULL, NULL));
    struct sim_cpumask cpus[2], rxqs[2] = {{{0}}}, out;
    CU_ASSERT_FATAL(sim_cpumask_parselist(&cpus[0], "0-127", 256, NULL));
    CU_ASSERT_FATAL(sim_cpumask_parselist(&cpus[1], "3,128-255", 256, NULL));
    sim_cpumask_set(&rxqs[1], 1);
    kern_tx_xps_show(h, 0, 0, false, 256, &out);
    CU_ASSERT(sim_cpumask_empty(&out)); /* no XPS yet */
    CU_ASSERT_FATAL(kern_tx_set_xps(h, 0, cpus, rxqs, 2, NULL));
    kern_tx_xps_show(h, 0, 1, false, 256, &out);
    char *s = sim_cpumask_print(&out, 256);
    CU_ASSERT_STRING_EQUAL(s, "ffffffff,ffffffff,ffffffff,ffffffff,00000000,00000000,00000000,"
                              "00000008");
    g_free(s);
    kern_tx_xps_show(h, 0, 0, false, 256, &out);
    CU_ASSERT(sim_cpumask_equal(&out, &cpus[0]));
    kern_tx_xps_show(h, 0, 1, true, 2, &out);
    s = sim_cpumask_print(&out, 2);
    CU_ASSERT_STRING_EQUAL(s, "2");
    g_free(s);
    kern_tx_xps_show(h, 0, 0, true, 2, &out);
    CU_ASSERT(sim_cpumask_empty(&out));
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_tx_xps_show_reads_back_the_maps", test_tx_xps_show_reads_back_the_maps},
    CU_TEST_INFO_NULL,
};

CU_MAIN("tx", cases)
