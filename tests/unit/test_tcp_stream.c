/* models/kernel/tcp_stream.c over the model driver and NIC: the size goal with and without
 * GSO (tcp_send_mss / tcp_tso_autosize), gso_segs, the page-frag layout, and who segments a
 * bulk write: the NIC (TSO), skb_gso_segment (GSO) or tcp_sendmsg's MSS skbs (neither). */
#include "models/kernel/kern_priv.h"
#include "models/kernel/tcp_stream.h"
#include "models/nic/nic.h"
#include "nicdrv-model/nicdrv.h"
#include "tests/unit/cu_main.h"

struct rig {
    struct nic *nic;
    struct kern_host *h;
    struct nicdrv_adapter *drv;
};

static void t_schedule_irq(void *ctx, unsigned v, uint64_t at)
{
    (void)ctx, (void)v, (void)at;
}

static void t_kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void t_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx, (void)t, (void)at;
}

static void rig_init(struct rig *r, unsigned ring, bool tso, bool gso)
{
    memset(r, 0, sizeof *r);
    struct nic_cfg nc = {.n_rx_queues = 1,
                         .n_tx_queues = 1,
                         .n_cpus = 2,
                         .ring_size = ring,
                         .link_mbps = 10000,
                         .schedule_irq = t_schedule_irq,
                         .ctx = r};
    r->nic = nic_new(&nc, NULL);
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    r->h = kern_host_new(2, &p, &c, &ops);
    unsigned sof[2] = {0, 0};
    kern_sockets_init(r->h, 1, sof, 2, 1 << 20);
    struct nicdrv_cfg dc = {
        .ifname = "eth0", .irq_base = 40, .rx_usecs = 0, .link_mbps = 10000, .gro = true};
    r->drv = nicdrv_probe(r->nic, r->h, &dc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->drv);
    if (!tso || !gso) /* else the registered defaults */
        CU_ASSERT_TRUE(kern_tx_set_offloads(r->h, 0, tso, gso, NULL));
    r->h->cpu = 1;
}

static void rig_free(struct rig *r)
{
    nicdrv_remove(r->drv);
    kern_host_free(r->h);
    nic_free(r->nic);
}

static uint64_t sys_ns(const struct rig *r)
{
    const struct kern_cpu_stats *st = kern_cpu_stats(r->h, 1);
    return st->acct[KERN_USR] + st->acct[KERN_SYS];
}

static void test_size_goal_segs_and_layout_follow_tcp_sendmsg(void)
{
    CU_ASSERT_EQUAL(kern_tcp_size_goal(false), 1448);     /* one MSS without GSO */
    CU_ASSERT_EQUAL(kern_tcp_size_goal(true), 45 * 1448); /* (65536 - 1 - 66) / 1448 MSS */
    CU_ASSERT_EQUAL(kern_gso_segs(65160, 1448), 45);
    CU_ASSERT_EQUAL(kern_gso_segs(1449, 1448), 2);
    struct kern_skb_shape s;
    kern_skb_shape_build(&s, 30000, 65160, 1448); /* cut at the 32 KB sk_page_frag pages */
    CU_ASSERT_EQUAL(s.nr_frags, 3);
    CU_ASSERT_EQUAL(s.frag[0], 2768);
    CU_ASSERT_EQUAL(s.frag[1], 32768);
    CU_ASSERT_EQUAL(s.frag[2], 29624);
    CU_ASSERT_EQUAL(s.gso_size, 1448);
    CU_ASSERT_EQUAL(s.gso_segs, 45);
    kern_skb_shape_build(&s, 0, 1448, 1448);
    CU_ASSERT_EQUAL(s.gso_size, 0); /* one frame: not a GSO skb */
    CU_ASSERT_EQUAL(s.headlen, 66);
}

/* TSO: a 128 KB write is two 64 KB skbs through the stack, one ndo_start_xmit each with a
 * context + data descriptors; the 752-byte tail waits in the write queue. */
static void test_tso_sends_super_packets_the_nic_cuts(void)
{
    struct rig r;
    rig_init(&r, 512, true, true);
    struct kern_sock *sk = kern_sock(r.h, 0);
    CU_ASSERT_EQUAL(kern_tcp_sendmsg_stream(r.h, sk, 0, 1, 131072), 131072);
    const struct kern_tcp_stream_stats *st = kern_tcp_stream_stats(r.h);
    CU_ASSERT_EQUAL(st->skbs, 2);
    CU_ASSERT_EQUAL(st->xmits, 2);
    CU_ASSERT_EQUAL(st->gso_segs, 0);
    CU_ASSERT_EQUAL(st->bytes, 130320);
    CU_ASSERT_EQUAL(sk->tx_queued, 752);
    /* skb 1 from page offset 0 (6 descriptors), skb 2 from 65160 = 32768 + 32392 (7) */
    CU_ASSERT_EQUAL(nicdrv_tx_descs(r.drv), 13);
    /* 2 x tx_pkt + the copy of 131072 bytes at 100 ps/B + 13 descriptors x 20 ns */
    CU_ASSERT_EQUAL(sys_ns(&r), 2 * 1500 + 13107 + 13 * 20);
    uint64_t frames, payload;
    nic_tx_sent(r.nic, 0, UINT64_MAX, &frames, &payload);
    CU_ASSERT_EQUAL(frames, 90); /* the NIC cut 45 MSS frames from each */
    CU_ASSERT_EQUAL(payload, 130320);
    rig_free(&r);
}

/* GSO without TSO: the same skb once through the stack, then skb_gso_segment's 45 MSS skbs,
 * each its own xmit and descriptors; neither: 45 MSS skbs through the whole stack. */
static void test_gso_segments_in_software_and_neither_pays_the_stack_per_mss(void)
{
    struct rig r;
    rig_init(&r, 512, false, true);
    CU_ASSERT_EQUAL(kern_tcp_sendmsg_stream(r.h, kern_sock(r.h, 0), 0, 1, 65160), 65160);
    const struct kern_tcp_stream_stats *st = kern_tcp_stream_stats(r.h);
    CU_ASSERT_EQUAL(st->skbs, 1);
    CU_ASSERT_EQUAL(st->gso_segs, 45);
    CU_ASSERT_EQUAL(st->xmits, 45);
    uint64_t descs = nicdrv_tx_descs(r.drv), gso_ns = sys_ns(&r);
    CU_ASSERT_EQUAL(gso_ns, 1500 + 45 * 250 + 6516 + descs * 20);
    rig_free(&r);

    rig_init(&r, 512, false, false);
    CU_ASSERT_EQUAL(kern_tcp_sendmsg_stream(r.h, kern_sock(r.h, 0), 0, 1, 65160), 65160);
    st = kern_tcp_stream_stats(r.h);
    CU_ASSERT_EQUAL(st->skbs, 45);
    CU_ASSERT_EQUAL(st->gso_segs, 0);
    CU_ASSERT_EQUAL(st->xmits, 45);
    CU_ASSERT_EQUAL(nicdrv_tx_descs(r.drv), descs); /* the same frames, the same layout */
    CU_ASSERT_EQUAL(sys_ns(&r), 45 * 1500 + 6516 + descs * 20);
    CU_ASSERT(sys_ns(&r) > 4 * gso_ns / 3);
    rig_free(&r);
}

/* A ring that fills mid-GSO-skb: the rest of its segments wait (dev_requeue_skb) and go on
 * the next call without another trip through the stack; the writer is told to wait. */
static void test_full_ring_requeues_gso_segments_and_blocks_the_writer(void)
{
    struct rig r;
    rig_init(&r, 64, false, true);
    struct kern_sock *sk = kern_sock(r.h, 0);
    /* 63 usable descriptors, 3 per MSS skb (ctx + head + frag): 21 segments */
    uint32_t took = kern_tcp_sendmsg_stream(r.h, sk, 0, 1, 3 * 65160);
    const struct kern_tcp_stream_stats *st = kern_tcp_stream_stats(r.h);
    CU_ASSERT_EQUAL(st->skbs, 1);
    CU_ASSERT_EQUAL(st->gso_segs, 21);
    CU_ASSERT_EQUAL(sk->tx_gso_left, 65160 - 21 * 1448);
    CU_ASSERT_EQUAL(took, 2 * 65160); /* the write queue holds one more size goal */
    CU_ASSERT_EQUAL(kern_tcp_sendmsg_stream(r.h, sk, 0, 1, 65160), 0); /* still full */
    while (nic_tx_clean_next(r.nic, 0, UINT64_MAX))                    /* the wire drained it */
        ;
    CU_ASSERT_EQUAL(kern_tcp_sendmsg_stream(r.h, sk, 0, 1, 0), 0);
    CU_ASSERT_EQUAL(st->skbs, 1); /* the requeued segments did not pass the stack again */
    /* 20 more: the one across the 32 KB page boundary has two frags, 4 descriptors */
    CU_ASSERT_EQUAL(st->gso_segs, 41);
    CU_ASSERT_EQUAL(sk->tx_gso_left, 65160 - 41 * 1448);
    rig_free(&r);
}

/* ethtool -K on a device without a TX side is refused with the device named; the features
 * are on by default (ixgbe registers NETIF_F_TSO | NETIF_F_GSO). */
static void test_offloads_default_on_and_need_a_tx_device(void)
{
    struct rig r;
    rig_init(&r, 512, true, true);
    CU_ASSERT_TRUE(kern_tx_tso(r.h, 0) && kern_tx_gso(r.h, 0));
    GError *err = NULL;
    CU_ASSERT_FALSE(kern_tx_set_offloads(r.h, 3, false, false, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "device 3"));
    g_error_free(err);
    CU_ASSERT_TRUE(kern_tx_set_offloads(r.h, 0, false, true, NULL));
    CU_ASSERT_FALSE(kern_tx_tso(r.h, 0));
    CU_ASSERT_TRUE(kern_tx_gso(r.h, 0));
    rig_free(&r);
}

static CU_TestInfo cases[] = {
    {"test_offloads_default_on_and_need_a_tx_device",
     test_offloads_default_on_and_need_a_tx_device},
    {"test_size_goal_segs_and_layout_follow_tcp_sendmsg",
     test_size_goal_segs_and_layout_follow_tcp_sendmsg},
    {"test_tso_sends_super_packets_the_nic_cuts", test_tso_sends_super_packets_the_nic_cuts},
    {"test_gso_segments_in_software_and_neither_pays_the_stack_per_mss",
     test_gso_segments_in_software_and_neither_pays_the_stack_per_mss},
    {"test_full_ring_requeues_gso_segments_and_blocks_the_writer",
     test_full_ring_requeues_gso_segments_and_blocks_the_writer},
    CU_TEST_INFO_NULL,
};

CU_MAIN("tcp_stream", cases);
