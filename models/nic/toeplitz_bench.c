/* Benchmark of the Toeplitz RSS hash (82599 datasheet §7.1.2.8): the 36x256
 * table form used on the packet path vs the bitwise reference and, when
 * available, DPDK's rte_softrss() (lib/hash/rte_thash.h). */
#include "models/nic/toeplitz_bench.h"

#include <time.h>

#include "models/nic/toeplitz.h"
#include "sim/core/err.h"
#include "sim/core/rng.h"

#ifdef NICSTEER_HAVE_RTE_THASH
#include <rte_thash.h>
#endif

#define BENCH_REPS   3    /* passes per implementation; the best counts */
#define BENCH_INPUTS 4096 /* distinct tuples cycled through (fits in L1/L2) */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double mhps(uint64_t n, double secs)
{
    return secs > 0 ? (double)n / secs / 1e6 : 0;
}

bool nic_toeplitz_bench_run(uint64_t count, uint64_t seed, struct nic_toeplitz_bench *out,
                            GError **err)
{
    if (count == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_USAGE, "count 0, expected >= 1 hash");
        return false;
    }
    struct sim_rng r;
    sim_rng_init(&r, seed, "toeplitz_bench");
    uint8_t key[NIC_TOEPLITZ_KEY_MIN];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)sim_rng_u32(&r);
    static uint8_t in[BENCH_INPUTS][12];
    for (size_t i = 0; i < BENCH_INPUTS; i++)
        for (size_t b = 0; b < 12; b++)
            in[i][b] = (uint8_t)sim_rng_u32(&r);
    struct nic_toeplitz *t = nic_toeplitz_new(key, sizeof(key), err);
    if (!t)
        return false;

    /* Each implementation is timed BENCH_REPS times, interleaved, keeping the
     * fastest pass: other load on the machine only ever slows a pass down. The
     * XOR of all hashes keeps the loops alive and cross-checks the results. */
    *out = (struct nic_toeplitz_bench){.count = count};
    double best_table = 0, best_bit = 0, best_rte = 0;
    uint32_t sum_table = 0, sum_bit = 0;
    bool ok = true;
#ifdef NICSTEER_HAVE_RTE_THASH
    /* rte_softrss takes host-order 32-bit words: saddr, daddr, sport<<16|dport */
    static uint32_t words[BENCH_INPUTS][3];
    for (size_t i = 0; i < BENCH_INPUTS; i++)
        for (size_t w = 0; w < 3; w++)
            words[i][w] = (uint32_t)in[i][4 * w] << 24 | (uint32_t)in[i][4 * w + 1] << 16 |
                          (uint32_t)in[i][4 * w + 2] << 8 | in[i][4 * w + 3];
#endif
    for (int rep = 0; rep < BENCH_REPS; rep++) {
        sum_table = sum_bit = 0;
        double t0 = now_s();
        for (uint64_t n = 0; n < count; n++)
            sum_table ^= nic_toeplitz_hash(t, in[n % BENCH_INPUTS], 12);
        double t1 = now_s();
        for (uint64_t n = 0; n < count; n++)
            sum_bit ^= nic_toeplitz_hash_bitwise(key, sizeof(key), in[n % BENCH_INPUTS], 12);
        double t2 = now_s();
        best_table = MAX(best_table, mhps(count, t1 - t0));
        best_bit = MAX(best_bit, mhps(count, t2 - t1));
        ok = ok && sum_table == sum_bit;
#ifdef NICSTEER_HAVE_RTE_THASH
        uint32_t sum_rte = 0;
        double t3 = now_s();
        for (uint64_t n = 0; n < count; n++)
            sum_rte ^= rte_softrss(words[n % BENCH_INPUTS], 3, key);
        double t4 = now_s();
        best_rte = MAX(best_rte, mhps(count, t4 - t3));
        ok = ok && sum_rte == sum_table;
        out->have_rte = true;
#endif
    }
    out->table_mhps = best_table;
    out->bitwise_mhps = best_bit;
    out->ratio_vs_bitwise = best_bit > 0 ? best_table / best_bit : 0;
    out->rte_softrss_mhps = best_rte;
    out->ratio_vs_rte_softrss = best_rte > 0 ? best_table / best_rte : 0;
    nic_toeplitz_free(t);
    if (!ok)
        g_set_error(
            err, SIM_ERROR, SIM_ERROR_INPUT,
            "Toeplitz implementations disagree on the benchmark inputs (seed %" G_GUINT64_FORMAT
            ")",
            seed);
    return ok;
}
