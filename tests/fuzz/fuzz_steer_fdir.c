/* libFuzzer target: Flow Director config (models/nic/steer_fdir.c). Input
 * starting with '{' is the policy's JSON object; anything else is one
 * `ethtool -N` filter string installed in perfect mode. A config that loads
 * steers fixed frames to valid queues or the drop queue, samples TX (ATR) and
 * dumps its counters. */
#include <jansson.h>
#include <stdio.h>

#include "models/nic/steer_fdir.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

static json_t *config_of(const uint8_t *data, size_t size)
{
    if (size > 0 && data[0] == '{')
        return json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    /* the string as a JSON value needs valid UTF-8; other bytes are a bad config file */
    json_t *f = json_stringn((const char *)data, size);
    if (!f)
        return NULL;
    return json_pack("{s:s, s:[o]}", "mode", "perfect", "filters", f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *cfg = config_of(data, size);
    if (!cfg)
        return 0;
    static const struct steer_env env = {
        .n_rx_queues = 8, .n_tx_queues = 8, .n_cpus = 8, .seed = 1};
    GError *err = NULL;
    void *st = steer_fdir_ops.init(cfg, "/nic/steering/fdir", &env, &err);
    FUZZ_CHECK((st == NULL) == (err != NULL));
    if (st) {
        struct traffic_pkt p[6];
        unsigned n = fuzz_pkts(p);
        struct steer_ctx ctx = {.rss_hash = 0x12345678, .rss_type = 1};
        for (unsigned round = 0; round < 25; round++) {
            for (unsigned i = 0; i < n; i++) {
                int q = steer_fdir_ops.select_rxq(st, &p[i], &ctx);
                FUZZ_CHECK(q == STEER_NO_MATCH || q == STEER_DROP ||
                           (q >= 0 && (unsigned)q < env.n_rx_queues));
                steer_fdir_ops.observe_tx(st, &p[i], (i + round) % env.n_tx_queues);
            }
        }
        json_t *d = steer_fdir_ops.dump(st);
        FUZZ_CHECK(d);
        json_decref(d);
    }
    g_clear_error(&err);
    steer_fdir_ops.destroy(st);
    json_decref(cfg);
    return 0;
}
