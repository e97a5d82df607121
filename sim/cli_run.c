/* `nicsteer run SCENARIO [--seed N] [--out DIR] [--engine percpu|window]`:
 * simulate, write the result directory atomically, print the mpstat table. */
#include <stdio.h>

#include "sim/cli.h"
#include "sim/engine.h"
#include "sim/report.h"
#include "sim/scenario.h"

int sim_cli_run(int argc, char **argv)
{
    gint64 seed = -1;
    char *out = NULL, *engine = NULL;
    GOptionEntry entries[] = {
        {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default: the scenario's /seed)",
         "N"},
        {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Result directory (default: out)", "DIR"},
        {"engine", 0, 0, G_OPTION_ARG_STRING, &engine, "percpu (default) or window", "NAME"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - simulate a scenario");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = SIM_EXIT_OK;
    struct sim_scenario *sc = NULL;
    struct sim_run *run = NULL;
    GError *err = NULL;
    enum sim_engine_kind kind = SIM_ENGINE_PERCPU;
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
    sc = sim_scenario_load(argv[1], &err);
    if (!sc || !(run = sim_run_new(sc, seed >= 0 ? (uint64_t)seed : sim_scenario_seed(sc), &err)) ||
        !sim_engine_run(sim_run_machine(run), kind, sim_scenario_link_mbps(sc), &err)) {
        rc = sim_cli_fail_error("run", err);
        goto out;
    }
    struct sim_result res;
    sim_machine_result(sim_run_machine(run), &res);
    if (!sim_report_write(&res, out ? out : "out", &err)) {
        rc = sim_cli_fail_error("run", err);
    } else {
        char *table = sim_report_mpstat_text(&res);
        fputs(table, stdout);
        g_free(table);
    }
    sim_result_clear(&res);
out:
    sim_run_free(run);
    sim_scenario_free(sc);
    g_free(out);
    g_free(engine);
    g_option_context_free(ctx);
    return rc;
}
