/* udpblast: a bounded UDP workload fast enough to overflow a small per-CPU backlog
 * (net.core.netdev_max_backlog), for validate/record-backlog.sh.
 *
 *   udpblast tx --dst IP [--flows N] [--threads T] [--gso SEG] [--batch B] [--count C]
 *               [--ports BASE:N] [--sport BASE] [--payload BASE] [--duration S]
 *   udpblast rx [--ports BASE:N] [--threads T] [--duration S] [--stop FILE] [--out FILE]
 *               [--filter-insns N]
 *
 * tx: flow k (0..N-1) is a socket bound to sport BASE+k, connected to dst port
 * BASE+k%N, sending payload BASE+k bytes per datagram (so a pcap frame names its
 * flow by length); thread t sends flows t, t+T, ... Each sendmmsg() passes B
 * messages of SEG datagrams each as one UDP GSO buffer (UDP_SEGMENT,
 * udp_send_skb -> segmented in validate_xmit_skb on the sending CPU, so SEG
 * netif_rx() calls per message land in the RPS target's backlog back to back).
 * Each flow sends at most C datagrams; everything stops after --duration.
 * rx: one socket per port, threads take ports round-robin, recvmmsg() until the
 * deadline or until FILE exists; --out gets the capture bundle's
 * workload.rx_result JSON (threads with tids, sockets fd -> port). --filter-insns N attaches
 * an accept-all cBPF filter of N instructions to each socket (softirq cost per packet).
 * Pin threads with taskset(1): they inherit the process affinity. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* include/uapi/linux/udp.h */
#endif

#define MAX_FLOWS   256
#define MAX_THREADS 16
#define MAX_BATCH   64
#define MAX_SEG     64 /* UDP_MAX_SEGMENTS */

struct opts {
    const char *dst, *stop, *out;
    int filter_insns; /* rx: cBPF socket filter length, 0 none */
    int flows, threads, gso, batch, ports, port_base, sport, payload;
    long count;
    double duration;
};

struct worker {
    const struct opts *o;
    int idx, tid;
    long sent, pkts;
    int fds[MAX_FLOWS], nfds, fd_port[MAX_FLOWS];
    pthread_t th;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "udpblast: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int open_flow(const struct opts *o, int k)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
    if (fd < 0)
        die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(o->sport + k))};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("bind sender port");
    a.sin_port = htons((uint16_t)(o->port_base + k % o->ports));
    if (inet_pton(AF_INET, o->dst, &a.sin_addr) != 1) {
        fprintf(stderr, "udpblast: --dst %s: expected an IPv4 address\n", o->dst);
        exit(2);
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        die("connect");
    int seg = o->payload + k;
    if (o->gso > 1 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0)
        die("setsockopt UDP_SEGMENT");
    return fd;
}

/* One sendmmsg() of up to `batch` GSO buffers on flow socket fd; returns datagrams sent. */
static long send_burst(const struct opts *o, int fd, int k, long left, char *buf)
{
    struct mmsghdr m[MAX_BATCH];
    struct iovec iov[MAX_BATCH];
    int seg = o->payload + k, n = 0;
    long dgrams = 0;
    while (n < o->batch && dgrams < left) {
        long nseg = left - dgrams < o->gso ? left - dgrams : o->gso;
        iov[n] = (struct iovec){buf, (size_t)(seg * nseg)};
        m[n] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[n], .msg_iovlen = 1}};
        dgrams += nseg;
        n++;
    }
    int r = sendmmsg(fd, m, (unsigned)n, 0);
    if (r < 0)
        return errno == ENOBUFS || errno == EAGAIN ? 0 : -1;
    long done = 0;
    for (int i = 0; i < r; i++)
        done += (long)iov[i].iov_len / seg;
    return done;
}

static void *tx_thread(void *arg)
{
    struct worker *w = arg;
    const struct opts *o = w->o;
    w->tid = (int)gettid();
    int ks[MAX_FLOWS], fds[MAX_FLOWS], n = 0;
    long left[MAX_FLOWS];
    for (int k = w->idx; k < o->flows; k += o->threads, n++) {
        ks[n] = k;
        fds[n] = open_flow(o, k);
        left[n] = o->count;
    }
    static char buf[MAX_SEG * 1500];
    memset(buf, 'u', sizeof buf);
    double end = now_s() + o->duration;
    for (int active = n; active > 0 && now_s() < end;) {
        active = 0;
        for (int i = 0; i < n; i++) {
            if (left[i] <= 0)
                continue;
            long s = send_burst(o, fds[i], ks[i], left[i], buf);
            if (s < 0)
                die("sendmmsg");
            left[i] -= s;
            w->sent += s;
            active += left[i] > 0;
        }
    }
    for (int i = 0; i < n; i++)
        close(fds[i]);
    return NULL;
}

static void *rx_thread(void *arg)
{
    struct worker *w = arg;
    const struct opts *o = w->o;
    w->tid = (int)gettid();
    static __thread char bufs[32][2048];
    struct mmsghdr m[32];
    struct iovec iov[32];
    double end = now_s() + o->duration;
    struct stat st;
    while (now_s() < end && !(o->stop && stat(o->stop, &st) == 0)) {
        for (int i = 0; i < w->nfds; i++) {
            for (int j = 0; j < 32; j++) {
                iov[j] = (struct iovec){bufs[j], sizeof bufs[j]};
                m[j] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[j], .msg_iovlen = 1}};
            }
            struct timespec to = {0, 20 * 1000 * 1000};
            int r = recvmmsg(w->fds[i], m, 32, MSG_WAITFORONE, &to);
            if (r > 0)
                w->pkts += r;
        }
    }
    return NULL;
}

/* A socket filter of n instructions that accepts every packet: n - 1 ALU adds and "ret -1".
 * sk_filter() runs it in udp_queue_rcv_one_skb(), i.e. in the RPS target's NET_RX softirq,
 * so its length sets how long the target spends per packet: the knob that lets one sender CPU
 * outrun the target's backlog. */
static void attach_filter(int fd, int n)
{
    static struct sock_filter prog[BPF_MAXINSNS];
    for (int i = 0; i < n - 1; i++)
        prog[i] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1);
    prog[n - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffffu);
    struct sock_fprog fp = {.len = (unsigned short)n, .filter = prog};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) < 0)
        die("setsockopt SO_ATTACH_FILTER");
}

static void rx_open(const struct opts *o, struct worker *ws)
{
    for (int p = 0; p < o->ports; p++) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0)
            die("socket");
        /* a deep socket queue: the drops under study are the backlog's, not SOCKET_RCVBUFF */
        int rcvbuf = 8 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
        if (o->filter_insns)
            attach_filter(fd, o->filter_insns);
        struct timeval tv = {0, 20000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)(o->port_base + p))};
        if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
            die("bind receiver port");
        struct worker *w = &ws[p % o->threads];
        w->fd_port[w->nfds] = o->port_base + p;
        w->fds[w->nfds++] = fd;
    }
}

static void rx_result(const struct opts *o, struct worker *ws)
{
    FILE *f = o->out ? fopen(o->out, "w") : stdout;
    if (!f)
        die(o->out);
    fprintf(f, "{\"mode\": \"rx\", \"tool\": \"udpblast\", \"pid\": %d, \"threads\": [", getpid());
    for (int t = 0; t < o->threads; t++)
        fprintf(f, "%s{\"thread\": %d, \"tid\": %d, \"udp_pkts\": %ld}", t ? ", " : "", t,
                ws[t].tid, ws[t].pkts);
    fprintf(f, "], \"sockets\": {");
    const char *sep = "";
    for (int t = 0; t < o->threads; t++)
        for (int i = 0; i < ws[t].nfds; i++, sep = ", ")
            fprintf(f, "%s\"%d\": {\"kind\": \"udp\", \"port\": %d, \"thread\": %d}", sep,
                    ws[t].fds[i], ws[t].fd_port[i], t);
    fprintf(f, "}}\n");
    if (f != stdout)
        fclose(f);
}

static int num(const char *flag, const char *v, long lo, long hi)
{
    char *end;
    long x = strtol(v ? v : "", &end, 10);
    if (!v || *end || x < lo || x > hi) {
        fprintf(stderr, "udpblast: %s %s: expected an integer in %ld..%ld\n", flag, v ? v : "", lo,
                hi);
        exit(2);
    }
    return (int)x;
}

static void parse(int argc, char **argv, struct opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        i++;
        if (!strcmp(f, "--dst"))
            o->dst = v;
        else if (!strcmp(f, "--stop"))
            o->stop = v;
        else if (!strcmp(f, "--out"))
            o->out = v;
        else if (!strcmp(f, "--filter-insns"))
            o->filter_insns = num(f, v, 0, BPF_MAXINSNS);
        else if (!strcmp(f, "--flows"))
            o->flows = num(f, v, 1, MAX_FLOWS);
        else if (!strcmp(f, "--threads"))
            o->threads = num(f, v, 1, MAX_THREADS);
        else if (!strcmp(f, "--gso"))
            o->gso = num(f, v, 1, MAX_SEG);
        else if (!strcmp(f, "--batch"))
            o->batch = num(f, v, 1, MAX_BATCH);
        else if (!strcmp(f, "--count"))
            o->count = num(f, v, 1, 100000000);
        else if (!strcmp(f, "--sport"))
            o->sport = num(f, v, 1, 65000);
        else if (!strcmp(f, "--payload"))
            o->payload = num(f, v, 18, 1400);
        else if (!strcmp(f, "--duration"))
            o->duration = num(f, v, 1, 3600);
        else if (!strcmp(f, "--ports") && v && strchr(v, ':')) {
            char base[16] = "";
            snprintf(base, sizeof base, "%.*s", (int)(strchr(v, ':') - v), v);
            o->port_base = num(f, base, 1, 65000);
            o->ports = num(f, strchr(v, ':') + 1, 1, MAX_FLOWS);
        } else {
            fprintf(stderr, "udpblast: unknown or incomplete option %s\n", f);
            exit(2);
        }
    }
}

int main(int argc, char **argv)
{
    struct opts o = {.flows = 32,
                     .threads = 2,
                     .gso = 48,
                     .batch = 1,
                     .ports = 4,
                     .port_base = 9000,
                     .sport = 20000,
                     .payload = 200,
                     .count = 1000,
                     .duration = 5};
    if (argc < 2 || (strcmp(argv[1], "tx") && strcmp(argv[1], "rx"))) {
        fprintf(stderr, "usage: udpblast tx --dst IP [options] | udpblast rx [options]\n");
        return 2;
    }
    parse(argc, argv, &o);
    static struct worker ws[MAX_THREADS];
    bool tx = !strcmp(argv[1], "tx");
    if (tx && !o.dst) {
        fprintf(stderr, "udpblast tx: --dst is required\n");
        return 2;
    }
    if (!tx)
        rx_open(&o, ws);
    double t0 = now_s();
    for (int t = 0; t < o.threads; t++) {
        ws[t].o = &o;
        ws[t].idx = t;
        if (pthread_create(&ws[t].th, NULL, tx ? tx_thread : rx_thread, &ws[t]))
            die("pthread_create");
    }
    long total = 0;
    for (int t = 0; t < o.threads; t++) {
        pthread_join(ws[t].th, NULL);
        total += ws[t].sent;
    }
    if (tx)
        printf("{\"mode\": \"tx\", \"tool\": \"udpblast\", \"sent\": %ld, \"elapsed_s\": %.6f}\n",
               total, now_s() - t0);
    else
        rx_result(&o, ws);
    return 0;
}
