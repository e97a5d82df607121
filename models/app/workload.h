/* The application of a host behind one ops table (the shape of steer_policy_ops):
 * the host wiring builds an app_env and calls new / client_start / result / free
 * on whichever workload the scenario chose (/app/workload), never a chain of
 * ifs. A new workload is one file with its ops and one line in the scenario's
 * workload table. */
#ifndef NICSTEER_APP_WORKLOAD_H
#define NICSTEER_APP_WORKLOAD_H

#include <stdint.h>

#include "models/app/rr_server.h"
#include "models/kernel/kern.h"
#include "models/nic/nic.h"
#include "sim/core/result.h"

/* What a workload is built on (borrowed for the call to new). */
struct app_env {
    struct kern_host *h;
    unsigned n_socks, n_flows;
    const unsigned *cpu_of_sock;           /* n_socks: the CPU a socket's reader starts on */
    unsigned n_queues;                     /* RX queues of the NIC */
    const unsigned *queue_cpu;             /* n_queues: CPU of each queue's IRQ (affinity) */
    struct napi_struct *const *queue_napi; /* n_queues: each queue's NAPI (busy poll) */
    struct app_rr_clients clients;         /* how closed-loop clients send requests */
    /* Start `cpu` now: a thread became runnable outside any CPU's context. */
    void (*kick)(void *ctx, unsigned cpu);
    void *kick_ctx;
    /* The port (poll-mode workloads drive its RX rings themselves, pmd.c), its RX ring
     * size, and the run's per-flow results (what such a workload delivers). */
    struct nic *nic;
    unsigned rx_ring_size;
    struct sim_flow_result *flows;
};

struct app_workload_ops {
    const char *name;
    /* cfg: the workload's own configuration (its struct, from the scenario), may be NULL. */
    void *(*new)(const void *cfg, const struct app_env *env);
    /* Closed-loop clients: client `flow` sends its first request to arrive at `at`; the
     * requests carry request_bytes of payload. Optional (NULL: open-loop traffic). */
    void (*client_start)(void *w, unsigned flow, uint64_t at);
    uint32_t (*request_bytes)(const void *w);
    /* Requests and connections completed into the run's result. Optional. */
    void (*result)(const void *w, struct sim_request_result *req, struct sim_conn_result *conn);
    void (*free)(void *w);
    /* Poll-mode receive counters into the run's result. Optional. */
    void (*pmd_result)(const void *w, struct sim_pmd_result *r);
};

/* sink.c: one recvmsg loop per socket (iperf/netperf server); cfg struct app_sink_cfg. */
extern const struct app_workload_ops app_sink_workload;
/* rr_server.c: netserver request/response; cfg struct app_rr_cfg. */
extern const struct app_workload_ops app_rr_workload;
/* acceptor.c: accept + LIFO session pools; cfg struct app_acceptor_cfg. */
extern const struct app_workload_ops app_acceptor_workload;
/* busypoll.c: one busy-polling worker per RX queue; no cfg. */
extern const struct app_workload_ops app_busypoll_workload;
/* bulk_sender.c: one thread per socket writing a TCP stream (TSO/GSO); cfg struct app_bulk_cfg. */
extern const struct app_workload_ops app_bulk_workload;
/* rr_client.c: request/response client threads (a multi-host run's client host); cfg struct
 * app_rr_client_cfg. */
extern const struct app_workload_ops app_rr_client_workload;
/* af_xdp.c: one reader per AF_XDP socket (needs /nic/xdp redirect); no cfg. */
extern const struct app_workload_ops app_af_xdp_workload;

/* pmd.c: DPDK-style lcores polling the RX rings; cfg struct app_pmd_cfg. */
extern const struct app_workload_ops app_pmd_workload;

#endif
