#include "sim/core/jsonval.h"

#include <glib.h>
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
