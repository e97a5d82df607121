/* Hardware-NIC side of the validation: the matched packets and transmits of a bundle replayed
 * through sim/machine.c (82599 rings/MSI-X/EITR of models/nic/nic.c, ixgbe_msix_clean_rings(),
 * ixgbe_poll() and ixgbe_update_itr() of nicdrv-model, drivers/net/ethernet/intel/ixgbe, 6.12). */
#include "validate/irq_model.h"

#include "models/traffic/flow_key.h"
#include "sim/core/err.h"
#include "sim/host/machine.h"

#include <stdio.h>
#include <string.h>

#define IXGBE_DEFAULT_RXD 512   /* ixgbe.h: IXGBE_DEFAULT_RXD */
#define LINK_MBPS_82599   10000 /* the reference NIC; the bundle does not record the speed */
#define DRAIN_NS          20000000ull

void val_irq_model_cfg_init(struct val_irq_model_cfg *c, unsigned n_cpus, unsigned n_queues)
{
    memset(c, 0, sizeof *c);
    c->n_cpus = n_cpus;
    c->n_queues = n_queues;
    c->ring_size = IXGBE_DEFAULT_RXD;
    c->link_mbps = LINK_MBPS_82599;
    c->rx_usecs = 1; /* ixgbe_sw_init(): rx_itr_setting = 1, adaptive */
    c->gro = true;
    kern_params_defaults(&c->kp);
    kern_cost_defaults(&c->cost);
    kern_rps_params_defaults(&c->rps);
    c->drain_ns = DRAIN_NS;
}

void val_irq_model_cfg_clear(struct val_irq_model_cfg *c)
{
    g_free(c->rps_cpus);
    g_free(c->rps_flow_cnt);
    c->rps_cpus = NULL;
    c->rps_flow_cnt = NULL;
}

static void note(GPtrArray *notes, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void note(GPtrArray *notes, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(notes, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* ethtool -l: the current combined count (ixgbe has only combined channels). */
static bool cfg_queues(struct val_irq_model_cfg *c, const struct val_bundle *b, const char *dev,
                       GError **err)
{
    const char *t = val_bundle_ethtool(b, 'l', dev);
    c->n_queues = (unsigned)MAX(val_bundle_queues(b), 1);
    if (!t)
        return true;
    char *src = g_strdup_printf("%s/config.json: /ethtool/ethtool_l_%s", val_bundle_dir(b), dev);
    struct val_ethtool_channels ch;
    bool ok = val_ethtool_l_parse(t, src, &ch, err);
    g_free(src);
    if (ok && ch.combined > 0)
        c->n_queues = (unsigned)ch.combined;
    else if (ok && ch.rx > 0)
        c->n_queues = (unsigned)ch.rx;
    return ok;
}

/* ethtool -c, read as ixgbe_get_coalesce() prints it: rx-usecs 0 off, 1 adaptive, else the
 * fixed interval; drivers reporting "Adaptive RX: on" are adaptive whatever rx-usecs says. */
static bool cfg_itr(struct val_irq_model_cfg *c, const struct val_bundle *b, const char *dev,
                    GPtrArray *notes, GError **err)
{
    const char *t = val_bundle_ethtool(b, 'c', dev);
    if (!t) {
        note(notes, "no ethtool -c of %s: ITR taken as ixgbe's default, adaptive (rx-usecs 1)",
             dev);
        return true;
    }
    char *src = g_strdup_printf("%s/config.json: /ethtool/ethtool_c_%s", val_bundle_dir(b), dev);
    struct val_ethtool_coalesce *co = val_ethtool_c_parse(t, src, err);
    g_free(src);
    if (!co)
        return false;
    int64_t us = 0;
    bool have = val_ethtool_coalesce_get(co, "rx-usecs", &us);
    if (val_ethtool_coalesce_adaptive_rx(co) == 1)
        c->rx_usecs = 1;
    else if (have && us >= 0)
        c->rx_usecs = (int)MIN(us, (int64_t)(IXGBE_MAX_EITR >> 2)); /* ixgbe_set_coalesce cap */
    else
        note(notes, "ethtool -c of %s has no rx-usecs: ITR taken as adaptive", dev);
    val_ethtool_coalesce_free(co);
    return true;
}

/* ethtool -g "Current hardware settings:" RX (optional key ethtool_g_<dev>). */
static void cfg_ring(struct val_irq_model_cfg *c, const struct val_bundle *b, const char *dev,
                     GPtrArray *notes)
{
    const char *t = val_bundle_ethtool(b, 'g', dev);
    const char *cur = t ? strstr(t, "Current hardware settings:") : NULL;
    const char *rx = cur ? strstr(cur, "\nRX:") : NULL;
    unsigned v = 0;
    if (rx && sscanf(rx + 4, " %u", &v) == 1 && v > 0 && v <= 65536) {
        c->ring_size = v;
        return;
    }
    note(notes, "no ethtool -g of %s: RX rings of %u descriptors (ixgbe default) assumed", dev,
         c->ring_size);
}

static bool cfg_gro(struct val_irq_model_cfg *c, const struct val_bundle *b, const char *dev,
                    GError **err)
{
    const char *t = val_bundle_ethtool(b, 'k', dev);
    if (!t)
        return true;
    char *src = g_strdup_printf("%s/config.json: /ethtool/ethtool_k_%s", val_bundle_dir(b), dev);
    struct val_ethtool_features *f = val_ethtool_k_parse(t, src, err);
    g_free(src);
    if (!f)
        return false;
    bool on = true, fixed = false;
    if (val_ethtool_feature(f, "generic-receive-offload", &on, &fixed))
        c->gro = on;
    val_ethtool_features_free(f);
    return true;
}

/* The CPU that took most of a row's interrupts: over the capture (after - before), else since
 * boot (after), -1 when the row never fired. Lowest CPU on a tie. */
static int busiest_cpu(const struct val_irq_row *after, const struct val_irq_row *before)
{
    int best = -1;
    uint64_t most = 0;
    for (int pass = 0; pass < 2 && best < 0; pass++)
        for (int cpu = 0; cpu < after->ncounts; cpu++) {
            uint64_t n = after->counts[cpu];
            if (pass == 0) {
                if (!before || cpu >= before->ncounts)
                    continue;
                n = (uint64_t)(uint32_t)(n - before->counts[cpu]);
            }
            if (n > most) {
                most = n;
                best = cpu;
            }
        }
    return best;
}

/* /proc/irq/N/smp_affinity is not in the bundle: each <dev>-TxRx-N vector is taken as
 * delivered where /proc/interrupts shows its interrupts landed. */
static void cfg_affinity(struct val_irq_model_cfg *c, const struct val_bundle *b, const char *dev,
                         GPtrArray *notes)
{
    const struct val_interrupts *ib = val_bundle_interrupts(b, false),
                                *ia = val_bundle_interrupts(b, true);
    GPtrArray *vec = ia ? val_interrupts_dev_queues(ia, dev, NULL) : NULL;
    unsigned missing = 0;
    for (guint v = 0; v < NIC_MAX_VECTORS && vec && v < vec->len; v++) {
        const struct val_irq_row *row = vec->pdata[v];
        if (!row)
            continue;
        const struct val_irq_row *before = ib ? val_interrupts_by_label(ib, row->label) : NULL;
        int cpu = busiest_cpu(row, before);
        if (cpu >= 0 && (unsigned)cpu < MIN(c->n_cpus, (unsigned)VAL_IRQ_MODEL_MAX_CPUS))
            sim_cpumask_set(&c->affinity[v], (unsigned)cpu);
        else
            missing++;
    }
    if (!vec || missing)
        note(notes,
             "%s: %u vector(s) without interrupts in /proc/interrupts: affinity of those taken "
             "as the driver's (vector v on CPU v mod ncpus)",
             dev, vec ? missing : c->n_queues);
    if (vec)
        g_ptr_array_free(vec, TRUE);
}

static bool cfg_rps(struct val_irq_model_cfg *c, const struct val_bundle *b, const char *dev,
                    GError **err)
{
    const struct val_sysctl *sc = val_bundle_sysctl(b);
    struct sim_cpumask *maps = g_new0(struct sim_cpumask, c->n_queues);
    uint64_t *cnt = g_new0(uint64_t, c->n_queues);
    bool any = false;
    struct sim_cpumask online;
    sim_cpumask_fill(&online, c->n_cpus);
    for (unsigned q = 0; q < c->n_queues; q++) {
        if (!val_bundle_rx_queue(b, dev, (int)q, &maps[q], &cnt[q], err)) {
            g_free(maps);
            g_free(cnt);
            return false;
        }
        sim_cpumask_and(&maps[q], &maps[q], &online);
        any |= !sim_cpumask_empty(&maps[q]) || cnt[q];
    }
    if (!any) {
        g_free(maps);
        g_free(cnt);
        return true;
    }
    c->rps_cpus = maps;
    c->rps_flow_cnt = cnt;
    c->rps.netdev_max_backlog = sc->netdev_max_backlog;
    c->rps.dev_weight = sc->dev_weight * MAX(sc->dev_weight_rx_bias, 1);
    c->rps.flow_limit_table_len = (unsigned)sc->flow_limit_table_len;
    c->rps.flow_limit_cpus = sc->flow_limit_cpu_bitmap;
    sim_cpumask_and(&c->rps.flow_limit_cpus, &c->rps.flow_limit_cpus, &online);
    c->rps.rps_sock_flow_entries = sc->rps_sock_flow_entries;
    return true;
}

bool val_irq_model_cfg_from_bundle(struct val_irq_model_cfg *c, const struct val_bundle *b,
                                   const struct kern_cost *cost, GPtrArray *notes, GError **err)
{
    const char *dev = val_bundle_rx_dev(b);
    val_irq_model_cfg_init(c, (unsigned)val_bundle_ncpus(b), 1);
    if (cost)
        c->cost = *cost;
    const struct val_sysctl *sc = val_bundle_sysctl(b);
    c->kp.hz = (unsigned)val_bundle_hz(b);
    c->kp.netdev_budget = sc->netdev_budget;
    c->kp.netdev_budget_usecs = (unsigned)MAX(sc->netdev_budget_usecs, 0);
    c->kp.gro_normal_batch = (unsigned)MAX(sc->gro_normal_batch, 1);
    if (!cfg_queues(c, b, dev, err) || !cfg_itr(c, b, dev, notes, err) ||
        !cfg_gro(c, b, dev, err) || !cfg_rps(c, b, dev, err))
        return false;
    cfg_ring(c, b, dev, notes);
    cfg_affinity(c, b, dev, notes);
    note(notes, "link speed not in the bundle: %u Mb/s assumed (adaptive ITR's speed rule)",
         c->link_mbps);
    return true;
}

/* ---- the replay ---- */

struct feed {
    const struct val_irq_pkt *pk;
    size_t n, next, selected;
};

static bool feed_next(void *ctx, struct traffic_pkt *p)
{
    struct feed *f = ctx;
    if (f->next >= f->n)
        return false;
    *p = f->pk[f->next++].pkt;
    return true;
}

/* The machine classifies each arrival once, in source order: the recorded queue and hash. */
static void feed_select(void *ctx, const struct traffic_pkt *p, struct sim_rx_choice *c)
{
    struct feed *f = ctx;
    (void)p;
    const struct val_irq_pkt *k = &f->pk[MIN(f->selected, f->n - 1)];
    f->selected++;
    c->queue = k->rxq;
    c->hash = k->hash;
    c->hashed = k->hash != 0;
    c->l4_hash = k->hash != 0 && k->pkt.has_ports;
}

/* Flow ids 1.. by first appearance (0: non-IP), as the pcap replay of models/traffic/gen.c. */
static struct val_irq_pkt *number_flows(const struct val_irq_pkt *pk, size_t n, unsigned *nflows)
{
    struct val_irq_pkt *out = g_new(struct val_irq_pkt, MAX(n, 1));
    GHashTable *ids =
        g_hash_table_new_full(traffic_flow_key_hash, traffic_flow_key_equal, g_free, NULL);
    for (size_t i = 0; i < n; i++) {
        out[i] = pk[i];
        out[i].pkt.flow = 0;
        if (pk[i].pkt.l3 == PKT_L3_NONE)
            continue;
        struct traffic_flow_key k = traffic_flow_key_of(&pk[i].pkt);
        gpointer id = g_hash_table_lookup(ids, &k);
        if (!id) {
            id = GUINT_TO_POINTER(g_hash_table_size(ids) + 1);
            g_hash_table_insert(ids, g_memdup2(&k, sizeof k), id);
        }
        out[i].pkt.flow = GPOINTER_TO_UINT(id);
    }
    *nflows = g_hash_table_size(ids) + 1;
    g_hash_table_destroy(ids);
    return out;
}

static unsigned lowest_cpu(const struct sim_cpumask *mask, unsigned dflt)
{
    int cpu = sim_cpumask_first(mask);
    return cpu >= 0 ? (unsigned)cpu : dflt;
}

bool val_irq_model_run(const struct val_irq_model_cfg *c, const struct val_irq_pkt *pk, size_t n,
                       struct val_irq_model_result *out, GError **err)
{
    return val_irq_model_run_tx(c, pk, n, NULL, 0, out, err);
}

bool val_irq_model_run_tx(const struct val_irq_model_cfg *c, const struct val_irq_pkt *pk, size_t n,
                          const struct val_irq_tx *tx, size_t ntx, struct val_irq_model_result *out,
                          GError **err)
{
    memset(out, 0, sizeof *out);
    if (c->n_cpus < 1 || c->n_cpus > VAL_IRQ_MODEL_MAX_CPUS || c->n_queues < 1 ||
        c->n_queues > NIC_MAX_VECTORS) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "IRQ model: %u CPUs and %u queues, the machine takes 1..%d of each", c->n_cpus,
                    c->n_queues, VAL_IRQ_MODEL_MAX_CPUS);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (pk[i].rxq >= c->n_queues || (i && pk[i].pkt.ts_ns < pk[i - 1].pkt.ts_ns)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "IRQ model: packet %zu: queue %u of %u or time going backwards", i + 1,
                        pk[i].rxq, c->n_queues);
            return false;
        }
    for (size_t i = 0; i < ntx; i++)
        if (tx[i].txq >= c->n_queues || (i && tx[i].ts_ns < tx[i - 1].ts_ns)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                        "IRQ model: transmit %zu: TX queue %u of %u or time going backwards", i + 1,
                        tx[i].txq, c->n_queues);
            return false;
        }
    struct sim_tx_frame *txf = g_new(struct sim_tx_frame, MAX(ntx, 1));
    for (size_t i = 0; i < ntx; i++)
        txf[i] = (struct sim_tx_frame){tx[i].ts_ns, tx[i].len, tx[i].txq};
    uint64_t last = n ? pk[n - 1].pkt.ts_ns : 0;
    if (ntx && tx[ntx - 1].ts_ns > last)
        last = tx[ntx - 1].ts_ns;
    unsigned nflows = 0;
    struct val_irq_pkt *fl = number_flows(pk, n, &nflows);
    unsigned nv = MIN(c->n_queues, c->n_cpus); /* ixgbe_acquire_msix_vectors() */
    /* The receiving thread of each flow runs where its queue's interrupt lands: wake-ups pull
     * receivers to the softirq CPU (spec §5). */
    unsigned *cpu_of_sock = g_new0(unsigned, nflows);
    for (size_t i = n; i-- > 0;) {
        unsigned v = fl[i].rxq % nv;
        cpu_of_sock[fl[i].pkt.flow] = lowest_cpu(&c->affinity[v], v % c->n_cpus);
    }
    bool any_aff = false;
    struct sim_cpumask *aff = g_new0(struct sim_cpumask, NIC_MAX_VECTORS);
    for (unsigned v = 0; v < nv; v++) {
        any_aff |= !sim_cpumask_empty(&c->affinity[v]);
        if (sim_cpumask_empty(&c->affinity[v]))
            sim_cpumask_set(&aff[v], v % c->n_cpus);
        else
            aff[v] = c->affinity[v];
    }
    struct sim_machine_cfg mc = {
        .n_cpus = c->n_cpus,
        .duration_ns = last + c->drain_ns,
        .rx_queues = c->n_queues,
        .tx_queues = c->n_queues,
        .ring_size = c->ring_size,
        .link_mbps = c->link_mbps,
        .rx_usecs = c->rx_usecs,
        .gro = c->gro,
        .affinity = any_aff ? aff : NULL,
        .n_affinity = any_aff ? nv : 0,
        .kp = c->kp,
        .cost = c->cost,
        .n_flows = nflows,
        .n_socks = nflows,
        .cpu_of_sock = cpu_of_sock,
        .rps = c->rps_cpus ? &c->rps : NULL,
        .rps_cpus = c->rps_cpus,
        .rps_flow_cnt = c->rps_flow_cnt,
        .tx_frames = txf,
        .n_tx_frames = ntx,
    };
    struct feed f = {fl, n, 0, 0};
    struct sim_machine *m =
        sim_machine_new(&mc, (struct sim_source){feed_next, &f},
                        (struct sim_steer){.select = feed_select, .ctx = &f}, err);
    bool ok = m != NULL;
    if (ok) {
        sim_machine_run_until(m, sim_machine_end(m));
        struct sim_result r;
        sim_machine_result(m, &r);
        out->n_vectors = MIN(r.n_vectors - 1, (unsigned)NIC_MAX_VECTORS);
        for (unsigned v = 0; v < out->n_vectors; v++) {
            for (unsigned cpu = 0; cpu < r.n_cpus; cpu++)
                out->irqs[v] += r.vectors[v].per_cpu[cpu];
            out->irq_cpu[v] = lowest_cpu(&aff[v], v % c->n_cpus);
        }
        memcpy(out->poll_hist, r.napi_dev_poll_hist, sizeof out->poll_hist);
        out->offered = r.offered;
        for (size_t i = 0; i < ntx; i++)
            out->tx_frames[tx[i].txq]++;
        out->tx_ring_full = sim_machine_tx_ring_full(m);
        for (unsigned q = 0; q < r.n_queues; q++)
            out->ring_drops += r.queues[q].drops;
        sim_result_clear(&r);
    }
    sim_machine_free(m);
    g_free(cpu_of_sock);
    g_free(fl);
    g_free(txf);
    g_free(aff);
    return ok;
}
