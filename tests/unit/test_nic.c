/* models/nic/nic.c: rings drop when full (rx_missed), ixgbe's strided
 * ring->vector layout, lowest-CPU delivery, EIAM masking and EITR spacing. */
#include "models/nic/nic.h"
#include "tests/unit/cu_main.h"

struct irq_log {
    unsigned n;
    unsigned v[16];
    uint64_t at[16];
};

static void log_irq(void *ctx, unsigned v, uint64_t at)
{
    struct irq_log *l = ctx;
    l->v[l->n] = v;
    l->at[l->n++] = at;
}

static struct nic *mk(unsigned rxq, unsigned cpus, unsigned ring, struct irq_log *l,
                      const struct sim_cpumask *aff, unsigned naff)
{
    struct nic_cfg c = {.n_rx_queues = rxq,
                        .n_tx_queues = rxq,
                        .n_cpus = cpus,
                        .ring_size = ring,
                        .link_mbps = 10000,
                        .affinity = aff,
                        .n_affinity = naff,
                        .schedule_irq = log_irq,
                        .ctx = l};
    return nic_new(&c, NULL);
}

static void test_nic_ring_full_counts_rx_missed(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 64, &l, NULL, 0);
    struct nic_rx_desc d = {.len = 60};
    unsigned ok = 0;
    for (int i = 0; i < 100; i++)
        ok += nic_rx_frame(n, 0, &d);
    CU_ASSERT_EQUAL(ok, 63); /* one descriptor always unused */
    CU_ASSERT_EQUAL(nic_queue_stats(n, 0)->drops, 37);
    CU_ASSERT_EQUAL(l.n, 1); /* one interrupt scheduled for the burst */
    nic_free(n);
}

/* The in-place path the engine uses: what is written in the slot is what the
 * driver reads back, in order across the wrap; a full ring gives no slot. */
static void test_nic_rx_slot_written_in_place_reaches_the_driver(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 4, &l, NULL, 0);
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 3; i++) {
            struct nic_rx_desc *d = nic_rx_slot(n, 0);
            CU_ASSERT_PTR_NOT_NULL_FATAL(d);
            *d = (struct nic_rx_desc){.ts = 100 * round + i, .flow = i, .len = 60 + i};
            nic_rx_post(n, 0);
        }
        CU_ASSERT_PTR_NULL(nic_rx_slot(n, 0)); /* 3 of 4: one descriptor always unused */
        for (uint32_t i = 0; i < 3; i++) {
            const struct nic_rx_desc *d = nic_rx_next(n, 0);
            CU_ASSERT_PTR_NOT_NULL_FATAL(d);
            CU_ASSERT_EQUAL(d->ts, 100 * round + i);
            CU_ASSERT_EQUAL(d->flow, i);
        }
        CU_ASSERT_PTR_NULL(nic_rx_next(n, 0));
    }
    CU_ASSERT_EQUAL(nic_queue_stats(n, 0)->packets, 9);
    CU_ASSERT_EQUAL(nic_queue_stats(n, 0)->bytes, 3 * (60 + 61 + 62));
    CU_ASSERT_EQUAL(nic_queue_stats(n, 0)->drops, 3);
    CU_ASSERT_EQUAL(l.n, 1); /* the first write-back schedules the vector; none fired */
    CU_ASSERT_EQUAL(l.at[0], 0);
    nic_free(n);
}

static void test_nic_vectors_stride_rings_and_deliver_to_lowest_cpu(void)
{
    struct irq_log l = {0};
    struct sim_cpumask aff[2] = {{{0xC}}, {{0x0}}};
    struct nic *n = mk(16, 4, 512, &l, aff, 1);
    CU_ASSERT_EQUAL(nic_q_vectors(n), 4); /* min(max(16, 16), 4 CPUs) */
    CU_ASSERT_EQUAL(nic_queue_vector(n, 5), 1);
    CU_ASSERT_EQUAL(nic_queue_vector(n, 12), 0);
    CU_ASSERT_EQUAL(nic_vector_cpu(n, 0), 2); /* mask 0xc: CPUs 2,3 -> 2 */
    CU_ASSERT_EQUAL(nic_vector_cpu(n, 3), 3); /* default hint v % cpus */
    nic_free(n);
}

static void test_nic_eitr_spaces_interrupts_and_mask_holds_them(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 512, &l, NULL, 0);
    unsigned cpu;
    nic_write_eitr(n, 0, 40); /* 10 us */
    struct nic_rx_desc d = {.ts = 1000, .len = 60};
    nic_rx_frame(n, 0, &d);
    CU_ASSERT_EQUAL(l.n, 1);
    CU_ASSERT_EQUAL(l.at[0], 1000);
    CU_ASSERT_TRUE(nic_irq_fire(n, 0, 1000, &cpu));
    d.ts = 2000; /* masked by EIAM: no new interrupt */
    nic_rx_frame(n, 0, &d);
    CU_ASSERT_EQUAL(l.n, 1);
    nic_irq_enable(n, 0, 3000); /* cause pending: due at 1000 + 10 us */
    CU_ASSERT_EQUAL(l.n, 2);
    CU_ASSERT_EQUAL(l.at[1], 11000);
    CU_ASSERT_TRUE(nic_irq_fire(n, 0, 11000, &cpu));
    CU_ASSERT_EQUAL(nic_vector_irqs(n, 0), 2);
    nic_free(n);
}

static void test_nic_eitr_keeps_2us_granularity(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 512, &l, NULL, 0);
    unsigned cpu;
    nic_write_eitr(n, 0, 25 << 2); /* 25 us -> 24 us (bits 3-11) */
    struct nic_rx_desc d = {.ts = 0, .len = 60};
    nic_rx_frame(n, 0, &d);
    nic_irq_fire(n, 0, 0, &cpu);
    nic_irq_enable(n, 0, 100);
    d.ts = 200;
    nic_rx_frame(n, 0, &d);
    CU_ASSERT_EQUAL(l.at[l.n - 1], 24000);
    nic_free(n);
}

static void test_nic_rejects_more_vectors_than_msix_table(void)
{
    struct nic_cfg c = {.n_rx_queues = 64, .n_tx_queues = 64, .n_cpus = 64, .ring_size = 512};
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(nic_new(&c, &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
}

/* An affinity mask whose lowest CPU is not on the host is refused, never delivered to a CPU
 * that does not exist. */
static void test_nic_rejects_affinity_beyond_the_cpus(void)
{
    struct irq_log l = {0};
    struct sim_cpumask bad[1] = {{{0}}}, ok[1] = {{{(1ull << 3) | (1ull << 9)}}};
    sim_cpumask_set(&bad[0], 700); /* beyond the first word too */
    CU_ASSERT_PTR_NULL(mk(1, 4, 64, &l, bad, 1));
    struct nic *n = mk(1, 4, 64, &l, ok, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_EQUAL(nic_vector_cpu(n, 0), 3);
    nic_free(n);
}

/* A frame's wire time is (len + preamble, IFG, FCS) x 8 bits at the link rate, in 64-bit
 * arithmetic: a 4 GB length from a malformed trace is seconds on the wire, not a wrapped
 * few bytes. */
static void test_nic_tx_wire_time_does_not_wrap_for_huge_lengths(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 64, &l, NULL, 0);
    CU_ASSERT_TRUE(nic_tx_frame(n, 0, UINT32_MAX - 10, 7, 0));
    uint64_t wire = ((uint64_t)UINT32_MAX - 10 + 24) * 8 * 1000 / 10000;
    CU_ASSERT_PTR_NULL(nic_tx_clean_next(n, 0, 1000 + wire - 1));
    const struct nic_tx_desc *d = nic_tx_clean_next(n, 0, 1000 + wire + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->cookie, 7);
    nic_free(n);
}

/* 82599 §7.2.4 TSO: one posting of a 64 KB super-packet holds its descriptors and leaves as
 * ceil(payload / MSS) frames, each with the replicated headers; the write-back follows the
 * last one, and only frames fully on the wire count as sent. */
static void test_nic_tso_post_cuts_mss_frames_and_holds_its_descriptors(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 64, &l, NULL, 0);
    struct nic_tx_req req = {.len = 66 + 65160, .hdr = 66, .mss = 1448, .descs = 6, .cookie = 3};
    CU_ASSERT_TRUE(nic_tx_post(n, 0, &req, 0));
    /* 45 frames of 66 + 1448 bytes + 24 of preamble, IFG and FCS at 10 Gb/s */
    uint64_t wire = (65160ull + 45 * (66 + 24)) * 8 * 1000 / 10000;
    uint64_t frames, payload;
    nic_tx_sent(n, 0, 1000 + wire - 1, &frames, &payload);
    CU_ASSERT_EQUAL(frames, 0); /* still serialising */
    nic_tx_sent(n, 0, 1000 + wire, &frames, &payload);
    CU_ASSERT_EQUAL(frames, 45);
    CU_ASSERT_EQUAL(payload, 65160);
    /* 6 of 63 usable descriptors held: 57 more fit, 58 do not */
    struct nic_tx_req big = {.len = 1514, .hdr = 66, .descs = 58};
    CU_ASSERT_FALSE(nic_tx_post(n, 0, &big, 0));
    big.descs = 57;
    CU_ASSERT_TRUE(nic_tx_post(n, 0, &big, 0));
    const struct nic_tx_desc *d = nic_tx_clean_next(n, 0, 1000 + wire);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->segs, 45);
    CU_ASSERT_EQUAL(d->descs, 6);
    big.descs = 6; /* cleaning gave the 6 back */
    CU_ASSERT_TRUE(nic_tx_post(n, 0, &big, 0));
    nic_free(n);
}

/* A PMD-owned ring (DPDK ixgbe, interrupts off): write-backs raise no interrupt; a burst
 * takes at most its size in order; taken descriptors hold no frame until rearmed (RDT). */
static void test_nic_pmd_burst_and_rearm_without_interrupts(void)
{
    struct irq_log l = {0};
    struct nic *n = mk(1, 1, 64, &l, NULL, 0);
    nic_rx_pmd_attach(n, 0);
    for (uint32_t i = 0; i < 40; i++)
        CU_ASSERT_TRUE(nic_rx_frame(n, 0, &(struct nic_rx_desc){.ts = i, .flow = i, .len = 60}));
    CU_ASSERT_EQUAL(l.n, 0); /* no MSI-X assertion scheduled */
    struct nic_rx_desc out[64];
    CU_ASSERT_EQUAL(nic_rx_burst(n, 0, out, 32), 32);
    CU_ASSERT_EQUAL(out[0].flow, 0);
    CU_ASSERT_EQUAL(out[31].flow, 31);
    CU_ASSERT_EQUAL(nic_rx_unarmed(n, 0), 32);
    CU_ASSERT_EQUAL(nic_rx_burst(n, 0, out, 32), 8); /* what is written back, no more */
    CU_ASSERT_EQUAL(out[7].flow, 39);
    CU_ASSERT_EQUAL(nic_rx_unarmed(n, 0), 40);
    unsigned ok = 0;
    for (int i = 0; i < 30; i++) /* 63 usable - 40 unarmed = 23 */
        ok += nic_rx_frame(n, 0, &(struct nic_rx_desc){.len = 60});
    CU_ASSERT_EQUAL(ok, 23);
    CU_ASSERT_EQUAL(nic_queue_stats(n, 0)->drops, 7);
    nic_rx_rearm(n, 0, 32);
    CU_ASSERT_EQUAL(nic_rx_unarmed(n, 0), 8);
    CU_ASSERT_TRUE(nic_rx_frame(n, 0, &(struct nic_rx_desc){.len = 60}));
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_EQUAL(nic_vector_irqs(n, 0), 0);
    nic_free(n);
}

struct wire_log {
    struct irq_log irq; /* first: the schedule_irq callback reads it */
    unsigned n;
    struct nic_wire_frame f[8];
};

static void log_wire(void *ctx, const struct nic_wire_frame *f)
{
    struct wire_log *w = ctx;
    if (w->n < 8)
        w->f[w->n] = *f;
    w->n++;
}

/* §7.2: the port tells each frame with its first and last bit's time: serialised behind the
 * frames before it ((len + 24) * 8 bits at 10 Gb/s, after the 1 us DMA fetch), TSO
 * segments one by one with the replicated headers. */
static void test_nic_wire_out_frames_and_tso_segments(void)
{
    struct wire_log w = {0};
    struct nic_cfg c = {.n_rx_queues = 1,
                        .n_tx_queues = 1,
                        .n_cpus = 1,
                        .ring_size = 64,
                        .link_mbps = 10000,
                        .schedule_irq = log_irq,
                        .ctx = &w,
                        .wire_out = log_wire};
    struct nic *n = nic_new(&c, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    struct nic_tx_req a = {.len = 1000, .descs = 1, .flow = 7, .l4_payload = 946};
    CU_ASSERT_TRUE(nic_tx_post(n, 0, &a, 0));
    CU_ASSERT_TRUE(nic_tx_post(n, 0, &a, 0));
    CU_ASSERT_EQUAL(w.n, 2);
    CU_ASSERT_EQUAL(w.f[0].first, 1000);
    CU_ASSERT_EQUAL(w.f[0].at, 1000 + 820); /* 1024 * 8 / 10 = 819.2 ns, rounded up */
    CU_ASSERT_EQUAL(w.f[1].first, w.f[0].at);
    CU_ASSERT_EQUAL(w.f[0].flow, 7);
    CU_ASSERT_EQUAL(w.f[0].payload, 946);
    struct nic_tx_req tso = {.len = 3000, .hdr = 54, .mss = 1000, .descs = 3, .flow = 9};
    CU_ASSERT_TRUE(nic_tx_post(n, 0, &tso, 0));
    CU_ASSERT_EQUAL(w.n, 5);
    CU_ASSERT_EQUAL(w.f[2].len, 1054);
    CU_ASSERT_EQUAL(w.f[3].payload, 1000);
    CU_ASSERT_EQUAL(w.f[4].len, 54 + 946);
    CU_ASSERT_EQUAL(w.f[4].payload, 946);
    CU_ASSERT_EQUAL(w.f[3].first, w.f[2].at);
    CU_ASSERT_TRUE(w.f[4].at > w.f[4].first && w.f[4].first >= w.f[3].at);
    const struct nic_tx_desc *d;
    uint64_t last = 0;
    while ((d = nic_tx_clean_next(n, 0, UINT64_MAX)))
        last = d->done;
    CU_ASSERT_EQUAL(last, w.f[4].at); /* the write-back follows the last segment */
    nic_free(n);
}

static CU_TestInfo cases[] = {
    {"test_nic_wire_out_frames_and_tso_segments", test_nic_wire_out_frames_and_tso_segments},
    {"test_nic_tso_post_cuts_mss_frames_and_holds_its_descriptors",
     test_nic_tso_post_cuts_mss_frames_and_holds_its_descriptors},
    {"test_nic_rejects_affinity_beyond_the_cpus", test_nic_rejects_affinity_beyond_the_cpus},
    {"test_nic_pmd_burst_and_rearm_without_interrupts",
     test_nic_pmd_burst_and_rearm_without_interrupts},
    {"test_nic_tx_wire_time_does_not_wrap_for_huge_lengths",
     test_nic_tx_wire_time_does_not_wrap_for_huge_lengths},
    {"test_nic_ring_full_counts_rx_missed", test_nic_ring_full_counts_rx_missed},
    {"test_nic_rx_slot_written_in_place_reaches_the_driver",
     test_nic_rx_slot_written_in_place_reaches_the_driver},
    {"test_nic_vectors_stride_rings_and_deliver_to_lowest_cpu",
     test_nic_vectors_stride_rings_and_deliver_to_lowest_cpu},
    {"test_nic_eitr_spaces_interrupts_and_mask_holds_them",
     test_nic_eitr_spaces_interrupts_and_mask_holds_them},
    {"test_nic_eitr_keeps_2us_granularity", test_nic_eitr_keeps_2us_granularity},
    {"test_nic_rejects_more_vectors_than_msix_table",
     test_nic_rejects_more_vectors_than_msix_table},
    CU_TEST_INFO_NULL,
};

CU_MAIN("nic", cases)
