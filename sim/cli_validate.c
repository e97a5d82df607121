/* `nicsteer validate BUNDLE`: replay a real capture bundle through the steering model and report
 * per-packet and aggregate agreement (validate/replay.c, validate/report.c). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/cli.h"
#include "sim/err.h"
#include "sim/file.h"
#include "sim/out.h"
#include "validate/match.h"
#include "validate/replay.h"

static const char *SUB = "validate";

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

/* --costs FILE: the same keys and checks as a scenario's /costs (kern_cost_load). */
static bool load_costs(const char *path, struct kern_cost *c, GError **err)
{
    json_t *j = sim_file_load_json(path, JSON_REJECT_DUPLICATES, err);
    if (!j)
        return false;
    char *where = g_strdup_printf("%s: ", path);
    bool ok = kern_cost_load(c, j, where, err);
    g_free(where);
    json_decref(j);
    return ok;
}

int sim_cli_validate(int argc, char **argv)
{
    gboolean as_json = FALSE;
    gchar *out = NULL;
    gdouble min_cpu = -1.0, window_ms = (double)VAL_MATCH_WINDOW_NS / 1e6;
    gint keep = 20;
    gchar *costs = NULL, *topo_path = NULL;
    struct cpus_topology *topo = NULL;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print the report as JSON (sorted keys)", NULL},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
         "Write the report to FILE (atomically) instead of stdout", "FILE"},
        {"min-cpu-agreement", 0, 0, G_OPTION_ARG_DOUBLE, &min_cpu,
         "Exit with status 1 when the CPU agreement is below X (0..1)", "X"},
        {"max-disagreements", 0, 0, G_OPTION_ARG_INT, &keep, "Disagreements listed per kind (20)",
         "N"},
        {"match-window-ms", 0, 0, G_OPTION_ARG_DOUBLE, &window_ms,
         "Tolerance of the pcap <-> trace time join, +- ms (2)", "MS"},
        {"costs", 0, 0, G_OPTION_ARG_FILENAME, &costs,
         "JSON object of CPU costs (keys of a scenario's /costs, ns) for the NET_RX softirq "
         "model; defaults model a Xeon-class host",
         "FILE"},
        {"topology", 0, 0, G_OPTION_ARG_FILENAME, &topo_path,
         "CPU topology JSON ({\"cpus\": N, \"llc\": [[..]..], ...}) for the receiver "
         "wake placement model; default one LLC of host.ncpus",
         "FILE"},
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
    if (min_cpu > 1.0 || (min_cpu < 0.0 && min_cpu != -1.0)) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--min-cpu-agreement %g, expected 0..1", min_cpu);
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
    if (costs && !load_costs(costs, &o.cost, &err)) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    if (topo_path && !(topo = cpus_topology_load(topo_path, &err))) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    o.topo = topo;
    struct val_report *r = val_replay_bundle(argv[1], &o, &err);
    if (!r) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    rc = write_report(r, as_json, out);
    double f = val_agree_fraction(&r->cpu);
    if (rc == SIM_EXIT_OK && min_cpu >= 0.0 && (f < 0.0 || f < min_cpu))
        rc = f < 0.0
                 ? sim_cli_fail(SUB, SIM_EXIT_INPUT, "CPU agreement n/a, --min-cpu-agreement %g",
                                min_cpu)
                 : sim_cli_fail(SUB, SIM_EXIT_INPUT, "CPU agreement %.6f below %.6f", f, min_cpu);
    val_report_free(r);
done:
    g_free(out);
    g_free(costs);
    g_free(topo_path);
    cpus_topology_free(topo);
    return rc;
}
