/* The host wiring of a run: a scenario becomes a machine (sim/host/machine.c) of a
 * traffic source, a NIC classifier, the driver, kernel, scheduler and workload, each
 * configured from its room's keys; the scenario picks the workload's ops table. */
#include "sim/host/scenario.h"

#include "models/app/workload.h"
#include "models/kernel/kversion.h"
#include "models/nic/classifier.h"
#include "models/traffic/gen.h"
#include "sim/core/err.h"
#include "sim/host/scenario_priv.h"

struct sim_run {
    struct traffic_gen *gen;
    struct nic_classifier *cls;
    struct sim_machine *m;
    unsigned *sock_of_flow, *cpu_of_sock;
    struct nic_classifier *cls_b; /* linked: eth1's RSS stage */
    struct sim_steer steer_b;
    struct app_rr_cfg rr; /* linked proxy: the relay's configuration */
};

static bool run_next_pkt(void *ctx, struct traffic_pkt *p)
{
    return traffic_gen_next(ctx, p);
}

static void run_select(void *ctx, const struct traffic_pkt *p, struct sim_rx_choice *c)
{
    struct nic_rx_decision d;
    nic_classifier_select(ctx, p, &d);
    /* Field by field, the hash only when reported (it is 0 otherwise): copied as one
     * 8-byte load, queue and hash (two separate 4-byte stores of the classifier)
     * would stall store-to-load forwarding on every frame. */
    c->queue = d.queue;
    c->hashed = d.hashed;
    c->l4_hash = d.l4_hash;
    c->hash = d.hashed ? d.hash : 0;
}

static void run_observe_tx(void *ctx, const struct traffic_pkt *p, unsigned txq)
{
    nic_classifier_observe_tx(ctx, p, txq);
}

static int run_fdir_add(void *ctx, const struct traffic_pkt *p, unsigned rxq)
{
    return nic_classifier_add_filter(ctx, p, rxq);
}

static bool run_fdir_del(void *ctx, unsigned id)
{
    return nic_classifier_del_filter(ctx, id);
}

static void run_on_load(void *ctx, const struct steer_load *load)
{
    nic_classifier_on_load(ctx, load);
}

const char *sim_run_warning(const struct sim_run *r)
{
    return traffic_gen_warning(r->gen);
}

/* /app/workload: the models/app ops table and the workload's own configuration. */
static void workload_of(const struct sim_scenario *sc, const struct app_workload_ops **ops,
                        const void **cfg)
{
    *ops = sc->bulk_set       ? &app_bulk_workload
           : sc->rr_set       ? &app_rr_workload
           : sc->rrc_set      ? &app_rr_client_workload
           : sc->acceptor_set ? &app_acceptor_workload
           : sc->busy_poll    ? &app_busypoll_workload
           : sc->af_xdp       ? &app_af_xdp_workload
           : sc->pmd_set      ? &app_pmd_workload
           : sc->no_listener  ? NULL
                              : &app_sink_workload;
    *cfg = sc->bulk_set       ? (const void *)&sc->bulk
           : sc->rr_set       ? (const void *)&sc->rr
           : sc->rrc_set      ? (const void *)&sc->rrc
           : sc->acceptor_set ? (const void *)&sc->acc
           : sc->pmd_set      ? (const void *)&sc->pmd
                              : (const void *)&sc->sink;
}

/* A linked host's eth1 receives too: RSS (Toeplitz + RETA, the driver's defaults) over its
 * RX queues, as ixgbe_setup_mrqc() programs every port. */
static bool linked_nic_b(struct sim_run *r, const struct sim_scenario *sc,
                         struct sim_machine_cfg *mc, uint64_t seed, GError **err)
{
    if (!sc->rps.has_nic_b)
        return true;
    struct steer_env senv = {.n_rx_queues = sc->rps.nic_b.rx_queues,
                             .n_tx_queues = sc->rps.nic_b.tx_queues,
                             .n_cpus = mc->n_cpus,
                             .seed = seed};
    r->cls_b = nic_classifier_new(NULL, "/nic_b", &senv, err);
    if (!r->cls_b)
        return false;
    r->steer_b = (struct sim_steer){.select = run_select, .ctx = r->cls_b};
    mc->steer_b = &r->steer_b;
    return true;
}

static struct sim_run *run_build(const struct sim_scenario *sc, uint64_t seed,
                                 const struct sim_run_link *link, GError **err);

struct sim_run *sim_run_new(const struct sim_scenario *sc, uint64_t seed, GError **err)
{
    return run_build(sc, seed, NULL, err);
}

struct sim_run *sim_run_new_linked(const struct sim_scenario *sc, uint64_t seed,
                                   const struct sim_run_link *link, GError **err)
{
    return run_build(sc, seed, link, err);
}

static struct sim_run *run_build(const struct sim_scenario *sc, uint64_t seed,
                                 const struct sim_run_link *link, GError **err)
{
    if (!link && sc->rrc_set) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: /app/workload: \"rr_client\" needs a multi-host scenario (/hosts): its "
                    "replies come from another host over a link",
                    sc->name);
        return NULL;
    }
    struct sim_run *r = g_new0(struct sim_run, 1);
    struct traffic_gen_env tenv = {.seed = seed, .base_dir = sc->base_dir};
    r->gen = traffic_gen_new(sc->traffic, "/traffic", &tenv, err);
    if (!r->gen)
        goto fail;
    struct sim_machine_cfg mc = sc->mc;
    struct steer_env senv = {.n_rx_queues = mc.rx_queues,
                             .n_tx_queues = mc.tx_queues,
                             .n_cpus = mc.n_cpus,
                             .seed = seed,
                             .profile = sc->profile};
    r->cls = nic_classifier_new(sc->steering, "/nic/steering", &senv, err);
    if (!r->cls)
        goto fail;
    mc.n_flows = traffic_gen_n_flows(r->gen) + 1; /* ids 1..n, 0 = non-IP / unknown */
    mc.duration_ns = sc->duration_ns ? sc->duration_ns : traffic_gen_duration_ns(r->gen);
    if (mc.duration_ns == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "/duration_ms: needed (the traffic has no duration of its own)");
        goto fail;
    }
    mc.n_socks = sc->sock_per_cpu  ? mc.n_cpus
                 : sc->sockets > 0 ? (unsigned)sc->sockets
                                   : mc.n_flows;
    mc.sock_by_cpu = sc->sock_per_cpu;
    r->sock_of_flow = g_new(unsigned, mc.n_flows);
    for (unsigned f = 0; f < mc.n_flows; f++) /* flow f's socket; flow 0 shares socket 0 */
        r->sock_of_flow[f] =
            sc->sockets > 0 || sc->sock_per_cpu ? (f == 0 ? 0 : (f - 1) % mc.n_socks) : f;
    r->cpu_of_sock = g_new(unsigned, mc.n_socks);
    for (unsigned s = 0; s < mc.n_socks; s++) {
        unsigned i =
            (sc->sockets > 0 || sc->sock_per_cpu || s == 0) ? s : s - 1; /* flow ids from 1 */
        r->cpu_of_sock[s] = sc->sock_cpus ? sc->sock_cpus[i % sc->n_sock_cpus] : i % mc.n_cpus;
    }
    mc.sock_of_flow = r->sock_of_flow;
    mc.cpu_of_sock = r->cpu_of_sock;
    mc.sched = sc->sched;
    mc.sched.delay_dequeue = mc.kp.kernel_version >= KERN_VERSION(6, 12);
    mc.kp.seed = seed; /* the kernel's own streams (rx_jitter.c) */
    mc.sched.topology = sim_scenario_topology(sc->topology, mc.n_cpus, err);
    if (!mc.sched.topology)
        goto fail;
    mc.thread_affinity = sc->thread_mask_set ? &sc->thread_mask : NULL;
    workload_of(sc, &mc.workload, &mc.workload_cfg);
    mc.no_listener = sc->no_listener;
    mc.hog_cpus = sc->hog_cpus;
    mc.n_hogs = sc->n_hogs;
    mc.irq_sources = sc->irqsrc;
    mc.n_irq_sources = sc->n_irqsrc;
    if (sc->rps.on) {
        mc.rps = &sc->rps.p;
        mc.rps_cpus = sc->rps.rps_cpus;
        mc.rps_flow_cnt = sc->rps.rps_flow_cnt;
    }
    if (sc->rps.xps_given) {
        mc.xps_cpus = sc->rps.xps_cpus;
        mc.xps_rxqs = sc->rps.xps_rxqs;
    }
    mc.atr = sim_scenario_atr_on(sc->steering);
    mc.arfs = sc->rps.arfs;
    mc.nic_b = sc->rps.has_nic_b ? &sc->rps.nic_b : NULL;
    mc.events = sc->rps.events;
    mc.n_events = sc->rps.n_events;
    if (link) {
        mc.linked = true;
        mc.wire_out = link->wire_out;
        mc.wire_ctx = link->ctx;
        if (!linked_nic_b(r, sc, &mc, seed, err))
            goto fail;
        if (sc->rr_set && sc->rr.wait_tx) { /* the proxy relays between two real hosts */
            r->rr = sc->rr;
            r->rr.relay = true;
            mc.workload_cfg = &r->rr;
        }
    }
    /* Without a learning stage ATR samples and aRFS filters have nowhere to go. */
    bool learns = nic_classifier_learns_flows(r->cls);
    struct sim_steer st = {.select = run_select,
                           .ctx = r->cls,
                           .observe_tx = learns ? run_observe_tx : NULL,
                           .fdir_add = learns ? run_fdir_add : NULL,
                           .fdir_del = run_fdir_del};
    if (nic_classifier_feedback(r->cls, &st.feedback_ns, &st.staleness_ns))
        st.on_load = run_on_load; /* a stage with on_load: the host's feedback loop */
    r->m = sim_machine_new(&mc, (struct sim_source){run_next_pkt, r->gen}, st, err);
    if (!r->m)
        goto fail;
    if (sc->mpstat_interval_ns && !sim_machine_set_intervals(r->m, sc->mpstat_interval_ns, err)) {
        sim_error_prefix(err, "/outputs/mpstat_interval_ms");
        goto fail;
    }
    sim_machine_set_sysfs(r->m, sc->sysfs);
    g_free(r->sock_of_flow); /* copied into the machine's kernel: 4 bytes a flow less */
    r->sock_of_flow = NULL;
    return r;
fail:
    sim_error_prefix(err, "%s", sc->name);
    sim_run_free(r);
    return NULL;
}

json_t *sim_run_classifier_json(const struct sim_run *r)
{
    return nic_classifier_dump(r->cls);
}

struct sim_machine *sim_run_machine(struct sim_run *r)
{
    return r->m;
}

void sim_run_free(struct sim_run *r)
{
    if (!r)
        return;
    sim_machine_free(r->m);
    nic_classifier_free(r->cls);
    nic_classifier_free(r->cls_b);
    traffic_gen_free(r->gen);
    g_free(r->sock_of_flow);
    g_free(r->cpu_of_sock);
    g_free(r);
}
