/* Output side of a run: summary.json, mpstat/procfs-style text files and CSVs
 * from a struct sim_result, written atomically as one result directory. */
#ifndef NICSTEER_SIM_REPORT_H
#define NICSTEER_SIM_REPORT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "sim/core/out.h"
#include "sim/core/result.h"

/* Write `dir` with summary.json, mpstat.txt, interrupts.txt, softnet_stat.txt,
 * queues.csv and flows.csv. All or nothing: on error nothing is left at `dir`
 * (an older result directory there stays as it was); on success an older
 * nicsteer output is replaced. What nicsteer did not write is never touched
 * (see sim/out.h). */
bool sim_report_write(const struct sim_result *r, const char *dir, GError **err);

/* An extra file of the result directory (e.g. timeline.json). */
struct sim_report_extra {
    const char *name;
    const char *data;
    size_t len;
};
/* sim_report_write() plus `n_extra` more files, in the same all-or-nothing commit. */
bool sim_report_write_extra(const struct sim_result *r, const char *dir,
                            const struct sim_report_extra *extra, size_t n_extra, GError **err);
/* The same into an output begun earlier (sim_out_begin() before a long run
 * finds a bad --out at once). Commits or aborts `o`, so always consumes it. */
bool sim_report_write_to(struct sim_out *o, const struct sim_result *r,
                         const struct sim_report_extra *extra, size_t n_extra, GError **err);

/* Refuse a result whose counts and arrays disagree (never reads past them). */
bool sim_report_check(const struct sim_result *r, GError **err);
/* /proc/softirqs of the run (fs/proc/softirqs.c layout). New string. */
char *sim_report_softirqs_text(const struct sim_result *r);

/* The pieces, each a new string (g_free) / new reference (json_decref).
 * They assume sim_report_check(r) passed. */
json_t *sim_report_summary_json(const struct sim_result *r);
/* `mpstat -P ALL` Average block (sysstat layout), percent of simulated time. */
char *sim_report_mpstat_text(const struct sim_result *r);
/* `mpstat -P ALL STEP` (run --mpstat-interval-ms): one block per interval (time stamp,
 * all, then each CPU), then the Average block; r->n_intervals > 0. */
char *sim_report_mpstat_intervals_text(const struct sim_result *r);
/* The same, tidy: t_ms,dt_ms,cpu,<mpstat's ten columns>,ksoftirqd (share of the interval
 * softirqs ran in ksoftirqd/N, part of soft). */
char *sim_report_mpstat_intervals_csv(const struct sim_result *r);
/* /proc/interrupts rows of the NIC vectors (kernel/irq/proc.c show_interrupts). */
char *sim_report_interrupts_text(const struct sim_result *r);
/* /proc/net/softnet_stat (net/core/net-procfs.c softnet_seq_show, 6.12: 15 columns). */
char *sim_report_softnet_text(const struct sim_result *r);
char *sim_report_queues_csv(const struct sim_result *r);
char *sim_report_flows_csv(const struct sim_result *r);
/* threads.csv: per thread CPU, policy, affinity, migrations by reason, run time. */
char *sim_report_threads_csv(const struct sim_result *r);

#endif
