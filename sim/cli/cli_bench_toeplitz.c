/* `nicsteer bench-toeplitz`: hashes/second of the Toeplitz implementations
 * (models/nic/toeplitz_bench.c) measured in one run. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/nic/toeplitz_bench.h"
#include "sim/cli/cli.h"
#include "sim/core/err.h"
#include "sim/core/version.h"

static const char *SUB = "bench-toeplitz";

static json_t *bench_json(const struct nic_toeplitz_bench *b)
{
    json_t *j = json_pack("{s:I, s:f, s:f, s:f}", "count", (json_int_t)b->count, "table_mhps",
                          b->table_mhps, "bitwise_mhps", b->bitwise_mhps, "ratio_vs_bitwise",
                          b->ratio_vs_bitwise);
    sim_version_stamp(j, 1);
    if (b->have_rte) {
        json_object_set_new(j, "rte_softrss_mhps", json_real(b->rte_softrss_mhps));
        json_object_set_new(j, "ratio_vs_rte_softrss", json_real(b->ratio_vs_rte_softrss));
    }
    return j;
}

int sim_cli_bench_toeplitz(int argc, char **argv)
{
    gboolean as_json = FALSE;
    gint64 count = 5000000, seed = 1;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON object (sorted keys)", NULL},
        {"count", 'n', 0, G_OPTION_ARG_INT64, &count, "Hashes per implementation (5000000)", "N"},
        {"seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Seed of the random 4-tuples and key (1)", "S"},
        G_OPTION_ENTRY_NULL,
    };
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(
        ctx, "Measure Toeplitz RSS hashes/second on IPv4 4-tuples: table-driven vs the bitwise\n"
             "reference (and DPDK rte_softrss when built with rte_thash.h).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    bool ok = sim_cli_parse(ctx, &argc, &argv, SUB);
    g_option_context_free(ctx);
    if (!ok)
        return SIM_EXIT_USAGE;
    if (argc > 1)
        return sim_cli_fail(SUB, SIM_EXIT_USAGE, "unexpected argument '%s'", argv[1]);
    if (count < 1)
        return sim_cli_fail(SUB, SIM_EXIT_USAGE, "--count %" G_GINT64_FORMAT ", expected >= 1",
                            count);
    struct nic_toeplitz_bench b;
    GError *err = NULL;
    if (!nic_toeplitz_bench_run((uint64_t)count, (uint64_t)seed, &b, &err))
        return sim_cli_fail_error(SUB, err);
    if (as_json) {
        json_t *j = bench_json(&b);
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("%s\n", s);
        free(s);
        json_decref(j);
    } else {
        printf("hashes per implementation: %" G_GUINT64_FORMAT "\n", b.count);
        printf("table     %10.2f Mhash/s\n", b.table_mhps);
        printf("bitwise   %10.2f Mhash/s   table is %.2fx faster\n", b.bitwise_mhps,
               b.ratio_vs_bitwise);
        if (b.have_rte)
            printf("rte_softrss %8.2f Mhash/s   table is %.2fx faster\n", b.rte_softrss_mhps,
                   b.ratio_vs_rte_softrss);
        else
            printf("rte_softrss: not built (no rte_thash.h found by CMake)\n");
    }
    return SIM_EXIT_OK;
}
