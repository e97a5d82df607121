#include "sim/core/jsonval.h"

#include <glib.h>
#include <stdlib.h>

#include "sim/core/err.h"
#include <stdio.h>
#include <string.h>

json_t *sim_json_pointer(const json_t *root, const char *ptr)
{
    json_t *j = (json_t *)root;
    const char *p = ptr;
    while (j && *p == '/') {
        const char *key = p + 1, *end = strchr(key, '/');
        if (!end)
            end = key + strlen(key);
        char *k = g_strndup(key, (gsize)(end - key));
        j = json_is_object(j) ? json_object_get(j, k) : NULL;
        g_free(k);
        p = end;
    }
    return *p ? NULL : j;
}

const char *sim_json_got(const json_t *v, char buf[SIM_JSON_GOT_LEN])
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        if (n > 32)
            snprintf(buf, SIM_JSON_GOT_LEN, "\"%.29s...\"", s);
        else
            snprintf(buf, SIM_JSON_GOT_LEN, "\"%s\"", s);
        break;
    }
    case JSON_INTEGER:
        snprintf(buf, SIM_JSON_GOT_LEN, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, SIM_JSON_GOT_LEN, "%.15g", json_real_value(v));
        break;
    case JSON_TRUE:
        g_strlcpy(buf, "true", SIM_JSON_GOT_LEN);
        break;
    case JSON_FALSE:
        g_strlcpy(buf, "false", SIM_JSON_GOT_LEN);
        break;
    case JSON_NULL:
        g_strlcpy(buf, "null", SIM_JSON_GOT_LEN);
        break;
    case JSON_OBJECT:
        g_strlcpy(buf, "an object", SIM_JSON_GOT_LEN);
        break;
    case JSON_ARRAY:
        snprintf(buf, SIM_JSON_GOT_LEN, "an array of %zu", json_array_size(v));
        break;
    }
    return buf;
}

/* One step of the pointer: the child of j named key, created as an object when absent. */
static json_t *step_create(json_t *j, const char *key, const char *assign, GError **err)
{
    if (json_is_object(j)) {
        json_t *c = json_object_get(j, key);
        if (!c) {
            c = json_object();
            json_object_set_new(j, key, c);
        }
        return c;
    }
    char *end = NULL;
    unsigned long i = strtoul(key, &end, 10);
    if (json_is_array(j) && *key && !*end && i < json_array_size(j))
        return json_array_get(j, i);
    sim_fail(err, SIM_ERROR_USAGE, "--set %s: \"%s\" is not a key or index there", assign, key);
    return NULL;
}

static bool set_last(json_t *parent, const char *key, json_t *v, const char *assign, GError **err)
{
    if (json_is_object(parent))
        return json_object_set_new(parent, key, v) == 0;
    char *end = NULL;
    unsigned long i = strtoul(key, &end, 10);
    if (json_is_array(parent) && strcmp(key, "-") == 0)
        return json_array_append_new(parent, v) == 0;
    if (json_is_array(parent) && *key && !*end && i < json_array_size(parent))
        return json_array_set_new(parent, i, v) == 0;
    json_decref(v);
    return sim_fail(err, SIM_ERROR_USAGE, "--set %s: \"%s\" is not a key or index there", assign,
                    key);
}

bool sim_json_set(json_t *root, const char *assign, GError **err)
{
    const char *eq = strchr(assign, '=');
    if (assign[0] != '/' || !eq || eq == assign + 1)
        return sim_fail(err, SIM_ERROR_USAGE,
                        "--set %s: expected PATH=VALUE with PATH a JSON pointer like "
                        "/nic/rx_queues",
                        assign);
    json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (!v)
        v = json_string(eq + 1);
    char *path = g_strndup(assign + 1, (gsize)(eq - assign - 1));
    char **parts = g_strsplit(path, "/", -1);
    g_free(path);
    json_t *j = root;
    guint n = g_strv_length(parts);
    bool ok = true;
    for (guint i = 0; ok && i + 1 < n; i++)
        ok = (j = step_create(j, parts[i], assign, err)) != NULL;
    if (ok)
        ok = set_last(j, parts[n - 1], v, assign, err);
    else
        json_decref(v);
    g_strfreev(parts);
    return ok;
}
