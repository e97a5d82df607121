#include "sim/cli/progress.h"

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

#define QUIET_US 2000000 /* no line for work shorter than this */
#define EVERY_US 500000  /* at most two lines a second */

void sim_cli_progress_init(struct sim_cli_progress *p, const char *what, bool force, bool quiet)
{
    *p = (struct sim_cli_progress){.what = what,
                                   .on = !quiet && (force || isatty(STDERR_FILENO)),
                                   .forced = force,
                                   .start_us = g_get_monotonic_time(),
                                   .decimals = 2};
}

void sim_cli_progress_update(struct sim_cli_progress *p, double done, double total,
                             const char *unit)
{
    if (!p->on)
        return;
    int64_t now = g_get_monotonic_time(), el = now - p->start_us;
    if ((!p->forced && el < QUIET_US) || (p->last_us && now - p->last_us < EVERY_US))
        return;
    p->last_us = now;
    double wall = (double)el / 1e6, rate = wall > 0 ? (done - p->done0) / wall : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\rnicsteer %s: %.*f / %.*f %s (%3.0f%%), %.3g %s per wall s, ETA %.0f s   ",
            p->what, p->decimals, done, p->decimals, total, unit,
            total > 0 ? 100.0 * done / total : 0.0, rate, unit, eta);
    fflush(stderr);
}

void sim_cli_progress_last(struct sim_cli_progress *p, double done, double total, const char *unit)
{
    if (p->last_us)
        p->last_us = 1; /* long enough ago for one more line */
    else if (!p->forced)
        return;
    sim_cli_progress_update(p, done, total, unit);
}

void sim_cli_progress_end(struct sim_cli_progress *p)
{
    if (p->on && p->last_us)
        fputc('\n', stderr);
}

void sim_cli_progress_trace_bytes(void *ctx, uint64_t done_bytes, uint64_t total_bytes)
{
    sim_cli_progress_update(ctx, (double)done_bytes / 1e6, (double)total_bytes / 1e6,
                            "MB of trace");
}
