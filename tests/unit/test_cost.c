/* models/kernel/cost.c: documented defaults (~1 µs of softirq per 64-byte
 * packet) and scenario overrides with JSON-pointer errors. */
#include <string.h>

#include "models/kernel/cost.h"
#include "tests/unit/cu_main.h"

static void test_cost_defaults_put_a_small_packet_near_1us(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    unsigned per_pkt = c.drv_rx_pkt + c.gro_pkt + c.stack_skb + c.sock_enqueue;
    CU_ASSERT(per_pkt >= 800 && per_pkt <= 1100);
}

static void test_cost_overrides_and_rejects_unknown_or_negative(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    json_t *j = json_pack("{s:i, s:i}", "stack_skb", 900, "copy_ps_per_byte", 50);
    CU_ASSERT_TRUE(kern_cost_load(&c, j, "/costs", NULL));
    CU_ASSERT_EQUAL(c.stack_skb, 900);
    CU_ASSERT_EQUAL(c.copy_ps_per_byte, 50);
    json_decref(j);
    GError *err = NULL;
    j = json_pack("{s:i}", "stack", 1);
    CU_ASSERT_FALSE(kern_cost_load(&c, j, "/costs", &err));
    CU_ASSERT_STRING_EQUAL(err->message, "/costs/stack: unknown cost");
    g_clear_error(&err);
    json_decref(j);
    j = json_pack("{s:i}", "wakeup", -3);
    CU_ASSERT_FALSE(kern_cost_load(&c, j, "/costs", &err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/costs/wakeup: expected integer >= 0"));
    g_clear_error(&err);
    json_decref(j);
}

/* A calibration's jitter: 41 equal-count bin means, a uniform u picks bin floor(41 u), so the
 * sampled mean is the bins' mean (an outlier bin adds its own weight, no more); wrong shapes are
 * named. */
static void test_cost_jitter_bins_load_and_keep_the_mean(void)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    CU_ASSERT_EQUAL(kern_cost_jitter(&c, 0.5), 0);
    json_t *q = json_array();
    for (int i = 0; i < KERN_COST_JITTER_Q; i++)
        json_array_append_new(q, json_integer(100 * i - 2000));
    json_t *j = json_pack("{s:o, s:{s:s}, s:s}", "net_rx_jitter_ns", q, "calibration", "by", "x",
                          "nicsteer_version", "0");
    CU_ASSERT_TRUE_FATAL(kern_cost_load(&c, j, "/costs", NULL));
    json_decref(j);
    CU_ASSERT_EQUAL(kern_cost_jitter(&c, 0.0), -2000);
    CU_ASSERT_EQUAL(kern_cost_jitter(&c, 0.5), 0);        /* bin 20 of 41 */
    CU_ASSERT_EQUAL(kern_cost_jitter(&c, 0.5125), 100);   /* bin 21: no interpolation */
    CU_ASSERT_EQUAL(kern_cost_jitter(&c, 0.99999), 2000); /* the last bin, not beyond */
    c.net_rx_jitter_ns[KERN_COST_JITTER_Q - 1] = 600000;  /* one bin of 600 µs outliers */
    double sum = 0;
    for (int k = 0; k < 41000; k++)
        sum += (double)kern_cost_jitter(&c, (k + 0.5) / 41000.0);
    /* the bins' mean: (sum of 100 i - 2000 over i < 40 = -2000, + 600000) / 41 */
    CU_ASSERT_DOUBLE_EQUAL(sum / 41000.0, (-2000.0 + 600000.0) / 41.0, 1.0);
    GError *err = NULL;
    j = json_pack("{s:[i,i]}", "net_rx_jitter_ns", 1, 2);
    CU_ASSERT_FALSE(kern_cost_load(&c, j, "/costs", &err));
    CU_ASSERT_STRING_EQUAL(err->message,
                           "/costs/net_rx_jitter_ns: expected an array of 41 bin means (ns)");
    g_clear_error(&err);
    json_decref(j);
    q = json_array();
    for (int i = 0; i < KERN_COST_JITTER_Q; i++)
        json_array_append_new(q, json_integer(i == 7 ? -1 : i));
    j = json_pack("{s:o}", "net_rx_jitter_ns", q);
    CU_ASSERT_FALSE(kern_cost_load(&c, j, "/costs", &err));
    CU_ASSERT_STRING_EQUAL(
        err->message, "/costs/net_rx_jitter_ns/7: expected an integer (ns) >= the previous one");
    g_clear_error(&err);
    json_decref(j);
}

static CU_TestInfo cases[] = {
    {"test_cost_jitter_bins_load_and_keep_the_mean", test_cost_jitter_bins_load_and_keep_the_mean},
    {"test_cost_defaults_put_a_small_packet_near_1us",
     test_cost_defaults_put_a_small_packet_near_1us},
    {"test_cost_overrides_and_rejects_unknown_or_negative",
     test_cost_overrides_and_rejects_unknown_or_negative},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cost", cases)
