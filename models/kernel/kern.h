/* The simulated kernel of one host: per-CPU hardirq/softirq context,
 * NAPI + net_rx_action + GRO (net/core/dev.c, net/core/gro.c), softirq
 * (kernel/softirq.c), protocol delivery to socket receive queues. Linux 6.12.
 * Time: `now` is the cursor of the CPU currently executing; every charged
 * cost advances it, so per-packet timestamps inside a batch are computed. */
#ifndef NICSTEER_KERN_KERN_H
#define NICSTEER_KERN_KERN_H

#include <glib.h>
#include <netinet/in.h> /* IPPROTO_TCP, IPPROTO_UDP: kern_skb.l4 */
#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/cost.h"
#include "models/sched/cpus.h"
#include "sim/core/result.h"

enum kern_softirq { /* bit order of include/linux/interrupt.h */
                    HI_SOFTIRQ = 0,
                    TIMER_SOFTIRQ,
                    NET_TX_SOFTIRQ,
                    NET_RX_SOFTIRQ,
                    BLOCK_SOFTIRQ,
                    IRQ_POLL_SOFTIRQ,
                    TASKLET_SOFTIRQ,
                    SCHED_SOFTIRQ,
                    HRTIMER_SOFTIRQ,
                    RCU_SOFTIRQ,
                    NR_SOFTIRQS
};

#define KERN_MAX_SOFTIRQ_RESTART 10    /* MAX_SOFTIRQ_RESTART, kernel/softirq.c */
#define KERN_GRO_HASH_BUCKETS    8     /* GRO_HASH_BUCKETS, include/net/gro.h */
#define KERN_MAX_GRO_SKBS        8     /* MAX_GRO_SKBS */
#define KERN_GRO_MAX_SIZE        65536 /* GRO_LEGACY_MAX_SIZE */
#define KERN_SKB_MAX_SEGS        64    /* model cap on segments merged into one skb */
#define KERN_MAX_SKB_FRAGS       17    /* MAX_SKB_FRAGS: 65536 / PAGE_SIZE + 1, 4 KB pages */
#define KERN_MAX_IRQS            64
#define KERN_SKB_TRUESIZE        2304 /* half-page RX buffer (2048) + struct sk_buff */

enum kern_acct { KERN_USR, KERN_SYS, KERN_IRQ, KERN_SOFT, KERN_NACCT };

/* The fields of struct sk_buff the model follows. Segments keep their NIC
 * arrival times so latency is measured per packet even after GRO. */
struct kern_skb {
    uint32_t flow;
    uint32_t len;      /* bytes: headers + all segments' payload */
    uint32_t payload;  /* L4 payload bytes */
    uint32_t seq_next; /* TCP: sequence number after the last merged byte */
    uint32_t hash;     /* skb->hash */
    uint32_t jiffy;    /* jiffies when GRO started holding it (NAPI_GRO_CB age) */
    uint16_t segs;
    uint16_t queue; /* RX queue (skb_record_rx_queue) */
    uint8_t dev;    /* receiving device (index of the NIC: eth0 = 0) */
    uint8_t l4;
    uint8_t l4_hash;
    uint16_t alloc_cpu;             /* skb->alloc_cpu: the CPU whose NAPI poll built it (gro.c) */
    uint64_t ts[KERN_SKB_MAX_SEGS]; /* NIC arrival time of each segment, ns */
};

struct kern_gro_bucket {
    struct kern_skb held[KERN_MAX_GRO_SKBS]; /* oldest first */
    unsigned count;
};

#define NAPI_STATE_SCHED        (1u << 0)
#define NAPI_STATE_MISSED       (1u << 1)
#define NAPI_STATE_IN_BUSY_POLL (1u << 2) /* a busy-polling thread owns the NAPI */
#define KERN_BUSY_POLL_BUDGET   8         /* BUSY_POLL_BUDGET, net/core/dev.c */

struct kern_host;

/* struct napi_struct (include/linux/netdevice.h). */
struct napi_struct {
    struct napi_struct *poll_next; /* poll_list linkage */
    bool on_list;
    unsigned state;
    int weight;
    int (*poll)(struct napi_struct *n, int budget);
    void *priv; /* driver's q_vector */
    unsigned id;
    const char *name; /* timeline label: "eth0-TxRx-3", "(no_device)" for the backlog */
    struct kern_host *host;
    bool gro_enabled;   /* NETIF_F_GRO */
    unsigned gro_count; /* held skbs */
    struct kern_gro_bucket gro_hash[KERN_GRO_HASH_BUCKETS];
    struct kern_skb rx_list[8]; /* gro_normal list (rx_list / rx_count) */
    unsigned rx_skbs;
    unsigned rx_count; /* segments in rx_list */
    uint64_t polls;
    /* hard IRQ deferral (napi_complete_done, net/core/dev.c): polls left before the
     * IRQ is re-enabled, and n->timer (napi_watchdog), UINT64_MAX = not armed */
    uint32_t defer_hard_irqs_count;
    uint64_t timer_at;
    unsigned timer_cpu;
    struct napi_struct *timer_next; /* the CPU's armed NAPI timers */
    uint64_t watchdog_fires;        /* napi_watchdog scheduled it */
};

struct kern_napi_list {
    struct napi_struct *head, *tail;
};

/* Socket receive queue (sk_receive_queue, sk_rmem_alloc vs sk_rcvbuf). */
struct kern_sock_ent {
    uint64_t ts; /* ns: enqueued (visible to the reader from then on) */
    uint32_t payload;
    uint32_t truesize;
    uint32_t flow;      /* sender (the 4-tuple the application sees in recvfrom) */
    uint32_t cpu;       /* CPU whose softirq queued it (its lines are in that CPU's cache) */
    uint32_t next;      /* next skb of the same queue in the host's pool (the skb list's ->next) */
    uint16_t alloc_cpu; /* skb->alloc_cpu: where recvmsg's free defers it (skb_defer.c) */
    uint8_t tcp;        /* freed by tcp_recvmsg (tcp_eat_recv_skb) */
};

/* The queue's skbs are linked through the host's pool of skb slots (kern_sock_ent),
 * so an idle socket holds no slots, as an empty sk_receive_queue holds no skbs. */
struct kern_sock {
    uint32_t qhead, qtail;       /* pool slots; valid when count > 0 */
    uint64_t head_ts;            /* ts of the head skb, UINT64_MAX when empty */
    unsigned cap, count;         /* cap: skbs that fit in rcvbuf (rmem is checked before adding) */
    uint32_t rmem_alloc, rcvbuf; /* bytes */
    uint64_t enqueued, drops;
    struct cpus_thread *reader; /* the blocked reader to wake, or NULL */
    uint32_t rxhash; /* sk_rxhash: skb->hash of the last skb queued (sock_rps_save_rxhash) */
    uint8_t l4;      /* protocol of what it received (IPPROTO_TCP/UDP), 0 none yet */
    /* Optional wait-queue owner (applications with several waiters per socket):
     * called from sk_data_ready instead of waking `reader`. */
    void (*data_ready)(void *ctx, struct kern_sock *sk);
    void *data_ready_ctx;
    /* TX side (models/kernel/tx.c): sk_tx_queue_mapping, sk_rx_queue_mapping, sk_txhash,
     * skbs still on a TX ring (sk_wmem_alloc > 0 means ooo_okay is false) */
    int tx_queue, rx_queue;
    uint32_t txhash;
    uint32_t tx_inflight;
    /* sk_page_frag offset of the next payload byte tcp_sendmsg copies (TSO/GSO, tcp_stream.c) */
    uint32_t tx_page_off;
    /* bytes copied into the write queue's tail skb, not sent yet (< one size goal) */
    uint32_t tx_queued;
    /* bytes of a GSO skb whose remaining segments wait for ring room (dev_requeue_skb) */
    uint32_t tx_gso_left;
    uint32_t last_flow; /* flow of the last skb queued (the connection a reply goes to) */
    /* Optional sk_write_space owner: called when a TX completion frees one of the
     * socket's skbs (sock_wfree -> sk_write_space; MSG_ZEROCOPY completions alike). */
    void (*write_space)(void *ctx, struct kern_sock *sk);
    void *write_space_ctx;
};

/* Tunables (net/core/hotdata.c, sysctl_net_core.c), HZ. */
struct kern_params {
    unsigned kernel_version;      /* release whose behaviour is modelled (kversion.h) */
    unsigned hz;                  /* CONFIG_HZ */
    int netdev_budget;            /* default 300 */
    unsigned netdev_budget_usecs; /* default 2 * USEC_PER_SEC / HZ */
    unsigned gro_normal_batch;    /* default 8 */
    uint32_t rmem_default;        /* net.core.rmem_default, bytes (212992) */
    uint64_t sched_slice_ns;      /* run-queue round-robin slice */
    /* /sys/class/net/DEV/napi_defer_hard_irqs and gro_flush_timeout (ns), every device's
     * NAPIs alike; 0 and 0 = off (napi_complete_done re-enables the IRQ at once) */
    uint32_t napi_defer_hard_irqs;
    uint64_t gro_flush_timeout_ns;
    /* irq_suspend_timeout (netdev-genl napi-set, 6.13+), ns; 0 = off */
    uint64_t irq_suspend_timeout_ns;
    uint64_t seed; /* the run's seed: the kernel's own random streams */
};

void kern_params_defaults(struct kern_params *p);

/* irqreturn_t of a handler (include/linux/irqreturn.h): IRQ_NONE when the
 * device did not raise it, counted as unhandled (note_interrupt()). */
enum { KERN_IRQ_NONE = 0, KERN_IRQ_HANDLED = 1 };
typedef int (*kern_irq_handler_t)(int irq, void *dev);

/* Callbacks into the engine (what the model cannot do alone: time). */
struct kern_ops {
    void (*kick_cpu)(void *ctx, unsigned cpu, uint64_t at); /* something to run at `at` */
    void (*wake_at)(void *ctx, struct cpus_thread *t, uint64_t at);
    void *ctx;
    /* Optional: the CPU sits in the idle loop (a C-state), so an interrupt to it first
     * waits out idle_exit_ns. NULL = never idle. */
    bool (*cpu_idle)(void *ctx, unsigned cpu);
    /* Optional (needed once an hrtimer is armed, e.g. gro_flush_timeout): call
     * kern_hrtimer_expire(cpu, at) at `at`. */
    void (*timer_at)(void *ctx, unsigned cpu, uint64_t at);
};

struct kern_host;
struct kern_rps_path;

struct kern_host *kern_host_new(unsigned n_cpus, const struct kern_params *p,
                                const struct kern_cost *c, const struct kern_ops *ops);
void kern_host_free(struct kern_host *h);

/* Where the executing CPU is (cursor and id). */
uint64_t kern_now(const struct kern_host *h);
unsigned kern_smp_processor_id(const struct kern_host *h);
unsigned long kern_jiffies(const struct kern_host *h);
const struct kern_cost *kern_costs(const struct kern_host *h);
const struct kern_params *kern_params(const struct kern_host *h);
struct cpus_sched *kern_sched(struct kern_host *h);
/* Spend `ns` on the executing CPU in its current context (advances now). */
void kern_charge(struct kern_host *h, uint64_t ns);
/* Spend `ns` of user-mode time (a thread's own work). */
void kern_charge_user(struct kern_host *h, uint64_t ns);

/* --- IRQs (kernel/irq) --- */
bool kern_request_irq(struct kern_host *h, unsigned irq, kern_irq_handler_t handler,
                      const char *name, void *dev);
/* The MSI-X message (or IPI) for `irq` reached `cpu` at `at` (sets the pending bit); an
 * idle CPU (kern_ops.cpu_idle) runs it idle_exit_ns later. */
void kern_irq_deliver(struct kern_host *h, unsigned cpu, unsigned irq, uint64_t at);
/* kern_irq_deliver() at a time that already includes any C-state exit. */
void kern_irq_raise(struct kern_host *h, unsigned cpu, unsigned irq, uint64_t at);

/* --- CPU execution --- */
/* Run the next chunk on `cpu` starting at `now` (hardirq > softirq > thread).
 * Returns the chunk's end; == now when the CPU has gone idle. */
uint64_t kern_cpu_step(struct kern_host *h, unsigned cpu, uint64_t now);
/* Stop accounting at `end` (simulation end). */
void kern_set_end(struct kern_host *h, uint64_t end_ns);
/* `mpstat -P ALL STEP` reads /proc/stat's kcpustat at every STEP: snapshot each CPU's
 * accounting (acct[] then ksoftirqd_ns, KERN_IV_COLS ns) at every multiple of step_ns
 * before the end (kern_set_end() first; step 0 = off). A charge that straddles a
 * boundary is split there, so the intervals add up to the totals exactly. */
#define KERN_IV_COLS (KERN_NACCT + 1)
void kern_set_intervals(struct kern_host *h, uint64_t step_ns);
/* After the run: the boundaries (row i = cumulative ns at (i + 1) * step, KERN_IV_COLS
 * each) of `cpu`, those it idled through filled in; returns their count (0 = off). */
unsigned kern_intervals(struct kern_host *h, unsigned cpu, const uint64_t **rows);

/* --- softirq (kernel/softirq.c) --- */
void kern_raise_softirq_irqoff(struct kern_host *h, unsigned nr);
/* A device's handler raises softirq `nr` (not NET_RX) owing `ns` of work to its
 * action (e.g. BLOCK_SOFTIRQ completions of a storage device). */
void kern_raise_softirq_work(struct kern_host *h, unsigned nr, uint64_t ns);
/* Time from the hardirq raising NET_RX (its MSI arrival) to net_rx_action starting. */
const struct sim_hist *kern_softirq_start_hist(const struct kern_host *h);
/* Time from net_rx_action re-raising NET_RX with work left (budget or time exhausted)
 * to the next net_rx_action: how long a backlogged queue waits for softirq time. */
const struct sim_hist *kern_softirq_resume_hist(const struct kern_host *h);
uint32_t kern_softirq_pending(const struct kern_host *h, unsigned cpu);
/* msecs_to_jiffies(2): MAX_SOFTIRQ_TIME for the configured HZ. */
unsigned long kern_max_softirq_time(unsigned hz);
unsigned long kern_usecs_to_jiffies(unsigned long us, unsigned hz);

/* --- NAPI (net/core/dev.c) --- */
void kern_netif_napi_add(struct kern_host *h, struct napi_struct *n,
                         int (*poll)(struct napi_struct *, int), int weight, void *priv);
void kern_napi_schedule(struct napi_struct *n);
/* net_rx_action()'s punt test after each napi_poll(): the round's netdev_budget is spent
 * (budget_left <= 0) or its netdev_budget_usecs window is over (time_after_eq(jiffies,
 * time_limit)); a punt counts softnet_data.time_squeeze. */
bool kern_net_rx_punt(int budget_left, unsigned long jiffies, unsigned long time_limit);
bool kern_napi_complete_done(struct napi_struct *n, int work_done);
/* The engine's timer_at call: hrtimer_interrupt (the local APIC timer, slot KERN_IRQ_HRTIMER)
 * is raised on `cpu` at `at` when one of its NAPI timers has expired by then. */
void kern_hrtimer_expire(struct kern_host *h, unsigned cpu, uint64_t at);
void kern_napi_gro_receive(struct napi_struct *n, const struct kern_skb *skb);
/* napi_build_skb() (__napi_build_skb from the NAPI's skb cache): the skb the driver fills
 * next, built where gro_normal_one() would put it on the NAPI's gro_normal list, so that
 * an skb GRO does not hold is handed on without a copy. Valid until the next GRO call. */
struct kern_skb *kern_napi_build_skb(struct napi_struct *n);
/* kern_napi_gro_receive() after `drv_ns` of the driver's own per-descriptor work, charged
 * with GRO's per-packet cost as one account (the same sums, kern_charge2_inl). */
void kern_napi_gro_receive_after(struct napi_struct *n, const struct kern_skb *skb,
                                 uint64_t drv_ns);
/* Segments skb_gro_receive() merges into one skb on that release (kversion.h): 17
 * (MAX_SKB_FRAGS) before 3.19, else the 64 KB limit decides. */
unsigned kern_gro_max_segs(unsigned kernel_version);
/* One napi_busy_loop() iteration by the running thread: own the NAPI (SCHED +
 * IN_BUSY_POLL, so the driver's napi_complete_done keeps its IRQ masked), poll it with
 * BUSY_POLL_BUDGET, push GRO'd skbs up. Returns the work done, -1 when softirq owns it. */
int kern_napi_busy_poll(struct napi_struct *n);
/* busy_poll_stop() with prefer_busy_poll (net/core/dev.c, 6.13): the thread gives the NAPI
 * back; defer_hard_irqs_count is reloaded and, with a timeout (irq_suspend_timeout, else
 * gro_flush_timeout), n->timer is armed and the IRQ stays masked; otherwise the NAPI is
 * scheduled so that softirq's napi_complete_done re-enables the IRQ. */
void kern_napi_busy_poll_stop(struct napi_struct *n);
/* napi_resume_irqs() (6.13): epoll found no events after its busy poll; with
 * irq_suspend_timeout set, the NAPI is scheduled so its poll ends the suspension. */
void kern_napi_resume_irqs(struct napi_struct *n);

/* --- protocol + sockets --- */
/* One socket per flow id slot: flows[f] -> socket sock_of_flow[f]. */
void kern_sockets_init(struct kern_host *h, unsigned n_socks, const unsigned *sock_of_flow,
                       unsigned n_flows, uint32_t rcvbuf);
struct kern_sock *kern_sock(struct kern_host *h, unsigned s);
/* The sockets form one SO_REUSEPORT group whose classic BPF program returns
 * SKF_AD_CPU (SO_ATTACH_REUSEPORT_CBPF, as the selftest reuseport_bpf_cpu): each
 * skb goes to socket[CPU running the stack]; net/core/sock_reuseport.c. */
void kern_sockets_reuseport_cpu(struct kern_host *h);
/* Nothing listens on the flows' ports: every datagram ends in __udp4_lib_rcv()'s
 * no-socket path (UDP_MIB_NOPORTS, then kfree_skb). */
void kern_sockets_no_listener(struct kern_host *h);
/* iptables -t raw -A PREROUTING -j DROP: every skb the stack gets is dropped at the
 * PRE_ROUTING hook after ip_rcv_core (sock.c); the drops (the rule's packet counter). */
void kern_iptables_raw_drop(struct kern_host *h);
uint64_t kern_ipt_raw_drops(const struct kern_host *h);
/* Datagrams dropped for want of a socket (netstat -su "packets to unknown port"). */
uint64_t kern_udp_noports(const struct kern_host *h);
/* reuseport_select_sock() with that program: socks[cpu], or, when the program's
 * index is out of range (run_bpf_filter returns NULL), the flow's hash choice. */
unsigned kern_reuseport_select_sock(unsigned cpu, unsigned n_socks, unsigned by_hash);
void kern_set_flow_results(struct kern_host *h, struct sim_flow_result *flows);
/* Latency of every packet delivered to a socket (exact histogram). */
const struct sim_hist *kern_latency_hist(const struct kern_host *h);

/* Observers for the timeline output (sim/host/timeline.c), both optional. A slice
 * is CPU time accounted to one context; `label` names the IRQ ("eth0-TxRx-0"),
 * the softirq vector ("NET_RX") or the thread ("sink/3"), and stays valid for
 * the host's lifetime. A NAPI poll is reported once it returns. */
struct kern_slice {
    unsigned cpu;
    enum kern_acct what;
    bool ksoftirqd; /* softirq time run by ksoftirqd/N rather than at irq_exit */
    uint64_t from, to;
    const char *label;
};
/* Queue lengths the timeline draws as counter tracks; the observer gets each change as a
 * delta at the time it happens (emission order is not time order across CPUs). */
enum kern_counter {
    KERN_CTR_RX_RING, /* RX descriptors written back, not yet cleaned; index = dev << 16 | queue */
    KERN_CTR_BACKLOG, /* skbs on a CPU's input_pkt_queue + process_queue; index = CPU */
};
struct kern_observer {
    void (*slice)(void *ctx, const struct kern_slice *s);
    void (*napi_poll)(void *ctx, unsigned cpu, const struct napi_struct *n, uint64_t from,
                      uint64_t to, int work);
    /* Optional, the kernel's tracepoints: irq:softirq_raise (`hardirq`: raised by an
     * interrupt handler), irq:softirq_entry, and sched:sched_wakeup of a sleeping thread by
     * the code running on `cpu` (comm: the thread's slice label). */
    void (*softirq_raise)(void *ctx, unsigned cpu, unsigned nr, uint64_t at, bool hardirq);
    void (*softirq_entry)(void *ctx, unsigned cpu, unsigned nr, uint64_t at);
    void (*wakeup)(void *ctx, unsigned cpu, uint64_t at, const char *comm);
    /* Optional: counter `c` of `index` moved by `delta` at `at`. */
    void (*counter)(void *ctx, enum kern_counter c, unsigned index, uint64_t at, int delta);
    void *ctx;
};
void kern_set_observer(struct kern_host *h, const struct kern_observer *obs);
/* The host's observer slots, at an address stable for the host's lifetime: the device
 * model and the driver test `->counter` per packet without a call. */
const struct kern_observer *kern_observer_slots(const struct kern_host *h);
/* recvmsg() of one skb by the running thread: returns false (nothing
 * visible yet) or true with *payload filled; charges syscall + copy. */
bool kern_sock_recvmsg(struct kern_host *h, struct kern_sock *sk, uint32_t *payload);
/* sk_wait_data(): the running thread `t` blocks until data is queued (an
 * entry already queued for a later time wakes it then). */
void kern_sock_wait(struct kern_host *h, struct kern_sock *sk, struct cpus_thread *t);
/* recvmsg() that also names the sender flow. */
bool kern_sock_recvmsg_flow(struct kern_host *h, struct kern_sock *sk, uint32_t *payload,
                            uint32_t *flow);
/* Time the queue head becomes visible (UINT64_MAX: empty). */
uint64_t kern_sock_head_ts(const struct kern_sock *sk);
/* try_to_wake_up() of `t` by the running code now (charges the waker's cost), or at a
 * later time `at` without cost (the waker's batch ends then). */
void kern_wake_up(struct kern_host *h, struct cpus_thread *t);
void kern_wake_up_at(struct kern_host *h, struct cpus_thread *t, uint64_t at);

/* --- results --- */
struct kern_cpu_stats {
    uint64_t acct[KERN_NACCT]; /* ns */
    uint64_t ksoftirqd_ns;
    uint64_t irqs;
    uint64_t processed, dropped, time_squeeze, received_rps;
    uint64_t softirq_restarts_exhausted;
    uint64_t ctx_switches;
    uint64_t softirqs[NR_SOFTIRQS]; /* /proc/softirqs: vectors handled (kstat_incr_softirqs) */
    uint64_t ticks;                 /* LOC of the closed busy periods (kern_local_timer_irqs) */
};
const struct kern_cpu_stats *kern_cpu_stats(const struct kern_host *h, unsigned cpu);
/* /proc/interrupts LOC (local APIC timer) of `cpu` up to the end of the run: the jiffy
 * boundaries (k * NSEC_PER_SEC / HZ, k >= 1) at which a task was current there. Derived
 * from the simulated schedule, not simulated: the tick (tick_sched_timer) costs nothing
 * here, and an idle CPU is taken to have stopped it (NO_HZ_IDLE, the governor stopping
 * the tick: tick_nohz_idle_stop_tick; a governor keeping it for a short idle,
 * tick_nohz_idle_retain_tick, is not modelled, nor are other hrtimers). */
uint64_t kern_local_timer_irqs(const struct kern_host *h, unsigned cpu);
uint64_t kern_irq_count(const struct kern_host *h, unsigned irq, unsigned cpu);
/* Interrupts whose handler returned IRQ_NONE (spurious: the device had nothing). */
uint64_t kern_irq_unhandled(const struct kern_host *h, unsigned irq);
const char *kern_irq_name(const struct kern_host *h, unsigned irq);
uint64_t kern_stack_calls(const struct kern_host *h);
uint64_t kern_delivered(const struct kern_host *h);
uint64_t kern_sock_drops(const struct kern_host *h);
const uint64_t *kern_napi_poll_hist(const struct kern_host *h); /* [65] by work */

#endif
