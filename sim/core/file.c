#include "sim/core/file.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/core/err.h"

static const char *file_kind(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

static bool file_stat(const char *path, struct stat *st, GError **err)
{
    if (stat(path, st) != 0)
        return sim_fail(err, SIM_ERROR_IO, "%s: %s", path, g_strerror(errno));
    if (!S_ISREG(st->st_mode))
        return sim_fail(err, SIM_ERROR_IO, "%s: is %s, expected a file", path,
                        file_kind(st->st_mode));
    return true;
}

bool sim_file_check_regular(const char *path, GError **err)
{
    struct stat st;
    return file_stat(path, &st, err);
}

char *sim_file_read(const char *path, size_t max, const char *what, size_t *len, GError **err)
{
    struct stat st;
    if (!file_stat(path, &st, err))
        return NULL;
    if ((uint64_t)st.st_size > max) {
        sim_fail(err, SIM_ERROR_INPUT, "%s: %lld bytes, expected at most %zu for %s", path,
                 (long long)st.st_size, max, what);
        return NULL;
    }
    char *text = NULL;
    gsize n = 0;
    GError *io = NULL;
    if (!g_file_get_contents(path, &text, &n, &io)) {
        sim_fail(err, SIM_ERROR_IO, "%s", io->message);
        g_error_free(io);
        return NULL;
    }
    if (n > max) { /* grew since the stat */
        sim_fail(err, SIM_ERROR_INPUT, "%s: more than %zu bytes, expected at most that for %s",
                 path, max, what);
        g_free(text);
        return NULL;
    }
    if (len)
        *len = n;
    return text;
}

json_t *sim_file_load_json(const char *path, size_t flags, GError **err)
{
    if (!sim_file_check_regular(path, err))
        return NULL;
    json_error_t je;
    json_t *j = json_load_file(path, flags, &je);
    if (!j && je.line < 0)
        sim_fail(err, SIM_ERROR_IO, "%s: %s", path, je.text);
    else if (!j)
        sim_fail(err, SIM_ERROR_INPUT, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return j;
}
