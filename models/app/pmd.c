/* DPDK poll-mode receive: lcores spinning on rte_eth_rx_burst (lib/ethdev/rte_ethdev.h),
 * the ixgbe vector RX path (drivers/net/ixgbe/ixgbe_rxtx_vec_sse.c), mbufs from an
 * rte_mempool (lib/mempool), rte_rings between RX and worker lcores (lib/ring). An lcore
 * never sleeps: its CPU shows 100% usr in mpstat whether or not packets come. */
#include "models/app/pmd.h"

#include <string.h>

#include "models/app/pmd_mempool.h"
#include "models/app/pmd_ring.h"
#include "sim/core/err.h"
#include "sim/core/jsonval.h"

/* Defaults. The sum of the RX drop path (burst 32: rx_burst_call / 32 + rx_pkt + rearm_desc
 * + mbuf_free = 20 ns/pkt, ~50 Mpps) is held against field-figures.md's DPDK drop rate on
 * one core, 43.5 Mpps (~23 ns/pkt, CoNEXT'18 XDP paper); the split between the terms is our
 * estimate of the code's weight. STLB sizes: Intel optimization manual, Skylake server
 * (1536 entries shared by 4 KB and 2 MB pages, 16 for 1 GB); page walk ~90 cycles at
 * 3 GHz with the PTE line in L3; core-to-core line transfer ~35 ns (Skylake L3 snoop). */
void app_pmd_cost_defaults(struct app_pmd_cost *c)
{
    *c = (struct app_pmd_cost){
        .rx_burst_call = 40, /* ixgbe_recv_pkts_vec: call, DD-bit scan, tail bookkeeping */
        .rx_pkt = 10,        /* _recv_raw_pkts_vec: 4 descriptors per SSE loop into mbufs */
        .rearm_desc = 4,     /* ixgbe_rxq_rearm: rte_mempool_get_bulk share + desc write */
        .mbuf_free = 5,      /* rte_pktmbuf_free: rte_mempool_put into the lcore cache */
        .ring_op = 15,       /* rte_ring_sp_enqueue_burst / sc_dequeue_burst: head, tail */
        .ring_obj = 1,       /* ENQUEUE_PTRS: one pointer store */
        .handoff_pkt = 35,   /* worker reads the mbuf + header lines from the RX core */
        .page_walk = 30,     /* STLB miss: PML4 -> PT walk, page-walk caches warm */
        .stlb_4k = 1536,
        .stlb_2m = 1536,
        .stlb_1g = 16,
        .mbuf_bytes = 2368, /* objhdr 64 + struct rte_mbuf 128 + RTE_MBUF_DEFAULT_BUF_SIZE 2176 */
    };
}

void app_pmd_cfg_defaults(struct app_pmd_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->mode = APP_PMD_RTC;
    c->burst = 32;             /* MAX_PKT_BURST of examples/l2fwd */
    c->ring_size = 1024;       /* examples/distributor and ip_pipeline ring sizes */
    c->mempool_size = 8191;    /* l2fwd NB_MBUF-like: 2^13 - 1, the mempool's optimum */
    c->mempool_cache = 256;    /* l2fwd MEMPOOL_CACHE_SIZE */
    c->page = APP_PMD_PAGE_2M; /* EAL's default hugepage size on x86 */
    app_pmd_cost_defaults(&c->cost);
}

static const char *const cost_names[] = {
    "rx_burst_call", "rx_pkt",  "rearm_desc", "mbuf_free", "ring_op",    "ring_obj", "handoff_pkt",
    "page_walk",     "stlb_4k", "stlb_2m",    "stlb_1g",   "mbuf_bytes", NULL};

static uint32_t *cost_field(struct app_pmd_cost *c, unsigned i)
{
    uint32_t *f[] = {&c->rx_burst_call, &c->rx_pkt,   &c->rearm_desc,  &c->mbuf_free,
                     &c->ring_op,       &c->ring_obj, &c->handoff_pkt, &c->page_walk,
                     &c->stlb_4k,       &c->stlb_2m,  &c->stlb_1g,     &c->mbuf_bytes};
    return f[i];
}

bool app_pmd_cost_load(struct app_pmd_cost *c, const json_t *o, const char *path, GError **err)
{
    if (!o)
        return true;
    if (!json_is_object(o))
        return sim_fail(err, SIM_ERROR_INPUT, "%s: expected an object of costs", path);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        unsigned i = 0;
        while (cost_names[i] && strcmp(cost_names[i], k) != 0)
            i++;
        if (!cost_names[i])
            return sim_fail(err, SIM_ERROR_INPUT,
                            "%s/%s: unknown key (expected one of the names of struct app_pmd_cost)",
                            path, k);
        char got[SIM_JSON_GOT_LEN];
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000)
            return sim_fail(err, SIM_ERROR_INPUT,
                            "%s/%s: expected an integer in [0, 1000000000], got %s", path, k,
                            sim_json_got(v, got));
        *cost_field(c, i) = (uint32_t)json_integer_value(v);
    }
    if (c->mbuf_bytes == 0)
        return sim_fail(err, SIM_ERROR_INPUT, "%s/mbuf_bytes: expected >= 1, got 0", path);
    return true;
}

double app_pmd_stlb_miss(const struct app_pmd_cfg *c)
{
    static const uint64_t page[] = {4096, 2u << 20, 1u << 30};
    uint32_t entries[] = {c->cost.stlb_4k, c->cost.stlb_2m, c->cost.stlb_1g};
    uint64_t pool = (uint64_t)c->mempool_size * c->cost.mbuf_bytes;
    uint64_t pages = (pool + page[c->page] - 1) / page[c->page];
    if (pages <= entries[c->page])
        return 0.0;
    return 1.0 - (double)entries[c->page] / (double)pages;
}

struct pmd_lcore {
    struct app_pmd *p;
    unsigned idx;
    unsigned n_q, *q; /* RX queues it owns */
    uint64_t tlb_ps;  /* STLB cost owed below 1 ns */
    struct sim_pmd_lcore st;
};

struct app_pmd {
    struct app_pmd_cfg cfg;
    struct kern_host *h;
    struct nic *nic;
    struct sim_flow_result *flows;
    unsigned n_flows, n_workers;
    struct app_mempool *mp;
    struct app_ring **rings; /* [rx lcore * n_workers + worker] */
    struct pmd_lcore *lc;
    uint64_t tlb_ps_per_touch;
    uint64_t done, ring_drops, alloc_failed;
    struct sim_hist lat;
};

/* One touch of an mbuf: its page's translation misses the STLB with the model's probability,
 * paid as the expected walk (whole ns charged, the remainder carried). */
static void tlb_touch(struct pmd_lcore *l, unsigned n)
{
    l->tlb_ps += l->p->tlb_ps_per_touch * n;
    if (l->tlb_ps >= 1000) {
        kern_charge_user(l->p->h, l->tlb_ps / 1000);
        l->tlb_ps %= 1000;
    }
}

/* ixgbe_rxq_rearm: once more than RTE_IXGBE_RXQ_REARM_THRESH descriptors are used, one
 * block of that many gets mbufs (rte_mempool_get_bulk on this lcore) and is handed back;
 * an empty pool leaves them unarmed and counts rx_mbuf_alloc_failed. */
static void rxq_rearm(struct pmd_lcore *l, unsigned q)
{
    struct app_pmd *p = l->p;
    if (nic_rx_unarmed(p->nic, q) <= APP_PMD_REARM_THRESH)
        return;
    if (!app_mempool_get(p->mp, l->idx, APP_PMD_REARM_THRESH)) {
        p->alloc_failed += APP_PMD_REARM_THRESH;
        return;
    }
    kern_charge_user(p->h, (uint64_t)p->cfg.cost.rearm_desc * APP_PMD_REARM_THRESH);
    nic_rx_rearm(p->nic, q, APP_PMD_REARM_THRESH);
}

/* rte_eth_rx_burst -> ixgbe_recv_pkts_vec: nb_pkts in chunks of RTE_IXGBE_MAX_RX_BURST,
 * each floored to RTE_IXGBE_DESCS_PER_LOOP, each rearming first; stops at a short chunk. */
static unsigned rx_burst(struct pmd_lcore *l, unsigned q, struct nic_rx_desc *out)
{
    struct app_pmd *p = l->p;
    const struct app_pmd_cost *c = &p->cfg.cost;
    unsigned got = 0, want = p->cfg.burst;
    kern_charge_user(p->h, c->rx_burst_call);
    while (got < want) {
        unsigned chunk = MIN(want - got, APP_PMD_MAX_RX_BURST);
        chunk -= chunk % APP_PMD_DESCS_PER_LOOP;
        if (chunk == 0)
            break;
        rxq_rearm(l, q);
        unsigned k = nic_rx_burst(p->nic, q, out + got, chunk);
        kern_charge_user(p->h, (uint64_t)c->rx_pkt * k);
        got += k;
        if (k < chunk)
            break;
    }
    return got;
}

/* The packet's work is done now: latency from its descriptor's write-back. */
static void pkt_done(struct app_pmd *p, uint32_t flow, uint64_t ts)
{
    uint64_t now = kern_now(p->h), lat = now > ts ? now - ts : 0;
    struct sim_flow_result *f = &p->flows[flow % p->n_flows];
    f->delivered++;
    sim_flow_lat_add(&f->latency, lat);
    sim_hist_add(&p->lat, lat);
    p->done++;
}

/* The application's per-packet work, then rte_pktmbuf_free on this lcore. */
static void pkt_work(struct pmd_lcore *l, uint32_t flow, uint64_t ts)
{
    struct app_pmd *p = l->p;
    tlb_touch(l, 1);
    kern_charge_user(p->h, (uint64_t)p->cfg.work_ns + p->cfg.cost.mbuf_free);
    app_mempool_put(p->mp, l->idx, 1);
    pkt_done(p, flow, ts);
}

static void account(struct pmd_lcore *l, uint64_t t0, unsigned got)
{
    uint64_t dt = kern_now(l->p->h) - t0;
    l->st.polls++;
    if (got) {
        l->st.busy_ns += dt;
        l->st.packets += got;
    } else {
        l->st.empty_polls++;
        l->st.spin_ns += dt;
    }
}

/* Run-to-completion (examples/l2fwd's main loop): each owned queue, one burst, the work. */
static void rtc_poll(struct pmd_lcore *l, unsigned q)
{
    struct nic_rx_desc d[APP_PMD_MAX_BURST];
    uint64_t t0 = kern_now(l->p->h);
    unsigned n = rx_burst(l, q, d);
    for (unsigned i = 0; i < n; i++)
        pkt_work(l, d[i].flow, d[i].ts);
    account(l, t0, n);
}

/* Pipeline RX lcore: one burst, each packet to worker hash % workers (a flow stays on one
 * worker, in order), one rte_ring_sp_enqueue_burst per worker; what does not fit is freed. */
static void rx_dispatch(struct pmd_lcore *l, unsigned q)
{
    struct app_pmd *p = l->p;
    const struct app_pmd_cost *c = &p->cfg.cost;
    struct nic_rx_desc d[APP_PMD_MAX_BURST];
    struct app_pmd_pkt out[APP_PMD_MAX_BURST];
    uint64_t t0 = kern_now(p->h);
    unsigned n = rx_burst(l, q, d);
    tlb_touch(l, n); /* the RX core writes each mbuf's fields */
    for (unsigned w = 0; n && w < p->n_workers; w++) {
        unsigned k = 0;
        for (unsigned i = 0; i < n; i++)
            if (d[i].hash % p->n_workers == w)
                out[k++] = (struct app_pmd_pkt){.ts = d[i].ts, .flow = d[i].flow, .len = d[i].len};
        if (!k)
            continue;
        kern_charge_user(p->h, c->ring_op + (uint64_t)c->ring_obj * k);
        struct app_ring *r = p->rings[l->idx * p->n_workers + w];
        unsigned sent = app_ring_enqueue_burst(r, out, k, kern_now(p->h));
        if (sent < k) { /* rte_pktmbuf_free of the rest */
            p->ring_drops += k - sent;
            kern_charge_user(p->h, (uint64_t)c->mbuf_free * (k - sent));
            app_mempool_put(p->mp, l->idx, k - sent);
        }
    }
    account(l, t0, n);
}

/* Pipeline worker: one rte_ring_sc_dequeue_burst per RX lcore's ring, the work. */
static void worker_poll(struct pmd_lcore *l, unsigned r)
{
    struct app_pmd *p = l->p;
    const struct app_pmd_cost *c = &p->cfg.cost;
    struct app_pmd_pkt in[APP_PMD_MAX_BURST];
    uint64_t t0 = kern_now(p->h);
    kern_charge_user(p->h, c->ring_op);
    struct app_ring *ring = p->rings[r * p->n_workers + (l->idx - p->cfg.rx_lcores)];
    unsigned n = app_ring_dequeue_burst(ring, in, p->cfg.burst, kern_now(p->h));
    kern_charge_user(p->h, (uint64_t)c->ring_obj * n);
    for (unsigned i = 0; i < n; i++) {
        kern_charge_user(p->h, c->handoff_pkt);
        pkt_work(l, in[i].flow, in[i].ts);
    }
    account(l, t0, n);
}

/* One turn of the lcore's loop (never blocks: the CPU stays busy). */
static bool lcore_step(struct cpus_thread *t, void *arg)
{
    (void)t;
    struct pmd_lcore *l = arg;
    struct app_pmd *p = l->p;
    if (l->idx >= p->cfg.rx_lcores) {
        for (unsigned r = 0; r < p->cfg.rx_lcores; r++)
            worker_poll(l, r);
        return true;
    }
    for (unsigned i = 0; i < l->n_q; i++) {
        if (p->cfg.mode == APP_PMD_RTC)
            rtc_poll(l, l->q[i]);
        else
            rx_dispatch(l, l->q[i]);
    }
    return true;
}

unsigned app_pmd_queue_lcore(const struct app_pmd *p, unsigned q)
{
    return q % p->cfg.rx_lcores;
}

/* rte_eth_dev_start -> ixgbe_alloc_rx_queue_mbufs: every descriptor of every ring gets an
 * mbuf from the pool (the main lcore's cache: index n_lcores). */
static bool fill_rings(struct app_pmd *p, unsigned nq, unsigned ring_size)
{
    for (unsigned q = 0; q < nq; q++) {
        if (!app_mempool_get(p->mp, p->cfg.n_lcores, ring_size))
            return false;
        nic_rx_pmd_attach(p->nic, q);
    }
    return true;
}

static void start_lcores(struct app_pmd *p, unsigned nq)
{
    struct cpus_sched *s = kern_sched(p->h);
    for (unsigned i = 0; i < p->cfg.n_lcores; i++) {
        struct pmd_lcore *l = &p->lc[i];
        l->p = p;
        l->idx = i;
        l->st.cpu = p->cfg.lcores[i];
        l->st.rx = i < p->cfg.rx_lcores;
        if (l->st.rx) {
            l->q = g_new(unsigned, nq);
            for (unsigned q = i; q < nq; q += p->cfg.rx_lcores)
                l->q[l->n_q++] = q;
        }
        char name[24];
        g_snprintf(name, sizeof name, "lcore/%u", i);
        struct cpus_thread *t = cpus_thread_new(s, name, l->st.cpu, lcore_step, l);
        struct sim_cpumask m; /* rte_thread_set_affinity: pinned to its CPU */
        sim_cpumask_clear(&m);
        sim_cpumask_set(&m, l->st.cpu);
        cpus_thread_set_affinity(s, t, &m);
        cpus_wake(s, t);
    }
}

struct app_pmd *app_pmd_new(const struct app_pmd_cfg *cfg, const struct app_env *env)
{
    unsigned nq = env->n_queues;
    if (cfg->n_lcores == 0 || cfg->n_lcores > APP_PMD_MAX_LCORES || cfg->rx_lcores == 0 ||
        cfg->rx_lcores > cfg->n_lcores || cfg->rx_lcores > nq || cfg->burst > APP_PMD_MAX_BURST ||
        (cfg->mode == APP_PMD_PIPELINE) != (cfg->rx_lcores < cfg->n_lcores))
        return NULL;
    struct app_pmd *p = g_new0(struct app_pmd, 1);
    p->cfg = *cfg;
    p->h = env->h;
    p->nic = env->nic;
    p->flows = env->flows;
    p->n_flows = env->n_flows;
    p->n_workers = cfg->n_lcores - cfg->rx_lcores;
    p->mp = app_mempool_new(cfg->mempool_size, cfg->mempool_cache, cfg->n_lcores + 1);
    sim_hist_init(&p->lat);
    p->tlb_ps_per_touch = (uint64_t)(app_pmd_stlb_miss(cfg) * cfg->cost.page_walk * 1000.0 + 0.5);
    if (!p->mp || !fill_rings(p, nq, env->rx_ring_size)) {
        app_pmd_free(p);
        return NULL;
    }
    p->rings = g_new0(struct app_ring *, (size_t)cfg->rx_lcores * p->n_workers + 1);
    for (unsigned i = 0; i < cfg->rx_lcores * p->n_workers; i++)
        if (!(p->rings[i] = app_ring_new(cfg->ring_size))) {
            app_pmd_free(p);
            return NULL;
        }
    p->lc = g_new0(struct pmd_lcore, cfg->n_lcores);
    start_lcores(p, nq);
    return p;
}

void app_pmd_free(struct app_pmd *p)
{
    if (!p)
        return;
    for (unsigned i = 0; p->rings && i < p->cfg.rx_lcores * p->n_workers; i++)
        app_ring_free(p->rings[i]);
    g_free(p->rings);
    for (unsigned i = 0; p->lc && i < p->cfg.n_lcores; i++)
        g_free(p->lc[i].q);
    g_free(p->lc);
    app_mempool_free(p->mp);
    sim_hist_clear(&p->lat);
    g_free(p);
}

void app_pmd_result(const struct app_pmd *p, struct sim_pmd_result *r)
{
    static const uint64_t page[] = {4096, 2u << 20, 1u << 30};
    uint32_t entries[] = {p->cfg.cost.stlb_4k, p->cfg.cost.stlb_2m, p->cfg.cost.stlb_1g};
    r->present = true;
    r->pipeline = p->cfg.mode == APP_PMD_PIPELINE;
    r->burst = p->cfg.burst;
    r->n_lcores = p->cfg.n_lcores;
    r->done = p->done;
    r->ring_drops = p->ring_drops;
    r->mbuf_alloc_failed = p->alloc_failed;
    r->stlb_miss = app_pmd_stlb_miss(&p->cfg);
    r->tlb_ns_per_touch = (double)p->tlb_ps_per_touch / 1000.0;
    r->pool_bytes = (uint64_t)p->cfg.mempool_size * p->cfg.cost.mbuf_bytes;
    r->page_bytes = page[p->cfg.page];
    r->stlb_entries = entries[p->cfg.page];
    sim_hist_init(&r->latency); /* a copy: the result outlives the workload */
    sim_hist_merge(&r->latency, &p->lat);
    r->busy_ns = 0;
    for (unsigned i = 0; i < p->cfg.n_lcores && i < SIM_PMD_MAX_LCORES; i++) {
        r->lcores[i] = p->lc[i].st;
        r->busy_ns += p->lc[i].st.busy_ns;
    }
}

static void *pmd_new(const void *cfg, const struct app_env *env)
{
    struct app_pmd *p = app_pmd_new(cfg, env);
    for (unsigned i = 0; p && i < p->cfg.n_lcores; i++)
        env->kick(env->kick_ctx, p->cfg.lcores[i]);
    return p;
}

static void pmd_free(void *w)
{
    app_pmd_free(w);
}

static void pmd_result(const void *w, struct sim_pmd_result *r)
{
    if (w)
        app_pmd_result(w, r);
}

const struct app_workload_ops app_pmd_workload = {
    .name = "pmd", .new = pmd_new, .free = pmd_free, .pmd_result = pmd_result};
