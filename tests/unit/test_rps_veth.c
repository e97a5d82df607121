/* Validation of models/kernel/rps.c (+ rfs.c, backlog.c) against real Linux 6.18 captures in
 * shared/traces/veth*: replay each packet's recorded queue_mapping and hash through
 * kern_get_rps_cpu() configured from the bundle's sysfs/sysctl snapshot and compare with the
 * CPU that ran netif_receive_skb for the same skbaddr. A deliberately small, tracefs-only
 * scan of the few events needed: the project's trace parser lives in validate/. */
#include "models/kernel/rps.h"
#include "tests/unit/cu_main.h"

#include <jansson.h>
#include <string.h>

#define MAX_DEVS 4

struct replay {
    unsigned ncpus;
    unsigned ndevs;
    char *dev_name[MAX_DEVS];
    struct kern_rps_dev *dev[MAX_DEVS];
    struct kern_sock_flow_table *sft;
    struct kern_backlog *bl;
    GHashTable *pending;        /* skbaddr -> struct pending */
    GHashTable *fd_hash;        /* TCP socket fd -> sk_rxhash (learned from payload length) */
    GHashTable *len_to_fd;      /* IP length of a TCP flow's data segment -> fd */
    uint64_t total, agree, rfs; /* packets compared, predicted right, RFS-steered */
    uint64_t records;           /* sock_rps_record_flow() replayed */
};

struct pending {
    int predicted;
};

static int dev_index(struct replay *r, const char *name, size_t n)
{
    for (unsigned i = 0; i < r->ndevs; i++)
        if (strlen(r->dev_name[i]) == n && strncmp(r->dev_name[i], name, n) == 0)
            return (int)i;
    return -1;
}

static const char *jstr(json_t *root, const char *ptr_fmt, const char *a, const char *b)
{
    char *path = g_strdup_printf(ptr_fmt, a, b);
    json_t *v = root;
    gchar **parts = g_strsplit(path, "/", -1);
    for (gchar **p = parts; *p && v; p++)
        if (**p)
            v = json_object_get(v, *p);
    g_strfreev(parts);
    g_free(path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* sysfs_queues.<dev>.rx-<n>.{rps_cpus,rps_flow_cnt} -> one kern_rps_dev per interface. */
static void configure_dev(struct replay *r, const char *name, json_t *queues)
{
    unsigned nq = 0;
    const char *key;
    json_t *val;
    json_object_foreach(queues, key, val) nq += g_str_has_prefix(key, "rx-");
    CU_ASSERT_FATAL(nq > 0 && r->ndevs < MAX_DEVS);
    struct sim_cpumask online;
    sim_cpumask_fill(&online, r->ncpus);
    struct kern_rps_dev *dev = kern_rps_dev_new(nq, r->ncpus, &online, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
    for (unsigned q = 0; q < nq; q++) {
        char rx[32];
        g_snprintf(rx, sizeof rx, "rx-%u", q);
        json_t *qo = json_object_get(queues, rx);
        CU_ASSERT_PTR_NOT_NULL_FATAL(qo);
        struct sim_cpumask mask;
        GError *err = NULL;
        const char *cpus = json_string_value(json_object_get(qo, "rps_cpus"));
        CU_ASSERT_FATAL(cpus && sim_cpumask_parse(&mask, cpus, SIM_NR_CPUS, &err));
        CU_ASSERT_FATAL(kern_rps_dev_set_rps_cpus(dev, q, &mask, NULL));
        const char *cnt = json_string_value(json_object_get(qo, "rps_flow_cnt"));
        uint64_t n = 0;
        struct kern_rps_dev_flow_table *ft = NULL;
        CU_ASSERT_FATAL(!cnt || kern_parse_rps_flow_cnt(cnt, &n, NULL));
        CU_ASSERT_FATAL(kern_rps_dev_flow_table_create(n, &ft, NULL));
        kern_rps_dev_set_flow_table(dev, q, ft);
    }
    r->dev_name[r->ndevs] = g_strdup(name);
    r->dev[r->ndevs++] = dev;
}

/* workload.rx_result.sockets: TCP fd -> peer port -> flow k -> IP length of its segments
 * (payload 200 + udp_flows + k, plus 20 IP + 32 TCP-with-timestamps header bytes). */
static void learn_tcp_sockets(struct replay *r, json_t *root)
{
    json_t *w = json_object_get(root, "workload");
    json_t *socks = json_object_get(json_object_get(w, "rx_result"), "sockets");
    json_int_t udp_flows = json_integer_value(json_object_get(w, "udp_flows"));
    const char *fd;
    json_t *s;
    json_object_foreach(socks, fd, s)
    {
        const char *kind = json_string_value(json_object_get(s, "kind"));
        const char *peer = json_string_value(json_object_get(s, "peer"));
        if (!kind || strcmp(kind, "tcp") != 0 || !peer || !strrchr(peer, ':'))
            continue;
        int k = atoi(strrchr(peer, ':') + 1) - 21000; /* tcp_src_ports "21000+k" */
        unsigned iplen = (unsigned)(200 + udp_flows + k + 52);
        g_hash_table_insert(r->len_to_fd, GUINT_TO_POINTER(iplen), GINT_TO_POINTER(atoi(fd)));
    }
}

static bool replay_init(struct replay *r, const char *dir)
{
    memset(r, 0, sizeof *r);
    char *path = g_build_filename(dir, "config.json", NULL);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    g_free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    r->ncpus =
        (unsigned)json_integer_value(json_object_get(json_object_get(root, "host"), "ncpus"));
    CU_ASSERT_FATAL(r->ncpus > 0);
    const char *name;
    json_t *queues;
    json_object_foreach(json_object_get(root, "sysfs_queues"), name, queues)
        configure_dev(r, name, queues);
    const char *ents = jstr(root, "/sysctl_net_core/rps_sock_flow_entries", "", "");
    const char *maxb = jstr(root, "/sysctl_net_core/netdev_max_backlog", "", "");
    int64_t entries = 0;
    CU_ASSERT_FATAL(!ents || kern_parse_rps_sock_flow_entries(ents, &entries, NULL));
    CU_ASSERT_FATAL(kern_sock_flow_table_create(entries, r->ncpus, &r->sft, NULL));
    r->bl = kern_backlog_new(r->ncpus, maxb ? atoi(maxb) : 1000, 4096, NULL, NULL);
    r->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    r->fd_hash = g_hash_table_new(g_direct_hash, g_direct_equal);
    r->len_to_fd = g_hash_table_new(g_direct_hash, g_direct_equal);
    learn_tcp_sockets(r, root);
    json_decref(root);
    return true;
}

static void replay_clear(struct replay *r)
{
    for (unsigned i = 0; i < r->ndevs; i++) {
        kern_rps_dev_free(r->dev[i]);
        g_free(r->dev_name[i]);
    }
    kern_sock_flow_table_free(r->sft);
    kern_backlog_free(r->bl);
    g_hash_table_destroy(r->pending);
    g_hash_table_destroy(r->fd_hash);
    g_hash_table_destroy(r->len_to_fd);
}

static const char *field(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    return p ? p + strlen(key) : NULL;
}

/* A receive-entry event: steer, and queue on the chosen backlog like the kernel. */
static void on_entry(struct replay *r, unsigned cpu, const char *ev, bool via_netif_rx)
{
    const char *dev = field(ev, "dev="), *qm = field(ev, " queue_mapping="),
               *skb = field(ev, " skbaddr="), *hash = field(ev, " hash="),
               *len = field(ev, " len=");
    CU_ASSERT_FATAL(dev && qm && skb && hash && len);
    int d = dev_index(r, dev, strcspn(dev, " "));
    uint32_t h = (uint32_t)strtoul(hash, NULL, 16);
    int predicted = -1;
    uint32_t voidflow = 0, *qtail = &voidflow;
    if (d >= 0) {
        predicted = kern_get_rps_cpu(r->dev[d], r->sft, r->bl, (uint16_t)atoi(qm), h, &qtail);
        gpointer fd = g_hash_table_lookup(r->len_to_fd, GUINT_TO_POINTER(atoi(len)));
        if (fd && d >= 0)
            g_hash_table_insert(r->fd_hash, fd, GUINT_TO_POINTER(h)); /* sk_rxhash */
    }
    r->rfs += qtail != &voidflow;
    int target = predicted >= 0 ? predicted : (int)cpu;
    if (predicted >= 0 || via_netif_rx) /* netif_rx queues on this CPU without RPS */
        kern_enqueue_to_backlog(r->bl, (unsigned)target, cpu, h, qtail);
    struct pending *p = g_new(struct pending, 1);
    p->predicted = target;
    g_hash_table_replace(r->pending, g_strndup(skb, strcspn(skb, " ")), p);
}

static void on_receive(struct replay *r, unsigned cpu, const char *ev)
{
    const char *skb = field(ev, "skbaddr=");
    CU_ASSERT_FATAL(skb != NULL);
    char *key = g_strndup(skb, strcspn(skb, " "));
    struct pending *p = g_hash_table_lookup(r->pending, key);
    if (p) {
        r->total++;
        r->agree += p->predicted == (int)cpu;
        g_hash_table_remove(r->pending, key);
    }
    g_free(key);
}

/* Backlog NAPI poll finished: process_backlog() dequeued `work` and advanced the head. */
static void on_backlog_poll(struct replay *r, unsigned cpu, const char *ev)
{
    const char *w = field(ev, " work ");
    unsigned work = w ? (unsigned)atoi(w) : 0, done = 0;
    while (done < work && kern_backlog_dequeue(r->bl, cpu))
        done++;
    kern_backlog_poll_done(r->bl, cpu, work);
}

/* recvfrom/recvmsg entry: inet_recvmsg() -> sock_rps_record_flow() on this CPU, for
 * connected TCP sockets only (unconnected UDP never records). */
static void on_recv_syscall(struct replay *r, unsigned cpu, const char *ev)
{
    const char *fd = field(ev, "(fd: ");
    if (!fd || !r->sft)
        return;
    gpointer h = g_hash_table_lookup(r->fd_hash, GINT_TO_POINTER((int)strtol(fd, NULL, 0)));
    if (!h)
        return;
    kern_rps_record_flow(r->sft, GPOINTER_TO_UINT(h), cpu);
    r->records++;
}

static void replay_trace(struct replay *r, const char *dir)
{
    char *path = g_build_filename(dir, "trace.txt", NULL);
    FILE *f = fopen(path, "r");
    g_free(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    GRegex *re = g_regex_new("\\[(\\d{3,})\\]\\s+\\S+\\s+\\d+\\.\\d+: ", G_REGEX_OPTIMIZE, 0, NULL);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        GMatchInfo *mi;
        if (line[0] == '#' || !g_regex_match(re, line, 0, &mi)) {
            if (line[0] != '#')
                g_match_info_free(mi);
            continue;
        }
        int start, end;
        g_match_info_fetch_pos(mi, 1, &start, &end);
        unsigned cpu = (unsigned)atoi(line + start);
        g_match_info_fetch_pos(mi, 0, &start, &end);
        g_match_info_free(mi);
        const char *ev = line + end;
        if (g_str_has_prefix(ev, "napi_gro_receive_entry: ") ||
            g_str_has_prefix(ev, "netif_receive_skb_entry: "))
            on_entry(r, cpu, ev, false);
        else if (g_str_has_prefix(ev, "netif_rx_entry: "))
            on_entry(r, cpu, ev, true);
        else if (g_str_has_prefix(ev, "netif_receive_skb: "))
            on_receive(r, cpu, ev);
        else if (g_str_has_prefix(ev, "napi_poll: ") && strstr(ev, "device (no_device) "))
            on_backlog_poll(r, cpu, ev);
        else if (g_str_has_prefix(ev, "sys_recvfrom(") || g_str_has_prefix(ev, "sys_recvmsg("))
            on_recv_syscall(r, cpu, ev);
    }
    free(line);
    g_regex_unref(re);
    fclose(f);
}

/* Replays one bundle; returns agreement in [0, 1] (or -1 when the bundle is absent). */
static double replay_case(const char *rel, struct replay *out)
{
    char *dir = cu_shared_path(rel);
    if (!dir)
        return -1;
    replay_init(out, dir);
    replay_trace(out, dir);
    g_free(dir);
    printf("\n    %s: kern_get_rps_cpu predicted %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
           " packets (%.3f%%), %" G_GUINT64_FORMAT " RFS-steered, %" G_GUINT64_FORMAT
           " recvmsg flow records ",
           rel, out->agree, out->total, out->total ? 100.0 * out->agree / out->total : 0, out->rfs,
           out->records);
    return out->total ? (double)out->agree / out->total : 0;
}

static void check_rps_exact(const char *rel)
{
    struct replay r;
    double a = replay_case(rel, &r);
    if (a < 0)
        return;
    CU_ASSERT(r.total > 1000);
    CU_ASSERT_EQUAL(r.agree, r.total);
    CU_ASSERT_EQUAL(r.rfs, 0);
    replay_clear(&r);
}

static void test_rps_veth_rps2_predicts_every_packet(void)
{
    check_rps_exact("traces/veth/rps2");
}

static void test_rps_veth_perqueue_maps_predict_every_packet(void)
{
    check_rps_exact("traces/veth/rps-perqueue-xps");
}

static void test_rps_veth_udp_burst_predicts_every_packet(void)
{
    check_rps_exact("traces/veth/udp-burst-rps2");
}

static void test_rps_veth_highrate_backlog_predicts_every_packet(void)
{
    check_rps_exact("traces/veth-highrate/backlog-default");
}

static void test_rps_veth_rfs_follows_the_reader(void)
{
    struct replay r;
    double a = replay_case("traces/veth/rps-rfs-unpinned", &r);
    if (a < 0)
        return;
    CU_ASSERT(r.total > 1000);
    CU_ASSERT(r.rfs > 500);
    CU_ASSERT(r.records > 500);
    CU_ASSERT(a >= 0.995);
    replay_clear(&r);
}

static CU_TestInfo cases[] = {
    {"test_rps_veth_rps2_predicts_every_packet", test_rps_veth_rps2_predicts_every_packet},
    {"test_rps_veth_perqueue_maps_predict_every_packet",
     test_rps_veth_perqueue_maps_predict_every_packet},
    {"test_rps_veth_udp_burst_predicts_every_packet",
     test_rps_veth_udp_burst_predicts_every_packet},
    {"test_rps_veth_highrate_backlog_predicts_every_packet",
     test_rps_veth_highrate_backlog_predicts_every_packet},
    {"test_rps_veth_rfs_follows_the_reader", test_rps_veth_rfs_follows_the_reader},
    CU_TEST_INFO_NULL,
};

CU_MAIN("rps_veth", cases)
