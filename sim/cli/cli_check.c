/* `nicsteer check SCENARIO`: validate a scenario (schema, contradictions,
 * traffic and steering configuration) without running it. */
#include <stdio.h>

#include "sim/cli/cli.h"
#include "sim/host/cluster.h"
#include "sim/host/scenario.h"

int sim_cli_check(int argc, char **argv)
{
    gchar **sets = NULL;
    GOptionEntry entries[] = {
        {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
         "Change the scenario first: PATH a JSON pointer, VALUE JSON (repeatable)", "PATH=VALUE"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("SCENARIO - validate a scenario file");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = SIM_EXIT_OK;
    if (!sim_cli_parse(ctx, &argc, &argv, "check")) {
        rc = SIM_EXIT_USAGE;
    } else if (argc != 2) {
        rc = sim_cli_fail("check", SIM_EXIT_USAGE, "expected one SCENARIO file (see --help)");
    } else {
        GError *err = NULL;
        bool multi;
        struct sim_cluster *cl = sim_cluster_try_load(argv[1], sets, &multi, &err);
        struct sim_scenario *sc = multi ? NULL : sim_scenario_load_set(argv[1], sets, &err);
        if (sc || cl)
            printf("ok\n");
        else
            rc = sim_cli_fail_error("check", err);
        sim_scenario_free(sc);
        sim_cluster_free(cl);
    }
    g_option_context_free(ctx);
    g_strfreev(sets);
    return rc;
}
