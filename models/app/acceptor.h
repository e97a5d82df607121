/* Accept-and-hand-off servers: one acceptor thread per RX queue (pinned on the queue's
 * IRQ CPU, SO_INCOMING_CPU style) with a LIFO pool of session threads on that CPU,
 * versus a single global acceptor feeding one pool. Short connections from closed-loop
 * clients: a connection is `msgs_per_conn` requests, then the client reconnects. */
#ifndef NICSTEER_APP_ACCEPTOR_H
#define NICSTEER_APP_ACCEPTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "models/app/rr_server.h"
#include "models/kernel/kern.h"
#include "sim/core/result.h"

struct app_acceptor_cfg {
    struct app_rr_cfg rr;   /* service, sizes, client turn-around */
    bool per_queue;         /* one acceptor per RX queue; false = one global acceptor */
    unsigned pool;          /* session threads per acceptor */
    unsigned msgs_per_conn; /* requests per connection */
};

/* Defaults: per queue, 4 sessions, 4 requests per connection. */
void app_acceptor_cfg_defaults(struct app_acceptor_cfg *c);

struct app_acceptor;

/* Acceptor q on queue_cpu[q] (per_queue) or one acceptor on queue_cpu[0] allowed on
 * every CPU; sessions start on their acceptor's CPU, pinned there in per_queue mode. */
struct app_acceptor *app_acceptor_new(struct kern_host *h, const struct app_acceptor_cfg *cfg,
                                      const unsigned *queue_cpu, unsigned n_queues,
                                      unsigned n_socks, unsigned n_flows,
                                      const struct app_rr_clients *clients);
void app_acceptor_free(struct app_acceptor *a);
void app_acceptor_client_start(struct app_acceptor *a, unsigned flow, uint64_t at);
uint32_t app_acceptor_request_bytes(const struct app_acceptor *a);
/* The LIFO pool of acceptor q: the idle session that runs the next connection, -1 none. */
int app_acceptor_next_session(const struct app_acceptor *a, unsigned q);
void app_acceptor_result(const struct app_acceptor *a, struct sim_request_result *req,
                         struct sim_conn_result *conn);

#endif
