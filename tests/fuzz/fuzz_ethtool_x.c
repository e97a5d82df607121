/* libFuzzer target: any text given to the `ethtool -x` parser either parses
 * (and then prints without crashing) or fails with an error. */
#include <stdint.h>
#include <string.h>

#include "models/nic/ethtool_x.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    GError *err = NULL;
    struct nic_ethtool_x *x = nic_ethtool_x_parse(text, "fuzz", &err);
    if (x) {
        for (unsigned i = 0; i < nic_ethtool_x_n_tables(x); i++) {
            const struct nic_ethtool_x_table *t = nic_ethtool_x_table(x, i);
            g_free(nic_ethtool_x_print(t));
            nic_ethtool_x_period(t);
            nic_reta_free(nic_ethtool_x_to_reta(t, "fuzz", NULL));
        }
    }
    g_clear_error(&err);
    nic_ethtool_x_free(x);
    g_free(text);
    return 0;
}
