/* Generic receive offload: dev_gro_receive with GRO_HASH_BUCKETS buckets of
 * at most MAX_GRO_SKBS held skbs, TCP segment merging (tcp_gro_receive) up
 * to 64 KB, and the gro_normal batch; mirrors net/core/gro.c, Linux 6.12.
 * GRO changes how many skbs reach the stack, never how many packets. */
#include <string.h>

#include "models/kernel/kern_priv.h"
#include "models/kernel/kversion.h"

G_ALWAYS_INLINE static inline void skb_copy(struct kern_skb *dst, const struct kern_skb *src)
{
    if (src->segs == 1) {
        /* the common single-segment skb, field by field: the driver has just written
         * it so, and wider loads (a 48-byte memcpy is three 16-byte moves) could not
         * take their bytes from those narrower pending stores (a store-forwarding
         * stall on every packet) */
        dst->flow = src->flow;
        dst->len = src->len;
        dst->payload = src->payload;
        dst->seq_next = src->seq_next;
        dst->hash = src->hash;
        dst->jiffy = src->jiffy;
        dst->segs = src->segs;
        dst->queue = src->queue;
        dst->dev = src->dev;
        dst->l4 = src->l4;
        dst->l4_hash = src->l4_hash;
        dst->alloc_cpu = src->alloc_cpu;
        dst->ts[0] = src->ts[0];
        return;
    }
    memcpy(dst, src, offsetof(struct kern_skb, ts) + src->segs * sizeof src->ts[0]);
}

/* gro_normal_one(): batch completed skbs, hand over every gro_normal_batch
 * segments. */
static inline void gro_normal_one(struct napi_struct *n, const struct kern_skb *skb)
{
    struct kern_skb *out = &n->rx_list[n->rx_skbs++];
    skb_copy(out, skb);
    out->alloc_cpu = (uint16_t)n->host->cpu; /* __napi_build_skb: raw_smp_processor_id() */
    n->rx_count += skb->segs;
    if (n->rx_count >= n->host->p.gro_normal_batch || n->rx_skbs == G_N_ELEMENTS(n->rx_list))
        kern_gro_normal_list(n);
}

/* gro_normal_list() -> netif_receive_skb_list_internal() */
void kern_gro_normal_list(struct napi_struct *n)
{
    struct kern_host *h = n->host;
    kern_netif_receive_skb_list(h, n->rx_list, n->rx_skbs);
    n->rx_skbs = 0;
    n->rx_count = 0;
}

static void bucket_remove(struct kern_gro_bucket *b, unsigned i)
{
    for (unsigned j = i; j + 1 < b->count; j++)
        skb_copy(&b->held[j], &b->held[j + 1]);
    b->count--;
}

/* napi_gro_flush(): complete held skbs oldest first; flush_old stops at the
 * first one that started in the current jiffy. */
void kern_gro_flush(struct napi_struct *n, bool flush_old)
{
    if (!n->gro_count)
        return;
    unsigned long now = kern_jiffies(n->host);
    for (unsigned b = 0; b < KERN_GRO_HASH_BUCKETS; b++) {
        struct kern_gro_bucket *bk = &n->gro_hash[b];
        unsigned done = 0;
        while (done < bk->count) {
            if (flush_old && bk->held[done].jiffy == now)
                break;
            gro_normal_one(n, &bk->held[done]); /* napi_gro_complete */
            done++;
        }
        for (unsigned j = done; j < bk->count; j++)
            skb_copy(&bk->held[j - done], &bk->held[j]);
        bk->count -= done;
        n->gro_count -= done;
    }
}

/* Segments one GRO skb may hold. skb_gro_receive() before 3.19 filled only the head skb's
 * frags and returned -E2BIG past MAX_SKB_FRAGS: each ixgbe segment is one page frag (its
 * headers pulled into the linear part by ixgbe_pull_tail), so 17 segments, "typically
 * 24616 bytes" (commit 8a29111c7ca6 "net: gro: allow to build full sized skb", v3.19,
 * chains further skbs on frag_list up to 64 KB). */
unsigned kern_gro_max_segs(unsigned kernel_version)
{
    return kernel_version < KERN_VERSION(3, 19) ? KERN_MAX_SKB_FRAGS : KERN_SKB_MAX_SEGS;
}

struct kern_skb *kern_napi_build_skb(struct napi_struct *n)
{
    return &n->rx_list[n->rx_skbs]; /* gro_normal_one() leaves a free slot */
}

/* gro_normal_one() of the skb built in place (kern_napi_build_skb): nothing to copy. */
static inline void gro_normal_in_place(struct napi_struct *n, struct kern_skb *skb)
{
    skb->alloc_cpu = (uint16_t)n->host->cpu; /* __napi_build_skb: raw_smp_processor_id() */
    n->rx_skbs++;
    n->rx_count += skb->segs;
    if (n->rx_count >= n->host->p.gro_normal_batch || n->rx_skbs == G_N_ELEMENTS(n->rx_list))
        kern_gro_normal_list(n);
}

/* An skb built in place is copied to `own` before gro_normal_one() fills its slot. */
static const struct kern_skb *move_out(const struct kern_skb *skb, bool *in_place,
                                       struct kern_skb *own)
{
    if (!*in_place)
        return skb;
    *in_place = false;
    skb_copy(own, skb);
    return own;
}

/* dev_gro_receive() after the per-packet charge. */
G_ALWAYS_INLINE static inline void gro_receive(struct napi_struct *n, const struct kern_skb *skb)
{
    struct kern_host *h = n->host;
    bool in_place = skb == &n->rx_list[n->rx_skbs];
    /* Only TCP with payload is merged; everything else is GRO_NORMAL. */
    if (!n->gro_enabled || skb->l4 != IPPROTO_TCP || skb->payload == 0) {
        if (in_place)
            gro_normal_in_place(n, &n->rx_list[n->rx_skbs]);
        else
            gro_normal_one(n, skb);
        return;
    }
    struct kern_skb own; /* an skb built in place, moved out before its slot is reused */
    struct kern_gro_bucket *bk = &n->gro_hash[skb->hash & (KERN_GRO_HASH_BUCKETS - 1)];
    for (unsigned i = 0; i < bk->count; i++) {
        struct kern_skb *p = &bk->held[i];
        if (p->flow != skb->flow)
            continue;
        uint32_t seq = skb->seq_next - skb->payload;
        if (seq == p->seq_next && p->len + skb->payload < KERN_GRO_MAX_SIZE &&
            p->segs < kern_gro_max_segs(h->p.kernel_version)) {
            p->ts[p->segs++] = skb->ts[0]; /* skb_gro_receive */
            p->len += skb->payload;
            p->payload += skb->payload;
            p->seq_next = skb->seq_next;
            return;
        }
        /* Same flow but not mergeable: the held one is completed. */
        skb = move_out(skb, &in_place, &own);
        gro_normal_one(n, p);
        bucket_remove(bk, i);
        n->gro_count--;
        break;
    }
    if (bk->count >= KERN_MAX_GRO_SKBS) { /* gro_flush_oldest */
        skb = move_out(skb, &in_place, &own);
        gro_normal_one(n, &bk->held[0]);
        bucket_remove(bk, 0);
        n->gro_count--;
    }
    struct kern_skb *slot = &bk->held[bk->count++];
    skb_copy(slot, skb);
    slot->jiffy = (uint32_t)kern_jiffies(h);
    n->gro_count++;
}

void kern_napi_gro_receive(struct napi_struct *n, const struct kern_skb *skb)
{
    kern_charge_inl(n->host, n->host->c.gro_pkt);
    gro_receive(n, skb);
}

void kern_napi_gro_receive_after(struct napi_struct *n, const struct kern_skb *skb, uint64_t drv_ns)
{
    kern_charge2_inl(n->host, drv_ns, n->host->c.gro_pkt);
    gro_receive(n, skb);
}
