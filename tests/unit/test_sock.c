/* models/kernel/sock.c: which socket an skb lands on — the flow's own, or, in a
 * SO_REUSEPORT group steered by SKF_AD_CPU, the socket of the CPU running the stack,
 * or none when nothing listens. */
#include "tests/unit/cu_main.h"
#include "tests/unit/kern_harness.h"

static struct kern_host *host(unsigned n_cpus, bool by_cpu)
{
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    struct kern_ops ops = {.kick_cpu = h_kick, .wake_at = h_wake};
    struct kern_host *h = kern_host_new(n_cpus, &p, &c, &ops);
    unsigned sof[8] = {0, 0, 1, 2, 3, 0, 1, 2}; /* flow f -> socket (f - 1) % 4 */
    kern_sockets_init(h, 4, sof, 8, 1 << 30);
    if (by_cpu)
        kern_sockets_reuseport_cpu(h);
    return h;
}

static void deliver_on(struct kern_host *h, unsigned cpu, uint32_t flow)
{
    struct kern_skb skb = {.flow = flow, .len = 64, .payload = 18, .segs = 1, .l4 = 17};
    h->cpu = cpu;
    kern___netif_receive_skb(h, &skb);
}

static void test_sock_flow_goes_to_its_own_socket_without_reuseport(void)
{
    struct kern_host *h = host(4, false);
    deliver_on(h, 3, 1);
    deliver_on(h, 3, 2);
    deliver_on(h, 0, 2);
    CU_ASSERT_EQUAL(kern_sock(h, 0)->count, 1);
    CU_ASSERT_EQUAL(kern_sock(h, 1)->count, 2);
    CU_ASSERT_EQUAL(kern_sock(h, 3)->count, 0);
    kern_host_free(h);
}

/* reuseport_bpf_cpu: whatever the flow, the receiving CPU's socket gets it. */
static void test_sock_reuseport_cpu_picks_the_receiving_cpus_socket(void)
{
    struct kern_host *h = host(4, true);
    for (uint32_t f = 1; f < 8; f++)
        deliver_on(h, 2, f);
    deliver_on(h, 0, 3);
    CU_ASSERT_EQUAL(kern_sock(h, 2)->count, 7);
    CU_ASSERT_EQUAL(kern_sock(h, 0)->count, 1);
    CU_ASSERT_EQUAL(kern_sock(h, 1)->count, 0);
    CU_ASSERT_EQUAL(kern_sock(h, 3)->count, 0);
    kern_host_free(h);
}

/* run_bpf_filter: an index >= the group's size yields NULL and
 * reuseport_select_sock falls back to the hash choice. */
static void test_sock_reuseport_cpu_out_of_range_falls_back_to_hash(void)
{
    CU_ASSERT_EQUAL(kern_reuseport_select_sock(5, 4, 1), 1);
    CU_ASSERT_EQUAL(kern_reuseport_select_sock(3, 4, 1), 3);
    struct kern_host *h = host(6, true);
    deliver_on(h, 5, 3); /* CPU 5, 4 sockets: flow 3's hash socket 2 */
    CU_ASSERT_EQUAL(kern_sock(h, 2)->count, 1);
    kern_host_free(h);
}

/* __udp4_lib_rcv without a socket: counted in UDP_MIB_NOPORTS, the flow's drop,
 * never queued, nobody woken; softnet "processed" still counts it. */
static void test_sock_no_listener_counts_noports_and_queues_nothing(void)
{
    struct kern_host *h = host(2, false);
    struct sim_flow_result fr[8] = {0};
    kern_set_flow_results(h, fr);
    kern_sockets_no_listener(h);
    deliver_on(h, 0, 1);
    deliver_on(h, 0, 1);
    deliver_on(h, 1, 2);
    CU_ASSERT_EQUAL(kern_udp_noports(h), 3);
    CU_ASSERT_EQUAL(fr[1].drops, 2);
    CU_ASSERT_EQUAL(fr[1].delivered, 0);
    CU_ASSERT_EQUAL(kern_delivered(h), 0);
    CU_ASSERT_EQUAL(kern_sock_drops(h), 0); /* not a receive-buffer drop */
    for (unsigned s = 0; s < 4; s++)
        CU_ASSERT_EQUAL(kern_sock(h, s)->count, 0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->processed, 2);
    kern_host_free(h);
}

/* The socket queues share one pool of skb slots (the host's): skbs come back in
 * __skb_queue_tail order per socket however their enqueues interleave, also after
 * the pool has grown past its first 1024 slots and freed slots were reused; the head
 * skb's time gates recvmsg (a batch queued later is not visible yet). */
static void test_sock_queues_keep_fifo_order_across_pool_growth_and_reuse(void)
{
    struct kern_host *h = host(2, false);
    uint32_t sent[2] = {0, 0}, got[2] = {0, 0};
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 1500; i++) { /* 3000 queued: the pool grows twice */
            unsigned s = i % 3 == 0;          /* flow 2 -> socket 1, flow 1 -> socket 0 */
            struct kern_skb skb = {.flow = s ? 2 : 1,
                                   .len = 64,
                                   .payload = s * 100000 + sent[s]++,
                                   .segs = 1,
                                   .l4 = 17};
            h->now = 1000 * (round * 1500 + i + 1);
            kern___netif_receive_skb(h, &skb);
        }
        uint32_t pl, fl;
        if (round == 0) { /* before the first skb's time: nothing visible yet */
            h->now = 999;
            CU_ASSERT_FALSE(kern_sock_recvmsg_flow(h, kern_sock(h, 0), &pl, &fl));
        }
        h->now = UINT64_MAX / 2;
        for (unsigned s = 0; s < 2; s++) {
            struct kern_sock *sk = kern_sock(h, s);
            /* leave a third queued (drained next round) so slots are freed and reused */
            unsigned keep = round < 2 ? (sent[s] - got[s]) / 3 : 0;
            while (sk->count > keep) {
                CU_ASSERT_TRUE_FATAL(kern_sock_recvmsg_flow(h, sk, &pl, &fl));
                CU_ASSERT_EQUAL(pl, s * 100000 + got[s]);
                CU_ASSERT_EQUAL(fl, s ? 2u : 1u);
                got[s]++;
            }
        }
    }
    for (unsigned s = 0; s < 2; s++) {
        CU_ASSERT_EQUAL(got[s], sent[s]);
        CU_ASSERT_EQUAL(kern_sock(h, s)->count, 0);
        CU_ASSERT_EQUAL(kern_sock(h, s)->rmem_alloc, 0);
        CU_ASSERT_EQUAL(kern_sock_head_ts(kern_sock(h, s)), UINT64_MAX);
    }
    CU_ASSERT(h->pool_cap >= 2048);
    kern_host_free(h);
}

/* netif_receive_skb_list_internal: a list goes up as the same skbs one call each would,
 * in order (the sockets see the same queue, the clock the same charges). */
static void test_sock_skb_list_is_the_skbs_in_turn(void)
{
    struct kern_host *a = host(4, false), *b = host(4, false);
    a->c.stack_skb = b->c.stack_skb = 70;
    a->c.sock_enqueue = b->c.sock_enqueue = 30;
    struct kern_skb list[6];
    for (unsigned i = 0; i < 6; i++)
        list[i] = (struct kern_skb){
            .flow = 1 + i % 3, .len = 64, .payload = 18 + i, .segs = 1, .l4 = 17, .ts = {i}};
    a->cpu = b->cpu = 2;
    kern_netif_receive_skb_list(a, list, 6);
    for (unsigned i = 0; i < 6; i++)
        kern_netif_receive_skb_core(b, &list[i]);
    CU_ASSERT_EQUAL(kern_now(a), kern_now(b));
    CU_ASSERT_EQUAL(kern_now(a), 6 * 100);
    CU_ASSERT_EQUAL(kern_stack_calls(a), 6);
    for (unsigned s = 0; s < 4; s++) {
        CU_ASSERT_EQUAL(kern_sock(a, s)->count, kern_sock(b, s)->count);
        uint32_t pa, pb;
        while (kern_sock_recvmsg(a, kern_sock(a, s), &pa)) {
            CU_ASSERT_TRUE(kern_sock_recvmsg(b, kern_sock(b, s), &pb));
            CU_ASSERT_EQUAL(pa, pb);
        }
    }
    CU_ASSERT_EQUAL(kern_sock(a, 1)->count + kern_sock(a, 2)->count, 0);
    kern_host_free(a);
    kern_host_free(b);
}

static CU_TestInfo cases[] = {
    {"test_sock_queues_keep_fifo_order_across_pool_growth_and_reuse",
     test_sock_queues_keep_fifo_order_across_pool_growth_and_reuse},
    {"test_sock_no_listener_counts_noports_and_queues_nothing",
     test_sock_no_listener_counts_noports_and_queues_nothing},
    {"test_sock_flow_goes_to_its_own_socket_without_reuseport",
     test_sock_flow_goes_to_its_own_socket_without_reuseport},
    {"test_sock_reuseport_cpu_picks_the_receiving_cpus_socket",
     test_sock_reuseport_cpu_picks_the_receiving_cpus_socket},
    {"test_sock_reuseport_cpu_out_of_range_falls_back_to_hash",
     test_sock_reuseport_cpu_out_of_range_falls_back_to_hash},
    {"test_sock_skb_list_is_the_skbs_in_turn", test_sock_skb_list_is_the_skbs_in_turn},
    CU_TEST_INFO_NULL,
};

CU_MAIN("sock", cases)
