/* Prices a traced NET_RX run with struct kern_cost (models/kernel/cost.c), the numbers the
 * simulator charges: handle_softirqs() pass + net_rx_action() + per napi->poll() call, per
 * packet in a device poll (driver + dev_gro_receive), per skb through __netif_receive_skb_core()
 * and the socket enqueue, per try_to_wake_up() done from the softirq, per RPS enqueue and IPI
 * sent (net/core/dev.c, Linux 6.12). */
#include "validate/softirq_model.h"

#include <string.h>

#define NET_RX_SOFTIRQ 3 /* include/linux/interrupt.h */

struct val_nrx_model {
    int ncpus;
    struct kern_cost c;
    char rx_dev[VAL_DEV_LEN];
    bool *open;     /* per CPU: inside a NET_RX run whose entry was traced */
    uint64_t *ns;   /* per CPU: cost of the open run so far */
    uint8_t *ipi;   /* [cpu * ncpus + target]: an RPS IPI cpu owes target (sd->rps_ipi_list) */
    unsigned *nipi; /* per CPU: targets set in its ipi row */
};

struct val_nrx_model *val_nrx_model_new(int ncpus, const struct kern_cost *c, const char *rx_dev)
{
    struct val_nrx_model *m = g_new0(struct val_nrx_model, 1);
    m->ncpus = ncpus;
    m->c = *c;
    g_strlcpy(m->rx_dev, rx_dev ? rx_dev : "", sizeof m->rx_dev);
    m->open = g_new0(bool, ncpus > 0 ? ncpus : 1);
    m->ns = g_new0(uint64_t, ncpus > 0 ? ncpus : 1);
    m->ipi = g_new0(uint8_t, ncpus > 0 ? (size_t)ncpus * (size_t)ncpus : 1);
    m->nipi = g_new0(unsigned, ncpus > 0 ? ncpus : 1);
    return m;
}

void val_nrx_model_free(struct val_nrx_model *m)
{
    if (!m)
        return;
    g_free(m->open);
    g_free(m->ns);
    g_free(m->ipi);
    g_free(m->nipi);
    g_free(m);
}

void val_nrx_model_rps_enqueue(struct val_nrx_model *m, int cpu, int target)
{
    if (cpu < 0 || cpu >= m->ncpus || target < 0 || target >= m->ncpus)
        return;
    if (m->open[cpu])
        m->ns[cpu] += m->c.rps_enqueue;
    uint8_t *q = &m->ipi[(size_t)cpu * (size_t)m->ncpus + (size_t)target];
    if (target != cpu && !*q) {
        *q = 1;
        m->nipi[cpu]++;
    }
}

/* net_rx_action() -> net_rps_action_and_irq_enable(): one IPI per remote backlog this CPU
 * queued packets to since its last run. */
static uint64_t send_ipis(struct val_nrx_model *m, int cpu)
{
    if (!m->nipi[cpu])
        return 0;
    uint64_t n = m->nipi[cpu];
    memset(&m->ipi[(size_t)cpu * (size_t)m->ncpus], 0, (size_t)m->ncpus);
    m->nipi[cpu] = 0;
    return n * m->c.ipi_send;
}

/* napi_poll(): a device poll (veth_poll / ixgbe_poll) pays the driver's per-descriptor work and
 * GRO per packet; process_backlog() (no_device) only its call, its skbs are priced at
 * netif_receive_skb. */
static void price_poll(struct val_nrx_model *m, const struct val_trace_event *ev)
{
    uint64_t *ns = &m->ns[ev->cpu];
    *ns += m->c.napi_poll;
    if (strcmp(ev->u.napi_poll.dev, "(no_device)") != 0 && ev->u.napi_poll.has_work)
        *ns += (uint64_t)MAX(ev->u.napi_poll.work, 0) * (m->c.drv_rx_pkt + m->c.gro_pkt);
}

int64_t val_nrx_model_event(struct val_nrx_model *m, const struct val_trace_event *ev)
{
    int c = ev->cpu;
    if (c < 0 || c >= m->ncpus)
        return -1;
    switch (ev->kind) {
    case VAL_EV_SOFTIRQ_ENTRY:
        if (ev->u.softirq.vec == NET_RX_SOFTIRQ) {
            m->open[c] = true;
            m->ns[c] = (uint64_t)m->c.softirq_pass + m->c.net_rx_action + send_ipis(m, c);
        }
        return -1;
    case VAL_EV_SOFTIRQ_EXIT:
        if (ev->u.softirq.vec != NET_RX_SOFTIRQ || !m->open[c])
            return -1;
        m->open[c] = false;
        return (int64_t)m->ns[c];
    default:
        break;
    }
    if (!m->open[c])
        return -1;
    switch (ev->kind) {
    case VAL_EV_NAPI_POLL:
        price_poll(m, ev);
        break;
    case VAL_EV_NETIF_RECEIVE_SKB:
        /* __netif_receive_skb_core + ip_rcv + udp/tcp rcv; only the receiving device's skbs
         * are queued on a reader's socket (the sender's ACKs end in tcp_ack). */
        m->ns[c] += m->c.stack_skb;
        if (strcmp(ev->u.skb.dev, m->rx_dev) == 0)
            m->ns[c] += m->c.sock_enqueue;
        break;
    case VAL_EV_SCHED_WAKING:
        m->ns[c] += m->c.wakeup; /* sk_data_ready -> try_to_wake_up() on the waker side */
        break;
    default:
        break;
    }
    return -1;
}
