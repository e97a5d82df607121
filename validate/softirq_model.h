/* Duration of each NET_RX softirq run as the simulator's CPU cost model prices it: one
 * handle_softirqs() pass, net_rx_action() and the NAPI polls it did (net/core/dev.c, Linux 6.12),
 * with the work each poll did taken from the trace. The same per-run operation counts are what
 * `nicsteer calibrate` fits the prices to (validate/calibrate.c). */
#ifndef NICSTEER_VALIDATE_SOFTIRQ_MODEL_H
#define NICSTEER_VALIDATE_SOFTIRQ_MODEL_H

#include "models/kernel/cost.h"
#include "validate/trace.h"

#include <glib.h>
#include <stdint.h>

/* Operations counted inside one traced NET_RX run; each is priced by struct kern_cost fields. */
enum val_nrx_term {
    VAL_NRX_RUN,     /* handle_softirqs() pass + net_rx_action(): softirq_pass + net_rx_action */
    VAL_NRX_POLL,    /* napi->poll() calls: napi_poll */
    VAL_NRX_DEV_PKT, /* packets of device polls (veth_poll/ixgbe_poll): drv_rx_pkt + gro_pkt */
    VAL_NRX_SKB,     /* __netif_receive_skb_core + ip_rcv + l4 rcv: stack_skb */
    VAL_NRX_SOCK,    /* skbs of the receiving device queued on a socket: sock_enqueue */
    VAL_NRX_WAKE,    /* try_to_wake_up() from sk_data_ready: wakeup */
    VAL_NRX_RPS,     /* get_rps_cpu + enqueue_to_backlog (model's RPS choice): rps_enqueue */
    VAL_NRX_IPI,     /* csd_queue_cpu onto an empty call_single_queue: the IPI is sent
                        (send_call_function_single_ipi): ipi_send */
    VAL_NRX_CSD_ENQ, /* csd_queue_cpu onto a non-empty call_single_queue: llist_add only, no
                        IPI (__smp_call_single_queue): csd_enqueue */
    VAL_NRX_IRQ,     /* hardirq nested in the run (device irq, call_function_single,
                        reschedule, hrtimer tick): hardirq */
    VAL_NRX_DEFER,   /* skb_defer_free_flush() of a list another CPU kicked with a
                        trigger_rx_softirq IPI: skb_defer_flush */
    VAL_NRX__N
};

/* One closed NET_RX run: its traced duration and the operations inside it. */
struct val_nrx_run {
    uint64_t trace_ns;
    int cpu;
    uint32_t n[VAL_NRX__N];
};

struct val_nrx_model;

/* ncpus trace CPUs; costs copied; rx_dev = the receiving device (its skbs reach a socket). */
struct val_nrx_model *val_nrx_model_new(int ncpus, const struct kern_cost *c, const char *rx_dev);
void val_nrx_model_free(struct val_nrx_model *m);
/* Append every closed run to runs (struct val_nrx_run, borrowed; NULL = stop). */
void val_nrx_model_record(struct val_nrx_model *m, GArray *runs);
/* One trace event (cpu in 0..ncpus-1). Returns the modelled duration in ns of the NET_RX run
 * this event closes (softirq_exit vec=3 of a run whose entry was seen), else -1. With a fitted
 * jitter (kern_cost net_rx_jitter_ns) a seeded sample of it is added (rounded to the µs on a
 * trace whose clock ticks in whole µs: the residuals were measured on that clock); without, on
 * such a trace the duration is read through the same clock (a random phase, then floored to
 * the µs), so both sides are measured alike. */
int64_t val_nrx_model_event(struct val_nrx_model *m, const struct val_trace_event *ev);
/* get_rps_cpu() steered a packet arriving on cpu to backlog target: enqueue_to_backlog() costs
 * rps_enqueue inside an open run of cpu. */
void val_nrx_model_rps_enqueue(struct val_nrx_model *m, int cpu, int target);
/* The price of one op of each term under c (ns). */
void val_nrx_prices(const struct kern_cost *c, double price[VAL_NRX__N]);
/* Sum of counts x prices (ns), before jitter. */
uint64_t val_nrx_price_run(const struct val_nrx_run *r, const struct kern_cost *c);
const char *val_nrx_term_name(enum val_nrx_term t);

#endif
