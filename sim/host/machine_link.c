/* A host's side of its cables in a multi-host run: the frames its NICs put on the wire go
 * to the run's wiring (cfg.wire_out) with their connection's headers, and the frames the
 * wiring delivers wait here, per NIC in time order, until the machine's loop reaches them
 * and they take the receive path (eth0: the classifier and rings of machine.c; eth1: its
 * own RSS stage and rings). */
#include <string.h>

#include "models/nic/nic.h"
#include "sim/host/machine_priv.h"

struct inq {
    GArray *q; /* struct traffic_pkt, time order */
    size_t head;
    uint64_t injected, arrived, drops;
};

struct sim_mlink {
    struct inq in[2];
    struct traffic_pkt *tmpl; /* per flow: the connection's first frame in the source */
    bool *seen;
    uint32_t *seq; /* per flow: next TCP sequence number sent */
};

/* Every flow's first frame of the source names that connection's headers. */
struct sim_mlink *sim_mlink_new(struct sim_machine *m)
{
    struct sim_mlink *l = g_new0(struct sim_mlink, 1);
    unsigned nf = m->cfg.n_flows;
    l->tmpl = g_new0(struct traffic_pkt, nf);
    l->seen = g_new0(bool, nf);
    l->seq = g_new0(uint32_t, nf);
    for (; m->have_pkt; m->have_pkt = m->src.next(m->src.ctx, &m->pkt)) {
        unsigned f = m->pkt.flow % nf;
        if (!l->seen[f]) {
            l->seen[f] = true;
            l->tmpl[f] = m->pkt;
            l->seq[f] = m->pkt.tcp_seq;
        }
    }
    for (unsigned d = 0; d < 2; d++)
        l->in[d].q = g_array_new(FALSE, FALSE, sizeof(struct traffic_pkt));
    return l;
}

void sim_mlink_free(struct sim_mlink *l)
{
    if (!l)
        return;
    for (unsigned d = 0; d < 2; d++)
        g_array_free(l->in[d].q, TRUE);
    g_free(l->tmpl);
    g_free(l->seen);
    g_free(l->seq);
    g_free(l);
}

/* The frame as the peer receives it: the connection's headers with the two ends swapped
 * (the source describes what this host receives; it sends the other way). */
static void wire_out(struct sim_machine *m, unsigned dev, const struct nic_wire_frame *f)
{
    struct sim_mlink *l = m->link;
    if (!m->cfg.wire_out || !l)
        return;
    unsigned fl = f->flow % m->cfg.n_flows;
    struct traffic_pkt p = l->tmpl[fl];
    if (!l->seen[fl]) {
        p = (struct traffic_pkt){.l3 = PKT_L3_NONE}; /* unknown connection: non-IP */
    } else {
        uint8_t a[16], mac[6];
        memcpy(a, p.saddr, 16);
        memcpy(p.saddr, p.daddr, 16);
        memcpy(p.daddr, a, 16);
        memcpy(mac, p.smac, 6);
        memcpy(p.smac, p.dmac, 6);
        memcpy(p.dmac, mac, 6);
        uint16_t port = p.sport;
        p.sport = p.dport;
        p.dport = port;
    }
    p.ts_ns = f->at;
    p.flow = fl;
    p.wire_len = f->len;
    p.payload_len = f->payload;
    p.tcp_flags = f->tcp_flags;
    p.tcp_seq = l->seq[fl];
    l->seq[fl] += f->payload;
    m->cfg.wire_out(m->cfg.wire_ctx, dev, &p, f->first);
}

void sim_mlink_wire_out0(void *ctx, const struct nic_wire_frame *f)
{
    wire_out(ctx, 0, f);
}

void sim_mlink_wire_out1(void *ctx, const struct nic_wire_frame *f)
{
    wire_out(ctx, 1, f);
}

void sim_machine_inject(struct sim_machine *m, unsigned dev, const struct traffic_pkt *p)
{
    if (!m->link || dev > 1)
        return;
    struct inq *in = &m->link->in[dev];
    if (in->head == in->q->len && in->head) { /* drained: start over, memory stays bounded */
        g_array_set_size(in->q, 0);
        in->head = 0;
    }
    g_array_append_val(in->q, *p);
    in->injected++;
}

uint64_t sim_machine_injected(const struct sim_machine *m, unsigned dev)
{
    return m->link && dev < 2 ? m->link->in[dev].injected : 0;
}

uint64_t sim_machine_inject_arrived(const struct sim_machine *m, unsigned dev)
{
    return m->link && dev < 2 ? m->link->in[dev].arrived : 0;
}

uint64_t sim_machine_inject_drops(const struct sim_machine *m, unsigned dev)
{
    return m->link && dev < 2 ? m->link->in[dev].drops : 0;
}

/* Earliest of the two NICs' heads, eth0 first on a tie. */
static int next_dev(const struct sim_mlink *l, uint64_t *t)
{
    int best = -1;
    for (unsigned d = 0; d < 2; d++) {
        const struct inq *in = &l->in[d];
        if (in->head == in->q->len)
            continue;
        uint64_t x = g_array_index(in->q, struct traffic_pkt, in->head).ts_ns;
        if (best < 0 || x < *t) {
            best = (int)d;
            *t = x;
        }
    }
    return best;
}

bool sim_mlink_peek(const struct sim_mlink *l, uint64_t *t)
{
    return next_dev(l, t) >= 0;
}

/* eth1's receive side: its RSS stage, then its ring (ixgbe's RX write-back, §7.1) or
 * rx_missed; the driver's NAPI poll on eth1's vector cleans it as eth0's. */
static bool arrive_b(struct sim_machine *m, const struct traffic_pkt *p)
{
    const struct sim_steer *st = m->cfg.steer_b;
    unsigned f = p->flow % m->cfg.n_flows;
    if (!st || !m->nic_b)
        return false;
    struct sim_rx_choice c;
    m->offered++;
    m->flows[f].packets++;
    st->select(st->ctx, p, &c);
    if (c.queue < 0 || (unsigned)c.queue >= nic_n_rx_queues(m->nic_b))
        return false;
    struct nic_rx_desc *d = nic_rx_slot(m->nic_b, (unsigned)c.queue);
    if (!d)
        return false;
    *d = (struct nic_rx_desc){.ts = p->ts_ns,
                              .flow = f,
                              .len = p->wire_len,
                              .payload = p->payload_len,
                              .seq = p->tcp_seq,
                              .hash = c.hash,
                              .l4 = p->l4,
                              .l4_hash = c.l4_hash,
                              .hashed = c.hashed};
    nic_rx_post(m->nic_b, (unsigned)c.queue);
    return true;
}

void sim_mlink_run(struct sim_machine *m)
{
    uint64_t t = 0;
    int d = next_dev(m->link, &t);
    if (d < 0)
        return;
    struct inq *in = &m->link->in[d];
    struct traffic_pkt pk = g_array_index(in->q, struct traffic_pkt, in->head++);
    const struct traffic_pkt *p = &pk;
    in->arrived++;
    if (d == 0) {
        uint64_t before = m->flows[p->flow % m->cfg.n_flows].drops;
        sim_machine_arrive(m, p);
        in->drops += m->flows[p->flow % m->cfg.n_flows].drops - before;
    } else if (!arrive_b(m, p)) {
        m->flows[p->flow % m->cfg.n_flows].drops++;
        in->drops++;
    }
}
