/* Streaming reader of kernel trace text: tracefs `trace` output (kernel/trace/trace_output.c)
 * and `perf script` output, for the napi/net/irq/sched/syscalls tracepoints (spec §6). */
#ifndef NICSTEER_VALIDATE_TRACE_H
#define NICSTEER_VALIDATE_TRACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Longest accepted line; longer lines are reported as garbled, their rest discarded. */
#define VAL_TRACE_MAX_LINE 65536
/* Garbled-line messages kept verbatim; the rest are only counted. */
#define VAL_TRACE_MAX_WARNINGS 20

enum val_ev_kind {
    VAL_EV_IRQ_HANDLER_ENTRY, /* irq:irq_handler_entry  irq=%d name=%s */
    VAL_EV_IRQ_HANDLER_EXIT,  /* irq:irq_handler_exit   irq=%d ret=handled|unhandled */
    VAL_EV_SOFTIRQ_RAISE,     /* irq:softirq_raise      vec=%u [action=%s] */
    VAL_EV_SOFTIRQ_ENTRY,
    VAL_EV_SOFTIRQ_EXIT,
    VAL_EV_NAPI_POLL,               /* napi:napi_poll */
    VAL_EV_NAPI_GRO_RECEIVE_ENTRY,  /* net:*_entry (net_dev_rx_verbose_template) */
    VAL_EV_NETIF_RECEIVE_SKB_ENTRY, /* u.rx */
    VAL_EV_NETIF_RECEIVE_SKB_LIST_ENTRY,
    VAL_EV_NETIF_RX_ENTRY,
    VAL_EV_NETIF_RECEIVE_SKB, /* net:net_dev_template  dev skbaddr len (u.skb) */
    VAL_EV_NETIF_RX,
    VAL_EV_NET_DEV_QUEUE,
    VAL_EV_NET_DEV_START_XMIT, /* carries the TX queue_mapping (no +1) */
    VAL_EV_NET_DEV_XMIT,       /* adds rc */
    VAL_EV_SCHED_SWITCH,       /* u.sw */
    VAL_EV_SCHED_WAKEUP,       /* u.wake */
    VAL_EV_SCHED_WAKING,
    VAL_EV_SCHED_MIGRATE_TASK,
    VAL_EV_CSD_QUEUE_CPU,              /* csd:csd_queue_cpu  cpu=%u callsite=%pS func=%ps (u.csd) */
    VAL_EV_CALL_FUNCTION_SINGLE_ENTRY, /* irq_vectors:call_function_single_entry */
    VAL_EV_RESCHEDULE_ENTRY,           /* irq_vectors:reschedule_entry */
    VAL_EV_HRTIMER_EXPIRE_ENTRY,       /* timer:hrtimer_expire_entry */
    VAL_EV_SYSCALL_ENTER,              /* syscalls:sys_enter_<name> for the socket reads (u.sys) */
    VAL_EV_KFREE_SKB, /* skb:kfree_skb  skbaddr=%p ... location=%pS reason: %s (u.kfree) */
    VAL_EV__COUNT
};

/* Syscalls whose entry records the reading thread's CPU (RFS: sock_rps_record_flow()). */
enum val_syscall {
    VAL_SYS_RECVFROM,
    VAL_SYS_RECVMSG,
    VAL_SYS_RECVMMSG,
    VAL_SYS_READ,
    VAL_SYS_READV,
    VAL_SYS_ACCEPT,
    VAL_SYS_ACCEPT4,
    VAL_SYS__COUNT
};

#define VAL_DEV_LEN  24 /* IFNAMSIZ 16, plus "(no_device)" fits */
#define VAL_COMM_LEN 64 /* TASK_COMM_LEN is 16; perf may print longer names */

struct val_ev_rx { /* net_dev_rx_verbose_template, include/trace/events/net.h */
    char dev[VAL_DEV_LEN];
    uint32_t napi_id;
    uint32_t queue_mapping; /* rx queue + 1 on real NICs, 0 = unrecorded */
    uint64_t skbaddr;       /* hashed (tracefs) or raw (perf) pointer, as hex */
    uint32_t hash;          /* also read from the old name rxhash */
    bool l4_hash;           /* also read from the old name l4_rxhash */
    uint16_t protocol;
    int ip_summed;
    uint32_t len; /* excludes the MAC header */
    uint32_t data_len;
    uint32_t truesize;
    uint32_t gso_size;
    uint32_t gso_type;
    uint32_t nr_frags;
};

struct val_ev_skb { /* net_dev_template / net_dev_xmit / net_dev_start_xmit */
    char dev[VAL_DEV_LEN];
    uint64_t skbaddr;
    uint32_t len;
    int rc;                 /* net_dev_xmit only */
    uint32_t queue_mapping; /* net_dev_start_xmit only */
};

struct val_trace_event {
    enum val_ev_kind kind;
    uint64_t line; /* 1-based line number in the source */
    char comm[VAL_COMM_LEN];
    int32_t tid;
    int32_t cpu;   /* -1 when the line has no [CPU] column */
    char flags[8]; /* irq-info column ("d.h1." / "dNH1"); "" when absent */
    uint64_t ts_ns;
    union {
        struct {
            int irq;
            char name[VAL_COMM_LEN];
            bool handled; /* exit only */
        } irq;
        struct {
            unsigned vec; /* NET_RX = 3 */
        } softirq;
        struct {
            uint64_t napi; /* napi struct pointer, hashed or raw */
            char dev[VAL_DEV_LEN];
            bool has_work; /* false on old kernels without work/budget */
            int work;
            int budget;
        } napi_poll;
        struct val_ev_rx rx;
        struct val_ev_skb skb;
        struct {
            char prev_comm[VAL_COMM_LEN];
            int prev_pid, prev_prio;
            char prev_state[8];
            char next_comm[VAL_COMM_LEN];
            int next_pid, next_prio;
        } sw;
        struct {
            char comm[VAL_COMM_LEN];
            int pid, prio;
            int target_cpu;         /* wakeup/waking */
            int orig_cpu, dest_cpu; /* migrate_task */
        } wake;
        struct {
            int cpu;                 /* the CPU the call_single_data is queued to */
            char func[VAL_COMM_LEN]; /* its function: rps_trigger_softirq, sched_ttwu_pending */
        } csd;
        struct {
            enum val_syscall nr;
            int64_t fd;
        } sys;
        struct {
            uint64_t skbaddr;
            /* reason CPU_BACKLOG (enqueue_to_backlog() found input_pkt_queue full or the flow
             * limit hit, net/core/dev.c); false for other reasons and for kernels before 5.17,
             * whose kfree_skb has no reason */
            bool cpu_backlog;
        } kfree;
    } u;
};

struct val_trace_stats {
    uint64_t lines;
    uint64_t events;                 /* lines that became a val_trace_event */
    uint64_t by_kind[VAL_EV__COUNT]; /* events per kind */
    uint64_t header_lines;           /* '#' comments and blank lines */
    uint64_t unknown_events;         /* well-formed lines of other events (see unknown) */
    uint64_t function_lines;         /* function tracer lines ("func <-parent"), skipped */
    uint64_t syscall_exit_lines;     /* "sys_x -> ret" / sys_exit_x, skipped */
    uint64_t garbled;                /* lines that could not be parsed, skipped */
    uint64_t lines_without_cpu;      /* events whose line had no [CPU] column */
    uint64_t prefixed_lines;         /* lines carrying an editor "Line N:" prefix */
    uint64_t lost_events;            /* sum of "CPU:n [LOST k EVENTS]" */
    uint64_t backwards;              /* events stamped before the event above them */
    uint64_t backwards_line;         /* the first such line, 0 = none */
    uint64_t backwards_ns;           /* how far back it went */
    GArray *lost_per_cpu;            /* uint64_t indexed by CPU */
    GArray *buffer_started_cpus;     /* int: CPUs with "CPU n buffer started" */
    GHashTable *unknown;             /* event name -> count (guint *) */
    GPtrArray *warnings;             /* first VAL_TRACE_MAX_WARNINGS "name:line: why" */
};

const char *val_ev_kind_name(enum val_ev_kind k);
const char *val_syscall_name(enum val_syscall s);

struct val_trace_reader;

/* Opens path for streaming; NULL + GError (SIM_ERROR_IO) naming the file. */
struct val_trace_reader *val_trace_open(const char *path, GError **err);
/* Reads from an open stream (borrowed; not closed); name is used in messages. */
struct val_trace_reader *val_trace_open_stream(FILE *f, const char *name);
/* 1 = ev filled, 0 = end of input, -1 = read error (GError SIM_ERROR_IO). Skipped lines
 * (headers, unknown or garbled) are accounted in the stats, never returned. */
int val_trace_next(struct val_trace_reader *r, struct val_trace_event *ev, GError **err);
/* Bytes of the trace read so far and the file's size (0 when not a regular file). */
void val_trace_position(const struct val_trace_reader *r, uint64_t *done, uint64_t *total);
/* From now on return only events of kind k: other lines are counted in lines, and
 * those that cannot hold its name are not parsed (other stats then count only the rest). */
void val_trace_only(struct val_trace_reader *r, enum val_ev_kind k);
/* Borrowed; valid until val_trace_free. */
const struct val_trace_stats *val_trace_get_stats(const struct val_trace_reader *r);
/* Unknown event names sorted by name, with their counts (new GPtrArray of "name count"). */
GPtrArray *val_trace_unknown_sorted(const struct val_trace_reader *r);
void val_trace_free(struct val_trace_reader *r);

/* What one line is, for callers parsing lines themselves. */
enum val_line_kind {
    VAL_LINE_EVENT,
    VAL_LINE_HEADER,
    VAL_LINE_UNKNOWN_EVENT,
    VAL_LINE_FUNCTION,
    VAL_LINE_SYSCALL_EXIT,
    VAL_LINE_LOST,
    VAL_LINE_BUFFER_STARTED,
    VAL_LINE_GARBLED,
};

struct val_line_info {
    char event_name[VAL_COMM_LEN]; /* UNKNOWN_EVENT */
    const char *why;               /* GARBLED: static reason */
    int cpu;                       /* LOST / BUFFER_STARTED */
    uint64_t lost;                 /* LOST */
    bool prefixed;                 /* had a "Line N:" prefix */
};

/* Parses one line (modified in place; no trailing newline). */
enum val_line_kind val_trace_parse_line(char *line, struct val_trace_event *ev,
                                        struct val_line_info *info);

/* "secs.frac" with 1..9 fraction digits to ns, exactly; false when malformed. */
bool val_trace_parse_ts(const char *s, size_t n, uint64_t *ns);

#endif
