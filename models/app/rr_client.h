/* A request/response client on a host of its own (netperf TCP_RR's netperf side, a
 * multi-host run's client): one thread per connection sends a request, blocks in recvmsg
 * for the reply, thinks, and sends the next; the latency is request sent -> reply read. */
#ifndef NICSTEER_APP_RR_CLIENT_H
#define NICSTEER_APP_RR_CLIENT_H

#include <stdint.h>

#include "models/kernel/kern.h"
#include "sim/core/result.h"

struct app_rr_client_cfg {
    uint32_t request_bytes; /* payload of each request */
    uint64_t think_ns;      /* reply read -> next request sent (user time asleep) */
    uint64_t user_ns;       /* user-mode work per request (building it, reading the reply) */
    unsigned tx_dev;        /* netdev the requests leave by (eth0 = 0) */
};

struct app_rr_client;
/* Threads on cpu_of_sock[s] for sockets 1..n_socks-1 (socket s carries connection s; socket
 * 0 is the unknown-flow one), each sending its first request at t = 0. */
struct app_rr_client *app_rr_client_new(struct kern_host *h, const struct app_rr_client_cfg *cfg,
                                        unsigned n_socks, const unsigned *cpu_of_sock);
void app_rr_client_free(struct app_rr_client *c);
/* Requests sent, replies read, and the latency of those read. */
uint64_t app_rr_client_sent(const struct app_rr_client *c);
void app_rr_client_result(const struct app_rr_client *c, struct sim_request_result *r);

#endif
