/* libFuzzer target: the /nic/steering config of the 82599 classifier
 * (models/nic/classifier.c and the built-in stages' JSON: rss key/reta, fdir,
 * rr, mac, single). A config that loads steers a few fixed frames to valid
 * queues (or the drop queue), learns from TX and dumps. */
#include <jansson.h>
#include <stdio.h>

#include "models/nic/classifier.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    g_unsetenv("NICSTEER_PLUGIN_PATH");
    return 0;
}

/* Chain names with a '/' or ".so" are dlopen()ed as given: never let random
 * bytes load arbitrary libraries (bare names only find the project's plugins). */
static bool chain_is_safe(const json_t *cfg)
{
    const json_t *chain = json_object_get(cfg, "chain");
    size_t i;
    const json_t *v;
    json_array_foreach(chain, i, v)
    {
        const char *s = json_string_value(v);
        if (s &&
            (strchr(s, '/') || g_str_has_suffix(s, ".so") || strlen(s) != json_string_length(v)))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *cfg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!cfg || !chain_is_safe(cfg)) {
        json_decref(cfg);
        return 0;
    }
    static const struct steer_env envs[] = {
        {.n_rx_queues = 16, .n_tx_queues = 16, .n_cpus = 16, .seed = 1},
        {.n_rx_queues = 4, .n_tx_queues = 8, .n_cpus = 2, .seed = 7},
    };
    const struct steer_env *env = &envs[size % 2];
    GError *err = NULL;
    struct nic_classifier *c = nic_classifier_new(cfg, "/nic/steering", env, &err);
    FUZZ_CHECK((c == NULL) == (err != NULL));
    if (c) {
        struct traffic_pkt p[6];
        unsigned n = fuzz_pkts(p);
        for (unsigned round = 0; round < 3; round++) {
            for (unsigned i = 0; i < n; i++) {
                struct nic_rx_decision d;
                nic_classifier_select(c, &p[i], &d);
                FUZZ_CHECK(d.queue == STEER_DROP ||
                           (d.queue >= 0 && (unsigned)d.queue < env->n_rx_queues));
                FUZZ_CHECK(d.stage <= nic_classifier_n_stages(c));
                FUZZ_CHECK(d.hashed || (!d.hash && !d.l4_hash));
                nic_classifier_observe_tx(c, &p[i], (i + round) % env->n_tx_queues);
                nic_classifier_on_cpu_change(c, &p[i], round % env->n_cpus,
                                             (i + round) % env->n_rx_queues);
            }
        }
        FUZZ_CHECK(nic_classifier_rss(c) && nic_classifier_reta(c));
        for (unsigned i = 0; i < nic_classifier_n_stages(c); i++)
            FUZZ_CHECK(nic_classifier_stage_name(c, i));
        json_t *d = nic_classifier_dump(c);
        FUZZ_CHECK(d);
        g_free(json_dumps(d, JSON_SORT_KEYS));
        json_decref(d);
    }
    g_clear_error(&err);
    nic_classifier_free(c);
    json_decref(cfg);
    return 0;
}
