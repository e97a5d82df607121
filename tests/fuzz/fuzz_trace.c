/* libFuzzer target: kernel trace text (validate/trace.c), tracefs `trace`
 * and `perf script` output, streamed line by line. Every line is an event,
 * a skipped line counted in the stats, or garbled; never a crash. */
#include <stdio.h>

#include "tests/fuzz/fuzz.h"
#include "validate/trace.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    FUZZ_CHECK(f);
    struct val_trace_reader *r = val_trace_open_stream(f, "fuzz.txt");
    FUZZ_CHECK(r);
    struct val_trace_event ev;
    GError *err = NULL;
    uint64_t events = 0, last_line = 0;
    int rc;
    while ((rc = val_trace_next(r, &ev, &err)) == 1) {
        events++;
        FUZZ_CHECK(ev.kind >= 0 && ev.kind < VAL_EV__COUNT);
        FUZZ_CHECK(ev.line > last_line);
        last_line = ev.line;
        FUZZ_CHECK(memchr(ev.comm, 0, sizeof(ev.comm)));
        val_ev_kind_name(ev.kind);
    }
    FUZZ_CHECK(rc == 0 && err == NULL);
    const struct val_trace_stats *st = val_trace_get_stats(r);
    FUZZ_CHECK(st->events == events);
    uint64_t by_kind = 0;
    for (int k = 0; k < VAL_EV__COUNT; k++)
        by_kind += st->by_kind[k];
    FUZZ_CHECK(by_kind == events && st->lines >= events);
    GPtrArray *u = val_trace_unknown_sorted(r);
    g_ptr_array_unref(u);
    val_trace_free(r);
    fclose(f);

    /* the single-line entry point, on the input's first line */
    char *line = g_strndup((const char *)data, size);
    line[strcspn(line, "\n")] = 0;
    struct val_line_info info;
    memset(&info, 0, sizeof(info));
    val_trace_parse_line(line, &ev, &info);
    g_free(line);
    uint64_t ns;
    val_trace_parse_ts((const char *)data, size, &ns);
    return 0;
}
