/* The progress line of long commands: on stderr, rewritten in place, once the work has
 * lasted ~2 s, on a terminal (or forced with --progress, silenced with --quiet); never on
 * stdout. */
#ifndef NICSTEER_CLI_PROGRESS_H
#define NICSTEER_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct sim_cli_progress {
    const char *what; /* "run" */
    bool on;          /* allowed: a TTY or --progress, and not --quiet */
    bool forced;      /* --progress: from the start, not after 2 s */
    int64_t start_us; /* g_get_monotonic_time() at the start */
    int64_t last_us;  /* last line printed, 0 = none yet */
    double done0;     /* units already done at the start (a resumed sweep): not in the rate */
    int decimals;     /* of done / total: 2 (simulated s), 0 for counts (runs) */
};

void sim_cli_progress_init(struct sim_cli_progress *p, const char *what, bool force, bool quiet);
/* done of total units (simulated ns, runs, ...); unit names what done counts ("s", "runs"). */
void sim_cli_progress_update(struct sim_cli_progress *p, double done, double total,
                             const char *unit);
/* The closing figures (e.g. all runs done): printed even if a line was just printed,
 * when any was (or --progress); nothing for work that stayed under ~2 s. */
void sim_cli_progress_last(struct sim_cli_progress *p, double done, double total, const char *unit);
/* A replay's progress callback (val_replay_opts.progress, ctx a sim_cli_progress): trace
 * bytes read of the file's size, shown in MB. */
void sim_cli_progress_trace_bytes(void *ctx, uint64_t done_bytes, uint64_t total_bytes);
/* End the line (a newline if one was printed). */
void sim_cli_progress_end(struct sim_cli_progress *p);

#endif
