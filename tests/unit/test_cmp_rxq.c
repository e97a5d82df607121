/* validate/cmp_rxq.c: RX queue agreement on a hashing NIC: the Toeplitz hash with the
 * bundle's key and RETA (TCP 4-tuple, UDP 2- or 4-tuple) and the Flow Director ATR filter
 * learnt from a transmit, against the trace's queue and hash. */
#include "tests/unit/cu_main.h"
#include "tests/unit/replay_harness.h"

static void test_cmp_rxq_toeplitz_queue_and_hash_on_hashing_nic(void)
{
    char *dir = make_bundle();
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(r->rx_queue_mode, "toeplitz+atr");
    CU_ASSERT_EQUAL(r->atr_steered, 0); /* no TX seen: no Flow Director filter */
    CU_ASSERT_EQUAL(r->matched, 4);
    CU_ASSERT_EQUAL(r->trace_entries, 4);
    /* the Microsoft vectors' hashes are what the trace recorded */
    CU_ASSERT_EQUAL(r->hash.compared, 4);
    CU_ASSERT_EQUAL(r->hash.agreed, 4);
    /* RETA[0x51ccc178 & 127] = 120 % 4 = 0 (qm 1) and RETA[0xd718262a & 127] = 42 % 4 = 2
     * (qm 3) agree; TCP3 hashes to RETA[74] = 2 but was recorded on queue 1. */
    CU_ASSERT_EQUAL(r->rx_queue.compared, 4);
    CU_ASSERT_EQUAL(r->rx_queue.agreed, 3);
    CU_ASSERT_EQUAL_FATAL(r->rx_queue.first->len, 1);
    const struct val_disagreement *d =
        &g_array_index(r->rx_queue.first, struct val_disagreement, 0);
    CU_ASSERT_EQUAL(d->trace_line, 10);
    CU_ASSERT_EQUAL(d->packet, 4);
    CU_ASSERT_EQUAL(d->model, 2);
    CU_ASSERT_EQUAL(d->actual, 1);
    val_report_free(r);
    rm_bundle(dir);
}

/* ixgbe ATR: the SYN-ACK sent on TX ring 1 installs a signature filter, so TCP3 arrives on RX
 * queue 1 although RETA[hash] says 2; the descriptor hash is still the RSS hash. */
static void test_cmp_rxq_atr_steers_tcp_to_the_tx_ring_queue(void)
{
    char *dir = make_bundle_opts(true);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->pcap_outgoing, 1);
    CU_ASSERT_EQUAL(r->tx_matched, 1);
    CU_ASSERT_EQUAL(r->atr_steered, 1);
    CU_ASSERT_EQUAL(r->rx_queue.compared, 4);
    CU_ASSERT_EQUAL(r->rx_queue.agreed, 4);
    CU_ASSERT_EQUAL(r->hash.agreed, 4);
    val_report_free(r);
    rm_bundle(dir);
}

/* The host hashed UDP over ports (rx-flow-hash udp4 sdfn): the trace carries the 4-tuple hash
 * (Microsoft vector 2's TCP value, same input bytes). The model keeps the ixgbe default, so the
 * hash disagrees, and the report says why. */
static void test_cmp_rxq_udp_4tuple_hash_is_reported(void)
{
    char *dir = make_bundle();
    char *p = g_build_filename(dir, "trace.txt", NULL);
    gchar *text = NULL;
    CU_ASSERT_FATAL(g_file_get_contents(p, &text, NULL, NULL));
    char *hit = strstr(text, "hash=0xd718262a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
    memcpy(hit, "hash=0xc626b0ea", 15);
    CU_ASSERT_FATAL(g_file_set_contents(p, text, -1, NULL));
    g_free(text);
    g_free(p);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->hash.agreed, 3);
    CU_ASSERT_EQUAL_FATAL(r->warnings->len, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(g_ptr_array_index(r->warnings, 0), "rx-flow-hash"));
    val_report_free(r);
    rm_bundle(dir);
}

static CU_TestInfo cases[] = {
    {"Toeplitz queue and hash on a hashing NIC",
     test_cmp_rxq_toeplitz_queue_and_hash_on_hashing_nic},
    {"ATR steers TCP to the TX ring's queue", test_cmp_rxq_atr_steers_tcp_to_the_tx_ring_queue},
    {"UDP 4-tuple hash is reported", test_cmp_rxq_udp_4tuple_hash_is_reported},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cmp_rxq", cases)
