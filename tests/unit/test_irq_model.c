/* validate/irq_model.c: recorded packets replayed through the machine's NIC, ixgbe driver and
 * EITR (spec §3.5): with ITR off every separated batch is one interrupt, with a fixed ITR the
 * interrupt rate of a vector never exceeds 1/ITR. */
#include "tests/unit/cu_main.h"
#include "validate/irq_model.h"

#include <string.h>

/* A UDP packet of flow `port` on queue q at t ns. */
static struct val_irq_pkt udp_at(uint64_t t, uint16_t q, uint16_t port)
{
    struct val_irq_pkt k;
    memset(&k, 0, sizeof k);
    k.pkt.ts_ns = t;
    k.pkt.wire_len = 60;
    k.pkt.payload_len = 18;
    k.pkt.ethertype = 0x0800;
    k.pkt.l3 = PKT_L3_IPV4;
    k.pkt.l4 = 17;
    k.pkt.has_ports = 1;
    k.pkt.sport = port;
    k.pkt.dport = 9000;
    k.pkt.saddr[0] = 10;
    k.pkt.saddr[3] = 1;
    k.pkt.daddr[0] = 10;
    k.pkt.daddr[3] = 2;
    k.rxq = q;
    k.hash = 0x1000u + port;
    return k;
}

static struct val_irq_model_result run(struct val_irq_model_cfg *c, const GArray *pk)
{
    struct val_irq_model_result res;
    GError *err = NULL;
    bool ok = val_irq_model_run(c, (const struct val_irq_pkt *)(const void *)pk->data, pk->len,
                                &res, &err);
    if (!ok)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    g_clear_error(&err);
    return res;
}

static uint64_t polled_work(const struct val_irq_model_result *r)
{
    uint64_t w = 0;
    for (unsigned i = 0; i < NICDRV_POLL_HIST_BINS; i++)
        w += i * r->poll_hist[i];
    return w;
}

/* rx-usecs 0: EITR 0, no throttling, so each batch (here one frame, 200 us apart on
 * alternating queues) raises its vector's interrupt at once and one poll takes it. */
static void test_irq_model_itr_off_one_irq_per_batch(void)
{
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 2, 2);
    c.rx_usecs = 0;
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    for (unsigned b = 0; b < 50; b++) {
        struct val_irq_pkt k = udp_at(1000 + b * 200000ull, (uint16_t)(b % 2), (uint16_t)(b + 1));
        g_array_append_val(pk, k);
    }
    struct val_irq_model_result r = run(&c, pk);
    CU_ASSERT_EQUAL(r.n_vectors, 2);
    CU_ASSERT_EQUAL(r.irqs[0], 25);
    CU_ASSERT_EQUAL(r.irqs[1], 25);
    CU_ASSERT_EQUAL(r.offered, 50);
    CU_ASSERT_EQUAL(r.ring_drops, 0);
    CU_ASSERT_EQUAL(r.poll_hist[1], 50); /* one poll per interrupt, taking its frame */
    CU_ASSERT_EQUAL(polled_work(&r), 50);
    g_array_free(pk, TRUE);
    val_irq_model_cfg_clear(&c);
}

/* A frame every 5 us on both queues for 10 ms: with ITR off the vectors interrupt far more
 * often than with rx-usecs 100, whose EITR interval caps each vector at 1 / 100 us (at most
 * 10 ms / 100 us + 1 = 101 interrupts) while keeping it busy (not far below the cap). */
static void test_irq_model_fixed_itr_bounds_interrupt_rate(void)
{
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    const uint64_t span = 10000000, gap = 5000;
    for (uint64_t t = 0; t < span; t += gap) {
        struct val_irq_pkt a = udp_at(t, 0, 1), b = udp_at(t + 2000, 1, 2);
        g_array_append_val(pk, a);
        g_array_append_val(pk, b);
    }
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 2, 2);
    c.rx_usecs = 100;
    struct val_irq_model_result fixed = run(&c, pk);
    c.rx_usecs = 0;
    struct val_irq_model_result off = run(&c, pk);
    for (unsigned v = 0; v < 2; v++) {
        CU_ASSERT(fixed.irqs[v] <= span / 100000 + 1);
        CU_ASSERT(fixed.irqs[v] >= span / 100000 * 9 / 10);
        CU_ASSERT(off.irqs[v] > 3 * fixed.irqs[v]);
    }
    CU_ASSERT_EQUAL(polled_work(&fixed), pk->len);
    CU_ASSERT_EQUAL(polled_work(&off), pk->len);
    g_array_free(pk, TRUE);
    val_irq_model_cfg_clear(&c);
}

/* rx-usecs 1 (ixgbe's adaptive default): ixgbe_update_itr() keeps EITR within 10..126 us, so
 * under a frame every 5 us a vector interrupts between 1/126 us and 1/10 us, and fewer times
 * than with throttling off. */
static void test_irq_model_adaptive_itr_stays_in_its_range(void)
{
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    const uint64_t span = 10000000, gap = 5000;
    for (uint64_t t = 0; t < span; t += gap) {
        struct val_irq_pkt a = udp_at(t, 0, 1);
        g_array_append_val(pk, a);
    }
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 2, 1);
    CU_ASSERT_EQUAL(c.rx_usecs, 1);
    struct val_irq_model_result adaptive = run(&c, pk);
    c.rx_usecs = 0;
    struct val_irq_model_result off = run(&c, pk);
    CU_ASSERT(adaptive.irqs[0] <= span / 10000 + 1);
    CU_ASSERT(adaptive.irqs[0] >= span / 126000 * 9 / 10);
    CU_ASSERT(adaptive.irqs[0] < off.irqs[0]);
    g_array_free(pk, TRUE);
    val_irq_model_cfg_clear(&c);
}

/* Each vector interrupts the CPU its affinity names (/proc/interrupts placement). */
static void test_irq_model_affinity_places_vectors(void)
{
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 4, 2);
    sim_cpumask_set(&c.affinity[0], 3);
    sim_cpumask_set(&c.affinity[1], 2);
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    struct val_irq_pkt a = udp_at(0, 0, 1), b = udp_at(1000, 1, 2);
    g_array_append_val(pk, a);
    g_array_append_val(pk, b);
    struct val_irq_model_result r = run(&c, pk);
    CU_ASSERT_EQUAL(r.n_vectors, 2);
    CU_ASSERT_EQUAL(r.irq_cpu[0], 3);
    CU_ASSERT_EQUAL(r.irq_cpu[1], 2);
    CU_ASSERT_EQUAL(r.irqs[0], 1);
    CU_ASSERT_EQUAL(r.irqs[1], 1);
    g_array_free(pk, TRUE);
    val_irq_model_cfg_clear(&c);
}

/* Out-of-order stamps or a queue beyond the NIC's are refused with the packet's number. */
static void test_irq_model_bad_input_names_the_packet(void)
{
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 2, 2);
    struct val_irq_pkt pk[2] = {udp_at(5000, 0, 1), udp_at(1000, 0, 1)};
    struct val_irq_model_result r;
    GError *err = NULL;
    CU_ASSERT_FALSE(val_irq_model_run(&c, pk, 2, &r, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "packet 2"));
    g_clear_error(&err);
    pk[1] = udp_at(6000, 7, 1);
    CU_ASSERT_FALSE(val_irq_model_run(&c, pk, 2, &r, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "queue 7"));
    g_clear_error(&err);
    val_irq_model_cfg_clear(&c);
}

static struct val_irq_model_result run_tx(struct val_irq_model_cfg *c, const GArray *pk,
                                          const GArray *tx)
{
    struct val_irq_model_result res;
    GError *err = NULL;
    bool ok = val_irq_model_run_tx(c, (const struct val_irq_pkt *)(const void *)pk->data, pk->len,
                                   (const struct val_irq_tx *)(const void *)tx->data, tx->len, &res,
                                   &err);
    if (!ok)
        fprintf(stderr, "%s\n", err->message);
    CU_ASSERT_TRUE_FATAL(ok);
    g_clear_error(&err);
    return res;
}

/* TxRx vectors: a TX descriptor write-back sets the vector's cause like an RX frame (82599
 * EICR.RTxQ), so with ITR off each transmit on TX ring 1, where nothing is received, is one
 * interrupt of vector 1, whose poll (ixgbe_clean_tx_irq) does no RX work; without the
 * transmits vector 1 never fires. */
static void test_irq_model_tx_writeback_interrupts_its_vector(void)
{
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 2, 2);
    c.rx_usecs = 0;
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    GArray *tx = g_array_new(FALSE, FALSE, sizeof(struct val_irq_tx));
    for (unsigned b = 0; b < 25; b++) {
        struct val_irq_pkt k = udp_at(1000 + b * 200000ull, 0, (uint16_t)(b + 1));
        struct val_irq_tx t = {1000 + b * 200000ull + 50000, 60, 1};
        g_array_append_val(pk, k);
        g_array_append_val(tx, t);
    }
    struct val_irq_model_result rx_only = run(&c, pk);
    struct val_irq_model_result both = run_tx(&c, pk, tx);
    CU_ASSERT_EQUAL(rx_only.irqs[0], 25);
    CU_ASSERT_EQUAL(rx_only.irqs[1], 0);
    CU_ASSERT_EQUAL(both.irqs[0], 25);
    CU_ASSERT_EQUAL(both.irqs[1], 25);
    CU_ASSERT_EQUAL(both.tx_frames[0], 0);
    CU_ASSERT_EQUAL(both.tx_frames[1], 25);
    CU_ASSERT_EQUAL(both.tx_ring_full, 0);
    CU_ASSERT_EQUAL(both.poll_hist[0], 25); /* the TX-only polls */
    CU_ASSERT_EQUAL(polled_work(&both), 25);
    g_array_free(pk, TRUE);
    g_array_free(tx, TRUE);
    val_irq_model_cfg_clear(&c);
}

/* rx-usecs 100: a reply sent 10 us after each frame on the same TxRx vector is written back
 * after that frame's poll, so EITR lets the vector fire again only 100 us after the first
 * interrupt: two interrupts per (500 us apart) frame, none closer than the interval. */
static void test_irq_model_tx_writeback_obeys_eitr(void)
{
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 1, 1);
    c.rx_usecs = 100;
    GArray *pk = g_array_new(FALSE, FALSE, sizeof(struct val_irq_pkt));
    GArray *tx = g_array_new(FALSE, FALSE, sizeof(struct val_irq_tx));
    for (unsigned b = 0; b < 20; b++) {
        struct val_irq_pkt k = udp_at(b * 500000ull, 0, 1);
        struct val_irq_tx t = {b * 500000ull + 10000, 60, 0};
        g_array_append_val(pk, k);
        g_array_append_val(tx, t);
    }
    struct val_irq_model_result r = run_tx(&c, pk, tx);
    CU_ASSERT_EQUAL(r.irqs[0], 40);
    CU_ASSERT_EQUAL(r.tx_frames[0], 20);
    g_array_free(pk, TRUE);
    g_array_free(tx, TRUE);
    val_irq_model_cfg_clear(&c);
}

/* A transmit on a TX queue the NIC lacks, or out of time order, is refused with its number. */
static void test_irq_model_bad_transmit_names_it(void)
{
    struct val_irq_model_cfg c;
    val_irq_model_cfg_init(&c, 2, 2);
    struct val_irq_pkt pk[1] = {udp_at(1000, 0, 1)};
    struct val_irq_tx tx[2] = {{2000, 60, 1}, {3000, 60, 5}};
    struct val_irq_model_result r;
    GError *err = NULL;
    CU_ASSERT_FALSE(val_irq_model_run_tx(&c, pk, 1, tx, 2, &r, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "transmit 2: TX queue 5 of 2"));
    g_clear_error(&err);
    tx[1] = (struct val_irq_tx){1500, 60, 0};
    CU_ASSERT_FALSE(val_irq_model_run_tx(&c, pk, 1, tx, 2, &r, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "transmit 2"));
    g_clear_error(&err);
    val_irq_model_cfg_clear(&c);
}

static CU_TestInfo cases[] = {
    {"ITR off: one IRQ per batch", test_irq_model_itr_off_one_irq_per_batch},
    {"fixed ITR bounds the interrupt rate", test_irq_model_fixed_itr_bounds_interrupt_rate},
    {"adaptive ITR stays in its range", test_irq_model_adaptive_itr_stays_in_its_range},
    {"affinity places vectors", test_irq_model_affinity_places_vectors},
    {"bad input names the packet", test_irq_model_bad_input_names_the_packet},
    {"TX write-back interrupts its vector", test_irq_model_tx_writeback_interrupts_its_vector},
    {"TX write-back obeys EITR", test_irq_model_tx_writeback_obeys_eitr},
    {"bad transmit names it", test_irq_model_bad_transmit_names_it},
    CU_TEST_INFO_NULL,
};

CU_MAIN("irq_model", cases)
