/* validate/join.c: the pcap <-> trace join of the replay: a frame whose 802.1Q tag the NIC
 * stripped still joins its receive entry, and the offset of a trace clock other than
 * CLOCK_MONOTONIC is estimated from the first entries. */
#include "tests/unit/cu_main.h"
#include "tests/unit/replay_harness.h"

/* Frames whose VLAN tag the NIC stripped (trace len without it, pcap with it) still join, and
 * the Toeplitz input past the tag is the same. */
static void test_join_joins_frames_with_stripped_vlan_tag(void)
{
    synth_vlan = true;
    char *dir = make_bundle();
    synth_vlan = false;
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 4);
    CU_ASSERT_EQUAL(r->hash.agreed, 4);
    CU_ASSERT_EQUAL(r->cpu.agreed, 4);
    val_report_free(r);
    rm_bundle(dir);
}

/* Copy of the real excerpt with its config.json edited by `edit`. */
static char *mini_copy(void (*edit)(json_t *cfg))
{
    char *dir = g_dir_make_tmp("nicsteer-mini-XXXXXX", NULL);
    const char *names[] = {"config.json", "pcap.pcap", "trace.txt"};
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        char *src =
            g_build_filename(NICSTEER_SOURCE_DIR "/tests/data/validate-mini", names[i], NULL);
        char *dst = g_build_filename(dir, names[i], NULL);
        gchar *text = NULL;
        gsize len = 0;
        CU_ASSERT_FATAL(g_file_get_contents(src, &text, &len, NULL));
        CU_ASSERT_FATAL(g_file_set_contents(dst, text, (gssize)len, NULL));
        g_free(text);
        g_free(src);
        if (i == 0) {
            json_t *cfg = json_load_file(dst, 0, NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
            edit(cfg);
            CU_ASSERT_FATAL(json_dump_file(cfg, dst, 0) == 0);
            json_decref(cfg);
        }
        g_free(dst);
    }
    return dir;
}

/* A "local" (sched_clock) trace clock with realtime_minus_mono 5 s off the trace's clock. */
static void edit_local_clock(json_t *cfg)
{
    json_object_set_new(json_object_get(cfg, "trace"), "clock", json_string("local"));
    const char *when[] = {"before", "after"};
    for (int i = 0; i < 2; i++) {
        json_t *c = json_object_get(json_object_get(cfg, "clock"), when[i]);
        json_int_t v = json_integer_value(json_object_get(c, "realtime_minus_mono_ns"));
        json_object_set_new(c, "realtime_minus_mono_ns", json_integer(v + 5000000000LL));
    }
}

static void test_join_estimates_offset_of_a_non_monotonic_trace_clock(void)
{
    char *dir = mini_copy(edit_local_clock);
    struct val_report *r = replay(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->matched, 53);
    CU_ASSERT_EQUAL(r->cpu.agreed, 53);
    /* the estimate lands within 10 us of the 5 s the config was moved by */
    double moved = 0;
    for (guint i = 0; i < r->warnings->len; i++) {
        const char *w = strstr(g_ptr_array_index(r->warnings, i), "estimated from the data (");
        if (w)
            moved = g_ascii_strtod(w + strlen("estimated from the data ("), NULL);
    }
    CU_ASSERT_DOUBLE_EQUAL(moved, -5.0, 1e-5);
    val_report_free(r);
    rm_bundle(dir);
}

static CU_TestInfo cases[] = {
    {"stripped VLAN tag still joins", test_join_joins_frames_with_stripped_vlan_tag},
    {"offset of a non-monotonic trace clock is estimated",
     test_join_estimates_offset_of_a_non_monotonic_trace_clock},
    CU_TEST_INFO_NULL,
};

CU_MAIN("join", cases)
