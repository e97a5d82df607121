/* Per-operation CPU costs of the Linux 6.12 receive path (ixgbe + IPv4 stack).
 * Defaults are round figures from published per-packet profiles of 10G NICs
 * (~1 µs of kernel time per small packet, ~1 Mpps per core without RPS). */
#include "models/kernel/cost.h"

#include <stddef.h>

#include "sim/core/err.h"

struct cost_field {
    const char *name;
    size_t off;
};

#define F(n)                                                                                       \
    {                                                                                              \
#n, offsetof(struct kern_cost, n)                                                          \
    }
static const struct cost_field fields[] = {
    F(hardirq),
    F(irq_handler),
    F(softirq_pass),
    F(net_rx_action),
    F(napi_poll),
    F(drv_rx_pkt),
    F(gro_pkt),
    F(stack_skb),
    F(sock_enqueue),
    F(wakeup),
    F(ctx_switch),
    F(syscall),
    F(copy_ps_per_byte),
    F(app_per_msg),
    F(rps_enqueue),
    F(ipi_send),
    F(ipi_handler),
    F(tx_pkt),
    F(tx_clean_pkt),
    F(sock_remote_read),
    F(wakeup_local),
    F(ttwu_pending),
    F(idle_exit_ns),
    F(skb_defer_flush),
    F(csd_enqueue),
    F(tx_gso_seg),
    F(tx_desc),
    F(xdp_rx_desc),
    F(bpf_prog_run_xdp),
    F(xsk_rcv_zc),
    F(xsk_copy_ps_per_byte),
    F(xdp_do_flush),
    F(xdp_xmit),
    F(xsk_user_desc),
    F(stack_prerouting),
    F(ipt_raw_drop),
};
#undef F

void kern_cost_defaults(struct kern_cost *c)
{
    /* Hardirq: vector entry, irq_enter/irq_exit accounting and APIC EOI are
     * ~0.5-1 µs on Xeon-class cores; the MSI-X handler itself only masks and
     * schedules NAPI. */
    c->hardirq = 700;
    c->irq_handler = 150;
    /* Softirq bookkeeping per __do_softirq pass / net_rx_action / poll call:
     * a few cache lines and list splices. */
    c->softirq_pass = 100;
    c->net_rx_action = 150;
    c->napi_poll = 250;
    /* Per packet, 64-byte UDP: driver 200 + GRO 60 + stack 450 + socket 200
     * = 910 ns, plus amortised poll overhead and occasional wake-ups: ~1 µs,
     * so ~1 Mpps fills one core with softirq (field figures, lab test). */
    c->drv_rx_pkt = 200;
    c->gro_pkt = 60;
    c->stack_skb = 450;
    c->sock_enqueue = 200;
    /* try_to_wake_up onto another CPU, waker side: select_task_rq, then either the
     * target's rq lock and run-queue lines (shared LLC, busy target) or llist_add on
     * its wake_list plus an x2APIC ICR write (ttwu_queue_wakelist): ~0.5-1 µs. */
    c->wakeup = 600;
    /* Onto our own CPU: ttwu_queue_cond() is false, the rq lock and lines are local,
     * no IPI: about half the remote cost. */
    c->wakeup_local = 300;
    /* The target of a wake-list IPI runs sched_ttwu_pending (rq lock, activate_task,
     * wakeup_preempt) inside the CAL hardirq, whose entry/exit is `hardirq`. */
    c->ttwu_pending = 250;
    /* An idle CPU sits in a C-state: intel_idle lists C1 exit at 2 µs and C1E at
     * 10 µs on Skylake-SP servers; 2 µs is the shallow state a busy RR server idles
     * in between requests. Every interrupt to an idle CPU pays it: NIC vector, RPS
     * IPI, wake-up IPI (kern_irq_deliver). */
    c->idle_exit_ns = 2000;
    /* Thread switch with cache refill: 1-2 µs as lmbench lat_ctx reports. */
    c->ctx_switch = 1500;
    /* recvmsg: syscall entry/exit, lock_sock, skb dequeue and free. */
    c->syscall = 500;
    /* copy_to_user at ~10 GB/s. */
    c->copy_ps_per_byte = 100;
    /* A sink does almost nothing with the data. */
    c->app_per_msg = 200;
    /* RPS: hashing is done (skb->hash), the cost is the remote softnet_data
     * lock and cache lines: ~150 ns per skb; an IPI is an x2APIC ICR write on
     * the sender (~200 ns) and a short handler on the target, whose entry and
     * exit cost a hardirq (scaling.rst: "IPIs ... add to the cost"). */
    c->rps_enqueue = 150;
    c->ipi_send = 200;
    c->ipi_handler = 100;
    /* __smp_call_single_queue(): llist_add onto a call_single_queue that already holds an
     * entry returns false and send_call_function_single_ipi() is skipped: the cost is the
     * cmpxchg on the target's list head, one remote cache line (~50 ns). */
    c->csd_enqueue = 50;
    /* TX: a small send through TCP/UDP, IP, the qdisc and the driver's
     * xmit is ~1.5 us; cleaning a completed descriptor ~50 ns. */
    c->tx_pkt = 1500;
    c->tx_clean_pkt = 50;
    /* Reading an skb another CPU queued: sk_buff, headers and payload, the
     * socket's receive-queue and rmem lines: ~4 misses to another core's
     * cache at ~80 ns. RFS exists to avoid it (scaling.rst: "increase
     * datacache hitrate by steering kernel processing of packets to the CPU
     * where the application thread consuming the packet is running"). */
    c->sock_remote_read = 300;
    /* skb_attempt_defer_free() kicks the allocating CPU when its defer list reaches
     * sysctl_skb_defer_max / 2 = 32 skbs; that CPU's next net_rx_action frees them
     * (skb_defer_free_flush -> napi_consume_skb): ~100 ns each. */
    c->skb_defer_flush = 3200;
    /* ---- TSO/GSO (#15 point 3) ----
     * skb_segment() per segment: an skb head allocated around the shared frags, the headers
     * copied, tcp_gso_segment fixing seq and the checksum seed; the same work as the RX
     * driver building an skb around a buffer (drv_rx_pkt, 200 ns) plus the per-skb
     * dev_hard_start_xmit call, ~50 ns. */
    c->tx_gso_seg = c->drv_rx_pkt + 50;
    /* ixgbe_tx_map() per descriptor: dma_map_page of a frag (no IOMMU: an address
     * computation) and one 16-byte descriptor write into the ring, a cache line shared by 4:
     * ~20 ns. Priced only for laid-out skbs (kern_tx_pkt.shape), whose descriptors the
     * driver counts; the small sends keep tx_pkt's single descriptor. */
    c->tx_desc = 20;
    /* ---- XDP / AF_XDP (#15 point 2) ----
     * ixgbe_run_xdp() runs before ixgbe_build_skb(): of drv_rx_pkt's 200 ns the descriptor,
     * DMA sync and page reuse half stays (the other half is build_skb's sk_buff allocation,
     * memset and ixgbe_process_skb_fields). */
    c->xdp_rx_desc = c->drv_rx_pkt / 2;
    /* A JITed program of a few instructions (parse eth/ip, return a verdict) behind one
     * indirect call (retpoline): ~20 ns. */
    c->bpf_prog_run_xdp = 20;
    /* xdp_do_redirect(): bpf_redirect_map's per-CPU redirect info, __xsk_map_redirect,
     * xsk_rcv_zc reserving one 16-byte RX descriptor in the shared ring: ~40 ns. */
    c->xsk_rcv_zc = 40;
    /* copy mode: memcpy into the UMEM frame taken from the fill ring, at the socket copy's
     * ~10 GB/s (copy_ps_per_byte) */
    c->xsk_copy_ps_per_byte = c->copy_ps_per_byte;
    /* xsk_flush(): xskq_prod_submit (a release store) + sock_def_readable's wait-queue check */
    c->xdp_do_flush = 50;
    /* ixgbe_xmit_xdp_ring(): dma_map, one data descriptor, the ring's tx_buffer: tx_desc's
     * write plus the buffer bookkeeping */
    c->xdp_xmit = 40;
    /* The AF_XDP reader: one descriptor from the RX ring, its frame back to the fill ring
     * (xsk_ring_cons__rx_desc, xsk_ring_prod__fill_addr): a few shared cache lines. */
    c->xsk_user_desc = 30;
    /* Of stack_skb's 450 ns, __netif_receive_skb_core (ptype walk) and ip_rcv_core (header
     * checks, pskb_trim) before the PRE_ROUTING hook: ~200 ns; the route lookup, local
     * delivery and udp_rcv are the rest. */
    c->stack_prerouting = 200;
    /* nf_hook_slow -> the raw table's ipt_do_table with one matching DROP rule (the XDP
     * paper's baseline), then kfree_skb of the skb and its page: ~100 ns. */
    c->ipt_raw_drop = 100;
    c->n_net_rx_jitter = 0; /* no calibration: every run costs the sum of its operations */
}

const char *const *kern_cost_names(void)
{
    static const char *names[G_N_ELEMENTS(fields) + 1];
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        names[i] = fields[i].name;
    return names;
}

uint32_t *kern_cost_field(struct kern_cost *c, const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
        if (g_strcmp0(fields[i].name, name) == 0)
            return (uint32_t *)((char *)c + fields[i].off);
    return NULL;
}

int64_t kern_cost_jitter(const struct kern_cost *c, double u)
{
    if (c->n_net_rx_jitter < 2)
        return 0;
    unsigned i = (unsigned)(u * (double)c->n_net_rx_jitter);
    return c->net_rx_jitter_ns[MIN(i, c->n_net_rx_jitter - 1)];
}

int64_t kern_cost_net_rx_extra(const struct kern_cost *c, uint64_t priced_ns, double u)
{
    int64_t j = kern_cost_jitter(c, u);
    return MAX(j, -(int64_t)MIN(priced_ns, (uint64_t)INT64_MAX));
}

/* /costs/net_rx_jitter_ns: KERN_COST_JITTER_Q nondecreasing integers (ns, may be < 0). */
static bool load_jitter(struct kern_cost *c, const json_t *v, const char *path, GError **err)
{
    if (!json_is_array(v) || json_array_size(v) != KERN_COST_JITTER_Q) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "%s/net_rx_jitter_ns: expected an array of %d bin means (ns)", path,
                    KERN_COST_JITTER_Q);
        return false;
    }
    for (size_t i = 0; i < KERN_COST_JITTER_Q; i++) {
        const json_t *q = json_array_get(v, i);
        json_int_t x = json_is_integer(q) ? json_integer_value(q) : 0;
        if (!json_is_integer(q) || x < -100000000 || x > 100000000 ||
            (i && x < c->net_rx_jitter_ns[i - 1])) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s/net_rx_jitter_ns/%zu: expected an integer (ns) >= the previous one",
                        path, i);
            return false;
        }
        c->net_rx_jitter_ns[i] = (int32_t)x;
    }
    c->n_net_rx_jitter = KERN_COST_JITTER_Q;
    return true;
}

bool kern_cost_load(struct kern_cost *c, const json_t *cfg, const char *path, GError **err)
{
    if (!cfg)
        return true;
    if (!json_is_object(cfg)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s: expected an object", path);
        return false;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)cfg, key, val)
    {
        if ((g_strcmp0(key, "calibration") == 0 && json_is_object(val)) ||
            (g_strcmp0(key, "nicsteer_version") == 0 && json_is_string(val)) ||
            (g_strcmp0(key, "schema_version") == 0 && json_is_integer(val)))
            continue; /* provenance written by nicsteer calibrate */
        if (g_strcmp0(key, "net_rx_jitter_ns") == 0) {
            if (!load_jitter(c, val, path, err))
                return false;
            continue;
        }
        const struct cost_field *f = NULL;
        for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
            if (g_strcmp0(fields[i].name, key) == 0)
                f = &fields[i];
        if (!f) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "%s/%s: unknown cost", path, key);
            return false;
        }
        if (!json_is_integer(val) || json_integer_value(val) < 0 ||
            json_integer_value(val) > 100000000) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "%s/%s: expected integer >= 0 (ns, or ps per byte)", path, key);
            return false;
        }
        *(uint32_t *)((char *)c + f->off) = (uint32_t)json_integer_value(val);
    }
    return true;
}
