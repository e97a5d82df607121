/* nicdrv-model/nicdrv.c: ixgbe_update_itr (Linux 6.12) values computed by
 * hand from spec §3.5, and the poll's budget rules. */
#include "models/kernel/tcp_stream.h"
#include "models/kernel/tx.h"
#include "nicdrv-model/nicdrv.h"
#include "tests/unit/cu_main.h"

static struct ixgbe_ring_container fresh(unsigned pkts, unsigned bytes, uint8_t itr)
{
    struct ixgbe_ring_container rc = {
        .total_packets = pkts, .total_bytes = bytes, .next_update = 100, .itr = itr, .ring = true};
    return rc;
}

static void test_update_itr_stale_resets_to_10us_latency(void)
{
    struct ixgbe_ring_container rc = fresh(500, 500 * 1514, 50);
    nicdrv_update_itr(&rc, 200, 10000, 102); /* more than one jiffy late */
    CU_ASSERT_EQUAL(rc.itr, 10 | IXGBE_ITR_ADAPTIVE_LATENCY);
    CU_ASSERT_EQUAL(rc.next_update, 103);
    CU_ASSERT_EQUAL(rc.total_packets, 0);
}

static void test_update_itr_no_packets_adds_2us_keeps_latency_flag(void)
{
    struct ixgbe_ring_container rc = fresh(0, 0, IXGBE_ITR_ADAPTIVE_LATENCY | 20);
    nicdrv_update_itr(&rc, 200, 10000, 100); /* q_vector at 50 us */
    CU_ASSERT_EQUAL(rc.itr, 52 + IXGBE_ITR_ADAPTIVE_LATENCY);
    rc = fresh(0, 0, 20);
    nicdrv_update_itr(&rc, 126 << 2, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 126); /* capped at IXGBE_ITR_ADAPTIVE_MAX_USECS */
}

static void test_update_itr_few_small_packets_latency_mode_by_size(void)
{
    /* 2 packets of 64 B: avg 64 -> 64*40+2720 = 5280, halved 2640,
     * 10G: 2*ceil(2640/512) = 12 us, latency flag */
    struct ixgbe_ring_container rc = fresh(2, 128, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, IXGBE_ITR_ADAPTIVE_LATENCY + 12);
    /* 1G: 2*ceil(2640/128) = 42 us */
    rc = fresh(2, 128, 0);
    nicdrv_update_itr(&rc, 200, 1000, 100);
    CU_ASSERT_EQUAL(rc.itr, IXGBE_ITR_ADAPTIVE_LATENCY + 42);
}

static void test_update_itr_packet_count_zones(void)
{
    struct ixgbe_ring_container rc = fresh(10, 10 * 1514, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 52); /* 4..47: +2 */
    rc = fresh(60, 60 * 1514, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 50); /* 48..95: keep */
    rc = fresh(100, 100 * 1514, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 25); /* 96..255: halve */
    rc = fresh(100, 100 * 1514, 0);
    nicdrv_update_itr(&rc, 40, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 10); /* halving stops at 10 us */
}

static void test_update_itr_bulk_by_size_10g_and_1g(void)
{
    /* avg 1514: 5*1514+22420 = 29990 -> 10G 2*ceil(29990/512) = 118 */
    struct ixgbe_ring_container rc = fresh(300, 300 * 1514, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 118);
    /* 1G: capped at 8064 -> 2*ceil(8064/128) = 126 */
    rc = fresh(300, 300 * 1514, 0);
    nicdrv_update_itr(&rc, 200, 1000, 100);
    CU_ASSERT_EQUAL(rc.itr, 126);
    /* avg 60: 5120 -> 2*ceil(5120/512) = 20 us */
    rc = fresh(300, 300 * 60, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 20);
    /* avg 600: 15*600+11452 = 20452 -> 2*ceil(20452/512) = 80 */
    rc = fresh(300, 300 * 600, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 80);
    /* avg >= 1968: plateau 32256 -> 126 */
    rc = fresh(300, 300 * 9000, 0);
    nicdrv_update_itr(&rc, 200, 10000, 100);
    CU_ASSERT_EQUAL(rc.itr, 126);
}

/* Before 4.16: the class moves one step per update by bytes per µs of the interval
 * q_vector->itr >> 2 (thresholds 10 and 20, ixgbe_update_itr). */
static void test_update_itr_legacy_class_steps(void)
{
    /* 50 µs interval (IXGBE_20K_ITR): 600 B = 12 B/µs, 1100 B = 22 B/µs, 500 B = 10 B/µs */
    struct ixgbe_ring_container rc = fresh(1, 600, NICDRV_LOWEST_LATENCY);
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_LOW_LATENCY);
    CU_ASSERT_EQUAL(rc.total_packets, 0);
    rc.total_packets = 1, rc.total_bytes = 100000; /* lowest -> low only, never skips */
    rc.itr = NICDRV_LOWEST_LATENCY;
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_LOW_LATENCY);
    rc.total_packets = 1, rc.total_bytes = 1100;
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_BULK_LATENCY);
    rc.total_packets = 1, rc.total_bytes = 1050; /* 21 B/µs: stays bulk */
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_BULK_LATENCY);
    rc.total_packets = 1, rc.total_bytes = 1000; /* 20 B/µs: back to low */
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_LOW_LATENCY);
    rc.total_packets = 1, rc.total_bytes = 500; /* 10 B/µs: lowest */
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_LOWEST_LATENCY);
    /* no packets: nothing changes, counters kept */
    rc.total_packets = 0, rc.total_bytes = 5000;
    nicdrv_update_itr_legacy(&rc, IXGBE_20K_ITR);
    CU_ASSERT_EQUAL(rc.itr, NICDRV_LOWEST_LATENCY);
    CU_ASSERT_EQUAL(rc.total_bytes, 5000);
}

/* ixgbe_set_itr before 4.16: 10·new·old / (9·new + old) toward the class's rate; bulk is 8K
 * before 4.3, 12K from 4.3; the larger of the RX and TX classes wins. */
static void test_set_itr_legacy_smooths_toward_class_rate(void)
{
    unsigned v310 = KERN_VERSION(3, 10), v44 = KERN_VERSION(4, 4);
    /* 10*500*200 / (4500 + 200) = 212 */
    CU_ASSERT_EQUAL(nicdrv_set_itr_legacy(NICDRV_BULK_LATENCY, 0, IXGBE_20K_ITR, v310), 212);
    CU_ASSERT_EQUAL(nicdrv_set_itr_legacy(0, NICDRV_BULK_LATENCY, IXGBE_20K_ITR, v310), 212);
    /* 10*336*200 / (3024 + 200) = 208 */
    CU_ASSERT_EQUAL(nicdrv_set_itr_legacy(NICDRV_BULK_LATENCY, 0, IXGBE_20K_ITR, v44), 208);
    /* at the class's rate: unchanged */
    CU_ASSERT_EQUAL(nicdrv_set_itr_legacy(NICDRV_LOW_LATENCY, 0, IXGBE_20K_ITR, v310),
                    IXGBE_20K_ITR);
    /* 10*40*200 / (360 + 200) = 142 */
    CU_ASSERT_EQUAL(nicdrv_set_itr_legacy(0, 0, IXGBE_20K_ITR, v310), 142);
    /* integer smoothing settles below 500: the fixed point of bulk before 4.3 is 490
     * (EITR interval 488 >> 2 = 122 µs, ~8.2K interrupts/s) */
    uint16_t itr = IXGBE_20K_ITR;
    for (int i = 0; i < 200; i++)
        itr = nicdrv_set_itr_legacy(NICDRV_BULK_LATENCY, 0, itr, v310);
    CU_ASSERT_EQUAL(itr, 490);
    CU_ASSERT_EQUAL(nicdrv_set_itr_legacy(NICDRV_BULK_LATENCY, 0, itr, v310), 490);
}

/* ixgbe_xmit_frame_ring(): 1 context descriptor + TXD_USE_COUNT (16 KB per data
 * descriptor, IXGBE_MAX_DATA_PER_TXD) of the head and of each page frag. */
static void test_nicdrv_tx_desc_count_is_context_plus_16k_pieces(void)
{
    struct kern_skb_shape s = {.headlen = 66, .nr_frags = 1, .frag = {16384}};
    CU_ASSERT_EQUAL(nicdrv_tx_desc_count(&s), 3); /* ctx + head + one full 16 KB piece */
    s.frag[0] = 16385;
    CU_ASSERT_EQUAL(nicdrv_tx_desc_count(&s), 4); /* one byte more: a second data descriptor */
    /* a 64 KB TSO skb from page offset 0: frags 32768 + 32392 -> 1 + 1 + 2 + 2 */
    kern_skb_shape_build(&s, 0, 65160, KERN_TCP_MSS);
    CU_ASSERT_EQUAL(nicdrv_tx_desc_count(&s), 6);
    /* from offset 30000 it spans three 32 KB pages: 2768 + 32768 + 29624 -> 1 + 1 + 1 + 2 + 2 */
    kern_skb_shape_build(&s, 30000, 65160, KERN_TCP_MSS);
    CU_ASSERT_EQUAL(nicdrv_tx_desc_count(&s), 7);
    /* an MSS skb: ctx + head + its frag, 4 when it straddles a page boundary */
    kern_skb_shape_build(&s, 0, KERN_TCP_MSS, KERN_TCP_MSS);
    CU_ASSERT_EQUAL(nicdrv_tx_desc_count(&s), 3);
    kern_skb_shape_build(&s, 32768 - 100, KERN_TCP_MSS, KERN_TCP_MSS);
    CU_ASSERT_EQUAL(nicdrv_tx_desc_count(&s), 4);
}

static CU_TestInfo cases[] = {
    {"test_update_itr_stale_resets_to_10us_latency", test_update_itr_stale_resets_to_10us_latency},
    {"test_update_itr_no_packets_adds_2us_keeps_latency_flag",
     test_update_itr_no_packets_adds_2us_keeps_latency_flag},
    {"test_update_itr_few_small_packets_latency_mode_by_size",
     test_update_itr_few_small_packets_latency_mode_by_size},
    {"test_update_itr_packet_count_zones", test_update_itr_packet_count_zones},
    {"test_update_itr_bulk_by_size_10g_and_1g", test_update_itr_bulk_by_size_10g_and_1g},
    {"test_update_itr_legacy_class_steps", test_update_itr_legacy_class_steps},
    {"test_set_itr_legacy_smooths_toward_class_rate",
     test_set_itr_legacy_smooths_toward_class_rate},
    {"test_nicdrv_tx_desc_count_is_context_plus_16k_pieces",
     test_nicdrv_tx_desc_count_is_context_plus_16k_pieces},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nicdrv", cases)
