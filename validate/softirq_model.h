/* Duration of each NET_RX softirq run as the simulator's CPU cost model prices it: one
 * handle_softirqs() pass, net_rx_action() and the NAPI polls it did (net/core/dev.c, Linux 6.12),
 * with the work each poll did taken from the trace. */
#ifndef NICSTEER_VALIDATE_SOFTIRQ_MODEL_H
#define NICSTEER_VALIDATE_SOFTIRQ_MODEL_H

#include "models/kernel/cost.h"
#include "validate/trace.h"

#include <stdint.h>

struct val_nrx_model;

/* ncpus trace CPUs; costs copied; rx_dev = the receiving device (its skbs reach a socket). */
struct val_nrx_model *val_nrx_model_new(int ncpus, const struct kern_cost *c, const char *rx_dev);
void val_nrx_model_free(struct val_nrx_model *m);
/* One trace event (cpu in 0..ncpus-1). Returns the modelled duration in ns of the NET_RX run
 * this event closes (softirq_exit vec=3 of a run whose entry was seen), else -1. */
int64_t val_nrx_model_event(struct val_nrx_model *m, const struct val_trace_event *ev);
/* get_rps_cpu() steered a packet arriving on cpu to backlog target: enqueue_to_backlog() costs
 * rps_enqueue inside an open run of cpu; a remote target queues cpu's IPI to it
 * (rps_ipi_queued()), sent by cpu's next NET_RX run (net_rps_send_ipi(): ipi_send each). */
void val_nrx_model_rps_enqueue(struct val_nrx_model *m, int cpu, int target);

#endif
