/* models/traffic/pkt_parse.c: header walk over crafted frames (VLAN, IPv6
 * extension headers, fragments, ARP, snaplen-truncated headers). */
#include <string.h>

#include "models/traffic/pkt_parse.h"
#include "sim/core/rng.h"
#include "tests/unit/cu_main.h"

struct frame {
    uint8_t b[256];
    uint32_t len;
};

static void put(struct frame *f, const void *p, uint32_t n)
{
    memcpy(f->b + f->len, p, n);
    f->len += n;
}

static void put16(struct frame *f, uint16_t v)
{
    uint8_t b[2] = {v >> 8, v & 0xff};
    put(f, b, 2);
}

static void eth(struct frame *f, uint16_t type)
{
    static const uint8_t macs[12] = {0x00, 0x1b, 0x21, 0x01, 0x02, 0x03,
                                     0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
    f->len = 0;
    put(f, macs, 12);
    put16(f, type);
}

/* IPv4 header, 20 bytes, 66.9.149.187 -> 161.142.100.80. */
static void ipv4(struct frame *f, uint8_t proto, uint16_t frag, uint16_t l4len)
{
    uint8_t h[20] = {0x45, 0, 0,  0, 0,   1,   0,   0,   64,  proto,
                     0,    0, 66, 9, 149, 187, 161, 142, 100, 80};
    uint16_t tot = 20 + l4len;
    h[2] = tot >> 8;
    h[3] = tot & 0xff;
    h[6] = frag >> 8;
    h[7] = frag & 0xff;
    put(f, h, 20);
}

static void tcp(struct frame *f, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags)
{
    uint8_t h[20] = {sport >> 8, sport & 0xff,
                     dport >> 8, dport & 0xff,
                     seq >> 24,  seq >> 16,
                     seq >> 8,   seq & 0xff,
                     0,          0,
                     0,          0,
                     0x50,       flags,
                     0xff,       0xff,
                     0,          0,
                     0,          0};
    put(f, h, 20);
}

static void udp(struct frame *f, uint16_t sport, uint16_t dport, uint16_t payload)
{
    put16(f, sport);
    put16(f, dport);
    put16(f, 8 + payload);
    put16(f, 0);
}

static void ipv6(struct frame *f, uint8_t nh, uint16_t plen)
{
    uint8_t h[40] = {0x60, 0, 0, 0, plen >> 8, plen & 0xff, nh, 64};
    h[8] = 0x20;
    h[9] = 0x01;
    h[23] = 1; /* 2001::1 */
    h[24] = 0x20;
    h[25] = 0x01;
    h[39] = 2; /* 2001::2 */
    put(f, h, 40);
}

static void test_pkt_parse_ipv4_tcp_fields(void)
{
    struct frame f;
    eth(&f, 0x0800);
    ipv4(&f, 6, 0x4000 /* DF only: not a fragment */, 20 + 100);
    tcp(&f, 2794, 1766, 0x01020304, PKT_TCP_SYN | PKT_TCP_ACK);
    uint8_t payload[100] = {0};
    put(&f, payload, 100);
    struct traffic_pkt p;
    const char *why = "x";
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, &why));
    CU_ASSERT_PTR_NULL(why);
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    CU_ASSERT_EQUAL(p.l4, 6);
    CU_ASSERT_EQUAL(p.ethertype, 0x0800);
    CU_ASSERT_EQUAL(p.sport, 2794);
    CU_ASSERT_EQUAL(p.dport, 1766);
    CU_ASSERT_TRUE(p.has_ports);
    CU_ASSERT_FALSE(p.frag);
    CU_ASSERT_EQUAL(p.tcp_seq, 0x01020304);
    CU_ASSERT_EQUAL(p.tcp_flags, PKT_TCP_SYN | PKT_TCP_ACK);
    CU_ASSERT_EQUAL(p.payload_len, 100);
    CU_ASSERT_EQUAL(p.wire_len, f.len);
    static const uint8_t src[4] = {66, 9, 149, 187}, dst[4] = {161, 142, 100, 80};
    CU_ASSERT_EQUAL(memcmp(p.saddr, src, 4), 0);
    CU_ASSERT_EQUAL(memcmp(p.daddr, dst, 4), 0);
    CU_ASSERT_EQUAL(p.dmac[0], 0x00);
    CU_ASSERT_EQUAL(p.dmac[1], 0x1b);
    CU_ASSERT_EQUAL(p.smac[5], 0xcc);
}

static void test_pkt_parse_padding_not_counted_as_payload(void)
{
    struct frame f;
    eth(&f, 0x0800);
    ipv4(&f, 17, 0, 8 + 2);
    udp(&f, 53, 5353, 2);
    uint8_t pad[20] = {0};
    put(&f, pad, 20); /* 2 payload bytes + Ethernet minimum-size padding */
    struct traffic_pkt p;
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, NULL));
    CU_ASSERT_EQUAL(p.payload_len, 2);
    CU_ASSERT_EQUAL(p.l4, 17);
    CU_ASSERT_EQUAL(p.sport, 53);
    CU_ASSERT_EQUAL(p.dport, 5353);
}

static void test_pkt_parse_two_vlan_tags(void)
{
    struct frame f;
    eth(&f, 0x88a8);
    put16(&f, 0x0064); /* outer S-tag VID 100 */
    put16(&f, 0x8100);
    put16(&f, 0x2005); /* inner C-tag PCP 1 VID 5 */
    put16(&f, 0x0800);
    ipv4(&f, 17, 0, 8);
    udp(&f, 1000, 2000, 0);
    struct traffic_pkt p;
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, NULL));
    CU_ASSERT_TRUE(p.has_vlan);
    CU_ASSERT_EQUAL(p.vlan_tci, 0x0064);
    CU_ASSERT_EQUAL(p.ethertype, 0x0800);
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    CU_ASSERT_EQUAL(p.sport, 1000);
    CU_ASSERT_EQUAL(p.dport, 2000);
}

static void test_pkt_parse_ipv4_fragments_have_no_ports(void)
{
    struct frame f;
    struct traffic_pkt p;
    /* First fragment (MF set, offset 0): the UDP header is there, but ixgbe
     * hashes every fragment as a 2-tuple, so ports are not reported. */
    eth(&f, 0x0800);
    ipv4(&f, 17, 0x2000, 8 + 100);
    udp(&f, 1000, 2000, 100);
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, NULL));
    CU_ASSERT_TRUE(p.frag);
    CU_ASSERT_FALSE(p.has_ports);
    CU_ASSERT_EQUAL(p.sport, 0);
    CU_ASSERT_EQUAL(p.l4, 17);
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    /* Later fragment: offset 185 (x8 bytes), no MF. */
    eth(&f, 0x0800);
    ipv4(&f, 17, 185, 100);
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, NULL));
    CU_ASSERT_TRUE(p.frag);
    CU_ASSERT_FALSE(p.has_ports);
}

static void test_pkt_parse_ipv6_skips_extension_headers(void)
{
    struct frame f;
    eth(&f, 0x86dd);
    ipv6(&f, 0 /* hop-by-hop */, 8 + 16 + 20);
    uint8_t hbh[8] = {60 /* next: dest opts */, 0, 1, 4, 0, 0, 0, 0};
    put(&f, hbh, 8);
    uint8_t dst[16] = {6 /* next: TCP */, 1 /* (1+1)*8 bytes */};
    put(&f, dst, 16);
    tcp(&f, 443, 50000, 7, PKT_TCP_ACK);
    struct traffic_pkt p;
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, NULL));
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV6);
    CU_ASSERT_EQUAL(p.l4, 6);
    CU_ASSERT_TRUE(p.ip6_ext);
    CU_ASSERT_TRUE(p.has_ports);
    CU_ASSERT_EQUAL(p.sport, 443);
    CU_ASSERT_EQUAL(p.dport, 50000);
    CU_ASSERT_EQUAL(p.payload_len, 0);
    CU_ASSERT_EQUAL(p.saddr[0], 0x20);
    CU_ASSERT_EQUAL(p.saddr[15], 1);
    CU_ASSERT_EQUAL(p.daddr[15], 2);
}

static void test_pkt_parse_ipv6_fragment_header_marks_frag(void)
{
    struct frame f;
    eth(&f, 0x86dd);
    ipv6(&f, 44, 8 + 8);
    uint8_t fh[8] = {17, 0, 0, 1 /* offset 0, M=1 */, 0, 0, 0, 9};
    put(&f, fh, 8);
    udp(&f, 1000, 2000, 0);
    struct traffic_pkt p;
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, f.len, &p, NULL));
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV6);
    CU_ASSERT_TRUE(p.frag);
    CU_ASSERT_FALSE(p.has_ports);
    CU_ASSERT_EQUAL(p.l4, 17);
}

static void test_pkt_parse_arp_is_not_ip(void)
{
    struct frame f;
    eth(&f, 0x0806);
    uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    put(&f, arp, 28);
    struct traffic_pkt p;
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, 60, &p, NULL));
    CU_ASSERT_EQUAL(p.l3, PKT_L3_NONE);
    CU_ASSERT_EQUAL(p.ethertype, 0x0806);
    CU_ASSERT_FALSE(p.has_ports);
    CU_ASSERT_EQUAL(p.wire_len, 60);
}

static void test_pkt_parse_truncated_headers_keep_what_is_present(void)
{
    struct frame f;
    eth(&f, 0x0800);
    ipv4(&f, 6, 0, 20 + 1400);
    tcp(&f, 2794, 1766, 1, PKT_TCP_ACK);
    struct traffic_pkt p;
    const char *why = NULL;
    /* Snaplen cut inside the TCP header after the ports. */
    CU_ASSERT_FALSE(traffic_pkt_parse(f.b, 14 + 20 + 6, 1474, &p, &why));
    CU_ASSERT_STRING_EQUAL(why, "truncated TCP header");
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    CU_ASSERT_TRUE(p.has_ports);
    CU_ASSERT_EQUAL(p.dport, 1766);
    CU_ASSERT_EQUAL(p.tcp_flags, 0);
    /* Cut inside the IPv4 header: no addresses, not hashable. */
    CU_ASSERT_FALSE(traffic_pkt_parse(f.b, 14 + 10, 1474, &p, &why));
    CU_ASSERT_STRING_EQUAL(why, "truncated IPv4 header");
    CU_ASSERT_EQUAL(p.l3, PKT_L3_NONE);
    CU_ASSERT_EQUAL(p.ethertype, 0x0800);
    /* Cut inside the Ethernet header. */
    CU_ASSERT_FALSE(traffic_pkt_parse(f.b, 10, 1474, &p, &why));
    CU_ASSERT_STRING_EQUAL(why, "truncated Ethernet header");
    /* Headers complete, payload cut: payload_len is still the wire value. */
    CU_ASSERT_TRUE(traffic_pkt_parse(f.b, f.len, 1474, &p, &why));
    CU_ASSERT_EQUAL(p.payload_len, 1400);
}

static void test_pkt_parse_linux_cooked_and_raw_ip(void)
{
    struct frame ip;
    ip.len = 0;
    ipv4(&ip, 17, 0, 8);
    udp(&ip, 1, 2, 0);
    uint8_t buf[128] = {0, 0, 0, 1, 0, 6, 0x52, 0x54, 0, 1, 2, 3, 0, 0, 0x08, 0x00};
    memcpy(buf + 16, ip.b, ip.len);
    struct traffic_pkt p;
    CU_ASSERT_TRUE(
        traffic_pkt_parse_link(TRAFFIC_LINK_SLL, buf, 16 + ip.len, 16 + ip.len, &p, NULL));
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    CU_ASSERT_EQUAL(p.dport, 2);
    CU_ASSERT_EQUAL(p.smac[0], 0);
    uint8_t sll2[128] = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6};
    memcpy(sll2 + 20, ip.b, ip.len);
    CU_ASSERT_TRUE(
        traffic_pkt_parse_link(TRAFFIC_LINK_SLL2, sll2, 20 + ip.len, 20 + ip.len, &p, NULL));
    CU_ASSERT_EQUAL(p.sport, 1);
    CU_ASSERT_TRUE(traffic_pkt_parse_link(TRAFFIC_LINK_RAW, ip.b, ip.len, ip.len, &p, NULL));
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    CU_ASSERT_EQUAL(p.ethertype, 0x0800);
}

/* Every snaplen cut of every crafted frame, and random bytes, on every
 * link type: no read past caplen (ASan), and a cut frame never claims
 * more than it could see. */
static void test_pkt_parse_any_cut_or_garbage_is_safe(void)
{
    struct frame frames[4];
    eth(&frames[0], 0x8100);
    put16(&frames[0], 5);
    put16(&frames[0], 0x0800);
    ipv4(&frames[0], 6, 0, 20);
    tcp(&frames[0], 1, 2, 3, PKT_TCP_FIN);
    eth(&frames[1], 0x86dd);
    ipv6(&frames[1], 0, 8 + 8);
    uint8_t hbh[8] = {17};
    put(&frames[1], hbh, 8);
    udp(&frames[1], 7, 8, 0);
    eth(&frames[2], 0x86dd);
    ipv6(&frames[2], 44, 8);
    uint8_t fh[8] = {6};
    put(&frames[2], fh, 8);
    eth(&frames[3], 0x0800);
    ipv4(&frames[3], 132, 0, 12);
    uint8_t sctp[12] = {0, 9, 0, 10};
    put(&frames[3], sctp, 12);
    struct traffic_pkt p;
    for (int i = 0; i < 4; i++) {
        for (uint32_t cut = 0; cut <= frames[i].len; cut++) {
            /* A heap copy of exactly `cut` bytes so ASan sees overreads. */
            uint8_t *b = g_memdup2(frames[i].b, cut ? cut : 1);
            const char *why = NULL;
            bool full = traffic_pkt_parse(b, cut, frames[i].len, &p, &why);
            CU_ASSERT(full == (why == NULL));
            if (cut < frames[i].len - (i == 2 ? 0 : 8))
                CU_ASSERT_FALSE(full && p.has_ports && i != 2);
            g_free(b);
        }
    }
    CU_ASSERT_EQUAL(p.l4, 132);
    CU_ASSERT_EQUAL(p.dport, 10);
    struct sim_rng r;
    sim_rng_init(&r, 1, "pkt_parse/garbage");
    for (int n = 0; n < 20000; n++) {
        uint32_t len = sim_rng_below(&r, 80);
        uint8_t *b = g_malloc(len ? len : 1);
        for (uint32_t k = 0; k < len; k++)
            b[k] = (uint8_t)sim_rng_u32(&r);
        if (len > 14 && n % 2) /* steer half of them into IPv4/IPv6 */
            b[12] = 0x08, b[13] = 0x00, b[14] = 0x45;
        traffic_pkt_parse_link((enum traffic_link)(n % 7), b, len, len, &p, NULL);
        CU_ASSERT(p.l3 == PKT_L3_NONE || p.l3 == PKT_L3_IPV4 || p.l3 == PKT_L3_IPV6);
        g_free(b);
    }
}

static CU_TestInfo cases[] = {
    {"any cut or garbage is safe", test_pkt_parse_any_cut_or_garbage_is_safe},
    {"ipv4 tcp fields", test_pkt_parse_ipv4_tcp_fields},
    {"padding not counted as payload", test_pkt_parse_padding_not_counted_as_payload},
    {"two vlan tags", test_pkt_parse_two_vlan_tags},
    {"ipv4 fragments have no ports", test_pkt_parse_ipv4_fragments_have_no_ports},
    {"ipv6 skips extension headers", test_pkt_parse_ipv6_skips_extension_headers},
    {"ipv6 fragment header marks frag", test_pkt_parse_ipv6_fragment_header_marks_frag},
    {"arp is not ip", test_pkt_parse_arp_is_not_ip},
    {"truncated headers keep what is present",
     test_pkt_parse_truncated_headers_keep_what_is_present},
    {"linux cooked and raw ip", test_pkt_parse_linux_cooked_and_raw_ip},
    CU_TEST_INFO_NULL,
};

CU_MAIN("pkt_parse", cases)
