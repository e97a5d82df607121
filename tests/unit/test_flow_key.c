/* models/traffic/flow_key.c: one key per 5-tuple, whatever else differs between packets. */
#include "models/traffic/flow_key.h"
#include "tests/unit/cu_main.h"

static struct traffic_pkt udp4(uint16_t sport, uint16_t dport)
{
    struct traffic_pkt p = {.l3 = PKT_L3_IPV4, .l4 = 17, .has_ports = 1};
    p.sport = sport;
    p.dport = dport;
    memcpy(p.saddr, (uint8_t[]){10, 0, 0, 1}, 4);
    memcpy(p.daddr, (uint8_t[]){10, 0, 0, 2}, 4);
    return p;
}

static void test_flow_key_same_5tuple_same_key(void)
{
    struct traffic_pkt a = udp4(1000, 9000), b = udp4(1000, 9000);
    b.ts_ns = 5;
    b.wire_len = 1500;
    b.payload_len = 1458;
    b.flow = 7;
    struct traffic_flow_key ka = traffic_flow_key_of(&a), kb = traffic_flow_key_of(&b);
    CU_ASSERT_TRUE(traffic_flow_key_equal(&ka, &kb));
    CU_ASSERT_EQUAL(traffic_flow_key_hash(&ka), traffic_flow_key_hash(&kb));
}

static void test_flow_key_port_or_address_change_is_another_flow(void)
{
    struct traffic_pkt a = udp4(1000, 9000), b = udp4(1000, 9001), c = udp4(1000, 9000);
    c.daddr[3] = 3;
    struct traffic_flow_key ka = traffic_flow_key_of(&a), kb = traffic_flow_key_of(&b);
    struct traffic_flow_key kc = traffic_flow_key_of(&c);
    CU_ASSERT_FALSE(traffic_flow_key_equal(&ka, &kb));
    CU_ASSERT_FALSE(traffic_flow_key_equal(&ka, &kc));
    CU_ASSERT_NOT_EQUAL(traffic_flow_key_hash(&ka), traffic_flow_key_hash(&kb));
}

/* A fragment has no ports (flow dissector stops at L3): its key ignores stale port fields. */
static void test_flow_key_without_ports_keys_on_addresses(void)
{
    struct traffic_pkt a = udp4(1000, 9000), b = udp4(2000, 80);
    a.has_ports = b.has_ports = 0;
    a.frag = b.frag = 1;
    struct traffic_flow_key ka = traffic_flow_key_of(&a), kb = traffic_flow_key_of(&b);
    CU_ASSERT_EQUAL(ka.sport, 0);
    CU_ASSERT_EQUAL(ka.dport, 0);
    CU_ASSERT_TRUE(traffic_flow_key_equal(&ka, &kb));
}

static CU_TestInfo cases[] = {
    {"test_flow_key_same_5tuple_same_key", test_flow_key_same_5tuple_same_key},
    {"test_flow_key_port_or_address_change_is_another_flow",
     test_flow_key_port_or_address_change_is_another_flow},
    {"test_flow_key_without_ports_keys_on_addresses",
     test_flow_key_without_ports_keys_on_addresses},
    CU_TEST_INFO_NULL,
};

CU_MAIN("flow_key", cases)
