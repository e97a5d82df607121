/* Several hosts in one run (#15 point 5): a scenario with a top-level "hosts" object (each
 * value a single-host scenario: CPUs, NICs, kernel, workload) and "links" (full-duplex
 * cables between two hosts' NICs, "client/eth0" <-> "proxy/eth0", with latency_us and
 * gbps). A frame a host puts on a linked NIC's wire reaches the other end after the
 * cable's latency and serialisation and takes that host's whole receive path. */
#ifndef NICSTEER_SIM_CLUSTER_H
#define NICSTEER_SIM_CLUSTER_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/out.h"

struct sim_cluster;

/* A multi-host scenario: the document is an object with a "hosts" key. */
bool sim_cluster_is(const json_t *root);
/* Parse and check every host and link (errors name `name` and the JSON pointer). */
struct sim_cluster *sim_cluster_from_json(const json_t *root, const char *name,
                                          const char *base_dir, GError **err);
/* Load PATH with the --set assignments applied; *is = whether it is a multi-host scenario
 * (false: NULL with no error, a single-host scenario for sim_scenario_load_set; also when
 * the file cannot be read, which that loader then reports). */
struct sim_cluster *sim_cluster_try_load(const char *path, char *const *sets, bool *is,
                                         GError **err);
/* The effective document (borrowed). */
const json_t *sim_cluster_json(const struct sim_cluster *c);
void sim_cluster_free(struct sim_cluster *c);
uint64_t sim_cluster_seed(const struct sim_cluster *c);
unsigned sim_cluster_n_hosts(const struct sim_cluster *c);
const char *sim_cluster_host_name(const struct sim_cluster *c, unsigned i);

/* Build every host with `seed` and run them together to the end (the window engine's
 * SimGrid actor; the per-CPU engine is refused). Once per process, as sim_engine_run. */
bool sim_cluster_run(struct sim_cluster *c, uint64_t seed, GError **err);
/* The same run in plain C, without SimGrid (the same order and results; unit tests). */
bool sim_cluster_run_plain(struct sim_cluster *c, uint64_t seed, GError **err);
/* Host i's machine once run (borrowed), NULL before. */
struct sim_machine *sim_cluster_machine(struct sim_cluster *c, unsigned i);
/* Per host DIR/<host>/ (the single-host file set, each host's summary with its own
 * provenance `prov` + "host"), DIR/summary.json across hosts, DIR/scenario.json; into `o`
 * (committed or aborted: always consumed). */
bool sim_cluster_write(struct sim_cluster *c, struct sim_out *o, const json_t *prov,
                       const char *scenario_text, GError **err);

/* Link counters, once run: frames each direction of link i carried (a->b, b->a). */
uint64_t sim_cluster_link_frames(const struct sim_cluster *c, unsigned i, bool reverse);

#endif
