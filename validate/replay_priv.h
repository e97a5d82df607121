/* What the replay (replay.c: the event loop, the pcap <-> trace join and the
 * model's receive path) shares with its comparisons (cmp_*.c). A comparison is
 * one file and one line of replay.c's table: setup before the trace, on_event
 * for every traced event in order, finish once the trace is read, each filling
 * its part of the report. */
#ifndef NICSTEER_VALIDATE_REPLAY_PRIV_H
#define NICSTEER_VALIDATE_REPLAY_PRIV_H

#include <jansson.h>

#include "models/kernel/backlog.h"
#include "models/kernel/rfs.h"
#include "models/kernel/rps.h"
#include "models/kernel/xps.h"
#include "models/nic/ethtool_x.h"
#include "models/nic/toeplitz.h"
#include "models/traffic/pcap_src.h"
#include "models/traffic/pkt.h"
#include "sim/core/cpumask.h"
#include "sim/core/err.h"
#include "validate/bundle.h"
#include "validate/irq_model.h"
#include "validate/match.h"
#include "validate/replay.h"
#include "validate/softirq_model.h"
#include "validate/trace.h"
#include "validate/wake_model.h"

#define NET_RX_SOFTIRQ 3 /* include/linux/interrupt.h */

struct pcap_rec {
    uint64_t no; /* 1-based packet number in the pcap */
    struct traffic_pkt pkt;
};

/* A device seen in the trace and its RPS/RFS configuration (NULL rps: no sysfs maps). */
struct dev_model {
    char name[VAL_DEV_LEN];
    struct kern_rps_dev *rps;
    bool steering; /* some rx queue has an RPS map or an RFS table */
    bool is_rx;
};

/* A receive entry waiting for its netif_receive_skb (keyed by skbaddr). */
struct inflight {
    uint64_t line;
    bool has_pkt; /* its pcap frame joined (copied: the pcap window moves on) */
    struct pcap_rec pr;
    int32_t model_cpu;   /* -1: dropped by the model backlog */
    int32_t backlog_cpu; /* model backlog holding it, -1 none */
    uint32_t hash;
    bool rx_dev;
};

/* A connected TCP receiving socket: its flow's sk_rxhash feeds the RFS table on each read. */
struct tcp_sock {
    int fd;
    uint8_t l3;
    uint8_t addr[16];
    uint16_t port;
    uint32_t rxhash; /* sock_rps_save_rxhash(): hash of the flow's last processed packet */
};

/* A transmit seen only as net_dev_xmit (no queue recorded): its queue is chosen later. */
struct hw_xmit {
    uint64_t ts_ns; /* pcap clock */
    uint32_t len;
    int32_t cpu;
    bool has_pkt; /* its outgoing pcap frame joined */
    struct traffic_pkt pkt;
};

struct replay {
    const struct val_replay_opts *o;
    struct val_bundle *b;
    struct val_report *r;
    json_t *cfg;
    int ncpus;
    struct sim_cpumask online; /* CPUs 0..ncpus-1 (cpu_online_mask) */
    /* The pcap is read twice: once for its counts (and the offset probe), then alongside the
     * trace, keeping only the frames a receive entry can still reach (the join window). */
    GArray *pcap;            /* struct pcap_rec: frames pcap_base.. in capture order */
    uint64_t pcap_base;      /* 0-based capture index of pcap[0]; join candidates by index */
    struct traffic_pcap *pc; /* second pass */
    bool pc_pending;         /* pc_next read, not yet in the window */
    struct pcap_rec pc_next;
    uint64_t pc_max_ts;    /* latest pcap stamp read */
    uint64_t pc_late;      /* frames stamped more than the slack before pc_max_ts */
    uint64_t trace_max_ts; /* latest trace stamp seen */
    uint8_t me_l3, me[16]; /* receiver address: its frames are outgoing */
    bool have_me;
    struct val_match *match;
    GPtrArray *devs; /* struct dev_model* */
    struct kern_sock_flow_table *sft;
    struct kern_backlog *bl;
    uint32_t *dequeued;         /* per CPU: model backlog dequeues since its last poll */
    uint64_t *backlog_model;    /* per CPU: packets waiting for the replayed backlog NAPI */
    uint64_t *softirq_start;    /* per CPU: NET_RX softirq_entry time + 1, 0 outside */
    bool *softirq_in_ksoftirqd; /* per CPU: the open NET_RX run is in ksoftirqd/N */
    GHashTable *inflight;       /* skbaddr -> struct inflight* */
    /* net:netif_rx is traced: each CPU's netif_rx_entry waits here for it, the moment
     * netif_rx_internal() goes on to get_rps_cpu() + enqueue_to_backlog(); NULL otherwise */
    struct val_trace_event *rx_stash;
    bool *rx_stash_set;
    /* per CPU: when the backlog poll of the NET_RX run that began there starts (trace ns; 0
     * none): softirq_entry + the priced handle_softirqs() pass and net_rx_action() preamble */
    uint64_t *poll_start_at;
    unsigned n_poll_start; /* CPUs with one pending */
    GHashTable *irq_names; /* irq_handler_entry name -> count */
    GArray *tcp;           /* struct tcp_sock */
    struct nic_ethtool_x *ethx;
    const struct nic_ethtool_x_table *reta; /* context 0 table with key, toeplitz mode */
    struct nic_toeplitz *tz;
    void *atr;                  /* Flow Director signature filters learnt from TX (ixgbe ATR) */
    struct val_match *tx_match; /* outgoing pcap frames by (time, frame length) */
    GArray *tx_pkts;            /* struct traffic_pkt: every outgoing frame, capture order */
    GArray *in_ts, *in_len;     /* offset probe: incoming frames' pcap stamp (ns), frame - 14 */
    /* veth: the sender's TX queue is the receiver's RX queue (veth_xmit keeps the skb). */
    struct kern_xps_dev xps; /* sender device: queues + xps_cpus maps */
    struct kern_xps_maps *xps_cpus;
    bool xps_model;           /* sender on this host and its xmits traced */
    GHashTable *sender_xmit;  /* skbaddr -> (cpu << 16 | queue) + 1 of its start_xmit */
    GHashTable *sender_socks; /* GBytes flow key -> struct kern_xps_sock* */
    int weight, budget;
    uint64_t hash0, no_cpu;
    uint64_t pcap_vlan;   /* incoming frames with a VLAN tag */
    uint64_t udp_l4_hash; /* UDP packets whose trace hash is the 4-tuple Toeplitz hash */
    uint64_t n_receive_skb, n_napi_poll, n_softirq, n_syscall, n_wakeup; /* events of kinds */
    struct val_nrx_model *nrx;        /* NET_RX run durations priced by the cost model */
    GArray *hw_pkts;                  /* struct val_irq_pkt: matched rx_dev packets, pcap stamps */
    uint64_t hw_q_recorded, hw_q_rss; /* where their RX queue came from */
    int64_t pcap_off;                 /* pcap (realtime) stamp - trace time */
    GArray *hw_tx;                    /* struct val_irq_tx: rx_dev start_xmits, pcap clock */
    GArray *hw_xmit;                  /* struct hw_xmit: rx_dev net_dev_xmit rc 0 */
    uint64_t *last_start;             /* per CPU: skbaddr of its last rx_dev start_xmit */
    guint *last_start_idx;            /* per CPU: its hw_tx index + 1, 0 none */
    struct val_wake_model *wake;      /* receiver wake placement; NULL without listed threads */
};

/* One comparison of the model with the trace; every slot optional. */
struct val_cmp {
    const char *name;
    bool (*setup)(struct replay *p, GError **err);
    void (*on_event)(struct replay *p, const struct val_trace_event *ev);
    void (*finish)(struct replay *p);
};

extern const struct val_cmp val_cmp_rxq;     /* cmp_rxq.c: RSS hash + RETA + ATR queue */
extern const struct val_cmp val_cmp_txq;     /* cmp_txq.c: veth sender's TX queue (XPS) */
extern const struct val_cmp val_cmp_softirq; /* cmp_softirq.c: NET_RX run time, backlog polls */
extern const struct val_cmp val_cmp_wake;    /* cmp_wake.c: receiver wake-up placement */
extern const struct val_cmp val_cmp_irq;     /* cmp_irq.c: IRQs per vector, NIC/ITR replay */
extern const struct val_cmp val_cmp_backlog; /* cmp_backlog.c: drops, time_squeeze */

/* cmp_backlog.c: the backlog poll net_rx_action() made in one traced NET_RX run of cpu
 * (softirq_entry at entry_ns, exit at exit_ns) and whether it punted (time_squeeze). */
void val_backlog_net_rx_run(struct replay *p, int cpu, uint64_t entry_ns, uint64_t exit_ns);

/* The pcap frame of capture index idx, in the join window. */
const struct pcap_rec *val_replay_pcap_at(const struct replay *p, int64_t idx);
/* "ip" or "ip6" text as an L3 family (4 or 6) and address (replay.c). */
bool val_replay_parse_addr(const char *s, uint8_t *l3, uint8_t addr[16]);

/* The pcap <-> trace join (join.c). build_matches: scan the pcap (counts, the offset
 * probe), estimate the trace-clock offset, open the streaming join. */
bool val_join_build_matches(struct replay *p, GError **err);
/* The trace reached time t: take in frames up to t + window + slack, forget older ones. */
void val_join_advance(struct replay *p, uint64_t t);
/* After the trace: keep the remaining outgoing frames (the IRQ model's transmits). */
void val_join_drain(struct replay *p);

/* Per matched packet of the receiving device, from the receive path in trace order. */
int32_t val_cmp_rxq_packet(struct replay *p, const struct val_trace_event *ev,
                           const struct pcap_rec *pr); /* the model's RX queue, -1 unknown */
void val_cmp_txq_packet(struct replay *p, const struct val_trace_event *ev,
                        const struct pcap_rec *pr);
void val_cmp_irq_keep_pkt(struct replay *p, const struct val_trace_event *ev,
                          const struct pcap_rec *pr, int32_t rss_q);
/* The flow's sending socket on the veth sender (its cached TX queue). */
struct kern_xps_sock *val_replay_sender_sock(struct replay *p, const struct traffic_pkt *pk);

#endif
