/* libFuzzer target: CPU mask text (sim/core/cpumask.c), the sysfs hex groups of
 * rps_cpus/xps_cpus/smp_affinity and CPU lists. Byte 0 picks the form (bit 0) and the
 * width nbits (1 + byte 1 * 4, up to SIM_NR_CPUS). A parsed mask prints (%*pb and %*pbl)
 * as text that parses back to the same mask at the same width. */
#include <stdio.h>

#include "sim/core/cpumask.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

static void check_walk(const struct sim_cpumask *m, unsigned nbits)
{
    unsigned w = sim_cpumask_weight(m), seen = 0;
    int first = -1, last = -1, cpu;
    sim_cpumask_for_each(cpu, m)
    {
        FUZZ_CHECK(sim_cpumask_test(m, (unsigned)cpu) && cpu > last && (unsigned)cpu < nbits);
        first = seen++ ? first : cpu;
        last = cpu;
    }
    FUZZ_CHECK(seen == w && sim_cpumask_empty(m) == (w == 0));
    FUZZ_CHECK(sim_cpumask_nth(m, 0) == first && sim_cpumask_nth(m, w) == -1);
    FUZZ_CHECK(sim_cpumask_last(m) == last && sim_cpumask_first(m) == first);
    FUZZ_CHECK(w == 0 || sim_cpumask_nth(m, w - 1) == last);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    bool list = data[0] & 1;
    unsigned nbits = MIN(1u + data[1] * 4u, (unsigned)SIM_NR_CPUS);
    char *text = fuzz_text(data + 2, size - 2);
    struct sim_cpumask m, back;
    sim_cpumask_fill(&m, 3); /* must stay as is on error */
    struct sim_cpumask orig = m;
    GError *err = NULL;
    bool ok = list ? sim_cpumask_parselist(&m, text, nbits, &err)
                   : sim_cpumask_parse(&m, text, nbits, &err);
    FUZZ_CHECK(ok == (err == NULL));
    if (!ok) {
        FUZZ_CHECK(sim_cpumask_equal(&m, &orig));
    } else {
        check_walk(&m, nbits);
        char *hex = sim_cpumask_print(&m, nbits);
        FUZZ_CHECK(sim_cpumask_parse(&back, hex, nbits, NULL) && sim_cpumask_equal(&m, &back));
        char *l = sim_cpumask_print_list(&m, nbits);
        FUZZ_CHECK(sim_cpumask_parselist(&back, l, nbits, NULL) && sim_cpumask_equal(&m, &back));
        g_free(hex);
        g_free(l);
    }
    g_clear_error(&err);
    g_free(text);
    return 0;
}
