/* `nicsteer sweep SPEC.json --out DIR [--emit run|jobs|slurm] [-j N]`: the cross product of
 * a spec's axes (JSON pointers of the base scenario and their values) and seeds becomes one
 * `nicsteer run BASE --set ... --seed S --out DIR/<id>` line per run in DIR/jobs.txt, which
 * GNU parallel runs (--emit run, the default; a second sweep of the same spec resumes), or a
 * Slurm job array runs (--emit slurm writes DIR/sweep.sbatch), or anything else does (--emit
 * jobs). nicsteer has no scheduler of its own. Every run is checked before any starts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/core/err.h"
#include "sim/core/file.h"
#include "sim/core/out.h"
#include "sim/core/version.h"
#include "sim/host/cluster.h"
#include "sim/host/scenario.h"

#define SUB      "sweep"
#define MAX_RUNS 100000

/* One run of the sweep: its id, its --set list and seed, the axis values. */
struct sweep_run {
    char id[16];
    GPtrArray *sets; /* char* "PTR=VALUE" */
    json_int_t seed;
    json_t *axes; /* PTR -> value */
};

static void run_free(gpointer p)
{
    struct sweep_run *r = p;
    g_ptr_array_free(r->sets, TRUE);
    json_decref(r->axes);
    g_free(r);
}

/* An axis: one pointer (or several zipped ones) and its values. */
struct axis {
    GPtrArray *ptrs;   /* const char*, borrowed from the spec */
    GPtrArray *values; /* json_t* arrays, one per pointer, borrowed */
    size_t n;
};

static bool bad(const char *spec, GError **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static bool bad(const char *spec, GError **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: %s", spec, m);
    g_free(m);
    return false;
}

static bool add_axes(const char *spec, const json_t *obj, bool zip, GArray *axes, GError **err)
{
    const char *where = zip ? "/zip" : "/axes";
    if (!obj)
        return true;
    if (!json_is_object(obj) || !json_object_size(obj))
        return bad(spec, err, "%s: expected an object of JSON pointer -> array of values", where);
    struct axis zipped = {g_ptr_array_new(), g_ptr_array_new(), 0};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (k[0] != '/' || !json_is_array(v) || !json_array_size(v))
            return bad(spec, err, "%s/%s: expected a JSON pointer key and a non-empty array", where,
                       k);
        if (zip && zipped.n && json_array_size(v) != zipped.n)
            return bad(spec, err, "/zip%s: %zu values, expected %zu like the other zipped axes", k,
                       json_array_size(v), zipped.n);
        struct axis a = {g_ptr_array_new(), g_ptr_array_new(), json_array_size(v)};
        struct axis *t = zip ? &zipped : &a;
        g_ptr_array_add(t->ptrs, (gpointer)k);
        g_ptr_array_add(t->values, v);
        t->n = json_array_size(v);
        if (!zip)
            g_array_append_val(axes, a);
        else {
            g_ptr_array_free(a.ptrs, TRUE);
            g_ptr_array_free(a.values, TRUE);
        }
    }
    if (zip)
        g_array_append_val(axes, zipped);
    else {
        g_ptr_array_free(zipped.ptrs, TRUE);
        g_ptr_array_free(zipped.values, TRUE);
    }
    return true;
}

static void axes_free(GArray *axes)
{
    for (guint i = 0; i < axes->len; i++) {
        struct axis *a = &g_array_index(axes, struct axis, i);
        g_ptr_array_free(a->ptrs, TRUE);
        g_ptr_array_free(a->values, TRUE);
    }
    g_array_free(axes, TRUE);
}

/* Every combination (the last axis fastest), times every seed. */
static GPtrArray *expand(const char *spec, GArray *axes, const json_t *seeds, GError **err)
{
    size_t total = json_array_size(seeds);
    for (guint i = 0; i < axes->len; i++)
        total *= g_array_index(axes, struct axis, i).n;
    if (total > MAX_RUNS) {
        bad(spec, err, "%zu runs, expected at most %d", total, MAX_RUNS);
        return NULL;
    }
    GPtrArray *runs = g_ptr_array_new_with_free_func(run_free);
    for (size_t r = 0; r < total; r++) {
        struct sweep_run *run = g_new0(struct sweep_run, 1);
        g_snprintf(run->id, sizeof run->id, "r%05zu", r + 1);
        run->sets = g_ptr_array_new_with_free_func(g_free);
        run->axes = json_object();
        size_t rest = r / json_array_size(seeds);
        run->seed = json_integer_value(json_array_get(seeds, r % json_array_size(seeds)));
        for (guint i = axes->len; i-- > 0;) {
            struct axis *a = &g_array_index(axes, struct axis, i);
            size_t k = rest % a->n;
            rest /= a->n;
            for (guint j = 0; j < a->ptrs->len; j++) {
                json_t *v = json_array_get(a->values->pdata[j], k);
                char *vs = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
                g_ptr_array_insert(run->sets, 0,
                                   g_strdup_printf("%s=%s", (char *)a->ptrs->pdata[j], vs));
                free(vs);
                json_object_set(run->axes, a->ptrs->pdata[j], v);
            }
        }
        g_ptr_array_add(runs, run);
    }
    return runs;
}

/* A word for a shell command line, single-quoted. */
static void shell_word(GString *s, const char *w)
{
    g_string_append_c(s, '\'');
    for (const char *p = w; *p; p++)
        if (*p == '\'')
            g_string_append(s, "'\\''");
        else
            g_string_append_c(s, *p);
    g_string_append(s, "' ");
}

static char *self_exe(void)
{
    char *p = g_file_read_link("/proc/self/exe", NULL);
    return p ? p : g_strdup("nicsteer");
}

static char *jobs_text(GPtrArray *runs, const char *base, const char *dir)
{
    char *exe = self_exe();
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < runs->len; i++) {
        const struct sweep_run *r = runs->pdata[i];
        shell_word(s, exe);
        g_string_append(s, "run ");
        shell_word(s, base);
        for (guint j = 0; j < r->sets->len; j++) {
            g_string_append(s, "--set ");
            shell_word(s, r->sets->pdata[j]);
        }
        g_string_append_printf(s, "--seed %" JSON_INTEGER_FORMAT " --quiet --out ", r->seed);
        char *o = g_build_filename(dir, r->id, NULL);
        shell_word(s, o);
        g_free(o);
        s->str[s->len - 1] = '\n';
    }
    g_free(exe);
    return g_string_free(s, FALSE);
}

static json_t *index_json(GPtrArray *runs, const json_t *spec, const char *base)
{
    json_t *arr = json_array();
    for (guint i = 0; i < runs->len; i++) {
        const struct sweep_run *r = runs->pdata[i];
        json_t *sets = json_array();
        for (guint j = 0; j < r->sets->len; j++)
            json_array_append_new(sets, json_string(r->sets->pdata[j]));
        json_array_append_new(arr, json_pack("{s:s, s:I, s:O, s:o}", "id", r->id, "seed", r->seed,
                                             "axes", r->axes, "set", sets));
    }
    json_t *j = json_pack("{s:O, s:s, s:o}", "spec", spec, "base", base, "runs", arr);
    sim_version_stamp(j, 1);
    return j;
}

/* The job array: task i runs line i of jobs.txt. Slurm's own log goes nowhere: a file in
 * DIR would be one nicsteer did not write (a failed task shows in sacct and in its missing
 * result directory). */
static char *slurm_text(const char *dir, unsigned n)
{
    return g_strdup_printf("#!/bin/bash\n"
                           "# Slurm job array of this sweep: sbatch %s/sweep.sbatch (DIR on a "
                           "path every node shares).\n"
                           "#SBATCH --job-name=nicsteer-sweep\n"
                           "#SBATCH --array=1-%u\n"
                           "#SBATCH --output=/dev/null\n"
                           "set -euo pipefail\n"
                           "sed -n \"${SLURM_ARRAY_TASK_ID}p\" %s/jobs.txt | bash\n",
                           dir, n, dir);
}

/* Every run checked (schema, contradictions) before any starts. */
static bool check_runs(GPtrArray *runs, const char *base, GError **err)
{
    for (guint i = 0; i < runs->len; i++) {
        const struct sweep_run *r = runs->pdata[i];
        g_ptr_array_add(r->sets, NULL);
        bool multi;
        struct sim_cluster *cl = sim_cluster_try_load(base, (char **)r->sets->pdata, &multi, err);
        struct sim_scenario *sc =
            multi ? NULL : sim_scenario_load_set(base, (char **)r->sets->pdata, err);
        g_ptr_array_remove_index(r->sets, r->sets->len - 1);
        sim_cluster_free(cl);
        if (multi && !cl) {
            sim_error_prefix(err, "run %s", r->id);
            return false;
        }
        if (!multi && !sc) {
            sim_error_prefix(err, "run %s", r->id);
            return false;
        }
        sim_scenario_free(sc);
    }
    return true;
}

static bool write_sweep(const char *dir, json_t *index, const char *jobs, const char *sbatch,
                        GPtrArray *runs, GError **err)
{
    struct sim_out *o = sim_out_begin(dir, SIM_OUT_DEFAULT, err);
    bool ok = o && sim_out_write_json(o, "sweep.json", index, err) &&
              sim_out_write(o, "jobs.txt", jobs, -1, err) &&
              (!sbatch || sim_out_write(o, "sweep.sbatch", sbatch, -1, err)) &&
              sim_out_reserve(o, "joblog.txt", err);
    for (guint i = 0; ok && i < runs->len; i++)
        ok = sim_out_reserve(o, ((struct sweep_run *)runs->pdata[i])->id, err);
    if (!o)
        return false;
    if (!ok) {
        sim_out_abort(o);
        return false;
    }
    return sim_out_commit(o, err);
}

/* The sweep DIR already holds this very sweep: resume it rather than start again. */
static bool same_sweep(const char *dir, const json_t *index)
{
    char *p = g_build_filename(dir, "sweep.json", NULL);
    json_t *old = json_load_file(p, 0, NULL);
    g_free(p);
    if (old)
        json_object_del(old, "nicsteer_version");
    json_t *cur = json_deep_copy(index);
    json_object_del(cur, "nicsteer_version");
    bool same = old && json_equal(old, cur);
    json_decref(old);
    json_decref(cur);
    return same;
}

/* GNU parallel's --joblog as it grows: one line per finished job after the header
 * (Seq Host Starttime JobRuntime Send Receive Exitval Signal Command, tab-separated);
 * *lines counts them, *ok the distinct jobs that exited 0 (what --resume-failed skips). */
static void joblog_scan(const char *path, unsigned *lines, unsigned *ok)
{
    *lines = *ok = 0;
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return;
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    char **l = g_strsplit(text, "\n", -1);
    for (char **p = l; *p && p[1]; p++) { /* the last piece is unfinished (or empty) */
        char **f = g_strsplit(*p, "\t", 9);
        guint64 seq = 0, exitval = 1;
        if (p != l && g_strv_length(f) >= 7 &&
            g_ascii_string_to_unsigned(f[0], 10, 1, G_MAXUINT, &seq, NULL) &&
            g_ascii_string_to_unsigned(f[6], 10, 0, 255, &exitval, NULL)) {
            (*lines)++;
            if (exitval == 0)
                g_hash_table_add(seen, GUINT_TO_POINTER((guint)seq));
        }
        g_strfreev(f);
    }
    *ok = g_hash_table_size(seen);
    g_strfreev(l);
    g_hash_table_destroy(seen);
    g_free(text);
}

/* Wait for parallel, the progress line telling runs done / total from its job log: those
 * done before (skipped on resume) plus one per line it appended since it started. */
static int wait_parallel(GPid pid, const char *joblog, unsigned n, struct sim_cli_progress *pr)
{
    unsigned lines0, ok0, lines, ok;
    joblog_scan(joblog, &lines0, &ok0);
    pr->done0 = ok0;
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR))
            break;
        if (pr->on) {
            joblog_scan(joblog, &lines, &ok);
            sim_cli_progress_update(pr, MIN(ok0 + lines - MIN(lines, lines0), n), n, "runs");
        }
        g_usleep(100000);
    }
    joblog_scan(joblog, &lines, &ok);
    sim_cli_progress_last(pr, MIN(ok0 + lines - MIN(lines, lines0), n), n, "runs");
    sim_cli_progress_end(pr);
    g_spawn_close_pid(pid);
    return status;
}

/* GNU parallel over jobs.txt, with a job log so a second sweep resumes. */
static int run_parallel(const char *dir, int jobs, unsigned n, struct sim_cli_progress *pr)
{
    char *jl = g_build_filename(dir, "joblog.txt", NULL);
    char *jf = g_build_filename(dir, "jobs.txt", NULL);
    char *j = g_strdup_printf("%d", jobs > 0 ? jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));
    char *argv[] = {"parallel", "--will-cite", "--joblog", jl,  "--resume-failed", "-j",
                    j,          "--arg-file",  jf,         NULL};
    GPid pid;
    GError *e = NULL;
    /* parallel runs each line through the shell; its exit status counts the failed runs */
    bool spawned = g_spawn_async(NULL, argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_CHILD_INHERITS_STDIN |
                                     G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &pid, &e);
    int rc = SIM_EXIT_OK, status = spawned ? wait_parallel(pid, jl, n, pr) : 0;
    if (!spawned) {
        rc = sim_cli_fail(SUB, SIM_EXIT_INPUT,
                          "cannot start GNU parallel (%s): install Debian's parallel, or run "
                          "%s with --emit jobs and any engine",
                          e->message, jf);
        g_error_free(e);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        int failed = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        rc = sim_cli_fail(SUB, SIM_EXIT_INPUT,
                          "%d of %u runs failed (see %s; the others are kept, a second sweep "
                          "retries the failed ones)",
                          failed, n, jl);
    }
    g_free(jl);
    g_free(jf);
    g_free(j);
    return rc;
}

static GPtrArray *load_spec(const char *spec_path, json_t **spec, char **base, GError **err)
{
    *spec = sim_file_load_json(spec_path, JSON_REJECT_DUPLICATES, err);
    if (!*spec)
        return NULL;
    const char *b = json_string_value(json_object_get(*spec, "base"));
    json_t *seeds = json_object_get(*spec, "seeds");
    if (!b) {
        bad(spec_path, err, "/base: expected the base scenario's file name");
        return NULL;
    }
    if (seeds && (!json_is_array(seeds) || !json_array_size(seeds))) {
        bad(spec_path, err, "/seeds: expected a non-empty array of integers");
        return NULL;
    }
    for (size_t i = 0; seeds && i < json_array_size(seeds); i++)
        if (!json_is_integer(json_array_get(seeds, i)) ||
            json_integer_value(json_array_get(seeds, i)) < 0) {
            bad(spec_path, err, "/seeds/%zu: expected an integer >= 0", i);
            return NULL;
        }
    char *dir = g_path_get_dirname(spec_path);
    char *joined = g_path_is_absolute(b) ? g_strdup(b) : g_build_filename(dir, b, NULL);
    *base = g_canonicalize_filename(joined, NULL);
    g_free(joined);
    g_free(dir);
    GArray *axes = g_array_new(FALSE, FALSE, sizeof(struct axis));
    json_t *one_seed = json_pack("[i]", 1);
    GPtrArray *runs = NULL;
    if (add_axes(spec_path, json_object_get(*spec, "axes"), false, axes, err) &&
        add_axes(spec_path, json_object_get(*spec, "zip"), true, axes, err))
        runs = expand(spec_path, axes, seeds ? seeds : one_seed, err);
    json_decref(one_seed);
    axes_free(axes);
    return runs;
}

int sim_cli_sweep(int argc, char **argv)
{
    gchar *out = NULL, *emit = NULL;
    gint jobs = 0;
    gboolean quiet = FALSE, progress = FALSE;
    GOptionEntry entries[] = {
        {"out", 0, 0, G_OPTION_ARG_FILENAME, &out,
         "Sweep directory: sweep.json, jobs.txt and one result directory per run", "DIR"},
        {"emit", 0, 0, G_OPTION_ARG_STRING, &emit,
         "run (default: GNU parallel runs jobs.txt), jobs (only write it), slurm (also "
         "write sweep.sbatch, a job array for sbatch)",
         "WHAT"},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "Runs at once (default: the CPUs)", "N"},
        {"progress", 0, 0, G_OPTION_ARG_NONE, &progress,
         "Show the progress line (runs done / total, from parallel's job log) on stderr even "
         "when it is not a terminal",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
         "No progress line, and nothing printed on success", NULL},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new("SPEC.json - run a scenario over axes and seeds");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = SIM_EXIT_USAGE;
    json_t *spec = NULL, *index = NULL;
    char *base = NULL, *jtext = NULL, *sbatch = NULL, *dir = NULL;
    GPtrArray *runs = NULL;
    GError *err = NULL;
    if (!sim_cli_parse(ctx, &argc, &argv, SUB))
        goto done;
    if (argc != 2 || !out) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "expected SPEC.json and --out DIR (see --help)");
        goto done;
    }
    bool slurm = emit && !strcmp(emit, "slurm"), only_jobs = emit && !strcmp(emit, "jobs");
    if (emit && !slurm && !only_jobs && strcmp(emit, "run")) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--emit: expected run, jobs or slurm, got '%s'",
                          emit);
        goto done;
    }
    if (jobs < 0) {
        rc = sim_cli_fail(SUB, SIM_EXIT_USAGE, "--jobs: expected N >= 1");
        goto done;
    }
    dir = g_canonicalize_filename(out, NULL);
    if (!(runs = load_spec(argv[1], &spec, &base, &err)) || !check_runs(runs, base, &err)) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    index = index_json(runs, spec, base);
    jtext = jobs_text(runs, base, dir);
    sbatch = slurm ? slurm_text(dir, runs->len) : NULL;
    bool resume = !slurm && !only_jobs && same_sweep(dir, index);
    if (!resume && !write_sweep(dir, index, jtext, sbatch, runs, &err)) {
        rc = sim_cli_fail_error(SUB, err);
        goto done;
    }
    if (slurm || only_jobs) {
        printf("%u runs: %s/%s\n", runs->len, dir, slurm ? "sweep.sbatch" : "jobs.txt");
        rc = SIM_EXIT_OK;
        goto done;
    }
    struct sim_cli_progress pr;
    sim_cli_progress_init(&pr, SUB, progress, quiet);
    pr.decimals = 0;
    rc = run_parallel(dir, jobs, runs->len, &pr);
    if (rc == SIM_EXIT_OK && !quiet)
        printf("%u runs in %s (collect: nicsteer collect %s --csv table.csv)\n", runs->len, dir,
               dir);
done:
    if (runs)
        g_ptr_array_free(runs, TRUE);
    json_decref(spec);
    json_decref(index);
    g_free(base);
    g_free(jtext);
    g_free(sbatch);
    g_free(dir);
    g_free(out);
    g_free(emit);
    g_option_context_free(ctx);
    return rc;
}
