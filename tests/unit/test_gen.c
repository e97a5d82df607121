/* models/traffic/gen.c: arrival rates, line-rate math, merge order,
 * determinism, TCP sequence numbers, JSON errors, capture replay. */
#include <math.h>
#include <string.h>

#include "models/traffic/gen.h"
#include "tests/unit/cu_main.h"

static struct traffic_gen *gen_from(const char *text, uint64_t seed, GError **err)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    struct traffic_gen_env env = {.seed = seed};
    struct traffic_gen *g = traffic_gen_new(j, "/traffic", &env, err);
    json_decref(j);
    return g;
}

static uint64_t count_all(struct traffic_gen *g)
{
    struct traffic_pkt p;
    uint64_t n = 0;
    while (traffic_gen_next(g, &p))
        n++;
    return n;
}

static void test_gen_line_rate_math(void)
{
    CU_ASSERT_DOUBLE_EQUAL(traffic_line_rate_pps(10e9, 64), 14880952.38, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(traffic_line_rate_pps(1e9, 64), 1488095.24, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(traffic_line_rate_pps(10e9, 1518), 812743.82, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(traffic_line_rate_pps(100e9, 64), 148809523.8, 0.1);
    /* The generator at "10G" puts 64-byte frames 67.2 ns apart. */
    struct traffic_gen *g = gen_from("{\"duration_s\": 0.001, \"flows\": [{\"count\": 16, "
                                     "\"line\": \"10G\", \"frame_len\": 64}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint64_t n = 0, prev = 0;
    while (traffic_gen_next(g, &p)) {
        if (n > 0)
            CU_ASSERT(p.ts_ns - prev == 67 || p.ts_ns - prev == 68);
        prev = p.ts_ns;
        CU_ASSERT_EQUAL(p.wire_len, 60);
        n++;
    }
    CU_ASSERT(n >= 14880 && n <= 14882);
    traffic_gen_free(g);
}

static void test_gen_constant_rate_counts_over_one_second(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 1.0, \"flows\": [{\"count\": 4, "
                                     "\"rate_pps\": 1000}, {\"rate_pps\": 250, \"proto\": "
                                     "\"tcp\", \"family\": 6, \"frame_len\": 128}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(traffic_gen_n_flows(g), 5);
    uint64_t per_flow[6] = {0}, n = 0;
    struct traffic_pkt p;
    while (traffic_gen_next(g, &p)) {
        CU_ASSERT_FATAL(p.flow >= 1 && p.flow <= 5);
        CU_ASSERT(p.ts_ns < 1000000000ull);
        per_flow[p.flow]++;
        n++;
    }
    CU_ASSERT_EQUAL(n, 1250);
    for (int f = 1; f <= 4; f++)
        CU_ASSERT_EQUAL(per_flow[f], 250);
    CU_ASSERT_EQUAL(per_flow[5], 250);
    traffic_gen_free(g);
}

static void test_gen_poisson_rate_within_tolerance(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 1.0, \"flows\": [{\"count\": 64, "
                                     "\"rate_pps\": 100000, \"process\": \"poisson\"}]}",
                                     7, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    /* sd of a Poisson count of 1e5 is 316: 1.5% is > 4 sd. */
    uint64_t n = count_all(g);
    CU_ASSERT(n > 98500 && n < 101500);
    traffic_gen_free(g);
}

static void test_gen_onoff_bursts_and_silences(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 0.01, \"flows\": [{\"count\": 2, "
                                     "\"rate_pps\": 1000000, \"process\": \"onoff\", "
                                     "\"on_us\": 100, \"off_us\": 900}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint64_t n = 0;
    while (traffic_gen_next(g, &p)) {
        CU_ASSERT((p.ts_ns % 1000000) < 100000); /* only inside the 100 µs bursts */
        n++;
    }
    CU_ASSERT_EQUAL(n, 10 * 100); /* 1 Mpps for 100 µs, 10 periods */
    traffic_gen_free(g);
}

static void test_gen_merge_order_ties_to_lower_flow(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 0.001, \"flows\": [{\"rate_pps\": "
                                     "10000}, {\"rate_pps\": 10000, \"sport\": 7}, "
                                     "{\"rate_pps\": 20000, \"sport\": 9}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint64_t prev_t = 0;
    uint32_t prev_f = 0, n = 0;
    while (traffic_gen_next(g, &p)) {
        CU_ASSERT(p.ts_ns >= prev_t);
        if (n > 0 && p.ts_ns == prev_t)
            CU_ASSERT(p.flow > prev_f);
        prev_t = p.ts_ns;
        prev_f = p.flow;
        n++;
    }
    CU_ASSERT_EQUAL(n, 10 + 10 + 20);
    traffic_gen_free(g);
    /* At t=0 all three flows are due: 1, 2, 3 in that order. */
    g = gen_from("{\"duration_s\": 0.001, \"flows\": [{\"rate_pps\": 10000}, {\"rate_pps\": "
                 "10000}, {\"rate_pps\": 10000}]}",
                 1, NULL);
    for (uint32_t f = 1; f <= 3; f++) {
        CU_ASSERT_TRUE(traffic_gen_next(g, &p));
        CU_ASSERT_EQUAL(p.flow, f);
        CU_ASSERT_EQUAL(p.ts_ns, 0);
    }
    traffic_gen_free(g);
}

static void test_gen_same_seed_same_packets(void)
{
    const char *cfg = "{\"duration_s\": 0.01, \"flows\": [{\"count\": 8, \"rate_pps\": 50000, "
                      "\"process\": \"poisson\", \"frame_len\": [64, 512, 1518]}]}";
    struct traffic_gen *a = gen_from(cfg, 5, NULL), *b = gen_from(cfg, 5, NULL),
                       *c = gen_from(cfg, 6, NULL);
    struct traffic_pkt pa, pb, pc;
    int differ = 0;
    bool sizes[3] = {false};
    while (traffic_gen_next(a, &pa)) {
        CU_ASSERT_TRUE_FATAL(traffic_gen_next(b, &pb));
        CU_ASSERT_EQUAL(memcmp(&pa, &pb, sizeof(pa)), 0);
        if (traffic_gen_next(c, &pc))
            differ += pc.ts_ns != pa.ts_ns;
        sizes[pa.wire_len == 60 ? 0 : pa.wire_len == 508 ? 1 : 2] = true;
        CU_ASSERT(pa.wire_len == 60 || pa.wire_len == 508 || pa.wire_len == 1514);
    }
    CU_ASSERT_FALSE(traffic_gen_next(b, &pb));
    CU_ASSERT(differ > 100);
    CU_ASSERT(sizes[0] && sizes[1] && sizes[2]);
    traffic_gen_free(a);
    traffic_gen_free(b);
    traffic_gen_free(c);
}

static void test_gen_tcp_syn_then_increasing_seq(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 0.001, \"flows\": [{\"count\": 3, "
                                     "\"proto\": \"tcp\", \"rate_pps\": 30000, \"frame_len\": "
                                     "1518}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint32_t next_seq[4] = {0}, seen[4] = {0};
    while (traffic_gen_next(g, &p)) {
        CU_ASSERT_EQUAL(p.l4, 6);
        if (seen[p.flow]++ == 0) {
            CU_ASSERT_EQUAL(p.tcp_flags, PKT_TCP_SYN);
            CU_ASSERT_EQUAL(p.payload_len, 0);
            next_seq[p.flow] = p.tcp_seq + 1;
        } else {
            CU_ASSERT_EQUAL(p.tcp_flags, PKT_TCP_ACK);
            CU_ASSERT_EQUAL(p.tcp_seq, next_seq[p.flow]);
            CU_ASSERT_EQUAL(p.payload_len, 1514 - 14 - 20 - 20);
            next_seq[p.flow] = p.tcp_seq + p.payload_len;
        }
    }
    CU_ASSERT_EQUAL(seen[1], 10);
    CU_ASSERT_EQUAL(seen[3], 10);
    traffic_gen_free(g);
}

static void test_gen_count_varies_the_named_field(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 0.001, \"flows\": [{\"count\": 300, "
                                     "\"vary\": \"src\", \"src\": \"10.0.0.250\", \"rate_pps\": "
                                     "300000, \"smac\": \"00:1b:21:aa:bb:cc\", \"vlan\": 12}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    while (traffic_gen_next(g, &p)) {
        uint32_t a = (uint32_t)p.saddr[0] << 24 | p.saddr[1] << 16 | p.saddr[2] << 8 | p.saddr[3];
        CU_ASSERT_EQUAL(a, (10u << 24) + 250 + p.flow - 1); /* carries into the third byte */
        CU_ASSERT_EQUAL(p.sport, 1024);
        CU_ASSERT_EQUAL(p.smac[0], 0x00);
        CU_ASSERT_EQUAL(p.smac[5], 0xcc);
        CU_ASSERT_TRUE(p.has_vlan);
        CU_ASSERT_EQUAL(p.vlan_tci, 12);
        CU_ASSERT_EQUAL(p.payload_len, 60 - 14 - 4 - 20 - 8);
    }
    traffic_gen_free(g);
}

static void expect_error(const char *cfg, const char *want)
{
    GError *err = NULL;
    struct traffic_gen *g = gen_from(cfg, 1, &err);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    if (!strstr(err->message, want))
        fprintf(stderr, "\n  got '%s', want '%s'\n", err->message, want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, want));
    g_error_free(err);
    traffic_gen_free(g);
}

static void test_gen_json_errors_name_the_path(void)
{
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1}, {\"rate_pps\": 1}, "
                 "{\"rate_pps\": 0}]}",
                 "/traffic/flows/2/rate_pps: expected a number in (0, 1e+09], got 0");
    /* Bounded like /duration_ms: a huge duration or rate would run forever (#10). */
    expect_error("{\"duration_s\": 1e300, \"flows\": [{\"rate_pps\": 1}]}",
                 "/traffic/duration_s: expected a number in (0, 3600], got 1e+300");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1e300}]}",
                 "/traffic/flows/0/rate_pps: expected a number in (0, 1e+09]");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"sport\": \"http\"}]}",
                 "/traffic/flows/0/sport: expected integer in [0, 65535], got \"http\"");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"colour\": 3}]}",
                 "/traffic/flows/0: ");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"colour\": 3}]}", "colour");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"family\": 6, \"proto\": \"tcp\", "
                 "\"frame_len\": 64, \"rate_pps\": 1}]}",
                 "/traffic/flows/0/frame_len: 64 bytes cannot hold the 78 bytes");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"line\": \"10G\"}]}",
                 "/traffic/flows/0: expected exactly one of \"rate_pps\" and \"line\"");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"line\": \"fast\"}]}",
                 "/traffic/flows/0/line: expected");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"count\": 100, \"sport\": 65500, "
                 "\"rate_pps\": 1}]}",
                 "/traffic/flows/0/count: 100 flows from port 65500 pass port 65535");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"family\": 6, \"src\": \"10.0.0.1\", "
                 "\"rate_pps\": 1}]}",
                 "/traffic/flows/0/src: expected an IPv6 address");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"frame_len\": [64, 20], \"rate_pps\": 1}]}",
                 "/traffic/flows/0/frame_len/1: expected integer in [64, 9216]");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"process\": \"onoff\", \"rate_pps\": 1}]}",
                 "/traffic/flows/0/process: \"onoff\" needs");
    expect_error("{\"flows\": [{\"rate_pps\": 1}]}",
                 "/traffic/duration_s: expected number > 0 (required");
    expect_error("{\"duration_s\": 1, \"flows\": []}", "/traffic/flows: expected a non-empty");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"proto\": \"sctp\", \"rate_pps\": 1}]}",
                 "/traffic/flows/0/proto: expected one of \"udp\", \"tcp\"");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"vlan\": -1}]}",
                 "/traffic/flows/0/vlan: expected integer in [0, 4095]");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"on_us\": 5}]}",
                 "/traffic/flows/0/on_us: only with \"process\": \"onoff\"");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1, \"smac\": \"02:00\"}]}",
                 "/traffic/flows/0/smac: expected a MAC address");
    expect_error("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1}], \"pcap\": \"x\"}",
                 "/traffic: expected exactly one of \"flows\" and \"pcap\"");
    expect_error("{\"pcap\": \"/nonexistent.pcap\"}",
                 "/traffic/pcap: /nonexistent.pcap: cannot open");
}

static void test_gen_pcap_replay_own_timing_and_rescaled(void)
{
    char *path = cu_shared_path("traces/public/pcap/tcpreplay-test.pcap");
    if (!path)
        return;
    char *cfg = g_strdup_printf("{\"pcap\": \"%s\"}", path);
    struct traffic_gen *g = gen_from(cfg, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint64_t n = 0, prev = 0, last = 0;
    uint32_t max_flow = 0;
    while (traffic_gen_next(g, &p)) {
        if (n == 0) {
            CU_ASSERT_EQUAL(p.ts_ns, 0);
            CU_ASSERT_EQUAL(p.flow, 1);
        }
        CU_ASSERT(p.ts_ns >= prev);
        CU_ASSERT(p.flow <= max_flow + 1); /* numbered by first appearance */
        max_flow = MAX(max_flow, p.flow);
        prev = last = p.ts_ns;
        n++;
    }
    CU_ASSERT_EQUAL(n, 179);
    CU_ASSERT_EQUAL(max_flow, traffic_gen_n_flows(g));
    CU_ASSERT(last > 0);
    traffic_gen_free(g);
    g_free(cfg);
    /* Rescaled to 1000 pps: 179 packets span 178 ms. */
    cfg = g_strdup_printf("{\"pcap\": \"%s\", \"rate_pps\": 1000}", path);
    g = gen_from(cfg, 1, NULL);
    n = 0;
    uint64_t before_50ms = 0;
    while (traffic_gen_next(g, &p)) {
        last = p.ts_ns;
        before_50ms += p.ts_ns < 50000000ull;
        n++;
    }
    CU_ASSERT_EQUAL(n, 179);
    CU_ASSERT_EQUAL(last, 178000000ull);
    traffic_gen_free(g);
    g_free(cfg);
    /* And cut at 50 ms: the same packets as the first 50 ms above (the
     * rescaling keeps the capture's bursts, so not 50 of them). */
    cfg = g_strdup_printf("{\"pcap\": \"%s\", \"rate_pps\": 1000, \"duration_s\": 0.05}", path);
    g = gen_from(cfg, 1, NULL);
    n = count_all(g);
    CU_ASSERT_EQUAL(n, before_50ms);
    CU_ASSERT(n > 0 && n < 179);
    traffic_gen_free(g);
    g_free(cfg);
    g_free(path);
}

/* A rate so low that the second arrival lies beyond any duration. */
static void test_gen_tiny_rate_sends_once(void)
{
    struct traffic_gen *g = gen_from(
        "{\"duration_s\": 100, \"flows\": [{\"rate_pps\": 1e-15, \"count\": 2}]}", 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(count_all(g), 1); /* flow 2 starts 1e15 s later */
    traffic_gen_free(g);
    /* found by fuzz_traffic_gen: 1e9 / 1e-300 overflows to inf and 0 * inf made the first
     * arrival NaN; it is sent at the start like any other first packet */
    g = gen_from("{\"duration_s\": 1, \"flows\": [{\"rate_pps\": 1.001e-300, \"count\": 9}]}", 1,
                 NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(count_all(g), 1);
    traffic_gen_free(g);
}

static void test_gen_start_us_delays_the_group(void)
{
    struct traffic_gen *g = gen_from("{\"duration_s\": 0.001, \"flows\": [{\"rate_pps\": "
                                     "10000, \"start_us\": 450}]}",
                                     1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint64_t want = 450000; /* then every 100 µs until 1 ms */
    while (traffic_gen_next(g, &p)) {
        CU_ASSERT_EQUAL(p.ts_ns, want);
        want += 100000;
    }
    CU_ASSERT_EQUAL(want, 1050000);
    traffic_gen_free(g);
}

/* A relative "pcap" is found in the scenario's folder (env base_dir). */
static void test_gen_pcap_relative_to_base_dir(void)
{
    char *dir = cu_shared_path("traces/public/pcap");
    if (!dir)
        return;
    json_t *j = json_pack("{ss}", "pcap", "ndpi-teams.pcap");
    struct traffic_gen_env env = {.seed = 1, .base_dir = dir};
    GError *err = NULL;
    struct traffic_gen *g = traffic_gen_new(j, "/traffic", &env, &err);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(count_all(g), 1540);
    traffic_gen_free(g);
    env.base_dir = "/nonexistent";
    CU_ASSERT_PTR_NULL(traffic_gen_new(j, "/traffic", &env, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "/traffic/pcap: /nonexistent/ndpi-teams.pcap"));
    g_clear_error(&err);
    json_decref(j);
    g_free(dir);
}

/* A constant-rate group is emitted with its flows taking turns: in a group of
 * 5 flows the order is 1,2,3,4,5,1,2,... even when merged with a Poisson
 * group and a second constant group offset by start_us; every packet keeps
 * time order with ties to the lower flow id. */
static void test_gen_constant_group_flows_take_turns_in_the_merge(void)
{
    struct traffic_gen *g = gen_from(
        "{\"duration_s\": 0.001, \"flows\": [{\"count\": 5, \"rate_pps\": 5e6, \"proto\": \"tcp\"},"
        " {\"count\": 3, \"rate_pps\": 1e6, \"process\": \"poisson\"},"
        " {\"count\": 2, \"rate_pps\": 2e6, \"start_us\": 0.4, \"vary\": \"src\"}]}",
        3, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    struct traffic_pkt p;
    uint64_t prev_t = 0, per_flow[11] = {0};
    uint32_t prev_f = 0, last_g1 = 0, last_g3 = 0, n = 0;
    while (traffic_gen_next(g, &p)) {
        CU_ASSERT_FATAL(p.flow >= 1 && p.flow <= 10);
        CU_ASSERT(p.ts_ns >= prev_t);
        if (n > 0 && p.ts_ns == prev_t)
            CU_ASSERT(p.flow > prev_f);
        if (p.flow <= 5) { /* group 1 turns: the next flow, wrapping */
            CU_ASSERT_EQUAL(p.flow, last_g1 % 5 + 1);
            CU_ASSERT_EQUAL(p.sport, 1024 + p.flow - 1);
            CU_ASSERT_EQUAL(p.tcp_flags, per_flow[p.flow] == 0 ? PKT_TCP_SYN : PKT_TCP_ACK);
            last_g1 = p.flow;
        } else if (p.flow >= 9) {
            CU_ASSERT_EQUAL(p.flow, last_g3 ? 19 - last_g3 : 9);
            CU_ASSERT_EQUAL(p.saddr[3], 1 + p.flow - 9); /* 10.0.0.1 + j */
            last_g3 = p.flow;
        }
        per_flow[p.flow]++;
        prev_t = p.ts_ns;
        prev_f = p.flow;
        n++;
    }
    for (int f = 1; f <= 5; f++)
        CU_ASSERT_EQUAL(per_flow[f], 1000);
    for (int f = 9; f <= 10; f++)
        CU_ASSERT_EQUAL(per_flow[f], 1000); /* (1 ms - 0.4 us) * 1e6 each, first at 0.4 us */
    CU_ASSERT(per_flow[6] + per_flow[7] + per_flow[8] > 800);
    traffic_gen_free(g);
}

static CU_TestInfo cases[] = {
    {"start_us delays the group", test_gen_start_us_delays_the_group},
    {"pcap relative to base_dir", test_gen_pcap_relative_to_base_dir},
    {"tiny rate sends once", test_gen_tiny_rate_sends_once},
    {"line rate math", test_gen_line_rate_math},
    {"constant rate counts over one second", test_gen_constant_rate_counts_over_one_second},
    {"poisson rate within tolerance", test_gen_poisson_rate_within_tolerance},
    {"onoff bursts and silences", test_gen_onoff_bursts_and_silences},
    {"merge order ties to lower flow", test_gen_merge_order_ties_to_lower_flow},
    {"constant group flows take turns in the merge",
     test_gen_constant_group_flows_take_turns_in_the_merge},
    {"same seed same packets", test_gen_same_seed_same_packets},
    {"tcp syn then increasing seq", test_gen_tcp_syn_then_increasing_seq},
    {"count varies the named field", test_gen_count_varies_the_named_field},
    {"json errors name the path", test_gen_json_errors_name_the_path},
    {"pcap replay own timing and rescaled", test_gen_pcap_replay_own_timing_and_rescaled},
    CU_TEST_INFO_NULL,
};

CU_MAIN("gen", cases)
