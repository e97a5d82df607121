/* libFuzzer target: capture files (models/traffic/pcap_src.c over libpcap,
 * pcap and pcapng, every supported link type). The input is written to a
 * scratch file and read to its end: each record is a packet, the end or an
 * error naming the packet; never a crash. */
#include <glib/gstdio.h>
#include <stdio.h>

#include "models/traffic/pcap_src.h"
#include "tests/fuzz/fuzz.h"

static char *scratch_file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    scratch_file = g_build_filename(fuzz_scratch_dir("pcap"), "in.pcap", NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_CHECK(fuzz_write_file(scratch_file, data, size));
    GError *err = NULL;
    struct traffic_pcap *r = traffic_pcap_open(scratch_file, &err);
    FUZZ_CHECK((r == NULL) == (err != NULL));
    if (r) {
        struct traffic_pkt p;
        int rc;
        uint64_t n = 0;
        while ((rc = traffic_pcap_next(r, &p, &err)) == 1) {
            n++;
            FUZZ_CHECK(traffic_pcap_packet_no(r) == n);
            FUZZ_CHECK(traffic_pcap_caplen(r) <= p.wire_len);
            FUZZ_CHECK(p.flow == 0);
        }
        FUZZ_CHECK(rc == 0 ? err == NULL : (rc == -1 && err != NULL));
        traffic_pcap_datalink(r);
        traffic_pcap_first_ts_ns(r);
    }
    g_clear_error(&err);
    traffic_pcap_free(r);
    return 0;
}
