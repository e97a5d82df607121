/* Throughput of the Toeplitz implementations on IPv4 4-tuples (what the
 * 82599 hashes for TCP): table-driven vs the bit-by-bit datasheet form, and
 * DPDK rte_softrss() when built against rte_thash.h. */
#ifndef NICSTEER_NIC_TOEPLITZ_BENCH_H
#define NICSTEER_NIC_TOEPLITZ_BENCH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct nic_toeplitz_bench {
    uint64_t count;    /* hashes per implementation */
    double table_mhps; /* million hashes per second */
    double bitwise_mhps;
    double ratio_vs_bitwise; /* table / bitwise */
    bool have_rte;           /* DPDK rte_softrss measured */
    double rte_softrss_mhps;
    double ratio_vs_rte_softrss; /* table / rte_softrss */
};

/* Hash `count` seeded random 4-tuples with each implementation in this run
 * (same inputs, results cross-checked). False + error if the implementations
 * disagree or count is 0. */
bool nic_toeplitz_bench_run(uint64_t count, uint64_t seed, struct nic_toeplitz_bench *out,
                            GError **err);

#endif
