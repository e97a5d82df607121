/* `nicsteer collect DIR --csv F [--long]`: a sweep's runs as one tidy table — a row per run
 * (id, seed, status, one column per axis, then the headline metrics of its summary.json), or
 * with --long a row per (run, metric). Rows follow the sweep's run order and numbers print
 * the same way every time, so re-collecting gives the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/core/err.h"
#include "sim/core/file.h"
#include "sim/core/jsonval.h"
#include "sim/core/out.h"

#define SUB "collect"

/* A CSV field: quoted when it holds a comma, a quote or a newline (RFC 4180). */
static void csv_field(GString *s, const char *v)
{
    if (!strpbrk(v, ",\"\n")) {
        g_string_append(s, v);
        return;
    }
    g_string_append_c(s, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            g_string_append_c(s, '"');
        g_string_append_c(s, *p);
    }
    g_string_append_c(s, '"');
}

/* A value as a cell: numbers as %.10g, strings bare, anything else compact JSON. */
static char *cell(const json_t *v)
{
    if (!v || json_is_null(v))
        return g_strdup("");
    if (json_is_integer(v))
        return g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    if (json_is_real(v))
        return g_strdup_printf("%.10g", json_real_value(v));
    if (json_is_string(v))
        return g_strdup(json_string_value(v));
    char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
    char *c = g_strdup(d);
    free(d);
    return c;
}

static double num(const json_t *s, const char *ptr)
{
    const json_t *v = sim_json_pointer(s, ptr);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static void metric(GPtrArray *names, GArray *vals, const char *name, double x)
{
    g_ptr_array_add(names, g_strdup(name));
    g_array_append_val(vals, x);
}

/* A multi-host run's DIR/summary.json: the client's end-to-end figures, then per host (in
 * name order) its packets, migrations and CPUs. */
static void metrics_hosts(const json_t *s, GPtrArray *names, GArray *vals)
{
    metric(names, vals, "e2e_completed", num(s, "/end_to_end/completed"));
    metric(names, vals, "e2e_tps", num(s, "/end_to_end/tps"));
    metric(names, vals, "e2e_latency_p50_us", num(s, "/end_to_end/latency_us/p50"));
    metric(names, vals, "e2e_latency_p99_us", num(s, "/end_to_end/latency_us/p99"));
    metric(names, vals, "e2e_latency_p999_us", num(s, "/end_to_end/latency_us/p999"));
    const char *h;
    const json_t *hv;
    static const char *const pk[] = {"offered", "delivered", "dropped"};
    static const char *const pct[] = {"usr", "sys", "irq", "soft", "idle"};
    json_object_foreach((json_t *)json_object_get(s, "hosts"), h, hv)
    {
        char n[96], p[32];
        for (size_t k = 0; k < G_N_ELEMENTS(pk); k++) {
            g_snprintf(n, sizeof n, "%s_%s", h, pk[k]);
            g_snprintf(p, sizeof p, "/packets/%s", pk[k]);
            metric(names, vals, n, num(hv, p));
        }
        const json_t *cpus = json_object_get(hv, "cpus");
        double migr = 0;
        for (size_t c = 0; c < json_array_size(cpus); c++)
            migr += num(json_array_get(cpus, c), "/migrations_in");
        g_snprintf(n, sizeof n, "%s_migrations", h);
        metric(names, vals, n, migr);
        for (size_t c = 0; c < json_array_size(cpus); c++)
            for (size_t k = 0; k < G_N_ELEMENTS(pct); k++) {
                g_snprintf(n, sizeof n, "%s_cpu%zu_%s", h, c, pct[k]);
                g_snprintf(p, sizeof p, "/%s", pct[k]);
                metric(names, vals, n, num(json_array_get(cpus, c), p));
            }
    }
}

/* The headline metrics of one summary.json, in a fixed order (name, value). */
static void metrics(const json_t *s, GPtrArray *names, GArray *vals)
{
    if (json_object_get(s, "hosts")) {
        metrics_hosts(s, names, vals);
        return;
    }
#define M(name, v)                                                                                 \
    do {                                                                                           \
        double x_ = (v);                                                                           \
        g_ptr_array_add(names, g_strdup(name));                                                    \
        g_array_append_val(vals, x_);                                                              \
    } while (0)
    double t = num(s, "/sim_time_s");
    M("offered", num(s, "/packets/offered"));
    M("delivered", num(s, "/packets/delivered"));
    M("dropped", num(s, "/packets/dropped"));
    M("delivered_pps", t > 0 ? num(s, "/packets/delivered") / t : 0);
    M("latency_p50_us", num(s, "/latency_us/p50"));
    M("latency_p99_us", num(s, "/latency_us/p99"));
    M("latency_p999_us", num(s, "/latency_us/p999"));
    double irqs = 0, squeeze = 0, migr = 0;
    const json_t *cpus = json_object_get(s, "cpus");
    for (size_t c = 0; c < json_array_size(cpus); c++) {
        const json_t *cp = json_array_get(cpus, c);
        irqs += num(cp, "/irqs");
        squeeze += num(cp, "/softnet/time_squeeze");
        migr += num(cp, "/migrations_in");
    }
    M("interrupts_per_s", t > 0 ? irqs / t : 0);
    M("time_squeeze", squeeze);
    M("migrations", migr);
    if (json_object_get(s, "requests"))
        M("tps", num(s, "/requests/tps"));
    static const char *const pct[] = {"usr", "sys", "irq", "soft", "idle"};
    for (size_t c = 0; c < json_array_size(cpus); c++)
        for (size_t k = 0; k < G_N_ELEMENTS(pct); k++) {
            char n[32];
            g_snprintf(n, sizeof n, "cpu%zu_%s", c, pct[k]);
            char p[16];
            g_snprintf(p, sizeof p, "/%s", pct[k]);
            M(n, num(json_array_get(cpus, c), p));
        }
    const json_t *qs = json_object_get(s, "queues");
    for (size_t q = 0; q < json_array_size(qs); q++) {
        char n[32];
        g_snprintf(n, sizeof n, "queue%zu_packets", q);
        M(n, num(json_array_get(qs, q), "/packets"));
    }
#undef M
}

struct row {
    const json_t *run;
    json_t *summary; /* NULL: the run left none */
};

static void header(GString *s, const json_t *axes, GPtrArray *names, bool lng)
{
    g_string_append(s, "id,seed,status");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)axes, k, v)
    {
        g_string_append_c(s, ',');
        csv_field(s, k);
    }
    if (lng)
        g_string_append(s, ",metric,value");
    for (guint i = 0; !lng && i < names->len; i++) {
        g_string_append_c(s, ',');
        csv_field(s, names->pdata[i]);
    }
    g_string_append_c(s, '\n');
}

static void row_prefix(GString *s, const struct row *r)
{
    const json_t *run = r->run;
    g_string_append_printf(
        s, "%s,%" JSON_INTEGER_FORMAT ",%s", json_string_value(json_object_get(run, "id")),
        json_integer_value(json_object_get(run, "seed")), r->summary ? "ok" : "missing");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(run, "axes"), k, v)
    {
        char *c = cell(v);
        g_string_append_c(s, ',');
        csv_field(s, c);
        g_free(c);
    }
}

/* Columns: the union of every run's metric names, in order of first appearance (runs of a
 * /cpus axis have different per-CPU columns); a run without one leaves its cell empty. */
static char *table(struct row *rows, size_t n, bool lng)
{
    GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
    GHashTable *at = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray **names = g_new0(GPtrArray *, n);
    GArray **vals = g_new0(GArray *, n);
    for (size_t i = 0; i < n; i++) {
        names[i] = g_ptr_array_new_with_free_func(g_free);
        vals[i] = g_array_new(FALSE, FALSE, sizeof(double));
        if (rows[i].summary)
            metrics(rows[i].summary, names[i], vals[i]);
        for (guint m = 0; m < names[i]->len; m++)
            if (!g_hash_table_contains(at, names[i]->pdata[m])) {
                char *c = g_strdup(names[i]->pdata[m]);
                g_ptr_array_add(cols, c);
                g_hash_table_insert(at, c, GUINT_TO_POINTER(cols->len));
            }
    }
    GString *s = g_string_new(NULL);
    header(s, json_object_get(rows[0].run, "axes"), cols, lng);
    for (size_t i = 0; i < n; i++) {
        if (lng) {
            for (guint m = 0; m < names[i]->len; m++) {
                row_prefix(s, &rows[i]);
                g_string_append_printf(s, ",%s,%.10g\n", (char *)names[i]->pdata[m],
                                       g_array_index(vals[i], double, m));
            }
            continue;
        }
        char **cells = g_new0(char *, cols->len);
        for (guint m = 0; m < names[i]->len; m++) {
            guint c = GPOINTER_TO_UINT(g_hash_table_lookup(at, names[i]->pdata[m])) - 1;
            cells[c] = g_strdup_printf("%.10g", g_array_index(vals[i], double, m));
        }
        row_prefix(s, &rows[i]);
        for (guint c = 0; c < cols->len; c++) {
            g_string_append_c(s, ',');
            if (cells[c])
                g_string_append(s, cells[c]);
            g_free(cells[c]);
        }
        g_free(cells);
        g_string_append_c(s, '\n');
    }
    for (size_t i = 0; i < n; i++) {
        g_ptr_array_free(names[i], TRUE);
        g_array_free(vals[i], TRUE);
    }
    g_free(names);
    g_free(vals);
    g_hash_table_destroy(at);
    g_ptr_array_free(cols, TRUE);
    return g_string_free(s, FALSE);
}

int sim_cli_collect(int argc, char **argv)
{
    gchar *csv = NULL;
    gboolean lng = FALSE;
    GOptionEntry entries[] = {
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write the table to FILE (default: stdout)",
         "FILE"},
        {"long", 0, 0, G_OPTION_ARG_NONE, &lng, "One row per (run, metric)", NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("DIR - one table of a sweep's runs");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = SIM_EXIT_USAGE;
    GError *err = NULL;
    json_t *index = NULL;
    struct row *rows = NULL;
    size_t n = 0;
    if (!sim_cli_parse(ctx, &argc, &argv, SUB))
        goto done;
    if (argc != 2) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "expected one sweep DIR (see --help)");
        goto done;
    }
    char *ip = g_build_filename(argv[1], "sweep.json", NULL);
    index = sim_file_load_json(ip, 0, &err);
    const json_t *runs = index ? json_object_get(index, "runs") : NULL;
    if (index && (!json_is_array(runs) || !json_array_size(runs)))
        sim_fail(&err, SIM_ERROR_INPUT, "%s: /runs: expected the sweep's runs", ip);
    g_free(ip);
    if (err) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    n = json_array_size(runs);
    rows = g_new0(struct row, n);
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i].run = json_array_get(runs, i);
        const char *id = json_string_value(json_object_get(rows[i].run, "id"));
        char *sp = g_build_filename(argv[1], id ? id : "?", "summary.json", NULL);
        rows[i].summary = json_load_file(sp, 0, NULL);
        missing += rows[i].summary == NULL;
        g_free(sp);
    }
    if (missing)
        g_printerr("nicsteer collect: %zu of %zu runs have no summary.json (failed or not run "
                   "yet): status \"missing\"\n",
                   missing, n);
    char *t = table(rows, n, lng);
    if (csv) {
        rc = sim_out_file(csv, t, -1, &err) ? SIM_EXIT_OK : sim_cli_fail_error(SUB, err);
    } else {
        fputs(t, stdout);
        rc = SIM_EXIT_OK;
    }
    g_free(t);
done:
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i].summary);
    g_free(rows);
    json_decref(index);
    g_free(csv);
    g_option_context_free(ctx);
    return rc;
}
