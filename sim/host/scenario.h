/* A scenario: one JSON file (scenarios/schema.json is the contract) turned
 * into a machine configuration, a traffic generator and a classifier.
 * Errors are one line: "<file>: /json/pointer: what was expected". */
#ifndef NICSTEER_SIM_SCENARIO_H
#define NICSTEER_SIM_SCENARIO_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "sim/host/machine.h"

struct sim_scenario;

/* Parse and validate (including contradictions). New scenario or NULL. */
struct sim_scenario *sim_scenario_load(const char *path, GError **err);
/* Same from an in-memory JSON document (borrowed); `name` prefixes errors. */
struct sim_scenario *sim_scenario_from_json(const json_t *root, const char *name,
                                            const char *base_dir, GError **err);
/* The same for one host of a multi-host run (/hosts/NAME, sim/host/cluster.c): checked as
 * a linked host (an rr_client is allowed, eth1 receives). */
struct sim_scenario *sim_scenario_host_from_json(const json_t *root, const char *name,
                                                 const char *base_dir, GError **err);
/* sim_scenario_load with PATH=VALUE assignments applied first (sim_json_set; NULL-ended,
 * NULL = none): what `run --set` and `check --set` check and simulate. */
struct sim_scenario *sim_scenario_load_set(const char *path, char *const *sets, GError **err);
/* The effective scenario document (after --set; borrowed). */
const json_t *sim_scenario_json(const struct sim_scenario *sc);
void sim_scenario_free(struct sim_scenario *sc);

uint64_t sim_scenario_seed(const struct sim_scenario *sc);
unsigned sim_scenario_link_mbps(const struct sim_scenario *sc);
/* /outputs/mpstat_interval_ms in ns (0 = none); sim_run_new() applies it. */
uint64_t sim_scenario_mpstat_interval_ns(const struct sim_scenario *sc);

/* Everything a run needs: generator, classifier and machine, built from
 * the scenario with `seed`. */
struct sim_run;
struct sim_run *sim_run_new(const struct sim_scenario *sc, uint64_t seed, GError **err);
struct sim_machine *sim_run_machine(struct sim_run *r);
/* A host of a multi-host run (sim/host/cluster.c): its frames come from its links and every
 * frame its NICs send is told to wire_out (sim_machine_cfg.linked); a proxy relays. */
struct sim_run_link {
    void (*wire_out)(void *ctx, unsigned dev, const struct traffic_pkt *p, uint64_t first_ns);
    void *ctx;
};
struct sim_run *sim_run_new_linked(const struct sim_scenario *sc, uint64_t seed,
                                   const struct sim_run_link *link, GError **err);
/* The traffic source's warning (a cut capture replayed up to its last whole
 * record), NULL when none. */
const char *sim_run_warning(const struct sim_run *r);
/* The classifier's state as a new object (nic_classifier_dump: every stage's dump()). */
json_t *sim_run_classifier_json(const struct sim_run *r);
void sim_run_free(struct sim_run *r);

/* JSON pointers of every key the loader accepts (NULL-terminated, static),
 * e.g. "/nic/itr_us"; free-form sub-objects end in "/" + "*". For the test that
 * keeps scenarios/schema.json and the loader in step. */
const char *const *sim_scenario_keys(void);

#endif
