/* 82599 RX rings and MSI-X/EITR interrupt logic (82599 datasheet §7.3.1-7.3.2;
 * vector layout as ixgbe_acquire_msix_vectors/ixgbe_alloc_q_vectors, ixgbe_lib.c). */
#include "models/nic/nic.h"

#include <string.h>

#include "sim/core/err.h"

#define NIC_TX_DMA_NS 1000 /* descriptor + data fetch over PCIe before the frame can leave */

struct nic_ring {
    struct nic_rx_desc *desc; /* ring_size slots */
    unsigned head, count;
    unsigned tail;    /* (head + count) % ring_size: RDT, the next slot the NIC writes */
    unsigned unarmed; /* PMD: descriptors taken by nic_rx_burst, not yet given back (RDT) */
    bool pmd;         /* polled by a user-space PMD: its write-backs raise no interrupt cause */
    struct nic_queue_stats st;
};

struct nic_vector {
    uint64_t last_assert; /* ns; EITR counts from the last interrupt */
    uint64_t irq_at;      /* scheduled assertion, NIC_NEVER if none */
    uint64_t irqs;
    uint64_t enabled_at; /* ns: last EIMS write (no assertion before it) */
    uint32_t eitr;       /* register value (µs << 2) */
    unsigned cpu;
    bool masked; /* EIMC by EIAM auto-mask */
    bool cause;  /* EICR bit: write-back since the last interrupt */
    bool asserted_once;
};

struct nic_tx_ring {
    struct nic_tx_desc *desc; /* ring_size slots */
    unsigned head, count;
    unsigned used; /* descriptors held by the count postings (TSO: several each) */
    uint64_t packets;
    uint64_t frames, payload; /* posted: frames for the wire, their payload bytes */
};

struct nic {
    struct nic_cfg cfg;
    unsigned q_vectors;
    struct nic_ring *rings;
    struct nic_tx_ring *tx;
    uint64_t tx_wire_free;  /* ns: when the port's transmitter is idle again */
    struct nic_vector *vec; /* q_vectors + the "other causes" vector */
};

struct nic *nic_new(const struct nic_cfg *cfg, GError **err)
{
    if (cfg->n_rx_queues == 0 || cfg->n_cpus == 0 || cfg->ring_size < 2) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "nic: need >= 1 RX queue, >= 1 CPU and >= 2 descriptors");
        return NULL;
    }
    unsigned want = MAX(cfg->n_rx_queues, cfg->n_tx_queues);
    unsigned qv = MIN(want, cfg->n_cpus);
    unsigned msix = cfg->msix_vectors ? cfg->msix_vectors : NIC_MAX_VECTORS;
    if (qv + 1 > msix) { /* +1: the "other causes" vector */
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "nic: %u queue vectors + 1 exceed the NIC's %u MSI-X vectors", qv, msix);
        return NULL;
    }
    for (unsigned v = 0; cfg->affinity && v < cfg->n_affinity && v < qv; v++)
        if (sim_cpumask_first(&cfg->affinity[v]) >= (int)cfg->n_cpus) {
            /* irq_do_set_affinity() delivers only to online CPUs */
            g_autofree char *hex = sim_cpumask_print(&cfg->affinity[v], SIM_NR_CPUS);
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "nic: vector %u affinity %s names no CPU below %u", v, hex, cfg->n_cpus);
            return NULL;
        }
    struct nic *n = g_new0(struct nic, 1);
    n->cfg = *cfg;
    n->cfg.affinity = NULL;
    n->q_vectors = qv;
    n->vec = g_new0(struct nic_vector, qv + 1);
    n->rings = g_new0(struct nic_ring, cfg->n_rx_queues);
    for (unsigned q = 0; q < cfg->n_rx_queues; q++)
        n->rings[q].desc = g_new0(struct nic_rx_desc, cfg->ring_size);
    n->tx = g_new0(struct nic_tx_ring, cfg->n_tx_queues);
    for (unsigned q = 0; q < cfg->n_tx_queues; q++)
        n->tx[q].desc = g_new0(struct nic_tx_desc, cfg->ring_size);
    for (unsigned v = 0; v < qv; v++) {
        int first =
            (cfg->affinity && v < cfg->n_affinity) ? sim_cpumask_first(&cfg->affinity[v]) : -1;
        /* An empty mask (not set): the x86 vector allocator spreads the vectors of the full
         * default mask one per CPU (matrix_find_best_cpu), as ixgbe's hint
         * cpumask_local_spread(v) on one node; a mask set: its lowest CPU. */
        n->vec[v].cpu = first >= 0 ? (unsigned)first : v % cfg->n_cpus;
        n->vec[v].irq_at = NIC_NEVER;
    }
    return n;
}

void nic_free(struct nic *n)
{
    if (!n)
        return;
    for (unsigned q = 0; q < n->cfg.n_rx_queues; q++)
        g_free(n->rings[q].desc);
    g_free(n->rings);
    for (unsigned q = 0; n->tx && q < n->cfg.n_tx_queues; q++)
        g_free(n->tx[q].desc);
    g_free(n->tx);
    g_free(n->vec);
    g_free(n);
}

unsigned nic_q_vectors(const struct nic *n)
{
    return n->q_vectors;
}

unsigned nic_n_rx_queues(const struct nic *n)
{
    return n->cfg.n_rx_queues;
}

unsigned nic_queue_vector(const struct nic *n, unsigned q)
{
    return q < n->q_vectors ? q : q % n->q_vectors;
}

unsigned nic_vector_cpu(const struct nic *n, unsigned v)
{
    return n->vec[v].cpu;
}

static uint64_t itr_interval_ns(uint32_t eitr)
{
    return (uint64_t)((eitr & 0xFF8u) >> 2) * 1000u; /* ITR_INTERVAL, bits 3-11, 2 µs units */
}

/* Earliest time EITR lets the vector fire again. */
static uint64_t vector_due(const struct nic_vector *v, uint64_t now)
{
    if (now < v->enabled_at)
        now = v->enabled_at;
    if (!v->asserted_once)
        return now;
    uint64_t t = v->last_assert + itr_interval_ns(v->eitr);
    return t > now ? t : now;
}

/* The slot after the last written descriptor (next_to_use). */
static inline struct nic_rx_desc *rx_tail(const struct nic_ring *r)
{
    return &r->desc[r->tail];
}

struct nic_rx_desc *nic_rx_slot(struct nic *n, unsigned q)
{
    struct nic_ring *r = &n->rings[q];
    /* ixgbe keeps one descriptor unused (ixgbe_desc_unused: ntc - ntu - 1); a PMD's
     * descriptors not rearmed yet are not the hardware's either (RDT stops short of them). */
    if (r->count + r->unarmed >= n->cfg.ring_size - 1) {
        r->st.drops++;
        return NULL;
    }
    return rx_tail(r);
}

void nic_rx_post(struct nic *n, unsigned q)
{
    struct nic_ring *r = &n->rings[q];
    const struct nic_rx_desc *d = rx_tail(r);
    if (++r->tail == n->cfg.ring_size) /* a wrap, not a division, on the packet path */
        r->tail = 0;
    r->count++;
    r->st.packets++;
    r->st.bytes += d->len;
    if (r->pmd)
        return; /* the queue's EIMS bit is never set (DPDK polls: no RX interrupt) */
    unsigned vi = nic_queue_vector(n, q);
    struct nic_vector *v = &n->vec[vi];
    v->cause = true; /* EICR.RTxQ set on descriptor write-back */
    if (!v->masked && v->irq_at == NIC_NEVER) {
        v->irq_at = vector_due(v, d->ts);
        n->cfg.schedule_irq(n->cfg.ctx, vi, v->irq_at);
    }
}

bool nic_rx_frame(struct nic *n, unsigned q, const struct nic_rx_desc *d)
{
    struct nic_rx_desc *s = nic_rx_slot(n, q);
    if (!s)
        return false;
    *s = *d;
    nic_rx_post(n, q);
    return true;
}

void nic_rx_pmd_attach(struct nic *n, unsigned q)
{
    n->rings[q].pmd = true;
}

unsigned nic_rx_burst(struct nic *n, unsigned q, struct nic_rx_desc *out, unsigned max)
{
    struct nic_ring *r = &n->rings[q];
    unsigned k = MIN(max, r->count);
    for (unsigned i = 0; i < k; i++) {
        out[i] = r->desc[r->head];
        if (++r->head == n->cfg.ring_size)
            r->head = 0;
    }
    r->count -= k;
    r->unarmed += k;
    return k;
}

unsigned nic_rx_unarmed(const struct nic *n, unsigned q)
{
    return n->rings[q].unarmed;
}

void nic_rx_rearm(struct nic *n, unsigned q, unsigned k)
{
    struct nic_ring *r = &n->rings[q];
    r->unarmed -= MIN(k, r->unarmed);
}

unsigned nic_rx_ready(const struct nic *n, unsigned q)
{
    return n->rings[q].count;
}

const struct nic_rx_desc *nic_rx_next(struct nic *n, unsigned q)
{
    struct nic_ring *r = &n->rings[q];
    if (r->count == 0)
        return NULL;
    const struct nic_rx_desc *d = &r->desc[r->head];
    if (++r->head == n->cfg.ring_size)
        r->head = 0;
    r->count--;
    return d;
}

/* Earliest write-back time of a descriptor still on a TX ring of vector vi. */
static uint64_t tx_next_done(const struct nic *n, unsigned vi)
{
    uint64_t t = NIC_NEVER;
    for (unsigned q = vi; q < n->cfg.n_tx_queues; q += n->q_vectors) {
        const struct nic_tx_ring *r = &n->tx[q];
        if (r->count && r->desc[r->head].done < t)
            t = r->desc[r->head].done;
    }
    return t;
}

bool nic_irq_fire(struct nic *n, unsigned vi, uint64_t now, unsigned *cpu)
{
    struct nic_vector *v = &n->vec[vi];
    if (v->irq_at != now)
        return false; /* superseded */
    v->irq_at = NIC_NEVER;
    uint64_t tx_at = tx_next_done(n, vi);
    if (tx_at <= now)
        v->cause = true; /* EICR.RTxQ: a TX descriptor was written back */
    if (v->masked)
        return false;
    if (!v->cause) {
        if (tx_at != NIC_NEVER) { /* a TX write-back is still to come */
            v->irq_at = vector_due(v, tx_at);
            n->cfg.schedule_irq(n->cfg.ctx, vi, v->irq_at);
        }
        return false;
    }
    v->cause = false;
    v->masked = true; /* EIAM: auto-mask on MSI-X assertion */
    v->last_assert = now;
    v->asserted_once = true;
    v->irqs++;
    *cpu = v->cpu;
    return true;
}

void nic_irq_enable(struct nic *n, unsigned vi, uint64_t now)
{
    struct nic_vector *v = &n->vec[vi];
    v->masked = false;
    v->enabled_at = now;
    uint64_t tx_at = tx_next_done(n, vi);
    if ((!v->cause && tx_at == NIC_NEVER) || v->irq_at != NIC_NEVER)
        return;
    v->irq_at = vector_due(v, v->cause || tx_at < now ? now : tx_at);
    n->cfg.schedule_irq(n->cfg.ctx, vi, v->irq_at);
}

void nic_write_eitr(struct nic *n, unsigned v, uint32_t itr)
{
    n->vec[v].eitr = itr;
}

uint32_t nic_read_eitr(const struct nic *n, unsigned v)
{
    return n->vec[v].eitr;
}

const struct nic_queue_stats *nic_queue_stats(const struct nic *n, unsigned q)
{
    return &n->rings[q].st;
}

uint64_t nic_vector_irqs(const struct nic *n, unsigned v)
{
    return n->vec[v].irqs;
}

unsigned nic_n_tx_queues(const struct nic *n)
{
    return n->cfg.n_tx_queues;
}

bool nic_tx_frame(struct nic *n, unsigned q, uint32_t len, uint32_t cookie, uint64_t now)
{
    struct nic_tx_req req = {.len = len, .descs = 1, .cookie = cookie};
    return nic_tx_post(n, q, &req, now);
}

/* Wire time of `bytes` on the port, each of `frames` frames with preamble + IFG + FCS. */
static uint64_t wire_ns(const struct nic *n, uint64_t bytes, uint64_t frames)
{
    return ((bytes + 24 * frames) * 8 * 1000 + n->cfg.link_mbps - 1) / n->cfg.link_mbps;
}

/* Each frame of a posting as its last bit leaves the port: TSO segments back to back, each
 * with the replicated headers and mss payload (the last one the rest), §7.2.4. */
static void tell_wire(const struct nic *n, const struct nic_tx_req *req, uint64_t start,
                      uint32_t payload, uint32_t segs)
{
    uint64_t sent = 0;
    for (uint32_t k = 0; k < segs; k++) {
        uint32_t pl = segs == 1      ? (req->l4_payload ? req->l4_payload : payload)
                      : k + 1 < segs ? req->mss
                                     : payload - k * req->mss;
        uint32_t len = segs == 1 ? req->len : req->hdr + pl;
        struct nic_wire_frame f = {.first = start + (k ? wire_ns(n, sent, k) : 0),
                                   .at = start + wire_ns(n, sent + len, k + 1),
                                   .len = len,
                                   .payload = pl,
                                   .flow = req->flow,
                                   .tcp_flags = req->tcp_flags};
        n->cfg.wire_out(n->cfg.ctx, &f);
        sent += len;
    }
}

bool nic_tx_post(struct nic *n, unsigned q, const struct nic_tx_req *req, uint64_t now)
{
    struct nic_tx_ring *r = &n->tx[q];
    if (r->used + req->descs > n->cfg.ring_size - 1 || req->descs == 0)
        return false;
    /* §7.2.4: with TSO each segment carries the replicated headers (hdr) and mss payload */
    uint32_t payload = req->len > req->hdr ? req->len - req->hdr : 0;
    uint32_t segs = req->mss && payload > req->mss ? (payload + req->mss - 1) / req->mss : 1;
    uint64_t bytes = segs > 1 ? (uint64_t)payload + (uint64_t)segs * req->hdr : req->len;
    /* DMA fetch then serialisation behind earlier frames: 8 B preamble + 12 B IFG + 4 B FCS */
    uint64_t start = now + NIC_TX_DMA_NS > n->tx_wire_free ? now + NIC_TX_DMA_NS : n->tx_wire_free;
    uint64_t wire = wire_ns(n, bytes, segs);
    n->tx_wire_free = start + wire;
    if (n->cfg.wire_out)
        tell_wire(n, req, start, payload, segs);
    struct nic_tx_desc *d = &r->desc[(r->head + r->count++) % n->cfg.ring_size];
    *d = (struct nic_tx_desc){.done = start + wire,
                              .len = req->len,
                              .cookie = req->cookie,
                              .descs = (uint16_t)req->descs,
                              .segs = (uint16_t)segs,
                              .payload = payload};
    r->used += req->descs;
    r->packets++;
    r->frames += segs;
    r->payload += payload;
    unsigned vi = nic_queue_vector(n, q);
    struct nic_vector *v = &n->vec[vi];
    if (!v->masked && v->irq_at == NIC_NEVER) {
        v->irq_at = vector_due(v, d->done);
        n->cfg.schedule_irq(n->cfg.ctx, vi, v->irq_at);
    }
    return true;
}

void nic_tx_sent(const struct nic *n, unsigned q, uint64_t now, uint64_t *frames, uint64_t *payload)
{
    const struct nic_tx_ring *r = &n->tx[q];
    *frames = r->frames;
    *payload = r->payload;
    for (unsigned i = 0; i < r->count; i++) { /* not yet (fully) on the wire */
        const struct nic_tx_desc *d = &r->desc[(r->head + i) % n->cfg.ring_size];
        if (d->done > now) {
            *frames -= d->segs;
            *payload -= d->payload;
        }
    }
}

const struct nic_tx_desc *nic_tx_clean_next(struct nic *n, unsigned q, uint64_t now)
{
    struct nic_tx_ring *r = &n->tx[q];
    if (!r->count || r->desc[r->head].done > now)
        return NULL;
    const struct nic_tx_desc *d = &r->desc[r->head];
    r->head = (r->head + 1) % n->cfg.ring_size;
    r->count--;
    r->used -= d->descs;
    return d;
}

unsigned nic_tx_pending(const struct nic *n, unsigned q)
{
    return n->tx[q].count;
}

uint64_t nic_tx_packets(const struct nic *n, unsigned q)
{
    return n->tx[q].packets;
}
