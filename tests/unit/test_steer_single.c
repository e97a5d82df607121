/* models/nic/steer_single.c: one queue for everything (combined 1). */
#include <string.h>

#include "models/nic/steer.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

extern const struct steer_policy_ops steer_single_ops;

static void test_steer_single_everything_queue0(void)
{
    const struct steer_env env = {.n_rx_queues = 8};
    void *st = steer_single_ops.init(NULL, "/s", &env, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    struct steer_ctx ctx = {.rss_hash = 0x12345677, .rss_type = 1};
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4, .l4 = 6, .has_ports = 1, .dport = 7};
    struct traffic_pkt arp = {.ethertype = 0x0806};
    CU_ASSERT_EQUAL(steer_single_ops.select_rxq(st, &p, &ctx), 0);
    CU_ASSERT_EQUAL(steer_single_ops.select_rxq(st, &arp, &ctx), 0);
    json_t *d = steer_single_ops.dump(st);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "packets")), 2);
    json_decref(d);
    steer_single_ops.destroy(st);
    json_t *cfg = json_loads("{\"queue\": 3}", 0, NULL);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(steer_single_ops.init(cfg, "/nic/steering/single", &env, &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/single") : NULL);
    g_clear_error(&err);
    json_decref(cfg);
}

static CU_TestInfo cases[] = {
    {"test_steer_single_everything_queue0", test_steer_single_everything_queue0},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer_single", cases)
