/* Capture bundle loader (spec/capture-bundle.md, schema "nicsteer-capture/1"): the host's
 * steering configuration (sysfs rps_cpus/xps, net.core sysctls) and counters around a capture. */
#ifndef NICSTEER_VALIDATE_BUNDLE_H
#define NICSTEER_VALIDATE_BUNDLE_H

#include "sim/core/cpumask.h"
#include "validate/snapshot.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define VAL_BUNDLE_SCHEMA "nicsteer-capture/1"

/* net.core sysctls as ints; absent keys take the kernel defaults (net/core/hotdata.c). */
struct val_sysctl {
    int netdev_budget;                        /* 300 */
    int netdev_budget_usecs;                  /* 2 * USEC_PER_SEC / HZ */
    int dev_weight;                           /* 64 */
    int dev_weight_rx_bias;                   /* 1 */
    int netdev_max_backlog;                   /* 1000 */
    int rps_sock_flow_entries;                /* 0 */
    int gro_normal_batch;                     /* 8 */
    int flow_limit_table_len;                 /* 4096 */
    int busy_poll;                            /* 0 */
    int busy_read;                            /* 0 */
    struct sim_cpumask flow_limit_cpu_bitmap; /* empty */
};

enum val_sock_kind { VAL_SOCK_UDP, VAL_SOCK_TCP };

/* A receiving socket of the workload (RFS joins syscall fds to flows through it). */
struct val_socket {
    int fd;
    enum val_sock_kind kind;
    int port;      /* UDP: local port */
    char peer[64]; /* TCP: "ip:port" of the remote end */
    int thread;    /* owning receiver thread index, -1 unknown */
};

struct val_thread {
    int thread; /* index in the workload */
    int tid;
};

struct val_bundle;

/* Loads <dir>/config.json and checks the trace and pcap files exist. Unknown keys are ignored;
 * a missing needed key is an error naming its JSON pointer. */
struct val_bundle *val_bundle_load(const char *dir, GError **err);
void val_bundle_free(struct val_bundle *b);

const char *val_bundle_dir(const struct val_bundle *b);
const char *val_bundle_trace_path(const struct val_bundle *b); /* dir + trace.file */
const char *val_bundle_pcap_path(const struct val_bundle *b);  /* dir + pcap.file */

const char *val_bundle_kernel(const struct val_bundle *b);
/* The host a bundle was captured on, as costs are tied to it: "KERNEL, N CPUs" (host.kernel names
 * the build, e.g. 6.18.44-fc-v769 vs 6.18.44-fc-v657-gpu). One host's prices do not predict
 * another's: calibrate records the hosts it fitted, validate --costs warns on another host. New. */
char *val_host_class(const char *kernel, int ncpus);
/* The host class of the bundle in dir from its config.json's /host alone (the trace is not
 * read): new, or NULL + GError naming the file and key. */
char *val_bundle_host_class_at(const char *dir, GError **err);
/* host.kernel as a model parameter (KERN_VERSION(6, 12) = 612; that when unparsable). */
unsigned val_bundle_kernel_version(const struct val_bundle *b);
int val_bundle_ncpus(const struct val_bundle *b);
int val_bundle_hz(const struct val_bundle *b); /* recorded, else estimated (see notes) */
/* Assumptions made for optional facts the bundle lacks (char*), for warnings[]. */
const GPtrArray *val_bundle_notes(const struct val_bundle *b);
const char *val_bundle_rx_dev(const struct val_bundle *b);
const char *val_bundle_rx_driver(const struct val_bundle *b);
const char *val_bundle_rx_addr(const struct val_bundle *b); /* NULL when absent */
const char *val_bundle_tx_dev(const struct val_bundle *b);  /* sender on this host, or NULL */
int val_bundle_queues(const struct val_bundle *b);

/* Receiver rx-<q> RPS map and RFS table size (0 when absent). */
const struct sim_cpumask *val_bundle_rps_cpus(const struct val_bundle *b, int rxq);
uint64_t val_bundle_rps_flow_cnt(const struct val_bundle *b, int rxq);
/* Any device's queues (the veth sender receives the ACKs): how many sysfs_queues/<dev>/rx-<n>
 * the bundle has (0 when none), and one queue's rps_cpus (absent: empty) and rps_flow_cnt
 * (absent: 0); false + error naming the JSON pointer when malformed. */
int val_bundle_rx_queues(const struct val_bundle *b, const char *dev);
bool val_bundle_rx_queue(const struct val_bundle *b, const char *dev, int rxq,
                         struct sim_cpumask *rps_cpus, uint64_t *rps_flow_cnt, GError **err);
/* sysfs_queues/<dev>/tx-<q>/<attr> for attr "xps_cpus" or "xps_rxqs"; false + error naming the
 * path when absent or malformed. */
bool val_bundle_xps(const struct val_bundle *b, const char *dev, int txq, const char *attr,
                    struct sim_cpumask *out, GError **err);

const struct val_sysctl *val_bundle_sysctl(const struct val_bundle *b);

/* Raw ethtool text: which is 'x', 'l', 'k' or 'c'; NULL when not captured. */
const char *val_bundle_ethtool(const struct val_bundle *b, char which, const char *dev);

/* Snapshots; after = false for "before". softirqs/interrupts may be NULL when absent. */
const struct val_softnet *val_bundle_softnet(const struct val_bundle *b, bool after);
const struct val_interrupts *val_bundle_interrupts(const struct val_bundle *b, bool after);
const struct val_softirqs *val_bundle_softirqs(const struct val_bundle *b, bool after);

const char *val_bundle_trace_clock(const struct val_bundle *b);
/* Whether trace.events lists "system:event" (or bare "event"): 1 yes, 0 no (the kernel lacked
 * it or it was not enabled), -1 when the bundle does not list its events. */
int val_bundle_trace_event_enabled(const struct val_bundle *b, const char *event);
/* Per-CPU ring-buffer overrun + dropped events from trace.per_cpu_overrun; -1 when unknown. */
int64_t val_bundle_lost_events(const struct val_bundle *b);
int64_t val_bundle_lost_events_cpu(const struct val_bundle *b, int cpu);

/* clock.<before|after>.realtime_minus_mono_ns */
int64_t val_bundle_clock_offset_ns(const struct val_bundle *b, bool after);

/* Receiving sockets sorted by fd, threads in file order (both may be empty). */
const struct val_socket *val_bundle_sockets(const struct val_bundle *b, int *n);
const struct val_socket *val_bundle_socket_by_fd(const struct val_bundle *b, int fd);
const struct val_thread *val_bundle_threads(const struct val_bundle *b, int *n);

#endif
