/* Capture-file reader over libpcap (pcap_open_offline reads pcap and pcapng),
 * feeding the frame parser; the source of replayed traffic (tcpreplay-like). */
#include "models/traffic/pcap_src.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "models/traffic/pkt_parse.h"
#include "sim/core/err.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

struct traffic_pcap {
    pcap_t *pc;
    char *path;
    enum traffic_link link;
    int dlt;
    off_t size;        /* file size at open: a clean EOF has read all of it */
    off_t rec_start;   /* file offset where the next record starts */
    uint64_t n;        /* packets returned */
    char *cut;         /* why the file ended inside a record, NULL when whole */
    uint64_t first_ts; /* ns */
    uint32_t caplen;
    const char *why;
};

static bool link_of_dlt(int dlt, enum traffic_link *link)
{
    switch (dlt) {
    case DLT_EN10MB:
        *link = TRAFFIC_LINK_ETHERNET;
        return true;
    case DLT_LINUX_SLL:
        *link = TRAFFIC_LINK_SLL;
        return true;
    case DLT_LINUX_SLL2:
        *link = TRAFFIC_LINK_SLL2;
        return true;
    case DLT_RAW:
    case 101: /* LINKTYPE_RAW, should libpcap not map it */
        *link = TRAFFIC_LINK_RAW;
        return true;
    case DLT_IPV4:
        *link = TRAFFIC_LINK_IPV4;
        return true;
    case DLT_IPV6:
        *link = TRAFFIC_LINK_IPV6;
        return true;
    case DLT_NULL:
        *link = TRAFFIC_LINK_NULL;
        return true;
    default:
        return false;
    }
}

struct traffic_pcap *traffic_pcap_open(const char *path, GError **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open (%s)", path, g_strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: cannot open (not a regular file)", path);
        fclose(f);
        return NULL;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    /* On success libpcap owns `f`; on failure it is still ours. */
    pcap_t *pc = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!pc) {
        fclose(f);
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: not a pcap or pcapng file (%s)", path,
                    ebuf);
        return NULL;
    }
    struct traffic_pcap *r = g_new0(struct traffic_pcap, 1);
    r->pc = pc;
    r->path = g_strdup(path);
    r->dlt = pcap_datalink(pc);
    r->size = st.st_size;
    r->rec_start = ftello(f);
    if (!link_of_dlt(r->dlt, &r->link)) {
        const char *name = pcap_datalink_val_to_name(r->dlt);
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: unsupported link type %d (%s)", path,
                    r->dlt, name ? name : "unknown");
        traffic_pcap_free(r);
        return NULL;
    }
    return r;
}

void traffic_pcap_free(struct traffic_pcap *r)
{
    if (!r)
        return;
    if (r->pc)
        pcap_close(r->pc);
    g_free(r->path);
    g_free(r->cut);
    g_free(r);
}

/* A capture cut off mid-record (tcpdump or the capture script killed): keep
 * what was read, as tcpdump -r and Wireshark do, and remember where it ends. */
static int cut_here(struct traffic_pcap *r)
{
    if (!r->cut)
        r->cut = g_strdup_printf("%s: packet %" G_GUINT64_FORMAT
                                 ": truncated record (the file ends %lld bytes into it): "
                                 "read the %" G_GUINT64_FORMAT " whole packets before it",
                                 r->path, r->n + 1, (long long)(r->size - r->rec_start), r->n);
    return 0;
}

int traffic_pcap_next(struct traffic_pcap *r, struct traffic_pkt *out, GError **err)
{
    if (r->cut)
        return 0;
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(r->pc, &h, &data);
    /* libpcap may treat a record cut inside its header as a clean end of file:
     * the offset of the last whole record tells whether the file was consumed. */
    if (rc == PCAP_ERROR_BREAK)
        return r->rec_start >= 0 && r->rec_start < r->size ? cut_here(r) : 0;
    if (rc != 1) {
        const char *msg = pcap_geterr(r->pc);
        if (strstr(msg, "truncated"))
            return cut_here(r);
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: packet %" G_GUINT64_FORMAT ": unreadable record (%s)", r->path, r->n + 1,
                    msg);
        return -1;
    }
    if (h->caplen > h->len) { /* libpcap never writes more bytes than the frame had */
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: packet %" G_GUINT64_FORMAT ": damaged record: captured length %u "
                    "exceeds the frame length %u, expected caplen <= len",
                    r->path, r->n + 1, h->caplen, h->len);
        return -1;
    }
    r->n++;
    r->rec_start = r->rec_start >= 0 ? ftello(pcap_file(r->pc)) : -1;
    r->caplen = h->caplen;
    traffic_pkt_parse_link(r->link, data, h->caplen, h->len, out, &r->why);
    /* With PCAP_TSTAMP_PRECISION_NANO, tv_usec holds nanoseconds. */
    out->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
    if (r->n == 1)
        r->first_ts = out->ts_ns;
    return 1;
}

const char *traffic_pcap_truncation(const struct traffic_pcap *r)
{
    return r->cut;
}

uint64_t traffic_pcap_packet_no(const struct traffic_pcap *r)
{
    return r->n;
}

uint64_t traffic_pcap_first_ts_ns(const struct traffic_pcap *r)
{
    return r->first_ts;
}

const char *traffic_pcap_why(const struct traffic_pcap *r)
{
    return r->why;
}

uint32_t traffic_pcap_caplen(const struct traffic_pcap *r)
{
    return r->caplen;
}

int traffic_pcap_datalink(const struct traffic_pcap *r)
{
    return r->dlt;
}
