/* libFuzzer target: `ethtool -X` argument strings and JSON RETA specs
 * (models/nic/reta.c). Byte 0 picks the table size, byte 1 the queue count;
 * the rest is the spec. A spec either fails with an error and leaves the table
 * as it was, or installs entries that are all valid queues. */
#include <jansson.h>
#include <stdio.h>

#include "models/nic/reta.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned tsize = 1u << (data[0] % 10);                                /* 1..512 */
    unsigned nq = data[1] < 0xf0 ? 1u + data[1] : 1u << (data[1] - 0xe0); /* ..2^31 */
    char *spec = fuzz_text(data + 2, size - 2);
    struct nic_reta *r = nic_reta_new(tsize, nq, NULL);
    FUZZ_CHECK((r != NULL) == (nq <= NIC_RETA_QUEUES_MAX));
    if (!r) {
        g_free(spec);
        return 0;
    }
    unsigned before[NIC_RETA_MAX];
    for (unsigned i = 0; i < tsize; i++)
        before[i] = nic_reta_entry(r, i);

    GError *err = NULL;
    bool ok;
    json_t *j = NULL;
    if (spec[0] == '[' || spec[0] == '"')
        j = json_loads(spec, JSON_DECODE_ANY, NULL);
    if (j)
        ok = nic_reta_apply_json(r, j, "/fuzz/reta", &err);
    else
        ok = nic_reta_apply_ethtool(r, spec, "/fuzz/reta", &err);
    FUZZ_CHECK(ok == (err == NULL));
    for (unsigned i = 0; i < tsize; i++) {
        FUZZ_CHECK(nic_reta_entry(r, i) < nq);
        if (!ok)
            FUZZ_CHECK(nic_reta_entry(r, i) == before[i]);
    }
    if (ok && json_is_array(j))
        for (unsigned i = 0; i < tsize; i++)
            FUZZ_CHECK(nic_reta_entry(r, i) == json_integer_value(json_array_get(j, i)));
    if (ok) {
        struct nic_reta_spread s;
        nic_reta_spread(r, &s);
        json_t *d = nic_reta_dump(r);
        /* the dumped entries are a list spec giving back the same table */
        struct nic_reta *r2 = nic_reta_new(tsize, nq, NULL);
        FUZZ_CHECK(nic_reta_apply_json(r2, json_object_get(d, "entries"), "/fuzz/dump", NULL));
        for (unsigned i = 0; i < tsize; i++)
            FUZZ_CHECK(nic_reta_entry(r2, i) == nic_reta_entry(r, i));
        nic_reta_free(r2);
        json_decref(d);
    }
    g_clear_error(&err);
    json_decref(j);
    nic_reta_free(r);
    g_free(spec);
    return 0;
}
