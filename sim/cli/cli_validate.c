/* `nicsteer validate BUNDLE`: replay a real capture bundle through the steering model and report
 * per-packet and aggregate agreement (validate/replay.c, validate/report.c). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/core/err.h"
#include "sim/core/file.h"
#include "sim/core/jsonval.h"
#include "sim/core/out.h"
#include "validate/bundle.h"
#include "validate/match.h"
#include "validate/replay.h"

static const char *SUB = "validate";

/* Exit status of a report that misses a --min-/--max- threshold: a regression
 * of the model (or of the host), told apart from bad input (1) and usage (2). */
#define EXIT_BELOW_THRESHOLD 3

/* One threshold per reported figure, read where the JSON report has it. */
static const struct threshold {
    const char *option, *pointer, *what;
    bool is_max;
} THRESHOLDS[] = {
    {"min-cpu-agreement", "/agreement/cpu", "CPU agreement", false},
    {"min-rxq-agreement", "/agreement/rx_queue", "RX queue agreement", false},
    {"min-txq-agreement", "/agreement/tx_queue", "TX queue agreement", false},
    {"min-wake-agreement", "/wakeups/agreement", "wake-up CPU agreement", false},
    {"max-napi-ks", "/napi_poll/ks_distance", "NAPI poll size KS distance", true},
    {"max-device-napi-ks", "/napi_poll/device/ks_distance", "device NAPI poll size KS distance",
     true},
    {"max-softirq-ks", "/softirq/ks_distance", "NET_RX softirq duration KS distance", true},
    {"max-drop-error", "/backlog/drops/error", "backlog drop error vs softnet_stat", true},
    {"max-time-squeeze-error", "/backlog/time_squeeze/error", "time_squeeze error vs softnet_stat",
     true},
};
#define N_THRESHOLDS G_N_ELEMENTS(THRESHOLDS)

/* The first threshold the report misses, as one line on stderr and status 3. */
static int check_thresholds(const struct val_report *r, const double *limit)
{
    json_t *j = val_report_json(r);
    int rc = SIM_EXIT_OK;
    for (size_t i = 0; i < N_THRESHOLDS && rc == SIM_EXIT_OK; i++) {
        const struct threshold *t = &THRESHOLDS[i];
        if (limit[i] < 0)
            continue;
        const json_t *v = sim_json_pointer(j, t->pointer);
        if (!json_is_number(v))
            rc = sim_cli_fail(SUB, EXIT_BELOW_THRESHOLD, "%s n/a on this bundle, --%s %g", t->what,
                              t->option, limit[i]);
        else if (t->is_max ? json_number_value(v) > limit[i] : json_number_value(v) < limit[i])
            rc = sim_cli_fail(SUB, EXIT_BELOW_THRESHOLD, "%s %.6f %s %.6f (--%s)", t->what,
                              json_number_value(v), t->is_max ? "above" : "below", limit[i],
                              t->option);
    }
    json_decref(j);
    return rc;
}

static int write_report(const struct val_report *r, bool as_json, const char *out)
{
    GError *err = NULL;
    bool ok = true;
    if (as_json) {
        json_t *j = val_report_json(r);
        if (out) {
            ok = sim_out_file_json(out, j, &err);
        } else {
            char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
            fputs(s, stdout);
            fputc('\n', stdout);
            free(s);
        }
        json_decref(j);
    } else {
        char *t = val_report_text(r);
        if (out)
            ok = sim_out_file(out, t, -1, &err);
        else
            fputs(t, stdout);
        g_free(t);
    }
    return ok ? SIM_EXIT_OK : sim_cli_fail_error(SUB, err);
}

/* Costs calibrated on the bundle's host, from the costs library: a capture of a known host
 * class is priced at that host's speed, not a Xeon's. *path NULL when the library has none. */
static bool library_costs_for(const char *dir, char **path, GError **err)
{
    char *host = val_bundle_host_class_at(dir, err);
    if (!host)
        return false;
    GError *e = NULL;
    *path = sim_cli_host_costs(host, &e);
    g_free(host);
    if (e) {
        g_propagate_error(err, e);
        return false;
    }
    return true;
}

int sim_cli_validate(int argc, char **argv)
{
    gboolean as_json = FALSE, quiet = FALSE, progress = FALSE;
    gchar *out = NULL;
    gdouble limit[N_THRESHOLDS], window_ms = (double)VAL_MATCH_WINDOW_NS / 1e6;
    for (size_t i = 0; i < N_THRESHOLDS; i++)
        limit[i] = -1.0;
    gint keep = 20;
    gchar *costs = NULL, *topo_path = NULL;
    gboolean builtin_costs = FALSE;
    struct sim_cli_costs_origin origin = {0}; /* where the costs came from (calibration) */
    char *library_costs = NULL;               /* the costs library's file for the bundle's host */
    struct cpus_topology *topo = NULL;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the report as JSON (sorted keys)", NULL},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
         "Write the report to FILE (atomically) instead of stdout", "FILE"},
#define LIMIT(i, help) {THRESHOLDS[i].option, 0, 0, G_OPTION_ARG_DOUBLE, &limit[i], help, "X"}
        LIMIT(0, "Exit with status 3 when the CPU agreement is below X (0..1)"),
        LIMIT(1, "... the RX queue agreement is below X"),
        LIMIT(2, "... the TX queue agreement (veth sender) is below X"),
        LIMIT(3, "... the receiver wake-up CPU agreement is below X"),
        LIMIT(4, "... the backlog NAPI poll size KS distance is above X (0..1)"),
        LIMIT(5, "... the device NAPI poll size KS distance (IRQ model) is above X"),
        LIMIT(6, "... the NET_RX softirq duration KS distance is above X"),
        LIMIT(7, "... |model - softnet_stat| / softnet_stat backlog drops is above X"),
        LIMIT(8, "... the same for time_squeeze (net_rx_action punts)"),
#undef LIMIT
        {"max-disagreements", 0, 0, G_OPTION_ARG_INT, &keep, "Disagreements listed per kind (20)",
         "N"},
        {"match-window-ms", 0, 0, G_OPTION_ARG_DOUBLE, &window_ms,
         "Tolerance of the pcap <-> trace time join, +- ms (2)", "MS"},
        {"costs", 0, 0, G_OPTION_ARG_FILENAME, &costs,
         "JSON object of CPU costs (keys of a scenario's /costs, ns) for the NET_RX softirq "
         "model (default: the costs library's file calibrated on the bundle's host, else the "
         "built-in Xeon-class costs)",
         "FILE"},
        {"builtin-costs", 0, 0, G_OPTION_ARG_NONE, &builtin_costs,
         "Price the NET_RX runs with the built-in Xeon-class costs even when the costs library "
         "holds the bundle's host",
         NULL},
        {"topology", 0, 0, G_OPTION_ARG_FILENAME, &topo_path,
         "CPU topology JSON ({\"cpus\": N, \"llc\": [[..]..], ...}) for the receiver "
         "wake placement model; default one LLC of host.ncpus",
         "FILE"},
        {"progress", 0, 0, G_OPTION_ARG_NONE, &progress,
         "Show the progress line (trace MB read) on stderr even when it is not a terminal", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress line", NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("BUNDLE");
    g_option_context_set_summary(
        ctx, "Replay a capture bundle (pcap + kernel trace + config.json, see\n"
             "spec/capture-bundle.md) through the steering model and report how often the\n"
             "model chose the RX queue and CPU the real host used.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    bool ok = sim_cli_parse(ctx, &argc, &argv, SUB);
    g_option_context_free(ctx);
    int rc = SIM_EXIT_USAGE;
    if (!ok)
        goto done;
    if (argc != 2) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE,
                          argc < 2 ? "missing BUNDLE directory" : "unexpected argument '%s'",
                          argc < 2 ? "" : argv[2]);
        goto done;
    }
    for (size_t i = 0; i < N_THRESHOLDS; i++)
        if (limit[i] > 1.0 || (limit[i] < 0.0 && limit[i] != -1.0)) {
            rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--%s %g, expected 0..1", THRESHOLDS[i].option,
                              limit[i]);
            goto done;
        }
    if (keep < 0 || !(window_ms > 0.0) || window_ms > 1000.0) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE,
                          "--max-disagreements must be >= 0 and --match-window-ms in (0, 1000]");
        goto done;
    }
    struct val_replay_opts o;
    val_replay_opts_init(&o);
    o.keep = (unsigned)keep;
    o.match_window_ns = (uint64_t)llround(window_ms * 1e6);
    GError *err = NULL;
    if (costs && builtin_costs) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--costs and --builtin-costs exclude each other");
        goto done;
    }
    if (!costs && !builtin_costs && !library_costs_for(argv[1], &library_costs, &err)) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    const char *cost_file = costs ? costs : library_costs;
    if (cost_file && !sim_cli_load_costs(cost_file, &o.cost, &origin, &err)) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    o.cost_source = cost_file;
    o.cost_by = costs ? VAL_COSTS_OPTION : library_costs ? VAL_COSTS_BY_HOST : VAL_COSTS_BUILTIN;
    o.cost_bundles = (const char *const *)origin.bundles;
    if (topo_path && !(topo = cpus_topology_load(topo_path, &err))) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    o.topo = topo;
    o.cost_hosts = (const char *const *)origin.hosts;
    struct sim_cli_progress pr;
    sim_cli_progress_init(&pr, SUB, progress, quiet);
    o.progress = sim_cli_progress_trace_bytes;
    o.progress_ctx = &pr;
    struct val_report *r = val_replay_bundle(argv[1], &o, &err);
    sim_cli_progress_end(&pr);
    if (!r) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    /* A report not on the terminal: its warnings (a cut capture, assumed host
     * facts) still reach the user, one line each. */
    for (guint i = 0; (as_json || out) && i < r->warnings->len; i++)
        g_printerr("nicsteer %s: warning: %s\n", SUB, (const char *)r->warnings->pdata[i]);
    rc = write_report(r, as_json, out);
    if (rc == SIM_EXIT_OK)
        rc = check_thresholds(r, limit);
    val_report_free(r);
done:
    g_free(out);
    g_free(costs);
    sim_cli_costs_origin_clear(&origin);
    g_free(library_costs);
    g_free(topo_path);
    cpus_topology_free(topo);
    return rc;
}
