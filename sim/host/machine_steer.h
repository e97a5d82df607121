/* The machine's glue for software steering and TX: per-flow header templates
 * (to build transmitted frames for ATR), the driver's ATR sampling hook into
 * the classifier, XPS from the scenario, and timed thread moves (/events). */
#ifndef NICSTEER_SIM_MACHINE_STEER_H
#define NICSTEER_SIM_MACHINE_STEER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"
#include "models/traffic/pkt.h"

struct sim_machine_cfg;
struct sim_steer;
struct sim_msteer;

struct sim_msteer *sim_msteer_new(const struct sim_machine_cfg *cfg, struct kern_host *h,
                                  const struct sim_steer *steer);
void sim_msteer_free(struct sim_msteer *ms);
/* Remember the headers of each flow's first frame (packet path: one compare). */
void sim_msteer_arrive(struct sim_msteer *ms, const struct traffic_pkt *p);
/* nicdrv_cfg.atr_sample: the reply frame of `flow` left on TX ring txq. */
void sim_msteer_atr_sample(void *ctx, uint32_t flow, uint8_t tcp_flags, unsigned txq);
/* nicdrv_arfs_hw: a perfect filter for `flow` (its first frame's 5-tuple) to rxq. */
int sim_msteer_fdir_add(void *ctx, uint32_t flow, unsigned rxq);
bool sim_msteer_fdir_del(void *ctx, unsigned id);
/* After the driver and the application exist: XPS from the scenario, event
 * threads resolved ("/events/N/thread" errors). */
bool sim_msteer_setup(struct sim_msteer *ms, GError **err);
/* Time of event i (UINT64_MAX: none). */
uint64_t sim_msteer_event_at(const struct sim_msteer *ms, unsigned i);
/* Run event i at `now`: returns the time to call again for the same event
 * (the thread is not asleep yet: it moves at its next blocking point), or
 * UINT64_MAX when done. */
uint64_t sim_msteer_event_run(struct sim_msteer *ms, unsigned i, uint64_t now);
uint64_t sim_msteer_moves(const struct sim_msteer *ms);

#endif
