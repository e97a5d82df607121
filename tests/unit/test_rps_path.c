/* models/kernel/rps_path.c: RPS in netif_receive_skb, the backlog NAPI,
 * IPIs at the end of net_rx_action, received_rps, RFS recording, and the
 * out-of-order count at the socket. */
#include <string.h>

#include "models/kernel/kern_priv.h"
#include "models/kernel/rps_path.h"
#include "models/kernel/smp.h"
#include "tests/unit/cu_main.h"

#define IRQ_NIC 40

static void t_kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void t_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx, (void)t, (void)at;
}

/* A driver NAPI delivering `n` skbs of flow 1 per poll, then completing. */
struct drv {
    struct napi_struct napi;
    unsigned n, seq;
    uint8_t l4;
    uint32_t hash;
    bool ipi_seen_in_poll; /* RPS IPI pending on CPU 1 while the poll ran */
    uint64_t processed_in_poll;
};

static int drv_poll(struct napi_struct *napi, int budget)
{
    struct drv *d = napi->priv;
    struct kern_host *h = napi->host;
    for (unsigned i = 0; i < d->n; i++) {
        struct kern_skb skb = {.flow = 1,
                               .len = 100,
                               .payload = 50,
                               .hash = d->hash,
                               .segs = 1,
                               .queue = 0,
                               .l4 = d->l4};
        skb.seq_next = d->seq += 50;
        skb.ts[0] = h->now;
        kern_netif_receive_skb_core(h, &skb);
    }
    d->processed_in_poll = 0;
    for (unsigned c = 0; c < h->n_cpus; c++)
        d->processed_in_poll += kern_cpu_stats(h, c)->processed;
    d->ipi_seen_in_poll = h->n_cpus > 1 && (h->cpus[1].irq_pending >> KERN_IRQ_RPS_IPI & 1);
    kern_napi_complete_done(napi, (int)d->n);
    return (int)d->n < budget ? (int)d->n : budget - 1;
}

static int drv_irq(int irq, void *dev)
{
    (void)irq;
    kern_napi_schedule(&((struct drv *)dev)->napi);
    return KERN_IRQ_HANDLED;
}

static struct kern_host *host_new(unsigned n_cpus, struct drv *d, const char *rps_cpus,
                                  int max_backlog, int64_t sock_flow_entries)
{
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    c.hardirq = 1000;
    c.stack_skb = 100;
    c.ipi_send = 50;
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    struct kern_host *h = kern_host_new(n_cpus, &p, &c, &ops);
    unsigned sof[2] = {0, 0};
    kern_sockets_init(h, 1, sof, 2, 1 << 30);
    struct kern_rps_params rp;
    kern_rps_params_defaults(&rp);
    rp.netdev_max_backlog = max_backlog;
    rp.rps_sock_flow_entries = sock_flow_entries;
    struct sim_cpumask m;
    CU_ASSERT_FATAL(sim_cpumask_parse(&m, rps_cpus, SIM_NR_CPUS, NULL));
    CU_ASSERT_FATAL(kern_rps_enable(h, &rp, NULL));
    CU_ASSERT_FATAL(kern_rps_add_dev(h, 0, 1, NULL));
    CU_ASSERT_FATAL(kern_rps_set_queue(h, 0, 0, &m, sock_flow_entries ? 256 : 0, NULL));
    kern_netif_napi_add(h, &d->napi, drv_poll, 64, d);
    kern_request_irq(h, IRQ_NIC, drv_irq, "eth0-TxRx-0", d);
    return h;
}

/* Run `cpu` from `t` until it idles; returns the time it went idle. */
static uint64_t run_cpu(struct kern_host *h, unsigned cpu, uint64_t t)
{
    for (int i = 0; i < 100000; i++) {
        uint64_t e = kern_cpu_step(h, cpu, t);
        if (e == t)
            break;
        t = e;
    }
    return t;
}

static void test_rps_local_target_still_goes_through_the_backlog(void)
{
    struct drv d = {.n = 3, .hash = 0x12345678, .l4 = 17};
    struct kern_host *h = host_new(1, &d, "1", 1000, 0);
    kern_irq_deliver(h, 0, IRQ_NIC, 0);
    run_cpu(h, 0, 0);
    /* Nothing reached the stack inside the driver poll: the backlog NAPI did it later. */
    CU_ASSERT_EQUAL(d.processed_in_poll, 0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->processed, 3);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->received_rps, 0); /* no IPI to oneself */
    CU_ASSERT_EQUAL(kern_rps_ipis(h), 0);
    CU_ASSERT_EQUAL(kern_backlog_head(kern_rps_backlog(h), 0), 3);
    CU_ASSERT_EQUAL(kern_delivered(h), 3);
    kern_host_free(h);
}

static void test_rps_ipi_is_sent_at_the_end_of_net_rx_action(void)
{
    struct drv d = {.n = 2, .hash = 0x12345678, .l4 = 17};
    struct kern_host *h = host_new(2, &d, "2", 1000, 0);
    kern_irq_deliver(h, 0, IRQ_NIC, 0);
    uint64_t t0 = run_cpu(h, 0, 0);
    CU_ASSERT_FALSE(d.ipi_seen_in_poll); /* not while the driver polls */
    CU_ASSERT(h->cpus[1].irq_pending >> KERN_IRQ_RPS_IPI & 1);
    CU_ASSERT_EQUAL(kern_rps_ipis(h), 1);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->processed, 0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->received_rps, 0);
    run_cpu(h, 1, t0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->received_rps, 1);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->processed, 2);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->irqs, 1); /* the IPI is a hardirq on the target */
    CU_ASSERT(kern_cpu_stats(h, 1)->acct[KERN_IRQ] >= 1000);
    /* A second burst while the backlog is idle again needs a new IPI. */
    kern_irq_deliver(h, 0, IRQ_NIC, t0 + 100000);
    run_cpu(h, 0, t0 + 100000);
    CU_ASSERT_EQUAL(kern_rps_ipis(h), 2);
    kern_host_free(h);
}

/* What the observer saw of CPU 1's backlog. */
struct seen {
    int polls, work[4];
    uint64_t from[4], to[4];
    int backlog; /* sum of the backlog counter's deltas */
};

static void seen_poll(void *ctx, unsigned cpu, const struct napi_struct *n, uint64_t from,
                      uint64_t to, int work)
{
    struct seen *s = ctx;
    if (cpu != 1 || strcmp(n->name, "(no_device)") != 0 || s->polls >= 4)
        return;
    s->from[s->polls] = from;
    s->to[s->polls] = to;
    s->work[s->polls++] = work;
}

static void seen_slice(void *ctx, const struct kern_slice *sl)
{
    (void)ctx, (void)sl;
}

static void seen_counter(void *ctx, enum kern_counter c, unsigned index, uint64_t at, int delta)
{
    struct seen *s = ctx;
    (void)at;
    if (c == KERN_CTR_BACKLOG && index == 1)
        s->backlog += delta;
}

/* CPU 0 queues a second burst on CPU 1's still-scheduled backlog later than CPU 1's clock:
 * the model's poll waits for it, which the observer sees as the kernel would run it, two
 * polls (the backlog empties, the NAPI completes, the next IPI polls again). */
static void test_rps_backlog_wait_is_observed_as_two_polls(void)
{
    struct drv d = {.n = 2, .hash = 0x12345678, .l4 = 17};
    struct kern_host *h = host_new(2, &d, "2", 1000, 0);
    struct seen s = {0};
    struct kern_observer o = {
        .slice = seen_slice, .napi_poll = seen_poll, .counter = seen_counter, .ctx = &s};
    kern_set_observer(h, &o);
    kern_irq_deliver(h, 0, IRQ_NIC, 0);
    uint64_t t0 = run_cpu(h, 0, 0);
    kern_irq_deliver(h, 0, IRQ_NIC, t0 + 100000);
    run_cpu(h, 0, t0 + 100000); /* no IPI: CPU 1's backlog is still scheduled */
    run_cpu(h, 1, t0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->processed, 4);
    CU_ASSERT_EQUAL_FATAL(s.polls, 2);
    CU_ASSERT_EQUAL(s.work[0], 2);
    CU_ASSERT_EQUAL(s.work[1], 2);
    CU_ASSERT(s.to[0] < t0 + 100000);   /* the first poll ends before the second burst */
    CU_ASSERT(s.from[1] > t0 + 100000); /* and the second starts once it is queued */
    CU_ASSERT_EQUAL(s.backlog, 0);      /* every skb queued was taken */
    kern_host_free(h);
}

/* net_rps_send_ipi() onto a CPU whose call_single_queue still holds a wake-list entry: the
 * llist_add finds it non-empty, no IPI is sent (ipi_send not charged, csd_enqueue is), and the
 * one pending CAL IPI runs the wake-up and the RPS backlog both. */
static void test_rps_ipi_behind_a_pending_csd_is_not_sent(void)
{
    struct drv d = {.n = 2, .hash = 0x12345678, .l4 = 17};
    struct kern_host *alone = host_new(2, &d, "2", 1000, 0);
    kern_irq_deliver(alone, 0, IRQ_NIC, 0);
    run_cpu(alone, 0, 0);
    uint64_t soft_alone = kern_cpu_stats(alone, 0)->acct[KERN_SOFT];
    CU_ASSERT_EQUAL(kern_rps_ipis(alone), 1);
    kern_host_free(alone);

    struct drv d2 = {.n = 2, .hash = 0x12345678, .l4 = 17};
    struct kern_host *h = host_new(2, &d2, "2", 1000, 0);
    h->c.csd_enqueue = 10;
    kern_ttwu_queue(h, 1, 0, true, false, false, 0); /* CPU 1's queue: a wake-list entry */
    kern_irq_deliver(h, 0, IRQ_NIC, 0);
    uint64_t t0 = run_cpu(h, 0, 0);
    CU_ASSERT_EQUAL(kern_rps_ipis(h), 0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->acct[KERN_SOFT], soft_alone - 50 + 10);
    run_cpu(h, 1, t0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->received_rps, 1);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->processed, 2);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->irqs, 1); /* one CAL IPI served both */
    kern_host_free(h);
}

static void test_rps_backlog_drop_counts_in_softnet_dropped(void)
{
    struct drv d = {.n = 5, .hash = 0x12345678, .l4 = 17};
    struct kern_host *h = host_new(2, &d, "2", 2, 0);
    kern_irq_deliver(h, 0, IRQ_NIC, 0);
    uint64_t t0 = run_cpu(h, 0, 0);
    run_cpu(h, 1, t0);
    /* qlen > netdev_max_backlog drops: 3 queued (qlen 0, 1, 2), 2 dropped */
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->dropped, 2);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->processed, 3);
    CU_ASSERT_EQUAL(kern_rps_drops(h), 2);
    kern_host_free(h);
}

static void test_rps_flow_limit_drops_count_on_the_enqueuing_cpu(void)
{
    /* One flow floods CPU 1's backlog from CPU 0 with flow_limit_cpu_bitmap = CPU 0:
     * once the backlog is half full the flow holds > 64 of the last 128 packets. */
    struct drv d = {.n = 60, .hash = 0x12345678, .l4 = 17};
    struct kern_params p;
    struct kern_cost c = {0};
    kern_params_defaults(&p);
    struct kern_ops ops = {.kick_cpu = t_kick, .wake_at = t_wake};
    struct kern_host *h = kern_host_new(2, &p, &c, &ops);
    unsigned sof[2] = {0, 0};
    kern_sockets_init(h, 1, sof, 2, 1 << 30);
    struct kern_rps_params rp;
    kern_rps_params_defaults(&rp);
    rp.netdev_max_backlog = 1000;
    sim_cpumask_set(&rp.flow_limit_cpus, 0);
    struct sim_cpumask m = {0};
    sim_cpumask_set(&m, 1);
    CU_ASSERT_FATAL(kern_rps_enable(h, &rp, NULL));
    CU_ASSERT_FATAL(kern_rps_add_dev(h, 0, 1, NULL));
    CU_ASSERT_FATAL(kern_rps_set_queue(h, 0, 0, &m, 0, NULL));
    kern_netif_napi_add(h, &d.napi, drv_poll, 64, &d);
    kern_request_irq(h, IRQ_NIC, drv_irq, "eth0-TxRx-0", &d);
    for (uint64_t i = 0; i < 10; i++) { /* 600 packets; CPU 1 never runs */
        kern_irq_deliver(h, 0, IRQ_NIC, i * 1000000);
        run_cpu(h, 0, i * 1000000);
    }
    struct kern_rps_softnet sn0, sn1;
    kern_rps_softnet(h, 0, &sn0);
    kern_rps_softnet(h, 1, &sn1);
    /* From qlen 500 (max_backlog / 2) every packet is sampled; the single flow holds
     * > 64 of the last 128 from the 65th sample on: 500 + 64 queued, 36 dropped. */
    CU_ASSERT_EQUAL(sn0.flow_limit_count, 36);
    CU_ASSERT_EQUAL(sn1.flow_limit_count, 0);
    CU_ASSERT_EQUAL(sn1.dropped, sn0.flow_limit_count); /* dropped on the target's row */
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 1)->dropped, sn1.dropped);
    CU_ASSERT_EQUAL(sn1.input_qlen, 564);
    kern_host_free(h);
}

static void test_rfs_records_connected_sockets_only(void)
{
    struct drv d = {.n = 1, .hash = 0x12345670, .l4 = 6};
    struct kern_host *h = host_new(2, &d, "3", 1000, 4096);
    const struct kern_sock_flow_table *sft = kern_rps_sock_flow_table(h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sft);
    struct kern_sock *sk = kern_sock(h, 0);
    sk->rxhash = 0x12345670;
    sk->l4 = 6;
    h->cpu = 1;
    kern_sock_rps_record_flow(h, sk);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(sft, 0x12345670), (0x12345670u & ~1u) | 1u);
    sk->rxhash = 0x0badbee0;
    sk->l4 = 17; /* unconnected UDP: never recorded */
    kern_sock_rps_record_flow(h, sk);
    CU_ASSERT_EQUAL(kern_sock_flow_table_entry(sft, 0x0badbee0), KERN_RPS_NO_CPU);
    kern_host_free(h);
}

static void test_rfs_steers_to_the_reading_cpu(void)
{
    /* rps_cpus would pick CPU 0 or 1 by hash; RFS must pick the recorded reader CPU. */
    struct drv d = {.n = 2, .hash = 0xfffffe00, .l4 = 6}; /* RPS alone: CPU 1 */
    struct kern_host *h = host_new(2, &d, "3", 1000, 4096);
    struct kern_sock *sk = kern_sock(h, 0);
    sk->rxhash = d.hash;
    sk->l4 = 6;
    h->cpu = 0;
    kern_sock_rps_record_flow(h, sk); /* the reader runs on CPU 0 */
    kern_irq_deliver(h, 0, IRQ_NIC, 0);
    run_cpu(h, 0, 0);
    CU_ASSERT_EQUAL(kern_cpu_stats(h, 0)->processed, 2);
    CU_ASSERT_EQUAL(kern_rps_ipis(h), 0);
    kern_host_free(h);
}

static void test_sock_counts_segments_behind_a_later_sequence(void)
{
    struct drv d = {.n = 0};
    struct kern_host *h = host_new(1, &d, "0", 1000, 0);
    struct sim_flow_result fr[2] = {0};
    kern_set_flow_results(h, fr);
    uint32_t seqs[] = {100, 200, 150, 300, 250, 400};
    for (unsigned i = 0; i < G_N_ELEMENTS(seqs); i++) {
        struct kern_skb skb = {.flow = 1, .payload = 50, .seq_next = seqs[i], .segs = 1, .l4 = 6};
        kern___netif_receive_skb(h, &skb);
    }
    /* 150 (range 100..150) came after 200; 250 after 300 */
    CU_ASSERT_EQUAL(fr[1].ooo, 2);
    CU_ASSERT_EQUAL(fr[1].delivered, 6);
    kern_host_free(h);
}

static CU_TestInfo cases[] = {
    {"test_rps_local_target_still_goes_through_the_backlog",
     test_rps_local_target_still_goes_through_the_backlog},
    {"test_rps_ipi_is_sent_at_the_end_of_net_rx_action",
     test_rps_ipi_is_sent_at_the_end_of_net_rx_action},
    {"test_rps_backlog_wait_is_observed_as_two_polls",
     test_rps_backlog_wait_is_observed_as_two_polls},
    {"test_rps_backlog_drop_counts_in_softnet_dropped",
     test_rps_backlog_drop_counts_in_softnet_dropped},
    {"test_rps_flow_limit_drops_count_on_the_enqueuing_cpu",
     test_rps_flow_limit_drops_count_on_the_enqueuing_cpu},
    {"test_rfs_records_connected_sockets_only", test_rfs_records_connected_sockets_only},
    {"test_rfs_steers_to_the_reading_cpu", test_rfs_steers_to_the_reading_cpu},
    {"test_sock_counts_segments_behind_a_later_sequence",
     test_sock_counts_segments_behind_a_later_sequence},
    {"test_rps_ipi_behind_a_pending_csd_is_not_sent",
     test_rps_ipi_behind_a_pending_csd_is_not_sent},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rps_path", cases);
