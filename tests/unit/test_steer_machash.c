/* models/nic/steer_machash.c: queue = fold16(MAC) % n; one MAC, one queue. */
#include <string.h>

#include "models/nic/steer.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

extern const struct steer_policy_ops steer_machash_ops;

static const struct steer_env env16 = {.n_rx_queues = 16, .n_tx_queues = 16, .n_cpus = 16};
static const struct steer_ctx noctx;

static void *mac_new(const char *cfg_text, GError **err)
{
    json_t *cfg = cfg_text ? json_loads(cfg_text, 0, NULL) : NULL;
    void *st = steer_machash_ops.init(cfg, "/nic/steering/mac", &env16, err);
    json_decref(cfg);
    return st;
}

static void test_steer_machash_documented_fold(void)
{
    void *dst = mac_new(NULL, NULL), *src = mac_new("{\"field\": \"src\"}", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dst);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4};
    /* dst 00:1b:21:3a:4f:07: 0x001b ^ 0x213a ^ 0x4f07 = 0x6e26 -> % 16 = 6 */
    const uint8_t d[6] = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x07};
    /* src 00:00:00:00:00:0b -> 11 */
    const uint8_t s[6] = {0, 0, 0, 0, 0, 0x0b};
    memcpy(p.dmac, d, 6);
    memcpy(p.smac, s, 6);
    CU_ASSERT_EQUAL(steer_machash_ops.select_rxq(dst, &p, &noctx), 0x6e26 % 16);
    CU_ASSERT_EQUAL(steer_machash_ops.select_rxq(src, &p, &noctx), 11);
    /* non-IP frames are steered too: L2 decision */
    struct traffic_pkt arp = p;
    arp.l3 = PKT_L3_NONE;
    CU_ASSERT_EQUAL(steer_machash_ops.select_rxq(src, &arp, &noctx), 11);
    json_t *j = steer_machash_ops.dump(src);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "field")), "src");
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "packets")), 2);
    json_decref(j);
    steer_machash_ops.destroy(dst);
    steer_machash_ops.destroy(src);
}

static void test_steer_machash_bad_field(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(mac_new("{\"field\": \"vlan\"}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/mac/field") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(mac_new("{\"fields\": \"src\"}", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "fields") : NULL);
    g_clear_error(&err);
}

static CU_TestInfo cases[] = {
    {"test_steer_machash_documented_fold", test_steer_machash_documented_fold},
    {"test_steer_machash_bad_field", test_steer_machash_bad_field},
    CU_TEST_INFO_NULL,
};

CU_MAIN("steer_machash", cases)
