/* models/traffic/pcap_src.c: real public captures (packet counts, IPv6,
 * ns timestamps) and broken files (truncated record, not a pcap). */
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <string.h>
#include <unistd.h>

#include "models/traffic/pcap_src.h"
#include "sim/core/err.h"
#include "tests/unit/cu_main.h"

struct counts {
    uint64_t packets, ipv4, ipv6, non_ip, first_ts, last_ts;
    bool monotonic;
    char cut[512]; /* traffic_pcap_truncation(), "" for a whole file */
};

static bool count_file(const char *path, struct counts *c, GError **err)
{
    memset(c, 0, sizeof(*c));
    c->monotonic = true;
    struct traffic_pcap *r = traffic_pcap_open(path, err);
    if (!r)
        return false;
    struct traffic_pkt p;
    int rc;
    while ((rc = traffic_pcap_next(r, &p, err)) == 1) {
        c->packets++;
        c->ipv4 += p.l3 == PKT_L3_IPV4;
        c->ipv6 += p.l3 == PKT_L3_IPV6;
        c->non_ip += p.l3 == PKT_L3_NONE;
        if (p.ts_ns < c->last_ts)
            c->monotonic = false;
        c->last_ts = p.ts_ns;
        CU_ASSERT_EQUAL(traffic_pcap_packet_no(r), c->packets);
    }
    c->first_ts = traffic_pcap_first_ts_ns(r);
    if (traffic_pcap_truncation(r))
        g_strlcpy(c->cut, traffic_pcap_truncation(r), sizeof c->cut);
    traffic_pcap_free(r);
    return rc == 0;
}

static void expect_count(const char *rel, uint64_t want, uint64_t want_first_ts)
{
    char *path = cu_shared_path(rel);
    if (!path)
        return;
    struct counts c;
    GError *err = NULL;
    CU_ASSERT_TRUE(count_file(path, &c, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(c.packets, want);
    /* Absolute timestamps in ns, as tcpdump -tt prints them. */
    CU_ASSERT_EQUAL(c.first_ts, want_first_ts);
    CU_ASSERT_TRUE(c.monotonic);
    g_clear_error(&err);
    g_free(path);
}

static void test_pcap_src_public_capture_counts(void)
{
    expect_count("traces/public/pcap/ndpi-gnutella.pcap", 3905, 22000ull);
    expect_count("traces/public/pcap/ndpi-teams.pcap", 1540, 1587041672419153000ull);
    expect_count("traces/public/pcap/tcpreplay-test.pcap", 179, 1278472579466743000ull);
}

static void test_pcap_src_gnutella_has_ipv6_and_ipv4(void)
{
    char *path = cu_shared_path("traces/public/pcap/ndpi-gnutella.pcap");
    if (!path)
        return;
    struct counts c;
    CU_ASSERT_TRUE(count_file(path, &c, NULL));
    CU_ASSERT(c.ipv6 > 0);
    CU_ASSERT(c.ipv4 > 0);
    CU_ASSERT_EQUAL(c.ipv4 + c.ipv6 + c.non_ip, c.packets);
    g_free(path);
}

/* A file holding `data` minus its last `cut` bytes. */
static char *write_temp(const gchar *data, gsize len)
{
    char *tmp = NULL;
    int fd = g_file_open_tmp("nicsteer-pcap-XXXXXX", &tmp, NULL);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    CU_ASSERT_FATAL(g_file_set_contents(tmp, data, (gssize)len, NULL));
    return tmp;
}

/* A capture cut inside a record reads as its whole records, then a clean end
 * (as tcpdump -r and Wireshark show it), with the cut named (#10). */
static void expect_truncated(const gchar *data, gsize len, uint64_t whole, const char *want_place)
{
    char *tmp = write_temp(data, len);
    struct counts c;
    GError *err = NULL;
    CU_ASSERT_TRUE(count_file(tmp, &c, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(c.packets, whole);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.cut, want_place));
    CU_ASSERT_PTR_NOT_NULL(strstr(c.cut, "truncated record"));
    CU_ASSERT_TRUE(g_str_has_prefix(c.cut, tmp));
    g_clear_error(&err);
    g_unlink(tmp);
    g_free(tmp);
}

static void test_pcap_src_truncated_last_record_names_packet(void)
{
    char *path = cu_shared_path("traces/public/pcap/tcpreplay-test.pcap");
    if (!path)
        return;
    gchar *data;
    gsize len;
    CU_ASSERT_FATAL(g_file_get_contents(path, &data, &len, NULL));
    expect_truncated(data, len - 10, 178, ": packet 179: "); /* cut in the frame bytes */
    /* Cut inside the last record header: find where record 179 starts. */
    gsize off = 24;
    for (int i = 1; i < 179; i++) {
        guint32 incl;
        memcpy(&incl, data + off + 8, 4);
        off += 16 + incl;
    }
    expect_truncated(data, off + 7, 178, ": packet 179: ");
    /* A whole file has no cut. */
    struct counts c;
    CU_ASSERT_TRUE(count_file(path, &c, NULL));
    CU_ASSERT_STRING_EQUAL(c.cut, "");
    g_free(data);
    g_free(path);
}

static void test_pcap_src_non_pcap_file_is_rejected(void)
{
    static const char text[] = "this is not a capture file, just text\n";
    char *tmp = write_temp(text, sizeof(text) - 1);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(traffic_pcap_open(tmp, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "not a pcap or pcapng file"));
    g_clear_error(&err);
    CU_ASSERT_PTR_NULL(traffic_pcap_open("/nonexistent/x.pcap", &err));
    CU_ASSERT_TRUE(g_error_matches(err, SIM_ERROR, SIM_ERROR_IO));
    g_clear_error(&err);
    g_unlink(tmp);
    g_free(tmp);
}

/* Write frames with pcap_dump at the given precision; read back as ns. */
static void test_pcap_src_nanosecond_and_microsecond_files_give_ns(void)
{
    static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
                                    1,    2,    3,    4,    5,    0x08, 0x06};
    int precs[2] = {PCAP_TSTAMP_PRECISION_MICRO, PCAP_TSTAMP_PRECISION_NANO};
    uint64_t want[2] = {1700000000ull * 1000000000ull + 123456000ull,
                        1700000000ull * 1000000000ull + 123456789ull};
    for (int i = 0; i < 2; i++) {
        char *tmp = write_temp("", 0);
        pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, precs[i]);
        pcap_dumper_t *d = pcap_dump_open(dead, tmp);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        struct pcap_pkthdr h = {.caplen = 42, .len = 60};
        h.ts.tv_sec = 1700000000;
        h.ts.tv_usec = i == 0 ? 123456 : 123456789;
        pcap_dump((u_char *)d, &h, arp);
        pcap_dump_close(d);
        pcap_close(dead);
        struct traffic_pcap *r = traffic_pcap_open(tmp, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        struct traffic_pkt p;
        CU_ASSERT_EQUAL(traffic_pcap_next(r, &p, NULL), 1);
        CU_ASSERT_EQUAL(p.ts_ns, want[i]);
        CU_ASSERT_EQUAL(p.wire_len, 60);
        CU_ASSERT_EQUAL(traffic_pcap_caplen(r), 42);
        CU_ASSERT_EQUAL(p.l3, PKT_L3_NONE);
        CU_ASSERT_EQUAL(traffic_pcap_next(r, &p, NULL), 0);
        traffic_pcap_free(r);
        g_unlink(tmp);
        g_free(tmp);
    }
}

/* A record claiming more captured bytes than the frame had (caplen > len) is
 * damage, reported with its packet number, never a frame shorter than its
 * bytes (found by fuzz_pcap_src: caplen 76, len 0). */
static void test_pcap_src_caplen_above_frame_length_is_damaged_record(void)
{
    static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
                                    1,    2,    3,    4,    5,    0x08, 0x06};
    char *tmp = write_temp("", 0);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, tmp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct pcap_pkthdr h = {.caplen = 42, .len = 60};
    pcap_dump((u_char *)d, &h, arp);
    h.len = 20;
    pcap_dump((u_char *)d, &h, arp);
    pcap_dump_close(d);
    pcap_close(dead);
    struct traffic_pcap *r = traffic_pcap_open(tmp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct traffic_pkt p;
    GError *err = NULL;
    CU_ASSERT_EQUAL(traffic_pcap_next(r, &p, &err), 1);
    CU_ASSERT_EQUAL(traffic_pcap_next(r, &p, &err), -1);
    CU_ASSERT(err && strstr(err->message, ": packet 2: damaged record: captured length 42 "
                                          "exceeds the frame length 20"));
    CU_ASSERT_EQUAL(traffic_pcap_packet_no(r), 1);
    g_clear_error(&err);
    traffic_pcap_free(r);
    g_unlink(tmp);
    g_free(tmp);
}

/* Linux cooked capture (tcpdump -i any): the link type picks the parser. */
static void test_pcap_src_linux_cooked_capture_is_parsed(void)
{
    static const uint8_t sll[16 + 28] = {
        0,    0,    0, 1,  0, 6, 0x52, 0x54, 0,  1,  2, 3, 0,  0, 0x08, 0x00,              /* SLL */
        0x45, 0,    0, 28, 0, 1, 0,    0,    64, 17, 0, 0, 10, 0, 0,    1,    10, 0, 0, 2, /* IP */
        0x04, 0x00, 0, 53, 0, 8, 0,    0}; /* UDP 1024 -> 53 */
    char *tmp = write_temp("", 0);
    pcap_t *dead = pcap_open_dead(DLT_LINUX_SLL, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, tmp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    struct pcap_pkthdr h = {.caplen = sizeof(sll), .len = sizeof(sll)};
    pcap_dump((u_char *)d, &h, sll);
    pcap_dump_close(d);
    pcap_close(dead);
    struct traffic_pcap *r = traffic_pcap_open(tmp, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(traffic_pcap_datalink(r), DLT_LINUX_SLL);
    struct traffic_pkt p;
    CU_ASSERT_EQUAL(traffic_pcap_next(r, &p, NULL), 1);
    CU_ASSERT_EQUAL(p.l3, PKT_L3_IPV4);
    CU_ASSERT_EQUAL(p.l4, 17);
    CU_ASSERT_EQUAL(p.sport, 1024);
    CU_ASSERT_EQUAL(p.dport, 53);
    CU_ASSERT_PTR_NULL(traffic_pcap_why(r));
    traffic_pcap_free(r);
    g_unlink(tmp);
    g_free(tmp);
}

/* A link type we cannot parse is refused at open, naming it. */
static void test_pcap_src_unsupported_link_type_is_rejected(void)
{
    char *tmp = write_temp("", 0);
    pcap_t *dead = pcap_open_dead(DLT_IEEE802_11, 65535);
    pcap_dumper_t *d = pcap_dump_open(dead, tmp);
    pcap_dump_close(d);
    pcap_close(dead);
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(traffic_pcap_open(tmp, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "unsupported link type 105"));
    g_error_free(err);
    g_unlink(tmp);
    g_free(tmp);
}

/* pcapng by hand (draft-ietf-opsawg-pcapng): SHB, IDB with if_tsresol = 9
 * (ns), then Enhanced Packet Blocks of an ARP frame. */
static void put32(GByteArray *b, uint32_t v)
{
    g_byte_array_append(b, (const guint8 *)&v, 4);
}

static void put_epb(GByteArray *b, uint64_t ts, const uint8_t *frame, uint32_t caplen, uint32_t len)
{
    uint32_t pad = (4 - caplen % 4) % 4;
    static const uint8_t zeros[4] = {0};
    put32(b, 6);
    put32(b, 32 + caplen + pad);
    put32(b, 0);
    put32(b, (uint32_t)(ts >> 32));
    put32(b, (uint32_t)ts);
    put32(b, caplen);
    put32(b, len);
    g_byte_array_append(b, frame, caplen);
    g_byte_array_append(b, zeros, pad);
    put32(b, 32 + caplen + pad);
}

static GByteArray *pcapng_two_packets(void)
{
    static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
                                    1,    2,    3,    4,    5,    0x08, 0x06};
    GByteArray *b = g_byte_array_new();
    put32(b, 0x0A0D0D0A); /* SHB */
    put32(b, 28);
    put32(b, 0x1A2B3C4D);
    put32(b, 1); /* version 1.0 */
    put32(b, 0xffffffff);
    put32(b, 0xffffffff); /* section length unknown */
    put32(b, 28);
    put32(b, 1); /* IDB */
    put32(b, 32);
    put32(b, DLT_EN10MB); /* linktype + reserved */
    put32(b, 65535);
    put32(b, 9 | 1 << 16); /* if_tsresol, length 1 */
    put32(b, 9);           /* 10^-9, padded */
    put32(b, 0);           /* opt_endofopt */
    put32(b, 32);
    put_epb(b, 1700000000123456789ull, arp, 42, 60);
    put_epb(b, 1700000000123456999ull, arp, 42, 60);
    return b;
}

static void test_pcap_src_pcapng_with_ns_resolution(void)
{
    GByteArray *b = pcapng_two_packets();
    char *tmp = write_temp((const gchar *)b->data, b->len);
    struct counts c;
    GError *err = NULL;
    CU_ASSERT_TRUE(count_file(tmp, &c, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(c.packets, 2);
    CU_ASSERT_EQUAL(c.non_ip, 2);
    CU_ASSERT_EQUAL(c.first_ts, 1700000000123456789ull);
    CU_ASSERT_EQUAL(c.last_ts, 1700000000123456999ull);
    g_clear_error(&err);
    g_unlink(tmp);
    g_free(tmp);
    /* The same file cut inside the second block. */
    tmp = write_temp((const gchar *)b->data, b->len - 30);
    CU_ASSERT_TRUE(count_file(tmp, &c, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.cut, ": packet 2: truncated record"));
    CU_ASSERT_EQUAL(c.packets, 1);
    g_clear_error(&err);
    g_unlink(tmp);
    g_free(tmp);
    g_byte_array_free(b, TRUE);
}

static CU_TestInfo cases[] = {
    {"pcapng with ns resolution", test_pcap_src_pcapng_with_ns_resolution},
    {"linux cooked capture is parsed", test_pcap_src_linux_cooked_capture_is_parsed},
    {"unsupported link type is rejected", test_pcap_src_unsupported_link_type_is_rejected},
    {"public capture counts", test_pcap_src_public_capture_counts},
    {"gnutella has ipv6 and ipv4", test_pcap_src_gnutella_has_ipv6_and_ipv4},
    {"truncated last record names packet", test_pcap_src_truncated_last_record_names_packet},
    {"non pcap file is rejected", test_pcap_src_non_pcap_file_is_rejected},
    {"ns and us files give ns", test_pcap_src_nanosecond_and_microsecond_files_give_ns},
    {"caplen above frame length is damaged record",
     test_pcap_src_caplen_above_frame_length_is_damaged_record},
    CU_TEST_INFO_NULL,
};

CU_MAIN("pcap_src", cases)
