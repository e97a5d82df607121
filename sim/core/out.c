/* Safe, atomic outputs (see out.h for the rules). */
#define _GNU_SOURCE /* renameat2 */
#include "sim/core/out.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sim/core/err.h"

#define MARKER_HEAD "nicsteer-output 1"
#define TMP_INFIX   ".nicsteer-tmp."
/* Below this much free space the results (summary, tables, CSVs) cannot be
 * written: refuse before a long run rather than fail after it. */
#define MIN_FREE_BYTES (1u << 20)

enum dir_state { DIR_ABSENT, DIR_EMPTY, DIR_OURS, DIR_FOREIGN };

struct sim_out {
    char *shown;      /* DIR as the user gave it, for messages */
    char *dir;        /* final path: absolute, a symlink resolved */
    char *tmp;        /* pending directory beside it */
    GPtrArray *names; /* files written, in order */
    bool merge;       /* SIM_OUT_FORCE on a foreign DIR: move files in one by one */
};

static void set_io(GError **err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_io(GError **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(err, SIM_ERROR, SIM_ERROR_IO, m);
    g_free(m);
}

/* ---- the marker ---- */

/* Names listed in DIR's marker; NULL when there is none (or not ours). */
static GHashTable *marker_names(const char *dir, bool *pending)
{
    char *path = g_build_filename(dir, SIM_OUT_MARKER, NULL), *text = NULL;
    gsize len = 0;
    bool ok = g_file_get_contents(path, &text, &len, NULL);
    g_free(path);
    if (!ok || !g_str_has_prefix(text, MARKER_HEAD "\n")) {
        g_free(text);
        return NULL;
    }
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines + 1; *l; l++) {
        if (g_str_has_prefix(*l, "file "))
            g_hash_table_add(names, g_strdup(*l + 5));
        else if (g_str_has_prefix(*l, "pid ") && pending) {
            /* A pending directory of a live nicsteer is not a leftover. */
            long pid = strtol(*l + 4, NULL, 10);
            *pending = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
        }
    }
    g_strfreev(lines);
    g_free(text);
    return names;
}

static bool write_all(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666); /* umask applies */
    if (fd < 0)
        return false;
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            close(fd);
            errno = e;
            return false;
        }
        data += n;
        len -= (size_t)n;
    }
    return close(fd) == 0; /* a delayed ENOSPC shows here */
}

/* The marker of the pending directory: written before each file, so that a
 * crash leaves a directory whose every file is listed (removable as ours). */
static bool write_marker(const char *dir, GPtrArray *names, bool pending)
{
    GString *s = g_string_new(MARKER_HEAD "\n");
    if (pending)
        g_string_append_printf(s, "pid %ld\n", (long)getpid());
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(s, "file %s\n", (char *)names->pdata[i]);
    char *path = g_build_filename(dir, SIM_OUT_MARKER, NULL);
    bool ok = write_all(path, s->str, s->len);
    g_free(path);
    g_string_free(s, TRUE);
    return ok;
}

/* ---- what DIR holds ---- */

/* ABSENT, EMPTY, OURS (every entry a regular file its marker lists) or
 * FOREIGN, with `*first` the first entry that is not ours. */
static enum dir_state classify(const char *dir, char **first);

/* A listed entry is nicsteer's: a regular file, or a directory (sim_out_reserve) that is
 * itself an output of nicsteer's or empty. */
static bool entry_ours(const char *dir, const char *n, GHashTable *names)
{
    if (!names)
        return false;
    if (strcmp(n, SIM_OUT_MARKER) != 0 && !g_hash_table_contains(names, n))
        return false;
    char *p = g_build_filename(dir, n, NULL);
    GStatBuf sb;
    bool ok = false;
    if (g_lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
        ok = true;
    } else if (g_lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && strcmp(n, SIM_OUT_MARKER) != 0) {
        char *inner = NULL;
        ok = classify(p, &inner) != DIR_FOREIGN;
        g_free(inner);
    }
    g_free(p);
    return ok;
}

static enum dir_state classify(const char *dir, char **first)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d == NULL)
        return DIR_ABSENT;
    GHashTable *names = marker_names(dir, NULL);
    enum dir_state st = DIR_EMPTY;
    const char *n;
    while (st != DIR_FOREIGN && (n = g_dir_read_name(d)) != NULL) {
        bool ours = entry_ours(dir, n, names);
        st = ours ? DIR_OURS : DIR_FOREIGN;
        if (!ours)
            *first = g_strdup(n);
    }
    g_dir_close(d);
    if (names)
        g_hash_table_destroy(names);
    return st;
}

/* Remove a directory nicsteer wrote: its listed files, its marker, itself.
 * Anything else in it stays (and so does the directory). */
static void remove_ours(const char *dir)
{
    GHashTable *names = marker_names(dir, NULL);
    if (names == NULL) {
        g_rmdir(dir); /* only when empty */
        return;
    }
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        char *p = g_build_filename(dir, (char *)k, NULL);
        GStatBuf sb;
        if (g_lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            remove_ours(p); /* a reserved directory: an output of its own */
        else
            g_unlink(p);
        g_free(p);
    }
    g_hash_table_destroy(names);
    char *m = g_build_filename(dir, SIM_OUT_MARKER, NULL);
    g_unlink(m);
    g_free(m);
    g_rmdir(dir);
}

/* Temporaries `.BASE.nicsteer-tmp.*` that an earlier nicsteer left when it
 * was killed (its pid is gone) or that hold an output it was replacing. */
static void clean_leftovers(const char *parent, const char *base)
{
    char *prefix = g_strdup_printf(".%s" TMP_INFIX, base);
    GDir *d = g_dir_open(parent, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_prefix(n, prefix) || strlen(n) != strlen(prefix) + 6)
            continue;
        char *p = g_build_filename(parent, n, NULL);
        GStatBuf sb;
        bool pending = false;
        GHashTable *names = NULL;
        if (g_lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
            names = marker_names(p, &pending);
        if (names && !pending)
            remove_ours(p);
        if (names)
            g_hash_table_destroy(names);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_free(prefix);
}

/* ---- begin ---- */

/* The directory to write: absolute, without a trailing '/', through a
 * symlink (the link itself is left as it is). */
static char *resolve(const char *shown, GError **err)
{
    char *abs = g_canonicalize_filename(shown, NULL);
    GStatBuf sb;
    if (g_lstat(abs, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        char *real = realpath(abs, NULL);
        if (real == NULL) {
            set_io(err, "%s: a symbolic link to nothing; expected a directory (or a new name)",
                   shown);
            g_free(abs);
            return NULL;
        }
        g_free(abs);
        abs = g_strdup(real);
        free(real);
    }
    if (g_stat(abs, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        set_io(err, "%s: exists and is not a directory; expected a directory for the results",
               shown);
        g_free(abs);
        return NULL;
    }
    return abs;
}

static bool check_state(const char *shown, const char *dir, unsigned flags, bool *merge,
                        GError **err)
{
    char *first = NULL;
    enum dir_state st = classify(dir, &first);
    *merge = st == DIR_FOREIGN && (flags & SIM_OUT_FORCE);
    if (st == DIR_FOREIGN && !*merge) {
        set_io(err,
               "%s: holds '%s', which nicsteer did not write; refusing to replace it: choose "
               "another --out, or --force to add nicsteer's files to it and keep the rest",
               shown, first);
    }
    g_free(first);
    return st != DIR_FOREIGN || *merge;
}

static bool check_space(const char *shown, const char *parent, GError **err)
{
    struct statvfs vfs;
    if (statvfs(parent, &vfs) != 0)
        return true; /* unknown: the writes themselves will say */
    unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    if (avail >= MIN_FREE_BYTES)
        return true;
    set_io(err, "%s: only %llu KiB free on its filesystem; the results need at least %u KiB", shown,
           avail / 1024, MIN_FREE_BYTES / 1024);
    return false;
}

static char *make_pending(const char *shown, const char *parent, const char *base, GError **err)
{
    if (g_mkdir_with_parents(parent, 0777) != 0) {
        set_io(err, "%s: cannot create the directory that holds it: %s", shown, g_strerror(errno));
        return NULL;
    }
    char *tmp = g_strdup_printf("%s/.%s" TMP_INFIX "XXXXXX", parent, base);
    if (g_mkdtemp_full(tmp, 0777) == NULL) { /* 0777 & ~umask, unlike mkdtemp's 0700 */
        set_io(err, "%s: cannot write beside it (in %s): %s", shown, parent, g_strerror(errno));
        g_free(tmp);
        return NULL;
    }
    GPtrArray *none = g_ptr_array_new();
    bool ok = write_marker(tmp, none, true);
    g_ptr_array_free(none, TRUE);
    if (!ok) {
        set_io(err, "%s: cannot write in %s: %s", shown, parent, g_strerror(errno));
        g_rmdir(tmp);
        g_free(tmp);
        return NULL;
    }
    return tmp;
}

struct sim_out *sim_out_begin(const char *shown, unsigned flags, GError **err)
{
    char *dir = resolve(shown, err);
    if (dir == NULL)
        return NULL;
    char *parent = g_path_get_dirname(dir), *base = g_path_get_basename(dir), *tmp = NULL;
    bool merge = false;
    if (check_state(shown, dir, flags, &merge, err)) {
        clean_leftovers(parent, base);
        tmp = make_pending(shown, parent, base, err);
        if (tmp && !check_space(shown, parent, err)) {
            remove_ours(tmp);
            g_clear_pointer(&tmp, g_free);
        }
    }
    g_free(parent);
    g_free(base);
    if (tmp == NULL) {
        g_free(dir);
        return NULL;
    }
    struct sim_out *o = g_new0(struct sim_out, 1);
    o->shown = g_strdup(shown);
    o->dir = dir;
    o->tmp = tmp;
    o->names = g_ptr_array_new_with_free_func(g_free);
    o->merge = merge;
    return o;
}

/* ---- writing ---- */

bool sim_out_write(struct sim_out *o, const char *name, const char *data, gssize len, GError **err)
{
    g_return_val_if_fail(name && *name && !strchr(name, '/') && strcmp(name, SIM_OUT_MARKER),
                         false);
    size_t n = len < 0 ? strlen(data) : (size_t)len;
    g_ptr_array_add(o->names, g_strdup(name));
    char *path = g_build_filename(o->tmp, name, NULL);
    bool ok = write_marker(o->tmp, o->names, true) && write_all(path, data, n);
    g_free(path);
    if (!ok)
        set_io(err, "%s: writing %s: %s (nothing was replaced)", o->shown, name, g_strerror(errno));
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

/* ---- commit ---- */

static void out_free(struct sim_out *o)
{
    g_ptr_array_free(o->names, TRUE);
    g_free(o->shown);
    g_free(o->dir);
    g_free(o->tmp);
    g_free(o);
}

/* Swap the pending directory with DIR, so DIR is whole at every instant.
 * On a filesystem without RENAME_EXCHANGE: old aside, new in, a moment
 * without DIR (never a half-written one). */
static bool exchange(struct sim_out *o)
{
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->dir, RENAME_EXCHANGE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS)
        return false;
    char *aside = g_strdup(o->tmp);
    memcpy(aside + strlen(aside) - 6, "XXXXXX", 6);
    bool ok = g_mkdtemp_full(aside, 0700) && g_rename(o->dir, aside) == 0;
    if (ok && g_rename(o->tmp, o->dir) != 0) {
        int e = errno;
        g_rename(aside, o->dir);
        errno = e;
        ok = false;
    } else if (ok) {
        g_free(o->tmp);
        o->tmp = g_strdup(aside); /* now the old output, removed below */
    }
    if (!ok)
        g_rmdir(aside);
    g_free(aside);
    return ok;
}

/* --force into a foreign DIR: each file renamed over its namesake, then the
 * marker lists nicsteer's files (with those an earlier forced run wrote). */
static bool merge_into(struct sim_out *o)
{
    for (guint i = 0; i < o->names->len; i++) {
        char *from = g_build_filename(o->tmp, o->names->pdata[i], NULL);
        char *to = g_build_filename(o->dir, o->names->pdata[i], NULL);
        bool ok = g_rename(from, to) == 0;
        g_free(from);
        g_free(to);
        if (!ok)
            return false;
    }
    GHashTable *had = marker_names(o->dir, NULL);
    GPtrArray *all = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;
    if (had) {
        g_hash_table_iter_init(&it, had);
        while (g_hash_table_iter_next(&it, &k, NULL))
            if (!g_ptr_array_find_with_equal_func(o->names, k, g_str_equal, NULL))
                g_ptr_array_add(all, k);
    }
    g_ptr_array_sort(all, (GCompareFunc)g_strcmp0);
    g_ptr_array_extend(all, o->names, NULL, NULL);
    bool ok = write_marker(o->tmp, all, false);
    char *from = g_build_filename(o->tmp, SIM_OUT_MARKER, NULL);
    char *to = g_build_filename(o->dir, SIM_OUT_MARKER, NULL);
    ok = ok && g_rename(from, to) == 0;
    g_free(from);
    g_free(to);
    g_ptr_array_free(all, TRUE);
    if (had)
        g_hash_table_destroy(had);
    return ok;
}

static bool put_in_place(struct sim_out *o, GError **err)
{
    if (o->merge)
        return merge_into(o);
    char *first = NULL;
    enum dir_state st = classify(o->dir, &first);
    if (st == DIR_FOREIGN) {
        set_io(err,
               "%s: changed during the run (it now holds '%s', which nicsteer did not "
               "write); the new results were not put there",
               o->shown, first);
        g_free(first);
        return false;
    }
    if (st == DIR_OURS)
        return exchange(o);
    return g_rename(o->tmp, o->dir) == 0; /* replaces an empty directory */
}

bool sim_out_reserve(struct sim_out *o, const char *name, GError **err)
{
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
        !strcmp(name, SIM_OUT_MARKER))
        return sim_fail(err, SIM_ERROR_USAGE, "%s: \"%s\" is not a plain name", o->shown, name);
    g_ptr_array_add(o->names, g_strdup(name));
    return true;
}

char *sim_out_subdir(struct sim_out *o, const char *name, GError **err)
{
    if (!sim_out_reserve(o, name, err))
        return NULL;
    return g_build_filename(o->tmp, name, NULL);
}

bool sim_out_commit(struct sim_out *o, GError **err)
{
    bool ok = write_marker(o->tmp, o->names, false);
    if (!ok)
        set_io(err, "%s: writing %s: %s (nothing was replaced)", o->shown, SIM_OUT_MARKER,
               g_strerror(errno));
    GError *e = NULL;
    if (ok && !put_in_place(o, &e)) {
        ok = false;
        if (e)
            g_propagate_error(err, e);
        else
            set_io(err, "%s: putting the new results in place: %s (the old ones are kept)",
                   o->shown, g_strerror(errno));
    }
    remove_ours(o->tmp); /* the old output after a swap, else what is pending */
    out_free(o);
    return ok;
}

void sim_out_abort(struct sim_out *o)
{
    if (o == NULL)
        return;
    remove_ours(o->tmp);
    out_free(o);
}

/* ---- single files ---- */

/* An earlier output of the same kind (see out.h). */
static bool file_is_ours(const char *path, const char *data)
{
    if (data[0] == '{') {
        json_t *j = json_load_file(path, 0, NULL);
        bool ours = json_is_object(j) && json_object_get(j, "nicsteer_version") != NULL;
        json_decref(j);
        return ours;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[4096] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t n = strcspn(data, "\n");
    return got && strlen(line) >= n && strncmp(line, data, n) == 0 &&
           (line[n] == '\n' || line[n] == '\0');
}

bool sim_out_file(const char *path, const char *data, gssize len, GError **err)
{
    GStatBuf sb;
    if (g_stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            set_io(err, "%s: exists and is not a regular file; expected a file name to write",
                   path);
            return false;
        }
        if (sb.st_size > 0 && !file_is_ours(path, data)) {
            set_io(err,
                   "%s: exists and is not an earlier nicsteer output of this kind; "
                   "refusing to overwrite it (remove it or choose another name)",
                   path);
            return false;
        }
    }
    size_t n = len < 0 ? strlen(data) : (size_t)len;
    char *tmp = g_strdup_printf("%s.nicsteer-tmp.XXXXXX", path);
    int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
    bool ok = fd >= 0;
    if (ok) {
        close(fd);
        ok = write_all(tmp, data, n) && g_rename(tmp, path) == 0;
    }
    if (!ok) {
        set_io(err, "%s: cannot write it: %s", path, g_strerror(errno));
        if (fd >= 0)
            g_unlink(tmp);
    }
    g_free(tmp);
    return ok;
}

bool sim_out_file_json(const char *path, const json_t *j, GError **err)
{
    char *t = json_text(j);
    bool ok = sim_out_file(path, t, -1, err);
    g_free(t);
    return ok;
}
