/* models/kernel/xsk.c: bpf_prog_run_xdp's verdict and match share, xdp_do_redirect into an
 * AF_XDP socket (net/xdp/xsk.c: xsk_rcv reserves, xsk_flush publishes and wakes; a full RX
 * ring is -ENOSPC and counted as rx_ring_full), copy mode's per-byte memcpy, the reader
 * giving frames back to the fill ring. */
#include <errno.h>

#include "models/kernel/kern_priv.h"
#include "models/kernel/xsk.h"
#include "tests/unit/cu_main.h"

static struct cpus_thread *woken;
static uint64_t woken_at;

static void x_kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void x_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx;
    woken = t;
    woken_at = at;
}

static bool idle_step(struct cpus_thread *t, void *arg)
{
    (void)t, (void)arg;
    return false;
}

static struct kern_host *x_host(void)
{
    struct kern_params p;
    struct kern_cost c;
    kern_params_defaults(&p);
    kern_cost_defaults(&c);
    struct kern_ops ops = {.kick_cpu = x_kick, .wake_at = x_wake};
    woken = NULL;
    return kern_host_new(1, &p, &c, &ops);
}

static struct kern_xdp_frame frame(uint32_t flow, uint64_t ts)
{
    return (struct kern_xdp_frame){.ts = ts, .flow = flow, .len = 64, .queue = 0};
}

static void test_prog_verdict_and_match_share(void)
{
    struct kern_host *h = x_host();
    struct kern_xdp_prog all = {KERN_XDP_DROP, 1000}, none = {KERN_XDP_DROP, 0},
                         half = {KERN_XDP_DROP, 500};
    unsigned dropped = 0;
    uint64_t t0 = kern_now(h);
    for (uint32_t f = 0; f < 1000; f++) {
        CU_ASSERT_EQUAL(kern_bpf_prog_run_xdp(h, &all, f), KERN_XDP_DROP);
        CU_ASSERT_EQUAL(kern_bpf_prog_run_xdp(h, &none, f), KERN_XDP_PASS);
        dropped += kern_bpf_prog_run_xdp(h, &half, f) == KERN_XDP_DROP;
    }
    CU_ASSERT_TRUE(dropped > 450 && dropped < 550); /* half of the flows */
    /* every run costs bpf_prog_run_xdp */
    CU_ASSERT_EQUAL(kern_now(h) - t0, 3000u * kern_costs(h)->bpf_prog_run_xdp);
    kern_host_free(h);
}

static void test_map_init_wants_power_of_two_once(void)
{
    struct kern_host *h = x_host();
    GError *err = NULL;
    CU_ASSERT_FALSE(kern_xsk_map_init(h, 1, 100, true, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    CU_ASSERT_TRUE(kern_xsk_map_init(h, 2, 64, true, NULL));
    CU_ASSERT_FALSE(kern_xsk_map_init(h, 2, 64, true, NULL));
    CU_ASSERT_EQUAL(kern_xsk_count(h), 2);
    CU_ASSERT_EQUAL(kern_xsk_fill_count(kern_xsk_of_queue(h, 1)), 128); /* the whole UMEM */
    CU_ASSERT_PTR_NULL(kern_xsk_of_queue(h, 2));
    kern_host_free(h);
}

/* bpf_redirect_map on a queue without a socket: the redirect fails (-EINVAL). */
static void test_redirect_without_socket_fails(void)
{
    struct kern_host *h = x_host();
    struct kern_xdp_frame f = frame(0, 0);
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), -EINVAL);
    CU_ASSERT_TRUE(kern_xsk_map_init(h, 1, 64, true, NULL));
    f.queue = 1;
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), -EINVAL);
    kern_host_free(h);
}

/* xsk_rcv only reserves: the reader sees the descriptor once xdp_do_flush published it,
 * and the flush wakes the reader blocked in poll(); latency is taken at the flush. */
static void test_flush_publishes_and_wakes_reader(void)
{
    struct kern_host *h = x_host();
    CU_ASSERT_TRUE(kern_xsk_map_init(h, 1, 64, true, NULL));
    struct kern_xsk *xs = kern_xsk_of_queue(h, 0);
    struct cpus_thread *t = cpus_thread_new(kern_sched(h), "xdpsock/0", 0, idle_step, NULL);
    kern_xsk_wait(h, xs, t); /* nothing to read: sleeps */
    CU_ASSERT_PTR_NULL(woken);
    h->now = 5000;
    struct kern_xdp_frame f = frame(0, 1000), out;
    uint64_t t0 = kern_now(h);
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), 0);
    CU_ASSERT_EQUAL(kern_now(h) - t0, kern_costs(h)->xsk_rcv_zc); /* zero copy: no memcpy */
    CU_ASSERT_EQUAL(kern_xsk_rx_pending(xs), 1);
    CU_ASSERT_EQUAL(kern_xsk_rx_ready(xs), 0);
    CU_ASSERT_FALSE(kern_xsk_recv(h, xs, &out));
    CU_ASSERT_PTR_NULL(woken);
    kern_xdp_do_flush(h);
    CU_ASSERT_EQUAL(kern_xsk_rx_ready(xs), 1);
    CU_ASSERT_EQUAL(kern_xsk_rx_pending(xs), 0);
    CU_ASSERT_PTR_EQUAL(woken, t);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->wakeups, 1);
    CU_ASSERT_EQUAL(kern_delivered(h), 1);
    CU_ASSERT_EQUAL(kern_latency_hist(h)->count, 1);
    CU_ASSERT_TRUE(kern_latency_hist(h)->max >= 4000); /* arrival 1000 -> flush after 5000 */
    CU_ASSERT_TRUE(kern_xsk_recv(h, xs, &out));
    CU_ASSERT_EQUAL(out.ts, 1000);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->read, 1);
    /* a second flush with nothing new wakes nobody */
    woken = NULL;
    kern_xdp_do_flush(h);
    CU_ASSERT_PTR_NULL(woken);
    kern_host_free(h);
}

/* xskq_prod_reserve_desc(): a full RX ring refuses with -ENOSPC, counted rx_ring_full; the
 * fill ring (the whole UMEM) is not what runs out first. Reading frees a slot. */
static void test_full_ring_drops_enospc(void)
{
    struct kern_host *h = x_host();
    CU_ASSERT_TRUE(kern_xsk_map_init(h, 1, 64, true, NULL));
    struct kern_xsk *xs = kern_xsk_of_queue(h, 0);
    struct kern_xdp_frame f = frame(0, 0), out;
    for (unsigned i = 0; i < 64; i++)
        CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), 0);
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), -ENOSPC);
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), -ENOSPC);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->rx_ring_full, 2);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->rx_fill_ring_empty, 0);
    CU_ASSERT_EQUAL(kern_xsk_fill_count(xs), 64);
    kern_xdp_do_flush(h);
    CU_ASSERT_EQUAL(kern_xsk_stats(xs)->rx, 64);
    CU_ASSERT_TRUE(kern_xsk_recv(h, xs, &out));
    CU_ASSERT_EQUAL(kern_xsk_fill_count(xs), 65); /* its frame back in the fill ring */
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), 0);
    kern_host_free(h);
}

/* __xsk_rcv (XDP_COPY): the frame is memcpy'd into a UMEM frame, len * ps per byte. */
static void test_copy_mode_charges_per_byte(void)
{
    struct kern_host *h = x_host();
    CU_ASSERT_TRUE(kern_xsk_map_init(h, 1, 64, false, NULL));
    struct kern_xdp_frame f = frame(0, 0);
    f.len = 1500;
    uint64_t t0 = kern_now(h);
    CU_ASSERT_EQUAL(kern_xdp_do_redirect(h, &f), 0);
    const struct kern_cost *c = kern_costs(h);
    CU_ASSERT_EQUAL(kern_now(h) - t0, c->xsk_rcv_zc + 1500u * c->xsk_copy_ps_per_byte / 1000u);
    CU_ASSERT_EQUAL(kern_xsk_stats(kern_xsk_of_queue(h, 0))->copied_bytes, 1500);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_prog_verdict_and_match_share", test_prog_verdict_and_match_share},
    {"test_map_init_wants_power_of_two_once", test_map_init_wants_power_of_two_once},
    {"test_redirect_without_socket_fails", test_redirect_without_socket_fails},
    {"test_flush_publishes_and_wakes_reader", test_flush_publishes_and_wakes_reader},
    {"test_full_ring_drops_enospc", test_full_ring_drops_enospc},
    {"test_copy_mode_charges_per_byte", test_copy_mode_charges_per_byte},
    CU_TEST_INFO_NULL,
};

CU_MAIN("xsk", cases)
