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

static CU_TestInfo cases[] = {
    {"test_cost_defaults_put_a_small_packet_near_1us",
     test_cost_defaults_put_a_small_packet_near_1us},
    {"test_cost_overrides_and_rejects_unknown_or_negative",
     test_cost_overrides_and_rejects_unknown_or_negative},
    CU_TEST_INFO_NULL,
};

CU_MAIN("cost", cases)
