/* sim/out.c: outputs never delete, rename or overwrite what nicsteer did not
 * write; an earlier output is swapped atomically; no temporaries survive;
 * modes honour the umask; crash leftovers are recognised and removed. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/core/err.h"
#include "sim/core/out.h"
#include "tests/unit/cu_main.h"

static char *tmpdir_new(void)
{
    return g_dir_make_tmp("nicsteer-out-XXXXXX", NULL);
}

static void rm_rf(const char *p)
{
    char *cmd = g_strdup_printf("rm -rf '%s'", p);
    CU_ASSERT_EQUAL(system(cmd), 0);
    g_free(cmd);
}

static char *path(const char *dir, const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static char *slurp(const char *dir, const char *name)
{
    char *p = path(dir, name), *t = NULL;
    if (!g_file_get_contents(p, &t, NULL, NULL))
        t = NULL;
    g_free(p);
    return t;
}

static void put(const char *dir, const char *name, const char *text)
{
    char *p = path(dir, name);
    CU_ASSERT(g_file_set_contents(p, text, -1, NULL));
    g_free(p);
}

static int count_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    int n = 0;
    while (d && g_dir_read_name(d))
        n++;
    if (d)
        g_dir_close(d);
    return n;
}

/* One whole output: a.txt with `text`. */
static bool write_output(const char *dir, const char *text, unsigned flags, GError **err)
{
    struct sim_out *o = sim_out_begin(dir, flags, err);
    if (o == NULL)
        return false;
    if (!sim_out_write(o, "a.txt", text, -1, err)) {
        sim_out_abort(o);
        return false;
    }
    return sim_out_commit(o, err);
}

static void test_out_refuses_a_users_directory_before_any_work(void)
{
    char *tmp = tmpdir_new(), *dir = path(tmp, "thesis");
    g_mkdir(dir, 0755);
    put(dir, "ch1.tex", "precious");
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_out_begin(dir, SIM_OUT_DEFAULT, &err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "ch1.tex"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err->message, "--force"));
    g_clear_error(&err);
    char *t = slurp(dir, "ch1.tex");
    CU_ASSERT_STRING_EQUAL(t, "precious");
    CU_ASSERT_EQUAL(count_entries(dir), 1);
    CU_ASSERT_EQUAL(count_entries(tmp), 1); /* no temporary beside it */
    g_free(t);
    rm_rf(tmp);
    g_free(dir);
    g_free(tmp);
}

static void test_out_replaces_its_own_output_by_a_swap(void)
{
    char *tmp = tmpdir_new(), *dir = path(tmp, "run");
    GError *err = NULL;
    CU_ASSERT(write_output(dir, "one", SIM_OUT_DEFAULT, &err));
    GStatBuf before, after;
    CU_ASSERT_EQUAL(g_stat(dir, &before), 0);
    CU_ASSERT(write_output(dir, "two", SIM_OUT_DEFAULT, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(g_stat(dir, &after), 0);
    CU_ASSERT_NOT_EQUAL(before.st_ino, after.st_ino); /* a new directory, put in whole */
    char *t = slurp(dir, "a.txt"), *m = slurp(dir, SIM_OUT_MARKER);
    CU_ASSERT_STRING_EQUAL(t, "two");
    CU_ASSERT_STRING_EQUAL(m, "nicsteer-output 1\nfile a.txt\n");
    CU_ASSERT_EQUAL(count_entries(tmp), 1); /* no .run.nicsteer-tmp.* left */
    g_free(t);
    g_free(m);
    rm_rf(tmp);
    g_free(dir);
    g_free(tmp);
}

static void test_out_keeps_a_file_the_user_added_to_an_output(void)
{
    char *tmp = tmpdir_new(), *dir = path(tmp, "run");
    GError *err = NULL;
    CU_ASSERT(write_output(dir, "one", SIM_OUT_DEFAULT, &err));
    put(dir, "notes.txt", "mine");
    CU_ASSERT_FALSE(write_output(dir, "two", SIM_OUT_DEFAULT, &err));
    CU_ASSERT(err && strstr(err->message, "notes.txt"));
    g_clear_error(&err);
    char *t = slurp(dir, "a.txt");
    CU_ASSERT_STRING_EQUAL(t, "one");
    g_free(t);
    /* --force: nicsteer's file replaced, the user's kept. */
    CU_ASSERT(write_output(dir, "two", SIM_OUT_FORCE, &err));
    char *a = slurp(dir, "a.txt"), *n = slurp(dir, "notes.txt");
    CU_ASSERT_STRING_EQUAL(a, "two");
    CU_ASSERT_STRING_EQUAL(n, "mine");
    CU_ASSERT_EQUAL(count_entries(tmp), 1);
    g_free(a);
    g_free(n);
    rm_rf(tmp);
    g_free(dir);
    g_free(tmp);
}

static void test_out_force_into_a_foreign_directory_touches_only_its_names(void)
{
    char *tmp = tmpdir_new(), *dir = path(tmp, "mixed");
    g_mkdir(dir, 0755);
    put(dir, "a.txt", "theirs");
    put(dir, "b.txt", "theirs too");
    GError *err = NULL;
    CU_ASSERT(write_output(dir, "ours", SIM_OUT_FORCE, &err));
    char *a = slurp(dir, "a.txt"), *b = slurp(dir, "b.txt"), *m = slurp(dir, SIM_OUT_MARKER);
    CU_ASSERT_STRING_EQUAL(a, "ours");
    CU_ASSERT_STRING_EQUAL(b, "theirs too");
    CU_ASSERT_STRING_EQUAL(m, "nicsteer-output 1\nfile a.txt\n");
    CU_ASSERT_EQUAL(count_entries(tmp), 1);
    g_free(a);
    g_free(b);
    g_free(m);
    rm_rf(tmp);
    g_free(dir);
    g_free(tmp);
}

static void test_out_through_a_symlink_keeps_the_link(void)
{
    char *tmp = tmpdir_new(), *real = path(tmp, "real"), *link = path(tmp, "link");
    g_mkdir(real, 0755);
    CU_ASSERT_EQUAL(symlink("real", link), 0);
    GError *err = NULL;
    CU_ASSERT(write_output(link, "one", SIM_OUT_DEFAULT, &err));
    CU_ASSERT(write_output(link, "two", SIM_OUT_DEFAULT, &err));
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT(g_file_test(link, G_FILE_TEST_IS_SYMLINK));
    char *t = slurp(real, "a.txt");
    CU_ASSERT_STRING_EQUAL(t, "two");
    CU_ASSERT_EQUAL(count_entries(tmp), 2); /* real + link, nothing else */
    g_free(t);
    char *dangling = path(tmp, "dangling");
    CU_ASSERT_EQUAL(symlink("nowhere", dangling), 0);
    CU_ASSERT_FALSE(write_output(dangling, "x", SIM_OUT_DEFAULT, &err));
    CU_ASSERT(err && strstr(err->message, "symbolic link to nothing"));
    g_clear_error(&err);
    rm_rf(tmp);
    g_free(dangling);
    g_free(real);
    g_free(link);
    g_free(tmp);
}

static void test_out_honours_the_umask(void)
{
    char *tmp = tmpdir_new(), *dir = path(tmp, "run");
    mode_t old = umask(027);
    GError *err = NULL;
    CU_ASSERT(write_output(dir, "x", SIM_OUT_DEFAULT, &err));
    umask(old);
    GStatBuf d, f;
    char *file = path(dir, "a.txt");
    CU_ASSERT_EQUAL(g_stat(dir, &d), 0);
    CU_ASSERT_EQUAL(g_stat(file, &f), 0);
    CU_ASSERT_EQUAL(d.st_mode & 0777, 0750);
    CU_ASSERT_EQUAL(f.st_mode & 0777, 0640);
    rm_rf(tmp);
    g_free(file);
    g_free(dir);
    g_free(tmp);
}

/* A dead nicsteer's pending directory is removed; a live one's is not. */
static void test_out_cleans_leftovers_of_a_crash_and_only_those(void)
{
    char *tmp = tmpdir_new();
    char *dead = path(tmp, ".run.nicsteer-tmp.AAAAAA"),
         *live = path(tmp, ".run.nicsteer-tmp.BBBBBB");
    char *other = path(tmp, ".run.nicsteer-tmp.CCCCCC"), *dir = path(tmp, "run");
    g_mkdir(dead, 0755);
    g_mkdir(live, 0755);
    g_mkdir(other, 0755);
    /* pid 2^22+1 is above any pid_max: never alive. */
    put(dead, SIM_OUT_MARKER, "nicsteer-output 1\npid 4194305\nfile a.txt\n");
    put(dead, "a.txt", "half");
    char *m = g_strdup_printf("nicsteer-output 1\npid %ld\nfile a.txt\n", (long)getpid());
    put(live, SIM_OUT_MARKER, m);
    put(other, "user.txt", "no marker: not ours");
    GError *err = NULL;
    CU_ASSERT(write_output(dir, "x", SIM_OUT_DEFAULT, &err));
    CU_ASSERT_FALSE(g_file_test(dead, G_FILE_TEST_EXISTS));
    CU_ASSERT(g_file_test(live, G_FILE_TEST_IS_DIR));
    CU_ASSERT(g_file_test(other, G_FILE_TEST_IS_DIR));
    CU_ASSERT_EQUAL(count_entries(tmp), 3); /* run, live, other */
    rm_rf(tmp);
    g_free(m);
    g_free(dead);
    g_free(live);
    g_free(other);
    g_free(dir);
    g_free(tmp);
}

static void test_out_abort_leaves_the_old_output_and_no_temporary(void)
{
    char *tmp = tmpdir_new(), *dir = path(tmp, "run");
    GError *err = NULL;
    CU_ASSERT(write_output(dir, "one", SIM_OUT_DEFAULT, &err));
    struct sim_out *o = sim_out_begin(dir, SIM_OUT_DEFAULT, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL(count_entries(tmp), 2); /* the pending directory exists... */
    CU_ASSERT(sim_out_write(o, "a.txt", "half", -1, &err));
    sim_out_abort(o);
    CU_ASSERT_EQUAL(count_entries(tmp), 1); /* ...and is gone */
    char *t = slurp(dir, "a.txt");
    CU_ASSERT_STRING_EQUAL(t, "one");
    g_free(t);
    rm_rf(tmp);
    g_free(dir);
    g_free(tmp);
}

static void test_out_refuses_a_file_or_an_unwritable_place(void)
{
    char *tmp = tmpdir_new(), *file = path(tmp, "plain");
    put(tmp, "plain", "x");
    GError *err = NULL;
    CU_ASSERT_PTR_NULL(sim_out_begin(file, SIM_OUT_DEFAULT, &err));
    CU_ASSERT(err && strstr(err->message, "not a directory"));
    g_clear_error(&err);
    char *under = path(file, "run"); /* a directory under a plain file */
    CU_ASSERT_PTR_NULL(sim_out_begin(under, SIM_OUT_DEFAULT, &err));
    CU_ASSERT(err && g_error_matches(err, SIM_ERROR, SIM_ERROR_IO));
    g_clear_error(&err);
    CU_ASSERT_EQUAL(count_entries(tmp), 1);
    rm_rf(tmp);
    g_free(under);
    g_free(file);
    g_free(tmp);
}

static void test_out_file_overwrites_only_its_own_kind(void)
{
    char *tmp = tmpdir_new(), *p = path(tmp, "report.json"), *csv = path(tmp, "pp.csv");
    GError *err = NULL;
    put(tmp, "report.json", "{\"thesis\": 1}\n");
    CU_ASSERT_FALSE(sim_out_file(p, "{\"nicsteer_version\": \"v\"}\n", -1, &err));
    CU_ASSERT(err && strstr(err->message, "refusing to overwrite"));
    g_clear_error(&err);
    put(tmp, "report.json", "{\"nicsteer_version\": \"old\"}\n");
    CU_ASSERT(sim_out_file(p, "{\"nicsteer_version\": \"new\"}\n", -1, &err));
    put(tmp, "pp.csv", "packet,queue\n1,2\n");
    CU_ASSERT(sim_out_file(csv, "packet,queue\n3,4\n", -1, &err));
    CU_ASSERT_FALSE(sim_out_file(csv, "other,header\n", -1, &err));
    g_clear_error(&err);
    char *t = slurp(tmp, "pp.csv");
    CU_ASSERT_STRING_EQUAL(t, "packet,queue\n3,4\n");
    CU_ASSERT_EQUAL(count_entries(tmp), 2);              /* no temporary files */
    CU_ASSERT_FALSE(sim_out_file(tmp, "x\n", -1, &err)); /* a directory */
    CU_ASSERT(err && strstr(err->message, "not a regular file"));
    g_clear_error(&err);
    g_free(t);
    rm_rf(tmp);
    g_free(p);
    g_free(csv);
    g_free(tmp);
}

/* A nested output (a multi-host run's DIR/<host>/) moves into place with its parent, and
 * the whole DIR is replaced by the next run: the old host directories go with it. */
static void test_out_subdir_moves_with_its_parent(void)
{
    char *base = tmpdir_new(), *dir = path(base, "res");
    for (int round = 0; round < 2; round++) {
        GError *err = NULL;
        struct sim_out *o = sim_out_begin(dir, SIM_OUT_DEFAULT, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        char *sub = sim_out_subdir(o, round ? "b" : "a", &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
        struct sim_out *so = sim_out_begin(sub, SIM_OUT_DEFAULT, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(so);
        CU_ASSERT(sim_out_write(so, "summary.json", "{}\n", -1, &err));
        CU_ASSERT(sim_out_commit(so, &err));
        CU_ASSERT(sim_out_write(o, "summary.json", "{}\n", -1, &err));
        CU_ASSERT(sim_out_commit(o, &err));
        CU_ASSERT_PTR_NULL(err);
        char *hs = path(dir, round ? "b" : "a");
        char *t = slurp(hs, "summary.json");
        CU_ASSERT_STRING_EQUAL(t ? t : "", "{}\n");
        g_free(t);
        g_free(hs);
        g_free(sub);
    }
    char *gone = path(dir, "a");
    CU_ASSERT_FALSE(g_file_test(gone, G_FILE_TEST_EXISTS)); /* the second run replaced all */
    CU_ASSERT_EQUAL(count_entries(base), 1);                /* no temporary left */
    GError *err = NULL;
    struct sim_out *o = sim_out_begin(dir, SIM_OUT_DEFAULT, &err);
    CU_ASSERT_PTR_NULL(sim_out_subdir(o, "x/y", &err)); /* a plain name only */
    CU_ASSERT_PTR_NOT_NULL(err);
    g_clear_error(&err);
    sim_out_abort(o);
    g_free(gone);
    rm_rf(base);
    g_free(dir);
    g_free(base);
}

static CU_TestInfo cases[] = {
    {"a nested output moves with its parent", test_out_subdir_moves_with_its_parent},
    {"a user's directory is refused before any work",
     test_out_refuses_a_users_directory_before_any_work},
    {"its own output is replaced by a swap", test_out_replaces_its_own_output_by_a_swap},
    {"a file the user added to an output is kept",
     test_out_keeps_a_file_the_user_added_to_an_output},
    {"--force into a foreign directory touches only nicsteer's names",
     test_out_force_into_a_foreign_directory_touches_only_its_names},
    {"a symlinked DIR keeps its link", test_out_through_a_symlink_keeps_the_link},
    {"modes honour the umask", test_out_honours_the_umask},
    {"leftovers of a crash are cleaned, and only those",
     test_out_cleans_leftovers_of_a_crash_and_only_those},
    {"abort leaves the old output and no temporary",
     test_out_abort_leaves_the_old_output_and_no_temporary},
    {"a file or an unwritable place is refused", test_out_refuses_a_file_or_an_unwritable_place},
    {"single files overwrite only their own kind", test_out_file_overwrites_only_its_own_kind},
    CU_TEST_INFO_NULL,
};

CU_MAIN("out", cases)
