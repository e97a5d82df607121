/* `nicsteer run SCENARIO [--seed N] [--out DIR] [--force] [--engine window|percpu] [--costs F]
 * [--timeline-ms MS] [--mpstat-interval-ms MS]`: check DIR, simulate, write the result directory
 * atomically (with timeline.json when asked), print the mpstat table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/core/file.h"
#include "sim/core/jsonval.h"
#include "sim/host/cluster.h"
#include "sim/host/engine.h"
#include "sim/host/report.h"
#include "sim/host/scenario.h"
#include "sim/host/timeline.h"

/* A timeline holds at most this many events (slices, flow ends, counter changes) (about 40 bytes
 * each in memory, 120 in the file): a few simulated ms of a busy 16-CPU host. */
#define TIMELINE_MAX_EVENTS 2000000

static void progress_tick(void *ctx, uint64_t now_ns, uint64_t end_ns)
{
    sim_cli_progress_update(ctx, (double)now_ns / 1e9, (double)end_ns / 1e9, "simulated s");
}

/* summary.json's "provenance": enough to make the run again (scenario file and the
 * sha256 of the effective scenario, seed, engine, the --set list). */
static json_t *run_provenance(const char *path, const struct sim_scenario *sc, uint64_t seed,
                              enum sim_engine_kind kind, char *const *sets)
{
    char *text = json_dumps(sim_scenario_json(sc), JSON_SORT_KEYS | JSON_COMPACT);
    gchar *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
    free(text);
    char *base = g_path_get_basename(path);
    json_t *set = json_array();
    for (char *const *s = sets; s && *s; s++)
        json_array_append_new(set, json_string(*s));
    json_t *p =
        json_pack("{s:s, s:s, s:I, s:s, s:o}", "scenario_file", base, "scenario_sha256", sha,
                  "seed", (json_int_t)seed, "engine", sim_engine_name(kind), "set", set);
    g_free(base);
    g_free(sha);
    return p;
}

/* A multi-host scenario (sim/host/cluster.c): every host run together, DIR/<host>/ per host
 * and DIR/summary.json across them. The window engine only. */
static int run_hosts(const char *path, struct sim_cluster *cl, const char *out, bool force,
                     gint64 seed_opt, const char *engine, bool print, bool quiet, char *const *sets)
{
    enum sim_engine_kind kind = SIM_ENGINE_WINDOW;
    if (engine && sim_engine_parse(engine, &kind) && kind == SIM_ENGINE_PERCPU)
        return sim_cli_fail("run", SIM_EXIT_USAGE,
                            "--engine percpu: a multi-host scenario (/hosts) runs on the window "
                            "engine only (its per-CPU actors belong to one host)");
    char *text = json_dumps(sim_cluster_json(cl), JSON_SORT_KEYS | JSON_INDENT(2));
    if (print) {
        printf("%s\n", text);
        free(text);
        return SIM_EXIT_OK;
    }
    GError *err = NULL;
    int rc = SIM_EXIT_OK;
    struct sim_out *o =
        sim_out_begin(out ? out : "out", force ? SIM_OUT_FORCE : SIM_OUT_DEFAULT, &err);
    uint64_t seed = seed_opt != G_MININT64 ? (uint64_t)seed_opt : sim_cluster_seed(cl);
    if (!o || !sim_cluster_run(cl, seed, &err)) {
        sim_out_abort(o);
        free(text);
        return sim_cli_fail_error("run", err);
    }
    gchar *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
    char *base = g_path_get_basename(path);
    json_t *set = json_array();
    for (char *const *s = sets; s && *s; s++)
        json_array_append_new(set, json_string(*s));
    json_t *prov =
        json_pack("{s:s, s:s, s:I, s:s, s:o}", "scenario_file", base, "scenario_sha256", sha,
                  "seed", (json_int_t)seed, "engine", sim_engine_name(kind), "set", set);
    if (!sim_cluster_write(cl, o, prov, text, &err))
        rc = sim_cli_fail_error("run", err);
    else if (!quiet)
        for (unsigned i = 0; i < sim_cluster_n_hosts(cl); i++)
            printf("%s: %s/%s/\n", sim_cluster_host_name(cl, i), out ? out : "out",
                   sim_cluster_host_name(cl, i));
    json_decref(prov);
    g_free(base);
    g_free(sha);
    free(text);
    return rc;
}

/* The scenario with --costs FILE's keys laid over its /costs (FILE checked first, so an error
 * names it), then the --set assignments (sim_json_set), so --set /costs/KEY=V still wins. */
static struct sim_scenario *load_with_costs(const char *path, const char *costs, char *const *sets,
                                            GError **err)
{
    if (!costs)
        return sim_scenario_load_set(path, sets, err);
    struct kern_cost check;
    kern_cost_defaults(&check);
    if (!sim_cli_load_costs(costs, &check, NULL, err))
        return NULL;
    json_t *root = sim_file_load_json(path, JSON_REJECT_DUPLICATES, err);
    json_t *c = root ? sim_file_load_json(costs, JSON_REJECT_DUPLICATES, err) : NULL;
    struct sim_scenario *sc = NULL;
    if (c && json_is_object(root)) {
        json_t *mine = json_object_get(root, "costs");
        if (json_is_object(mine))
            json_object_update(mine, c);
        else
            json_object_set(root, "costs", c);
        bool ok = true;
        for (char *const *s = sets; ok && s && *s; s++)
            ok = sim_json_set(root, *s, err);
        char *dir = g_path_get_dirname(path);
        if (ok)
            sc = sim_scenario_from_json(root, path, dir, err);
        g_free(dir);
    } else if (c) {
        sc = sim_scenario_load_set(path, sets, err); /* not an object: the loader's own error */
    }
    json_decref(c);
    json_decref(root);
    return sc;
}

int sim_cli_run(int argc, char **argv)
{
    gint64 seed = G_MININT64; /* not given: the scenario's /seed */
    char *out = NULL, *engine = NULL, *costs = NULL;
    double timeline_ms = 0, mpstat_ms = 0;
    gboolean force = FALSE, print_scenario = FALSE, quiet = FALSE, progress = FALSE;
    gchar **sets = NULL;
    char *scn_text = NULL;
    json_t *prov = NULL, *cls = NULL;
    struct sim_out *o = NULL;
    struct sim_timeline *tl = NULL;
    char *tl_json = NULL;
    GOptionEntry entries[] = {
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default: the scenario's /seed)",
         "N"},
        {"out", 0, 0, G_OPTION_ARG_FILENAME, &out,
         "Result directory (default: out). An earlier nicsteer output there is replaced "
         "atomically; any other non-empty directory is refused",
         "DIR"},
        {"force", 0, 0, G_OPTION_ARG_NONE, &force,
         "Write into a non-empty DIR that is not a nicsteer output: nicsteer's files replace "
         "their namesakes, every other file stays",
         NULL},
        {"engine", 0, 0, G_OPTION_ARG_STRING, &engine,
         "window (default, the faster) or percpu; outputs are byte-identical", "NAME"},
        {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
         "Change the scenario before the run: PATH a JSON pointer (/nic/rx_queues), VALUE "
         "JSON (8, \"fffe\", [\"rss\"]); checked like the file; repeatable",
         "PATH=VALUE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
         "Print nothing on success (no mpstat table); the results are in DIR", NULL},
        {"progress", 0, 0, G_OPTION_ARG_NONE, &progress,
         "Show the progress line on stderr even when it is not a terminal (e.g. in logs)", NULL},
        {"print-scenario", 0, 0, G_OPTION_ARG_NONE, &print_scenario,
         "Print the effective scenario (after --set) as JSON and exit", NULL},
        {"costs", 0, 0, G_OPTION_ARG_FILENAME, &costs,
         "CPU costs JSON (a /costs object, e.g. nicsteer calibrate's output) over the "
         "scenario's",
         "FILE"},
        {"timeline-ms", 0, 0, G_OPTION_ARG_DOUBLE, &timeline_ms,
         "Also write timeline.json (Chrome trace events, opens in Perfetto): IRQ, softirq, "
         "NAPI poll and thread slices per CPU, IRQ -> softirq and wake-up arrows, RX ring and "
         "backlog counters, for the first MS simulated ms",
         "MS"},
        {"mpstat-interval-ms", 0, 0, G_OPTION_ARG_DOUBLE, &mpstat_ms,
         "Also write mpstat_intervals.txt (`mpstat -P ALL` samples every MS simulated ms, then "
         "the Average block) and mpstat_intervals.csv (t_ms,dt_ms,cpu,...); overrides the "
         "scenario's /outputs/mpstat_interval_ms",
         "MS"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - simulate a scenario");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = SIM_EXIT_OK;
    struct sim_scenario *sc = NULL;
    struct sim_run *run = NULL;
    GError *err = NULL;
    enum sim_engine_kind kind = SIM_ENGINE_WINDOW; /* the faster; outputs are byte-identical */
    if (!sim_cli_parse(ctx, &argc, &argv, "run")) {
        rc = SIM_EXIT_USAGE;
        goto out;
    }
    if (argc != 2) {
        rc = sim_cli_fail("run", SIM_EXIT_USAGE, "expected one SCENARIO file (see --help)");
        goto out;
    }
    if (engine && !sim_engine_parse(engine, &kind)) {
        rc = sim_cli_fail("run", SIM_EXIT_USAGE, "--engine: expected percpu or window, not '%s'",
                          engine);
        goto out;
    }
    if (seed != G_MININT64 && seed < 0) {
        rc = sim_cli_fail("run", SIM_EXIT_USAGE, "--seed: expected N >= 0, got %" G_GINT64_FORMAT,
                          seed);
        goto out;
    }
    if (!(timeline_ms >= 0 && timeline_ms <= 3.6e6)) {
        rc = sim_cli_fail("run", SIM_EXIT_USAGE, "--timeline-ms: expected 0 to 3600000 ms");
        goto out;
    }
    /* whole microseconds, 0.1 ms to an hour (mpstat's own floor is 1 s; finer steps show
     * a take-over inside the first ms) */
    if (mpstat_ms != 0 && !(mpstat_ms >= 0.1 && mpstat_ms <= 3.6e6 &&
                            fabs(mpstat_ms * 1e3 - round(mpstat_ms * 1e3)) < 1e-6)) {
        rc = sim_cli_fail("run", SIM_EXIT_USAGE,
                          "--mpstat-interval-ms: expected 0.1 to 3600000 ms in whole us, got %g",
                          mpstat_ms);
        goto out;
    }
    bool multi = false;
    struct sim_cluster *cl = sim_cluster_try_load(argv[1], sets, &multi, &err);
    if (multi && costs) {
        sim_cluster_free(cl);
        g_clear_error(&err);
        rc = sim_cli_fail("run", SIM_EXIT_USAGE,
                          "--costs: a multi-host scenario takes its costs per host "
                          "(/hosts/NAME/costs)");
        goto out;
    }
    if (multi && (timeline_ms > 0 || mpstat_ms > 0)) {
        sim_cluster_free(cl);
        g_clear_error(&err);
        rc = sim_cli_fail(
            "run", SIM_EXIT_USAGE, "--%s: not for a multi-host scenario%s",
            timeline_ms > 0 ? "timeline-ms" : "mpstat-interval-ms",
            timeline_ms > 0 ? "" : " (ask a host: /hosts/NAME/outputs/mpstat_interval_ms)");
        goto out;
    }
    if (multi) {
        rc = cl ? run_hosts(argv[1], cl, out, force, seed, engine, print_scenario, quiet, sets)
                : sim_cli_fail_error("run", err);
        sim_cluster_free(cl);
        goto out;
    }
    sc = load_with_costs(argv[1], costs, sets, &err);
    if (sc) {
        scn_text = json_dumps(sim_scenario_json(sc), JSON_SORT_KEYS | JSON_INDENT(2));
        if (print_scenario) {
            printf("%s\n", scn_text);
            goto out;
        }
    }
    /* The output is checked (and its temporary made) before the run, so a bad
     * --out costs nothing. */
    if (sc)
        o = sim_out_begin(out ? out : "out", force ? SIM_OUT_FORCE : SIM_OUT_DEFAULT, &err);
    if (!o || !(run = sim_run_new(sc, seed != G_MININT64 ? (uint64_t)seed : sim_scenario_seed(sc),
                                  &err))) {
        rc = sim_cli_fail_error("run", err);
        goto out;
    }
    if (timeline_ms > 0) {
        tl = sim_timeline_new(sim_machine_n_cpus(sim_run_machine(run)),
                              (uint64_t)(timeline_ms * 1e6), TIMELINE_MAX_EVENTS);
        struct kern_observer obs = sim_timeline_observer(tl);
        sim_machine_observe(sim_run_machine(run), &obs);
    }
    if (mpstat_ms > 0 &&
        !sim_machine_set_intervals(sim_run_machine(run), (uint64_t)llround(mpstat_ms * 1e3) * 1000u,
                                   &err)) {
        rc = sim_cli_fail("run", SIM_EXIT_USAGE, "--mpstat-interval-ms: %s", err->message);
        g_clear_error(&err);
        goto out;
    }
    struct sim_cli_progress pr;
    sim_cli_progress_init(&pr, "run", progress, quiet);
    sim_engine_set_progress(progress_tick, &pr);
    bool ran = sim_engine_run(sim_run_machine(run), kind, sim_scenario_link_mbps(sc), &err);
    sim_cli_progress_end(&pr);
    if (!ran) {
        rc = sim_cli_fail_error("run", err);
        goto out;
    }
    struct sim_result res;
    sim_machine_result(sim_run_machine(run), &res);
    prov = run_provenance(argv[1], sc, seed != G_MININT64 ? (uint64_t)seed : sim_scenario_seed(sc),
                          kind, sets);
    res.provenance = prov;
    cls = sim_run_classifier_json(run);
    res.classifier = cls;
    res.input_warning = sim_run_warning(run);
    if (res.input_warning)
        g_printerr("nicsteer run: warning: %s\n", res.input_warning);
    struct sim_report_extra extra[2] = {{"scenario.json", scn_text, strlen(scn_text)},
                                        {.name = "timeline.json"}};
    if (tl) {
        tl_json = sim_timeline_json(tl, &extra[1].len);
        extra[1].data = tl_json;
        if (sim_timeline_truncated(tl))
            g_printerr("nicsteer run: timeline.json stops at %zu events (the cap); ask for fewer "
                       "--timeline-ms\n",
                       sim_timeline_events(tl));
    }
    bool wrote = sim_report_write_to(o, &res, extra, tl ? 2 : 1, &err);
    o = NULL;
    if (!wrote) {
        rc = sim_cli_fail_error("run", err);
    } else if (!quiet) {
        char *table = sim_report_mpstat_text(&res);
        fputs(table, stdout);
        g_free(table);
    }
    sim_result_clear(&res);
out:
    sim_out_abort(o);
    g_free(tl_json);
    free(scn_text);
    json_decref(prov);
    json_decref(cls);
    g_strfreev(sets);
    sim_timeline_free(tl);
    sim_run_free(run);
    sim_scenario_free(sc);
    g_free(out);
    g_free(engine);
    g_free(costs);
    g_option_context_free(ctx);
    return rc;
}
