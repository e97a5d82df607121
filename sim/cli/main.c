/* nicsteer: one binary, one subcommand per job (git-style dispatch). */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"

/* Subcommand entry points live in sim/cli_<name>.c. */

const struct sim_cli_cmd sim_cli_cmds[] = {
    {"bench-toeplitz", "Toeplitz RSS hash throughput: table vs bitwise (vs DPDK)",
     sim_cli_bench_toeplitz},
    {"run", "Simulate a scenario; write the result directory, print mpstat", sim_cli_run},
    {"check", "Validate a scenario file", sim_cli_check},
    {"bench", "Simulated packets per wall second of each engine vs a plain-C baseline",
     sim_cli_bench},
    {"steer", "RX queue of every packet of a capture under a steering config", sim_cli_steer},
    {"validate", "replay a capture bundle: model vs host RX queue/CPU agreement", sim_cli_validate},
    {"sweep", "Run a scenario over axes x seeds (GNU parallel, or a Slurm array)", sim_cli_sweep},
    {"collect", "One table of a sweep's runs (CSV: axes, seed, headline metrics)", sim_cli_collect},
    {"calibrate", "fit the NET_RX cost model to capture bundles' traced runs (COSTS.json)",
     sim_cli_calibrate},
    {NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: nicsteer COMMAND [OPTIONS]\n\ncommands:\n");
    for (const struct sim_cli_cmd *c = sim_cli_cmds; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n'nicsteer COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SIM_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return SIM_EXIT_OK;
    }
    for (const struct sim_cli_cmd *c = sim_cli_cmds; c->name; c++) {
        if (strcmp(argv[1], c->name) == 0) {
            char *prog = g_strdup_printf("nicsteer %s", c->name);
            argv[1] = prog;
            int rc = c->main(argc - 1, argv + 1);
            g_free(prog);
            return rc;
        }
    }
    fprintf(stderr, "nicsteer: unknown command '%s' (see nicsteer --help)\n", argv[1]);
    return SIM_EXIT_USAGE;
}
