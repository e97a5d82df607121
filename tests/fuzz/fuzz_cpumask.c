/* libFuzzer target: CPU mask text (models/kernel/cpumask.c), the sysfs hex
 * groups of rps_cpus/xps_cpus and CPU lists. Byte 0 picks the form. A parsed
 * mask prints as hex groups that parse back to the same mask. */
#include <stdio.h>

#include "models/kernel/cpumask.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool list = data[0] & 1;
    char *text = fuzz_text(data + 1, size - 1);
    struct kern_cpumask m, back;
    kern_cpumask_first_n(&m, 3); /* must stay as is on error */
    struct kern_cpumask orig = m;
    GError *err = NULL;
    bool ok =
        list ? kern_cpumask_parse_list(&m, text, &err) : kern_cpumask_parse_hex(&m, text, &err);
    FUZZ_CHECK(ok == (err == NULL));
    if (!ok) {
        FUZZ_CHECK(memcmp(&m, &orig, sizeof(m)) == 0);
    } else {
        char *hex = kern_cpumask_format_hex(&m, KERN_NR_CPUS);
        FUZZ_CHECK(kern_cpumask_parse_hex(&back, hex, NULL));
        FUZZ_CHECK(memcmp(&m, &back, sizeof(m)) == 0);
        unsigned w = kern_cpumask_weight(&m), seen = 0;
        int first = -1, last = -1;
        for (int cpu = kern_cpumask_next(&m, -1); cpu >= 0; cpu = kern_cpumask_next(&m, cpu)) {
            FUZZ_CHECK(kern_cpumask_test(&m, (unsigned)cpu) && cpu > last);
            first = seen++ ? first : cpu;
            last = cpu;
        }
        FUZZ_CHECK(seen == w && kern_cpumask_empty(&m) == (w == 0));
        FUZZ_CHECK(kern_cpumask_nth(&m, 0) == first && kern_cpumask_nth(&m, w) == -1);
        FUZZ_CHECK(w == 0 || kern_cpumask_nth(&m, w - 1) == last);
        g_free(hex);
    }
    g_clear_error(&err);
    g_free(text);
    return 0;
}
