/* `nicsteer calibrate BUNDLE... --out COSTS.json`: replay each bundle, collect every traced
 * NET_RX run with the operations inside it, fit the cost terms by NNLS (validate/calibrate.c)
 * and write the /costs object that `run --costs`, `validate --costs` and a scenario's "costs"
 * accept. */
#include <stdio.h>
#include <stdlib.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/core/err.h"
#include "sim/core/out.h"
#include "validate/bundle.h"
#include "validate/calibrate.h"
#include "validate/replay.h"

static const char *SUB = "calibrate";

/* The runs of every bundle, appended in argument order. */
static bool collect(char **dirs, int n, const struct kern_cost *prior, GArray *runs, guint *end,
                    GPtrArray *hosts, struct sim_cli_progress *pr, GError **err)
{
    for (int i = 0; i < n; i++) {
        struct val_replay_opts o;
        val_replay_opts_init(&o);
        o.cost = *prior;
        o.nrx_runs = runs;
        o.progress = sim_cli_progress_trace_bytes;
        o.progress_ctx = pr;
        guint before = runs->len;
        struct val_report *r = val_replay_bundle(dirs[i], &o, err);
        sim_cli_progress_end(pr);
        if (!r)
            return false;
        char *h = val_host_class(r->kernel, r->ncpus);
        if (g_ptr_array_find_with_equal_func(hosts, h, g_str_equal, NULL))
            g_free(h);
        else
            g_ptr_array_add(hosts, h);
        val_report_free(r);
        printf("%s: %u NET_RX runs\n", dirs[i], runs->len - before);
        end[i] = runs->len;
    }
    return true;
}

/* --runs CSV: the table the fit used, one traced run a row (bundle, cpu, traced ns, counts). */
static bool write_runs(const char *path, const GArray *runs, char **dirs, const guint *end,
                       GError **err)
{
    GString *s = g_string_new("bundle,cpu,trace_ns");
    for (int t = 0; t < VAL_NRX__N; t++)
        g_string_append_printf(s, ",%s", val_nrx_term_name((enum val_nrx_term)t));
    g_string_append_c(s, '\n');
    int b = 0;
    for (guint i = 0; i < runs->len; i++) {
        while (i >= end[b])
            b++;
        const struct val_nrx_run *r = &g_array_index(runs, struct val_nrx_run, i);
        g_string_append_printf(s, "%s,%d,%" G_GUINT64_FORMAT, dirs[b], r->cpu, r->trace_ns);
        for (int t = 0; t < VAL_NRX__N; t++)
            g_string_append_printf(s, ",%u", r->n[t]);
        g_string_append_c(s, '\n');
    }
    bool ok = sim_out_file(path, s->str, (gssize)s->len, err);
    g_string_free(s, TRUE);
    return ok;
}

/* Per bundle and CPU, the fitted prices' total against the traced NET_RX time: one price per
 * operation leaves what differs between captures (a host's load at the time, a vCPU's own
 * speed) as a bundle's or CPU's share of the residual. */
static void print_bundle_fit(const GArray *runs, char **dirs, const guint *end, int n,
                             const struct kern_cost *fitted)
{
    printf("fitted vs traced NET_RX time per bundle and CPU:\n");
    for (int b = 0; b < n; b++) {
        GHashTable *cpu = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        double tr = 0, fi = 0;
        int maxcpu = -1;
        for (guint i = b ? end[b - 1] : 0; i < end[b]; i++) {
            const struct val_nrx_run *r = &g_array_index(runs, struct val_nrx_run, i);
            double *c = g_hash_table_lookup(cpu, GINT_TO_POINTER(r->cpu));
            if (!c)
                g_hash_table_insert(cpu, GINT_TO_POINTER(r->cpu), c = g_new0(double, 2));
            c[0] += (double)r->trace_ns;
            c[1] += (double)val_nrx_price_run(r, fitted);
            maxcpu = MAX(maxcpu, r->cpu);
        }
        GString *line = g_string_new(NULL);
        for (int k = 0; k <= maxcpu; k++) {
            const double *c = g_hash_table_lookup(cpu, GINT_TO_POINTER(k));
            if (!c || c[0] <= 0)
                continue;
            tr += c[0];
            fi += c[1];
            g_string_append_printf(line, " cpu%d %+.0f%%", k, 100.0 * (c[1] / c[0] - 1.0));
        }
        printf("  %s: %.1f ms traced, fitted %+.1f%%;%s\n", dirs[b], tr / 1e6,
               tr > 0 ? 100.0 * (fi / tr - 1.0) : 0.0, line->str);
        g_string_free(line, TRUE);
        g_hash_table_destroy(cpu);
    }
}

int sim_cli_calibrate(int argc, char **argv)
{
    gchar *out = NULL, *prior_path = NULL, *runs_path = NULL;
    gboolean quiet = FALSE, progress = FALSE;
    GOptionEntry entries[] = {
        {"progress", 0, 0, G_OPTION_ARG_NONE, &progress,
         "Show the progress line (trace MB read, per bundle) on stderr even when it is not a "
         "terminal",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress line", NULL},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the fitted /costs object to FILE",
         "FILE"},
        {"costs", 0, 0, G_OPTION_ARG_FILENAME, &prior_path,
         "Start from these costs (the terms no run exercises keep them; default: built-in)",
         "FILE"},
        {"runs", 0, 0, G_OPTION_ARG_FILENAME, &runs_path,
         "Also write the fitted table to FILE (CSV: bundle, cpu, traced ns, each term's count)",
         "FILE"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("BUNDLE... --out COSTS.json");
    g_option_context_set_summary(
        ctx, "Fit the NET_RX softirq cost model (per run, pass, poll, packet, skb, socket\n"
             "enqueue, wake-up, RPS enqueue, IPI, nested hardirq) to the traced runs of the\n"
             "capture bundles by non-negative least squares; print the fit quality.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    bool ok = sim_cli_parse(ctx, &argc, &argv, SUB);
    g_option_context_free(ctx);
    int rc = SIM_EXIT_USAGE;
    GArray *runs = g_array_new(FALSE, FALSE, sizeof(struct val_nrx_run));
    GError *err = NULL;
    struct kern_cost prior, fitted;
    kern_cost_defaults(&prior);
    struct val_calib_fit f;
    guint *end = NULL; /* per bundle: index one past its last run */
    GPtrArray *hosts = g_ptr_array_new_with_free_func(g_free); /* distinct, in argument order */
    if (!ok)
        goto done;
    if (argc < 2 || !out) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE,
                          argc < 2 ? "missing BUNDLE directory" : "missing --out COSTS.json");
        goto done;
    }
    struct sim_cli_progress pr;
    sim_cli_progress_init(&pr, SUB, progress, quiet);
    if ((prior_path && !sim_cli_load_costs(prior_path, &prior, NULL, &err)) ||
        !collect(argv + 1, argc - 1, &prior, runs, end = g_new0(guint, argc), hosts, &pr, &err) ||
        !val_calib_fit(runs, &f, &err) ||
        (runs_path && !write_runs(runs_path, runs, argv + 1, end, &err))) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    if (hosts->len > 1) {
        GString *list = g_string_new(NULL);
        for (guint i = 0; i < hosts->len; i++)
            g_string_append_printf(list, "%s%s", i ? "; " : "", (char *)hosts->pdata[i]);
        g_printerr("nicsteer %s: warning: the bundles come from %u hosts (%s): one host's costs "
                   "do not predict another's; calibrate each host on its own bundles\n",
                   SUB, hosts->len, list->str);
        g_string_free(list, TRUE);
    }
    g_ptr_array_add(hosts, NULL);
    val_calib_apply(&f, &prior, &fitted);
    json_t *j = val_calib_costs_json(&fitted, &f, (const char *const *)argv + 1,
                                     (unsigned)(argc - 1), (const char *const *)hosts->pdata);
    ok = sim_out_file_json(out, j, &err);
    json_decref(j);
    if (!ok) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    char *t = val_calib_text(&f);
    fputs(t, stdout);
    g_free(t);
    print_bundle_fit(runs, argv + 1, end, argc - 1, &fitted);
    printf("wrote %s\n", out);
    rc = SIM_EXIT_OK;
done:
    g_array_free(runs, TRUE);
    g_ptr_array_free(hosts, TRUE);
    g_free(end);
    g_free(runs_path);
    g_free(out);
    g_free(prior_path);
    return rc;
}
