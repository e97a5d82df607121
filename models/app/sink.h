/* The simplest receiving application: one thread per socket looping on a
 * blocking recvmsg() and dropping the data (iperf/netperf server side). */
#ifndef NICSTEER_APP_SINK_H
#define NICSTEER_APP_SINK_H

#include <stdint.h>

#include "models/kernel/kern.h"

struct app_sinks;

struct app_sink_cfg {
    unsigned ack_every; /* see app_sinks_set_ack */
};

/* One sink thread per socket s on cpu_of_sock[s], blocked in recvmsg. */
struct app_sinks *app_sinks_new(struct kern_host *h, unsigned n_socks, const unsigned *cpu_of_sock);
void app_sinks_free(struct app_sinks *a);
/* TCP receivers ACK from the reading thread (tcp_cleanup_rbuf -> tcp_send_ack
 * after the window opened): one ACK per `every` reads of a TCP socket, sent
 * through the TX path (kern_sock_sendmsg). 0 (default) = no ACKs. */
void app_sinks_set_ack(struct app_sinks *a, unsigned every);
uint64_t app_sinks_messages(const struct app_sinks *a);
uint64_t app_sinks_bytes(const struct app_sinks *a);

#endif
