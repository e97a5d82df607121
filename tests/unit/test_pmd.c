/* models/app/pmd.c: DPDK poll-mode receive — rte_eth_rx_burst on the ixgbe vector path
 * (chunks of 32, floored to 4 descriptors), no interrupts on PMD queues, spinning lcores
 * at 100% usr, mempool exhaustion leaving descriptors unarmed (the NIC drops), full
 * rte_rings dropping, and the STLB reach model of hugepages. */
#include "models/app/pmd.h"
#include "tests/unit/sim_harness.h"

#define NIC4                                                                                       \
    "\"nic\": {\"rx_queues\": 4, \"steering\": {\"chain\": [\"rss\"], \"rss\": {\"udp4\": true}}}"
#define NIC1 "\"nic\": {\"rx_queues\": 1, \"ring_size\": 512}"
#define FLOWS(pps, s)                                                                              \
    "\"traffic\": {\"duration_s\": " s ", \"flows\": [{\"count\": 64, \"proto\": \"udp\", "        \
    "\"rate_pps\": " pps "}]}"

static uint64_t lcore_busy_polls(const struct sim_pmd_lcore *l)
{
    return l->polls - l->empty_polls;
}

/* The queues' vectors never fire: no eth0 interrupt, no NAPI poll, no softirq time, and
 * every packet is done by an lcore. The same traffic received by the kernel interrupts. */
static void test_pmd_queues_raise_no_interrupt(void)
{
    struct sim_result r = run("{\"cpus\": 4, " NIC4
                              ", \"app\": {\"workload\": \"pmd\"}, " FLOWS("400000", "0.01") "}");
    CU_ASSERT_TRUE(r.pmd.present);
    for (unsigned q = 0; q < r.n_queues; q++) {
        CU_ASSERT_EQUAL(r.queues[q].irqs, 0);
        CU_ASSERT_EQUAL(r.queues[q].polls, 0);
    }
    for (unsigned c = 0; c < r.n_cpus; c++) {
        CU_ASSERT_EQUAL(r.cpus[c].irq_ns, 0);
        CU_ASSERT_EQUAL(r.cpus[c].soft_ns, 0);
    }
    CU_ASSERT_EQUAL(r.stack_calls, 0);
    CU_ASSERT(r.pmd.done >= r.offered - 64 && r.pmd.done <= r.offered);
    CU_ASSERT_EQUAL(r.delivered, r.pmd.done);
    sim_result_clear(&r);
    r = run("{\"cpus\": 4, " NIC4 ", " FLOWS("400000", "0.01") "}");
    uint64_t irqs = 0;
    for (unsigned q = 0; q < r.n_queues; q++)
        irqs += r.queues[q].irqs;
    CU_ASSERT(irqs > 100);
    sim_result_clear(&r);
}

/* An lcore spins: its CPU is 100% usr with (almost) no traffic, the others stay idle. */
static void test_pmd_lcore_spins_at_zero_load(void)
{
    struct sim_result r = run("{\"cpus\": 4, " NIC4 ", \"app\": {\"workload\": \"pmd\", \"pmd\": "
                              "{\"lcores\": [1, 2]}}, " FLOWS("1000", "0.002") "}");
    uint64_t end = (uint64_t)(r.sim_time_s * 1e9 + 0.5);
    for (unsigned c = 1; c <= 2; c++) { /* all but the switch to the lcore thread (sys) */
        CU_ASSERT_EQUAL(r.cpus[c].usr_ns + r.cpus[c].sys_ns, end);
        CU_ASSERT(r.cpus[c].usr_ns >= end - 2000);
    }
    CU_ASSERT_EQUAL(r.cpus[0].idle_ns, end);
    CU_ASSERT_EQUAL(r.cpus[3].idle_ns, end);
    CU_ASSERT(r.pmd.lcores[0].empty_polls > 10000);
    CU_ASSERT(r.pmd.lcores[0].spin_ns > end * 9 / 10);
    sim_result_clear(&r);
}

/* Under a ring kept full (the lcore's work is far slower than the arrivals) every call
 * after the first two takes exactly the burst, floored to the vector path's 4 descriptors; 64 = two
 * chunks. */
static void test_pmd_burst_sizes(void)
{
    static const struct {
        const char *burst;
        unsigned per_call;
    } cases[] = {{"6", 4}, {"32", 32}, {"64", 64}};
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *s = g_strdup_printf(
            "{\"cpus\": 2, " NIC1 ", \"app\": {\"workload\": \"pmd\", "
            "\"pmd\": {\"burst\": %s, \"work_ns\": 20000}}, " FLOWS("1000000", "0.03") "}",
            cases[i].burst);
        struct sim_result r = run(s);
        const struct sim_pmd_lcore *l = &r.pmd.lcores[0];
        CU_ASSERT(lcore_busy_polls(l) > 10);
        /* the first two calls find what came during the switch-in and the first call's
         * work; every later one, after burst x 20 us of work, a full ring: never more */
        uint64_t pc = cases[i].per_call, busy = lcore_busy_polls(l);
        CU_ASSERT(l->packets > pc * (busy - 2) && l->packets <= pc * busy);
        CU_ASSERT(r.queues[0].drops > 0); /* the ring overflowed: rx_missed */
        sim_result_clear(&r);
        g_free(s);
    }
}

/* Pipeline: a worker far slower than the RX lcore fills its rte_ring; what does not fit
 * is freed and counted, while the pool (large) never runs dry. */
static void test_pmd_ring_full_drops(void)
{
    struct sim_result r =
        run("{\"cpus\": 2, " NIC1
            ", \"app\": {\"workload\": \"pmd\", \"pmd\": {\"mode\": \"pipeline\", "
            "\"ring_size\": 64, \"mempool_size\": 65535, \"work_ns\": 5000}}, " FLOWS("1000000",
                                                                                      "0.01") "}");
    CU_ASSERT(r.pmd.ring_drops > 1000);
    CU_ASSERT_EQUAL(r.pmd.mbuf_alloc_failed, 0);
    CU_ASSERT_EQUAL(r.queues[0].drops, 0); /* the RX lcore keeps the NIC ring drained */
    CU_ASSERT(r.dropped >= r.pmd.ring_drops);
    CU_ASSERT(r.pmd.lcores[1].packets < r.pmd.lcores[0].packets);
    sim_result_clear(&r);
}

/* Pipeline with a big rte_ring and a pool barely over the RX ring: the mbufs queued for
 * the slow worker are not in the pool, ixgbe_rxq_rearm fails (rx_mbuf_alloc_failed), the
 * descriptors stay the software's and the NIC drops (rx_missed); no ring drop. */
static void test_pmd_mempool_exhaustion_drops_at_the_nic(void)
{
    struct sim_result r =
        run("{\"cpus\": 2, " NIC1
            ", \"app\": {\"workload\": \"pmd\", \"pmd\": {\"mode\": \"pipeline\", "
            "\"ring_size\": 4096, \"mempool_size\": 1024, \"mempool_cache\": 32, \"work_ns\": "
            "5000}}, " FLOWS("1000000", "0.01") "}");
    CU_ASSERT(r.pmd.mbuf_alloc_failed > 0);
    CU_ASSERT(r.queues[0].drops > 1000);
    CU_ASSERT_EQUAL(r.pmd.ring_drops, 0);
    sim_result_clear(&r);
}

/* STLB reach: 8191 mbufs of 2368 B are 4736 4 KB pages against 1536 entries (miss 0.676),
 * 10 2 MB pages (0); 2M mbufs overflow even 2 MB pages (2370 pages), not 1 GB ones (5). */
static void test_pmd_stlb_reach_model(void)
{
    struct app_pmd_cfg c;
    app_pmd_cfg_defaults(&c);
    c.page = APP_PMD_PAGE_4K;
    CU_ASSERT_DOUBLE_EQUAL(app_pmd_stlb_miss(&c), 1.0 - 1536.0 / 4736.0, 1e-9);
    c.page = APP_PMD_PAGE_2M;
    CU_ASSERT_DOUBLE_EQUAL(app_pmd_stlb_miss(&c), 0.0, 1e-12);
    c.mempool_size = 2u << 20;
    CU_ASSERT_DOUBLE_EQUAL(app_pmd_stlb_miss(&c), 1.0 - 1536.0 / 2368.0, 1e-9);
    c.page = APP_PMD_PAGE_1G;
    CU_ASSERT_DOUBLE_EQUAL(app_pmd_stlb_miss(&c), 0.0, 1e-12);
    c.page = APP_PMD_PAGE_4K;
    c.mempool_size = 2048; /* 1184 pages: within reach */
    CU_ASSERT_DOUBLE_EQUAL(app_pmd_stlb_miss(&c), 0.0, 1e-12);
}

/* The same run on 4 KB pages costs the expected page walk more per packet. */
static void test_pmd_4k_pages_cost_more_per_packet(void)
{
    const char *fmt = "{\"cpus\": 2, " NIC1 ", \"app\": {\"workload\": \"pmd\", \"pmd\": "
                      "{\"hugepage\": \"%s\"}}, " FLOWS("2000000", "0.005") "}";
    char *a = g_strdup_printf(fmt, "2m"), *b = g_strdup_printf(fmt, "4k");
    struct sim_result r2 = run(a), r4 = run(b);
    double n2 = (double)r2.pmd.busy_ns / (double)r2.pmd.done;
    double n4 = (double)r4.pmd.busy_ns / (double)r4.pmd.done;
    double walk = (1.0 - 1536.0 / 4736.0) * 30.0;
    CU_ASSERT(n4 - n2 > walk - 1.0 && n4 - n2 < walk + 1.0);
    sim_result_clear(&r2);
    sim_result_clear(&r4);
    g_free(a);
    g_free(b);
}

/* Latency: descriptor write-back to the work done; RTC at light load is the call plus
 * the packet's own cost, well under a microsecond. */
static void test_pmd_rtc_latency_is_the_poll(void)
{
    struct sim_result r = run("{\"cpus\": 4, " NIC4 ", \"app\": {\"workload\": \"pmd\", \"pmd\": "
                              "{\"work_ns\": 200}}, " FLOWS("100000", "0.01") "}");
    CU_ASSERT(sim_hist_quantile(&r.pmd.latency, 0.5) >= 200);
    CU_ASSERT(sim_hist_quantile(&r.pmd.latency, 0.99) < 1000);
    sim_result_clear(&r);
}

static CU_TestInfo cases[] = {
    {"queues raise no interrupt", test_pmd_queues_raise_no_interrupt},
    {"lcore spins at zero load", test_pmd_lcore_spins_at_zero_load},
    {"burst sizes", test_pmd_burst_sizes},
    {"ring full drops", test_pmd_ring_full_drops},
    {"mempool exhaustion drops at the nic", test_pmd_mempool_exhaustion_drops_at_the_nic},
    {"stlb reach model", test_pmd_stlb_reach_model},
    {"4k pages cost more per packet", test_pmd_4k_pages_cost_more_per_packet},
    {"rtc latency is the poll", test_pmd_rtc_latency_is_the_poll},
    CU_TEST_INFO_NULL,
};

CU_MAIN("pmd", cases)
