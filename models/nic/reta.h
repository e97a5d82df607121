/* RSS redirection table (RETA) of the 82599 (datasheet §7.1.2.8, RETA[n]) and
 * the `ethtool -X` ways to fill it (ethtool.c fill_indir_table, Linux 6.12
 * ethtool_rxfh_indir_default()). */
#ifndef NICSTEER_NIC_RETA_H
#define NICSTEER_NIC_RETA_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define NIC_RETA_MAX 512 /* X550; 82599 has 128 */
/* Most RX queues a table can point at: entries are 16-bit, like ethtool's ring
 * indices in practice (ixgbe has 64 queues). */
#define NIC_RETA_QUEUES_MAX 65536

struct nic_reta;

/* New table of `size` entries (power of two <= 512) for `n_queues` queues
 * (1..NIC_RETA_QUEUES_MAX; entries must be < n_queues), filled with the
 * default i % n_queues. */
struct nic_reta *nic_reta_new(unsigned size, unsigned n_queues, GError **err);
void nic_reta_free(struct nic_reta *r);

unsigned nic_reta_size(const struct nic_reta *r);
unsigned nic_reta_n_queues(const struct nic_reta *r);
unsigned nic_reta_entry(const struct nic_reta *r, unsigned i);

/* Queue = RETA[hash & (size - 1)] (the 7 LSBs on 82599). Packet path. */
unsigned nic_reta_queue(const struct nic_reta *r, uint32_t hash);

/* ethtool_rxfh_indir_default(i, n) = i % n. */
void nic_reta_set_default(struct nic_reta *r);
/* `ethtool -X equal N [start S]`: entry i = S + i % N. */
bool nic_reta_set_equal(struct nic_reta *r, unsigned start, unsigned n, GError **err);
/* `ethtool -X weight W0 W1 .. [start S]`: entry i = S + smallest j with
 * i < size * (W0 + .. + Wj) / sum(W); 0 < sum(W) <= size. */
bool nic_reta_set_weight(struct nic_reta *r, unsigned start, const unsigned *w, unsigned nw,
                         GError **err);
/* Explicit list of exactly `size` entries; `path` names the list in errors
 * ("/nic/steering/rss/reta" -> "/nic/steering/rss/reta/3: ..."). */
bool nic_reta_set_list(struct nic_reta *r, const unsigned *q, unsigned n, const char *path,
                       GError **err);
/* An `ethtool -X` argument string: "default", "equal N", "weight W..",
 * each optionally with "start S" before or after. Errors name `path`. */
bool nic_reta_apply_ethtool(struct nic_reta *r, const char *spec, const char *path, GError **err);
/* A JSON spec: ethtool string or array of queue numbers. */
bool nic_reta_apply_json(struct nic_reta *r, const json_t *spec, const char *path, GError **err);

/* How evenly the table spreads hashes: T entries over N queues give queues with
 * ceil(T/N) and floor(T/N) entries under the default fill. */
struct nic_reta_spread {
    unsigned n_queues;
    unsigned entries[NIC_RETA_MAX]; /* entries pointing at queue q */
    unsigned min, max;              /* over queues 0..n_queues-1 */
    unsigned used;                  /* queues with at least one entry */
    double mean;                    /* size / n_queues */
    double max_over_mean;           /* load of the busiest queue vs even share */
};
void nic_reta_spread(const struct nic_reta *r, struct nic_reta_spread *s);

/* {"size", "queues", "entries": [..]} for reports. */
json_t *nic_reta_dump(const struct nic_reta *r);

#endif
