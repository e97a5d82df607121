/* Costs files: loading a /costs object with its provenance (/calibration), and the costs
 * library of calibrated host classes that validate picks from by the bundle's host. */
#include "sim/cli/cli.h"
#include "sim/core/err.h"
#include "sim/core/file.h"

#include <string.h>

void sim_cli_costs_origin_clear(struct sim_cli_costs_origin *o)
{
    if (!o)
        return;
    g_strfreev(o->hosts);
    g_strfreev(o->bundles);
    *o = (struct sim_cli_costs_origin){0};
}

/* /calibration/KEY of a costs object: a new NULL-terminated strv, or NULL when absent. */
static bool calibration_strv(const json_t *j, const char *key, const char *path, char ***out,
                             GError **err)
{
    *out = NULL;
    json_t *h = json_object_get(json_object_get(j, "calibration"), key);
    if (!h)
        return true;
    if (!json_is_array(h))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: /calibration/%s: expected an array of strings",
                        path, key);
    char **v = g_new0(char *, json_array_size(h) + 1);
    for (size_t i = 0; i < json_array_size(h); i++) {
        const char *s = json_string_value(json_array_get(h, i));
        if (!s) {
            g_strfreev(v);
            return sim_fail(err, SIM_ERROR_INPUT, "%s: /calibration/%s/%zu: expected a string",
                            path, key, i);
        }
        v[i] = g_strdup(s);
    }
    *out = v;
    return true;
}

static bool load_origin(const json_t *j, const char *path, struct sim_cli_costs_origin *o,
                        GError **err)
{
    *o = (struct sim_cli_costs_origin){0};
    if (calibration_strv(j, "hosts", path, &o->hosts, err) &&
        calibration_strv(j, "bundles", path, &o->bundles, err))
        return true;
    sim_cli_costs_origin_clear(o);
    return false;
}

bool sim_cli_load_costs(const char *path, struct kern_cost *c, struct sim_cli_costs_origin *origin,
                        GError **err)
{
    if (origin)
        *origin = (struct sim_cli_costs_origin){0};
    json_t *j = sim_file_load_json(path, JSON_REJECT_DUPLICATES, err);
    if (!j)
        return false;
    char *where = g_strdup_printf("%s: ", path);
    bool ok = kern_cost_load(c, j, where, err) && (!origin || load_origin(j, path, origin, err));
    g_free(where);
    json_decref(j);
    return ok;
}

/* The library's directories, in search order (new strv). */
static char **library_dirs(void)
{
    GPtrArray *d = g_ptr_array_new();
    const char *env = g_getenv("NICSTEER_COSTS_PATH");
    char **parts = env ? g_strsplit(env, ":", -1) : NULL;
    for (char **p = parts; p && *p; p++)
        if (**p)
            g_ptr_array_add(d, g_strdup(*p));
    g_strfreev(parts);
    g_ptr_array_add(d, g_strdup(NICSTEER_COSTS_DIR));
    g_ptr_array_add(d, g_strdup(NICSTEER_INSTALLED_COSTS_DIR));
    g_ptr_array_add(d, NULL);
    return (char **)g_ptr_array_free(d, FALSE);
}

static int cmp_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json names of dir, sorted (a directory's order is the file system's, not ours). */
static GPtrArray *json_names(const char *dir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *dh = g_dir_open(dir, 0, NULL); /* an absent directory is an empty library */
    for (const char *n; dh && (n = g_dir_read_name(dh));)
        if (g_str_has_suffix(n, ".json"))
            g_ptr_array_add(names, g_strdup(n));
    if (dh)
        g_dir_close(dh);
    g_ptr_array_sort(names, cmp_name);
    return names;
}

static bool names_host(const char *path, const char *host_class, bool *yes, GError **err)
{
    struct kern_cost c;
    kern_cost_defaults(&c);
    struct sim_cli_costs_origin o;
    if (!sim_cli_load_costs(path, &c, &o, err))
        return false;
    *yes = o.hosts && g_strv_contains((const char *const *)o.hosts, host_class);
    sim_cli_costs_origin_clear(&o);
    return true;
}

char *sim_cli_host_costs(const char *host_class, GError **err)
{
    char **dirs = library_dirs();
    char *found = NULL;
    bool failed = false;
    for (char **d = dirs; *d && !found && !failed; d++) {
        GPtrArray *names = json_names(*d);
        for (guint i = 0; i < names->len && !found && !failed; i++) {
            char *path = g_build_filename(*d, (char *)names->pdata[i], NULL);
            bool yes = false;
            failed = !names_host(path, host_class, &yes, err);
            if (yes)
                found = path;
            else
                g_free(path);
        }
        g_ptr_array_free(names, TRUE);
    }
    g_strfreev(dirs);
    return found;
}
