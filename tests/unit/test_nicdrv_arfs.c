/* nicdrv-model/nicdrv_arfs.c: ndo_rx_flow_steer called by set_rps_cpu when RFS
 * moves a flow to a CPU whose IRQ belongs to another RX queue, and the expiry
 * scan that removes a filter once rps_may_expire_flow says so. */
#include "models/kernel/kern_priv.h"
#include "models/kernel/rps_path.h"
#include "nicdrv-model/nicdrv_arfs.h"
#include "tests/unit/cu_main.h"

struct fake_hw {
    int next_id;
    unsigned adds, dels, last_rxq, last_flow, last_del;
};

static int hw_add(void *ctx, uint32_t flow, unsigned rxq)
{
    struct fake_hw *f = ctx;
    f->adds++;
    f->last_rxq = rxq;
    f->last_flow = flow;
    return f->next_id;
}

static bool hw_del(void *ctx, unsigned id)
{
    struct fake_hw *f = ctx;
    f->dels++;
    f->last_del = id;
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

static void test_arfs_filter_follows_rfs_and_expires(void)
{
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    struct kern_host *h = kern_host_new(2, &p, &c, &ops);
    unsigned sof[2] = {0, 0};
    kern_sockets_init(h, 1, sof, 2, 1 << 20);
    struct kern_rps_params rp;
    kern_rps_params_defaults(&rp);
    rp.rps_sock_flow_entries = 256;
    CU_ASSERT_FATAL(kern_rps_enable(h, &rp, NULL));
    CU_ASSERT_FATAL(kern_rps_add_dev(h, 0, 2, NULL));
    for (unsigned q = 0; q < 2; q++)
        CU_ASSERT_FATAL(kern_rps_set_queue(h, 0, q, NULL, 2, NULL)); /* mask 1: expire after 10 */
    struct fake_hw hw = {.next_id = 7};
    struct nicdrv_arfs_hw ah = {hw_add, hw_del, &hw};
    struct nicdrv_arfs *a = nicdrv_arfs_new(h, 0, &ah);
    uint16_t rmap[2] = {0, 1}; /* CPU c's IRQ serves queue c */
    CU_ASSERT_FATAL(kern_rps_set_accel(h, 0, rmap, nicdrv_rx_flow_steer, a));

    /* The reader runs on CPU 1; the flow arrives on queue 0 (IRQ on CPU 0). */
    struct kern_sock *sk = kern_sock(h, 0);
    sk->rxhash = 0x1234;
    sk->l4 = 6;
    h->cpu = 1;
    kern_sock_rps_record_flow(h, sk);
    h->cpu = 0;
    struct kern_skb skb = {.flow = 1, .hash = 0x1234, .segs = 1, .queue = 0, .l4 = 6};
    CU_ASSERT_TRUE(kern_rps_receive(h, &skb));
    CU_ASSERT_EQUAL(hw.adds, 1);
    CU_ASSERT_EQUAL(hw.last_rxq, 1); /* the queue whose IRQ is on the new CPU */
    CU_ASSERT_EQUAL(hw.last_flow, 1);
    CU_ASSERT_EQUAL(nicdrv_arfs_filters(a), 1);
    /* Still in use: the scan keeps it. */
    nicdrv_arfs_expire(a);
    CU_ASSERT_EQUAL(hw.dels, 0);
    /* 10 * mask packets of other flows through CPU 1's backlog: the flow went idle. */
    struct kern_backlog *bl = (struct kern_backlog *)kern_rps_backlog(h);
    uint32_t qt;
    for (int i = 0; i < 12; i++)
        kern_enqueue_to_backlog(bl, 1, 1, 0x99, &qt);
    unsigned work = 0;
    while (kern_backlog_dequeue(bl, 1))
        work++;
    kern_backlog_poll_done(bl, 1, work);
    nicdrv_arfs_expire(a); /* within the 100 ms period: no scan yet */
    CU_ASSERT_EQUAL(hw.dels, 0);
    h->now = 100 * 1000000ull; /* 100 ms later */
    nicdrv_arfs_expire(a);
    CU_ASSERT_EQUAL(hw.dels, 1);
    CU_ASSERT_EQUAL(hw.last_del, 7);
    CU_ASSERT_EQUAL(nicdrv_arfs_filters(a), 0);
    CU_ASSERT_EQUAL(nicdrv_arfs_expired(a), 1);
    nicdrv_arfs_free(a);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_arfs_filter_follows_rfs_and_expires", test_arfs_filter_follows_rfs_and_expires},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nicdrv_arfs", cases);
