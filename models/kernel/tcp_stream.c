/* Bulk TCP transmit with TSO / GSO / neither (#15 point 3): tcp_sendmsg -> tcp_push ->
 * tcp_write_xmit -> tcp_transmit_skb -> ip_queue_xmit -> __dev_queue_xmit ->
 * validate_xmit_skb (skb_gso_segment when !NETIF_F_TSO) -> ndo_start_xmit; Linux 6.12. */
#include "models/kernel/tcp_stream.h"

#include <glib.h>

#include "models/kernel/kern_priv.h"
#include "models/kernel/rps_path.h"

uint32_t kern_tcp_size_goal(bool can_gso)
{
    if (!can_gso) /* tcp_send_mss(): size_goal = mss_now without sk_can_gso() */
        return KERN_TCP_MSS;
    /* tcp_tso_autosize(): at 10 Gb/s the pacing budget (~1 ms) exceeds gso_max_size, so
     * the cap rules: (GSO_MAX_SIZE - 1 - MAX_TCP_HEADER) / mss whole segments. */
    return (KERN_GSO_MAX_SIZE - 1 - KERN_TCP_HDR) / KERN_TCP_MSS * KERN_TCP_MSS;
}

unsigned kern_gso_segs(uint32_t len, uint32_t mss)
{
    return mss ? (len + mss - 1) / mss : 1;
}

void kern_skb_shape_build(struct kern_skb_shape *s, uint32_t page_off, uint32_t len, uint32_t mss)
{
    *s = (struct kern_skb_shape){.headlen = KERN_TCP_HDR};
    uint32_t off = page_off % KERN_SKB_FRAG_PAGE;
    while (len && s->nr_frags < KERN_MAX_SKB_FRAGS) { /* skb_copy_to_page_nocache per page */
        uint32_t n = MIN(len, KERN_SKB_FRAG_PAGE - off);
        s->frag[s->nr_frags++] = n;
        len -= n;
        off = 0;
    }
    s->frag[s->nr_frags - 1] += len; /* never: 64 KB needs at most 3 pages */
    uint32_t total = 0;
    for (unsigned i = 0; i < s->nr_frags; i++)
        total += s->frag[i];
    s->gso_size = total > mss ? (uint16_t)mss : 0;
    s->gso_segs = (uint16_t)kern_gso_segs(total, mss);
}

static struct kern_tcp_stream_stats *stats(struct kern_host *h)
{
    if (!h->stream)
        h->stream = g_new0(struct kern_tcp_stream_stats, 1);
    return h->stream;
}

/* One frame's worth of an skb through ndo_start_xmit: the layout at page offset off. */
static bool xmit_one(struct kern_host *h, struct kern_sock *sk, unsigned dev, uint32_t flow,
                     uint32_t off, uint32_t len, uint32_t mss)
{
    struct kern_skb_shape shape;
    kern_skb_shape_build(&shape, off, len, mss);
    struct kern_tx_pkt p = {.flow = flow,
                            .len = KERN_TCP_HDR + len,
                            .payload = len,
                            .tcp_flags = 0x10 /* ACK */,
                            .shape = &shape};
    if (kern_tx_xmit_skb(h, sk, dev, &p) < 0)
        return false;
    stats(h)->xmits++;
    return true;
}

/* skb_gso_segment() -> tcp_gso_segment(): the super-packet as MSS skbs, each sent on
 * (dev_hard_start_xmit's list); returns the payload bytes the ring took. */
static uint32_t xmit_gso(struct kern_host *h, struct kern_sock *sk, unsigned dev, uint32_t flow,
                         uint32_t len)
{
    uint32_t done = 0;
    while (done < len) {
        uint32_t seg = MIN(KERN_TCP_MSS, len - done);
        if (!xmit_one(h, sk, dev, flow, sk->tx_page_off, seg, KERN_TCP_MSS))
            break;
        kern_charge(h, h->c.tx_gso_seg);
        stats(h)->gso_segs++;
        stats(h)->bytes += seg;
        sk->tx_page_off += seg;
        done += seg;
    }
    return done;
}

/* The segments of a GSO skb the ring refused, requeued (dev_requeue_skb) and sent by
 * the next qdisc run without another trip through the stack; false = still some left. */
static bool drain_gso(struct kern_host *h, struct kern_sock *sk, unsigned dev, uint32_t flow)
{
    sk->tx_gso_left -= xmit_gso(h, sk, dev, flow, sk->tx_gso_left);
    return sk->tx_gso_left == 0;
}

/* tcp_write_xmit() of one size-goal skb at the head of the write queue through
 * tcp_transmit_skb .. __dev_queue_xmit (tx_pkt): false = the ring is full (the skb
 * stays queued if nothing of it went, else its GSO rest waits in tx_gso_left). */
static bool push_skb(struct kern_host *h, struct kern_sock *sk, unsigned dev, uint32_t flow,
                     uint32_t len, bool tso)
{
    if (tso || len <= KERN_TCP_MSS) { /* one skb to the driver (TSO: the NIC segments) */
        if (!xmit_one(h, sk, dev, flow, sk->tx_page_off, len, KERN_TCP_MSS))
            return false;
        stats(h)->bytes += len;
        sk->tx_page_off += len;
    } else {
        uint32_t took = xmit_gso(h, sk, dev, flow, len);
        if (!took)
            return false; /* the queue was stopped before the skb left TCP */
        sk->tx_gso_left = len - took;
    }
    kern_charge(h, h->c.tx_pkt);
    stats(h)->skbs++;
    return true;
}

uint32_t kern_tcp_sendmsg_stream(struct kern_host *h, struct kern_sock *sk, unsigned dev,
                                 uint32_t flow, uint32_t bytes)
{
    bool tso = kern_tx_tso(h, dev), gso = tso || kern_tx_gso(h, dev); /* sk_can_gso */
    uint32_t goal = kern_tcp_size_goal(gso);
    uint64_t total = (uint64_t)sk->tx_queued + bytes, sent = 0;
    kern_sock_rps_record_flow(h, sk); /* inet_sendmsg -> sock_rps_record_flow */
    bool busy = sk->tx_gso_left && !drain_gso(h, sk, dev, flow);
    /* Whole size-goal skbs go out; a shorter tail waits in the write queue for the next
     * write (tcp_push with autocorking / tcp_tso_should_defer while data is in flight). */
    while (!busy && total - sent >= goal) {
        if (!push_skb(h, sk, dev, flow, goal, tso))
            break;
        sent += goal;
        busy = sk->tx_gso_left != 0;
    }
    busy = busy || total - sent >= goal;
    /* The write queue keeps at most one size goal unsent (sk_stream_memory_free); what
     * does not fit waits in the writer for sk_write_space. */
    uint64_t unsent = total - sent, keep = busy ? MIN(unsent, goal) : unsent;
    uint32_t taken = bytes - (uint32_t)(unsent - keep);
    sk->tx_queued = (uint32_t)keep;
    /* tcp_sendmsg: skb_copy_to_page_nocache of what the write queue took */
    kern_charge(h, (uint64_t)taken * h->c.copy_ps_per_byte / 1000u);
    return taken;
}

const struct kern_tcp_stream_stats *kern_tcp_stream_stats(const struct kern_host *h)
{
    static const struct kern_tcp_stream_stats none;
    return h->stream ? h->stream : &none;
}
