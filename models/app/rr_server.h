/* Request/response servers: netperf TCP_RR's netserver (one thread per connection), a
 * memcached-like pool (N worker threads on per-thread sockets, or all on one shared
 * socket with exclusive wake-ups), and a forwarding proxy that waits for each send's TX
 * completion; closed-loop clients on the traffic side. Responses leave through the TX
 * path (kern_sock_sendmsg: XPS or skb_tx_hash picks the queue). */
#ifndef NICSTEER_APP_RR_SERVER_H
#define NICSTEER_APP_RR_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"
#include "sim/core/result.h"

struct app_rr_cfg {
    unsigned threads;            /* 0: one per socket (netserver); else a pool of N */
    uint64_t service_ns;         /* user-mode work per request */
    uint32_t request_bytes;      /* payload of each request */
    uint32_t response_bytes;     /* payload of each response */
    uint64_t rtt_ns;             /* response leaves -> next request of that client arrives */
    const unsigned *thread_cpus; /* pool: thread i starts on thread_cpus[i % n] (borrowed; */
    unsigned n_thread_cpus;      /* NULL: i % CPUs) */
    unsigned tx_dev;             /* kernel device the responses leave on (0 eth0, 1 eth1) */
    bool wait_tx;                /* proxy: wait for the send's TX completion (EPOLLOUT /
                                  * MSG_ZEROCOPY notification) before reading again */
    /* proxy between two real hosts (multi-host runs): connection f's messages alternate
     * client request (forwarded on tx_dev to the server) and server reply (relayed on
     * eth0 back to the client, request_bytes... its own payload); no closed-loop clients */
    bool relay;
    /* epoll busy poll (SO_BUSY_POLL / EPIOCSPARAMS busy_poll_usecs with prefer_busy_poll and a
     * budget, never timing out): a thread that finds nothing runs napi_busy_loop on its
     * queue's NAPI (thread i: napi[i % n_napi]) instead of sleeping, so that queue's IRQ stays
     * masked and the thread's CPU is 100% busy. Needs the pool (threads > 0). */
    bool busy_poll;
    /* with busy_poll: epoll with prefer_busy_poll and irq_suspend_timeout (6.13): one
     * napi_busy_loop pass per epoll_wait that has no ready request, busy_poll_stop hands
     * the NAPI back (its timer keeps the IRQ suspended); a pass that finds nothing ends the
     * suspension (napi_resume_irqs) and the thread sleeps until woken. */
    bool suspend;
    struct napi_struct *const *napi; /* borrowed; set by the workload from its env */
    unsigned n_napi;
};

/* Defaults: netserver, 64 B / 64 B, 2 µs service, 20 µs client turn-around. */
void app_rr_cfg_defaults(struct app_rr_cfg *c);

/* The traffic side: issue client `flow`'s next request so it reaches the NIC at `at`. */
struct app_rr_clients {
    void (*send_request)(void *ctx, unsigned flow, uint64_t at);
    void *ctx;
};

struct app_rr;

/* Threads on cpu_of_sock[] (netserver) or pool thread i on cfg->thread_cpus[i % n];
 * sockets of a pool thread: s with s % threads == i; a socket with more threads than one
 * (threads > sockets) wakes one waiter per message (EPOLLEXCLUSIVE-like, FIFO). */
struct app_rr *app_rr_new(struct kern_host *h, const struct app_rr_cfg *cfg, unsigned n_socks,
                          const unsigned *cpu_of_sock, unsigned n_flows,
                          const struct app_rr_clients *clients);
void app_rr_free(struct app_rr *a);
/* Client `flow` issues its first request, arriving at `at`. */
void app_rr_client_start(struct app_rr *a, unsigned flow, uint64_t at);
/* Bytes of the requests (the traffic side builds the frames). */
uint32_t app_rr_request_bytes(const struct app_rr *a);
void app_rr_result(const struct app_rr *a, struct sim_request_result *r);

#endif
