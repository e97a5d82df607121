/* libFuzzer target: any text given to the `ethtool -x` parser either parses
 * (and then prints back into text that parses to the same table) or fails
 * with an error. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "models/nic/ethtool_x.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_glib_fatal();
    return 0;
}

/* The printed block parses back to the same table (ethtool's own format). */
static void same_after_reprint(const struct nic_ethtool_x_table *t, const char *printed)
{
    struct nic_ethtool_x *y = nic_ethtool_x_parse(printed, "reprint", NULL);
    FUZZ_CHECK(y && nic_ethtool_x_n_tables(y) == 1);
    const struct nic_ethtool_x_table *u = nic_ethtool_x_table(y, 0);
    FUZZ_CHECK(!strcmp(u->dev, t->dev) && u->rings == t->rings && u->context == t->context);
    FUZZ_CHECK(u->indir_unsupported == t->indir_unsupported && u->n_entries == t->n_entries);
    FUZZ_CHECK(u->known == t->known && u->partial == t->partial);
    for (unsigned e = 0; e < t->n_entries; e++)
        FUZZ_CHECK(u->entry[e] == t->entry[e]);
    FUZZ_CHECK(u->has_key == t->has_key && u->key_len == t->key_len);
    FUZZ_CHECK(memcmp(u->key, t->key, t->key_len) == 0);
    FUZZ_CHECK(u->n_hfunc == t->n_hfunc && u->n_xfrm == t->n_xfrm);
    nic_ethtool_x_free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    GError *err = NULL;
    struct nic_ethtool_x *x = nic_ethtool_x_parse(text, "fuzz", &err);
    if (x) {
        for (unsigned i = 0; i < nic_ethtool_x_n_tables(x); i++) {
            const struct nic_ethtool_x_table *t = nic_ethtool_x_table(x, i);
            char *printed = nic_ethtool_x_print(t);
            same_after_reprint(t, printed);
            g_free(printed);
            nic_ethtool_x_period(t);
            struct nic_reta *r = nic_ethtool_x_to_reta(t, "fuzz", NULL);
            for (unsigned e = 0; r && e < t->n_entries; e++)
                FUZZ_CHECK(nic_reta_entry(r, e) == (unsigned)t->entry[e]);
            nic_reta_free(r);
        }
    }
    g_clear_error(&err);
    nic_ethtool_x_free(x);
    g_free(text);
    return 0;
}
