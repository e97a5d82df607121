/* One simulated host: traffic in, NIC, driver, kernel, scheduler, sinks,
 * wired to one event queue. The engines (sim/engine.c) only decide who
 * advances it; the model is plain C and deterministic. */
#ifndef NICSTEER_SIM_MACHINE_H
#define NICSTEER_SIM_MACHINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/app/workload.h"
#include "models/kernel/cost.h"
#include "models/kernel/kern.h"
#include "models/kernel/rps_path.h"
#include "models/kernel/xsk.h"
#include "models/nic/steer.h"
#include "models/traffic/pkt.h"
#include "sim/core/result.h"

/* The NIC's queue choice for one packet (classifier output). */
struct sim_rx_choice {
    int queue; /* < 0: dropped by the classifier (Flow Director drop queue) */
    uint32_t hash;
    bool hashed, l4_hash;
};

/* Time-ordered packet source (borrowed): false = no more packets. */
struct sim_source {
    bool (*next)(void *ctx, struct traffic_pkt *p);
    void *ctx;
};

struct sim_steer {
    void (*select)(void *ctx, const struct traffic_pkt *p, struct sim_rx_choice *c);
    void *ctx;
    /* ATR: a frame of the reverse direction left on TX ring txq (optional) */
    void (*observe_tx)(void *ctx, const struct traffic_pkt *p, unsigned txq);
    /* runtime Flow Director perfect filters (aRFS): add -> id or -1, delete by id */
    int (*fdir_add)(void *ctx, const struct traffic_pkt *p, unsigned rxq);
    bool (*fdir_del)(void *ctx, unsigned id);
    /* load feedback (steer_policy_ops.on_load), optional: called every
     * feedback_ns from feedback_ns on, with counters read staleness_ns before
     * (< feedback_ns); load->reta / set_reta are left to the callee */
    void (*on_load)(void *ctx, const struct steer_load *load);
    uint64_t feedback_ns, staleness_ns;
};

/* sched_setaffinity(thread, {cpu}) at at_ns: application thread `thread`
 * (creation order: sink/N, netserver/N, worker/N) moves to `cpu`. */
struct sim_thread_move {
    uint64_t at_ns;
    unsigned thread, cpu;
};

/* Another device interrupting one CPU at a fixed rate (storage, timer): its handler
 * costs hardirq_ns and raises softirq vector `softirq` owing softirq_ns of work. */
#define SIM_MAX_IRQ_SOURCES 8
struct sim_irq_source {
    char name[24];
    unsigned cpu;
    uint64_t period_ns;
    uint32_t hardirq_ns;
    int softirq; /* enum kern_softirq, not NET_RX */
    uint64_t softirq_ns;
};

/* A second NIC (eth1, kernel device 1) on the same host: its own queues, MSI-X
 * vectors (IRQs after eth0's), driver and XPS. It receives nothing from the
 * traffic source: applications transmit on it (kern_sock_sendmsg with dev 1,
 * e.g. a proxy receiving on eth0 and sending on eth1) and its TX write-backs
 * raise its own vectors' interrupts on their CPUs. */
struct sim_nic_b {
    unsigned rx_queues, tx_queues, ring_size, link_mbps;
    int rx_usecs;
    const struct sim_cpumask *affinity; /* per q_vector, NULL = hints */
    unsigned n_affinity;
    const struct sim_cpumask *xps_cpus; /* per TX queue, NULL = none */
};

/* A frame the host was seen transmitting (validation replay): ixgbe_xmit_frame_ring() posts it
 * on eth0's TX ring txq at ts_ns; no simulated socket owns it, so its completion frees nothing. */
struct sim_tx_frame {
    uint64_t ts_ns;
    uint32_t len; /* frame bytes without FCS */
    uint16_t txq;
};

struct sim_machine_cfg {
    unsigned n_cpus;
    uint64_t duration_ns;
    /* NIC + driver */
    unsigned rx_queues, tx_queues, ring_size, link_mbps;
    unsigned msix_vectors; /* the NIC profile's MSI-X table, 0 = 82599 */
    int rx_usecs;          /* 0 off, 1 adaptive, 2..1022 fixed */
    bool gro;
    bool no_tso, no_gso; /* /nic/offloads off (ethtool -K tso/gso off), #15 point 3 */
    const struct sim_cpumask *affinity; /* per q_vector, may be NULL */
    unsigned n_affinity;
    const int *napi_weight; /* per q_vector, may be NULL */
    unsigned n_napi_weight;
    /* kernel */
    struct kern_params kp;
    struct kern_cost cost;
    /* flows and sockets: flow f (0..n_flows-1) -> socket sock_of_flow[f] */
    unsigned n_flows;
    const unsigned *sock_of_flow; /* NULL: one socket per flow */
    unsigned n_socks;
    const unsigned *cpu_of_sock; /* sink thread CPU per socket */
    bool sock_by_cpu; /* SO_REUSEPORT group picking socket[receiving CPU] (reuseport_select_sock) */
    /* RPS/RFS (models/kernel/rps_path.h): rps NULL = off (static key rps_needed) */
    const struct kern_rps_params *rps;
    const struct sim_cpumask *rps_cpus; /* per RX queue (rx-q/rps_cpus), NULL = none */
    const uint64_t *rps_flow_cnt;       /* per RX queue (rx-q/rps_flow_cnt), NULL = 0 */
    /* TX: XPS per TX queue (NULL = the driver's init), Flow Director ATR on, ACKs */
    const struct sim_cpumask *xps_cpus, *xps_rxqs;
    bool atr;
    bool arfs; /* /nic/arfs: the driver's ndo_rx_flow_steer (needs rps, fdir perfect mode) */
    const struct sim_nic_b *nic_b; /* NULL: one NIC */
    /* recorded transmits on eth0, time order (borrowed), merged with the arrivals */
    const struct sim_tx_frame *tx_frames;
    size_t n_tx_frames;
    const struct sim_thread_move *events; /* time order */
    unsigned n_events;
    /* scheduler: tunables and topology (ownership of sched.topology passes to the
     * machine, also on failure); sched.latency_ns == 0 = defaults */
    struct cpus_sched_cfg sched;
    const struct sim_cpumask *thread_affinity; /* app threads' mask; NULL = pinned to their CPU */
    /* workload (models/app/workload.h) and its cfg; NULL = none. A workload with
     * closed-loop clients (client_start) gets the traffic's flows as its clients:
     * each flow's first packet starts its client. */
    const struct app_workload_ops *workload;
    const void *workload_cfg;
    bool no_listener; /* no socket: datagrams end in __udp4_lib_rcv's no-socket path */
    const struct sim_irq_source *irq_sources;
    unsigned n_irq_sources;
    /* CPU-bound threads, one pinned per listed CPU */
    const unsigned *hog_cpus;
    unsigned n_hogs;
    /* XDP and AF_XDP (#15 point 2): /nic/xdp's program on eth0 (xdp false = none), the
     * AF_XDP sockets' ring entries and mode when it redirects; the raw-table DROP rule */
    bool xdp;
    struct kern_xdp_prog xdp_prog;
    unsigned xsk_entries;
    bool xsk_zc;
    bool ipt_raw_drop;
    /* A host of a multi-host run (sim/host/cluster.c): its frames arrive from the links
     * (sim_machine_inject), not from the traffic source, whose first frame per flow only
     * names the connections' headers; no closed-loop clients. wire_out (NULL = none) is
     * told of every frame eth0 (dev 0) or eth1 (dev 1) puts on the wire, headers of its
     * connection reversed, ts_ns = its last bit left the port. steer_b: eth1's RX queue
     * choice (NULL = eth1 receives nothing). */
    bool linked;
    void (*wire_out)(void *ctx, unsigned dev, const struct traffic_pkt *p, uint64_t first_ns);
    void *wire_ctx; /* first_ns: when the frame's first bit left the port */
    const struct sim_steer *steer_b;
};

struct sim_machine;

struct sim_machine *sim_machine_new(const struct sim_machine_cfg *cfg, struct sim_source src,
                                    struct sim_steer steer, GError **err);
void sim_machine_free(struct sim_machine *m);

#define SIM_OWNER_NIC  (-1) /* arrivals (sim_machine_next), requests, balance ticks */
#define SIM_OWNER_DONE (-2)

/* Who owns the next item in (time, seq) order, and its time, running
 * nothing: SIM_OWNER_NIC for pending arrivals, else the event's owner as
 * sim_machine_step_owner gives it; SIM_OWNER_DONE: nothing before the end. */
int sim_machine_next(struct sim_machine *m, uint64_t *t);
/* Run the next item (and, for the NIC, every arrival before the next event).
 * Returns the CPU busy period it started ([*busy_from, *busy_to), ns) if
 * the item was a CPU chunk, so an engine can mirror it; else false. */
bool sim_machine_run_next(struct sim_machine *m, uint64_t *busy_from, uint64_t *busy_to);
/* Advance the NIC over every arrival and IRQ assertion before the next other
 * event (arrivals are exogenous DMA into the rings, an assertion the NIC's MSI-X
 * write: whichever engine actor steps next runs them, keeping the global order),
 * then return the owner of that event and its time: a CPU for its chunk ends
 * (the hardirq an assertion raised among them), its threads' wake-ups and other
 * devices' interrupts on it;
 * SIM_OWNER_NIC for the rest (client requests, balance ticks, thread moves);
 * SIM_OWNER_DONE when nothing is left before the end. The event is then run
 * by sim_machine_run_next. */
int sim_machine_step_owner(struct sim_machine *m, uint64_t *t);
/* Run everything before `t` (window engine). */
void sim_machine_run_until(struct sim_machine *m, uint64_t t);
uint64_t sim_machine_end(const struct sim_machine *m);
/* When CPU `cpu` next has something to do (its armed chunk end or kick),
 * false if it is idle with nothing scheduled. */
bool sim_machine_cpu_due(const struct sim_machine *m, unsigned cpu, uint64_t *t);
unsigned sim_machine_n_cpus(const struct sim_machine *m);
uint64_t sim_machine_offered(const struct sim_machine *m);
/* Recorded transmits (cfg.tx_frames) posted so far, and those refused by a full TX ring. */
uint64_t sim_machine_tx_posted(const struct sim_machine *m);
uint64_t sim_machine_tx_ring_full(const struct sim_machine *m);

/* A frame reaches NIC `dev` (0 eth0, 1 eth1) from a link at p->ts_ns (>= every earlier
 * injection on that dev, and after the machine's time): it then takes the host's whole
 * receive path (classifier, ring, IRQ, NAPI...). Linked machines only. */
void sim_machine_inject(struct sim_machine *m, unsigned dev, const struct traffic_pkt *p);
/* Frames injected, those that reached the NIC before the end (the rest were still on the
 * cable), and those refused on arrival (classifier drop queue, ring full), per dev. */
uint64_t sim_machine_injected(const struct sim_machine *m, unsigned dev);
uint64_t sim_machine_inject_arrived(const struct sim_machine *m, unsigned dev);
uint64_t sim_machine_inject_drops(const struct sim_machine *m, unsigned dev);

/* Fill a result (new arrays owned by `r`; free with sim_result_clear). */
void sim_machine_result(struct sim_machine *m, struct sim_result *r);
/* Snapshot every CPU's accounting each step_ns of simulated time (mpstat -P ALL STEP)
 * into the result's intervals; 0 = off. Before running. False (err set) when the samples
 * times the CPUs exceed SIM_MACHINE_MAX_IV_ROWS. */
#define SIM_MACHINE_MAX_IV_ROWS 4000000u /* samples x CPUs (~200 MB of snapshots and text) */
bool sim_machine_set_intervals(struct sim_machine *m, uint64_t step_ns, GError **err);
/* Also write sysfs.txt (/outputs/sysfs): eth0's rps_cpus, rps_flow_cnt, xps_cpus, xps_rxqs
 * per queue and /proc/irq/N/smp_affinity[_list], effective_affinity[_list] per vector, as
 * `grep -H .` prints those files (machine_sysfs.c). */
void sim_machine_set_sysfs(struct sim_machine *m, bool on);
/* Attach an observer of CPU slices and NAPI polls (the timeline) before running. */
void sim_machine_observe(struct sim_machine *m, const struct kern_observer *obs);
void sim_result_clear(struct sim_result *r);

#endif
