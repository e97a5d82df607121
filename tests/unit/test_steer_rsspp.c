/* models/nic/plugins/steer_rsspp.c: RSS++'s balancing step (Barbette et al.,
 * CoNEXT 2019, Algorithm 1) from bucket loads to RETA moves, and the policy's
 * round through the classifier (per-bucket counts, on_load, ethtool -X). */
#include <string.h>

#include "models/nic/classifier.h"
#include "models/nic/plugins/steer_rsspp.h"
#include "tests/unit/cu_main.h"

/* 16 buckets, RETA i % 4: queue 0's buckets (0, 4, 8, 12) carry 0.2, 0.1, 0.1,
 * 0.1 CPU, the other queues 0.1 in all. Mean 0.2: bucket 0 is too heavy for
 * any queue (0.1 + 0.2 above the overload line 0.22), the three 0.1 buckets
 * go one to each other queue, least loaded first. */
static void test_rebalance_moves_buckets_to_underloaded_queues(void)
{
    double b[16];
    unsigned reta[16];
    for (unsigned i = 0; i < 16; i++) {
        reta[i] = i % 4;
        b[i] = reta[i] == 0 ? 0.1 : 0.025;
    }
    b[0] = 0.2;
    unsigned moves = rsspp_rebalance(b, reta, 16, 4, 0.1);
    CU_ASSERT_EQUAL(moves, 3);
    CU_ASSERT_EQUAL(reta[0], 0);
    CU_ASSERT_EQUAL(reta[4], 1);
    CU_ASSERT_EQUAL(reta[8], 2);
    CU_ASSERT_EQUAL(reta[12], 3);
    double q[4] = {0};
    for (unsigned i = 0; i < 16; i++)
        q[reta[i]] += b[i];
    CU_ASSERT_TRUE(rsspp_imbalance(q, 4) < 0.01);
}

/* Imbalance within the threshold: no move, the table as it was. */
static void test_rebalance_within_threshold_moves_nothing(void)
{
    double b[8] = {0.11, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    unsigned reta[8] = {0, 1, 2, 3, 0, 1, 2, 3};
    CU_ASSERT_EQUAL(rsspp_rebalance(b, reta, 8, 4, 0.1), 0);
    for (unsigned i = 0; i < 8; i++)
        CU_ASSERT_EQUAL(reta[i], i % 4);
}

/* One elephant flow alone in its bucket cannot be split (the paper's limit):
 * moving it would only overload another queue, so it stays. */
static void test_rebalance_keeps_an_unsplittable_bucket(void)
{
    double b[4] = {0.9, 0.1, 0.1, 0.1};
    unsigned reta[4] = {0, 1, 2, 3};
    CU_ASSERT_EQUAL(rsspp_rebalance(b, reta, 4, 4, 0.1), 0);
    CU_ASSERT_EQUAL(reta[0], 0);
}

/* A queue's load is split over its buckets by their packet counts. */
static void test_bucket_loads_split_queue_load_by_counts(void)
{
    uint64_t cnt[4] = {300, 100, 50, 0};
    unsigned reta[4] = {0, 0, 1, 1};
    double q[2] = {0.8, 0.4}, b[4];
    rsspp_bucket_loads(cnt, reta, 4, 2, q, b);
    CU_ASSERT_DOUBLE_EQUAL(b[0], 0.6, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[1], 0.2, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[2], 0.4, 1e-12);
    CU_ASSERT_DOUBLE_EQUAL(b[3], 0.0, 1e-12);
}

static struct nic_classifier *rsspp_classifier(const char *text, unsigned nq)
{
    struct steer_env env = {.n_rx_queues = nq, .n_tx_queues = nq, .n_cpus = nq, .seed = 1};
    json_t *cfg = json_loads(text, 0, NULL);
    GError *err = NULL;
    struct nic_classifier *c = nic_classifier_new(cfg, "/nic/steering", &env, &err);
    if (err)
        fprintf(stderr, "%s\n", err->message);
    json_decref(cfg);
    return c;
}

static struct traffic_pkt tcp_pkt(uint16_t sport)
{
    struct traffic_pkt p;
    memset(&p, 0, sizeof p);
    p.ethertype = 0x0800;
    p.l3 = PKT_L3_IPV4;
    p.l4 = 6;
    p.has_ports = 1;
    p.sport = sport;
    p.dport = 80;
    p.flow = 1;
    memcpy(p.saddr, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(p.daddr, (uint8_t[]){10, 0, 1, 1}, 4);
    return p;
}

/* One round through the classifier: every frame counted in its bucket; CPU 0's
 * softirq busy, the others idle, so on_load moves buckets off queue 0 and the
 * port's RETA (the one the rss stage reads) changes: the same frames now land
 * elsewhere. The first call only primes the deltas. */
static void test_rsspp_round_rewrites_the_ports_reta(void)
{
    struct nic_classifier *c = rsspp_classifier("{\"chain\": [\"rsspp\", \"rss\"]}", 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    uint64_t period, stale;
    CU_ASSERT_TRUE(nic_classifier_feedback(c, &period, &stale));
    CU_ASSERT_EQUAL(period, NIC_FEEDBACK_DEFAULT_NS);
    CU_ASSERT_EQUAL(stale, 0);
    uint64_t pk[4] = {0}, dr[4] = {0}, soft[4] = {0};
    unsigned ring[4] = {0}, cpu[4] = {0, 1, 2, 3};
    struct steer_load l = {.now_ns = period,
                           .interval_ns = period,
                           .n_rx_queues = 4,
                           .n_cpus = 4,
                           .rxq_packets = pk,
                           .rxq_drops = dr,
                           .rxq_ring = ring,
                           .rxq_cpu = cpu,
                           .cpu_softirq_ns = soft};
    nic_classifier_on_load(c, &l); /* primes */
    unsigned on0_before = 0, on0_after = 0;
    struct nic_rx_decision d;
    for (unsigned s = 0; s < 400; s++) {
        struct traffic_pkt p = tcp_pkt((uint16_t)(1000 + s));
        nic_classifier_select(c, &p, &d);
        pk[d.queue]++;
        on0_before += d.queue == 0;
    }
    soft[0] = period; /* CPU 0 100% in softirq, the others idle */
    l.now_ns = 2 * period;
    nic_classifier_on_load(c, &l);
    for (unsigned s = 0; s < 400; s++) {
        struct traffic_pkt p = tcp_pkt((uint16_t)(1000 + s));
        nic_classifier_select(c, &p, &d);
        on0_after += d.queue == 0;
    }
    CU_ASSERT_TRUE(on0_before > 50);
    CU_ASSERT_TRUE(on0_after < on0_before);
    json_t *j = nic_classifier_dump(c);
    json_t *fb = json_object_get(j, "feedback");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fb, "calls")), 2);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(fb, "reta_rewrites")), 1);
    json_t *st = json_object_get(json_object_get(json_object_get(j, "stages"), "rsspp"), "state");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(st, "counted")), 800);
    CU_ASSERT_TRUE(json_integer_value(json_object_get(st, "moves")) > 0);
    json_decref(j);
    nic_classifier_free(c);
}

/* The policy's own period (config period_ms) is its feedback_ns request;
 * /feedback_ms overrides it. */
static void test_rsspp_period_request_and_override(void)
{
    uint64_t period, stale;
    struct nic_classifier *c =
        rsspp_classifier("{\"chain\": [\"rsspp\", \"rss\"], \"rsspp\": {\"period_ms\": 5}}", 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(nic_classifier_feedback(c, &period, &stale));
    CU_ASSERT_EQUAL(period, 5000000);
    nic_classifier_free(c);
    c = rsspp_classifier("{\"chain\": [\"rsspp\", \"rss\"], \"rsspp\": {\"period_ms\": 5},"
                         " \"feedback_ms\": 20, \"staleness_ms\": 2.5}",
                         4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(nic_classifier_feedback(c, &period, &stale));
    CU_ASSERT_EQUAL(period, 20000000);
    CU_ASSERT_EQUAL(stale, 2500000);
    nic_classifier_free(c);
}

static CU_TestInfo cases[] = {
    {"test_rebalance_moves_buckets_to_underloaded_queues",
     test_rebalance_moves_buckets_to_underloaded_queues},
    {"test_rebalance_within_threshold_moves_nothing",
     test_rebalance_within_threshold_moves_nothing},
    {"test_rebalance_keeps_an_unsplittable_bucket", test_rebalance_keeps_an_unsplittable_bucket},
    {"test_bucket_loads_split_queue_load_by_counts", test_bucket_loads_split_queue_load_by_counts},
    {"test_rsspp_round_rewrites_the_ports_reta", test_rsspp_round_rewrites_the_ports_reta},
    {"test_rsspp_period_request_and_override", test_rsspp_period_request_and_override},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer_rsspp", cases)
