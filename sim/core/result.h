/* What one simulation run produced: filled by the engine (sim/engine.c),
 * read by the output writers (sim/report.c). Times in ns of simulated time. */
#ifndef NICSTEER_SIM_RESULT_H
#define NICSTEER_SIM_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/hist.h"
#include "sim/core/stats.h"

#define SIM_NR_SOFTIRQS 10 /* NR_SOFTIRQS: HI TIMER NET_TX NET_RX BLOCK IRQ_POLL ... RCU */

/* Per-CPU time split the way mpstat/proc/stat account it. */
struct sim_cpu_result {
    uint64_t usr_ns;  /* application threads in user mode */
    uint64_t sys_ns;  /* threads in the kernel (syscalls: recvmsg copy, sendmsg) */
    uint64_t irq_ns;  /* hardirq handlers */
    uint64_t soft_ns; /* softirq, inline or in ksoftirqd (mpstat counts both as %soft) */
    uint64_t idle_ns;
    uint64_t irqs; /* hardirqs taken on this CPU (all vectors) */
    /* /proc/net/softnet_stat columns (net/core/net-procfs.c) */
    uint64_t processed;    /* __netif_receive_skb_core entries on this CPU */
    uint64_t dropped;      /* backlog full / flow limit */
    uint64_t time_squeeze; /* net_rx_action ran out of budget or time */
    uint64_t received_rps; /* RPS IPIs received */
    uint64_t flow_limit_count;
    uint64_t ksoftirqd_ns;               /* part of soft_ns spent in ksoftirqd/N */
    uint64_t softirq_restarts_exhausted; /* __do_softirq handed off to ksoftirqd */
    uint64_t ctx_switches;
    uint64_t migrations_in;
    /* backlog queue lengths at the end of the run (softnet_stat columns 14, 15) */
    uint64_t input_qlen;                /* softnet_data.input_pkt_queue */
    uint64_t process_qlen;              /* softnet_data.process_queue */
    uint64_t softirqs[SIM_NR_SOFTIRQS]; /* /proc/softirqs: each vector handled, bit order */
    uint64_t ipi_cal, ipi_res;          /* CAL (function call) and RES (reschedule) IPIs taken */
    uint64_t loc;                       /* LOC: local timer ticks (kern_local_timer_irqs) */
};

struct sim_queue_result {
    uint64_t packets; /* delivered to the RX ring */
    uint64_t bytes;
    uint64_t drops;   /* rx_missed: ring full */
    uint64_t irqs;    /* MSI-X interrupts of this queue's vector */
    uint64_t polls;   /* napi_poll calls of this queue's NAPI */
    uint64_t flows;   /* distinct flows seen */
    unsigned vector;  /* MSI-X vector serving the queue */
    unsigned irq_cpu; /* CPU the vector's interrupt is delivered to */
};

struct sim_flow_result {
    uint64_t packets;            /* offered by the traffic source */
    uint64_t delivered;          /* reached the socket */
    uint64_t drops;              /* anywhere: ring, backlog, socket */
    uint64_t ooo;                /* delivered behind a later sequence number */
    unsigned rxq;                /* queue of the flow's last packet */
    unsigned cpu;                /* CPU that processed the flow's last packet */
    struct sim_flow_lat latency; /* NIC arrival -> socket enqueue (sim/stats.h) */
};

/* Per-vector interrupt counts per CPU, for the /proc/interrupts layout. */
struct sim_vector_result {
    char name[32];     /* "eth0-TxRx-3", or "eth0" for the other-causes vector */
    unsigned irq;      /* Linux IRQ number shown in the first column */
    uint64_t *per_cpu; /* n_cpus counts (owned by sim_result) */
};

/* One schedulable thread (application threads and ksoftirqd/N). */
struct sim_thread_result {
    char name[24];
    unsigned cpu;           /* CPU it ran on last */
    char policy[8];         /* "other" | "fifo" */
    char *allowed;          /* affinity as a CPU list ("0-3,8"), owned */
    uint64_t migrations[3]; /* by reason: wakeup, balance, affinity (enum cpus_migrate_reason) */
    uint64_t wakeups;
    uint64_t switches_in;
    uint64_t run_ns;     /* its own work incl. refill */
    uint64_t penalty_ns; /* cache refill paid after migrations */
};

/* Request/response workloads (models/app): completed transactions and the time from
 * the request's NIC arrival to the response handed to the TX path. */
struct sim_request_result {
    bool present;
    uint64_t completed;
    struct sim_hist latency;
};

/* Accept-and-hand-off workloads: connections closed, how many had all their work
 * (softirq, accept, session) on one CPU, and hand-offs that crossed CPUs. */
struct sim_conn_result {
    bool present;
    uint64_t total;
    uint64_t one_cpu;
    uint64_t handoffs;           /* acceptor -> session hand-offs */
    uint64_t cross_cpu_handoffs; /* per connection, CPUs beyond the first that worked on it */
};

/* DPDK-style poll-mode receive (models/app/pmd.c): what the lcores did. */
#define SIM_PMD_MAX_LCORES 64
struct sim_pmd_lcore {
    unsigned cpu;
    bool rx;                     /* polls RX queues (else a pipeline worker) */
    uint64_t polls, empty_polls; /* rx_burst (or ring dequeue) calls, those that got nothing */
    uint64_t packets;            /* packets whose work it did (RTC) or it received (pipeline) */
    uint64_t busy_ns, spin_ns;   /* time in calls that got packets / that got none */
};
struct sim_pmd_result {
    bool present;
    bool pipeline;
    unsigned burst, n_lcores;
    uint64_t done;              /* packets whose work was done */
    uint64_t ring_drops;        /* rte_ring_enqueue_burst refused (full ring), freed */
    uint64_t mbuf_alloc_failed; /* rx_mbuf_alloc_failed: ixgbe_rxq_rearm found the pool empty */
    uint64_t busy_ns;           /* all lcores' time in calls that got packets */
    double stlb_miss, tlb_ns_per_touch;
    uint64_t pool_bytes, page_bytes, stlb_entries;
    struct sim_hist latency; /* descriptor write-back -> the packet's work done */
    struct sim_pmd_lcore lcores[SIM_PMD_MAX_LCORES];
};

/* Columns of an mpstat interval row (sim_result.intervals), ns spent in the interval. */
enum {
    SIM_IV_USR,
    SIM_IV_SYS,
    SIM_IV_IRQ,
    SIM_IV_SOFT,
    SIM_IV_IDLE,
    SIM_IV_KSOFTIRQD,
    SIM_IV_COLS
};

struct sim_result {
    double sim_time_s;
    unsigned n_cpus, n_queues, n_flows, n_vectors;
    uint64_t offered, delivered, dropped;
    uint64_t stack_calls; /* netif_receive_skb deliveries after GRO merging */
    uint64_t udp_noports; /* datagrams no socket took (UDP_MIB_NOPORTS), part of dropped */
    struct sim_cpu_result *cpus;
    struct sim_queue_result *queues;
    struct sim_flow_result *flows;
    struct sim_vector_result *vectors;
    struct sim_hist latency;     /* all delivered packets */
    uint64_t napi_poll_hist[65]; /* polls by work done 0..64 (weight) */
    /* the same for eth0's own NAPIs only (no backlog "(no_device)" polls) */
    uint64_t napi_dev_poll_hist[65];
    /* /proc/interrupts chip column of the NIC vectors (irq_chip name of the
     * per-device MSI-X domain); "" = "PCI-MSIX-0000:03:00.0" */
    char irq_chip[32];
    /* Kernel whose procfs layouts the text files mimic, major * 100 + minor;
     * 0 = 612 (Linux 6.12, the reference kernel). Only /proc/interrupts
     * differs between 6.12 and >= 6.13 (counts separator, see report.c). */
    unsigned procfs_kernel;
    /* scheduler (models/sched) */
    unsigned n_threads;
    struct sim_thread_result *threads;
    uint64_t migration_penalty_ns; /* total cache refill charged */
    /* time from the hardirq that raised NET_RX to net_rx_action starting (all CPUs) */
    struct sim_hist softirq_start;
    /* time from net_rx_action re-raising NET_RX with work left to the next run */
    struct sim_hist softirq_resume;
    struct sim_request_result requests;
    struct sim_conn_result connections;
    struct sim_pmd_result pmd;
    /* software steering and TX (RPS/RFS/XPS): eth0's TX queues, RPS IPIs sent,
     * backlog drops, segments delivered out of order (all flows) */
    unsigned n_tx_queues;
    uint64_t *tx_packets; /* per eth0 TX queue (owned by sim_result) */
    uint64_t tx_dropped;  /* ndo_start_xmit refused: TX ring full */
    /* bulk TCP transmit (TSO/GSO, #15 point 3); on = a bulk_sender ran */
    struct {
        bool on;
        uint64_t bytes, skbs, gso_segs, xmits, descs;
        uint64_t frames, wire_payload; /* that left the wire by the end of the run */
    } tx_stream;
    /* XDP (#15 point 2); on = a program on eth0. Verdicts as the driver applied them, the
     * AF_XDP sockets' XDP_STATISTICS and their readers' NIC -> read latency */
    struct {
        bool on, xsk;
        uint64_t drop, pass, tx, redirect, tx_full, redirect_err, aborted;
        uint64_t xsk_rx, xsk_ring_full, xsk_fill_empty, xsk_copied_bytes, xsk_read, xsk_wakeups;
        uint64_t reader_polls;
        struct sim_hist read_latency;
    } xdp;
    bool ipt_raw_drop;      /* iptables raw PREROUTING DROP rule */
    uint64_t ipt_raw_drops; /* its packet counter */
    uint64_t rps_ipis, backlog_drops, ooo;
    uint64_t wake_ipis; /* CAL/RES IPIs sent for remote wake-ups (ttwu_queue) */
    /* The input was only partly used (a cut capture), borrowed; NULL = whole. */
    const char *input_warning;
    /* Where the run came from (scenario file and sha256, seed, engine, --set list),
     * written as summary.json's "provenance"; borrowed, NULL = none. */
    const struct json_t *provenance;
    /* The NIC classifier's state and counters, each stage's as its policy's dump() gives
     * them (a plugin's too), written as summary.json's "classifier" like steer --json;
     * borrowed, NULL = none. */
    const struct json_t *classifier;
    /* `mpstat -P ALL STEP` intervals (run --mpstat-interval-ms), from the same kcpustat as
     * cpus[]: interval i of CPU c is intervals[(c * n_intervals + i) * SIM_IV_COLS ...],
     * ending at min((i + 1) * iv_step_ns, end); the last may be shorter. 0 = none. */
    uint64_t iv_step_ns;
    unsigned n_intervals;
    uint64_t *intervals; /* owned by sim_result */
    char *sysfs;         /* sysfs.txt text (/outputs/sysfs), NULL = not asked; owned */
};

#endif
