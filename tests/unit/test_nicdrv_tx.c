/* nicdrv-model TX side with models/kernel/tx.c and the NIC TX rings: XPS queue
 * choice by the sending CPU (ixgbe's XPS init), ATR sampling of each sent frame
 * on its TX ring, write-back IRQs, TX cleaning in the poll (256 per ring). */
#include "models/kernel/kern_priv.h"
#include "models/kernel/tx.h"
#include "models/nic/nic.h"
#include "nicdrv-model/nicdrv.h"
#include "tests/unit/cu_main.h"

struct rig {
    struct nic *nic;
    struct kern_host *h;
    struct nicdrv_adapter *drv;
    uint64_t irq_at[8];
    unsigned atr_calls, atr_txq[512];
};

static void t_schedule_irq(void *ctx, unsigned v, uint64_t at)
{
    ((struct rig *)ctx)->irq_at[v] = at;
}

static void t_kick(void *ctx, unsigned cpu, uint64_t at)
{
    (void)ctx, (void)cpu, (void)at;
}

static void t_wake(void *ctx, struct cpus_thread *t, uint64_t at)
{
    (void)ctx, (void)t, (void)at;
}

static void t_atr(void *ctx, uint32_t flow, uint8_t flags, unsigned txq)
{
    struct rig *r = ctx;
    (void)flow, (void)flags;
    if (r->atr_calls < G_N_ELEMENTS(r->atr_txq))
        r->atr_txq[r->atr_calls] = txq;
    r->atr_calls++;
}

static void rig_init(struct rig *r, unsigned queues, bool atr)
{
    memset(r, 0, sizeof *r);
    struct nic_cfg nc = {.n_rx_queues = queues,
                         .n_tx_queues = queues,
                         .n_cpus = 4,
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
    r->h = kern_host_new(4, &p, &c, &ops);
    unsigned sof[2] = {0, 0};
    kern_sockets_init(r->h, 1, sof, 2, 1 << 20);
    struct nicdrv_cfg dc = {.ifname = "eth0",
                            .irq_base = 40,
                            .rx_usecs = 0,
                            .link_mbps = 10000,
                            .gro = true,
                            .atr = atr,
                            .atr_sample = t_atr,
                            .atr_ctx = r};
    r->drv = nicdrv_probe(r->nic, r->h, &dc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->drv);
}

static void rig_free(struct rig *r)
{
    nicdrv_remove(r->drv);
    kern_host_free(r->h);
    nic_free(r->nic);
}

/* Send from `cpu` at `now` as the running code of that CPU. */
static int send_on(struct rig *r, unsigned cpu, uint64_t now)
{
    r->h->cpu = cpu;
    r->h->now = now;
    return kern_sock_sendmsg(r->h, kern_sock(r->h, 0), 0, 1, 64, 0x10);
}

static void test_xps_init_sends_on_the_senders_cpu_ring_and_atr_samples_it(void)
{
    struct rig r;
    rig_init(&r, 4, true);
    CU_ASSERT_EQUAL(send_on(&r, 2, 0), 2); /* ixgbe XPS init: tx-2 on CPU 2 */
    CU_ASSERT_EQUAL(r.atr_calls, 1);
    CU_ASSERT_EQUAL(r.atr_txq[0], 2);
    /* The socket caches tx-2; while the packet is on the ring ooo_okay is false and
     * a send from CPU 3 stays on tx-2 (no reordering). */
    CU_ASSERT_EQUAL(send_on(&r, 3, 100), 2);
    CU_ASSERT_EQUAL(kern_tx_packets(r.h, 0, 2), 2);
    CU_ASSERT_EQUAL(kern_sock(r.h, 0)->tx_inflight, 2);
    rig_free(&r);
}

static void test_tx_without_atr_has_no_xps_and_hashes_the_socket(void)
{
    struct rig r;
    rig_init(&r, 4, false);
    int q0 = send_on(&r, 0, 0);
    CU_ASSERT(q0 >= 0 && q0 < 4);
    /* skb_tx_hash of sk_txhash: reciprocal_scale(txhash, 4) */
    CU_ASSERT_EQUAL(q0, (int)(((uint64_t)kern_sock(r.h, 0)->txhash * 4) >> 32));
    rig_free(&r);
}

static void test_tx_write_back_raises_the_vector_irq_and_the_poll_cleans(void)
{
    struct rig r;
    rig_init(&r, 4, true);
    CU_ASSERT_EQUAL(send_on(&r, 1, 1000), 1);
    /* posted after the send's CPU cost (tx_pkt 1500 + 6 ns copy), then 1 µs DMA and
     * (54 + 64 payload + 24) * 8 bits at 10 Gb/s = 114 ns on the wire */
    CU_ASSERT_EQUAL(r.irq_at[1], 1000 + 1506 + 1000 + 114);
    const struct kern_cpu_stats *st = kern_cpu_stats(r.h, 1);
    CU_ASSERT_EQUAL(st->acct[KERN_USR] + st->acct[KERN_SYS], 1506); /* charged to the sender */
    unsigned cpu;
    CU_ASSERT_TRUE(nic_irq_fire(r.nic, 1, r.irq_at[1], &cpu));
    CU_ASSERT_EQUAL(cpu, 1);
    kern_irq_deliver(r.h, cpu, nicdrv_vector_irq(r.drv, 1), r.irq_at[1]);
    uint64_t t = r.irq_at[1];
    for (int i = 0; i < 100; i++) {
        uint64_t e = kern_cpu_step(r.h, 1, t);
        if (e == t)
            break;
        t = e;
    }
    CU_ASSERT_EQUAL(kern_sock(r.h, 0)->tx_inflight, 0); /* completion freed the skb */
    CU_ASSERT_EQUAL(nic_tx_pending(r.nic, 1), 0);
    CU_ASSERT_EQUAL(nicdrv_napi_polls(r.drv, 1), 1);
    rig_free(&r);
}

static void test_tx_clean_stops_at_256_per_ring_and_repolls(void)
{
    struct rig r;
    rig_init(&r, 4, true);
    for (int i = 0; i < 300; i++)
        CU_ASSERT_EQUAL(send_on(&r, 0, 0), 0);
    uint64_t later = 10000000; /* everything written back */
    kern_irq_deliver(r.h, 0, nicdrv_vector_irq(r.drv, 0), later);
    nic_irq_fire(r.nic, 0, r.irq_at[0], &(unsigned){0});
    uint64_t t = later;
    bool seen_partial = false;
    for (int i = 0; i < 1000; i++) {
        uint64_t e = kern_cpu_step(r.h, 0, t);
        if (nic_tx_pending(r.nic, 0) == 300 - 256)
            seen_partial = true;
        if (e == t)
            break;
        t = e;
    }
    CU_ASSERT_TRUE(seen_partial); /* one poll cleaned exactly work_limit = 256 */
    CU_ASSERT_EQUAL(nic_tx_pending(r.nic, 0), 0);
    CU_ASSERT_EQUAL(nicdrv_napi_polls(r.drv, 0), 2); /* TX unfinished: returned budget, repolled */
    rig_free(&r);
}

/* A second NIC (device 1, eth1) beside the first: sends on device 1 land on its
 * rings, write back on its vectors and are cleaned by its own NAPI. */
static void test_second_nic_transmits_on_its_own_rings_and_vectors(void)
{
    struct rig r;
    rig_init(&r, 4, true);
    struct rig b = {0};
    struct nic_cfg nc = {.n_rx_queues = 2,
                         .n_tx_queues = 2,
                         .n_cpus = 4,
                         .ring_size = 512,
                         .link_mbps = 10000,
                         .schedule_irq = t_schedule_irq,
                         .ctx = &b};
    b.nic = nic_new(&nc, NULL);
    struct nicdrv_cfg dc = {.ifname = "eth1",
                            .irq_base = 45,
                            .rx_usecs = 0,
                            .link_mbps = 10000,
                            .gro = true,
                            .dev_index = 1};
    struct nicdrv_adapter *drv_b = nicdrv_probe(b.nic, r.h, &dc, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(drv_b);
    CU_ASSERT_STRING_EQUAL(kern_irq_name(r.h, 46), "eth1-TxRx-1");
    r.h->cpu = 0;
    r.h->now = 0;
    int q = kern_sock_sendmsg(r.h, kern_sock(r.h, 0), 1, 1, 64, 0x10);
    CU_ASSERT(q >= 0 && q < 2);
    CU_ASSERT_EQUAL(nic_tx_pending(b.nic, (unsigned)q), 1);
    for (unsigned i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(nic_tx_pending(r.nic, i), 0); /* eth0 untouched */
    CU_ASSERT_EQUAL(kern_tx_packets(r.h, 1, (unsigned)q), 1);
    CU_ASSERT_EQUAL(r.atr_calls, 0); /* eth1 has no ATR hook */
    unsigned cpu;
    uint64_t at = b.irq_at[q];
    CU_ASSERT_TRUE(nic_irq_fire(b.nic, (unsigned)q, at, &cpu));
    kern_irq_deliver(r.h, cpu, nicdrv_vector_irq(drv_b, (unsigned)q), at);
    for (uint64_t t = at, e; (e = kern_cpu_step(r.h, cpu, t)) != t;)
        t = e;
    CU_ASSERT_EQUAL(nic_tx_pending(b.nic, (unsigned)q), 0);
    CU_ASSERT_EQUAL(kern_irq_count(r.h, 45 + (unsigned)q, cpu), 1);
    nicdrv_remove(drv_b);
    nic_free(b.nic);
    rig_free(&r);
}

static CU_TestInfo cases[] = {
    {"test_second_nic_transmits_on_its_own_rings_and_vectors",
     test_second_nic_transmits_on_its_own_rings_and_vectors},
    {"test_xps_init_sends_on_the_senders_cpu_ring_and_atr_samples_it",
     test_xps_init_sends_on_the_senders_cpu_ring_and_atr_samples_it},
    {"test_tx_without_atr_has_no_xps_and_hashes_the_socket",
     test_tx_without_atr_has_no_xps_and_hashes_the_socket},
    {"test_tx_write_back_raises_the_vector_irq_and_the_poll_cleans",
     test_tx_write_back_raises_the_vector_irq_and_the_poll_cleans},
    {"test_tx_clean_stops_at_256_per_ring_and_repolls",
     test_tx_clean_stops_at_256_per_ring_and_repolls},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nicdrv_tx", cases);
