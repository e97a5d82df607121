/* Result of `nicsteer validate`: what the model predicted against what the real host recorded
 * in a capture bundle, and its text and JSON forms. Filled by validate/replay.c. */
#ifndef NICSTEER_VALIDATE_REPORT_H
#define NICSTEER_VALIDATE_REPORT_H

#include "sim/core/hist.h"
#include "validate/compare.h"
#include "validate/wake_model.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* NET_RX run duration histograms: 10001 bins of 100 ns (0..1 ms, longer runs in the last). */
#define VAL_NET_RX_BINS   10001
#define VAL_NET_RX_BIN_NS 100

/* Per CPU: packets processed (__netif_receive_skb_core) by the model, the trace and softnet. */
struct val_report_cpu {
    int cpu;
    uint64_t model_processed;           /* receive entries the model sent to this CPU */
    uint64_t trace_processed;           /* netif_receive_skb events on this CPU (all devices) */
    int64_t softnet_processed;          /* softnet_stat column 1 after - before; -1 unknown */
    uint64_t net_rx_ns;                 /* NET_RX softirq_entry -> exit time in the trace */
    uint64_t net_rx_runs;               /* NET_RX softirq runs in the trace */
    uint64_t model_net_rx_ns;           /* the same runs priced by struct kern_cost */
    int64_t softirqs_net_rx;            /* /proc/softirqs NET_RX after - before; -1 unknown */
    uint64_t backlog_polls;             /* trace napi_poll (no_device) on this CPU */
    uint64_t net_rx_ksoftirqd_ns;       /* part of net_rx_ns run by ksoftirqd/N */
    uint64_t trace_processed_ksoftirqd; /* netif_receive_skb events in ksoftirqd/N */
    int64_t softnet_dropped;            /* softnet_stat column 2 delta; -1 unknown */
    int64_t softnet_time_squeeze;       /* softnet_stat column 3 delta; -1 unknown */
    uint64_t model_dropped;             /* the model backlog's drops (enqueue_to_backlog) */
    uint64_t model_time_squeeze;        /* the model's net_rx_action punts after its polls */
};

/* The backlog under pressure, summed over CPUs (validate/cmp_backlog.c). */
struct val_report_backlog {
    uint64_t model_dropped, model_time_squeeze;
    int64_t softnet_dropped, softnet_time_squeeze; /* -1 unknown */
    double drop_error, time_squeeze_error;         /* |model - softnet| / softnet; < 0 n/a */
};

/* One interrupt vector of the receiving device (hardware NICs only). */
struct val_report_vector {
    char name[64];  /* "eth0-TxRx-3" */
    int64_t trace;  /* irq_handler_entry events with this name; -1 when not traced */
    int64_t procfs; /* /proc/interrupts delta summed over CPUs */
    int index;      /* N of <dev>-TxRx-N / -rx-N / -tx-N */
    bool txrx;      /* a TxRx vector (ixgbe_request_msix_irqs naming) */
    int64_t model;  /* interrupts of q_vector N in the NIC/ITR replay; -1 not modelled */
    int model_cpu;  /* CPU the model delivered them to; -1 not modelled */
};

/* The NIC + ixgbe driver + ITR replay of a hardware bundle (validate/irq_model.c). */
struct val_report_irq_model {
    bool applicable; /* it ran: the device has <dev>-TxRx-N vectors */
    char *why_not;   /* when not applicable: why (new string) */
    int rx_usecs;    /* ITR replayed (ixgbe: 0 off, 1 adaptive, else fixed µs) */
    unsigned queues, vectors, ring_size;
    const char *queue_source; /* "recorded", "rss" or "recorded+rss" */
    uint64_t packets;         /* matched packets replayed */
    uint64_t ring_drops;      /* rx_missed in the model */
    GPtrArray *notes;         /* assumptions where the bundle is silent (char *) */
    /* The host's transmits on the device, posted on the model's TX rings at their times */
    uint64_t tx_frames;          /* replayed, all queues */
    unsigned tx_queues;          /* entries of tx_per_queue */
    uint64_t *tx_per_queue;      /* replayed per TX queue (owned) */
    const char *tx_queue_source; /* "recorded" (net_dev_start_xmit), "xps", "tx-hash",
                                    "xps+tx-hash", or "none" (no transmit traced) */
    uint64_t tx_ring_full;       /* refused by a full model TX ring */
};

/* A receiving thread of the workload and what the scheduler did with it. */
struct val_report_thread {
    int thread;
    int tid;
    uint64_t migrations;   /* sched_migrate_task events for tid */
    uint64_t socket_reads; /* recvfrom/recvmsg entries by tid */
};

struct val_report {
    char *bundle;
    char *costs_source;   /* the costs file that priced the NET_RX runs, or "built-in" */
    int costs_by;         /* enum val_costs_by (validate/replay.h) */
    bool costs_in_sample; /* the costs were fitted on this bundle (calibration.bundles) */
    char *case_name;      /* config "case" or the folder name */
    char *kernel;
    char *rx_dev;
    char *rx_driver;
    int ncpus;

    bool partial;               /* some comparison could not be made (see partial_reasons) */
    GPtrArray *partial_reasons; /* char*, in the order found */
    GPtrArray *warnings;        /* char*, most important first */

    uint64_t pcap_packets;      /* frames in the pcap */
    uint64_t pcap_outgoing;     /* frames sent by the receiver's address (not join candidates) */
    uint64_t trace_entries;     /* receive-entry events of rx_dev in the trace */
    uint64_t trace_entries_all; /* receive-entry events of all devices */
    uint64_t matched;           /* pcap frames joined to a receive entry */
    uint64_t unpaired;          /* entries with no later netif_receive_skb of their skbaddr */
    uint64_t match_window_ns;   /* +- tolerance of the time join */
    uint64_t tx_matched;        /* outgoing frames joined to net_dev_start_xmit (ATR learning) */
    uint64_t atr_steered;       /* matched packets the model's ATR filters steered */

    const char *rx_queue_mode; /* "toeplitz", "toeplitz+atr" (ixgbe Flow Director ATR) or
                                  "recorded" (software hash) */
    const char *cpu_mode;      /* "rps", "rps+rfs", "rfs" or "none" */
    struct val_agree rx_queue; /* model queue vs recorded queue (toeplitz mode only) */
    struct val_agree hash;     /* model Toeplitz hash vs trace hash (toeplitz mode only) */
    struct val_agree cpu;      /* model CPU vs netif_receive_skb CPU, matched packets */
    struct val_agree tx_queue; /* veth: sender's modelled TX queue vs its net_dev_start_xmit */
    const char *tx_queue_mode; /* "xps", "tx-hash" or NULL (no sender on this host) */
    struct val_agree cpu_all;  /* same over every paired rx_dev entry, matched or not */

    struct val_report_cpu *cpus; /* ncpus entries */

    const char *napi_kind;             /* what napi_model/napi_trace describe: "backlog" or NULL */
    struct sim_hist napi_model;        /* work per backlog poll in the model replay (0..64) */
    struct sim_hist napi_trace;        /* work per backlog poll in the trace */
    struct sim_hist napi_device;       /* work per NAPI poll of rx_dev in the trace */
    struct sim_hist napi_device_model; /* the same in the NIC/ITR replay (hardware NICs) */
    struct sim_hist net_rx_us; /* NET_RX softirq run durations in the trace (ns, 100 ns bins) */
    struct sim_hist net_rx_model_us; /* the same runs priced by struct kern_cost (ns, 100 ns) */
    uint64_t polls_full;             /* trace backlog polls with work == weight */
    uint64_t model_drops;            /* packets the model backlog dropped (netdev_max_backlog) */
    int64_t trace_backlog_drops;     /* skb:kfree_skb reason CPU_BACKLOG; -1 not traced */
    uint64_t host_dropped_model_dropped; /* of those, packets the model dropped too */
    uint64_t host_dropped_model_queued;  /* ... and packets the model queued */
    struct val_report_backlog backlog;

    bool irq_applicable; /* rx_dev has hardware queue vectors */
    GArray *vectors;     /* struct val_report_vector */
    struct val_report_irq_model irq_model;
    GArray *threads;             /* struct val_report_thread */
    bool wakes_applicable;       /* receiver threads listed and sched_wakeup traced */
    struct val_wake_stats wakes; /* receiver wake placement, model vs trace */

    uint64_t trace_lines, trace_events, trace_garbled, trace_unknown, trace_lost;
};

/* New empty report keeping the first `keep` disagreements of each kind. */
struct val_report *val_report_new(int ncpus, unsigned keep);
void val_report_free(struct val_report *r);
void val_report_warn(struct val_report *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Mark the report partial and say why. */
void val_report_partial(struct val_report *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* KS distance of napi_model vs napi_trace; negative when not applicable. */
double val_report_napi_ks(const struct val_report *r);
/* KS distance of napi_device_model vs napi_device; negative when not applicable. */
double val_report_napi_device_ks(const struct val_report *r);

/* KS distance of net_rx_model_us vs net_rx_us; negative when not applicable. */
double val_report_softirq_ks(const struct val_report *r);

/* Human report (new string). Warnings first, then the headline agreement. */
char *val_report_text(const struct val_report *r);
/* JSON object (new reference); fractions in [0,1] or null when not applicable. */
json_t *val_report_json(const struct val_report *r);

#endif
