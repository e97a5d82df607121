/* libFuzzer target: the RFS size values (models/kernel/rfs.c), the
 * net.core.rps_sock_flow_entries sysctl text and a queue's rps_flow_cnt; byte
 * 0 picks which. Parsed values go through the table constructors, which must
 * reject or build a power-of-two table (tables above 2^20 entries are only
 * checked for rejection, to bound memory). */
#include <stdio.h>

#include "models/kernel/rfs.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_RFS_ALLOC_MAX (1u << 20)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

static void sock_flow(const char *text, unsigned nr_cpus)
{
    int64_t v = 0;
    GError *err = NULL;
    bool ok = kern_parse_rps_sock_flow_entries(text, &v, &err);
    FUZZ_CHECK(ok == (err == NULL));
    g_clear_error(&err);
    if (!ok || (v > FUZZ_RFS_ALLOC_MAX && v <= KERN_RPS_SOCK_FLOW_MAX))
        return;
    struct kern_sock_flow_table *t = NULL;
    ok = kern_sock_flow_table_create(v, nr_cpus, &t, &err);
    FUZZ_CHECK(ok == (err == NULL));
    FUZZ_CHECK(ok == (v >= 0 && v <= KERN_RPS_SOCK_FLOW_MAX));
    FUZZ_CHECK((t != NULL) == (ok && v > 0));
    if (t) {
        uint32_t n = kern_sock_flow_table_size(t);
        FUZZ_CHECK(n >= v && (n & (n - 1)) == 0 && n / 2 < v);
        uint32_t mask = kern_rps_cpu_mask(t);
        FUZZ_CHECK(mask >= nr_cpus - 1 && (mask & (mask + 1)) == 0);
        kern_rps_record_flow(t, 0xdeadbeef, nr_cpus - 1);
        FUZZ_CHECK((kern_sock_flow_table_entry(t, 0xdeadbeef) & mask) == nr_cpus - 1);
    }
    kern_sock_flow_table_free(t);
    g_clear_error(&err);
}

static void dev_flow(const char *text)
{
    uint64_t v = 0;
    GError *err = NULL;
    bool ok = kern_parse_rps_flow_cnt(text, &v, &err);
    FUZZ_CHECK(ok == (err == NULL));
    g_clear_error(&err);
    if (!ok || (v > FUZZ_RFS_ALLOC_MAX && v <= KERN_RPS_DEV_FLOW_MODEL_MAX))
        return;
    struct kern_rps_dev_flow_table *t = NULL;
    ok = kern_rps_dev_flow_table_create(v, &t, &err);
    FUZZ_CHECK(ok == (err == NULL));
    FUZZ_CHECK((t != NULL) == (ok && v > 0));
    if (t) {
        uint32_t n = kern_rps_dev_flow_table_size(t);
        FUZZ_CHECK(n >= v && (n & (n - 1)) == 0 && n / 2 < v);
        FUZZ_CHECK(kern_rps_dev_flow_table_mask(t) == n - 1);
        struct kern_rps_dev_flow *f = kern_rps_dev_flow_at(t, 0x12345678);
        FUZZ_CHECK(f->cpu == KERN_RPS_NO_CPU && f->filter == KERN_RPS_NO_FILTER);
    }
    kern_rps_dev_flow_table_free(t);
    g_clear_error(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_text(data + 1, size - 1);
    if (data[0] & 1)
        dev_flow(text);
    else
        sock_flow(text, 1u + (data[0] >> 1)); /* 1..128 CPUs */
    g_free(text);
    return 0;
}
