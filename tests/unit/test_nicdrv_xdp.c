/* nicdrv-model XDP (#15 point 2): ixgbe_run_xdp() in ixgbe_clean_rx_irq before any skb.
 * XDP_DROP builds no skb and never calls the stack (and costs only the descriptor and the
 * program), XDP_PASS goes on exactly as without a program (plus the program), XDP_TX
 * takes a TX descriptor of this CPU's ring, XDP_REDIRECT into a full AF_XDP ring drops
 * and counts; xdp_do_flush() after the RX loop publishes what was redirected. */
#include "models/kernel/kern_priv.h"
#include "models/kernel/xsk.h"
#include "models/nic/nic.h"
#include "nicdrv-model/nicdrv.h"
#include "tests/unit/cu_main.h"

struct rig {
    struct nic *nic;
    struct kern_host *h;
    struct nicdrv_adapter *drv;
    struct kern_xdp_prog prog;
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

/* act < 0: no program */
static void rig_init(struct rig *r, int act)
{
    memset(r, 0, sizeof *r);
    struct nic_cfg nc = {.n_rx_queues = 1,
                         .n_tx_queues = 1,
                         .n_cpus = 1,
                         .ring_size = 512,
                         .link_mbps = 10000,
                         .schedule_irq = t_schedule_irq,
                         .ctx = r};
    r->nic = nic_new(&nc, NULL);
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    r->h = kern_host_new(1, &p, &c, &ops);
    unsigned sof[1] = {0};
    kern_sockets_init(r->h, 1, sof, 1, 1 << 30);
    r->prog = (struct kern_xdp_prog){act < 0 ? KERN_XDP_PASS : (enum kern_xdp_action)act, 1000};
    struct nicdrv_cfg dc = {.ifname = "eth0",
                            .irq_base = 40,
                            .rx_usecs = 0,
                            .link_mbps = 10000,
                            .gro = true,
                            .xdp_prog = act < 0 ? NULL : &r->prog};
    r->drv = nicdrv_probe(r->nic, r->h, &dc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->drv);
}

static void rig_free(struct rig *r)
{
    nicdrv_remove(r->drv);
    kern_host_free(r->h);
    nic_free(r->nic);
}

static void rx(struct rig *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct nic_rx_desc d = {.ts = 0, .flow = 0, .len = 64, .payload = 18, .l4 = IPPROTO_UDP};
        CU_ASSERT_TRUE(nic_rx_frame(r->nic, 0, &d));
    }
}

/* One ixgbe_poll with weight 64 on `n` frames; the CPU time it took. */
static uint64_t poll_ns(struct rig *r, unsigned n)
{
    rx(r, n);
    uint64_t t0 = kern_now(r->h);
    nicdrv_poll(nicdrv_napi(r->drv, 0), 64);
    return kern_now(r->h) - t0;
}

static void test_xdp_drop_builds_no_skb_never_calls_stack(void)
{
    struct rig r;
    rig_init(&r, KERN_XDP_DROP);
    uint64_t t10 = poll_ns(&r, 10), t20 = poll_ns(&r, 20);
    const struct kern_cost *c = kern_costs(r.h);
    CU_ASSERT_EQUAL(nicdrv_xdp_stats(r.drv)->drop, 30);
    CU_ASSERT_EQUAL(kern_stack_calls(r.h), 0);
    CU_ASSERT_EQUAL(kern_delivered(r.h), 0);
    CU_ASSERT_EQUAL(kern_cpu_stats(r.h, 0)->processed, 0);
    /* per packet: the descriptor without build_skb + the program, nothing else */
    CU_ASSERT_EQUAL(t20 - t10, 10u * (c->xdp_rx_desc + c->bpf_prog_run_xdp));
    CU_ASSERT_TRUE(c->xdp_rx_desc + c->bpf_prog_run_xdp < c->drv_rx_pkt);
    rig_free(&r);
}

static void test_xdp_pass_is_the_stack_plus_the_program(void)
{
    struct rig none, pass;
    rig_init(&none, -1);
    rig_init(&pass, KERN_XDP_PASS);
    uint64_t a = poll_ns(&none, 16), b = poll_ns(&pass, 16);
    CU_ASSERT_EQUAL(kern_stack_calls(none.h), 16);
    CU_ASSERT_EQUAL(kern_stack_calls(pass.h), 16);
    CU_ASSERT_EQUAL(kern_delivered(pass.h), 16);
    CU_ASSERT_EQUAL(nicdrv_xdp_stats(pass.drv)->pass, 16);
    CU_ASSERT_EQUAL(b - a, 16u * kern_costs(pass.h)->bpf_prog_run_xdp);
    rig_free(&none);
    rig_free(&pass);
}

/* ixgbe_xmit_xdp_ring: one TX descriptor per frame on this CPU's ring, no skb. */
static void test_xdp_tx_consumes_tx_descriptor(void)
{
    struct rig r;
    rig_init(&r, KERN_XDP_TX);
    CU_ASSERT_EQUAL(nic_tx_pending(r.nic, 0), 0);
    poll_ns(&r, 12);
    CU_ASSERT_EQUAL(nicdrv_xdp_stats(r.drv)->tx, 12);
    CU_ASSERT_EQUAL(nic_tx_pending(r.nic, 0), 12);
    CU_ASSERT_EQUAL(kern_stack_calls(r.h), 0);
    rig_free(&r);
}

/* xsk_rcv into a 64-entry ring nobody reads: 64 published by xdp_do_flush, the rest
 * dropped by the driver (ixgbe_run_xdp: out_failure) and counted rx_ring_full. */
static void test_xdp_redirect_full_ring_drops_and_counts(void)
{
    struct rig r;
    rig_init(&r, KERN_XDP_REDIRECT);
    CU_ASSERT_TRUE_FATAL(kern_xsk_map_init(r.h, 1, 64, true, NULL));
    struct kern_xsk *xs = kern_xsk_of_queue(r.h, 0);
    poll_ns(&r, 40);
    CU_ASSERT_EQUAL(kern_xsk_rx_ready(xs), 40); /* flushed after the RX loop */
    CU_ASSERT_EQUAL(kern_xsk_rx_pending(xs), 0);
    poll_ns(&r, 40);
    const struct nicdrv_xdp_stats *x = nicdrv_xdp_stats(r.drv);
    CU_ASSERT_EQUAL(x->redirect, 64);
    CU_ASSERT_EQUAL(x->redirect_err, 16);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->rx_ring_full, 16);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->rx, 64);
    CU_ASSERT_EQUAL(kern_stack_calls(r.h), 0);
    CU_ASSERT_EQUAL(kern_delivered(r.h), 64);
    rig_free(&r);
}

static CU_TestInfo cases[] = {
    {"test_xdp_drop_builds_no_skb_never_calls_stack",
     test_xdp_drop_builds_no_skb_never_calls_stack},
    {"test_xdp_pass_is_the_stack_plus_the_program", test_xdp_pass_is_the_stack_plus_the_program},
    {"test_xdp_tx_consumes_tx_descriptor", test_xdp_tx_consumes_tx_descriptor},
    {"test_xdp_redirect_full_ring_drops_and_counts", test_xdp_redirect_full_ring_drops_and_counts},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nicdrv_xdp", cases)
