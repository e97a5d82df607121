/* libFuzzer target: the scenario's "/traffic" object (models/traffic/gen.c):
 * generated flow groups or a capture replay. A config that loads emits
 * arrivals in time order inside its duration, from flows it declared. Groups
 * above 2^16 flows in all are skipped (valid, but gigabytes of templates). */
#include <jansson.h>
#include <stdio.h>

#include "models/traffic/gen.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_GEN_MAX_FLOWS 65536
#define FUZZ_GEN_MAX_PKTS  4096

static const char *base_dir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    /* a replay names its pcap relative to the scenario: "in.pcap" here */
    base_dir = fuzz_scratch_dir("gen");
    gchar *pcap;
    gsize len;
    if (!g_file_get_contents(NICSTEER_SOURCE_DIR "/tests/fuzz/corpus/pcap_src/gnutella-6.pcap",
                             &pcap, &len, NULL))
        abort();
    char *dst = g_build_filename(base_dir, "in.pcap", NULL);
    if (!fuzz_write_file(dst, (const uint8_t *)pcap, len))
        abort();
    g_free(dst);
    g_free(pcap);
    return 0;
}

static bool small_enough(const json_t *cfg)
{
    const json_t *flows = json_object_get(cfg, "flows");
    size_t i;
    const json_t *f;
    json_int_t total = 0;
    json_array_foreach(flows, i, f)
    {
        const json_t *c = json_object_get(f, "count");
        if (json_is_integer(c) && json_integer_value(c) > 0)
            total += MIN(json_integer_value(c), (json_int_t)1 << 40);
    }
    return total <= FUZZ_GEN_MAX_FLOWS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *cfg = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!cfg || !small_enough(cfg)) {
        json_decref(cfg);
        return 0;
    }
    struct traffic_gen_env env = {.seed = 42, .base_dir = base_dir};
    GError *err = NULL;
    struct traffic_gen *g = traffic_gen_new(cfg, "/traffic", &env, &err);
    FUZZ_CHECK((g == NULL) == (err != NULL));
    if (g) {
        uint32_t nf = traffic_gen_n_flows(g);
        uint64_t dur = traffic_gen_duration_ns(g), last = 0;
        bool replay = json_object_get(cfg, "pcap") != NULL;
        struct traffic_pkt p;
        for (unsigned n = 0; n < FUZZ_GEN_MAX_PKTS && traffic_gen_next(g, &p); n++) {
            FUZZ_CHECK(p.ts_ns >= last && p.ts_ns < dur);
            /* replayed non-IP frames have flow 0 */
            FUZZ_CHECK(p.flow <= nf && (replay || p.flow >= 1));
            FUZZ_CHECK(replay || (p.wire_len >= 60 && p.wire_len <= 9216 - 4));
            last = p.ts_ns;
        }
    }
    g_clear_error(&err);
    traffic_gen_free(g);
    json_decref(cfg);
    return 0;
}
