/* The host wiring of a multi-host run: "hosts" (each a single-host scenario, loaded by
 * sim/host/scenario.c as it is) and "links" (full-duplex cables between two hosts' NICs).
 * The cables are the engine's own delayed delivery, not SimGrid communications: the
 * engines make no SimGrid call per packet (sim/host/engine.c), so a frame's last bit
 * leaving one port (nic_cfg.wire_out) is handed to the peer machine as an arrival at
 * max(that time, max(its first bit, the cable's previous frame's end) + its serialisation
 * at gbps) + latency: a cable as fast as the port adds only its latency, a slower one its
 * serialisation and queueing. SimGrid still gets every host and cable in its platform, with their
 * latency and bandwidth. */
#include "sim/host/cluster.h"

#include <string.h>

#include "sim/core/err.h"
#include "sim/core/file.h"
#include "sim/core/jsonval.h"
#include "sim/core/result.h"
#include "sim/core/version.h"
#include "sim/host/engine.h"
#include "sim/host/report.h"
#include "sim/host/scenario.h"

#define MAX_HOSTS 16
#define MAX_NICS  2 /* eth0, eth1 (/nic, /nic_b) */

struct end {
    unsigned host, dev;
};

struct cable {
    struct end e[2];
    uint64_t latency_ns;
    double gbps;
    uint64_t free_at[2]; /* per direction (from e[d]): when the cable's last frame ended */
    uint64_t frames[2];
    struct cluster_port *port[2];
};

/* What a host's machine calls with each frame on its wire (its sim_run_link ctx). */
struct cluster_port {
    struct sim_cluster *c;
    unsigned host;
    uint64_t unlinked; /* frames sent on a NIC without a cable */
};

struct chost {
    char *name;
    struct sim_scenario *sc;
    struct sim_run *run;
    struct cluster_port port;
    int cable[MAX_NICS]; /* per dev: cable index, -1 none */
    unsigned dir[MAX_NICS];
};

struct sim_cluster {
    char *name;
    json_t *root;
    uint64_t seed;
    struct chost h[MAX_HOSTS];
    unsigned n;
    struct cable *cab;
    unsigned n_cab;
    bool ran;
};

bool sim_cluster_is(const json_t *root)
{
    return json_is_object(root) && json_object_get(root, "hosts") != NULL;
}

/* A host scenario's error names the file, then its pointer below /hosts/NAME. */
static void host_error(GError **err, const char *file, const char *host)
{
    if (!err || !*err)
        return;
    char *pre = g_strdup_printf("%s: /", file);
    const char *m = (*err)->message;
    char *msg = g_str_has_prefix(m, pre)
                    ? g_strdup_printf("%s: /hosts/%s/%s", file, host, m + strlen(pre))
                    : g_strdup_printf("%s: /hosts/%s: %s", file, host, m);
    g_free((*err)->message);
    (*err)->message = msg;
    g_free(pre);
}

static bool name_ok(const char *s)
{
    if (!*s || strlen(s) > 32)
        return false;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return false;
    return true;
}

/* "host/ethN" -> end; the NIC must exist (eth1 needs the host's /nic_b). */
static bool parse_end(const struct sim_cluster *c, const json_t *v, const char *ptr, struct end *e,
                      GError **err)
{
    const char *s = json_string_value(v);
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash || (strcmp(slash, "/eth0") != 0 && strcmp(slash, "/eth1") != 0))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: %s: expected \"HOST/eth0\" or \"HOST/eth1\"",
                        c->name, ptr);
    for (unsigned i = 0; i < c->n; i++)
        if (strlen(c->h[i].name) == (size_t)(slash - s) &&
            strncmp(c->h[i].name, s, (size_t)(slash - s)) == 0) {
            e->host = i;
            e->dev = slash[4] - '0';
            if (e->dev == 1 &&
                !json_object_get(json_object_get(json_object_get(c->root, "hosts"), c->h[i].name),
                                 "nic_b"))
                return sim_fail(err, SIM_ERROR_CONFIG,
                                "%s: %s: host \"%s\" has no eth1 (no /hosts/%s/nic_b)", c->name,
                                ptr, c->h[i].name, c->h[i].name);
            return true;
        }
    return sim_fail(err, SIM_ERROR_CONFIG, "%s: %s: expected a host of /hosts, found \"%.*s\"",
                    c->name, ptr, (int)(slash - s), s);
}

static bool parse_num(const struct sim_cluster *c, const json_t *o, const char *key, unsigned i,
                      double min, bool min_open, double max, double *out, GError **err)
{
    const json_t *v = json_object_get(o, key);
    double x = json_number_value(v);
    if (!json_is_number(v) || x < min || (min_open && x == min) || x > max)
        return sim_fail(err, SIM_ERROR_INPUT, "%s: /links/%u/%s: expected a number %s %g and <= %g",
                        c->name, i, key, min_open ? ">" : ">=", min, max);
    *out = x;
    return true;
}

static bool parse_link(struct sim_cluster *c, const json_t *l, unsigned i, GError **err)
{
    static const char *const keys[] = {"from", "to", "latency_us", "gbps", NULL};
    if (!json_is_object(l))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: /links/%u: expected an object", c->name, i);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)l, k, v)
    {
        bool known = false;
        for (unsigned j = 0; keys[j]; j++)
            known |= strcmp(k, keys[j]) == 0;
        if (!known)
            return sim_fail(err, SIM_ERROR_INPUT,
                            "%s: /links/%u/%s: unknown key (expected from, to, latency_us, gbps)",
                            c->name, i, k);
    }
    struct cable *cb = &c->cab[i];
    char ptr[64];
    for (unsigned d = 0; d < 2; d++) {
        g_snprintf(ptr, sizeof ptr, "/links/%u/%s", i, d ? "to" : "from");
        if (!parse_end(c, json_object_get(l, d ? "to" : "from"), ptr, &cb->e[d], err))
            return false;
        struct chost *h = &c->h[cb->e[d].host];
        if (h->cable[cb->e[d].dev] >= 0)
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "%s: %s: %s/eth%u is already linked by /links/%d", c->name, ptr,
                            h->name, cb->e[d].dev, h->cable[cb->e[d].dev]);
        h->cable[cb->e[d].dev] = (int)i;
        h->dir[cb->e[d].dev] = d;
    }
    double lat, gbps;
    if (!parse_num(c, l, "latency_us", i, 0, false, 1e6, &lat, err) ||
        !parse_num(c, l, "gbps", i, 0, true, 400, &gbps, err))
        return false;
    cb->latency_ns = (uint64_t)(lat * 1000.0 + 0.5);
    cb->gbps = gbps;
    return true;
}

/* Each host's document: its own keys, the run's duration and seed. */
static bool load_host(struct sim_cluster *c, const char *name, const json_t *doc,
                      const char *base_dir, GError **err)
{
    if (!name_ok(name))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "%s: /hosts/%s: expected a host name of letters, digits, '-' or '_' "
                        "(1 to 32; it names its output directory)",
                        c->name, name);
    if (!json_is_object(doc))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: /hosts/%s: expected an object (a scenario)",
                        c->name, name);
    if (json_object_get(doc, "duration_ms") || json_object_get(doc, "seed"))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s: /hosts/%s/%s: set at the top: every host runs the same time and seed",
                        c->name, name, json_object_get(doc, "seed") ? "seed" : "duration_ms");
    json_t *d = json_deep_copy(doc);
    json_object_set(d, "duration_ms", json_object_get(c->root, "duration_ms"));
    json_object_set_new(d, "seed", json_integer((json_int_t)c->seed));
    struct chost *h = &c->h[c->n];
    h->name = g_strdup(name);
    h->cable[0] = h->cable[1] = -1;
    h->sc = sim_scenario_host_from_json(d, c->name, base_dir, err);
    json_decref(d);
    c->n++;
    if (!h->sc)
        host_error(err, c->name, name);
    return h->sc != NULL;
}

static bool check_top(struct sim_cluster *c, GError **err)
{
    static const char *const keys[] = {"description", "hosts", "links",
                                       "duration_ms", "seed",  NULL};
    const char *k;
    json_t *v;
    json_object_foreach(c->root, k, v)
    {
        bool known = false;
        for (unsigned j = 0; keys[j]; j++)
            known |= strcmp(k, keys[j]) == 0;
        if (!known)
            return sim_fail(err, SIM_ERROR_INPUT,
                            "%s: /%s: not a key of a multi-host scenario (expected description, "
                            "hosts, links, duration_ms, seed; host keys go in /hosts/NAME)",
                            c->name, k);
    }
    const json_t *hs = json_object_get(c->root, "hosts");
    if (!json_is_object(hs) || json_object_size(hs) == 0 || json_object_size(hs) > MAX_HOSTS)
        return sim_fail(
            err, SIM_ERROR_INPUT, "%s: /hosts: expected an object of 1 to %d hosts, found %s",
            c->name, MAX_HOSTS,
            json_is_object(hs) ? (json_object_size(hs) ? "more" : "none") : "no object");
    const json_t *dur = json_object_get(c->root, "duration_ms");
    if (!json_is_number(dur) || json_number_value(dur) <= 0 || json_number_value(dur) > 3.6e6)
        return sim_fail(err, SIM_ERROR_INPUT,
                        "%s: /duration_ms: expected a number of ms > 0 and <= 3600000 (every host "
                        "runs that long)",
                        c->name);
    const json_t *seed = json_object_get(c->root, "seed");
    if (seed && (!json_is_integer(seed) || json_integer_value(seed) < 0))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: /seed: expected an integer >= 0", c->name);
    c->seed = seed ? (uint64_t)json_integer_value(seed) : 1;
    const json_t *ls = json_object_get(c->root, "links");
    if (ls && !json_is_array(ls))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: /links: expected an array of links", c->name);
    return true;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct sim_cluster *sim_cluster_from_json(const json_t *root, const char *name,
                                          const char *base_dir, GError **err)
{
    struct sim_cluster *c = g_new0(struct sim_cluster, 1);
    c->name = g_strdup(name);
    c->root = json_deep_copy(root);
    if (!check_top(c, err))
        goto fail;
    /* hosts in name order: deterministic whatever the file's order */
    const char **names = g_new(const char *, json_object_size(json_object_get(c->root, "hosts")));
    unsigned nn = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(c->root, "hosts"), k, v) names[nn++] = k;
    qsort(names, nn, sizeof *names, cmp_name);
    bool ok = true;
    for (unsigned i = 0; ok && i < nn; i++)
        ok = load_host(c, names[i], json_object_get(json_object_get(c->root, "hosts"), names[i]),
                       base_dir, err);
    g_free(names);
    if (!ok)
        goto fail;
    const json_t *ls = json_object_get(c->root, "links");
    c->n_cab = ls ? (unsigned)json_array_size(ls) : 0;
    c->cab = g_new0(struct cable, c->n_cab ? c->n_cab : 1);
    for (unsigned i = 0; i < c->n_cab; i++)
        if (!parse_link(c, json_array_get(ls, i), i, err))
            goto fail;
    return c;
fail:
    sim_cluster_free(c);
    return NULL;
}

struct sim_cluster *sim_cluster_try_load(const char *path, char *const *sets, bool *is,
                                         GError **err)
{
    *is = false;
    json_t *root = sim_file_load_json(path, JSON_REJECT_DUPLICATES, NULL);
    if (!sim_cluster_is(root)) {
        json_decref(root);
        return NULL;
    }
    *is = true;
    bool ok = true;
    for (char *const *s = sets; ok && s && *s; s++)
        ok = sim_json_set(root, *s, err);
    char *dir = g_path_get_dirname(path);
    struct sim_cluster *c = ok ? sim_cluster_from_json(root, path, dir, err) : NULL;
    g_free(dir);
    json_decref(root);
    return c;
}

const json_t *sim_cluster_json(const struct sim_cluster *c)
{
    return c->root;
}

void sim_cluster_free(struct sim_cluster *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->n; i++) {
        sim_run_free(c->h[i].run);
        sim_scenario_free(c->h[i].sc);
        g_free(c->h[i].name);
    }
    g_free(c->cab);
    json_decref(c->root);
    g_free(c->name);
    g_free(c);
}

uint64_t sim_cluster_seed(const struct sim_cluster *c)
{
    return c->seed;
}

unsigned sim_cluster_n_hosts(const struct sim_cluster *c)
{
    return c->n;
}

const char *sim_cluster_host_name(const struct sim_cluster *c, unsigned i)
{
    return i < c->n ? c->h[i].name : NULL;
}

struct sim_machine *sim_cluster_machine(struct sim_cluster *c, unsigned i)
{
    return i < c->n && c->h[i].run ? sim_run_machine(c->h[i].run) : NULL;
}

uint64_t sim_cluster_link_frames(const struct sim_cluster *c, unsigned i, bool reverse)
{
    return i < c->n_cab ? c->cab[i].frames[reverse] : 0;
}

/* A frame on host `port->host`'s wire of dev: down its cable to the other end. */
static void cluster_wire_out(void *ctx, unsigned dev, const struct traffic_pkt *p,
                             uint64_t first_ns)
{
    struct cluster_port *port = ctx;
    struct sim_cluster *c = port->c;
    const struct chost *h = &c->h[port->host];
    if (dev >= MAX_NICS || h->cable[dev] < 0) {
        port->unlinked++;
        return;
    }
    struct cable *cb = &c->cab[h->cable[dev]];
    unsigned d = h->dir[dev];
    if (!c->h[cb->e[!d].host].run) { /* sent while the hosts are being built: nobody there */
        port->unlinked++;
        return;
    }
    /* serialisation on the cable: (frame + preamble, IFG, FCS) bits at gbps */
    uint64_t ser = (uint64_t)((double)(p->wire_len + 24) * 8.0 / cb->gbps + 0.5);
    /* it starts on the cable with its first bit (or when the cable is free), and cannot end
     * before its last bit left the port */
    uint64_t start = first_ns > cb->free_at[d] ? first_ns : cb->free_at[d];
    uint64_t done = p->ts_ns > start + ser ? p->ts_ns : start + ser;
    cb->free_at[d] = done;
    cb->frames[d]++;
    struct traffic_pkt q = *p;
    q.ts_ns = done + cb->latency_ns;
    const struct end *to = &cb->e[!d];
    sim_machine_inject(sim_run_machine(c->h[to->host].run), to->dev, &q);
}

/* SimGrid platform: every host's CPUs and NICs, every cable with its latency and bandwidth. */
static char *cluster_platform(const struct sim_cluster *c)
{
    struct sim_platform_host ph[MAX_HOSTS];
    struct sim_platform_cable *pc = g_new0(struct sim_platform_cable, c->n_cab ? c->n_cab : 1);
    for (unsigned i = 0; i < c->n; i++)
        ph[i] = (struct sim_platform_host){
            .name = c->h[i].name, .n_cpus = sim_machine_n_cpus(sim_run_machine(c->h[i].run))};
    for (unsigned i = 0; i < c->n_cab; i++)
        pc[i] = (struct sim_platform_cable){.a = c->h[c->cab[i].e[0].host].name,
                                            .a_dev = c->cab[i].e[0].dev,
                                            .b = c->h[c->cab[i].e[1].host].name,
                                            .b_dev = c->cab[i].e[1].dev,
                                            .latency_ns = c->cab[i].latency_ns,
                                            .gbps = c->cab[i].gbps};
    char *xml = sim_platform_hosts_xml(ph, c->n, pc, c->n_cab);
    g_free(pc);
    return xml;
}

static bool cluster_build(struct sim_cluster *c, uint64_t seed, struct sim_machine **ms,
                          GError **err)
{
    for (unsigned i = 0; i < c->n; i++) {
        struct chost *h = &c->h[i];
        h->port = (struct cluster_port){.c = c, .host = i};
        struct sim_run_link link = {.wire_out = cluster_wire_out, .ctx = &h->port};
        h->run = sim_run_new_linked(h->sc, seed, &link, err);
        if (!h->run) {
            host_error(err, c->name, h->name);
            return false;
        }
        ms[i] = sim_run_machine(h->run);
    }
    return true;
}

bool sim_cluster_run_plain(struct sim_cluster *c, uint64_t seed, GError **err)
{
    struct sim_machine *ms[MAX_HOSTS];
    if (!cluster_build(c, seed, ms, err))
        return false;
    sim_hosts_run_until(ms, c->n, sim_machine_end(ms[0]));
    c->ran = true;
    return true;
}

bool sim_cluster_run(struct sim_cluster *c, uint64_t seed, GError **err)
{
    struct sim_machine *ms[MAX_HOSTS];
    if (!cluster_build(c, seed, ms, err))
        return false;
    char *xml = cluster_platform(c);
    bool ok = sim_engine_run_hosts(ms, c->n, xml, err);
    g_free(xml);
    c->ran = ok;
    return ok;
}

/* One host's result, with the run's provenance naming the host. */
static void host_result(struct chost *h, const json_t *prov, struct sim_result *res)
{
    sim_machine_result(sim_run_machine(h->run), res);
    json_t *p = json_deep_copy(prov);
    json_object_set_new(p, "host", json_string(h->name));
    res->provenance = p;
    res->classifier = sim_run_classifier_json(h->run);
    res->input_warning = NULL;
}

static void host_result_clear(struct sim_result *res)
{
    json_decref((json_t *)res->provenance);
    json_decref((json_t *)res->classifier);
    sim_result_clear(res);
}

/* A host's row of the cross-host summary, from its own summary.json. */
static json_t *host_row(const struct chost *h, const json_t *summ)
{
    json_t *cpus = json_array();
    size_t i;
    json_t *cpu;
    json_array_foreach(json_object_get(summ, "cpus"), i, cpu)
    {
        json_t *row = json_object();
        static const char *const keys[] = {"cpu",  "usr",  "sys",           "irq", "soft",
                                           "idle", "irqs", "migrations_in", NULL};
        for (unsigned k = 0; keys[k]; k++)
            json_object_set(row, keys[k], json_object_get(cpu, keys[k]));
        json_array_append_new(cpus, row);
    }
    json_t *r =
        json_pack("{s:o, s:O, s:I, s:I}", "cpus", cpus, "packets", json_object_get(summ, "packets"),
                  "tx_unlinked", (json_int_t)h->port.unlinked, "link_drops",
                  (json_int_t)(sim_machine_inject_drops(sim_run_machine(h->run), 0) +
                               sim_machine_inject_drops(sim_run_machine(h->run), 1)));
    if (json_object_get(summ, "requests"))
        json_object_set(r, "requests", json_object_get(summ, "requests"));
    if (json_object_get(summ, "migration_refill_ms"))
        json_object_set(r, "migration_refill_ms", json_object_get(summ, "migration_refill_ms"));
    return r;
}

/* One direction of a cable: frames sent, arrived at the far NIC before the end, still on
 * the cable at the end, refused there (drop queue, ring full). */
static json_t *dir_json(const struct sim_cluster *c, const struct cable *cb, unsigned d)
{
    const struct sim_machine *to = sim_run_machine(c->h[cb->e[!d].host].run);
    unsigned dev = cb->e[!d].dev;
    uint64_t arrived = sim_machine_inject_arrived(to, dev);
    return json_pack("{s:I, s:I, s:I, s:I}", "sent", (json_int_t)cb->frames[d], "arrived",
                     (json_int_t)arrived, "in_flight", (json_int_t)(cb->frames[d] - arrived),
                     "dropped", (json_int_t)sim_machine_inject_drops(to, dev));
}

static json_t *links_json(const struct sim_cluster *c)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < c->n_cab; i++) {
        const struct cable *cb = &c->cab[i];
        char from[48], to[48];
        g_snprintf(from, sizeof from, "%s/eth%u", c->h[cb->e[0].host].name, cb->e[0].dev);
        g_snprintf(to, sizeof to, "%s/eth%u", c->h[cb->e[1].host].name, cb->e[1].dev);
        json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f, s:o, s:o}", "from", from, "to", to,
                                           "latency_us", (double)cb->latency_ns / 1000.0, "gbps",
                                           cb->gbps, "from_to", dir_json(c, cb, 0), "to_from",
                                           dir_json(c, cb, 1)));
    }
    return a;
}

/* End-to-end request latency: the hosts whose workload is a client (rr_client). */
static json_t *end_to_end(const struct sim_cluster *c, json_t *const *summ)
{
    for (unsigned i = 0; i < c->n; i++) {
        const json_t *ap = json_object_get(
            json_object_get(json_object_get(c->root, "hosts"), c->h[i].name), "app");
        const char *w = json_string_value(json_object_get(ap, "workload"));
        const json_t *rq = json_object_get(summ[i], "requests");
        if (w && strcmp(w, "rr_client") == 0 && rq)
            return json_pack("{s:s, s:O, s:O, s:O}", "client", c->h[i].name, "completed",
                             json_object_get(rq, "completed"), "tps", json_object_get(rq, "tps"),
                             "latency_us", json_object_get(rq, "latency_us"));
    }
    return json_null();
}

static json_t *summary_of(struct sim_cluster *c, json_t *const *summ, const json_t *prov)
{
    json_t *hosts = json_object();
    for (unsigned i = 0; i < c->n; i++)
        json_object_set_new(hosts, c->h[i].name, host_row(&c->h[i], summ[i]));
    json_t *s =
        json_pack("{s:o, s:o, s:o, s:O}", "hosts", hosts, "links", links_json(c), "end_to_end",
                  end_to_end(c, summ), "provenance", prov ? prov : json_null());
    sim_version_stamp(s, 1);
    return s;
}

bool sim_cluster_write(struct sim_cluster *c, struct sim_out *o, const json_t *prov,
                       const char *scenario_text, GError **err)
{
    json_t *summ[MAX_HOSTS] = {0};
    bool ok = c->ran;
    if (!ok)
        g_set_error(err, SIM_ERROR, SIM_ERROR_USAGE, "%s: not run", c->name);
    for (unsigned i = 0; ok && i < c->n; i++) {
        struct sim_result res;
        host_result(&c->h[i], prov, &res);
        ok = sim_report_check(&res, err);
        summ[i] = ok ? sim_report_summary_json(&res) : NULL;
        char *path = ok ? sim_out_subdir(o, c->h[i].name, err) : NULL;
        struct sim_out *ho = path ? sim_out_begin(path, SIM_OUT_DEFAULT, err) : NULL;
        ok = ho && sim_report_write_to(ho, &res, NULL, 0, err);
        g_free(path);
        host_result_clear(&res);
    }
    json_t *s = ok ? summary_of(c, summ, prov) : NULL;
    ok = ok && sim_out_write_json(o, "summary.json", s, err);
    ok = ok && sim_out_write(o, "scenario.json", scenario_text, -1, err);
    json_decref(s);
    for (unsigned i = 0; i < c->n; i++)
        json_decref(summ[i]);
    if (!ok) {
        sim_out_abort(o);
        return false;
    }
    return sim_out_commit(o, err);
}
