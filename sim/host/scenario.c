/* Scenario loader: Jansson with JSON_STRICT for unknown keys, one-line
 * errors naming the JSON pointer, contradiction checks (queues vs MSI-X
 * vectors, CPUs that do not exist). The traffic (/traffic) and steering
 * (/nic/steering) objects are validated by their own libraries. */
#include "sim/host/scenario.h"
#include "sim/core/jsonval.h"

#include <math.h>
#include <string.h>

#include "models/app/acceptor.h"
#include "models/app/rr_server.h"
#include "models/app/sink.h"
#include "models/app/workload.h"
#include "models/kernel/kversion.h"
#include "models/nic/classifier.h"
#include "models/sched/cpus.h"
#include "models/traffic/gen.h"
#include "sim/core/cpumask.h"
#include "sim/core/err.h"
#include "sim/core/file.h"
#include "sim/host/scenario_priv.h"
#include "sim/host/scenario_rps.h"

static const char *const keys[] = {
    "/description",
    "/seed",
    "/duration_ms",
    "/cpus",
    "/hz",
    "/nic/model",
    "/nic/rx_queues",
    "/nic/tx_queues",
    "/nic/ring_size",
    "/nic/link_mbps",
    "/nic/itr_us",
    "/nic/irq_affinity",
    "/nic/napi_weight",
    "/nic/gro",
    "/nic/offloads/tso",
    "/nic/offloads/gso",
    "/nic/steering/*",
    "/nic/rx/rps_cpus",
    "/nic/rx/rps_cpus_list",
    "/nic/rx/rps_flow_cnt",
    "/nic/tx/xps_cpus",
    "/nic/tx/xps_rxqs",
    "/nic/arfs",
    "/nic/xdp/prog",
    "/nic/xdp/mode",
    "/nic/xdp/match",
    "/nic/xdp/xsk_entries",
    "/kernel/release",
    "/kernel/netdev_budget",
    "/kernel/netdev_budget_usecs",
    "/kernel/gro_normal_batch",
    "/kernel/rmem_default",
    "/kernel/sched_slice_us",
    "/kernel/netdev_max_backlog",
    "/kernel/dev_weight",
    "/kernel/flow_limit_cpu_bitmap",
    "/kernel/flow_limit_table_len",
    "/kernel/rps_sock_flow_entries",
    "/kernel/napi_defer_hard_irqs",
    "/kernel/gro_flush_timeout_ns",
    "/kernel/irq_suspend_timeout_ns",
    "/kernel/iptables_raw_drop",
    "/costs/hardirq",
    "/costs/irq_handler",
    "/costs/softirq_pass",
    "/costs/net_rx_action",
    "/costs/napi_poll",
    "/costs/drv_rx_pkt",
    "/costs/gro_pkt",
    "/costs/stack_skb",
    "/costs/sock_enqueue",
    "/costs/wakeup",
    "/costs/ctx_switch",
    "/costs/syscall",
    "/costs/copy_ps_per_byte",
    "/costs/app_per_msg",
    "/costs/rps_enqueue",
    "/costs/ipi_send",
    "/costs/ipi_handler",
    "/costs/tx_pkt",
    "/costs/tx_clean_pkt",
    "/costs/sock_remote_read",
    "/costs/wakeup_local",
    "/costs/ttwu_pending",
    "/costs/idle_exit_ns",
    "/costs/net_rx_jitter_ns",
    "/costs/skb_defer_flush",
    "/costs/csd_enqueue",
    "/costs/tx_gso_seg",
    "/costs/tx_desc",
    "/costs/xdp_rx_desc",
    "/costs/bpf_prog_run_xdp",
    "/costs/xsk_rcv_zc",
    "/costs/xsk_copy_ps_per_byte",
    "/costs/xdp_do_flush",
    "/costs/xdp_xmit",
    "/costs/xsk_user_desc",
    "/costs/stack_prerouting",
    "/costs/ipt_raw_drop",
    "/costs/calibration/*",
    "/costs/nicsteer_version",
    "/costs/schema_version",
    "/app/sockets",
    "/app/cpus",
    "/app/workload",
    "/app/threads",
    "/app/affinity",
    "/app/service_us",
    "/app/request_bytes",
    "/app/response_bytes",
    "/app/rtt_us",
    "/app/busy_poll",
    "/app/hog_cpus",
    "/app/acceptor",
    "/app/pool",
    "/app/msgs_per_conn",
    "/app/tx_nic",
    "/app/write_bytes",
    "/app/pmd/mode",
    "/app/pmd/burst",
    "/app/pmd/lcores",
    "/app/pmd/rx_lcores",
    "/app/pmd/ring_size",
    "/app/pmd/mempool_size",
    "/app/pmd/mempool_cache",
    "/app/pmd/work_ns",
    "/app/pmd/hugepage",
    "/app/pmd/costs/*",
    "/topology/llc",
    "/topology/smt",
    "/topology/numa",
    "/topology/numa_distance",
    "/topology/cpus",
    "/topology/packages",
    "/topology/llc_per_package",
    "/topology/threads_per_core",
    "/scheduler/ksoftirqd_policy",
    "/scheduler/latency_us",
    "/scheduler/min_granularity_us",
    "/scheduler/wakeup_granularity_us",
    "/scheduler/migration_cost_us",
    "/scheduler/balance_interval_us",
    "/scheduler/refill/*",
    "/irq_sources/*",
    "/app/udp_connected",
    "/app/ack_every",
    "/nic_b/rx_queues",
    "/nic_b/tx_queues",
    "/nic_b/ring_size",
    "/nic_b/link_mbps",
    "/nic_b/itr_us",
    "/nic_b/irq_affinity",
    "/nic_b/tx/xps_cpus",
    "/events/at_ms",
    "/events/thread",
    "/events/cpu",
    "/traffic/*",
    "/hosts/*", /* a multi-host document (sim/host/cluster.c): each host is a scenario */
    "/links/from",
    "/links/to",
    "/links/latency_us",
    "/links/gbps",
    "/outputs/mpstat_interval_ms",
    "/outputs/sysfs",
    NULL,
};

const char *const *sim_scenario_keys(void)
{
    return keys;
}

/* JSON_STRICT on the object's keys: an unknown key is an error naming it. */
bool sim_scn_check_keys(const json_t *obj, const char *path, const char *const *allowed,
                        GError **err)
{
    if (!json_is_object(obj))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: expected an object", path[0] ? path : "/");
    unsigned n = g_strv_length((char **)allowed); /* any number of keys (was <= 16) */
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool ok = false;
        for (unsigned i = 0; i < n; i++)
            ok |= strcmp(key, allowed[i]) == 0;
        if (!ok) {
            char *list = g_strjoinv(", ", (char **)allowed);
            sim_fail(err, SIM_ERROR_INPUT, "%s/%s: unknown key (expected one of: %s)", path, key,
                     list);
            g_free(list);
            return false;
        }
    }
    return true;
}

bool sim_scn_get_int(const json_t *obj, const char *key, const char *path, long long min,
                     long long max, long long def, long long *out, GError **err)
{
    const json_t *v = json_object_get(obj, key);
    char got[SIM_JSON_GOT_LEN];
    *out = def;
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return sim_fail(err, SIM_ERROR_INPUT, "%s/%s: expected integer in [%lld, %lld], got %s",
                        path, key, min, max, sim_json_got(v, got));
    *out = json_integer_value(v);
    return true;
}

bool sim_scn_get_bool(const json_t *obj, const char *key, const char *path, bool def, bool *out,
                      GError **err)
{
    const json_t *v = json_object_get(obj, key);
    char got[SIM_JSON_GOT_LEN];
    *out = def;
    if (!v)
        return true;
    if (!json_is_boolean(v))
        return sim_fail(err, SIM_ERROR_INPUT, "%s/%s: expected true or false, got %s", path, key,
                        sim_json_got(v, got));
    *out = json_is_true(v);
    return true;
}

/* An affinity entry: CPU number or CPU list string ("0-3,8"). */
bool sim_scn_parse_affinity(const json_t *v, const char *path, unsigned n_cpus,
                            struct sim_cpumask *mask, GError **err)
{
    struct sim_cpumask m = {0};
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        if (json_integer_value(v) >= n_cpus)
            return sim_fail(err, SIM_ERROR_CONFIG, "%s: CPU %lld does not exist (%u CPUs)", path,
                            json_integer_value(v), n_cpus);
        sim_cpumask_set(&m, (unsigned)json_integer_value(v));
    } else if (json_is_string(v)) {
        GError *e = NULL;
        if (!sim_cpumask_parselist(&m, json_string_value(v), SIM_NR_CPUS, &e)) {
            sim_fail(err, SIM_ERROR_INPUT, "%s: expected a CPU list like \"0-3,8\": %s", path,
                     e->message);
            g_error_free(e);
            return false;
        }
    } else {
        return sim_fail(err, SIM_ERROR_INPUT, "%s: expected a CPU number or a CPU list string",
                        path);
    }
    if (sim_cpumask_empty(&m))
        return sim_fail(err, SIM_ERROR_CONFIG, "%s: empty CPU mask", path);
    for (int c = sim_cpumask_next(&m, -1); c >= 0; c = sim_cpumask_next(&m, c))
        if ((unsigned)c >= n_cpus)
            return sim_fail(err, SIM_ERROR_CONFIG, "%s: CPU %d does not exist (%u CPUs)", path, c,
                            n_cpus);
    *mask = m;
    return true;
}

/* An IRQ affinity entry: as sim_scn_parse_affinity, or {"smp_affinity": hex} as
 * /proc/irq/N/smp_affinity takes it (write_irq_affinity: cpumask_parse_user, i.e. bitmap_parse
 * at nr_cpumask_bits: any width up to the CPUs, leading groups omitted). */
bool sim_scn_parse_irq_affinity(const json_t *v, const char *path, unsigned n_cpus,
                                struct sim_cpumask *mask, GError **err)
{
    if (!json_is_object(v))
        return sim_scn_parse_affinity(v, path, n_cpus, mask, err);
    const json_t *hex = json_object_get(v, "smp_affinity");
    if (json_object_size(v) != 1 || !json_is_string(hex))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "%s: expected {\"smp_affinity\": hex mask like \"ff,ffffffff\"}", path);
    struct sim_cpumask m;
    GError *e = NULL;
    /* Whole groups: a set CPU >= n_cpus gets the message below. */
    if (!sim_cpumask_parse(&m, json_string_value(hex), (n_cpus + 31) / 32 * 32, &e)) {
        sim_fail(err, SIM_ERROR_INPUT, "%s/smp_affinity: %s (%u CPUs)", path, e->message, n_cpus);
        g_error_free(e);
        return false;
    }
    int last = sim_cpumask_last(&m);
    if (last >= (int)n_cpus)
        return sim_fail(err, SIM_ERROR_CONFIG, "%s/smp_affinity: CPU %d does not exist (%u CPUs)",
                        path, last, n_cpus);
    if (sim_cpumask_empty(&m)) /* irq_select_affinity_usr refuses an empty mask: -EINVAL */
        return sim_fail(err, SIM_ERROR_CONFIG, "%s/smp_affinity: empty CPU mask", path);
    *mask = m;
    return true;
}

/* /nic/model: the NIC profile, 82599 when absent. */
static bool load_model(struct sim_scenario *sc, const json_t *nic, GError **err)
{
    const json_t *m = json_object_get(nic, "model");
    char got[SIM_JSON_GOT_LEN];
    if (m && !json_is_string(m))
        return sim_fail(err, SIM_ERROR_INPUT, "/nic/model: expected one of %s, got %s",
                        nic_profile_names(), sim_json_got(m, got));
    sc->profile =
        m ? nic_profile_lookup(json_string_value(m), "/nic/model", err) : nic_profile_default();
    if (sc->profile)
        sc->mc.msix_vectors = sc->profile->msix_vectors;
    return sc->profile != NULL;
}

/* Queues the NIC enables (its profile: MSI-X vectors less the "other" vector,
 * driver maximum), within what the host model holds. */
static unsigned nic_queue_limit(const struct nic_profile *p)
{
    return MIN(MIN(p->max_queues, p->msix_vectors - 1), MAX_QUEUES);
}

static bool queues_fail(const struct nic_profile *p, const char *key, unsigned n, unsigned max,
                        GError **err)
{
    if (p == nic_profile_default())
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/nic/%s: %u queues need more MSI-X vectors than the 82599 has (64, one "
                        "for other causes: at most %u queues)",
                        key, n, max);
    return sim_fail(err, SIM_ERROR_CONFIG,
                    "/nic/%s: %u queues, expected at most %u (the %s: %u queues, %u MSI-X "
                    "vectors; the host model holds %d)",
                    key, n, max, p->name, p->max_queues, p->msix_vectors, MAX_QUEUES);
}

/* /nic/offloads: ethtool -K tso / gso (NETIF_F_TSO, NETIF_F_GSO), both on by default. */
static bool load_offloads(struct sim_machine_cfg *mc, const json_t *o, GError **err)
{
    static const char *const allowed[] = {"tso", "gso", NULL};
    bool tso = true, gso = true;
    if (!o)
        return true;
    if (!json_is_object(o))
        return sim_fail(err, SIM_ERROR_INPUT, "/nic/offloads: expected an object");
    if (!sim_scn_check_keys(o, "/nic/offloads", allowed, err) ||
        !sim_scn_get_bool(o, "tso", "/nic/offloads", true, &tso, err) ||
        !sim_scn_get_bool(o, "gso", "/nic/offloads", true, &gso, err))
        return false;
    mc->no_tso = !tso;
    mc->no_gso = !gso;
    return true;
}

static bool load_nic(struct sim_scenario *sc, const json_t *nic, GError **err)
{
    static const char *const allowed[] = {"rx_queues", "tx_queues",    "ring_size",   "link_mbps",
                                          "itr_us",    "irq_affinity", "napi_weight", "gro",
                                          "steering",  "rx",           "tx",          "arfs",
                                          "model",     "offloads",     "xdp",         NULL};
    struct sim_machine_cfg *mc = &sc->mc;
    json_t *empty = json_object();
    if (!nic)
        nic = empty;
    long long v;
    bool ok = sim_scn_check_keys(nic, "/nic", allowed, err);
    if (ok)
        ok = load_model(sc, nic, err);
    unsigned max_q = sc->profile ? nic_queue_limit(sc->profile) : MAX_QUEUES;
    if (ok && (ok = sim_scn_get_int(nic, "rx_queues", "/nic", 1, 1024, 1, &v, err)))
        mc->rx_queues = (unsigned)v;
    if (ok && mc->rx_queues > max_q)
        ok = queues_fail(sc->profile, "rx_queues", mc->rx_queues, max_q, err);
    if (ok && (ok = sim_scn_get_int(nic, "tx_queues", "/nic", 1, max_q, mc->rx_queues, &v, err)))
        mc->tx_queues = (unsigned)v;
    if (ok && (ok = sim_scn_get_int(nic, "ring_size", "/nic", 64, 4096, 512, &v, err)))
        mc->ring_size = (unsigned)v;
    if (ok && mc->ring_size % 8)
        ok =
            sim_fail(err, SIM_ERROR_INPUT,
                     "/nic/ring_size: expected a multiple of 8 (IXGBE_REQ_RX_DESCRIPTOR_MULTIPLE)");
    if (ok && (ok = sim_scn_get_int(nic, "link_mbps", "/nic", 10, 400000, 10000, &v, err)))
        mc->link_mbps = (unsigned)v;
    const json_t *itr = json_object_get(nic, "itr_us");
    mc->rx_usecs = 1;
    if (ok && itr) {
        if (json_is_string(itr) && strcmp(json_string_value(itr), "adaptive") == 0)
            mc->rx_usecs = 1;
        else if (json_is_integer(itr) && json_integer_value(itr) >= 0 &&
                 json_integer_value(itr) <= 1022)
            mc->rx_usecs = (int)json_integer_value(itr);
        else if (json_is_integer(itr) && json_integer_value(itr) > 1022)
            ok = sim_fail(err, SIM_ERROR_INPUT,
                          "/nic/itr_us: expected at most 1022 (IXGBE_MAX_EITR)");
        else
            ok =
                sim_fail(err, SIM_ERROR_INPUT, "/nic/itr_us: expected integer ≥ 0 or \"adaptive\"");
    }
    unsigned qv = MIN(MAX(mc->rx_queues, mc->tx_queues), mc->n_cpus);
    const json_t *aff = json_object_get(nic, "irq_affinity");
    if (ok && aff) {
        if (!json_is_array(aff)) {
            ok = sim_fail(err, SIM_ERROR_INPUT,
                          "/nic/irq_affinity: expected an array (one CPU or CPU list per vector)");
        } else if (json_array_size(aff) > qv) {
            ok = sim_fail(err, SIM_ERROR_CONFIG,
                          "/nic/irq_affinity/%u: vector %u does not exist (%u queue vectors = "
                          "min(max(rx, tx queues), CPUs))",
                          qv, qv, qv);
        } else {
            for (size_t i = 0; ok && i < json_array_size(aff); i++) {
                char *p = g_strdup_printf("/nic/irq_affinity/%zu", i);
                ok = sim_scn_parse_irq_affinity(json_array_get(aff, i), p, mc->n_cpus,
                                                &sc->affinity[i], err);
                g_free(p);
            }
            mc->affinity = sc->affinity;
            mc->n_affinity = (unsigned)json_array_size(aff);
        }
    }
    const json_t *w = json_object_get(nic, "napi_weight");
    if (ok && w) {
        if (json_is_integer(w) && json_integer_value(w) >= 1 && json_integer_value(w) <= 1024) {
            for (unsigned i = 0; i < qv; i++)
                sc->weight[i] = (int)json_integer_value(w);
            mc->n_napi_weight = qv;
        } else if (json_is_array(w) && json_array_size(w) <= qv) {
            for (size_t i = 0; ok && i < json_array_size(w); i++) {
                const json_t *e = json_array_get(w, i);
                if (!json_is_integer(e) || json_integer_value(e) < 1 ||
                    json_integer_value(e) > 1024)
                    ok = sim_fail(err, SIM_ERROR_INPUT,
                                  "/nic/napi_weight/%zu: expected integer in [1, 1024]", i);
                else
                    sc->weight[i] = (int)json_integer_value(e);
            }
            for (size_t i = json_array_size(w); i < qv; i++)
                sc->weight[i] = 64;
            mc->n_napi_weight = qv;
        } else if (json_is_array(w)) {
            ok = sim_fail(err, SIM_ERROR_CONFIG,
                          "/nic/napi_weight/%u: vector %u does not exist (%u queue vectors)", qv,
                          qv, qv);
        } else {
            ok = sim_fail(err, SIM_ERROR_INPUT,
                          "/nic/napi_weight: expected integer in [1, 1024] or an array of them");
        }
        mc->napi_weight = sc->weight;
    }
    if (ok)
        ok = sim_scn_get_bool(nic, "gro", "/nic", true, &mc->gro, err);
    if (ok)
        ok = load_offloads(mc, json_object_get(nic, "offloads"), err);
    if (ok)
        ok = sim_scn_load_xdp(sc, json_object_get(nic, "xdp"), err);
    sc->steering = json_object_get(nic, "steering");
    if (ok && sc->steering && !json_is_object(sc->steering))
        ok = sim_fail(err, SIM_ERROR_INPUT, "/nic/steering: expected an object");
    json_decref(empty);
    return ok;
}

static bool load_kernel(struct sim_scenario *sc, const json_t *k, GError **err)
{
    static const char *const allowed[] = {"release",
                                          "netdev_budget",
                                          "netdev_budget_usecs",
                                          "gro_normal_batch",
                                          "rmem_default",
                                          "sched_slice_us",
                                          "netdev_max_backlog",
                                          "dev_weight",
                                          "flow_limit_cpu_bitmap",
                                          "flow_limit_table_len",
                                          "rps_sock_flow_entries",
                                          "napi_defer_hard_irqs",
                                          "gro_flush_timeout_ns",
                                          "irq_suspend_timeout_ns",
                                          "iptables_raw_drop",
                                          NULL};
    struct kern_params *p = &sc->mc.kp;
    if (!k)
        return true;
    long long v;
    if (!sim_scn_check_keys(k, "/kernel", allowed, err))
        return false;
    const json_t *rel = json_object_get(k, "release");
    char got[SIM_JSON_GOT_LEN];
    if (rel &&
        !(json_is_string(rel) && kern_version_parse(json_string_value(rel), &p->kernel_version)))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/kernel/release: expected a kernel release like \"6.12\" or "
                        "\"6.8.0-45-generic\", got %s",
                        sim_json_got(rel, got));
    if (!sim_scn_get_int(k, "netdev_budget", "/kernel", 1, 1000000, p->netdev_budget, &v, err))
        return false;
    p->netdev_budget = (int)v;
    if (!sim_scn_get_int(k, "netdev_budget_usecs", "/kernel", 1, 10000000, p->netdev_budget_usecs,
                         &v, err))
        return false;
    p->netdev_budget_usecs = (unsigned)v;
    if (!sim_scn_get_int(k, "gro_normal_batch", "/kernel", 1, 64, p->gro_normal_batch, &v, err))
        return false;
    p->gro_normal_batch = (unsigned)v;
    if (!sim_scn_get_int(k, "rmem_default", "/kernel", KERN_SKB_TRUESIZE, 1 << 30, p->rmem_default,
                         &v, err))
        return false;
    p->rmem_default = (uint32_t)v;
    if (!sim_scn_get_int(k, "sched_slice_us", "/kernel", 100, 1000000,
                         (long long)(p->sched_slice_ns / 1000), &v, err))
        return false;
    p->sched_slice_ns = (uint64_t)v * 1000;
    /* /sys/class/net/DEV/napi_defer_hard_irqs (napi_defer_hard_irqs_store: <= S32_MAX) */
    if (!sim_scn_get_int(k, "napi_defer_hard_irqs", "/kernel", 0, INT32_MAX,
                         p->napi_defer_hard_irqs, &v, err))
        return false;
    p->napi_defer_hard_irqs = (uint32_t)v;
    if (!sim_scn_get_int(k, "gro_flush_timeout_ns", "/kernel", 0, 1000000000,
                         (long long)p->gro_flush_timeout_ns, &v, err))
        return false;
    p->gro_flush_timeout_ns = (uint64_t)v;
    if (!sim_scn_get_int(k, "irq_suspend_timeout_ns", "/kernel", 0, 1000000000,
                         (long long)p->irq_suspend_timeout_ns, &v, err))
        return false;
    /* commit "net: Suspend softirq when prefer_busy_poll is set", Linux 6.13 */
    if (v && p->kernel_version < KERN_VERSION(6, 13))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/kernel/irq_suspend_timeout_ns: needs /kernel/release 6.13 or later, got "
                        "%u.%u",
                        p->kernel_version / 100, p->kernel_version % 100);
    p->irq_suspend_timeout_ns = (uint64_t)v;
    /* iptables -t raw -A PREROUTING -j DROP (models/kernel/sock.c) */
    return sim_scn_get_bool(k, "iptables_raw_drop", "/kernel", false, &sc->mc.ipt_raw_drop, err);
}

bool sim_scn_get_us(const json_t *obj, const char *key, const char *path, long long min,
                    long long max, uint64_t def_ns, uint64_t *out_ns, GError **err)
{
    long long v = 0;
    if (!sim_scn_get_int(obj, key, path, min, max, (long long)(def_ns / 1000), &v, err))
        return false;
    *out_ns = (uint64_t)v * 1000;
    return true;
}

/* /scheduler: the fair class's tunables and ksoftirqd's policy. */
static bool load_scheduler(struct sim_scenario *sc, const json_t *o, GError **err)
{
    static const char *const allowed[] = {"ksoftirqd_policy",
                                          "latency_us",
                                          "min_granularity_us",
                                          "wakeup_granularity_us",
                                          "migration_cost_us",
                                          "balance_interval_us",
                                          "refill",
                                          NULL};
    struct cpus_sched_cfg *c = &sc->sched;
    cpus_sched_cfg_defaults(c);
    c->min_granularity_ns = sc->mc.kp.sched_slice_ns;
    if (!o)
        return true;
    if (!sim_scn_check_keys(o, "/scheduler", allowed, err))
        return false;
    const json_t *p = json_object_get(o, "ksoftirqd_policy");
    if (p) {
        if (!json_is_string(p) || (strcmp(json_string_value(p), "other") != 0 &&
                                   strcmp(json_string_value(p), "fifo") != 0))
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/scheduler/ksoftirqd_policy: expected \"other\" or \"fifo\"");
        c->ksoftirqd_fifo = strcmp(json_string_value(p), "fifo") == 0;
    }
    long long v;
    if (!sim_scn_get_us(o, "latency_us", "/scheduler", 100, 1000000, c->latency_ns, &c->latency_ns,
                        err) ||
        !sim_scn_get_us(o, "min_granularity_us", "/scheduler", 50, 1000000, c->min_granularity_ns,
                        &c->min_granularity_ns, err) ||
        !sim_scn_get_us(o, "wakeup_granularity_us", "/scheduler", 0, 1000000,
                        c->wakeup_granularity_ns, &c->wakeup_granularity_ns, err) ||
        !sim_scn_get_us(o, "balance_interval_us", "/scheduler", 0, 10000000, c->balance_interval_ns,
                        &c->balance_interval_ns, err))
        return false;
    if (!sim_scn_get_int(o, "migration_cost_us", "/scheduler", -1, 1000000,
                         c->migration_cost_ns / 1000, &v, err))
        return false;
    c->migration_cost_ns = v < 0 ? -1 : v * 1000;
    if (c->min_granularity_ns > c->latency_ns)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/scheduler/min_granularity_us: %llu exceeds /scheduler/latency_us %llu",
                        (unsigned long long)(c->min_granularity_ns / 1000),
                        (unsigned long long)(c->latency_ns / 1000));
    const json_t *r = json_object_get(o, "refill");
    if (r && !cpus_migrate_cost_from_json(r, "/scheduler/refill", &c->refill, err))
        return false;
    return true;
}

/* /topology: LLC groups, SMT siblings, NUMA nodes (models/sched/topology.c). Built per
 * run; checked here once. */
struct cpus_topology *sim_scenario_topology(const json_t *o, unsigned n_cpus, GError **err)
{
    if (!o)
        return cpus_topology_new_flat((int)n_cpus);
    if (!json_is_object(o)) {
        sim_fail(err, SIM_ERROR_INPUT, "/topology: expected an object");
        return NULL;
    }
    const json_t *c = json_object_get(o, "cpus");
    if (c && (!json_is_integer(c) || json_integer_value(c) != (json_int_t)n_cpus)) {
        sim_fail(err, SIM_ERROR_CONFIG, "/topology/cpus: expected %u (the /cpus count)", n_cpus);
        return NULL;
    }
    json_t *copy = json_copy((json_t *)o);
    json_object_set_new(copy, "cpus", json_integer(n_cpus));
    struct cpus_topology *t = cpus_topology_from_json(copy, "/topology", err);
    json_decref(copy);
    return t;
}

/* /irq_sources: other devices interrupting a CPU at a fixed rate, each raising its own
 * softirq vector with work to do (a storage completion path, a timer). */
static bool load_irq_sources(struct sim_scenario *sc, const json_t *o, GError **err)
{
    static const char *const allowed[] = {"name",    "cpu",        "rate_hz", "hardirq_ns",
                                          "softirq", "softirq_ns", NULL};
    static const char *const vec[] = {"hi",       "timer",   "net_tx", "net_rx",  "block",
                                      "irq_poll", "tasklet", "sched",  "hrtimer", "rcu"};
    if (!o)
        return true;
    if (!json_is_array(o) || json_array_size(o) > SIM_MAX_IRQ_SOURCES)
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/irq_sources: expected an array of at most %d devices",
                        SIM_MAX_IRQ_SOURCES);
    for (size_t i = 0; i < json_array_size(o); i++) {
        const json_t *d = json_array_get(o, i);
        struct sim_irq_source *src = &sc->irqsrc[i];
        char *path = g_strdup_printf("/irq_sources/%zu", i);
        long long v = 0; /* read only when ok; 0 keeps the error path defined */
        bool ok = sim_scn_check_keys(d, path, allowed, err);
        const json_t *nm = ok ? json_object_get(d, "name") : NULL;
        if (ok && nm && !json_is_string(nm))
            ok = sim_fail(err, SIM_ERROR_INPUT, "%s/name: expected a string", path);
        g_snprintf(src->name, sizeof src->name, "%s", nm ? json_string_value(nm) : "dev");
        if (ok && (ok = sim_scn_get_int(d, "cpu", path, 0, LLONG_MAX, 0, &v, err)) &&
            v >= (long long)sc->mc.n_cpus)
            ok = sim_fail(err, SIM_ERROR_CONFIG, "%s/cpu: CPU %lld does not exist (%u CPUs)", path,
                          v, sc->mc.n_cpus);
        src->cpu = (unsigned)v;
        if (ok && (ok = sim_scn_get_int(d, "rate_hz", path, 1, 10000000, 1000, &v, err)))
            src->period_ns = (uint64_t)(1000000000ll / v);
        if (ok && (ok = sim_scn_get_int(d, "hardirq_ns", path, 0, 1000000, 500, &v, err)))
            src->hardirq_ns = (uint32_t)v;
        if (ok && (ok = sim_scn_get_int(d, "softirq_ns", path, 0, 10000000, 0, &v, err)))
            src->softirq_ns = (uint64_t)v;
        const json_t *sv = ok ? json_object_get(d, "softirq") : NULL;
        src->softirq = BLOCK_SOFTIRQ;
        if (sv) {
            int nr = -1;
            for (int k = 0; json_is_string(sv) && k < NR_SOFTIRQS; k++)
                if (strcmp(json_string_value(sv), vec[k]) == 0)
                    nr = k;
            if (nr < 0 || nr == NET_RX_SOFTIRQ)
                ok = sim_fail(err, SIM_ERROR_INPUT,
                              "%s/softirq: expected one of hi, timer, net_tx, block, irq_poll, "
                              "tasklet, sched, hrtimer, rcu",
                              path);
            src->softirq = nr;
        }
        g_free(path);
        if (!ok)
            return false;
    }
    sc->n_irqsrc = (unsigned)json_array_size(o);
    return true;
}

/* /outputs: optional result files (sim_run_new applies them). */
static bool load_outputs(struct sim_scenario *sc, const json_t *o, GError **err)
{
    static const char *const allowed[] = {"mpstat_interval_ms", "sysfs", NULL};
    if (!o)
        return true;
    if (!sim_scn_check_keys(o, "/outputs", allowed, err) ||
        !sim_scn_get_bool(o, "sysfs", "/outputs", false, &sc->sysfs, err))
        return false;
    const json_t *iv = json_object_get(o, "mpstat_interval_ms");
    if (!iv)
        return true;
    double ms = json_is_number(iv) ? json_number_value(iv) : -1;
    char got[SIM_JSON_GOT_LEN];
    if (!(ms >= 0.1 && ms <= 3.6e6 && fabs(ms * 1e3 - round(ms * 1e3)) < 1e-6))
        return sim_fail(
            err, SIM_ERROR_INPUT,
            "/outputs/mpstat_interval_ms: expected 0.1 to 3600000 ms in whole us, got %s",
            sim_json_got(iv, got));
    sc->mpstat_interval_ns = (uint64_t)llround(ms * 1e3) * 1000u;
    return true;
}

uint64_t sim_scenario_mpstat_interval_ns(const struct sim_scenario *sc)
{
    return sc->mpstat_interval_ns;
}

static bool load_root(struct sim_scenario *sc, GError **err)
{
    static const char *const allowed[] = {
        "description", "seed",   "duration_ms", "cpus",    "hz",       "nic",
        "kernel",      "costs",  "app",         "traffic", "topology", "scheduler",
        "irq_sources", "events", "nic_b",       "outputs", NULL};
    const json_t *root = sc->root;
    if (!sim_scn_check_keys(root, "", allowed, err))
        return false;
    const json_t *d = json_object_get(root, "description");
    if (d && !json_is_string(d))
        return sim_fail(err, SIM_ERROR_INPUT, "/description: expected a string");
    long long v;
    if (!sim_scn_get_int(root, "seed", "", 0, LLONG_MAX, 1, &v, err))
        return false;
    sc->seed = (uint64_t)v;
    const json_t *dur = json_object_get(root, "duration_ms");
    if (dur) {
        if (!json_is_number(dur) || json_number_value(dur) <= 0 || json_number_value(dur) > 3600e3)
            return sim_fail(err, SIM_ERROR_INPUT, "/duration_ms: expected a number > 0 (ms)");
        sc->duration_ns = (uint64_t)llround(json_number_value(dur) * 1e6);
    }
    if (!sim_scn_get_int(root, "cpus", "", 1, MAX_CPUS, 4, &v, err))
        return false;
    sc->mc.n_cpus = (unsigned)v;
    if (!sim_scn_get_int(root, "hz", "", 100, 1000, 1000, &v, err))
        return false;
    if (v != 100 && v != 250 && v != 300 && v != 1000)
        return sim_fail(err, SIM_ERROR_INPUT, "/hz: expected 100, 250, 300 or 1000 (CONFIG_HZ)");
    kern_params_defaults(&sc->mc.kp);
    sc->mc.kp.hz = (unsigned)v;
    sc->mc.kp.netdev_budget_usecs = 2 * 1000000 / sc->mc.kp.hz;
    kern_cost_defaults(&sc->mc.cost);
    if (!load_nic(sc, json_object_get(root, "nic"), err) ||
        !load_kernel(sc, json_object_get(root, "kernel"), err) ||
        !kern_cost_load(&sc->mc.cost, json_object_get(root, "costs"), "/costs", err) ||
        !sim_scn_load_app(sc, json_object_get(root, "app"), err) ||
        !load_scheduler(sc, json_object_get(root, "scheduler"), err) ||
        !load_irq_sources(sc, json_object_get(root, "irq_sources"), err) ||
        !load_outputs(sc, json_object_get(root, "outputs"), err) ||
        !sim_scenario_rps_load(&sc->rps, root, sc->mc.n_cpus, sc->mc.rx_queues, sc->mc.tx_queues,
                               err))
        return false;
    sc->sink.ack_every = sc->rps.ack_every;
    sc->topology = json_object_get(root, "topology");
    struct cpus_topology *t = sim_scenario_topology(sc->topology, sc->mc.n_cpus, err);
    if (!t)
        return false;
    cpus_topology_free(t);
    sc->traffic = json_object_get(root, "traffic");
    if (!sc->traffic || !json_is_object(sc->traffic))
        return sim_fail(err, SIM_ERROR_INPUT, "/traffic: expected an object (required)");
    if (!sim_scn_check_xdp(sc, err))
        return false;
    return !sc->no_listener ||
           sim_scn_check_no_listener(json_object_get(root, "app"), sc->traffic, err);
}

/* A trial link for a host of a multi-host run: its frames go nowhere. */
static void trial_wire_out(void *ctx, unsigned dev, const struct traffic_pkt *p, uint64_t first_ns)
{
    (void)ctx, (void)dev, (void)p, (void)first_ns;
}

static struct sim_scenario *scenario_from_json(const json_t *root, const char *name,
                                               const char *base_dir, bool host, GError **err);

struct sim_scenario *sim_scenario_from_json(const json_t *root, const char *name,
                                            const char *base_dir, GError **err)
{
    return scenario_from_json(root, name, base_dir, false, err);
}

struct sim_scenario *sim_scenario_host_from_json(const json_t *root, const char *name,
                                                 const char *base_dir, GError **err)
{
    return scenario_from_json(root, name, base_dir, true, err);
}

static struct sim_scenario *scenario_from_json(const json_t *root, const char *name,
                                               const char *base_dir, bool host, GError **err)
{
    struct sim_scenario *sc = g_new0(struct sim_scenario, 1);
    sc->name = g_strdup(name);
    sc->base_dir = g_strdup(base_dir ? base_dir : ".");
    sc->root = json_deep_copy(root);
    if (!load_root(sc, err)) {
        sim_error_prefix(err, "%s", name);
        sim_scenario_free(sc);
        return NULL;
    }
    /* Build once to let the traffic and steering libraries validate. */
    struct sim_run_link trial = {.wire_out = trial_wire_out};
    struct sim_run *r =
        host ? sim_run_new_linked(sc, sc->seed, &trial, err) : sim_run_new(sc, sc->seed, err);
    if (!r) {
        sim_scenario_free(sc);
        return NULL;
    }
    sim_run_free(r);
    return sc;
}

struct sim_scenario *sim_scenario_load(const char *path, GError **err)
{
    return sim_scenario_load_set(path, NULL, err);
}

struct sim_scenario *sim_scenario_load_set(const char *path, char *const *sets, GError **err)
{
    json_t *root = sim_file_load_json(path, JSON_REJECT_DUPLICATES, err);
    if (!root)
        return NULL;
    for (char *const *s = sets; s && *s; s++)
        if (!sim_json_set(root, *s, err)) {
            json_decref(root);
            return NULL;
        }
    char *dir = g_path_get_dirname(path);
    struct sim_scenario *sc = sim_scenario_from_json(root, path, dir, err);
    g_free(dir);
    json_decref(root);
    return sc;
}

void sim_scenario_free(struct sim_scenario *sc)
{
    if (!sc)
        return;
    json_decref(sc->root);
    sim_scenario_rps_clear(&sc->rps);
    g_free(sc->sock_cpus);
    g_free(sc->name);
    g_free(sc->base_dir);
    g_free(sc);
}

const json_t *sim_scenario_json(const struct sim_scenario *sc)
{
    return sc->root;
}

uint64_t sim_scenario_seed(const struct sim_scenario *sc)
{
    return sc->seed;
}

unsigned sim_scenario_link_mbps(const struct sim_scenario *sc)
{
    return sc->mc.link_mbps;
}
