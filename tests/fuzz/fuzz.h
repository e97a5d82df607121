/* Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c): input as a C
 * string, GLib warnings made fatal, and a few fixed frames to push through a
 * steering policy once its config parsed. */
#ifndef NICSTEER_TESTS_FUZZ_H
#define NICSTEER_TESTS_FUZZ_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/traffic/pkt.h"

/* A g_warning/g_critical (a GError set twice, a failed g_return_if_fail) is a
 * bug the fuzzer must report, not a line on stderr. */
static inline void fuzz_glib_fatal(void)
{
    g_log_set_always_fatal(G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* The input up to its first NUL as a new string (parsers take C strings). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    return g_strndup((const char *)data, size);
}

/* Overwrite a scratch file in place (g_file_set_contents would fsync and
 * rename on every run, 100x slower). */
static inline bool fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

/* The target's scratch directory, removed with its files at exit (libFuzzer
 * exits through exit() after -runs, -max_total_time and each -merge pass).
 * Under /dev/shm when TMPDIR is unset and it is writable: rewriting a file per
 * run on ext4 took fuzz_pcap_src from 48,000 to 7,000 executions a second. */
static char *fuzz_scratch;

static void fuzz_scratch_remove(void)
{
    GDir *d = g_dir_open(fuzz_scratch, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        char *p = g_build_filename(fuzz_scratch, n, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(fuzz_scratch);
}

/* Create the scratch directory ("nicsteer-fuzz-<what>-XXXXXX"); aborts on failure. */
static inline const char *fuzz_scratch_dir(const char *what)
{
    char *tmpl = g_strdup_printf("nicsteer-fuzz-%s-XXXXXX", what);
    if (!g_getenv("TMPDIR") && access("/dev/shm", W_OK) == 0) {
        fuzz_scratch = g_build_filename("/dev/shm", tmpl, NULL);
        if (!g_mkdtemp(fuzz_scratch))
            g_clear_pointer(&fuzz_scratch, g_free);
    }
    if (!fuzz_scratch)
        fuzz_scratch = g_dir_make_tmp(tmpl, NULL);
    g_free(tmpl);
    if (!fuzz_scratch || atexit(fuzz_scratch_remove) != 0)
        abort();
    return fuzz_scratch;
}

/* Abort with a message when a parser broke a promise of its header. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static inline struct traffic_pkt fuzz_pkt_ip(int l3, uint8_t l4, uint16_t sport, uint16_t dport,
                                             uint8_t flags)
{
    struct traffic_pkt p = {0};
    p.l3 = (uint8_t)l3;
    p.ethertype = l3 == PKT_L3_IPV6 ? 0x86dd : 0x0800;
    p.l4 = l4;
    p.has_ports = l4 == 6 || l4 == 17;
    p.sport = sport;
    p.dport = dport;
    p.tcp_flags = flags;
    p.wire_len = 64;
    static const uint8_t s4[4] = {192, 168, 1, 10}, d4[4] = {10, 0, 0, 1};
    static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    memcpy(p.saddr, l3 == PKT_L3_IPV6 ? s6 : s4, l3 == PKT_L3_IPV6 ? 16 : 4);
    memcpy(p.daddr, l3 == PKT_L3_IPV6 ? d6 : d4, l3 == PKT_L3_IPV6 ? 16 : 4);
    static const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 1}, dmac[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(p.smac, smac, 6);
    memcpy(p.dmac, dmac, 6);
    return p;
}

/* TCP SYN and data, UDP, an IPv6 TCP frame, a fragment, ARP (not hashed). */
static inline unsigned fuzz_pkts(struct traffic_pkt out[6])
{
    out[0] = fuzz_pkt_ip(PKT_L3_IPV4, 6, 40000, 80, PKT_TCP_SYN);
    out[1] = fuzz_pkt_ip(PKT_L3_IPV4, 6, 40001, 443, PKT_TCP_ACK | PKT_TCP_PSH);
    out[2] = fuzz_pkt_ip(PKT_L3_IPV4, 17, 5353, 53, 0);
    out[3] = fuzz_pkt_ip(PKT_L3_IPV6, 6, 50000, 22, PKT_TCP_ACK);
    out[4] = fuzz_pkt_ip(PKT_L3_IPV4, 17, 0, 0, 0);
    out[4].frag = 1;
    out[4].has_ports = 0;
    out[5] = fuzz_pkt_ip(PKT_L3_NONE, 0, 0, 0, 0);
    out[5].ethertype = 0x0806;
    return 6;
}

#endif
