/* Shared command-line behaviour of every subcommand (GOption based). */
#include "sim/cli/cli.h"

#include <stdio.h>

#include "sim/core/err.h"
#include "sim/core/file.h"

bool sim_cli_parse(GOptionContext *ctx, int *argc, char ***argv, const char *sub)
{
    GError *err = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        fprintf(stderr, "nicsteer %s: %s (see nicsteer %s --help)\n", sub, err->message, sub);
        g_error_free(err);
        return false;
    }
    return true;
}

int sim_cli_fail(const char *sub, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "nicsteer %s: %s\n", sub, msg);
    g_free(msg);
    return status;
}

int sim_cli_fail_error(const char *sub, GError *err)
{
    int status = (err && err->domain == SIM_ERROR && err->code == SIM_ERROR_USAGE) ? SIM_EXIT_USAGE
                                                                                   : SIM_EXIT_INPUT;
    sim_cli_fail(sub, status, "%s", err ? err->message : "unknown error");
    g_clear_error(&err);
    return status;
}

/* /calibration/hosts of a costs object: a new NULL-terminated strv, or NULL when absent. */
static bool cost_hosts(const json_t *j, const char *path, char ***hosts, GError **err)
{
    *hosts = NULL;
    json_t *h = json_object_get(json_object_get(j, "calibration"), "hosts");
    if (!h)
        return true;
    if (!json_is_array(h))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "%s: /calibration/hosts: expected an array of strings", path);
    char **v = g_new0(char *, json_array_size(h) + 1);
    for (size_t i = 0; i < json_array_size(h); i++) {
        const char *s = json_string_value(json_array_get(h, i));
        if (!s) {
            g_strfreev(v);
            return sim_fail(err, SIM_ERROR_INPUT, "%s: /calibration/hosts/%zu: expected a string",
                            path, i);
        }
        v[i] = g_strdup(s);
    }
    *hosts = v;
    return true;
}

bool sim_cli_load_costs(const char *path, struct kern_cost *c, char ***hosts, GError **err)
{
    if (hosts)
        *hosts = NULL;
    json_t *j = sim_file_load_json(path, JSON_REJECT_DUPLICATES, err);
    if (!j)
        return false;
    char *where = g_strdup_printf("%s: ", path);
    bool ok = kern_cost_load(c, j, where, err) && (!hosts || cost_hosts(j, path, hosts, err));
    g_free(where);
    json_decref(j);
    return ok;
}
