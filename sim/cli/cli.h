/* Subcommands of the `nicsteer` binary. Each takes argv after the subcommand
 * name (argv[0] = "nicsteer SUB") and returns the exit status:
 * 0 success, 1 bad input or failed check, 2 bad usage (one-line error). */
#ifndef NICSTEER_SIM_CLI_H
#define NICSTEER_SIM_CLI_H

#include <glib.h>
#include <stdbool.h>

#include "models/kernel/cost.h"

#define SIM_EXIT_OK    0
#define SIM_EXIT_INPUT 1
#define SIM_EXIT_USAGE 2

struct sim_cli_cmd {
    const char *name;
    const char *summary;
    int (*main)(int argc, char **argv);
};

/* Parse options with GOption; on error print "nicsteer SUB: <msg>" and return
 * false (caller exits SIM_EXIT_USAGE). `--help` prints and exits 0. */
bool sim_cli_parse(GOptionContext *ctx, int *argc, char ***argv, const char *sub);
/* Print "nicsteer SUB: <message>" on stderr; returns `status`. */
int sim_cli_fail(const char *sub, int status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Same, from a GError (freed). Status SIM_EXIT_USAGE for SIM_ERROR_USAGE, else 1. */
int sim_cli_fail_error(const char *sub, GError *err);

int sim_cli_bench_toeplitz(int argc, char **argv);
int sim_cli_run(int argc, char **argv);
int sim_cli_check(int argc, char **argv);
int sim_cli_bench(int argc, char **argv);
int sim_cli_steer(int argc, char **argv);
int sim_cli_validate(int argc, char **argv);
int sim_cli_sweep(int argc, char **argv);
int sim_cli_collect(int argc, char **argv);
int sim_cli_calibrate(int argc, char **argv);

/* Where a costs file says it came from: /calibration/hosts (val_host_class() strings) and
 * /calibration/bundles (the bundle paths calibrate fitted), each a new NULL-terminated strv,
 * NULL when the file does not say (hand-written costs). */
struct sim_cli_costs_origin {
    char **hosts;
    char **bundles;
};
void sim_cli_costs_origin_clear(struct sim_cli_costs_origin *o);

/* --costs FILE: a JSON /costs object (nicsteer calibrate's output, or hand-written) applied
 * over c with the checks of a scenario's /costs; errors name FILE and the key. origin (may be
 * NULL) receives its /calibration provenance; a provenance that is not an array of strings is
 * an error naming FILE. */
bool sim_cli_load_costs(const char *path, struct kern_cost *c, struct sim_cli_costs_origin *origin,
                        GError **err);

/* The costs library: the calibrated costs of known host classes, searched in the directories of
 * $NICSTEER_COSTS_PATH (':'-separated), then scenarios/costs of this source tree, then the
 * installed share/nicsteer/costs. Returns the path (new) of the first *.json, by name within a
 * directory, whose /calibration/hosts holds host_class; NULL with *err unset when none does;
 * NULL with *err set (naming the file) when a library file is not a costs object. */
char *sim_cli_host_costs(const char *host_class, GError **err);

/* The command table, defined in sim/main.c. */
extern const struct sim_cli_cmd sim_cli_cmds[];

#endif
