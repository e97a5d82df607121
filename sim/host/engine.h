/* SimGrid engines driving one simulated host (sim/machine.h). Both run the
 * same model in the same global (time, seq) order, so their outputs are
 * byte-identical; they differ in how SimGrid's clock and actors follow it:
 *  - window: one actor runs the loop in plain C and sleeps to each window
 *    boundary (fast);
 *  - percpu: one actor per CPU on its own single-core host plus one for the
 *    NIC; the actor owning the next event runs it (baton passing through
 *    per-actor semaphores), keeps SimGrid's clock within the same window as
 *    the window engine (sleeping only across a boundary) and mirrors its
 *    CPU's busy time as one execution per window. */
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
