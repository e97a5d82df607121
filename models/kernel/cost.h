/* CPU cost model of the receive path: nanoseconds per kernel operation.
 * Calibrated so one 64-byte UDP packet costs ~1 µs of softirq end to end
 * (driver + GRO + stack + socket), i.e. ~1 Mpps saturates one core, as the
 * 82599 field figures imply (shared/spec/field-figures.md). */
#ifndef NICSTEER_KERN_COST_H
#define NICSTEER_KERN_COST_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Equal-count bins of the fitted NET_RX run jitter (nicsteer calibrate): N bin means. */
#define KERN_COST_JITTER_Q 41

struct kern_cost {
    uint32_t hardirq;          /* ns: irq entry/exit (common_interrupt, irq_enter/irq_exit, EOI) */
    uint32_t irq_handler;      /* ns: ixgbe_msix_clean_rings + napi_schedule_irqoff */
    uint32_t softirq_pass;     /* ns: one __do_softirq pass (handle_softirqs) */
    uint32_t net_rx_action;    /* ns: net_rx_action entry, splice, exit */
    uint32_t napi_poll;        /* ns: one ixgbe_poll call (TX clean, ITR update, EIMS write) */
    uint32_t drv_rx_pkt;       /* ns: ixgbe_clean_rx_irq per descriptor: build_skb, refill */
    uint32_t gro_pkt;          /* ns: dev_gro_receive per packet (bucket lookup, merge) */
    uint32_t stack_skb;        /* ns: __netif_receive_skb_core + ip_rcv + tcp/udp rcv, per skb */
    uint32_t sock_enqueue;     /* ns: queueing on sk_receive_queue + sk_data_ready, per skb */
    uint32_t wakeup;           /* ns: try_to_wake_up onto another CPU (waker side: remote rq
                                  lock or wake-list llist_add, ICR write) */
    uint32_t wakeup_local;     /* ns: try_to_wake_up onto the waker's own CPU (no IPI) */
    uint32_t ttwu_pending;     /* ns: sched_ttwu_pending body in the target's CAL IPI */
    uint32_t idle_exit_ns;     /* ns: C-state exit before an idle CPU runs any interrupt (0: off) */
    uint32_t ctx_switch;       /* ns: __schedule + context switch (incoming side) */
    uint32_t syscall;          /* ns: recvmsg entry/exit, socket lock, skb free */
    uint32_t copy_ps_per_byte; /* ps per byte copied to user (100 = 10 GB/s) */
    uint32_t app_per_msg;      /* ns: user-mode work of the sink per message */
    uint32_t rps_enqueue;      /* ns: get_rps_cpu + enqueue_to_backlog per skb (remote sd lock) */
    uint32_t ipi_send;     /* ns: one RPS IPI sent (smp_call_function_single_async, ICR write) */
    uint32_t csd_enqueue;  /* ns: __smp_call_single_queue() whose llist_add finds the target's
                              call_single_queue non-empty: no IPI is sent (one already is) */
    uint32_t ipi_handler;  /* ns: rps_trigger_softirq body on the target (entry/exit: hardirq) */
    uint32_t tx_pkt;       /* ns: sendmsg of one packet: syscall, TCP/UDP + IP output, qdisc,
                              ndo_start_xmit (descriptor write, doorbell) */
    uint32_t tx_clean_pkt; /* ns: ixgbe_clean_tx_irq per completed descriptor (unmap, free) */
    uint32_t sock_remote_read; /* ns: recvmsg of an skb queued by another CPU's softirq (the skb,
                                  its data and the receive queue's lines miss in this cache) */
    uint32_t skb_defer_flush;  /* ns: skb_defer_free_flush() in net_rx_action of a list another
                                  CPU kicked (skb_attempt_defer_free -> trigger_rx_softirq IPI) */
    /* ---- TSO/GSO (#15 point 3, tcp_stream.c / nicdrv) ---- */
    uint32_t tx_gso_seg; /* ns: skb_segment + tcp_gso_segment per segment made in software */
    uint32_t tx_desc;    /* ns: ixgbe_tx_map per descriptor of a laid-out skb (dma_map, write) */
    /* ---- XDP / AF_XDP (#15 point 2, nicdrv ixgbe_run_xdp, xdp.c, xsk.c) ---- */
    uint32_t xdp_rx_desc;          /* ns: ixgbe_clean_rx_irq per descriptor without an skb: DD read,
                                      dma_sync, xdp_buff init, ixgbe_reuse_rx_page */
    uint32_t bpf_prog_run_xdp;     /* ns: bpf_prog_run_xdp of a small JITed program, per packet */
    uint32_t xsk_rcv_zc;           /* ns: xdp_do_redirect -> __xsk_map_redirect -> xsk_rcv_zc:
                                      map lookup, one RX ring descriptor reserved */
    uint32_t xsk_copy_ps_per_byte; /* ps per byte: __xsk_rcv's memcpy into a UMEM frame */
    uint32_t xdp_do_flush;         /* ns: xdp_do_flush -> xsk_flush: publish the producer index */
    uint32_t xdp_xmit;             /* ns: ixgbe_xmit_xdp_ring per frame (descriptor write) */
    uint32_t xsk_user_desc;        /* ns: the AF_XDP reader per descriptor (xsk_ring_cons__rx_desc,
                                      fill-ring refill), user mode */
    uint32_t stack_prerouting;     /* ns: __netif_receive_skb_core + ip_rcv_core up to
                                      NF_INET_PRE_ROUTING: the part of stack_skb before it */
    uint32_t ipt_raw_drop;         /* ns: nf_hook_slow -> iptable_raw_hook -> ipt_do_table (one
                                      DROP rule) + kfree_skb */
    /* ns: what a NET_RX run took beyond the sum of its priced operations, as quantiles of the
       residuals of a calibration (cache state, VM exits, tracing); n_net_rx_jitter 0 = none,
       else KERN_COST_JITTER_Q nondecreasing values, possibly negative. */
    int32_t net_rx_jitter_ns[KERN_COST_JITTER_Q];
    unsigned n_net_rx_jitter;
};

/* Documented defaults (see cost.c for the reasoning). */
void kern_cost_defaults(struct kern_cost *c);
/* Override from the scenario's /costs object (keys = field names, integers
 * >= 0). Errors name the JSON path. NULL cfg = keep defaults. */
bool kern_cost_load(struct kern_cost *c, const json_t *cfg, const char *path, GError **err);
/* The NET_RX jitter for u uniform in [0, 1): the mean of equal-count bin floor(u * N), so its
 * expectation is the residuals' mean (a quantile curve interpolated up to the maximum is not:
 * one 600 µs outlier adds 7.5 µs to every run through the last 2.5% segment);
 * 0 when there are none. */
int64_t kern_cost_jitter(const struct kern_cost *c, double u);
/* What one NET_RX run of priced_ns of modelled work adds to it for the draw u: the jitter,
 * but never below -priced_ns (a run lasts MAX(0, priced + jitter)). The one rule validate
 * (softirq_model.c) and run (rx_jitter.c) both apply. */
int64_t kern_cost_net_rx_extra(const struct kern_cost *c, uint64_t priced_ns, double u);
/* Names of the integer cost keys (NULL-terminated) and the address of one in c. */
const char *const *kern_cost_names(void);
uint32_t *kern_cost_field(struct kern_cost *c, const char *name);

#endif
