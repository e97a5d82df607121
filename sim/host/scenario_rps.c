/* Scenario keys of software steering, as the sysfs/sysctl files take them:
 * rps_cpus / xps_cpus / xps_rxqs in bitmap_parse hex form (or *_list in
 * bitmap_parselist form), rps_flow_cnt and rps_sock_flow_entries with the
 * kernel's limits (net-sysfs.c store_rps_dev_flow_table_cnt,
 * sysctl_net_core.c rps_sock_flow_sysctl / flow_limit_table_len_sysctl). */
#include "sim/host/scenario_rps.h"

#include <math.h>
#include <string.h>

#include "models/kernel/rfs.h"
#include "sim/core/err.h"
#include "sim/host/scenario_priv.h"

/* A mask value: hex (sysfs form) or list form; every id must be < n_ids. The store
 * functions call bitmap_parse(buf, len, mask, nr_cpu_ids): a mask of any width up to n_ids
 * bits (leading groups may be omitted), more groups than n_ids needs is -EOVERFLOW. */
static bool parse_mask(const json_t *v, bool list, const char *path, unsigned n_ids,
                       const char *what, struct sim_cpumask *m, GError **err)
{
    if (!json_is_string(v))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: expected a string (%s)", path,
                        list ? "list like \"0-3,8\""
                             : "hex mask like \"ffff\" or \"00000000,0000ffff\"");
    GError *e = NULL;
    /* Whole groups here, so that a set bit >= n_ids gets the message below. */
    bool ok = list ? sim_cpumask_parselist(m, json_string_value(v), SIM_NR_CPUS, &e)
                   : sim_cpumask_parse(m, json_string_value(v), (n_ids + 31) / 32 * 32, &e);
    if (!ok) {
        sim_fail(err, SIM_ERROR_INPUT, "%s: %s (%u %ss)", path, e->message, n_ids, what);
        g_error_free(e);
        return false;
    }
    int last = -1;
    for (int c = sim_cpumask_next(m, -1); c >= 0; c = sim_cpumask_next(m, c))
        last = c;
    if (last >= (int)n_ids)
        return sim_fail(err, SIM_ERROR_CONFIG, "%s: %s %d does not exist (%u %ss)", path, what,
                        last, n_ids, what);
    return true;
}

static bool load_rx_queue(struct sim_rps_cfg *c, const json_t *o, const char *path, unsigned q0,
                          unsigned q1, unsigned n_cpus, GError **err)
{
    json_t *hex = NULL, *list = NULL, *cnt = NULL;
    json_error_t je;
    if (json_unpack_ex((json_t *)o, &je, JSON_STRICT, "{s?o, s?o, s?o}", "rps_cpus", &hex,
                       "rps_cpus_list", &list, "rps_flow_cnt", &cnt))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "%s: %s (keys: rps_cpus, rps_cpus_list, rps_flow_cnt)", path, je.text);
    if (hex && list)
        return sim_fail(err, SIM_ERROR_INPUT, "%s: give rps_cpus or rps_cpus_list, not both", path);
    struct sim_cpumask m = {0};
    g_autofree char *mp = g_strdup_printf("%s/%s", path, hex ? "rps_cpus" : "rps_cpus_list");
    if ((hex || list) && !parse_mask(hex ? hex : list, list != NULL, mp, n_cpus, "CPU", &m, err))
        return false;
    uint64_t n = 0;
    if (cnt) {
        /* kstrtoul into an unsigned long, then the u32 mask check */
        if (!json_is_integer(cnt) || json_integer_value(cnt) < 0)
            return sim_fail(err, SIM_ERROR_INPUT, "%s/rps_flow_cnt: expected an integer >= 0",
                            path);
        n = (uint64_t)json_integer_value(cnt);
        struct kern_rps_dev_flow_table *t = NULL;
        GError *e = NULL;
        if (n > (UINT64_C(1) << 32) || n > KERN_RPS_DEV_FLOW_MODEL_MAX) {
            kern_rps_dev_flow_table_create(n, &t, &e);
            sim_fail(err, SIM_ERROR_CONFIG, "%s/rps_flow_cnt: %s", path, e->message);
            g_error_free(e);
            return false;
        }
    }
    for (unsigned q = q0; q < q1; q++) {
        c->rps_cpus[q] = m;
        c->rps_flow_cnt[q] = n;
    }
    c->on |= !sim_cpumask_empty(&m) || n > 0;
    return true;
}

static bool load_rx(struct sim_rps_cfg *c, const json_t *rx, unsigned n_cpus, unsigned nq,
                    GError **err)
{
    if (json_is_object(rx))
        return load_rx_queue(c, rx, "/nic/rx", 0, nq, n_cpus, err);
    if (!json_is_array(rx))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/nic/rx: expected an object (every RX queue) or an array (one per queue)");
    if (json_array_size(rx) > nq)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/nic/rx/%u: queue rx-%u does not exist (%u RX queues)", nq, nq, nq);
    for (unsigned q = 0; q < json_array_size(rx); q++) {
        g_autofree char *p = g_strdup_printf("/nic/rx/%u", q);
        const json_t *o = json_array_get(rx, q);
        if (!json_is_object(o))
            return sim_fail(err, SIM_ERROR_INPUT, "%s: expected an object", p);
        if (!load_rx_queue(c, o, p, q, q + 1, n_cpus, err))
            return false;
    }
    return true;
}

static bool load_tx(struct sim_rps_cfg *c, const json_t *tx, unsigned n_cpus, unsigned nrx,
                    unsigned ntx, GError **err)
{
    if (!json_is_array(tx))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/nic/tx: expected an array (one object per TX queue)");
    if (json_array_size(tx) > ntx)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/nic/tx/%u: queue tx-%u does not exist (%u TX queues)", ntx, ntx, ntx);
    for (unsigned q = 0; q < json_array_size(tx); q++) {
        g_autofree char *p = g_strdup_printf("/nic/tx/%u", q);
        json_t *cpus = NULL, *rxqs = NULL;
        json_error_t je;
        if (json_unpack_ex(json_array_get(tx, q), &je, JSON_STRICT, "{s?o, s?o}", "xps_cpus", &cpus,
                           "xps_rxqs", &rxqs))
            return sim_fail(err, SIM_ERROR_INPUT, "%s: %s (keys: xps_cpus, xps_rxqs)", p, je.text);
        g_autofree char *pc = g_strdup_printf("%s/xps_cpus", p);
        g_autofree char *pr = g_strdup_printf("%s/xps_rxqs", p);
        if (cpus && !parse_mask(cpus, false, pc, n_cpus, "CPU", &c->xps_cpus[q], err))
            return false;
        if (rxqs && !parse_mask(rxqs, false, pr, nrx, "RX queue", &c->xps_rxqs[q], err))
            return false;
    }
    c->xps_given = json_array_size(tx) > 0;
    return true;
}

static bool get_int(const json_t *obj, const char *key, const char *path, long long min,
                    long long max, long long *out, GError **err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return sim_fail(err, SIM_ERROR_INPUT, "%s/%s: expected integer in [%lld, %lld]", path, key,
                        min, max);
    *out = json_integer_value(v);
    return true;
}

static bool load_kernel(struct sim_rps_cfg *c, const json_t *k, unsigned n_cpus, GError **err)
{
    struct kern_rps_params *p = &c->p;
    long long v = p->netdev_max_backlog;
    if (!get_int(k, "netdev_max_backlog", "/kernel", 0, INT32_MAX, &v, err))
        return false;
    p->netdev_max_backlog = (int)v;
    v = p->dev_weight;
    if (!get_int(k, "dev_weight", "/kernel", 1, 1024, &v, err))
        return false;
    p->dev_weight = (int)v;
    v = p->flow_limit_table_len;
    if (!get_int(k, "flow_limit_table_len", "/kernel", 1, 1 << 16, &v, err))
        return false;
    if (v & (v - 1))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/kernel/flow_limit_table_len: %lld: expected a power of two (the sysctl "
                        "returns EINVAL)",
                        v);
    p->flow_limit_table_len = (unsigned)v;
    const json_t *fl = json_object_get(k, "flow_limit_cpu_bitmap");
    if (fl && !parse_mask(fl, false, "/kernel/flow_limit_cpu_bitmap", n_cpus, "CPU",
                          &p->flow_limit_cpus, err))
        return false;
    const json_t *e = json_object_get(k, "rps_sock_flow_entries");
    if (e) {
        if (!json_is_integer(e))
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/kernel/rps_sock_flow_entries: expected an integer");
        json_int_t n = json_integer_value(e);
        if (n < 0 || n > (json_int_t)KERN_RPS_SOCK_FLOW_MAX)
            return sim_fail(
                err, SIM_ERROR_CONFIG,
                "/kernel/rps_sock_flow_entries: %lld: expected 0..%u (rps_sock_flow_sysctl "
                "returns EINVAL)",
                (long long)n, KERN_RPS_SOCK_FLOW_MAX);
        p->rps_sock_flow_entries = n;
        c->on |= n > 0;
    }
    return true;
}

bool sim_scenario_fdir_perfect(const json_t *steering);

/* /nic_b: the second NIC (eth1). */
static bool load_nic_b(struct sim_rps_cfg *c, const json_t *o, unsigned n_cpus, GError **err)
{
    json_t *rxq = NULL, *txq = NULL, *ring = NULL, *link = NULL, *itr = NULL, *aff = NULL,
           *tx = NULL;
    json_error_t je;
    if (json_unpack_ex((json_t *)o, &je, JSON_STRICT, "{s?o, s?o, s?o, s?o, s?o, s?o, s?o}",
                       "rx_queues", &rxq, "tx_queues", &txq, "ring_size", &ring, "link_mbps", &link,
                       "itr_us", &itr, "irq_affinity", &aff, "tx", &tx))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/nic_b: %s (keys: rx_queues, tx_queues, ring_size, link_mbps, itr_us, "
                        "irq_affinity, tx)",
                        je.text);
    struct sim_nic_b *b = &c->nic_b;
    long long v = 1;
    if (!get_int(o, "rx_queues", "/nic_b", 1, 63, &v, err))
        return false;
    b->rx_queues = (unsigned)v;
    if (!get_int(o, "tx_queues", "/nic_b", 1, 63, &v, err))
        return false;
    b->tx_queues = (unsigned)v;
    v = 512;
    if (!get_int(o, "ring_size", "/nic_b", 64, 4096, &v, err))
        return false;
    if (v % 8)
        return sim_fail(err, SIM_ERROR_INPUT, "/nic_b/ring_size: expected a multiple of 8");
    b->ring_size = (unsigned)v;
    v = 10000;
    if (!get_int(o, "link_mbps", "/nic_b", 10, 400000, &v, err))
        return false;
    b->link_mbps = (unsigned)v;
    b->rx_usecs = 1;
    if (itr && !(json_is_string(itr) && !strcmp(json_string_value(itr), "adaptive"))) {
        if (!json_is_integer(itr) || json_integer_value(itr) < 0 || json_integer_value(itr) > 1022)
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/nic_b/itr_us: expected integer in [0, 1022] or \"adaptive\"");
        b->rx_usecs = (int)json_integer_value(itr);
    }
    unsigned qv = MIN(MAX(b->rx_queues, b->tx_queues), n_cpus);
    if (aff) {
        if (!json_is_array(aff) || json_array_size(aff) > qv)
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/nic_b/irq_affinity: expected an array of at most %u CPU lists (one "
                            "per queue vector)",
                            qv);
        for (unsigned i = 0; i < json_array_size(aff); i++) {
            g_autofree char *p = g_strdup_printf("/nic_b/irq_affinity/%u", i);
            if (!sim_scn_parse_irq_affinity(json_array_get(aff, i), p, n_cpus,
                                            &c->nic_b_affinity[i], err))
                return false;
        }
        b->affinity = c->nic_b_affinity;
        b->n_affinity = (unsigned)json_array_size(aff);
    }
    if (tx) {
        if (!json_is_array(tx) || json_array_size(tx) > b->tx_queues)
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/nic_b/tx: expected an array of at most %u {\"xps_cpus\"} objects",
                            b->tx_queues);
        for (unsigned q = 0; q < json_array_size(tx); q++) {
            g_autofree char *p = g_strdup_printf("/nic_b/tx/%u", q);
            json_t *cpus = NULL;
            if (json_unpack_ex(json_array_get(tx, q), &je, JSON_STRICT, "{s?o}", "xps_cpus", &cpus))
                return sim_fail(err, SIM_ERROR_INPUT, "%s: %s (keys: xps_cpus)", p, je.text);
            g_autofree char *pc = g_strdup_printf("%s/xps_cpus", p);
            if (cpus && !parse_mask(cpus, false, pc, n_cpus, "CPU", &c->nic_b_xps[q], err))
                return false;
        }
        b->xps_cpus = c->nic_b_xps;
    }
    c->has_nic_b = true;
    return true;
}

static bool load_events(struct sim_rps_cfg *c, const json_t *ev, GError **err)
{
    if (!json_is_array(ev))
        return sim_fail(err, SIM_ERROR_INPUT, "/events: expected an array of {at_ms, thread, cpu}");
    if (json_array_size(ev) > SIM_MAX_EVENTS)
        return sim_fail(err, SIM_ERROR_INPUT, "/events: at most %d events", SIM_MAX_EVENTS);
    c->events = g_new0(struct sim_thread_move, json_array_size(ev) + 1);
    for (unsigned i = 0; i < json_array_size(ev); i++) {
        json_t *at = NULL;
        json_int_t th = -1, cpu = -1;
        json_error_t je;
        if (json_unpack_ex(json_array_get(ev, i), &je, JSON_STRICT, "{s:o, s:I, s:I}", "at_ms", &at,
                           "thread", &th, "cpu", &cpu))
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/events/%u: %s (expected {\"at_ms\": ms, \"thread\": n, \"cpu\": n})",
                            i, je.text);
        if (!json_is_number(at) || json_number_value(at) < 0)
            return sim_fail(err, SIM_ERROR_INPUT, "/events/%u/at_ms: expected a number >= 0 (ms)",
                            i);
        if (th < 0 || cpu < 0)
            return sim_fail(err, SIM_ERROR_INPUT, "/events/%u: thread and cpu must be >= 0", i);
        uint64_t at_ns = (uint64_t)llround(json_number_value(at) * 1e6);
        if (i > 0 && at_ns < c->events[i - 1].at_ns)
            return sim_fail(err, SIM_ERROR_INPUT, "/events/%u/at_ms: events must be in time order",
                            i);
        c->events[i] = (struct sim_thread_move){at_ns, (unsigned)th, (unsigned)cpu};
    }
    c->n_events = (unsigned)json_array_size(ev);
    return true;
}

bool sim_scenario_rps_load(struct sim_rps_cfg *c, const json_t *root, unsigned n_cpus,
                           unsigned rx_queues, unsigned tx_queues, GError **err)
{
    memset(c, 0, sizeof *c);
    kern_rps_params_defaults(&c->p);
    const json_t *nic = json_object_get(root, "nic"), *k = json_object_get(root, "kernel");
    const json_t *app = json_object_get(root, "app"), *ev = json_object_get(root, "events");
    const json_t *rx = nic ? json_object_get(nic, "rx") : NULL;
    const json_t *tx = nic ? json_object_get(nic, "tx") : NULL;
    const json_t *arfs = nic ? json_object_get(nic, "arfs") : NULL;
    if (rx_queues > SIM_RPS_MAX_QUEUES || tx_queues > SIM_RPS_MAX_QUEUES)
        return sim_fail(err, SIM_ERROR_CONFIG, "/nic: at most %d queues", SIM_RPS_MAX_QUEUES);
    if (rx && !load_rx(c, rx, n_cpus, rx_queues, err))
        return false;
    if (tx && !load_tx(c, tx, n_cpus, rx_queues, tx_queues, err))
        return false;
    if (arfs && !json_is_boolean(arfs))
        return sim_fail(err, SIM_ERROR_INPUT, "/nic/arfs: expected true or false");
    c->arfs = json_is_true(arfs);
    if (k && !load_kernel(c, k, n_cpus, err))
        return false;
    const json_t *uc = app ? json_object_get(app, "udp_connected") : NULL;
    if (uc && !json_is_boolean(uc))
        return sim_fail(err, SIM_ERROR_INPUT, "/app/udp_connected: expected true or false");
    c->p.udp_connected = json_is_true(uc);
    const json_t *ack = app ? json_object_get(app, "ack_every") : NULL;
    if (ack &&
        (!json_is_integer(ack) || json_integer_value(ack) < 0 || json_integer_value(ack) > 1000000))
        return sim_fail(err, SIM_ERROR_INPUT, "/app/ack_every: expected integer in [0, 1000000]");
    c->ack_every = ack ? (unsigned)json_integer_value(ack) : 0;
    if (ev && !load_events(c, ev, err))
        return false;
    const json_t *nb = json_object_get(root, "nic_b");
    if (nb && !json_is_object(nb))
        return sim_fail(err, SIM_ERROR_INPUT, "/nic_b: expected an object");
    if (nb && !load_nic_b(c, nb, n_cpus, err))
        return false;
    const json_t *steering = nic ? json_object_get(nic, "steering") : NULL;
    if (c->arfs && !sim_scenario_fdir_perfect(steering))
        return sim_fail(
            err, SIM_ERROR_CONFIG,
            "/nic/arfs: aRFS needs ntuple filters: an \"fdir\" stage in \"perfect\" mode "
            "in /nic/steering");
    if (c->arfs && !c->on)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/nic/arfs: aRFS needs RFS (/kernel/rps_sock_flow_entries and "
                        "/nic/rx rps_flow_cnt > 0)");
    return true;
}

void sim_scenario_rps_clear(struct sim_rps_cfg *c)
{
    if (!c)
        return;
    g_free(c->events);
    c->events = NULL;
    c->n_events = 0;
}

static bool chain_has_fdir(const json_t *steering)
{
    const json_t *chain = steering ? json_object_get(steering, "chain") : NULL;
    bool fdir = false;
    size_t i;
    json_t *v;
    json_array_foreach(chain, i, v) fdir |=
        json_is_string(v) && !strcmp(json_string_value(v), "fdir");
    return fdir;
}

bool sim_scenario_fdir_perfect(const json_t *steering)
{
    const json_t *f = steering ? json_object_get(steering, "fdir") : NULL;
    const json_t *mode = f ? json_object_get(f, "mode") : NULL;
    return chain_has_fdir(steering) && mode && json_is_string(mode) &&
           !strcmp(json_string_value(mode), "perfect");
}

bool sim_scenario_atr_on(const json_t *steering)
{
    const json_t *chain = steering ? json_object_get(steering, "chain") : NULL;
    bool fdir = false;
    size_t i;
    json_t *v;
    json_array_foreach(chain, i, v) fdir |=
        json_is_string(v) && !strcmp(json_string_value(v), "fdir");
    if (!fdir)
        return false;
    const json_t *f = json_object_get(steering, "fdir");
    const json_t *mode = f ? json_object_get(f, "mode") : NULL;
    const json_t *rate = f ? json_object_get(f, "atr_sample_rate") : NULL;
    if (mode && json_is_string(mode) && !strcmp(json_string_value(mode), "perfect"))
        return false;
    return !(rate && json_is_integer(rate) && json_integer_value(rate) == 0);
}
