/* AF_XDP readers (#15 point 2): one user thread per AF_XDP socket (one socket per RX
 * queue), the xdpsock sample's rx_drop loop in poll mode: poll(POLLIN), then up to a batch
 * of descriptors from the RX ring, each frame back to the fill ring. */
#ifndef NICSTEER_APP_AF_XDP_H
#define NICSTEER_APP_AF_XDP_H

#include <stdint.h>

#include "models/kernel/kern.h"
#include "sim/core/stats.h"

#define APP_AF_XDP_BATCH 64 /* xdpsock's opt_batch_size default */

struct app_af_xdp;

/* A reader for each of the host's AF_XDP sockets (kern_xsk_of_queue), reader q on
 * cpu[q % n_cpu]. */
struct app_af_xdp *app_af_xdp_new(struct kern_host *h, const unsigned *cpu, unsigned n_cpu);
void app_af_xdp_free(struct app_af_xdp *a);
uint64_t app_af_xdp_packets(const struct app_af_xdp *a);
/* poll() calls that blocked (nothing in the ring). */
uint64_t app_af_xdp_polls(const struct app_af_xdp *a);
/* NIC arrival -> the reader took the descriptor, every packet read. */
const struct sim_hist *app_af_xdp_read_latency(const struct app_af_xdp *a);

#endif
