/* ixgbe-like driver over the model 82599: MSI-X handler, NAPI poll with a
 * per-ring budget share, adaptive interrupt moderation (ixgbe_update_itr,
 * ixgbe_set_itr). Mirrors drivers/net/ethernet/intel/ixgbe/ixgbe_main.c and
 * ixgbe_lib.c, Linux 6.12. Reads like the driver on purpose. */
#include "nicdrv-model/nicdrv.h"

#include <string.h>

#include "nicdrv-model/kshim.h"
#include "sim/core/err.h"

struct nicdrv_q_vector {
    struct nicdrv_adapter *adapter;
    unsigned v_idx;
    unsigned irq;
    struct napi_struct napi;
    unsigned rx_first, rx_count; /* rings v_idx, v_idx + num_q_vectors, ... */
    struct ixgbe_ring_container rx, tx;
    uint16_t itr; /* Interrupt throttle rate written to EITR */
    char name[32];
};

struct nicdrv_adapter {
    struct nic *hw;
    struct kern_host *host;
    const struct kern_observer *obs; /* the host's timeline observer (RX ring fill) */
    unsigned num_q_vectors;
    unsigned num_rx_queues;
    struct nicdrv_q_vector *q_vector;
    int rx_itr_setting;      /* 0 off, 1 adaptive, else µs << 2 */
    unsigned link_speed;     /* Mb/s */
    unsigned kernel_version; /* kversion.h: which ixgbe_set_itr() the driver is */
    unsigned dev_index;      /* netdev index in the kernel model (eth0 = 0) */
    unsigned num_tx_queues;
    void (*atr_sample)(void *ctx, uint32_t flow, uint8_t tcp_flags, unsigned txq);
    void *atr_ctx;
    struct nicdrv_arfs *arfs; /* aRFS filters, NULL = off */
    uint64_t tx_descs;        /* descriptors written by ixgbe_xmit_frame_ring (TSO/GSO stats) */
    /* polls by the work ixgbe_poll() returned (what the napi_poll tracepoint shows) */
    uint64_t poll_hist[NICDRV_POLL_HIST_BINS];
    const struct bpf_prog *xdp_prog; /* adapter->xdp_prog, NULL = no XDP */
    struct nicdrv_xdp_stats xdp;
};

#define IXGBE_DEFAULT_TX_WORK 256 /* q_vector->tx.work_limit */
/* ixgbe.h: IXGBE_MAX_TXD_PWR 14, IXGBE_MAX_DATA_PER_TXD 16 KB per data descriptor */
#define IXGBE_MAX_DATA_PER_TXD (1u << 14)
#define IXGBE_TXD_USE_COUNT(S) (((S) + IXGBE_MAX_DATA_PER_TXD - 1) / IXGBE_MAX_DATA_PER_TXD)

/* ixgbe_clean_tx_irq(): written-back descriptors of one TX ring, at most
 * work_limit; true when the ring was cleaned completely. */
static bool ixgbe_clean_tx_irq(struct nicdrv_q_vector *q_vector, unsigned ring)
{
    struct nicdrv_adapter *adapter = q_vector->adapter;
    struct kern_host *h = adapter->host;
    unsigned total_bytes = 0, total_packets = 0, budget = IXGBE_DEFAULT_TX_WORK;
    const struct nic_tx_desc *tx_desc;
    while (budget && (tx_desc = nic_tx_clean_next(adapter->hw, ring, ktime_get_ns(h)))) {
        kshim_cpu_work(h, kshim_costs(h)->tx_clean_pkt);
        total_bytes += tx_desc->len;
        total_packets++;
        napi_consume_skb(h, tx_desc->cookie);
        budget--;
    }
    q_vector->tx.total_bytes += total_bytes;
    q_vector->tx.total_packets += total_packets;
    return budget != 0;
}

static bool ixgbe_tx_map(struct nicdrv_adapter *adapter, const struct kern_tx_pkt *p, unsigned txq);

bool nicdrv_xmit_frame(void *drv, const struct kern_tx_pkt *p, unsigned txq)
{
    struct nicdrv_adapter *adapter = drv;
    if (txq >= adapter->num_tx_queues)
        return false;
    /* ixgbe_xmit_frame_ring: ixgbe_atr() before the descriptors are written */
    if (adapter->atr_sample)
        adapter->atr_sample(adapter->atr_ctx, p->flow, p->tcp_flags, txq);
    if (!p->shape) {
        struct nic_tx_req req = {.len = p->len,
                                 .descs = 1,
                                 .cookie = p->sock,
                                 .flow = p->flow,
                                 .l4_payload = p->payload,
                                 .tcp_flags = p->tcp_flags};
        return nic_tx_post(adapter->hw, txq, &req, ktime_get_ns(adapter->host));
    }
    return ixgbe_tx_map(adapter, p, txq);
}

/* ---- TSO (#15 point 3) ---- */

unsigned nicdrv_tx_desc_count(const struct kern_skb_shape *s)
{
    /* ixgbe_xmit_frame_ring(): count = TXD_USE_COUNT(skb_headlen) + TXD_USE_COUNT(each
     * frag), then ixgbe_tso() / ixgbe_tx_csum() write one context descriptor first
     * (a TCP skb is CHECKSUM_PARTIAL on a checksumming device). */
    unsigned count = IXGBE_TXD_USE_COUNT(s->headlen);
    for (unsigned f = 0; f < s->nr_frags; f++)
        count += IXGBE_TXD_USE_COUNT(s->frag[f]);
    return count + 1;
}

/* ixgbe_tso() + ixgbe_tx_map(): the context descriptor (MSS, header length) and the data
 * descriptors, priced per descriptor; the 82599 cuts gso_size segments on the wire. */
static bool ixgbe_tx_map(struct nicdrv_adapter *adapter, const struct kern_tx_pkt *p, unsigned txq)
{
    struct kern_host *h = adapter->host;
    unsigned count = nicdrv_tx_desc_count(p->shape);
    struct nic_tx_req req = {.len = p->len,
                             .hdr = p->shape->headlen,
                             .mss = p->shape->gso_size,
                             .descs = count,
                             .cookie = p->sock,
                             .flow = p->flow,
                             .tcp_flags = p->tcp_flags};
    if (!nic_tx_post(adapter->hw, txq, &req, ktime_get_ns(h)))
        return false; /* ixgbe_maybe_stop_tx: NETDEV_TX_BUSY */
    kshim_cpu_work(h, (uint64_t)count * kshim_costs(h)->tx_desc);
    adapter->tx_descs += count;
    return true;
}

uint64_t nicdrv_tx_descs(const struct nicdrv_adapter *adapter)
{
    return adapter->tx_descs;
}

static void ixgbe_write_eitr(struct nicdrv_q_vector *q_vector)
{
    nic_write_eitr(q_vector->adapter->hw, q_vector->v_idx, q_vector->itr & IXGBE_MAX_EITR);
}

void nicdrv_update_itr(struct ixgbe_ring_container *rc, uint16_t q_itr, unsigned link_mbps,
                       unsigned long jiffies)
{
    unsigned itr = IXGBE_ITR_ADAPTIVE_MIN_USECS | IXGBE_ITR_ADAPTIVE_LATENCY;
    unsigned avg_wire_size, packets, bytes;
    unsigned long next_update = jiffies;

    if (!rc->ring)
        return;
    /* Not updated within 1-2 jiffies: traffic too slow or NAPI busy. */
    if (time_after(next_update, rc->next_update))
        goto clear_counts;

    packets = rc->total_packets;
    if (!packets) {
        itr = (q_itr >> 2) + IXGBE_ITR_ADAPTIVE_MIN_INC;
        if (itr > IXGBE_ITR_ADAPTIVE_MAX_USECS)
            itr = IXGBE_ITR_ADAPTIVE_MAX_USECS;
        itr += rc->itr & IXGBE_ITR_ADAPTIVE_LATENCY;
        goto clear_counts;
    }
    bytes = rc->total_bytes;
    if (packets < 4 && bytes < 9000) { /* latency driven */
        itr = IXGBE_ITR_ADAPTIVE_LATENCY;
        goto adjust_by_size;
    }
    if (packets < 48) { /* delay slightly too low */
        itr = (q_itr >> 2) + IXGBE_ITR_ADAPTIVE_MIN_INC;
        if (itr > IXGBE_ITR_ADAPTIVE_MAX_USECS)
            itr = IXGBE_ITR_ADAPTIVE_MAX_USECS;
        goto clear_counts;
    }
    if (packets < 96) { /* "goldilocks" */
        itr = q_itr >> 2;
        goto clear_counts;
    }
    if (packets < 256) { /* overrun: halve */
        itr = q_itr >> 3;
        if (itr < IXGBE_ITR_ADAPTIVE_MIN_USECS)
            itr = IXGBE_ITR_ADAPTIVE_MIN_USECS;
        goto clear_counts;
    }
    itr = IXGBE_ITR_ADAPTIVE_BULK;

adjust_by_size:
    avg_wire_size = bytes / packets;
    if (avg_wire_size <= 60)
        avg_wire_size = 5120; /* 50K ints/sec */
    else if (avg_wire_size <= 316)
        avg_wire_size = avg_wire_size * 40 + 2720;
    else if (avg_wire_size <= 1084)
        avg_wire_size = avg_wire_size * 15 + 11452;
    else if (avg_wire_size < 1968)
        avg_wire_size = avg_wire_size * 5 + 22420;
    else
        avg_wire_size = 32256; /* plateau at 8K ints/sec */
    if (itr & IXGBE_ITR_ADAPTIVE_LATENCY)
        avg_wire_size >>= 1;
    if (link_mbps >= 10000 || link_mbps == 100) {
        itr += DIV_ROUND_UP(avg_wire_size, IXGBE_ITR_ADAPTIVE_MIN_INC * 256) *
               IXGBE_ITR_ADAPTIVE_MIN_INC;
    } else { /* 2.5G, 1G, 10M */
        if (avg_wire_size > 8064)
            avg_wire_size = 8064;
        itr += DIV_ROUND_UP(avg_wire_size, IXGBE_ITR_ADAPTIVE_MIN_INC * 64) *
               IXGBE_ITR_ADAPTIVE_MIN_INC;
    }

clear_counts:
    rc->itr = (uint8_t)itr;
    rc->next_update = next_update + 1;
    rc->total_bytes = 0;
    rc->total_packets = 0;
}

void nicdrv_update_itr_legacy(struct ixgbe_ring_container *rc, uint16_t q_itr)
{
    unsigned packets = rc->total_packets, timepassed_us = q_itr >> 2;
    uint8_t itr_setting = rc->itr;
    if (packets == 0 || timepassed_us == 0)
        return;
    /* simple throttlerate management: 0-10 MB/s lowest (100000 ints/s), 10-20 MB/s low
     * (20000 ints/s), 20-1249 MB/s bulk (8000 ints/s) */
    unsigned bytes_perint = rc->total_bytes / timepassed_us; /* bytes/usec */
    switch (itr_setting) {
    case NICDRV_LOWEST_LATENCY:
        if (bytes_perint > 10)
            itr_setting = NICDRV_LOW_LATENCY;
        break;
    case NICDRV_LOW_LATENCY:
        if (bytes_perint > 20)
            itr_setting = NICDRV_BULK_LATENCY;
        else if (bytes_perint <= 10)
            itr_setting = NICDRV_LOWEST_LATENCY;
        break;
    case NICDRV_BULK_LATENCY:
        if (bytes_perint <= 20)
            itr_setting = NICDRV_LOW_LATENCY;
        break;
    }
    rc->total_bytes = 0;
    rc->total_packets = 0;
    rc->itr = itr_setting;
}

uint16_t nicdrv_set_itr_legacy(uint8_t rx_class, uint8_t tx_class, uint16_t q_itr,
                               unsigned kernel_version)
{
    unsigned new_itr = q_itr;
    switch (MAX(rx_class, tx_class)) {
    case NICDRV_LOWEST_LATENCY:
        new_itr = IXGBE_100K_ITR;
        break;
    case NICDRV_LOW_LATENCY:
        new_itr = IXGBE_20K_ITR;
        break;
    case NICDRV_BULK_LATENCY:
        /* "ixgbe: Limit lowest interrupt rate for adaptive interrupt moderation to 12K"
         * (commit 8ac34f10a5ea4, v4.3 [release not verified]) raised bulk from 8K */
        new_itr = kernel_version < KERN_VERSION(4, 3) ? IXGBE_8K_ITR : IXGBE_12K_ITR;
        break;
    default:
        break;
    }
    if (new_itr != q_itr) /* do an exponential smoothing */
        new_itr = (10 * new_itr * q_itr) / ((9 * new_itr) + q_itr);
    return (uint16_t)new_itr;
}

/* ixgbe_set_itr() before 4.16: classes of both containers, smoothed rate, written on change. */
static void ixgbe_set_itr_legacy(struct nicdrv_q_vector *q_vector)
{
    nicdrv_update_itr_legacy(&q_vector->tx, q_vector->itr);
    nicdrv_update_itr_legacy(&q_vector->rx, q_vector->itr);
    uint16_t new_itr = nicdrv_set_itr_legacy(q_vector->rx.itr, q_vector->tx.itr, q_vector->itr,
                                             q_vector->adapter->kernel_version);
    if (new_itr != q_vector->itr) {
        q_vector->itr = new_itr;
        ixgbe_write_eitr(q_vector);
    }
}

/* ixgbe_set_itr(): the smaller of the RX and TX proposals, written on change. */
static void ixgbe_set_itr(struct nicdrv_q_vector *q_vector)
{
    struct nicdrv_adapter *adapter = q_vector->adapter;
    if (adapter->kernel_version < KERN_VERSION(4, 16)) {
        ixgbe_set_itr_legacy(q_vector);
        return;
    }
    unsigned long j = jiffies_of(adapter->host);
    nicdrv_update_itr(&q_vector->tx, q_vector->itr, adapter->link_speed, j);
    nicdrv_update_itr(&q_vector->rx, q_vector->itr, adapter->link_speed, j);
    unsigned new_itr = MIN(q_vector->rx.itr, q_vector->tx.itr);
    new_itr &= ~IXGBE_ITR_ADAPTIVE_LATENCY;
    new_itr <<= 2;
    if (new_itr != q_vector->itr) {
        q_vector->itr = (uint16_t)new_itr;
        ixgbe_write_eitr(q_vector);
    }
}

irqreturn_t nicdrv_msix_clean_rings(int irq, void *data)
{
    struct nicdrv_q_vector *q_vector = data;
    kshim_cpu_work(q_vector->adapter->host, kshim_costs(q_vector->adapter->host)->irq_handler);
    /* EIAM already auto-masked the vector */
    if (!q_vector->rx.ring && !q_vector->tx.ring)
        return IRQ_NONE;
    napi_schedule_irqoff(&q_vector->napi);
    return IRQ_HANDLED;
}

/* ixgbe_run_xdp() results (ixgbe_txrx_common.h) */
#define IXGBE_XDP_PASS     0
#define IXGBE_XDP_CONSUMED 1
#define IXGBE_XDP_TX       2
#define IXGBE_XDP_REDIR    4
#define NICDRV_XDP_COOKIE  UINT32_MAX /* an xdp_frame on a TX ring: no socket's wmem */

/* ixgbe_xmit_xdp_ring() on ixgbe_determine_xdp_ring(): the XDP TX ring of this CPU. The
 * 82599 gives XDP its own rings (one per CPU); the model NIC has only the stack's, so the
 * frame goes on TX ring cpu % num_tx_queues, cleaned by ixgbe_clean_tx_irq like any. */
static int ixgbe_xmit_xdp_ring(struct nicdrv_adapter *adapter, const struct xdp_frame *xdpf)
{
    struct kern_host *h = adapter->host;
    unsigned txq = smp_processor_id(h) % adapter->num_tx_queues;
    if (!nic_tx_frame(adapter->hw, txq, xdpf->len, NICDRV_XDP_COOKIE, ktime_get_ns(h)))
        return IXGBE_XDP_CONSUMED; /* ixgbe_desc_unused() < 1 */
    kshim_cpu_work(h, kshim_costs(h)->xdp_xmit);
    return IXGBE_XDP_TX;
}

/* ixgbe_run_xdp(): the program on the descriptor's buffer, before any skb. */
static int ixgbe_run_xdp(struct nicdrv_adapter *adapter, const struct nic_rx_desc *rx_desc,
                         unsigned ring)
{
    struct kern_host *h = adapter->host;
    struct xdp_frame xdp = {
        .ts = rx_desc->ts, .flow = rx_desc->flow, .len = rx_desc->len, .queue = (uint16_t)ring};
    int result;
    switch (bpf_prog_run_xdp(h, adapter->xdp_prog, rx_desc->flow)) {
    case XDP_PASS:
        adapter->xdp.pass++;
        return IXGBE_XDP_PASS;
    case XDP_TX:
        result = ixgbe_xmit_xdp_ring(adapter, &xdp);
        if (result == IXGBE_XDP_CONSUMED) {
            adapter->xdp.tx_full++;
            return IXGBE_XDP_CONSUMED; /* out_failure: trace_xdp_exception */
        }
        adapter->xdp.tx++;
        return result;
    case XDP_REDIRECT:
        if (xdp_do_redirect(h, &xdp) != 0) {
            adapter->xdp.redirect_err++;
            return IXGBE_XDP_CONSUMED; /* out_failure */
        }
        adapter->xdp.redirect++;
        return IXGBE_XDP_REDIR;
    case XDP_DROP:
        adapter->xdp.drop++;
        return IXGBE_XDP_CONSUMED; /* the page is recycled: ixgbe_rx_buffer_flip */
    default: /* XDP_ABORTED: bpf_warn_invalid_xdp_action, trace_xdp_exception */
        adapter->xdp.aborted++;
        return IXGBE_XDP_CONSUMED;
    }
}

/* ixgbe_clean_rx_irq(): descriptors with DD set, up to `budget`. */
static int ixgbe_clean_rx_irq(struct nicdrv_q_vector *q_vector, unsigned ring, int budget)
{
    struct nicdrv_adapter *adapter = q_vector->adapter;
    unsigned total_rx_bytes = 0, total_rx_packets = 0, xdp_xmit = 0;
    const struct kern_cost *cost = kshim_costs(adapter->host);

    while (total_rx_packets < (unsigned)budget) {
        const struct nic_rx_desc *rx_desc = nic_rx_next(adapter->hw, ring);
        if (!rx_desc)
            break;
        kshim_trace_rx_ring_cleaned(adapter->obs, adapter->host, adapter->dev_index, ring,
                                    rx_desc->ts);
        uint64_t work = cost->drv_rx_pkt; /* charged with GRO's own (napi_gro_receive_after) */
        if (adapter->xdp_prog) {
            kshim_cpu_work(adapter->host, cost->xdp_rx_desc);
            int xdp_res = ixgbe_run_xdp(adapter, rx_desc, ring);
            if (xdp_res) { /* consumed, transmitted or redirected: no skb */
                xdp_xmit |= (unsigned)xdp_res & (IXGBE_XDP_TX | IXGBE_XDP_REDIR);
                total_rx_packets++;
                total_rx_bytes += rx_desc->len;
                continue;
            }
            /* XDP_PASS: ixgbe_build_skb, the rest of the descriptor's work */
            work = cost->drv_rx_pkt > cost->xdp_rx_desc ? cost->drv_rx_pkt - cost->xdp_rx_desc : 0;
        }
        /* ixgbe_build_skb (napi_build_skb: in place on the NAPI's gro_normal list) +
         * ixgbe_process_skb_fields (ixgbe_rx_hash, skb_record_rx_queue) */
        struct sk_buff *skb = napi_build_skb(&q_vector->napi);
        skb->flow = rx_desc->flow;
        skb->len = rx_desc->len;
        skb->payload = rx_desc->payload;
        skb->seq_next = rx_desc->seq + rx_desc->payload;
        /* No descriptor hash: the stack's flow dissector hash (jhash of the
         * tuple); the flow id stands for it. */
        skb->hash = rx_desc->hashed ? rx_desc->hash : g_int_hash(&rx_desc->flow);
        skb->l4_hash = rx_desc->l4_hash;
        skb->l4 = rx_desc->l4;
        skb->queue = (uint16_t)ring;
        skb->dev = (uint8_t)adapter->dev_index;
        skb->segs = 1;
        skb->jiffy = 0;
        skb->ts[0] = rx_desc->ts;
        total_rx_bytes += rx_desc->len; /* skb->len before eth_type_trans */
        napi_gro_receive_after(&q_vector->napi, skb, work);
        total_rx_packets++;
    }
    if (xdp_xmit & IXGBE_XDP_REDIR)
        xdp_do_flush(adapter->host);
    /* xdp_xmit & IXGBE_XDP_TX: ixgbe_xdp_ring_update_tail_locked(); the model NIC's tail
     * moved with each frame */
    q_vector->rx.total_packets += total_rx_packets;
    q_vector->rx.total_bytes += total_rx_bytes;
    return (int)total_rx_packets;
}

static int ixgbe_poll(struct napi_struct *napi, int budget);

/* __napi_poll()'s trace_napi_poll(napi, work, weight) sees what ixgbe_poll() returned. */
int nicdrv_poll(struct napi_struct *napi, int budget)
{
    struct nicdrv_q_vector *q_vector = napi->priv;
    int work = ixgbe_poll(napi, budget);
    q_vector->adapter->poll_hist[MIN((unsigned)MAX(work, 0), NICDRV_POLL_HIST_BINS - 1)]++;
    return work;
}

static int ixgbe_poll(struct napi_struct *napi, int budget)
{
    struct nicdrv_q_vector *q_vector = napi->priv;
    struct nicdrv_adapter *adapter = q_vector->adapter;
    int per_ring_budget, work_done = 0;
    bool clean_complete = true;

    if (adapter->arfs)
        nicdrv_arfs_expire(adapter->arfs);
    for (unsigned r = q_vector->v_idx; r < adapter->num_tx_queues; r += adapter->num_q_vectors)
        clean_complete &= ixgbe_clean_tx_irq(q_vector, r);
    /* Exit if we are called by netpoll */
    if (budget <= 0)
        return budget;
    /* attempt to distribute budget to each queue fairly, but don't allow
     * the budget to go below 1 because we'll exit polling */
    if (q_vector->rx_count > 1)
        per_ring_budget = MAX(budget / (int)q_vector->rx_count, 1);
    else
        per_ring_budget = budget;
    for (unsigned i = 0; i < q_vector->rx_count; i++) {
        unsigned ring = q_vector->rx_first + i * adapter->num_q_vectors;
        int cleaned = ixgbe_clean_rx_irq(q_vector, ring, per_ring_budget);
        work_done += cleaned;
        if (cleaned >= per_ring_budget)
            clean_complete = false;
    }
    /* If all work not completed, return budget and keep polling */
    if (!clean_complete)
        return budget;
    /* all work done, exit the polling mode */
    if (napi_complete_done(napi, work_done)) {
        if (adapter->rx_itr_setting & 1)
            ixgbe_set_itr(q_vector);
        /* ixgbe_irq_enable_queues(): EIMS */
        nic_irq_enable(adapter->hw, q_vector->v_idx, ktime_get_ns(adapter->host));
    }
    return MIN(work_done, budget - 1);
}

struct nicdrv_adapter *nicdrv_probe(struct nic *hw, struct kern_host *h,
                                    const struct nicdrv_cfg *cfg, GError **err)
{
    struct nicdrv_adapter *adapter = g_new0(struct nicdrv_adapter, 1);
    adapter->hw = hw;
    adapter->host = h;
    adapter->obs = kshim_observer(h);
    adapter->link_speed = cfg->link_mbps;
    adapter->kernel_version = kshim_kernel_version(h);
    adapter->dev_index = cfg->dev_index;
    adapter->num_tx_queues = nic_n_tx_queues(hw);
    adapter->atr_sample = cfg->atr_sample;
    adapter->atr_ctx = cfg->atr_ctx;
    adapter->xdp_prog = cfg->xdp_prog;
    adapter->num_q_vectors = nic_q_vectors(hw);
    adapter->num_rx_queues = nic_n_rx_queues(hw);
    /* ixgbe_set_coalesce: rx-usecs > 1 is stored shifted into EITR units */
    adapter->rx_itr_setting = cfg->rx_usecs > 1 ? cfg->rx_usecs << 2 : cfg->rx_usecs;
    adapter->q_vector = g_new0(struct nicdrv_q_vector, adapter->num_q_vectors);
    for (unsigned v = 0; v < adapter->num_q_vectors; v++) {
        struct nicdrv_q_vector *q_vector = &adapter->q_vector[v];
        q_vector->adapter = adapter;
        q_vector->v_idx = v;
        q_vector->rx_first = v;
        q_vector->rx_count = 0;
        for (unsigned r = v; r < adapter->num_rx_queues; r += adapter->num_q_vectors)
            q_vector->rx_count++;
        q_vector->rx.ring = q_vector->rx_count > 0;
        q_vector->tx.ring = true; /* TxRx vectors */
        /* 4.16+ starts both proposals at the maximum in latency mode; before, the
         * zeroed containers start in lowest_latency */
        q_vector->rx.itr = q_vector->tx.itr =
            adapter->kernel_version < KERN_VERSION(4, 16)
                ? NICDRV_LOWEST_LATENCY
                : IXGBE_ITR_ADAPTIVE_MAX_USECS | IXGBE_ITR_ADAPTIVE_LATENCY;
        /* ixgbe_alloc_q_vector: initialize ITR */
        q_vector->itr =
            adapter->rx_itr_setting == 1 ? IXGBE_20K_ITR : (uint16_t)adapter->rx_itr_setting;
        ixgbe_write_eitr(q_vector);
        int weight = (cfg->weight && v < cfg->n_weight) ? cfg->weight[v] : NAPI_POLL_WEIGHT;
        netif_napi_add_weight(h, &q_vector->napi, nicdrv_poll, weight, q_vector);
        q_vector->napi.gro_enabled = cfg->gro;
        q_vector->irq = cfg->irq_base + v;
        g_snprintf(q_vector->name, sizeof q_vector->name, "%s-TxRx-%u", cfg->ifname, v);
        q_vector->napi.name = q_vector->name;
        if (request_irq(h, q_vector->irq, nicdrv_msix_clean_rings, 0, q_vector->name, q_vector) !=
            0) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: request_irq(%u) failed: busy",
                        q_vector->name, q_vector->irq);
            nicdrv_remove(adapter);
            return NULL;
        }
    }
    if (!register_netdev_tx(h, adapter->dev_index, adapter->num_tx_queues, nicdrv_xmit_frame,
                            adapter, err)) {
        nicdrv_remove(adapter);
        return NULL;
    }
    if (cfg->arfs && netdev_has_rps(h, adapter->dev_index)) {
        /* netif_enable_cpu_rmap + irq_cpu_rmap_add(): each RX queue's IRQ CPU */
        unsigned n_cpus = num_possible_cpus(h);
        struct cpumask *aff = g_new0(struct cpumask, adapter->num_rx_queues);
        uint16_t *rmap = g_new(uint16_t, n_cpus);
        for (unsigned q = 0; q < adapter->num_rx_queues; q++)
            cpumask_set_cpu(nic_vector_cpu(hw, nic_queue_vector(hw, q)), &aff[q]);
        irq_cpu_rmap_add_all(rmap, n_cpus, adapter->num_rx_queues, aff);
        adapter->arfs = nicdrv_arfs_new(h, adapter->dev_index, &cfg->arfs_hw);
        netif_enable_cpu_rmap(h, adapter->dev_index, rmap, nicdrv_rx_flow_steer, adapter->arfs);
        g_free(rmap);
        g_free(aff);
    }
    if (cfg->atr && adapter->num_rx_queues > 1) {
        /* ixgbe_configure_tx_ring: netif_set_xps_queue(q_vector->affinity_mask) once */
        unsigned n_cpus = num_possible_cpus(h);
        struct cpumask *xps = g_new0(struct cpumask, adapter->num_tx_queues);
        for (unsigned q = 0; q < adapter->num_tx_queues; q++)
            cpumask_set_cpu((q % adapter->num_q_vectors) % n_cpus, &xps[q]);
        bool ok = netif_set_xps_queues(h, adapter->dev_index, xps, err);
        g_free(xps);
        if (!ok) {
            nicdrv_remove(adapter);
            return NULL;
        }
    }
    return adapter;
}

void nicdrv_remove(struct nicdrv_adapter *a)
{
    if (!a)
        return;
    nicdrv_arfs_free(a->arfs);
    g_free(a->q_vector);
    g_free(a);
}

unsigned nicdrv_num_q_vectors(const struct nicdrv_adapter *a)
{
    return a->num_q_vectors;
}

unsigned nicdrv_vector_irq(const struct nicdrv_adapter *a, unsigned v)
{
    return a->q_vector[v].irq;
}

struct napi_struct *nicdrv_napi(struct nicdrv_adapter *a, unsigned v)
{
    return v < a->num_q_vectors ? &a->q_vector[v].napi : NULL;
}

uint64_t nicdrv_napi_polls(const struct nicdrv_adapter *a, unsigned v)
{
    return a->q_vector[v].napi.polls;
}

const uint64_t *nicdrv_poll_hist(const struct nicdrv_adapter *a)
{
    return a->poll_hist;
}

const struct nicdrv_xdp_stats *nicdrv_xdp_stats(const struct nicdrv_adapter *a)
{
    return &a->xdp;
}

const struct nicdrv_arfs *nicdrv_arfs_of(const struct nicdrv_adapter *a)
{
    return a->arfs;
}
