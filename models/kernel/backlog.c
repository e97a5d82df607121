/* Per-CPU softnet backlog counters: mirrors enqueue_to_backlog(), skb_flow_limit() and
 * process_backlog(), net/core/dev.c, Linux 6.12. */
#include "models/kernel/backlog.h"

#include "models/kernel/kversion.h"

#include "sim/core/err.h"

/* struct sd_flow_limit (net/core/dev.h): ring of recent buckets and per-bucket counts. */
struct flow_limit {
    unsigned history_head;
    uint16_t history[KERN_FLOW_LIMIT_HISTORY];
    uint8_t *buckets; /* flow_limit_table_len entries */
};

/* The parts of struct softnet_data the backlog uses. */
struct softnet {
    uint32_t input_queue_head; /* packets dequeued, wraps (rps_input_queue_head_add) */
    uint32_t input_queue_tail; /* packets enqueued, wraps (rps_input_queue_tail_incr) */
    unsigned input_qlen;       /* sd->input_pkt_queue */
    unsigned process_qlen;     /* sd->process_queue */
    bool scheduled;            /* NAPI_STATE_SCHED of sd->backlog */
    struct flow_limit *fl;     /* sd->flow_limit: only for CPUs of flow_limit_cpu_bitmap */
    struct kern_softnet_counters stat;
};

struct kern_backlog {
    unsigned nr_cpus;
    bool head_per_packet; /* kernel < 6.10: input_queue_head moves per dequeued packet */
    int max_backlog;
    unsigned flow_limit_mask; /* flow_limit_table_len - 1 */
    struct softnet *sd;
};

struct kern_backlog *kern_backlog_new(unsigned nr_cpus, int max_backlog,
                                      unsigned flow_limit_table_len,
                                      const struct sim_cpumask *flow_limit_cpus, GError **err)
{
    if (nr_cpus == 0 || nr_cpus > SIM_NR_CPUS) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "backlog: %u CPUs: expected 1..%d", nr_cpus,
                    SIM_NR_CPUS);
        return NULL;
    }
    if (max_backlog < 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "net.core.netdev_max_backlog: %d: expected a value >= 0", max_backlog);
        return NULL;
    }
    /* flow_limit_table_len_sysctl() rejects lengths that are not a power of two. */
    if (flow_limit_table_len == 0 || (flow_limit_table_len & (flow_limit_table_len - 1)) ||
        flow_limit_table_len > (1u << 16)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "net.core.flow_limit_table_len: %u: expected a power of two up to 65536",
                    flow_limit_table_len);
        return NULL;
    }
    struct kern_backlog *bl = g_new0(struct kern_backlog, 1);
    bl->nr_cpus = nr_cpus;
    bl->max_backlog = max_backlog;
    bl->flow_limit_mask = flow_limit_table_len - 1;
    bl->sd = g_new0(struct softnet, nr_cpus);
    for (unsigned cpu = 0; flow_limit_cpus && cpu < nr_cpus; cpu++) {
        if (!sim_cpumask_test(flow_limit_cpus, cpu))
            continue;
        /* flow_limit_cpu_sysctl(): zeroed history and buckets. */
        bl->sd[cpu].fl = g_new0(struct flow_limit, 1);
        bl->sd[cpu].fl->buckets = g_new0(uint8_t, flow_limit_table_len);
    }
    return bl;
}

void kern_backlog_free(struct kern_backlog *bl)
{
    if (!bl)
        return;
    for (unsigned cpu = 0; cpu < bl->nr_cpus; cpu++) {
        if (bl->sd[cpu].fl)
            g_free(bl->sd[cpu].fl->buckets);
        g_free(bl->sd[cpu].fl);
    }
    g_free(bl->sd);
    g_free(bl);
}

/* skb_flow_limit(): 6.12 buckets by hash & (table_len - 1) (hash_32() only from 6.16). */
static bool skb_flow_limit(struct kern_backlog *bl, struct flow_limit *fl, uint32_t hash,
                           unsigned qlen)
{
    if (qlen < (unsigned)(bl->max_backlog >> 1) || !fl)
        return false;
    uint16_t new_flow = (uint16_t)(hash & bl->flow_limit_mask);
    uint16_t old_flow = fl->history[fl->history_head];
    fl->history[fl->history_head] = new_flow;
    fl->history_head = (fl->history_head + 1) & (KERN_FLOW_LIMIT_HISTORY - 1);
    if (fl->buckets[old_flow])
        fl->buckets[old_flow]--;
    return ++fl->buckets[new_flow] > (KERN_FLOW_LIMIT_HISTORY >> 1);
}

enum kern_enqueue_result kern_enqueue_to_backlog(struct kern_backlog *bl, unsigned cpu,
                                                 unsigned this_cpu, uint32_t hash, uint32_t *qtail)
{
    struct softnet *sd = &bl->sd[cpu];
    struct softnet *self = &bl->sd[this_cpu < bl->nr_cpus ? this_cpu : cpu];
    unsigned qlen = sd->input_qlen;
    if (qlen > (unsigned)bl->max_backlog) {
        sd->stat.dropped++;
        return KERN_ENQUEUE_DROP_BACKLOG;
    }
    if (skb_flow_limit(bl, self->fl, hash, qlen)) {
        self->stat.flow_limit_count++; /* fl->count of the enqueuing CPU */
        sd->stat.dropped++;
        return KERN_ENQUEUE_DROP_FLOW_LIMIT;
    }
    bool schedule = qlen == 0 && !sd->scheduled;
    if (schedule)
        sd->scheduled = true;
    sd->input_qlen++;
    *qtail = ++sd->input_queue_tail;
    return schedule ? KERN_ENQUEUE_OK_SCHEDULE : KERN_ENQUEUE_OK;
}

void kern_backlog_set_kernel(struct kern_backlog *bl, unsigned version)
{
    /* 6.10 ("net: rps: change input_queue_tail_incr_save()" series) moved the head
     * update of process_backlog() from each packet to the end of the poll. */
    bl->head_per_packet = version < KERN_VERSION(6, 10);
}

/* skb_queue_splice_tail_init(&sd->input_pkt_queue, &sd->process_queue): what process_backlog()
 * does each time its process_queue runs dry (net/core/dev.c). */
static void backlog_splice(struct softnet *sd)
{
    sd->process_qlen += sd->input_qlen;
    sd->input_qlen = 0;
}

void kern_backlog_poll_start(struct kern_backlog *bl, unsigned cpu)
{
    struct softnet *sd = &bl->sd[cpu];
    if (sd->scheduled && sd->process_qlen == 0)
        backlog_splice(sd);
}

bool kern_backlog_dequeue(struct kern_backlog *bl, unsigned cpu)
{
    struct softnet *sd = &bl->sd[cpu];
    if (sd->process_qlen == 0) {
        if (sd->input_qlen == 0) {
            sd->scheduled = false; /* process_backlog's inline napi complete */
            return false;
        }
        backlog_splice(sd);
    }
    sd->process_qlen--;
    if (bl->head_per_packet)
        sd->input_queue_head++; /* rps_input_queue_head_incr() in the loop */
    return true;
}

void kern_backlog_poll_done(struct kern_backlog *bl, unsigned cpu, unsigned work)
{
    if (!bl->head_per_packet)
        bl->sd[cpu].input_queue_head += work;
}

void kern_backlog_received_rps(struct kern_backlog *bl, unsigned cpu)
{
    bl->sd[cpu].stat.received_rps++;
}

unsigned kern_backlog_nr_cpus(const struct kern_backlog *bl)
{
    return bl->nr_cpus;
}

uint32_t kern_backlog_head(const struct kern_backlog *bl, unsigned cpu)
{
    return bl->sd[cpu].input_queue_head;
}

uint32_t kern_backlog_tail(const struct kern_backlog *bl, unsigned cpu)
{
    return bl->sd[cpu].input_queue_tail;
}

unsigned kern_backlog_input_qlen(const struct kern_backlog *bl, unsigned cpu)
{
    return bl->sd[cpu].input_qlen;
}

unsigned kern_backlog_qlen(const struct kern_backlog *bl, unsigned cpu)
{
    return bl->sd[cpu].input_qlen + bl->sd[cpu].process_qlen;
}

const struct kern_softnet_counters *kern_backlog_counters(const struct kern_backlog *bl,
                                                          unsigned cpu)
{
    return &bl->sd[cpu].stat;
}
