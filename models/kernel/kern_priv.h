/* Internal state of the simulated kernel shared by the models/kernel files
 * (per-CPU softnet_data, softirq and irq state). Not for other rooms. */
#ifndef NICSTEER_KERN_PRIV_H
#define NICSTEER_KERN_PRIV_H

#include "models/kernel/kern.h"
#include "models/kernel/skb_defer.h"
#include "sim/core/hist.h"
#include "sim/core/rng.h"
#include "sim/core/stats.h"

struct kern_irq_desc {
    kern_irq_handler_t handler;
    void *dev;
    char name[32];
    uint64_t *count;    /* per CPU (kstat_irqs) */
    uint64_t unhandled; /* handler said IRQ_NONE (desc->irqs_unhandled, note_interrupt()) */
};

struct kern_cpu {
    uint64_t irq_pending; /* bit per irq: MSI message latched at the local APIC */
    bool irq_exit;        /* a hardirq just ran: irq_exit() is next */
    enum kern_acct ctx;   /* what the running code is accounted as */
    bool in_ksoftirqd;
    unsigned cur_irq; /* the hardirq running (timeline label) */
    unsigned cur_vec; /* the softirq vector running (timeline label) */

    uint32_t softirq_pending; /* local_softirq_pending() */
    uint32_t csd_pending;     /* enum kern_csd queued on call_single_queue (smp.c) */
    /* handle_softirqs() in progress */
    bool ds_active, ds_ksoftirqd;
    unsigned long ds_end; /* jiffies + MAX_SOFTIRQ_TIME */
    int ds_restart;       /* max_restart */
    uint32_t ds_run;      /* vectors of this pass still to run */

    /* net_rx_action() in progress */
    bool rx_active;
    int rx_budget;
    unsigned long rx_limit;
    struct kern_napi_list rx_list, rx_repoll;

    /* struct softnet_data */
    struct kern_napi_list poll_list;
    bool in_net_rx_action;

    struct cpus_thread *ksoftirqd;
    struct napi_struct *timers; /* armed NAPI hrtimers pinned here (napi.c) */
    struct kern_cpu_stats st;
    /* mpstat interval snapshots (kern_set_intervals): the next boundary, ns (UINT64_MAX:
     * none left or off), and how many boundaries this CPU has closed */
    uint64_t iv_end;
    unsigned iv_done;
    /* ns: since when the periodic tick runs (a task is current), UINT64_MAX = stopped
     * (the idle loop: tick_nohz_idle_stop_tick); see kern_local_timer_irqs() */
    uint64_t tick_since;

    /* softirq start latency: MSI arrival of the running hardirq, and when the
     * NET_RX raised by a hardirq is still waiting for net_rx_action (0: none) */
    uint64_t irq_at[KERN_MAX_IRQS];
    uint64_t hardirq_at;
    uint64_t net_rx_raised_at;
    uint64_t net_rx_reraised_at; /* net_rx_action left work (repoll) and re-raised */
    /* the NET_RX run in progress (rx_jitter.c): its start, its jitter draw, and the
     * shortening owed by earlier runs whose draw was negative (ns, <= 0) */
    uint64_t rx_run_from;
    double rx_jitter_u;
    int64_t rx_jitter_owed;
    /* sd->defer_list / defer_count / defer_ipi_scheduled (skb_defer.c) */
    struct kern_skb_defer defer;
    /* work queued for softirq vectors other than NET_RX (other devices), ns */
    uint64_t vec_work[NR_SOFTIRQS];
};

struct kern_host {
    uint64_t now; /* cursor of the executing CPU */
    uint64_t end_ns;
    unsigned cpu;
    unsigned n_cpus;
    struct kern_cpu *cpus;
    struct kern_params p;
    struct kern_cost c;
    struct sim_rng rx_jitter_rng; /* "kern/net_rx_jitter": one draw per NET_RX run */
    struct kern_ops ops;
    struct cpus_sched *sched;
    struct kern_irq_desc irq[KERN_MAX_IRQS];
    struct kern_sock *socks;
    unsigned n_socks;
    unsigned *sock_of_flow;
    /* skb slots of all socket queues: grows by doubling when every slot holds a
     * queued skb (O(log n) times per run, never per packet); free list by `next` */
    struct kern_sock_ent *skb_pool;
    uint32_t pool_cap, pool_free;
    bool reuseport_cpu; /* socket picked by the receiving CPU (kern_sockets_reuseport_cpu) */
    bool no_listener;   /* no socket bound: __udp4_lib_rcv drops (kern_sockets_no_listener) */
    uint64_t udp_noports;
    unsigned n_flows;
    struct sim_flow_result *flows;
    struct kern_rps_path *rps; /* RPS/RFS receive path (rps_path.c), NULL = off */
    struct kern_tx_path *tx;   /* TX queue choice and XPS per device (tx.c), NULL = no TX */
    struct kern_xsk_map *xsk;  /* AF_XDP sockets by RX queue (xsk.c), NULL = none */
    bool ipt_raw_drop;         /* iptables -t raw -A PREROUTING -j DROP (sock.c) */
    uint64_t ipt_raw_drops;
    struct kern_tcp_stream_stats *stream; /* bulk TCP send counters (tcp_stream.c), lazily */
    uint32_t *flow_seq_hi;                /* per flow: highest TCP sequence delivered (ooo count) */
    uint8_t *flow_seq_seen;
    void (*csd_rps_fn)(void *ctx); /* rps_trigger_softirq for the CAL IPI (smp.c) */
    void *csd_rps_ctx;
    uint64_t wake_ipis;       /* CAL/RES IPIs sent for remote wake-ups */
    struct kern_observer obs; /* timeline observer; obs.slice NULL = off */
    struct sim_hist latency;  /* NIC arrival -> socket, all flows */
    uint64_t stack_calls, delivered, sock_drops;
    uint64_t poll_hist[65];
    struct sim_hist softirq_start;
    struct sim_hist softirq_resume;
    unsigned napi_ids;
    /* the NAPI poll running (napi.c): start of its timeline piece, work reported so far */
    uint64_t poll_from;
    int poll_reported;
    /* kcpustat at every interval boundary (kern_set_intervals): per CPU, iv_n rows of
     * KERN_IV_COLS cumulative ns (acct[] then ksoftirqd_ns); NULL = off */
    uint64_t iv_step_ns;
    unsigned iv_n;
    uint64_t *iv_snap;
};

static inline struct kern_cpu *kern_this_cpu(struct kern_host *h)
{
    return &h->cpus[h->cpu];
}

/* The timeline observer's slice (kcpu.c); only called when one is attached. */
void kern_observe_slice(struct kern_host *h, struct kern_cpu *k, enum kern_acct what, uint64_t a,
                        uint64_t b);

/* process_backlog() waits, until `at`, for an skb a sender CPU queued later in its own
 * chunk: the observer sees the poll so far (`work` done) as one poll and the rest as
 * another (napi.c). */
void kern_napi_poll_split(struct kern_host *h, const struct napi_struct *n, int work, uint64_t at);

/* kern_account's general case (kcpu.c). */
void kern_account_slow(struct kern_host *h, enum kern_acct what, uint64_t ns);

/* Account [now, now + ns) to `what`, clipped at the end of the run. Inline for
 * the common case: well before the end, no ksoftirqd share, no observer. */
static inline void kern_account(struct kern_host *h, enum kern_acct what, uint64_t ns)
{
    struct kern_cpu *k = kern_this_cpu(h);
    uint64_t b = h->now + ns;
    if (G_LIKELY(b <= h->end_ns && b <= k->iv_end && b >= h->now && !h->obs.slice &&
                 !(what == KERN_SOFT && k->in_ksoftirqd))) {
        k->st.acct[what] += ns;
        h->now = b;
        return;
    }
    kern_account_slow(h, what, ns);
}

/* kern_charge() inlined for the per-packet charges of models/kernel. */
static inline void kern_charge_inl(struct kern_host *h, uint64_t ns)
{
    kern_account(h, kern_this_cpu(h)->ctx, ns);
}

/* kern_charge_inl(a) then kern_charge_inl(b) with nothing between: accounted as
 * one (the same sums, clipped at the end alike) unless the timeline observer
 * wants each slice. */
static inline void kern_charge2_inl(struct kern_host *h, uint64_t a, uint64_t b)
{
    if (G_UNLIKELY(h->obs.slice))
        kern_charge_inl(h, a);
    else
        b += a;
    kern_charge_inl(h, b);
}

/* CAL and RES IPI handlers, registered by kern_host_new; smp.c */
int kern_smp_call_function_interrupt(int irq, void *data);
int kern_smp_reschedule_interrupt(int irq, void *data);
/* net_rx_action() one step; true when it returned. napi.c */
void kern_net_rx_action_begin(struct kern_host *h);
/* The fitted NET_RX jitter (rx_jitter.c): seed the stream; draw at a run's start; charge
 * what the run adds beyond its priced work at its end. */
void kern_net_rx_jitter_init(struct kern_host *h);
/* skb_attempt_defer_free() on this CPU of an skb built on alloc_cpu; trigger_rx_softirq()
 * in this CPU's CAL IPI; skb_defer_free_flush() at this CPU's net_rx_action (skb_defer.c). */
void kern_skb_attempt_defer_free(struct kern_host *h, unsigned alloc_cpu);
void kern_skb_defer_trigger_rx_softirq(struct kern_host *h);
void kern_skb_defer_free_flush(struct kern_host *h);
void kern_net_rx_jitter_begin(struct kern_host *h);
void kern_net_rx_jitter_end(struct kern_host *h);
bool kern_net_rx_action_step(struct kern_host *h);
/* hrtimer_start(&n->timer, timeout, HRTIMER_MODE_REL_PINNED) on this CPU (napi.c) */
void kern_napi_timer_start(struct kern_host *h, struct napi_struct *n, uint64_t timeout);
/* hrtimer_interrupt()'s handler for the NAPI timers (napi.c) */
int kern_hrtimer_interrupt(int irq, void *data);
/* The softirq state machine; softirq.c */
void kern_do_softirq_begin(struct kern_host *h, bool ksoftirqd);
void kern_do_softirq_step(struct kern_host *h);
bool kern_run_ksoftirqd(struct cpus_thread *t, void *arg);
/* GRO + delivery; gro.c / sock.c */
void kern_gro_flush(struct napi_struct *n, bool flush_old);
void kern_gro_normal_list(struct napi_struct *n);
void kern_netif_receive_skb_core(struct kern_host *h, const struct kern_skb *skb);
/* netif_receive_skb_list_internal(): the n skbs of a gro_normal list, each as
 * kern_netif_receive_skb_core in turn (one call for the batch). */
void kern_netif_receive_skb_list(struct kern_host *h, const struct kern_skb *skbs, unsigned n);
/* __netif_receive_skb(): the stack on this CPU, no RPS (process_backlog). */
void kern___netif_receive_skb(struct kern_host *h, const struct kern_skb *skb);

#endif
