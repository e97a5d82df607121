/* Registry of RX queue-selection policies: the built-in models of 82599
 * features plus user policies loaded from shared objects with GModule. */
#include "models/nic/steer.h"

#include <gmodule.h>
#include <string.h>

#include "sim/core/err.h"

extern const struct steer_policy_ops steer_rss_ops;
extern const struct steer_policy_ops steer_machash_ops;
extern const struct steer_policy_ops steer_rr_ops;
extern const struct steer_policy_ops steer_single_ops;
extern const struct steer_policy_ops steer_fdir_ops;

static const struct steer_policy_ops *const steer_builtin[] = {
    &steer_rss_ops, &steer_machash_ops, &steer_rr_ops, &steer_single_ops, &steer_fdir_ops,
};

static char *builtin_names(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(steer_builtin); i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", steer_builtin[i]->name);
    return g_string_free(s, FALSE);
}

/* Candidate module files for a bare name, in search order. */
static GPtrArray *plugin_candidates(const char *name)
{
    GPtrArray *c = g_ptr_array_new_with_free_func(g_free);
    char *file = g_strdup_printf("steer_%s.so", name);
    g_ptr_array_add(c, g_build_filename(NICSTEER_PLUGIN_DIR, file, NULL));
    const char *env = g_getenv("NICSTEER_PLUGIN_PATH");
    if (env) {
        char **dirs = g_strsplit(env, G_SEARCHPATH_SEPARATOR_S, -1);
        for (char **d = dirs; *d; d++)
            if (**d)
                g_ptr_array_add(c, g_build_filename(*d, file, NULL));
        g_strfreev(dirs);
    }
    /* where `cmake --install` put the bundled plugins */
    g_ptr_array_add(c, g_build_filename(NICSTEER_INSTALLED_PLUGIN_DIR, file, NULL));
    g_free(file);
    return c;
}

static const struct steer_policy_ops *validate_ops(const struct steer_policy_ops *ops,
                                                   const char *path, GError **err)
{
    if (ops->abi_version != NICSTEER_STEER_ABI) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: steering policy built for nicsteer policy ABI %u, this nicsteer takes "
                    "ABI %u: rebuild it against this nicsteer's headers "
                    "(pkg-config --cflags nicsteer) with .abi_version = NICSTEER_STEER_ABI",
                    path, ops->abi_version, NICSTEER_STEER_ABI);
        return NULL;
    }
    const char *missing = !ops->name         ? "name"
                          : !ops->select_rxq ? "select_rxq"
                          : !ops->init       ? "init"
                          : !ops->destroy    ? "destroy"
                                             : NULL;
    if (missing) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: nicsteer_policy_ops.%s is NULL, expected name, init, select_rxq and "
                    "destroy to be set",
                    path, missing);
        return NULL;
    }
    return ops;
}

static const struct steer_policy_ops *load_module(const char *path, GError **err)
{
    GModule *m = g_module_open(path, G_MODULE_BIND_LOCAL);
    if (!m) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: cannot load steering policy: %s", path,
                    g_module_error());
        return NULL;
    }
    gpointer sym = NULL;
    if (!g_module_symbol(m, "nicsteer_policy_ops", &sym) || !sym) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: no symbol nicsteer_policy_ops, expected `const struct "
                    "steer_policy_ops nicsteer_policy_ops`",
                    path);
        g_module_close(m);
        return NULL;
    }
    const struct steer_policy_ops *ops = validate_ops(sym, path, err);
    if (!ops) {
        g_module_close(m);
        return NULL;
    }
    /* ops point into the module: it stays loaded for the process lifetime */
    g_module_make_resident(m);
    return ops;
}

const struct steer_policy_ops *steer_policy_lookup(const char *name, GError **err)
{
    if (!name || !*name) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "empty steering policy name");
        return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(steer_builtin); i++)
        if (strcmp(steer_builtin[i]->name, name) == 0)
            return steer_builtin[i];
    if (strchr(name, '/') || g_str_has_suffix(name, ".so"))
        return load_module(name, err);
    GPtrArray *cand = plugin_candidates(name);
    const struct steer_policy_ops *ops = NULL;
    for (guint i = 0; i < cand->len; i++) {
        if (g_file_test(cand->pdata[i], G_FILE_TEST_EXISTS)) {
            ops = load_module(cand->pdata[i], err);
            g_ptr_array_free(cand, TRUE);
            return ops;
        }
    }
    GString *tried = g_string_new(NULL);
    for (guint i = 0; i < cand->len; i++)
        g_string_append_printf(tried, "%s%s", i ? ", " : "", (char *)cand->pdata[i]);
    char *names = builtin_names();
    g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                "unknown steering policy '%s': expected one of %s or a module (tried %s)", name,
                names, tried->str);
    g_free(names);
    g_string_free(tried, TRUE);
    g_ptr_array_free(cand, TRUE);
    return NULL;
}
