/* libFuzzer target: raw frame bytes through the RX header walk
 * (models/traffic/pkt_parse.c). Byte 0 picks the link type, byte 1 how much
 * longer than the capture the frame was on the wire; the rest is the frame.
 * Every frame parses into a packet whose fields agree with each other. */
#include <stdio.h>

#include "models/traffic/pkt_parse.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > 65536)
        return 0;
    enum traffic_link link = (enum traffic_link)(data[0] % (TRAFFIC_LINK_NULL + 1));
    uint32_t caplen = (uint32_t)(size - 2);
    uint32_t wire_len = caplen + data[1];
    /* a heap copy of exactly caplen bytes, so ASan sees any read past the capture */
    uint8_t *frame = g_memdup2(data + 2, caplen);
    struct traffic_pkt p;
    memset(&p, 0xa5, sizeof(p));
    const char *why = NULL;
    bool complete = data[0] < 0x80 ? traffic_pkt_parse_link(link, frame, caplen, wire_len, &p, &why)
                                   : traffic_pkt_parse(frame, caplen, wire_len, &p, &why);
    FUZZ_CHECK(complete || why);
    FUZZ_CHECK(p.wire_len == wire_len && p.ts_ns == 0 && p.flow == 0);
    FUZZ_CHECK(p.l3 == PKT_L3_NONE || p.l3 == PKT_L3_IPV4 || p.l3 == PKT_L3_IPV6);
    FUZZ_CHECK(!p.has_ports || (!p.frag && p.l3 != PKT_L3_NONE));
    FUZZ_CHECK(p.has_ports || (p.sport == 0 && p.dport == 0));
    FUZZ_CHECK(p.l3 != PKT_L3_NONE || (p.l4 == 0 && !p.frag));
    g_free(frame);
    return 0;
}
