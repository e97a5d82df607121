/* models/kernel/xps.c: netdev_core_pick_tx(), XPS maps and skb_tx_hash(). */
#include "models/kernel/xps.h"
#include "tests/unit/cu_main.h"

/* XPS maps over nr_ids ids for 4 tx queues, masks given as sysfs hex strings. */
static struct kern_xps_maps *maps(unsigned nr_ids, const char *m0, const char *m1, const char *m2,
                                  const char *m3)
{
    const char *hex[4] = {m0, m1, m2, m3};
    struct sim_cpumask masks[4];
    for (int q = 0; q < 4; q++)
        CU_ASSERT_FATAL(sim_cpumask_parse(&masks[q], hex[q], SIM_NR_CPUS, NULL));
    struct kern_xps_maps *m = kern_xps_maps_new(nr_ids, 4, masks, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

static void test_xps_single_queue_device_always_queue_0(void)
{
    struct kern_xps_dev dev = {.num_tx_queues = 1};
    struct kern_tx_skb skb = {.hash = 0xffffffff, .sender_cpu = 3};
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 0);
}

static void test_xps_cpu_map_single_queue_choice(void)
{
    /* tx-0 -> cpu0, tx-1 -> cpu1, tx-2/3 unmapped. */
    struct kern_xps_maps *m = maps(2, "1", "2", "0", "0");
    struct kern_xps_dev dev = {.num_tx_queues = 4, .cpus = m};
    struct kern_tx_skb skb = {.hash = 0xffffffff, .sender_cpu = 1};
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 1);
    skb.sender_cpu = 0;
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 0);
    kern_xps_maps_free(m);
}

static void test_xps_cpu_map_multi_queue_hash_choice(void)
{
    /* The rps-perqueue-xps sender: tx-0,1 -> cpu0, tx-2,3 -> cpu1. */
    struct kern_xps_maps *m = maps(2, "1", "1", "2", "2");
    unsigned len;
    const uint16_t *q = kern_xps_maps_get(m, 1, &len);
    CU_ASSERT_EQUAL_FATAL(len, 2);
    CU_ASSERT(q[0] == 2 && q[1] == 3);
    struct kern_xps_dev dev = {.num_tx_queues = 4, .cpus = m};
    struct kern_tx_skb skb = {.hash = 0x40000000, .sender_cpu = 0};
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 0);
    skb.hash = 0xc0000000;
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 1);
    skb.sender_cpu = 1;
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 3);
    kern_xps_maps_free(m);
}

static void test_xps_socket_queue_kept_until_ooo_okay(void)
{
    struct kern_xps_maps *m = maps(2, "1", "2", "0", "0");
    struct kern_xps_dev dev = {.num_tx_queues = 4, .cpus = m};
    struct kern_xps_sock sk = {.tx_queue = 3, .rx_queue = -1, .can_cache = true};
    struct kern_tx_skb skb = {.hash = 0x1234, .sender_cpu = 0, .ooo_okay = false};
    /* Packets in flight: the cached queue stays even though XPS now says 0. */
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk, &skb), 3);
    CU_ASSERT_EQUAL(sk.tx_queue, 3);
    /* Nothing in flight: reselect and cache. */
    skb.ooo_okay = kern_tcp_ooo_okay(true, false);
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk, &skb), 0);
    CU_ASSERT_EQUAL(sk.tx_queue, 0);
    /* The thread moved to CPU 1 but data is in flight: stays on 0. */
    skb.ooo_okay = kern_tcp_ooo_okay(false, false);
    skb.sender_cpu = 1;
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk, &skb), 0);
    /* All acked (retransmit queue empty): may move. */
    skb.ooo_okay = kern_tcp_ooo_okay(false, true);
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk, &skb), 1);
    CU_ASSERT_EQUAL(sk.tx_queue, 1);
    kern_xps_maps_free(m);
}

static void test_xps_cached_queue_out_of_range_or_uncacheable(void)
{
    struct kern_xps_maps *m = maps(2, "1", "2", "0", "0");
    struct kern_xps_dev dev = {.num_tx_queues = 4, .cpus = m};
    struct kern_xps_sock sk = {.tx_queue = 7, .rx_queue = -1, .can_cache = false};
    struct kern_tx_skb skb = {.hash = 0x1234, .sender_cpu = 1};
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk, &skb), 1);
    CU_ASSERT_EQUAL(sk.tx_queue, 7); /* no route cached: sk_tx_queue_set not reached */
    kern_xps_maps_free(m);
}

static void test_xps_rxqs_map_first_then_cpus(void)
{
    struct kern_xps_maps *rxqs = maps(4, "0", "0", "0", "4"); /* rx-2 -> tx-3 */
    struct kern_xps_maps *cpus = maps(2, "1", "2", "0", "0");
    struct kern_xps_dev dev = {.num_tx_queues = 4, .cpus = cpus, .rxqs = rxqs};
    struct kern_xps_sock sk = {.tx_queue = -1, .rx_queue = -1, .can_cache = true};
    kern_xps_sock_record_rx(&sk, 3); /* received on rx-2 */
    CU_ASSERT_EQUAL(sk.rx_queue, 2);
    struct kern_tx_skb skb = {.hash = 0x1234, .sender_cpu = 1};
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk, &skb), 3);
    /* An rx queue with no rxqs entry falls back to the CPU map. */
    struct kern_xps_sock sk2 = {.tx_queue = -1, .rx_queue = 1};
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, &sk2, &skb), 1);
    kern_xps_maps_free(rxqs);
    kern_xps_maps_free(cpus);
}

static void test_xps_skb_tx_hash_fold_for_forwarding(void)
{
    struct kern_xps_dev dev = {.num_tx_queues = 4};
    /* Forwarded from rx queue 6 (queue_mapping 7): 6 - 4 = 2. */
    struct kern_tx_skb skb = {.hash = 0xffffffff, .queue_mapping = 7};
    CU_ASSERT_EQUAL(kern_skb_tx_hash(&dev, &skb), 2);
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 2);
    skb.queue_mapping = 10; /* rx 9 -> 5 -> 1 */
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 1);
    /* Local traffic: reciprocal_scale(hash, 4). */
    skb.queue_mapping = 0;
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 3);
    skb.hash = 0x617e47a7;
    CU_ASSERT_EQUAL(kern_netdev_core_pick_tx(&dev, NULL, &skb), 1);
}

static void test_xps_maps_reject_ids_beyond_range(void)
{
    struct sim_cpumask masks[2] = {{{0}}, {{0}}};
    sim_cpumask_set(&masks[1], 5);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(kern_xps_maps_new(4, 2, masks, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "tx-1"));
    g_error_free(err);
}

static void test_xps_tcp_ooo_okay_truth_table(void)
{
    CU_ASSERT_TRUE(kern_tcp_ooo_okay(true, false));
    CU_ASSERT_TRUE(kern_tcp_ooo_okay(false, true));
    CU_ASSERT_TRUE(kern_tcp_ooo_okay(true, true));
    CU_ASSERT_FALSE(kern_tcp_ooo_okay(false, false));
}

static CU_TestInfo cases[] = {
    {"test_xps_single_queue_device_always_queue_0", test_xps_single_queue_device_always_queue_0},
    {"test_xps_cpu_map_single_queue_choice", test_xps_cpu_map_single_queue_choice},
    {"test_xps_cpu_map_multi_queue_hash_choice", test_xps_cpu_map_multi_queue_hash_choice},
    {"test_xps_socket_queue_kept_until_ooo_okay", test_xps_socket_queue_kept_until_ooo_okay},
    {"test_xps_cached_queue_out_of_range_or_uncacheable",
     test_xps_cached_queue_out_of_range_or_uncacheable},
    {"test_xps_rxqs_map_first_then_cpus", test_xps_rxqs_map_first_then_cpus},
    {"test_xps_skb_tx_hash_fold_for_forwarding", test_xps_skb_tx_hash_fold_for_forwarding},
    {"test_xps_maps_reject_ids_beyond_range", test_xps_maps_reject_ids_beyond_range},
    {"test_xps_tcp_ooo_okay_truth_table", test_xps_tcp_ooo_okay_truth_table},
    CU_TEST_INFO_NULL,
};

CU_MAIN("xps", cases)
