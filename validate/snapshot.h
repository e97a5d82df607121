/* Parsers for host snapshots taken around a capture: /proc/interrupts (kernel/irq/proc.c),
 * /proc/net/softnet_stat (net/core/net-procfs.c), /proc/softirqs (fs/proc/softirqs.c) and
 * ethtool -l/-c/-k text. sysfs CPU masks are read by models/kernel/cpumask.h. */
#ifndef NICSTEER_VALIDATE_SNAPSHOT_H
#define NICSTEER_VALIDATE_SNAPSHOT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Bound on CPU numbers a host can print (CONFIG_NR_CPUS is at most 8192, x86 MAXSMP); the
 * model's own limit is SIM_NR_CPUS (models/kernel/cpumask.h). */
#define VAL_MAX_CPUS 8192

/* ---- /proc/interrupts ---- */
struct val_irq_row {
    char *label;      /* "41", "NMI", "LOC" ... */
    int irq;          /* numeric label, -1 for arch rows */
    int ncounts;      /* counts present (ERR:/MIS: have one) */
    uint64_t *counts; /* per CPU column */
    char *chip;       /* "PCI-MSIX-0000:00:04.0", "IR-PCI-MSI", "IO-APIC-edge" (2.6) */
    long hwirq;       /* -1 when the kernel prints none (old format) */
    char *flow;       /* "edge", "fasteoi", "Level" ... or "" */
    char **actions;   /* NULL-terminated; ", "-separated action names */
    char *desc;       /* arch rows: "Local timer interrupts" */
};

struct val_interrupts {
    int ncpus;       /* CPU columns in the header */
    GPtrArray *rows; /* struct val_irq_row * in file order */
};

struct val_interrupts *val_interrupts_parse(const char *text, const char *source, GError **err);
void val_interrupts_free(struct val_interrupts *t);
/* Row by label ("41", "NMI"); NULL when absent. */
const struct val_irq_row *val_interrupts_by_label(const struct val_interrupts *t,
                                                  const char *label);
/* Row having the action name exactly; NULL when absent. */
const struct val_irq_row *val_interrupts_by_action(const struct val_interrupts *t,
                                                   const char *action);
/* Queue vectors of dev as ixgbe/igb/virtio-like drivers name them (ixgbe_request_msix_irqs):
 * "<dev>-TxRx-N", "<dev>-rx-N", "<dev>-tx-N". Returns a new array of rows indexed by N
 * (NULL holes allowed); *other gets the bare "<dev>" vector (link/other causes) or NULL. */
GPtrArray *val_interrupts_dev_queues(const struct val_interrupts *t, const char *dev,
                                     const struct val_irq_row **other);

/* ---- /proc/net/softnet_stat ---- */
struct val_softnet_row {
    int cpu;   /* column 13 when present, else the row index (online CPUs, in order) */
    int ncols; /* 11, 13 or 15 */
    uint32_t processed, dropped, time_squeeze, received_rps, flow_limit_count;
    uint32_t backlog_len;  /* column 12 (13+ columns) */
    uint32_t input_qlen;   /* column 14 (15 columns) */
    uint32_t process_qlen; /* column 15 */
};

struct val_softnet {
    int nrows;
    struct val_softnet_row *rows;
};

struct val_softnet *val_softnet_parse(const char *text, const char *source, GError **err);
void val_softnet_free(struct val_softnet *s);
const struct val_softnet_row *val_softnet_cpu(const struct val_softnet *s, int cpu);
/* Counters after - before per CPU (mod 2^32, they are u32 in the kernel); CPUs matched by
 * index; queue lengths are the after values. New array; error names a CPU missing in before. */
struct val_softnet *val_softnet_delta(const struct val_softnet *before,
                                      const struct val_softnet *after, GError **err);

/* ---- /proc/softirqs ---- */
struct val_softirqs {
    int ncpus;
    int nvec;
    char **names;     /* "HI", "TIMER", "NET_TX", "NET_RX" ... */
    uint64_t *counts; /* nvec x ncpus, row-major */
};

struct val_softirqs *val_softirqs_parse(const char *text, const char *source, GError **err);
void val_softirqs_free(struct val_softirqs *s);
/* Count of vector name on cpu; -1 when name or cpu absent. */
int64_t val_softirqs_get(const struct val_softirqs *s, const char *name, int cpu);

/* Per-CPU after - before of one row (mod 2^32); out has ncpus entries. */
bool val_interrupts_delta(const struct val_interrupts *before, const struct val_interrupts *after,
                          const char *label, uint64_t *out, int ncpus, GError **err);
bool val_softirqs_delta(const struct val_softirqs *before, const struct val_softirqs *after,
                        const char *name, uint64_t *out, int ncpus, GError **err);

/* ---- ethtool -l ---- */
struct val_ethtool_channels { /* -1 = "n/a" */
    int max_rx, max_tx, max_other, max_combined;
    int rx, tx, other, combined;
};
bool val_ethtool_l_parse(const char *text, const char *source, struct val_ethtool_channels *c,
                         GError **err);

/* ---- ethtool -c ---- */
struct val_ethtool_coalesce;
struct val_ethtool_coalesce *val_ethtool_c_parse(const char *text, const char *source,
                                                 GError **err);
void val_ethtool_coalesce_free(struct val_ethtool_coalesce *c);
/* -1 unknown/n/a, else 0/1. */
int val_ethtool_coalesce_adaptive_rx(const struct val_ethtool_coalesce *c);
int val_ethtool_coalesce_adaptive_tx(const struct val_ethtool_coalesce *c);
/* Numeric parameter ("rx-usecs", "rx-frames", "tx-usecs-irq" ...); false when absent or n/a. */
bool val_ethtool_coalesce_get(const struct val_ethtool_coalesce *c, const char *key, int64_t *v);

/* ---- ethtool -k ---- */
struct val_ethtool_features;
struct val_ethtool_features *val_ethtool_k_parse(const char *text, const char *source,
                                                 GError **err);
void val_ethtool_features_free(struct val_ethtool_features *f);
/* false when the feature is not listed. */
bool val_ethtool_feature(const struct val_ethtool_features *f, const char *name, bool *on,
                         bool *fixed);
int val_ethtool_features_count(const struct val_ethtool_features *f);

#endif
