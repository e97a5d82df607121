/* models/nic/rss_ctx.c: an ntuple rule with `context N` sends its flows to
 * action + RETA_N[hash] (ethtool -N ... context N, FLOW_RSS); other frames are
 * left to the default context; the profile decides whether contexts exist. */
#include <arpa/inet.h>
#include <string.h>

#include "models/nic/rss_ctx.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

static struct nic_rss_ctx *ctx_new(const char *model, const char *contexts, const char *rules,
                                   GError **err)
{
    json_t *c = contexts ? json_loads(contexts, 0, NULL) : NULL;
    json_t *r = rules ? json_loads(rules, 0, NULL) : NULL;
    const struct nic_profile *p = nic_profile_lookup(model, "test", NULL);
    struct nic_rss_ctx *x = nic_rss_ctx_new(c, r, p, 64, 16, "/nic/steering/rss", err);
    json_decref(c);
    json_decref(r);
    return x;
}

static struct traffic_pkt tcp4(const char *dst, uint16_t sport, uint16_t dport)
{
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4, .l4 = 6, .has_ports = 1};
    inet_pton(AF_INET, "10.0.0.1", p.saddr);
    inet_pton(AF_INET, dst, p.daddr);
    p.sport = sport;
    p.dport = dport;
    return p;
}

static void test_rss_ctx_rule_sends_flows_to_its_context(void)
{
    /* context 1 spreads over 4 queues from 8: `equal 4` + action 8 -> 8..11 */
    struct nic_rss_ctx *c = ctx_new("generic", "[{\"reta\": \"equal 4\"}]",
                                    "[{\"flow_type\": \"tcp4\", \"dst_port\": 80, "
                                    "\"context\": 1, \"action\": 8}]",
                                    NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(nic_rss_ctx_n_contexts(c), 1);
    unsigned seen[16] = {0};
    for (uint32_t h = 0; h < 64; h++) {
        struct traffic_pkt p = tcp4("10.0.1.1", (uint16_t)(1024 + h), 80);
        int q = nic_rss_ctx_select(c, &p, h);
        CU_ASSERT_EQUAL(q, 8 + (int)(h % 4));
        if (q >= 0 && q < 16)
            seen[q]++;
    }
    CU_ASSERT_EQUAL(seen[8] + seen[9] + seen[10] + seen[11], 64);
    struct traffic_pkt other = tcp4("10.0.1.1", 1024, 443);
    CU_ASSERT_EQUAL(nic_rss_ctx_select(c, &other, 5), -1);
    other.l4 = 17; /* udp4 does not match a tcp4 rule */
    other.dport = 80;
    CU_ASSERT_EQUAL(nic_rss_ctx_select(c, &other, 5), -1);
    json_t *d = nic_rss_ctx_dump(c);
    json_t *c0 = json_array_get(json_object_get(d, "contexts"), 0);
    CU_ASSERT_EQUAL(json_integer_value(json_object_get(c0, "packets")), 64);
    json_decref(d);
    nic_rss_ctx_free(c);
}

static void test_rss_ctx_address_match_and_first_rule_wins(void)
{
    struct nic_rss_ctx *c =
        ctx_new("generic", "[{\"reta\": \"equal 2\"}, {\"reta\": \"start 3 equal 1\"}]",
                "[{\"flow_type\": \"tcp4\", \"dst_ip\": \"10.0.2.2\", \"context\": 2},"
                " {\"flow_type\": \"tcp4\", \"context\": 1, \"action\": 4}]",
                NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    struct traffic_pkt a = tcp4("10.0.2.2", 1, 2), b = tcp4("10.0.1.1", 1, 2);
    CU_ASSERT_EQUAL(nic_rss_ctx_select(c, &a, 7), 3); /* context 2: every entry 3 */
    CU_ASSERT_EQUAL(nic_rss_ctx_select(c, &b, 7), 5); /* 4 + (7 % 2) */
    nic_rss_ctx_free(c);
}

static void test_rss_ctx_errors(void)
{
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(ctx_new("82599", "[{}]", NULL, &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/contexts: the 82599 "
                                                      "(ixgbe) has no additional RSS contexts")
                               : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(ctx_new("x710", "[{}]", NULL, &err)); /* i40e: no context API */
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(ctx_new("generic", "[{\"reta\": \"equal 4\"}]",
                               "[{\"flow_type\": \"tcp4\", \"context\": 1, \"action\": 13}]",
                               &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "/nic/steering/rss/rules/0/action: queue 13 "
                                                      "+ context 1's entries up to 3, expected < "
                                                      "16 RX queues")
                               : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(
        ctx_new("generic", "[{}]", "[{\"flow_type\": \"tcp4\", \"context\": 2}]", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "rules/0/context: 2, expected 1..1") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(
        ctx_new("generic", "[{}]", "[{\"flow_type\": \"sctp4\", \"context\": 1}]", &err));
    CU_ASSERT_PTR_NOT_NULL(err ? strstr(err->message, "rules/0/flow_type") : NULL);
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(ctx_new("generic", NULL, NULL, &err)); /* none: no error */
    CU_ASSERT_PTR_NULL(err);
}

static CU_TestInfo cases[] = {
    {"test_rss_ctx_rule_sends_flows_to_its_context", test_rss_ctx_rule_sends_flows_to_its_context},
    {"test_rss_ctx_address_match_and_first_rule_wins",
     test_rss_ctx_address_match_and_first_rule_wins},
    {"test_rss_ctx_errors", test_rss_ctx_errors},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rss_ctx", cases)
