/* Atomic result directories and files (write to a temporary name, rename). */
#include "sim/out.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sim/err.h"

struct sim_out {
    char *dir; /* final name */
    char *tmp; /* pending directory */
};

struct sim_out *sim_out_begin(const char *dir, GError **err)
{
    char *parent = g_path_get_dirname(dir);
    if (g_mkdir_with_parents(parent, 0755) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create directory: %s", parent,
                    g_strerror(errno));
        g_free(parent);
        return NULL;
    }
    g_free(parent);
    char *tmpl = g_strdup_printf("%s.tmp.XXXXXX", dir);
    if (g_mkdtemp(tmpl) == NULL) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: cannot create directory: %s", tmpl,
                    g_strerror(errno));
        g_free(tmpl);
        return NULL;
    }
    struct sim_out *o = g_new0(struct sim_out, 1);
    o->dir = g_strdup(dir);
    o->tmp = tmpl;
    return o;
}

bool sim_out_write(struct sim_out *o, const char *name, const char *data, gssize len,
                   GError **err)
{
    char *path = g_build_filename(o->tmp, name, NULL);
    bool ok = sim_out_file(path, data, len, err);
    g_free(path);
    return ok;
}

static char *json_text(const json_t *j)
{
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    char *t = g_strconcat(s ? s : "null", "\n", NULL);
    free(s);
    return t;
}

bool sim_out_write_json(struct sim_out *o, const char *name, const json_t *j, GError **err)
{
    char *t = json_text(j);
    bool ok = sim_out_write(o, name, t, -1, err);
    g_free(t);
    return ok;
}

static void remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            char *p = g_build_filename(dir, n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                remove_tree(p);
            else
                g_unlink(p);
            g_free(p);
        }
        g_dir_close(d);
    }
    g_rmdir(dir);
}

bool sim_out_commit(struct sim_out *o, GError **err)
{
    bool ok = true;
    char *old = NULL;
    if (g_file_test(o->dir, G_FILE_TEST_IS_DIR)) {
        old = g_strdup_printf("%s.old.XXXXXX", o->dir);
        if (g_mkdtemp(old) == NULL || g_rename(o->dir, old) != 0) {
            g_free(old);
            old = NULL;
        }
    }
    if (g_rename(o->tmp, o->dir) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s: cannot rename result into place: %s",
                    o->dir, g_strerror(errno));
        ok = false;
        remove_tree(o->tmp);
    }
    if (old) {
        remove_tree(old);
        g_free(old);
    }
    g_free(o->dir);
    g_free(o->tmp);
    g_free(o);
    return ok;
}

void sim_out_abort(struct sim_out *o)
{
    if (o == NULL)
        return;
    remove_tree(o->tmp);
    g_free(o->dir);
    g_free(o->tmp);
    g_free(o);
}

bool sim_out_file(const char *path, const char *data, gssize len, GError **err)
{
    GError *e = NULL;
    if (!g_file_set_contents(path, data, len, &e)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_IO, "%s", e->message);
        g_error_free(e);
        return false;
    }
    return true;
}

bool sim_out_file_json(const char *path, const json_t *j, GError **err)
{
    char *t = json_text(j);
    bool ok = sim_out_file(path, t, -1, err);
    g_free(t);
    return ok;
}
