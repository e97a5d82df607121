/* SimGrid engines driving one simulated host (sim/machine.h). Both run the
 * same model in the same global (time, seq) order, so their outputs are
 * byte-identical; they differ in how SimGrid's clock and actors follow it:
 *  - window: one actor runs the loop in plain C and sleeps to each window
 *    boundary (fast);
 *  - percpu: one actor per CPU on its own single-core host plus one for the
 *    NIC; the NIC's actor steps every event, keeping SimGrid's clock within
 *    the same window as the window engine (sleeping only across a boundary),
 *    and each CPU's actor mirrors its CPU's busy time as one execution per
 *    window on its host, woken by its timer at window boundaries while busy
 *    and kicked (a semaphore) by the chunk that ends its idleness. */
#ifndef NICSTEER_SIM_ENGINE_H
#define NICSTEER_SIM_ENGINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/host/machine.h"

enum sim_engine_kind { SIM_ENGINE_WINDOW, SIM_ENGINE_PERCPU };

#define SIM_ENGINE_WINDOW_NS 100000 /* 100 µs clock synchronisation window */

/* "window" / "percpu" -> kind; false if unknown. */
bool sim_engine_parse(const char *name, enum sim_engine_kind *kind);
const char *sim_engine_name(enum sim_engine_kind kind);

/* SimGrid platform XML for the host: cpu0..cpuN-1 (1 Gflop/s, 1 flop = 1 ns),
 * nic0, a wire from peer0 to nic0 at link_mbps, PCIe from nic0 to each CPU.
 * New string. */
char *sim_platform_xml(unsigned n_cpus, unsigned link_mbps);

/* A multi-host platform (sim/host/cluster.c): per host `name` its CPUs NAME-cpuN and NICs
 * NAME-eth0/NAME-eth1 behind its PCIe link, and per cable a link of its latency and
 * bandwidth between the two NICs. New string. */
struct sim_platform_host {
    const char *name;
    unsigned n_cpus;
};
struct sim_platform_cable {
    const char *a, *b;
    unsigned a_dev, b_dev;
    uint64_t latency_ns;
    double gbps;
};
char *sim_platform_hosts_xml(const struct sim_platform_host *h, unsigned n_hosts,
                             const struct sim_platform_cable *c, unsigned n_cables);

/* Run several machines together to their (common) end: the window engine's actor, in the
 * global (time, host) order: each step runs the next item of the host whose next item is
 * the earliest (lowest host on a tie). A host's batch of arrivals never reaches another
 * host (only transmits do, at least the NIC's DMA fetch later), so the order is causal.
 * Once per process, as sim_engine_run. */
/* That order in plain C, everything before `t`; true while something is left. */
bool sim_hosts_run_until(struct sim_machine *const *ms, unsigned n, uint64_t t);
bool sim_engine_run_hosts(struct sim_machine *const *ms, unsigned n, const char *platform_xml,
                          GError **err);

/* Run the machine to its end under SimGrid. SimGrid keeps one engine per
 * process: a second call in the same process fails. */
/* Told the simulated time every SIM_ENGINE_PROGRESS_NS of it (both engines, at the same
 * model times; outputs do not depend on it). Optional: NULL = none. Set before the run. */
#define SIM_ENGINE_PROGRESS_NS 10000000 /* 10 ms */
typedef void (*sim_engine_progress_fn)(void *ctx, uint64_t now_ns, uint64_t end_ns);
void sim_engine_set_progress(sim_engine_progress_fn fn, void *ctx);

bool sim_engine_run(struct sim_machine *m, enum sim_engine_kind kind, unsigned link_mbps,
                    GError **err);

#endif
