/* sim/scenario.c: the loader and scenarios/schema.json describe the same
 * keys; every schema property has a description naming unit and default;
 * errors name the JSON pointer; the shipped scenarios load. */
#include <string.h>

#include "sim/host/scenario.h"
#include "tests/unit/cu_main.h"

static json_t *load_schema(void)
{
    json_error_t je;
    json_t *s = json_load_file(NICSTEER_SOURCE_DIR "/scenarios/schema.json", 0, &je);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* Schema node for a JSON pointer like "/nic/itr_us" (NULL if absent). */
static const json_t *schema_node(const json_t *schema, const char *ptr)
{
    char **parts = g_strsplit(ptr + 1, "/", -1);
    const json_t *node = schema;
    for (char **p = parts; *p && node; p++) {
        if (strcmp(*p, "*") == 0)
            break;
        {
            const json_t *next = json_object_get(json_object_get(node, "properties"), *p);
            if (!next) /* an array of objects: its items' properties */
                next = json_object_get(
                    json_object_get(json_object_get(node, "items"), "properties"), *p);
            node = next;
        }
    }
    g_strfreev(parts);
    return node;
}

static void test_scenario_every_loader_key_is_in_schema(void)
{
    json_t *schema = load_schema();
    for (const char *const *k = sim_scenario_keys(); *k; k++) {
        const json_t *n = schema_node(schema, *k);
        if (!n)
            fprintf(stderr, "missing in schema: %s\n", *k);
        CU_ASSERT_PTR_NOT_NULL(n);
    }
    json_decref(schema);
}

static void walk(const json_t *node, const char *path, unsigned *n, unsigned *bad)
{
    const json_t *props = json_object_get(node, "properties");
    const char *key;
    json_t *sub;
    json_object_foreach((json_t *)props, key, sub)
    {
        char *p = g_strdup_printf("%s/%s", path, key);
        const char *d = json_string_value(json_object_get(sub, "description"));
        (*n)++;
        if (!d || !strstr(d, "Unit:") || !(strstr(d, "Default:") || strstr(d, "Required"))) {
            fprintf(stderr, "%s: description lacks unit or default\n", p);
            (*bad)++;
        }
        bool known = false;
        for (const char *const *k = sim_scenario_keys(); *k; k++) {
            size_t l = strlen(p);
            size_t kl = strlen(*k);
            known |= strcmp(*k, p) == 0 || (strncmp(*k, p, l) == 0 && (*k)[l] == '/') ||
                     (kl >= 2 && strcmp(*k + kl - 2, "/*") == 0 && strncmp(*k, p, kl - 1) == 0);
        }
        if (!known) {
            fprintf(stderr, "%s: in schema, not accepted by the loader\n", p);
            (*bad)++;
        }
        walk(sub, p, n, bad);
        const json_t *items = json_object_get(sub, "items");
        if (json_object_get(items, "properties"))
            walk(items, p, n, bad);
        g_free(p);
    }
}

static void test_scenario_schema_keys_documented_and_loaded(void)
{
    json_t *schema = load_schema();
    unsigned n = 0, bad = 0;
    walk(schema, "", &n, &bad);
    CU_ASSERT(n > 30);
    CU_ASSERT_EQUAL(bad, 0);
    json_decref(schema);
}

static char *load_error(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_from_json(j, "t.json", ".", &err);
    json_decref(j);
    sim_scenario_free(sc);
    char *msg = err ? g_strdup(err->message) : NULL;
    g_clear_error(&err);
    return msg;
}

#define TRAFFIC "\"traffic\": {\"duration_s\": 0.001, \"flows\": [{\"rate_pps\": 1000}]}"

static void test_scenario_errors_name_the_json_pointer(void)
{
    char *m = load_error("{\"nic\": {\"itr_us\": true}, " TRAFFIC "}");
    CU_ASSERT_STRING_EQUAL(m, "t.json: /nic/itr_us: expected integer ≥ 0 or \"adaptive\"");
    g_free(m);
    m = load_error("{\"cpus\": 2, \"nic\": {\"irq_affinity\": [\"0-3\"]}, " TRAFFIC "}");
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/nic/irq_affinity/0: CPU 2 does not exist (2 CPUs)"));
    g_free(m);
    m = load_error("{\"kernel\": {\"budget\": 3}, " TRAFFIC "}");
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/kernel/budget: unknown key"));
    g_free(m);
    m = load_error("{\"hz\": 200, " TRAFFIC "}");
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "/hz: expected 100, 250, 300 or 1000"));
    g_free(m);
    m = load_error("{\"cpus\": 4, " TRAFFIC "}");
    CU_ASSERT_PTR_NULL(m);
}

static void test_scenario_shipped_files_load(void)
{
    const char *names[] = {"default",    "s1-single-queue-cpu0", "s2-rss-16q",
                           "s3-itr-off", "s3-itr-adaptive",      "s4-gro-off",
                           "s4-gro-on",  "s5-budget-default",    "s5-budget-small"};
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        char *p = g_strdup_printf("%s/scenarios/%s.json", NICSTEER_SOURCE_DIR, names[i]);
        GError *err = NULL;
        struct sim_scenario *sc = sim_scenario_load(p, &err);
        if (!sc)
            fprintf(stderr, "%s\n", err->message);
        CU_ASSERT_PTR_NOT_NULL(sc);
        g_clear_error(&err);
        sim_scenario_free(sc);
        g_free(p);
    }
}

static CU_TestInfo cases[] = {
    {"test_scenario_every_loader_key_is_in_schema", test_scenario_every_loader_key_is_in_schema},
    {"test_scenario_schema_keys_documented_and_loaded",
     test_scenario_schema_keys_documented_and_loaded},
    {"test_scenario_errors_name_the_json_pointer", test_scenario_errors_name_the_json_pointer},
    {"test_scenario_shipped_files_load", test_scenario_shipped_files_load},
    CU_TEST_INFO_NULL,
};

CU_MAIN("scenario", cases)
