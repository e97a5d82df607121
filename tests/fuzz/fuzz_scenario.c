/* libFuzzer target: scenario JSON (sim/scenario.c, scenarios/schema.json):
 * parse and validate, then build the run (generator, classifier, machine).
 * Either an error naming the JSON place, or a run; never a crash. */
#include <jansson.h>
#include <stdio.h>

#include "sim/host/cluster.h"
#include "sim/host/scenario.h"
#include "tests/fuzz/fuzz.h"

static const char *base_dir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    g_unsetenv("NICSTEER_PLUGIN_PATH");
    base_dir = fuzz_scratch_dir("scenario");
    return 0;
}

/* Skipped, though valid: more than 2^16 generated flows (gigabytes of flow
 * templates) and chain stages named by path (dlopen of arbitrary files). */
static bool fuzzable(const json_t *root)
{
    size_t i;
    const json_t *v;
    json_int_t flows = 0;
    json_array_foreach(json_object_get(json_object_get(root, "traffic"), "flows"), i, v)
    {
        const json_t *c = json_object_get(v, "count");
        if (json_is_integer(c) && json_integer_value(c) > 0)
            flows += MIN(json_integer_value(c), (json_int_t)1 << 40);
    }
    const json_t *chain =
        json_object_get(json_object_get(json_object_get(root, "nic"), "steering"), "chain");
    json_array_foreach(chain, i, v)
    {
        const char *s = json_string_value(v);
        if (s &&
            (strchr(s, '/') || g_str_has_suffix(s, ".so") || strlen(s) != json_string_length(v)))
            return false;
    }
    return flows <= 65536;
}

/* A multi-host document (sim/host/cluster.c): every host fuzzable; parsed, checked and
 * each host's trial run built (not run: its duration is the input's). */
static void fuzz_hosts(const json_t *root)
{
    const char *k;
    const json_t *h;
    json_object_foreach((json_t *)json_object_get(root, "hosts"), k, h)
    {
        if (!fuzzable(h))
            return;
    }
    GError *err = NULL;
    struct sim_cluster *c = sim_cluster_from_json(root, "fuzz.json", base_dir, &err);
    FUZZ_CHECK((c == NULL) == (err != NULL));
    for (unsigned i = 0; c && i < sim_cluster_n_hosts(c); i++)
        FUZZ_CHECK(sim_cluster_host_name(c, i));
    g_clear_error(&err);
    sim_cluster_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!root || !fuzzable(root)) {
        json_decref(root);
        return 0;
    }
    if (sim_cluster_is(root)) {
        fuzz_hosts(root);
        json_decref(root);
        return 0;
    }
    GError *err = NULL;
    struct sim_scenario *sc = sim_scenario_from_json(root, "fuzz.json", base_dir, &err);
    FUZZ_CHECK((sc == NULL) == (err != NULL));
    if (sc) {
        sim_scenario_seed(sc);
        sim_scenario_link_mbps(sc);
        struct sim_run *r = sim_run_new(sc, 1, &err);
        FUZZ_CHECK((r == NULL) == (err != NULL));
        if (r)
            FUZZ_CHECK(sim_run_machine(r));
        sim_run_free(r);
    }
    g_clear_error(&err);
    sim_scenario_free(sc);
    json_decref(root);
    return 0;
}
