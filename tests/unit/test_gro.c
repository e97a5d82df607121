/* models/kernel/gro.c: same-flow TCP segments merge up to 64 KB, other
 * packets pass through, at most MAX_GRO_SKBS held per bucket, flushed at
 * napi_complete_done (net/core/gro.c, Linux 6.12). */
#include "models/kernel/kversion.h"
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

static struct kern_host *gro_host(struct fake_napi *f, bool gro)
{
    struct kern_host *h = h_new(1000, 300);
    fake_napi_add(h, f, 64, 0, 0);
    f->napi.gro_enabled = gro;
    f->napi.state = NAPI_STATE_SCHED;
    h->cpu = 0;
    return h;
}

static void feed(struct napi_struct *n, uint32_t flow, uint32_t hash, uint8_t l4, uint32_t seq,
                 uint32_t payload)
{
    struct kern_skb skb = {.flow = flow,
                           .len = payload + 66,
                           .payload = payload,
                           .seq_next = seq + payload,
                           .hash = hash,
                           .segs = 1,
                           .l4 = l4};
    kern_napi_gro_receive(n, &skb);
}

static void test_gro_merges_contiguous_tcp_segments(void)
{
    struct fake_napi f = {0};
    struct kern_host *h = gro_host(&f, true);
    for (uint32_t i = 0; i < 10; i++)
        feed(&f.napi, 0, 7, 6, 1000 + i * 1448, 1448);
    CU_ASSERT_EQUAL(kern_stack_calls(h), 0); /* all held */
    kern_napi_complete_done(&f.napi, 10);
    CU_ASSERT_EQUAL(kern_stack_calls(h), 1);
    CU_ASSERT_EQUAL(kern_delivered(h), 10);
    kern_host_free(h);
}

static void test_gro_off_and_udp_are_one_stack_call_per_packet(void)
{
    struct fake_napi f = {0};
    struct kern_host *h = gro_host(&f, false);
    for (uint32_t i = 0; i < 10; i++)
        feed(&f.napi, 0, 7, 6, 1000 + i * 1448, 1448);
    kern_napi_complete_done(&f.napi, 10);
    CU_ASSERT_EQUAL(kern_stack_calls(h), 10);
    kern_host_free(h);
    struct fake_napi g = {0};
    h = gro_host(&g, true);
    for (uint32_t i = 0; i < 10; i++)
        feed(&g.napi, 0, 7, 17, 0, 18);
    /* gro_normal_batch 8: the first 8 go up before the poll ends */
    CU_ASSERT_EQUAL(kern_stack_calls(h), 8);
    kern_napi_complete_done(&g.napi, 10);
    CU_ASSERT_EQUAL(kern_stack_calls(h), 10);
    kern_host_free(h);
}

static void test_gro_stops_at_64k(void)
{
    struct fake_napi f = {0};
    struct kern_host *h = gro_host(&f, true);
    for (uint32_t i = 0; i < 50; i++)
        feed(&f.napi, 0, 7, 6, i * 1448, 1448);
    kern_napi_complete_done(&f.napi, 50);
    /* 1514 + 44 * 1448 < 65536 <= 1514 + 45 * 1448: 45 + 5 segments */
    CU_ASSERT_EQUAL(kern_stack_calls(h), 2);
    CU_ASSERT_EQUAL(kern_delivered(h), 50);
    kern_host_free(h);
}

static void test_gro_bucket_holds_at_most_8_flows(void)
{
    struct fake_napi f = {0};
    struct kern_host *h = gro_host(&f, true);
    for (uint32_t fl = 0; fl < 9; fl++) /* same hash: same bucket */
        feed(&f.napi, fl, 3, 6, 0, 1000);
    CU_ASSERT_EQUAL(f.napi.gro_count, 8);
    /* the oldest was completed into the gro_normal list (batch not full) */
    CU_ASSERT_EQUAL(f.napi.rx_skbs, 1);
    CU_ASSERT_EQUAL(f.napi.rx_list[0].flow, 0);
    kern_napi_complete_done(&f.napi, 9);
    CU_ASSERT_EQUAL(kern_stack_calls(h), 9);
    kern_host_free(h);
}

static void test_gro_sequence_gap_completes_held_skb(void)
{
    struct fake_napi f = {0};
    struct kern_host *h = gro_host(&f, true);
    feed(&f.napi, 0, 7, 6, 0, 1000);
    feed(&f.napi, 0, 7, 6, 1000, 1000);
    feed(&f.napi, 0, 7, 6, 5000, 1000); /* gap: held one goes up, new one held */
    CU_ASSERT_EQUAL(f.napi.rx_skbs, 1);
    CU_ASSERT_EQUAL(f.napi.rx_list[0].segs, 2);
    CU_ASSERT_EQUAL(f.napi.gro_count, 1);
    kern_host_free(h);
}

/* The driver's way: the skb built in place on the gro_normal list (kern_napi_build_skb),
 * its own per-descriptor charge `drv` taken with GRO's. */
static void feed_in_place(struct napi_struct *n, uint32_t flow, uint32_t hash, uint8_t l4,
                          uint32_t seq, uint32_t payload, uint64_t drv)
{
    struct kern_skb *skb = kern_napi_build_skb(n);
    *skb = (struct kern_skb){.flow = flow,
                             .len = payload + 66,
                             .payload = payload,
                             .seq_next = seq + payload,
                             .hash = hash,
                             .segs = 1,
                             .l4 = l4};
    kern_napi_gro_receive_after(n, skb, drv);
}

/* A mix of UDP, merged TCP, a sequence gap and a full bucket: the skbs built in place
 * reach the stack as the same skbs, in the same order, at the same times, as copies. */
static void test_gro_in_place_skbs_match_copied_ones(void)
{
    struct fake_napi f = {0}, g = {0};
    struct kern_host *h = gro_host(&f, true), *k = gro_host(&g, true);
    for (uint32_t i = 0; i < 40; i++) {
        uint32_t flow = i % 10, l4 = i % 3 ? 6 : 17, seq = (i / 10) * 1000 + (i == 25) * 7000;
        kern_charge(h, 5);
        feed(&f.napi, flow, 3, (uint8_t)l4, seq, 1000);
        feed_in_place(&g.napi, flow, 3, (uint8_t)l4, seq, 1000, 5);
        CU_ASSERT_EQUAL(kern_stack_calls(h), kern_stack_calls(k));
        CU_ASSERT_EQUAL(f.napi.rx_skbs, g.napi.rx_skbs);
        CU_ASSERT_EQUAL(f.napi.gro_count, g.napi.gro_count);
        CU_ASSERT_EQUAL(kern_now(h), kern_now(k));
    }
    CU_ASSERT_TRUE(kern_stack_calls(h) > 8);
    for (unsigned i = 0; i < f.napi.rx_skbs; i++) {
        CU_ASSERT_EQUAL(f.napi.rx_list[i].flow, g.napi.rx_list[i].flow);
        CU_ASSERT_EQUAL(f.napi.rx_list[i].segs, g.napi.rx_list[i].segs);
        CU_ASSERT_EQUAL(f.napi.rx_list[i].seq_next, g.napi.rx_list[i].seq_next);
    }
    kern_napi_complete_done(&f.napi, 40);
    kern_napi_complete_done(&g.napi, 40);
    CU_ASSERT_EQUAL(kern_stack_calls(h), kern_stack_calls(k));
    CU_ASSERT_EQUAL(kern_delivered(h), kern_delivered(k));
    CU_ASSERT_EQUAL(kern_delivered(k), 40);
    kern_host_free(h);
    kern_host_free(k);
}

/* Before 3.19 skb_gro_receive() stopped at MAX_SKB_FRAGS (17) frags: 17 segments of 1448 B
 * per skb (24616 B), where 3.19+ chains frag_list skbs up to 64 KB. */
static void test_gro_before_3_19_stops_at_17_frags(void)
{
    CU_ASSERT_EQUAL(kern_gro_max_segs(KERN_VERSION(3, 10)), 17);
    CU_ASSERT_EQUAL(kern_gro_max_segs(KERN_VERSION(3, 19)), KERN_SKB_MAX_SEGS);
    struct fake_napi f = {0};
    struct kern_host *h = gro_host(&f, true);
    h->p.kernel_version = KERN_VERSION(3, 10);
    for (uint32_t i = 0; i < 50; i++)
        feed(&f.napi, 0, 7, 6, i * 1448, 1448);
    /* each completed 17-segment skb fills gro_normal_batch (8 segments): up at once */
    CU_ASSERT_EQUAL(kern_stack_calls(h), 2);
    kern_napi_complete_done(&f.napi, 50);
    CU_ASSERT_EQUAL(kern_stack_calls(h), 3); /* 17 + 17 + 16 */
    CU_ASSERT_EQUAL(kern_delivered(h), 50);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_gro_merges_contiguous_tcp_segments", test_gro_merges_contiguous_tcp_segments},
    {"test_gro_off_and_udp_are_one_stack_call_per_packet",
     test_gro_off_and_udp_are_one_stack_call_per_packet},
    {"test_gro_stops_at_64k", test_gro_stops_at_64k},
    {"test_gro_before_3_19_stops_at_17_frags", test_gro_before_3_19_stops_at_17_frags},
    {"test_gro_bucket_holds_at_most_8_flows", test_gro_bucket_holds_at_most_8_flows},
    {"test_gro_sequence_gap_completes_held_skb", test_gro_sequence_gap_completes_held_skb},
    {"test_gro_in_place_skbs_match_copied_ones", test_gro_in_place_skbs_match_copied_ones},
    CU_TEST_INFO_NULL,
};

CU_MAIN("gro", cases)
