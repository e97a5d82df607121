/* Capture bundle loader: config.json (spec/capture-bundle.md) read with Jansson, unknown keys
 * ignored; sysctl defaults mirror net/core/hotdata.c and sysctl_net_core.c, Linux 6.12. */
#include "validate/bundle.h"

#include "models/kernel/kversion.h"
#include "models/kernel/rfs.h"
#include "sim/core/err.h"
#include "sim/core/jsonval.h"
#include "validate/hz.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct val_bundle {
    char *dir;
    char *cfg_path; /* for messages */
    json_t *root;
    char *trace_path, *pcap_path;
    const char *kernel, *rx_dev, *rx_driver, *rx_addr, *tx_dev, *trace_clock;
    int ncpus, hz, queues;
    unsigned kernel_version; /* host.kernel as models/kernel/kversion.h reads it */
    struct sim_cpumask *rps;
    uint64_t *rps_flow_cnt;
    struct val_sysctl sysctl;
    struct val_softnet *softnet[2];
    struct val_interrupts *irqs[2];
    struct val_softirqs *softirqs[2];
    int64_t clock_off[2];
    int64_t lost_total;
    GArray *lost_cpu; /* int64_t */
    GArray *sockets;  /* struct val_socket sorted by fd */
    GArray *threads;  /* struct val_thread */
    GPtrArray *notes; /* char*: assumptions made for facts the bundle lacks */
};

static bool cfg_fail(GError **err, const struct val_bundle *b, const char *ptr, const char *fmt,
                     ...) G_GNUC_PRINTF(4, 5);

static bool cfg_fail(GError **err, const struct val_bundle *b, const char *ptr, const char *fmt,
                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: %s: %s", b->cfg_path, ptr, msg);
    g_free(msg);
    return false;
}

/* A JSON pointer ("/host/ncpus") into the config. */
static json_t *jget(json_t *root, const char *ptr)
{
    return sim_json_pointer(root, ptr);
}

static const char *req_str(struct val_bundle *b, const char *ptr, GError **err)
{
    json_t *j = jget(b->root, ptr);
    if (!j) {
        cfg_fail(err, b, ptr, "missing");
        return NULL;
    }
    if (!json_is_string(j)) {
        cfg_fail(err, b, ptr, "expected a string");
        return NULL;
    }
    return json_string_value(j);
}

static const char *opt_str(struct val_bundle *b, const char *ptr)
{
    return json_string_value(jget(b->root, ptr));
}

/* Integer given as a JSON number or as a decimal string (sysfs/sysctl values are strings).
 * Absent: *out = def, true unless required. */
static bool get_int(struct val_bundle *b, const char *ptr, bool required, int64_t def, int64_t *out,
                    GError **err)
{
    json_t *j = jget(b->root, ptr);
    *out = def;
    if (!j) {
        if (required)
            return cfg_fail(err, b, ptr, "missing");
        return true;
    }
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return true;
    }
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        char *e;
        errno = 0;
        long long v = strtoll(s, &e, 10);
        while (*e == ' ' || *e == '\n')
            e++;
        if (e != s && !*e && !errno) {
            *out = v;
            return true;
        }
        return cfg_fail(err, b, ptr, "expected an integer, got \"%s\"", s);
    }
    return cfg_fail(err, b, ptr, "expected an integer (number or decimal string)");
}

static bool get_i32(struct val_bundle *b, const char *ptr, bool required, int def, int *out,
                    GError **err)
{
    int64_t v;
    if (!get_int(b, ptr, required, def, &v, err))
        return false;
    if (v < INT32_MIN || v > INT32_MAX)
        return cfg_fail(err, b, ptr, "%lld out of range", (long long)v);
    *out = (int)v;
    return true;
}

/* A file named by key (default name when absent) that must exist in the bundle. */
static char *bundle_file(struct val_bundle *b, const char *key, const char *def, GError **err)
{
    json_t *j = jget(b->root, key);
    if (j && !json_is_string(j)) {
        char got[SIM_JSON_GOT_LEN];
        cfg_fail(err, b, key, "expected a file name, got %s", sim_json_got(j, got));
        return NULL;
    }
    const char *name = j ? json_string_value(j) : def;
    if (strchr(name, '/') || strcmp(name, "..") == 0) {
        cfg_fail(err, b, key, "\"%s\" must be a file name inside the bundle", name);
        return NULL;
    }
    char *p = g_build_filename(b->dir, name, NULL);
    if (!g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: missing (bundle file named by %s)", p, key);
        g_free(p);
        return NULL;
    }
    return p;
}

static bool load_host(struct val_bundle *b, GError **err)
{
    const char *schema = req_str(b, "/schema", err);
    if (!schema)
        return false;
    if (strcmp(schema, VAL_BUNDLE_SCHEMA) != 0)
        return cfg_fail(err, b, "/schema", "\"%s\" is not \"" VAL_BUNDLE_SCHEMA "\"", schema);
    if (!(b->kernel = req_str(b, "/host/kernel", err)) ||
        !get_i32(b, "/host/ncpus", true, 0, &b->ncpus, err))
        return false;
    /* null or absent: a host without /proc/config.gz (load_hz estimates it from the trace). */
    json_t *hz = jget(b->root, "/host/hz");
    if (hz && !json_is_null(hz) && !get_i32(b, "/host/hz", true, 0, &b->hz, err))
        return false;
    if (!kern_version_parse(b->kernel, &b->kernel_version)) {
        b->kernel_version = KERN_VERSION_DEFAULT;
        g_ptr_array_add(b->notes, g_strdup_printf("host.kernel \"%s\" has no MAJOR.MINOR: the "
                                                  "6.12 receive path assumed",
                                                  b->kernel));
    }
    if (b->ncpus < 1 || b->ncpus > SIM_NR_CPUS)
        return cfg_fail(err, b, "/host/ncpus", "%d not in 1..%d (the model's NR_CPUS)", b->ncpus,
                        SIM_NR_CPUS);
    if (b->hz && (b->hz < 24 || b->hz > 10000))
        return cfg_fail(err, b, "/host/hz", "%d is not a CONFIG_HZ value", b->hz);
    if (!(b->rx_dev = req_str(b, "/topology/receiver/dev", err)) ||
        !(b->rx_driver = req_str(b, "/topology/receiver/driver", err)) ||
        !get_i32(b, "/topology/queues_per_side", true, 0, &b->queues, err))
        return false;
    if (b->queues < 1 || b->queues > 4096)
        return cfg_fail(err, b, "/topology/queues_per_side", "%d not in 1..4096", b->queues);
    b->rx_addr = opt_str(b, "/topology/receiver/addr");
    b->tx_dev = opt_str(b, "/topology/sender/dev");
    return true;
}

/* A kernel without CPUMASK_OFFSTACK prints NR_CPUS bits (nr_cpumask_bits): the all-zero
 * groups above the model's SIM_NR_CPUS name no CPU; skip them, keep any set one (an error). */
static const char *skip_zero_groups_beyond_model(const char *s)
{
    size_t groups = 1;
    for (const char *c = s; *c && *c != '\n'; c++)
        groups += *c == ',';
    for (; groups > SIM_NR_CPUS / 32 && strncmp(s, "00000000,", 9) == 0; groups--)
        s += 9;
    return s;
}

/* A sysfs hex mask (bitmap_parse) at ptr. sysfs always prints at least one digit, so an empty
 * value means the capture failed to read the file: an error, not "no CPU". */
static bool parse_mask(const struct val_bundle *b, const char *ptr, const char *s,
                       struct sim_cpumask *m, GError **err)
{
    if (!s[strspn(s, " \n")])
        return cfg_fail(err, b, ptr, "empty CPU mask (sysfs prints hex groups like \"0000ffff\")");
    if (sim_cpumask_parse(m, skip_zero_groups_beyond_model(s), SIM_NR_CPUS, err))
        return true;
    sim_error_prefix(err, "%s: %s", b->cfg_path, ptr);
    return false;
}

/* rps_flow_cnt as kstrtoul() reads it (store_rps_dev_flow_table_cnt); a JSON number also does. */
static bool parse_flow_cnt(const struct val_bundle *b, const char *ptr, json_t *j, uint64_t *out,
                           GError **err)
{
    if (json_is_integer(j) && json_integer_value(j) >= 0) {
        *out = (uint64_t)json_integer_value(j);
        return true;
    }
    if (!json_is_string(j))
        return cfg_fail(err, b, ptr, "expected an unsigned integer (number or sysfs string)");
    if (kern_parse_rps_flow_cnt(json_string_value(j), out, err))
        return true;
    sim_error_prefix(err, "%s: %s", b->cfg_path, ptr);
    return false;
}

/* sysfs_queues/<dev>/rx-<q>: rps_cpus (required, or absent = empty) and rps_flow_cnt (absent:
 * 0). */
static bool read_rx_queue(const struct val_bundle *b, const char *dev, int rxq, bool need_rps,
                          struct sim_cpumask *rps_cpus, uint64_t *rps_flow_cnt, GError **err)
{
    char *ptr = g_strdup_printf("/sysfs_queues/%s/rx-%d/rps_cpus", dev, rxq);
    json_t *m = jget(b->root, ptr);
    bool ok = true;
    sim_cpumask_clear(rps_cpus);
    if (m || need_rps)
        ok = json_is_string(m) ? parse_mask(b, ptr, json_string_value(m), rps_cpus, err)
                               : cfg_fail(err, b, ptr, m ? "expected a string" : "missing");
    g_free(ptr);
    ptr = g_strdup_printf("/sysfs_queues/%s/rx-%d/rps_flow_cnt", dev, rxq);
    json_t *fc = jget(b->root, ptr);
    *rps_flow_cnt = 0;
    ok = ok && (!fc || parse_flow_cnt(b, ptr, fc, rps_flow_cnt, err));
    g_free(ptr);
    return ok;
}

static bool load_queues(struct val_bundle *b, GError **err)
{
    b->rps = g_new0(struct sim_cpumask, b->queues);
    b->rps_flow_cnt = g_new0(uint64_t, b->queues);
    for (int q = 0; q < b->queues; q++)
        if (!read_rx_queue(b, b->rx_dev, q, true, &b->rps[q], &b->rps_flow_cnt[q], err))
            return false;
    return true;
}

/* Lines of the trace read for a missing host.hz: the first ticks tell it. */
#define HZ_SCAN_LINES 4000000

/* host.hz not recorded: the trace's tick spacing, else 250 (Debian's and
 * Fedora's CONFIG_HZ), said in warnings[] either way. */
static bool load_hz(struct val_bundle *b, GError **err)
{
    if (b->hz)
        return true;
    uint64_t n = 0;
    int hz = val_hz_from_trace(b->trace_path, HZ_SCAN_LINES, &n, err);
    if (hz < 0)
        return false;
    if (hz) {
        b->hz = hz;
        g_ptr_array_add(
            b->notes,
            g_strdup_printf("host.hz not recorded: HZ=%d estimated from %" G_GUINT64_FORMAT
                            " tick intervals of the trace's TIMER/SCHED/RCU softirq "
                            "raises",
                            hz, n));
    } else {
        b->hz = 250;
        g_ptr_array_add(b->notes,
                        g_strdup_printf("host.hz not recorded and the trace has too few ticks to "
                                        "tell (%" G_GUINT64_FORMAT " intervals): HZ=250 assumed",
                                        n));
    }
    return true;
}

/* The scheduler sysctls of an upstream kernel (kernel/sched/core.c, fair.c, rt.c, deadline.c,
 * topology.c, autogroup.c, debug knobs moved to debugfs in 5.13). */
static bool upstream_sched_knob(const char *k)
{
    static const char *const known[] = {
        "sched_autogroup_enabled",
        "sched_cfs_bandwidth_slice_us",
        "sched_child_runs_first",
        "sched_deadline_period_max_us",
        "sched_deadline_period_min_us",
        "sched_energy_aware",
        "sched_itmt_enabled",
        "sched_rr_timeslice_ms",
        "sched_rt_period_us",
        "sched_rt_runtime_us",
        "sched_schedstats",
        "sched_util_clamp_max",
        "sched_util_clamp_min",
        "sched_util_clamp_min_rt_default",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
        if (!strcmp(k, known[i]))
            return true;
    return false;
}

/* host.sched (capture.sh: every /proc/sys/kernel/sched_* as a string): a knob upstream does
 * not have, set non-zero, means the host runs a scheduler patch the wake model (upstream
 * select_task_rq_fair()) does not follow; said in warnings[] so a wake-up disagreement is read
 * with that in mind. Optional; a non-object or a non-string value is an error. */
static bool load_sched_knobs(struct val_bundle *b, GError **err)
{
    json_t *o = jget(b->root, "/host/sched");
    if (!o)
        return true;
    if (!json_is_object(o))
        return cfg_fail(err, b, "/host/sched", "expected an object of sysctl strings");
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v)) {
            char *ptr = g_strdup_printf("/host/sched/%s", k);
            bool r = cfg_fail(err, b, ptr, "expected a string (the sysctl's text)");
            g_free(ptr);
            return r;
        }
        const char *val = json_string_value(v);
        if (upstream_sched_knob(k) || !strcmp(val, "0") || !*val)
            continue;
        g_ptr_array_add(b->notes,
                        g_strdup_printf("host.sched: kernel.%s = %s is not an upstream scheduler "
                                        "knob: wake-up placement is modelled on upstream "
                                        "select_task_rq_fair() and may disagree where the "
                                        "host's patch decides",
                                        k, val));
    }
    return true;
}

static bool load_sysctl(struct val_bundle *b, GError **err)
{
    struct val_sysctl *s = &b->sysctl;
    /* min: what net/core/sysctl_net_core.c lets a write through (extra1 = SYSCTL_ONE for
     * the dev_weight family and gro_normal_batch, SYSCTL_ZERO for budget_usecs and the busy
     * knobs); netdev_budget and netdev_max_backlog are plain proc_dointvec, but a negative
     * value there means "drop or squeeze everything", which the replay does not model. */
    static const struct {
        const char *key;
        size_t off;
        int def; /* -1: 2 * USEC_PER_SEC / HZ */
        int min;
    } knobs[] = {
        {"netdev_budget", offsetof(struct val_sysctl, netdev_budget), 300, 0},
        {"netdev_budget_usecs", offsetof(struct val_sysctl, netdev_budget_usecs), -1, 0},
        {"dev_weight", offsetof(struct val_sysctl, dev_weight), 64, 1},
        {"dev_weight_rx_bias", offsetof(struct val_sysctl, dev_weight_rx_bias), 1, 1},
        {"netdev_max_backlog", offsetof(struct val_sysctl, netdev_max_backlog), 1000, 0},
        {"rps_sock_flow_entries", offsetof(struct val_sysctl, rps_sock_flow_entries), 0, 0},
        {"gro_normal_batch", offsetof(struct val_sysctl, gro_normal_batch), 8, 1},
        {"flow_limit_table_len", offsetof(struct val_sysctl, flow_limit_table_len), 4096, 0},
        {"busy_poll", offsetof(struct val_sysctl, busy_poll), 0, 0},
        {"busy_read", offsetof(struct val_sysctl, busy_read), 0, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(knobs); i++) {
        char *ptr = g_strdup_printf("/sysctl_net_core/%s", knobs[i].key);
        int def = knobs[i].def >= 0 ? knobs[i].def : 2 * 1000000 / b->hz;
        int *v = (int *)((char *)s + knobs[i].off);
        bool ok = get_i32(b, ptr, false, def, v, err);
        if (ok && *v < knobs[i].min)
            ok = cfg_fail(err, b, ptr, "%d is below %d, the least the kernel accepts", *v,
                          knobs[i].min);
        g_free(ptr);
        if (!ok)
            return false;
    }
    const char *fl = opt_str(b, "/sysctl_net_core/flow_limit_cpu_bitmap");
    sim_cpumask_clear(&s->flow_limit_cpu_bitmap);
    return !fl || parse_mask(b, "/sysctl_net_core/flow_limit_cpu_bitmap", fl,
                             &s->flow_limit_cpu_bitmap, err);
}

static bool load_snapshots(struct val_bundle *b, GError **err)
{
    static const char *const when[2] = {"before", "after"};
    for (int i = 0; i < 2; i++) {
        char *ptr = g_strdup_printf("/softnet_stat/%s", when[i]);
        char *src = g_strdup_printf("%s:%s", b->cfg_path, ptr);
        const char *t = req_str(b, ptr, err);
        if (t)
            b->softnet[i] = val_softnet_parse(t, src, err);
        g_free(ptr);
        g_free(src);
        if (!b->softnet[i])
            return false;

        ptr = g_strdup_printf("/interrupts/%s", when[i]);
        src = g_strdup_printf("%s:%s", b->cfg_path, ptr);
        t = opt_str(b, ptr);
        if (t)
            b->irqs[i] = val_interrupts_parse(t, src, err);
        g_free(ptr);
        g_free(src);
        if (t && !b->irqs[i])
            return false;

        ptr = g_strdup_printf("/softirqs/%s", when[i]);
        src = g_strdup_printf("%s:%s", b->cfg_path, ptr);
        t = opt_str(b, ptr);
        if (t)
            b->softirqs[i] = val_softirqs_parse(t, src, err);
        g_free(ptr);
        g_free(src);
        if (t && !b->softirqs[i])
            return false;

        ptr = g_strdup_printf("/clock/%s/realtime_minus_mono_ns", when[i]);
        bool ok = get_int(b, ptr, true, 0, &b->clock_off[i], err);
        g_free(ptr);
        if (!ok)
            return false;
    }
    return true;
}

/* "cpu0 overrun: 0 dropped events: 0 \ncpu1 ..." (tracefs per_cpu/cpuN/stats fields). */
static bool load_overrun(struct val_bundle *b, GError **err)
{
    b->lost_cpu = g_array_new(FALSE, TRUE, sizeof(int64_t));
    b->lost_total = -1;
    json_t *j = jget(b->root, "/trace/per_cpu_overrun");
    if (!j)
        return true;
    if (!json_is_string(j))
        return cfg_fail(err, b, "/trace/per_cpu_overrun", "expected a string");
    char **lines = g_strsplit(json_string_value(j), "\n", -1);
    bool ok = true;
    b->lost_total = 0;
    for (int i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (!*l)
            continue;
        int cpu, n = 0;
        unsigned long long over, drop;
        if (sscanf(l, "cpu%d overrun: %llu dropped events: %llu%n", &cpu, &over, &drop, &n) != 3 ||
            cpu < 0 || cpu >= SIM_NR_CPUS) {
            ok = cfg_fail(err, b, "/trace/per_cpu_overrun",
                          "line %d: expected \"cpuN overrun: N dropped events: N\"", i + 1);
            break;
        }
        if ((guint)cpu >= b->lost_cpu->len)
            g_array_set_size(b->lost_cpu, (guint)cpu + 1);
        g_array_index(b->lost_cpu, int64_t, cpu) += (int64_t)(over + drop);
        b->lost_total += (int64_t)(over + drop);
    }
    g_strfreev(lines);
    return ok;
}

static gint cmp_sock(gconstpointer a, gconstpointer b)
{
    const struct val_socket *x = a, *y = b;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

static bool load_workload(struct val_bundle *b, GError **err)
{
    b->sockets = g_array_new(FALSE, TRUE, sizeof(struct val_socket));
    b->threads = g_array_new(FALSE, TRUE, sizeof(struct val_thread));
    json_t *socks = jget(b->root, "/workload/rx_result/sockets");
    if (socks) {
        if (!json_is_object(socks))
            return cfg_fail(err, b, "/workload/rx_result/sockets", "expected an object");
        const char *key;
        json_t *v;
        json_object_foreach(socks, key, v)
        {
            char *ptr = g_strdup_printf("/workload/rx_result/sockets/%s", key);
            struct val_socket s = {.thread = -1};
            char *e;
            long fd = strtol(key, &e, 10);
            const char *kind = json_string_value(json_object_get(v, "kind"));
            json_t *port = json_object_get(v, "port");
            const char *peer = json_string_value(json_object_get(v, "peer"));
            json_t *th = json_object_get(v, "thread");
            bool ok = true;
            if (e == key || *e || fd < 0 || fd > INT32_MAX)
                ok = cfg_fail(err, b, ptr, "key is not a file descriptor number");
            else if (!json_is_object(v))
                ok = cfg_fail(err, b, ptr, "expected an object");
            else if (!kind)
                ok = cfg_fail(err, b, ptr, "missing kind");
            else if (strcmp(kind, "udp") == 0 && !json_is_integer(port))
                ok = cfg_fail(err, b, ptr, "udp socket: missing integer port");
            else if (strcmp(kind, "tcp") == 0 && (!peer || !strchr(peer, ':')))
                ok = cfg_fail(err, b, ptr, "tcp socket: missing peer \"ip:port\"");
            else if (strcmp(kind, "udp") != 0 && strcmp(kind, "tcp") != 0)
                ok = cfg_fail(err, b, ptr, "kind \"%s\" is not \"udp\" or \"tcp\"", kind);
            g_free(ptr);
            if (!ok)
                return false;
            s.fd = (int)fd;
            s.kind = strcmp(kind, "udp") == 0 ? VAL_SOCK_UDP : VAL_SOCK_TCP;
            if (s.kind == VAL_SOCK_UDP)
                s.port = (int)json_integer_value(port);
            else
                g_strlcpy(s.peer, peer, sizeof s.peer);
            if (json_is_integer(th))
                s.thread = (int)json_integer_value(th);
            g_array_append_val(b->sockets, s);
        }
        g_array_sort(b->sockets, cmp_sock);
    }
    json_t *threads = jget(b->root, "/workload/rx_result/threads");
    if (threads) {
        if (!json_is_array(threads))
            return cfg_fail(err, b, "/workload/rx_result/threads", "expected an array");
        size_t i;
        json_t *v;
        json_array_foreach(threads, i, v)
        {
            json_t *th = json_object_get(v, "thread"), *tid = json_object_get(v, "tid");
            if (!json_is_integer(th) || !json_is_integer(tid)) {
                char *ptr = g_strdup_printf("/workload/rx_result/threads/%zu", i);
                cfg_fail(err, b, ptr, "expected integer thread and tid");
                g_free(ptr);
                return false;
            }
            struct val_thread t = {(int)json_integer_value(th), (int)json_integer_value(tid)};
            g_array_append_val(b->threads, t);
        }
    }
    return true;
}

/* config.json read and its /host checked: what every reader of a bundle needs first. */
static struct val_bundle *open_config(const char *dir, GError **err)
{
    struct val_bundle *b = g_new0(struct val_bundle, 1);
    b->dir = g_strdup(dir);
    b->cfg_path = g_build_filename(dir, "config.json", NULL);
    b->notes = g_ptr_array_new_with_free_func(g_free);
    json_error_t je;
    bool ok = true;
    if (!g_file_test(b->cfg_path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: missing (every bundle has config.json)",
                    b->cfg_path);
        ok = false;
    } else if (!(b->root = json_load_file(b->cfg_path, 0, &je))) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s:%d:%d: %s", b->cfg_path, je.line,
                    je.column, je.text);
        ok = false;
    } else if (!json_is_object(b->root)) {
        ok = cfg_fail(err, b, "/", "expected an object");
    }
    if (!(ok && load_host(b, err))) {
        val_bundle_free(b);
        return NULL;
    }
    return b;
}

char *val_bundle_host_class_at(const char *dir, GError **err)
{
    struct val_bundle *b = open_config(dir, err);
    if (!b)
        return NULL;
    char *host = val_host_class(b->kernel, b->ncpus);
    val_bundle_free(b);
    return host;
}

struct val_bundle *val_bundle_load(const char *dir, GError **err)
{
    struct val_bundle *b = open_config(dir, err);
    if (!b)
        return NULL;
    bool ok = (b->trace_path = bundle_file(b, "/trace/file", "trace.txt", err)) &&
              (b->pcap_path = bundle_file(b, "/pcap/file", "pcap.pcap", err)) && load_hz(b, err) &&
              load_sched_knobs(b, err) && load_queues(b, err) && load_sysctl(b, err) &&
              load_snapshots(b, err) && load_overrun(b, err) && load_workload(b, err);
    if (ok) {
        b->trace_clock = req_str(b, "/trace/clock", err);
        ok = b->trace_clock != NULL;
    }
    if (!ok) {
        val_bundle_free(b);
        return NULL;
    }
    return b;
}

void val_bundle_free(struct val_bundle *b)
{
    if (!b)
        return;
    for (int i = 0; i < 2; i++) {
        val_softnet_free(b->softnet[i]);
        val_interrupts_free(b->irqs[i]);
        val_softirqs_free(b->softirqs[i]);
    }
    if (b->lost_cpu)
        g_array_free(b->lost_cpu, TRUE);
    if (b->sockets)
        g_array_free(b->sockets, TRUE);
    if (b->threads)
        g_array_free(b->threads, TRUE);
    g_ptr_array_free(b->notes, TRUE);
    g_free(b->rps);
    g_free(b->rps_flow_cnt);
    g_free(b->trace_path);
    g_free(b->pcap_path);
    json_decref(b->root);
    g_free(b->cfg_path);
    g_free(b->dir);
    g_free(b);
}

const char *val_bundle_dir(const struct val_bundle *b)
{
    return b->dir;
}

const char *val_bundle_trace_path(const struct val_bundle *b)
{
    return b->trace_path;
}

const char *val_bundle_pcap_path(const struct val_bundle *b)
{
    return b->pcap_path;
}

unsigned val_bundle_kernel_version(const struct val_bundle *b)
{
    return b->kernel_version;
}

const char *val_bundle_kernel(const struct val_bundle *b)
{
    return b->kernel;
}

char *val_host_class(const char *kernel, int ncpus)
{
    return g_strdup_printf("%s, %d CPU%s", kernel ? kernel : "?", ncpus, ncpus == 1 ? "" : "s");
}

int val_bundle_ncpus(const struct val_bundle *b)
{
    return b->ncpus;
}

int val_bundle_hz(const struct val_bundle *b)
{
    return b->hz;
}

const GPtrArray *val_bundle_notes(const struct val_bundle *b)
{
    return b->notes;
}

const char *val_bundle_rx_dev(const struct val_bundle *b)
{
    return b->rx_dev;
}

const char *val_bundle_rx_driver(const struct val_bundle *b)
{
    return b->rx_driver;
}

const char *val_bundle_rx_addr(const struct val_bundle *b)
{
    return b->rx_addr;
}

const char *val_bundle_tx_dev(const struct val_bundle *b)
{
    return b->tx_dev;
}

int val_bundle_queues(const struct val_bundle *b)
{
    return b->queues;
}

const struct sim_cpumask *val_bundle_rps_cpus(const struct val_bundle *b, int rxq)
{
    return rxq >= 0 && rxq < b->queues ? &b->rps[rxq] : NULL;
}

uint64_t val_bundle_rps_flow_cnt(const struct val_bundle *b, int rxq)
{
    return rxq >= 0 && rxq < b->queues ? b->rps_flow_cnt[rxq] : 0;
}

int val_bundle_rx_queues(const struct val_bundle *b, const char *dev)
{
    json_t *qs = json_object_get(json_object_get(b->root, "sysfs_queues"), dev);
    int nq = 0;
    char key[32];
    while (nq < 4096 && (g_snprintf(key, sizeof key, "rx-%d", nq), json_object_get(qs, key)))
        nq++;
    return nq;
}

bool val_bundle_rx_queue(const struct val_bundle *b, const char *dev, int rxq,
                         struct sim_cpumask *rps_cpus, uint64_t *rps_flow_cnt, GError **err)
{
    return read_rx_queue(b, dev, rxq, false, rps_cpus, rps_flow_cnt, err);
}

bool val_bundle_xps(const struct val_bundle *b, const char *dev, int txq, const char *attr,
                    struct sim_cpumask *out, GError **err)
{
    char *ptr = g_strdup_printf("/sysfs_queues/%s/tx-%d/%s", dev, txq, attr);
    json_t *j = jget(b->root, ptr);
    bool ok = json_is_string(j)
                  ? parse_mask(b, ptr, json_string_value(j), out, err)
                  : cfg_fail(err, b, ptr, j ? "expected a hex mask string" : "missing");
    g_free(ptr);
    return ok;
}

const struct val_sysctl *val_bundle_sysctl(const struct val_bundle *b)
{
    return &b->sysctl;
}

const char *val_bundle_ethtool(const struct val_bundle *b, char which, const char *dev)
{
    char *ptr = g_strdup_printf("/ethtool/ethtool_%c_%s", which, dev);
    const char *s = json_string_value(jget(b->root, ptr));
    g_free(ptr);
    return s;
}

const struct val_softnet *val_bundle_softnet(const struct val_bundle *b, bool after)
{
    return b->softnet[after];
}

const struct val_interrupts *val_bundle_interrupts(const struct val_bundle *b, bool after)
{
    return b->irqs[after];
}

const struct val_softirqs *val_bundle_softirqs(const struct val_bundle *b, bool after)
{
    return b->softirqs[after];
}

const char *val_bundle_trace_clock(const struct val_bundle *b)
{
    return b->trace_clock;
}

int val_bundle_trace_event_enabled(const struct val_bundle *b, const char *event)
{
    json_t *list = jget(b->root, "/trace/events");
    if (!json_is_array(list))
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *s = json_string_value(v);
        const char *colon = s ? strchr(s, ':') : NULL;
        if (s && (strcmp(s, event) == 0 || (colon && strcmp(colon + 1, event) == 0)))
            return 1;
    }
    return 0;
}

int64_t val_bundle_lost_events(const struct val_bundle *b)
{
    return b->lost_total;
}

int64_t val_bundle_lost_events_cpu(const struct val_bundle *b, int cpu)
{
    if (b->lost_total < 0)
        return -1;
    if (cpu < 0 || (guint)cpu >= b->lost_cpu->len)
        return 0;
    return g_array_index(b->lost_cpu, int64_t, cpu);
}

int64_t val_bundle_clock_offset_ns(const struct val_bundle *b, bool after)
{
    return b->clock_off[after];
}

const struct val_socket *val_bundle_sockets(const struct val_bundle *b, int *n)
{
    *n = (int)b->sockets->len;
    return (const struct val_socket *)(void *)b->sockets->data;
}

const struct val_socket *val_bundle_socket_by_fd(const struct val_bundle *b, int fd)
{
    struct val_socket key = {.fd = fd};
    guint idx;
    if (b->sockets->len && g_array_binary_search(b->sockets, &key, cmp_sock, &idx))
        return &g_array_index(b->sockets, struct val_socket, idx);
    return NULL;
}

const struct val_thread *val_bundle_threads(const struct val_bundle *b, int *n)
{
    *n = (int)b->threads->len;
    return (const struct val_thread *)(void *)b->threads->data;
}
