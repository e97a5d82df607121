/* `nicsteer steer`: which RX queue each packet of a capture lands on under a
 * NIC steering configuration (the 82599 RX classifier: FDIR -> RSS/RETA, or
 * MAC hash / round-robin / single / a plugin), with per-queue load. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "models/nic/classifier.h"
#include "models/nic/ethtool_x.h"
#include "models/traffic/flow_key.h"
#include "models/traffic/pcap_src.h"
#include "sim/cli/cli.h"
#include "sim/core/err.h"
#include "sim/core/file.h"
#include "sim/core/out.h"
#include "sim/core/version.h"

/* `steer` evaluates a policy for any NIC: none has more than this many RX queues. */
#define STEER_MAX_QUEUES 1024
#define SUB              "steer"

struct steer_opts {
    char *pcap, *policy, *key, *reta, *ethtool_x, *per_packet, *config, *nic, *xfrm;
    gint queues;
    gint64 seed;
    gboolean udp4, json;
};

struct queue_stats {
    uint64_t packets, bytes, flows;
    GHashTable *seen; /* struct traffic_flow_key set: a flow as the user counts it */
};

struct steer_run {
    struct queue_stats *q;
    unsigned nq;
    uint64_t total, non_ip, dropped, truncated;
    GString *csv; /* --per-packet rows, written only when the run succeeds */
    char *cut;    /* the capture ended inside a record: what was read (partial report) */
};

static json_t *load_json_file(const char *path, GError **err)
{
    json_t *j = sim_file_load_json(path, 0, err);
    if (!j)
        return NULL;
    if (!json_is_object(j)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected a JSON object", path);
        json_decref(j);
        return NULL;
    }
    return j;
}

/* --policy NAME as the classifier chain: Flow Director falls back to RSS. */
static json_t *chain_of_policy(const char *policy)
{
    if (!strcmp(policy, "fdir"))
        return json_pack("[ss]", "fdir", "rss");
    return json_pack("[s]", policy);
}

/* The rss object of `cfg`, created when absent. */
static json_t *rss_obj(json_t *cfg)
{
    json_t *rss = json_object_get(cfg, "rss");
    if (!json_is_object(rss)) {
        rss = json_object();
        json_object_set_new(cfg, "rss", rss);
    }
    return rss;
}

/* With --nic, the dump must be one that NIC can print: its table size and key
 * length, entries below its RSS queue limit. Errors name the header line. */
static bool dump_fits_profile(const struct nic_ethtool_x_table *t, const struct nic_profile *p,
                              const char *file, GError **err)
{
    char *where = g_strdup_printf("%s:%u", file, t->line);
    bool ok = nic_profile_check_reta_size(p, t->n_entries, where, err);
    if (ok && t->has_key && !t->key_unsupported && t->key_len > 0)
        ok = nic_profile_check_key_len(p, (unsigned)t->key_len, where, err);
    for (unsigned i = 0; ok && i < t->n_entries; i++)
        if (t->entry[i] >= 0 && (unsigned)t->entry[i] >= p->max_rss_queues)
            ok = sim_fail(err, SIM_ERROR_INPUT,
                          "%s:%u: RETA entry %u is queue %d, expected < %u (the %s's RSS queues)",
                          file, t->line + 1 + i / 8, i, t->entry[i], p->max_rss_queues, p->name);
    g_free(where);
    return ok;
}

/* The RETA (and key) an `ethtool -x` dump shows: the last default-context
 * table of the file, which must be complete. Without --nic the device is
 * unnamed: its table may use more than the 82599's 16 RSS queues, so
 * max_rss_queues follows --queues; with --nic the profile's limits hold. */
static bool apply_ethtool_x(const char *file, const struct nic_profile *prof, json_t *rss,
                            unsigned *nq, GError **err)
{
    struct nic_ethtool_x *x = nic_ethtool_x_load(file, err);
    if (!x)
        return false;
    const struct nic_ethtool_x_table *t = NULL;
    for (unsigned i = 0; i < nic_ethtool_x_n_tables(x); i++) {
        const struct nic_ethtool_x_table *ti = nic_ethtool_x_table(x, i);
        if (ti->context == 0 && !ti->indir_unsupported)
            t = ti;
    }
    bool fits = !t || !prof || dump_fits_profile(t, prof, file, err);
    struct nic_reta *reta = t && fits ? nic_ethtool_x_to_reta(t, file, err) : NULL;
    if (!t)
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s: no indirection table of the default RSS context", file);
    bool ok = reta != NULL;
    if (ok && *nq == 0)
        *nq = t->rings;
    json_t *list = json_array();
    for (unsigned i = 0; ok && i < nic_reta_size(reta); i++) {
        unsigned q = nic_reta_entry(reta, i);
        if (q >= *nq) {
            /* ethtool prints 8 entries per row below the header line */
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s:%u: RETA entry %u is queue %u, expected < %u RX queues (--queues)",
                        file, t->line + 1 + i / 8, i, q, *nq);
            ok = false;
        }
        json_array_append_new(list, json_integer(q));
    }
    if (ok) {
        json_object_set_new(rss, "reta_size", json_integer(nic_reta_size(reta)));
        json_object_set(rss, "reta", list);
        if (!prof && !json_object_get(rss, "max_rss_queues"))
            json_object_set_new(rss, "max_rss_queues", json_integer(*nq));
        if (t->has_key && !t->key_unsupported && t->key_len > 0) {
            char *hex = g_malloc(2 * t->key_len + 1);
            for (size_t i = 0; i < t->key_len; i++)
                snprintf(hex + 2 * i, 3, "%02x", t->key[i]);
            json_object_set_new(rss, "key", json_string(hex));
            g_free(hex);
        }
    }
    json_decref(list);
    nic_reta_free(reta);
    nic_ethtool_x_free(x);
    return ok;
}

/* Classifier configuration: --config file, then --ethtool-x, then the
 * options on top. `*nq` = --queues, or the dump's ring count when 0. */
static json_t *build_config(const struct steer_opts *o, const struct nic_profile *prof,
                            unsigned *nq, GError **err)
{
    json_t *cfg = o->config ? load_json_file(o->config, err) : json_object();
    if (!cfg)
        return NULL;
    if (o->ethtool_x && !apply_ethtool_x(o->ethtool_x, prof, rss_obj(cfg), nq, err)) {
        json_decref(cfg);
        return NULL;
    }
    if (o->policy || !json_object_get(cfg, "chain"))
        json_object_set_new(cfg, "chain", chain_of_policy(o->policy ? o->policy : "rss"));
    if (o->key)
        json_object_set_new(rss_obj(cfg), "key", json_string(o->key));
    if (o->reta)
        json_object_set_new(rss_obj(cfg), "reta", json_string(o->reta));
    if (o->udp4)
        json_object_set_new(rss_obj(cfg), "udp4", json_true());
    if (o->xfrm)
        json_object_set_new(rss_obj(cfg), "xfrm", json_string(o->xfrm));
    return cfg;
}

static void count_packet(struct steer_run *r, const struct traffic_pkt *p,
                         const struct nic_rx_decision *d)
{
    r->total++;
    r->non_ip += p->l3 == PKT_L3_NONE;
    if (r->csv) {
        g_string_append_printf(r->csv, "%" G_GUINT64_FORMAT ",", r->total);
        if (d->queue >= 0)
            g_string_append_printf(r->csv, "%d,", d->queue);
        else
            g_string_append(r->csv, "drop,");
        if (d->hashed)
            g_string_append_printf(r->csv, "0x%08x\n", d->hash);
        else
            g_string_append_c(r->csv, '\n');
    }
    if (d->queue < 0) {
        r->dropped++;
        return;
    }
    struct queue_stats *q = &r->q[d->queue];
    q->packets++;
    q->bytes += p->wire_len;
    if (p->l3 == PKT_L3_NONE)
        return;
    struct traffic_flow_key k = traffic_flow_key_of(p);
    if (!g_hash_table_contains(q->seen, &k)) {
        g_hash_table_add(q->seen, g_memdup2(&k, sizeof(k)));
        q->flows++;
    }
}

static bool classify_capture(const char *path, struct nic_classifier *c, struct steer_run *r,
                             GError **err)
{
    struct traffic_pcap *pc = traffic_pcap_open(path, err);
    if (!pc)
        return false;
    struct traffic_pkt p;
    struct nic_rx_decision d;
    int rc;
    while ((rc = traffic_pcap_next(pc, &p, err)) == 1) {
        r->truncated += traffic_pcap_why(pc) != NULL;
        nic_classifier_select(c, &p, &d);
        if (d.queue >= (int)r->nq) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "%s: packet %" G_GUINT64_FORMAT ": classifier chose queue %d of %u", path,
                        traffic_pcap_packet_no(pc), d.queue, r->nq);
            rc = -1;
            break;
        }
        count_packet(r, &p, &d);
    }
    if (rc == 0 && traffic_pcap_truncation(pc)) {
        r->cut = g_strdup(traffic_pcap_truncation(pc));
        g_printerr("nicsteer " SUB ": warning: %s\n", r->cut);
    }
    traffic_pcap_free(pc);
    return rc == 0;
}

static double imbalance(const struct steer_run *r)
{
    uint64_t max = 0, sum = 0;
    for (unsigned i = 0; i < r->nq; i++) {
        max = MAX(max, r->q[i].packets);
        sum += r->q[i].packets;
    }
    return sum ? (double)max * r->nq / (double)sum : 0.0;
}

static json_t *report_json(const struct steer_run *r, const char *policy,
                           const struct nic_classifier *c)
{
    json_t *queues = json_array();
    for (unsigned i = 0; i < r->nq; i++)
        json_array_append_new(queues, json_pack("{sI sI sI sI}", "queue", (json_int_t)i, "packets",
                                                (json_int_t)r->q[i].packets, "bytes",
                                                (json_int_t)r->q[i].bytes, "flows",
                                                (json_int_t)r->q[i].flows));
    json_t *warnings = json_array();
    if (r->cut)
        json_array_append_new(warnings, json_string(r->cut));
    return json_pack("{so sf sI sI sI sI ss so sb so}", "queues", queues, "imbalance", imbalance(r),
                     "packets_total", (json_int_t)r->total, "non_ip", (json_int_t)r->non_ip,
                     "dropped", (json_int_t)r->dropped, "truncated_headers",
                     (json_int_t)r->truncated, "policy", policy, "classifier",
                     nic_classifier_dump(c), "partial", r->cut != NULL, "warnings", warnings);
}

static json_t *stamped(json_t *j)
{
    sim_version_stamp(j, 1);
    return j;
}

static void print_text(const struct steer_run *r, const char *policy)
{
    printf("policy %s, %u queues: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
           " non-IP, %" G_GUINT64_FORMAT " dropped\n",
           policy, r->nq, r->total, r->non_ip, r->dropped);
    printf("%5s %12s %14s %8s %7s\n", "queue", "packets", "bytes", "flows", "share");
    for (unsigned i = 0; i < r->nq; i++)
        printf("%5u %12" G_GUINT64_FORMAT " %14" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT
               " %6.2f%%\n",
               i, r->q[i].packets, r->q[i].bytes, r->q[i].flows,
               r->total ? 100.0 * (double)r->q[i].packets / (double)r->total : 0.0);
    printf("imbalance (max/mean packets) %.3f\n", imbalance(r));
    if (r->cut)
        printf("partial: %s\n", r->cut);
}

static bool emit(const struct steer_opts *o, const struct steer_run *r, const char *policy,
                 const struct nic_classifier *c, GError **err)
{
    if (o->per_packet && !sim_out_file(o->per_packet, r->csv->str, (gssize)r->csv->len, err))
        return false;
    if (!o->json) {
        print_text(r, policy);
        return true;
    }
    json_t *j = stamped(report_json(r, policy, c));
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    printf("%s\n", s);
    free(s);
    json_decref(j);
    return true;
}

static bool steer_run(const struct steer_opts *o, GError **err)
{
    unsigned nq = (unsigned)o->queues;
    const struct nic_profile *prof = NULL;
    if (o->nic && !(prof = nic_profile_lookup(o->nic, "--nic", err)))
        return false;
    json_t *cfg = build_config(o, prof, &nq, err);
    if (!cfg)
        return false;
    if (prof && nq > prof->max_queues) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "--queues: %u, expected at most %u (the %s's RX queues)", nq, prof->max_queues,
                    prof->name);
        json_decref(cfg);
        return false;
    }
    struct steer_env env = {.n_rx_queues = nq,
                            .n_tx_queues = nq,
                            .n_cpus = nq,
                            .seed = (uint64_t)o->seed,
                            .profile = prof};
    struct nic_classifier *c = nic_classifier_new(cfg, "", &env, err);
    if (!c) {
        sim_error_prefix(err, "%s", o->config ? o->config : "classifier config");
        json_decref(cfg);
        return false;
    }
    /* --policy as given, else the configured chain ("fdir+rss"). */
    GString *policy = g_string_new(o->policy);
    for (unsigned i = 0; !o->policy && i < nic_classifier_n_stages(c); i++)
        g_string_append_printf(policy, "%s%s", i ? "+" : "", nic_classifier_stage_name(c, i));
    struct steer_run r = {.nq = nq};
    r.q = g_new0(struct queue_stats, r.nq);
    for (unsigned i = 0; i < r.nq; i++)
        r.q[i].seen =
            g_hash_table_new_full(traffic_flow_key_hash, traffic_flow_key_equal, g_free, NULL);
    if (o->per_packet)
        r.csv = g_string_new("packet,queue,hash\n");
    bool ok = classify_capture(o->pcap, c, &r, err) && emit(o, &r, policy->str, c, err);
    if (r.csv)
        g_string_free(r.csv, TRUE);
    g_free(r.cut);
    g_string_free(policy, TRUE);
    for (unsigned i = 0; i < r.nq; i++)
        g_hash_table_destroy(r.q[i].seen);
    g_free(r.q);
    nic_classifier_free(c);
    json_decref(cfg);
    return ok;
}

int sim_cli_steer(int argc, char **argv)
{
    struct steer_opts o = {.seed = 1};
    GOptionEntry entries[] = {
        {"pcap", 0, 0, G_OPTION_ARG_FILENAME, &o.pcap, "Capture to classify (pcap or pcapng)",
         "FILE"},
        {"queues", 0, 0, G_OPTION_ARG_INT, &o.queues,
         "RX queues enabled on the port (default with --ethtool-x: its ring count)", "N"},
        {"policy", 0, 0, G_OPTION_ARG_STRING, &o.policy,
         "rss (default), mac, rr, single, fdir (Flow Director then RSS) or a plugin name", "NAME"},
        {"nic", 0, 0, G_OPTION_ARG_STRING, &o.nic,
         "NIC model whose limits and RSS defaults apply: 82599, x710 (x722), generic "
         "(default: 82599 defaults, limits of an --ethtool-x dump's device)",
         "MODEL"},
        {"key", 0, 0, G_OPTION_ARG_STRING, &o.key,
         "RSS key in hex (ethtool -X hkey; 40 bytes, 52 on x710)", "HEX"},
        {"reta", 0, 0, G_OPTION_ARG_STRING, &o.reta, "Indirection table, e.g. \"equal 16\"",
         "SPEC"},
        {"ethtool-x", 0, 0, G_OPTION_ARG_FILENAME, &o.ethtool_x,
         "Take RETA (and key) from `ethtool -x` output", "FILE"},
        {"xfrm", 0, 0, G_OPTION_ARG_STRING, &o.xfrm,
         "RSS input transform: none or symmetric-xor (ethtool -X xfrm; --nic generic)", "XFRM"},
        {"udp4", 0, 0, G_OPTION_ARG_NONE, &o.udp4,
         "Hash UDP/IPv4 ports too (ethtool -N rx-flow-hash udp4 sdfn)", NULL},
        {"seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, "Seed for policies that draw random numbers",
         "N"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "Print the report as JSON", NULL},
        {"per-packet", 0, 0, G_OPTION_ARG_FILENAME, &o.per_packet,
         "Write packet,queue,hash CSV (1-based packet numbers)", "FILE"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &o.config,
         "Full classifier configuration (JSON); options above override it", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("- RX queue of every packet of a capture");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = SIM_EXIT_OK;
    GError *err = NULL;
    if (!sim_cli_parse(ctx, &argc, &argv, SUB))
        rc = SIM_EXIT_USAGE;
    else if (argc > 1)
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    else if (!o.pcap)
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "missing --pcap FILE (see nicsteer steer --help)");
    else if (o.queues < 0 || (o.queues == 0 && !o.ethtool_x))
        rc =
            sim_cli_fail(SUB, SIM_EXIT_USAGE,
                         "missing or bad --queues N (N >= 1; default with --ethtool-x: its rings)");
    else if (o.queues > STEER_MAX_QUEUES)
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE,
                          "--queues: expected at most %d (no NIC has more), got %d",
                          STEER_MAX_QUEUES, o.queues);
    else if (o.reta && o.ethtool_x)
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--reta and --ethtool-x both give the RETA");
    else if (o.seed < 0)
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--seed: expected N >= 0");
    else if (!steer_run(&o, &err))
        rc = sim_cli_fail_error(SUB, err);
    g_option_context_free(ctx);
    g_free(o.pcap);
    g_free(o.policy);
    g_free(o.key);
    g_free(o.reta);
    g_free(o.ethtool_x);
    g_free(o.per_packet);
    g_free(o.config);
    g_free(o.nic);
    g_free(o.xfrm);
    return rc;
}
