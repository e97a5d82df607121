/* Per-CPU softnet backlog of RPS/netif_rx: enqueue_to_backlog(), skb_flow_limit() and
 * process_backlog() counters (net/core/dev.c, Linux 6.12). */
#ifndef NICSTEER_MODELS_KERNEL_BACKLOG_H
#define NICSTEER_MODELS_KERNEL_BACKLOG_H

#include "sim/core/cpumask.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* FLOW_LIMIT_HISTORY (net/core/dev.h): packets remembered by the flow limiter. */
#define KERN_FLOW_LIMIT_HISTORY 128

/* The backlog keeps counters and decisions only: the packets themselves stay in the
 * caller's FIFO, in enqueue order, one per successful kern_enqueue_to_backlog(). */
struct kern_backlog;

/* softnet_stat columns this model owns (net/core/net-procfs.c). */
struct kern_softnet_counters {
    uint64_t dropped;          /* column 2: backlog full or flow limit */
    uint64_t received_rps;     /* column 10: RPS IPIs handled on this CPU */
    uint64_t flow_limit_count; /* column 11: flow-limit drops decided on this CPU */
};

enum kern_enqueue_result {
    KERN_ENQUEUE_OK,              /* queued; backlog NAPI already scheduled */
    KERN_ENQUEUE_OK_SCHEDULE,     /* queued into an idle backlog: schedule it (napi_schedule_rps:
                                     IPI when the target is another CPU) */
    KERN_ENQUEUE_DROP_BACKLOG,    /* input_pkt_queue longer than netdev_max_backlog */
    KERN_ENQUEUE_DROP_FLOW_LIMIT, /* skb_flow_limit() said this flow dominates */
};

/* nr_cpus CPUs; max_backlog = net.core.netdev_max_backlog (>= 0); flow_limit_table_len
 * = net.core.flow_limit_table_len (power of two, as the sysctl demands); flow_limit_cpus =
 * net.core.flow_limit_cpu_bitmap (NULL = empty, the default). New; NULL + err on bad sizes. */
struct kern_backlog *kern_backlog_new(unsigned nr_cpus, int max_backlog,
                                      unsigned flow_limit_table_len,
                                      const struct sim_cpumask *flow_limit_cpus, GError **err);
void kern_backlog_free(struct kern_backlog *bl);

/* enqueue_to_backlog(): this_cpu is the CPU doing the enqueue (its flow-limit table is the one
 * consulted, as skb_flow_limit() uses this_cpu_ptr), cpu the target backlog, hash the packet's
 * skb->hash. On success *qtail receives the new input_queue_tail (rps_input_queue_tail_save:
 * the caller passes the RFS flow's last_qtail, or a scratch word). */
enum kern_enqueue_result kern_enqueue_to_backlog(struct kern_backlog *bl, unsigned cpu,
                                                 unsigned this_cpu, uint32_t hash, uint32_t *qtail);

/* The kernel release (kversion.h) whose process_backlog() the backlog follows;
 * KERN_VERSION_DEFAULT until set. */
void kern_backlog_set_kernel(struct kern_backlog *bl, unsigned version);

/* process_backlog() takes one packet: splices input_pkt_queue into process_queue when the
 * latter is empty. Returns false (and marks the backlog NAPI idle) when both are empty.
 * Before 6.10 each dequeued packet advances input_queue_head
 * (rps_input_queue_head_incr()); from 6.10 only the end of the poll does: call
 * kern_backlog_poll_done() with the poll's work count either way. */
bool kern_backlog_dequeue(struct kern_backlog *bl, unsigned cpu);
/* process_backlog() begins (net_rx_action() polls the backlog NAPI of cpu): with process_queue
 * empty its first step splices input_pkt_queue over, so packets enqueued from then on find an
 * empty input_pkt_queue. kern_backlog_dequeue() splices lazily, at the first packet, which is
 * the same moment when the poll and its first packet are simulated at once; a replay whose
 * first dequeue it only sees later (the trace's netif_receive_skb) calls this at the poll's
 * start. */
void kern_backlog_poll_start(struct kern_backlog *bl, unsigned cpu);
/* End of process_backlog(): rps_input_queue_head_add(sd, work) on 6.10+, nothing before. */
void kern_backlog_poll_done(struct kern_backlog *bl, unsigned cpu, unsigned work);
/* rps_trigger_softirq(): the target CPU took an RPS IPI. */
void kern_backlog_received_rps(struct kern_backlog *bl, unsigned cpu);

unsigned kern_backlog_nr_cpus(const struct kern_backlog *bl);
uint32_t kern_backlog_head(const struct kern_backlog *bl, unsigned cpu);
uint32_t kern_backlog_tail(const struct kern_backlog *bl, unsigned cpu);
/* input_pkt_queue length (the one compared with netdev_max_backlog). */
unsigned kern_backlog_input_qlen(const struct kern_backlog *bl, unsigned cpu);
/* input_pkt_queue + process_queue (softnet_stat column 12, softnet_input_pkt_queue_len +
 * softnet_process_queue_len). */
unsigned kern_backlog_qlen(const struct kern_backlog *bl, unsigned cpu);
const struct kern_softnet_counters *kern_backlog_counters(const struct kern_backlog *bl,
                                                          unsigned cpu);

#endif
