/* Prices a traced NET_RX run with struct kern_cost (models/kernel/cost.c), the numbers the
 * simulator charges: handle_softirqs() pass + net_rx_action() + per napi->poll() call, per
 * packet in a device poll (driver + dev_gro_receive), per skb through __netif_receive_skb_core()
 * and the socket enqueue, per try_to_wake_up() done from the softirq, per RPS enqueue, per IPI
 * queued (csd_queue_cpu) and per hardirq nested in the run (net/core/dev.c, kernel/smp.c,
 * Linux 6.12). */
#include "validate/softirq_model.h"

#include "models/kernel/skb_defer.h"
#include "sim/core/rng.h"

#include <string.h>

#define NET_RX_SOFTIRQ 3 /* include/linux/interrupt.h */

struct val_nrx_model {
    int ncpus;
    struct kern_cost c;
    char rx_dev[VAL_DEV_LEN];
    bool *open;              /* per CPU: inside a NET_RX run whose entry was traced */
    struct val_nrx_run *run; /* per CPU: the open run */
    uint32_t *wakeups;       /* per CPU: sched_wakeup in the open run (traces without waking) */
    struct kern_skb_defer *defer; /* per CPU: its defer list, as far as the trace shows */
    bool *csd_queued;             /* per CPU: its call_single_queue holds an entry not yet run */
    bool seen_waking;             /* the trace has sched_waking: count those, not sched_wakeup */
    bool sub_us_clock;            /* some timestamp is not a whole µs */
    struct sim_rng rng;           /* jitter and clock phase: seeded, so validate is deterministic */
    GArray *record;
};

static const char *const term_names[VAL_NRX__N] = {
    [VAL_NRX_RUN] = "run",
    [VAL_NRX_POLL] = "napi_poll",
    [VAL_NRX_DEV_PKT] = "dev_pkt",
    [VAL_NRX_SKB] = "skb",
    [VAL_NRX_SOCK] = "sock_skb",
    [VAL_NRX_WAKE] = "wakeup",
    [VAL_NRX_RPS] = "rps_enqueue",
    [VAL_NRX_IPI] = "csd_queue",
    [VAL_NRX_IRQ] = "nested_irq",
    [VAL_NRX_DEFER] = "skb_defer_flush",
    [VAL_NRX_CSD_ENQ] = "csd_enqueue",
};

const char *val_nrx_term_name(enum val_nrx_term t)
{
    return (unsigned)t < VAL_NRX__N ? term_names[t] : "?";
}

struct val_nrx_model *val_nrx_model_new(int ncpus, const struct kern_cost *c, const char *rx_dev)
{
    struct val_nrx_model *m = g_new0(struct val_nrx_model, 1);
    m->ncpus = ncpus;
    m->c = *c;
    g_strlcpy(m->rx_dev, rx_dev ? rx_dev : "", sizeof m->rx_dev);
    size_t n = ncpus > 0 ? (size_t)ncpus : 1;
    m->open = g_new0(bool, n);
    m->run = g_new0(struct val_nrx_run, n);
    m->wakeups = g_new0(uint32_t, n);
    m->defer = g_new0(struct kern_skb_defer, n);
    m->csd_queued = g_new0(bool, n);
    sim_rng_init(&m->rng, 1, "validate/net_rx_jitter");
    return m;
}

void val_nrx_model_free(struct val_nrx_model *m)
{
    if (!m)
        return;
    g_free(m->open);
    g_free(m->run);
    g_free(m->wakeups);
    g_free(m->defer);
    g_free(m->csd_queued);
    g_free(m);
}

void val_nrx_model_record(struct val_nrx_model *m, GArray *runs)
{
    m->record = runs;
}

void val_nrx_model_rps_enqueue(struct val_nrx_model *m, int cpu, int target)
{
    if (cpu < 0 || cpu >= m->ncpus || target < 0 || target >= m->ncpus)
        return;
    if (m->open[cpu])
        m->run[cpu].n[VAL_NRX_RPS]++;
}

void val_nrx_prices(const struct kern_cost *c, double price[VAL_NRX__N])
{
    price[VAL_NRX_RUN] = (double)c->softirq_pass + c->net_rx_action;
    price[VAL_NRX_POLL] = c->napi_poll;
    price[VAL_NRX_DEV_PKT] = (double)c->drv_rx_pkt + c->gro_pkt;
    price[VAL_NRX_SKB] = c->stack_skb;
    price[VAL_NRX_SOCK] = c->sock_enqueue;
    price[VAL_NRX_WAKE] = c->wakeup;
    price[VAL_NRX_RPS] = c->rps_enqueue;
    price[VAL_NRX_IPI] = c->ipi_send;
    price[VAL_NRX_IRQ] = c->hardirq;
    price[VAL_NRX_DEFER] = c->skb_defer_flush;
    price[VAL_NRX_CSD_ENQ] = c->csd_enqueue;
}

uint64_t val_nrx_price_run(const struct val_nrx_run *r, const struct kern_cost *c)
{
    double p[VAL_NRX__N], ns = 0;
    val_nrx_prices(c, p);
    for (int t = 0; t < VAL_NRX__N; t++)
        ns += p[t] * r->n[t];
    return (uint64_t)(ns + 0.5);
}

/* Price + jitter sample, read through a whole-µs trace clock when the trace has one: a run
 * of d ns starting at a uniform phase within a µs tick spans floor(phase + d) ticks. */
static int64_t measured(struct val_nrx_model *m, const struct val_nrx_run *r)
{
    int64_t ns = (int64_t)val_nrx_price_run(r, &m->c);
    if (m->c.n_net_rx_jitter) {
        /* the fitted residuals already hold the trace clock's quantization: round to its tick */
        ns += kern_cost_net_rx_extra(&m->c, (uint64_t)ns, sim_rng_unit(&m->rng));
        return m->sub_us_clock ? ns : (ns + 500) / 1000 * 1000;
    }
    if (!m->sub_us_clock) {
        int64_t phase = (int64_t)sim_rng_below(&m->rng, 1000);
        ns = (phase + ns) / 1000 * 1000;
    }
    return ns;
}

static int64_t close_run(struct val_nrx_model *m, int c, uint64_t ts)
{
    m->open[c] = false;
    struct val_nrx_run *r = &m->run[c];
    r->trace_ns = ts >= r->trace_ns ? ts - r->trace_ns : 0;
    if (!r->n[VAL_NRX_WAKE] && !m->seen_waking)
        r->n[VAL_NRX_WAKE] = m->wakeups[c];
    if (m->record)
        g_array_append_val(m->record, *r);
    return measured(m, r);
}

/* napi_poll(): a device poll (veth_poll / ixgbe_poll) pays the driver's per-descriptor work and
 * GRO per packet; process_backlog() (no_device) only its call, its skbs are priced at
 * netif_receive_skb. */
static void count_event(struct val_nrx_model *m, struct val_nrx_run *r,
                        const struct val_trace_event *ev)
{
    switch (ev->kind) {
    case VAL_EV_NAPI_POLL:
        r->n[VAL_NRX_POLL]++;
        if (strcmp(ev->u.napi_poll.dev, "(no_device)") != 0 && ev->u.napi_poll.has_work)
            r->n[VAL_NRX_DEV_PKT] += (uint32_t)MAX(ev->u.napi_poll.work, 0);
        break;
    case VAL_EV_NETIF_RECEIVE_SKB:
        /* __netif_receive_skb_core + ip_rcv + udp/tcp rcv; only the receiving device's skbs
         * are queued on a reader's socket (the sender's ACKs end in tcp_ack). */
        r->n[VAL_NRX_SKB]++;
        if (strcmp(ev->u.skb.dev, m->rx_dev) == 0)
            r->n[VAL_NRX_SOCK]++;
        break;
    case VAL_EV_SCHED_WAKING:
        r->n[VAL_NRX_WAKE]++; /* sk_data_ready -> try_to_wake_up() on the waker side */
        break;
    case VAL_EV_SCHED_WAKEUP:
        m->wakeups[ev->cpu]++; /* ttwu_do_activate(): the waking itself when not traced */
        break;
    case VAL_EV_CSD_QUEUE_CPU:
        break; /* counted by csd_queue(): whether an IPI went out depends on the target */
    case VAL_EV_IRQ_HANDLER_ENTRY:
    case VAL_EV_CALL_FUNCTION_SINGLE_ENTRY:
    case VAL_EV_RESCHEDULE_ENTRY:
    case VAL_EV_HRTIMER_EXPIRE_ENTRY:
        r->n[VAL_NRX_IRQ]++; /* irq_enter_rcu() ... irq_exit_rcu() inside the softirq's time */
        break;
    default:
        break;
    }
}

/* __smp_call_single_queue(): if (llist_add(node, &per_cpu(call_single_queue, cpu)))
 * send_call_function_single_ipi(cpu); the queue is drained (llist_del_all) by the target's
 * CAL IPI, whose call_function_single_entry event clears it here. */
static void csd_queue(struct val_nrx_model *m, const struct val_trace_event *ev)
{
    int c = ev->cpu, t = (int)ev->u.csd.cpu;
    bool was_empty = t < 0 || t >= m->ncpus || !m->csd_queued[t];
    if (t >= 0 && t < m->ncpus)
        m->csd_queued[t] = true;
    if (m->open[c])
        m->run[c].n[was_empty ? VAL_NRX_IPI : VAL_NRX_CSD_ENQ]++;
}

int64_t val_nrx_model_event(struct val_nrx_model *m, const struct val_trace_event *ev)
{
    int c = ev->cpu;
    if (c < 0 || c >= m->ncpus)
        return -1;
    if (ev->ts_ns % 1000)
        m->sub_us_clock = true;
    if (ev->kind == VAL_EV_SCHED_WAKING)
        m->seen_waking = true;
    if (ev->kind == VAL_EV_CALL_FUNCTION_SINGLE_ENTRY)
        m->csd_queued[c] = false; /* generic_smp_call_function_single_interrupt() drains it */
    if (ev->kind == VAL_EV_CSD_QUEUE_CPU)
        csd_queue(m, ev);
    /* skb_attempt_defer_free() -> kick_defer_list_purge(): the target's next net_rx_action
     * runs skb_defer_free_flush() */
    if (ev->kind == VAL_EV_CSD_QUEUE_CPU && ev->u.csd.cpu < m->ncpus &&
        strcmp(ev->u.csd.func, "trigger_rx_softirq") == 0)
        kern_skb_defer_kicked(&m->defer[ev->u.csd.cpu]);
    if (ev->kind == VAL_EV_SOFTIRQ_ENTRY && ev->u.softirq.vec == NET_RX_SOFTIRQ) {
        m->open[c] = true;
        memset(&m->run[c], 0, sizeof m->run[c]);
        m->run[c].trace_ns = ev->ts_ns;
        m->run[c].cpu = c;
        m->run[c].n[VAL_NRX_RUN] = 1;
        m->run[c].n[VAL_NRX_DEFER] = kern_skb_defer_flush(&m->defer[c]);
        m->wakeups[c] = 0;
        return -1;
    }
    if (!m->open[c])
        return -1;
    if (ev->kind == VAL_EV_SOFTIRQ_EXIT)
        return ev->u.softirq.vec == NET_RX_SOFTIRQ ? close_run(m, c, ev->ts_ns) : -1;
    count_event(m, &m->run[c], ev);
    return -1;
}
