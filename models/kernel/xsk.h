/* XDP programs and AF_XDP sockets (#15 point 2): the program an XDP-capable driver runs on
 * each RX descriptor before any skb exists (include/linux/filter.h bpf_prog_run_xdp), its
 * redirect into an XSKMAP (net/core/filter.c xdp_do_redirect, kernel/bpf/xskmap.c) and
 * the AF_XDP socket's RX and fill rings (net/xdp/xsk.c, xsk_queue.h), Linux 6.12. */
#ifndef NICSTEER_KERN_XSK_H
#define NICSTEER_KERN_XSK_H

#include <stdbool.h>
#include <stdint.h>

#include "models/kernel/kern.h"
#include "models/sched/cpus.h"

/* enum xdp_action, include/uapi/linux/bpf.h */
enum kern_xdp_action {
    KERN_XDP_ABORTED = 0,
    KERN_XDP_DROP,
    KERN_XDP_PASS,
    KERN_XDP_TX,
    KERN_XDP_REDIRECT
};

/* The scenario's program: `act` for the packets it matches, XDP_PASS for the others. A
 * packet matches when its flow id's hash falls in the first `match_permille` thousandths of
 * the hash space (1000: every packet), as a program keyed on a header field would select
 * a fixed share of the flows. REDIRECT is bpf_redirect_map(&xsks_map, rx_queue_index). */
struct kern_xdp_prog {
    enum kern_xdp_action act;
    unsigned match_permille; /* 0..1000 */
};

/* bpf_prog_run_xdp(): the verdict for a packet of `flow`, charged bpf_prog_run_xdp on
 * the running CPU. */
enum kern_xdp_action kern_bpf_prog_run_xdp(struct kern_host *h, const struct kern_xdp_prog *prog,
                                           uint32_t flow);

/* What xsk_rcv() takes from the driver's xdp_buff. */
struct kern_xdp_frame {
    uint64_t ts; /* NIC arrival, ns */
    uint32_t flow, len;
    uint16_t queue;
};

/* AF_XDP sockets, one bound to each RX queue of device 0 (xsk_bind, XDP_ZEROCOPY or
 * XDP_COPY), in the XSKMAP at the queue's index. An RX ring of `entries` descriptors; a
 * UMEM of 2 * entries frames, all in a fill ring of that size at start (the reader gives
 * each frame back once read), so a stalled reader fills the RX ring (-ENOSPC) before the
 * fill ring runs dry. */
bool kern_xsk_map_init(struct kern_host *h, unsigned n_queues, unsigned entries, bool zc,
                       GError **err);
struct kern_xsk;
struct kern_xsk *kern_xsk_of_queue(struct kern_host *h, unsigned queue);
unsigned kern_xsk_count(const struct kern_host *h);
void kern_xsk_map_free(struct kern_host *h);

/* xdp_do_redirect() of a frame the program redirected: __xsk_map_redirect -> xsk_rcv_zc
 * (zero copy: the frame already is a UMEM frame from the fill ring) or __xsk_rcv (copy:
 * a fill-ring frame, the bytes memcpy'd). 0, -ENOSPC (RX ring full: rx_ring_full),
 * -ENOMEM (fill ring empty: rx_fill_ring_empty_descs) or -EINVAL (no socket on the
 * queue); the driver drops on an error (ixgbe_run_xdp: out_failure). */
int kern_xdp_do_redirect(struct kern_host *h, const struct kern_xdp_frame *f);
/* xdp_do_flush() -> __xsk_map_flush -> xsk_flush(): the RX producer index of every
 * socket this poll wrote to is published (xskq_prod_submit) and its reader woken
 * (sock_def_readable). Latency (NIC arrival -> visible in the ring) is recorded here, as
 * a socket's at enqueue. */
void kern_xdp_do_flush(struct kern_host *h);

/* XDP_STATISTICS (getsockopt SOL_XDP) and what the model adds. */
struct kern_xsk_stats {
    uint64_t rx;                 /* descriptors published to the RX ring */
    uint64_t rx_ring_full;       /* xs->rx_queue_full: RX ring full, -ENOSPC */
    uint64_t rx_fill_ring_empty; /* pool->fq->queue_empty_descs: no frame, -ENOMEM */
    uint64_t copied_bytes;       /* copy mode: memcpy'd into UMEM frames */
    uint64_t read;               /* descriptors the application consumed */
    uint64_t wakeups;            /* sock_def_readable woke a reader blocked in poll() */
};
const struct kern_xsk_stats *kern_xsk_stats(const struct kern_xsk *xs);
/* Descriptors reserved but not yet published, published but not yet read. */
unsigned kern_xsk_rx_pending(const struct kern_xsk *xs);
unsigned kern_xsk_rx_ready(const struct kern_xsk *xs);
unsigned kern_xsk_fill_count(const struct kern_xsk *xs);

/* The application's side (tools/lib/bpf xsk.h / libxdp): xsk_ring_cons__peek of one
 * published descriptor visible at the running CPU's now, its frame given back to the
 * fill ring (xsk_ring_prod__submit); charges xsk_user_desc as user time. false = none. */
bool kern_xsk_recv(struct kern_host *h, struct kern_xsk *xs, struct kern_xdp_frame *out);
/* poll(POLLIN) on the socket with nothing to read: `t` sleeps until xsk_flush() publishes
 * (a descriptor published for a later time wakes it then). */
void kern_xsk_wait(struct kern_host *h, struct kern_xsk *xs, struct cpus_thread *t);

#endif
