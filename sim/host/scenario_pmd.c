/* /app/pmd (models/app/pmd.c, #15 point 1): DPDK-style poll-mode receive. Checks what
 * rte_eal_init, rte_pktmbuf_pool_create, rte_ring_create and rte_eth_dev_start would
 * refuse, and contradictions of the lcore layout. */
#include <string.h>

#include "models/app/pmd.h"
#include "sim/core/err.h"
#include "sim/core/jsonval.h"
#include "sim/host/scenario_priv.h"

static bool load_mode(struct app_pmd_cfg *c, const json_t *o, GError **err)
{
    const json_t *m = json_object_get(o, "mode");
    if (!m)
        return true;
    const char *s = json_is_string(m) ? json_string_value(m) : "";
    char got[SIM_JSON_GOT_LEN];
    if (strcmp(s, "rtc") != 0 && strcmp(s, "pipeline") != 0)
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/app/pmd/mode: expected \"rtc\" or \"pipeline\", got %s",
                        sim_json_got(m, got));
    c->mode = strcmp(s, "rtc") == 0 ? APP_PMD_RTC : APP_PMD_PIPELINE;
    return true;
}

static bool load_hugepage(struct app_pmd_cfg *c, const json_t *o, GError **err)
{
    const json_t *m = json_object_get(o, "hugepage");
    if (!m)
        return true;
    static const char *const names[] = {"4k", "2m", "1g"};
    for (unsigned i = 0; i < 3; i++)
        if (json_is_string(m) && strcmp(json_string_value(m), names[i]) == 0) {
            c->page = (enum app_pmd_page)i;
            return true;
        }
    char got[SIM_JSON_GOT_LEN];
    return sim_fail(
        err, SIM_ERROR_INPUT,
        "/app/pmd/hugepage: expected \"4k\", \"2m\" or \"1g\" (mempool page size), got %s",
        sim_json_got(m, got));
}

/* /app/pmd/lcores: CPUs, one lcore each (EAL -l); default one per RX queue from CPU 0
 * (rtc) or every CPU (pipeline). */
static bool load_lcores(struct sim_scenario *sc, struct app_pmd_cfg *c, const json_t *o,
                        GError **err)
{
    unsigned ncpu = sc->mc.n_cpus;
    const json_t *l = json_object_get(o, "lcores");
    if (!l) {
        c->n_lcores = c->mode == APP_PMD_RTC ? MIN(sc->mc.rx_queues, ncpu) : ncpu;
        c->n_lcores = MIN(c->n_lcores, APP_PMD_MAX_LCORES);
        for (unsigned i = 0; i < c->n_lcores; i++)
            c->lcores[i] = i;
        return true;
    }
    if (!json_is_array(l) || json_array_size(l) == 0 || json_array_size(l) > APP_PMD_MAX_LCORES)
        return sim_fail(err, SIM_ERROR_INPUT, "/app/pmd/lcores: expected an array of 1 to %d CPUs",
                        APP_PMD_MAX_LCORES);
    uint64_t seen = 0;
    c->n_lcores = (unsigned)json_array_size(l);
    for (unsigned i = 0; i < c->n_lcores; i++) {
        const json_t *e = json_array_get(l, i);
        if (!json_is_integer(e) || json_integer_value(e) < 0)
            return sim_fail(err, SIM_ERROR_INPUT, "/app/pmd/lcores/%u: expected a CPU number", i);
        if (json_integer_value(e) >= ncpu)
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/pmd/lcores/%u: CPU %lld does not exist (%u CPUs)", i,
                            json_integer_value(e), ncpu);
        c->lcores[i] = (unsigned)json_integer_value(e);
        if (seen >> c->lcores[i] & 1)
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/pmd/lcores/%u: CPU %u already runs an lcore (one per CPU)", i,
                            c->lcores[i]);
        seen |= 1ull << c->lcores[i];
    }
    return true;
}

/* rx_lcores: every lcore in rtc; 1..lcores-1 in pipeline (the rest are workers); each RX
 * lcore owns at least one RX queue. */
static bool load_rx_lcores(struct sim_scenario *sc, struct app_pmd_cfg *c, const json_t *o,
                           GError **err)
{
    long long v;
    bool rtc = c->mode == APP_PMD_RTC;
    if (!sim_scn_get_int(o, "rx_lcores", "/app/pmd", 1, APP_PMD_MAX_LCORES, rtc ? c->n_lcores : 1,
                         &v, err))
        return false;
    c->rx_lcores = (unsigned)v;
    if (rtc && c->rx_lcores != c->n_lcores)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/pmd/rx_lcores: mode \"rtc\" receives on every lcore (%u), got %u",
                        c->n_lcores, c->rx_lcores);
    if (!rtc && c->rx_lcores >= c->n_lcores)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/pmd/rx_lcores: mode \"pipeline\" needs a worker lcore: expected "
                        "below the %u lcores, got %u",
                        c->n_lcores, c->rx_lcores);
    if (c->rx_lcores > sc->mc.rx_queues)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/pmd/rx_lcores: each RX lcore owns an RX queue: expected at most "
                        "/nic/rx_queues (%u), got %u",
                        sc->mc.rx_queues, c->rx_lcores);
    return true;
}

static bool load_sizes(struct sim_scenario *sc, struct app_pmd_cfg *c, const json_t *o,
                       GError **err)
{
    long long v;
    if (!sim_scn_get_int(o, "burst", "/app/pmd", 4, APP_PMD_MAX_BURST, c->burst, &v, err))
        return false;
    c->burst = (unsigned)v;
    if (c->mode == APP_PMD_RTC && json_object_get(o, "ring_size"))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/pmd/ring_size: only for mode \"pipeline\" (rtc has no rte_ring)");
    if (!sim_scn_get_int(o, "ring_size", "/app/pmd", 2, 1 << 20, c->ring_size, &v, err))
        return false;
    if (v & (v - 1))
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/app/pmd/ring_size: expected a power of two (rte_ring_create), got %lld",
                        v);
    c->ring_size = (unsigned)v;
    if (!sim_scn_get_int(o, "mempool_size", "/app/pmd", 1, 1 << 24, c->mempool_size, &v, err))
        return false;
    c->mempool_size = (unsigned)v;
    if (!sim_scn_get_int(o, "mempool_cache", "/app/pmd", 0, 512, c->mempool_cache, &v, err))
        return false;
    c->mempool_cache = (unsigned)v;
    if ((uint64_t)c->mempool_cache * 3 / 2 > c->mempool_size)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/pmd/mempool_cache: rte_mempool_create refuses a cache over "
                        "mempool_size / 1.5 (%u), got %u",
                        c->mempool_size * 2 / 3, c->mempool_cache);
    uint64_t need = (uint64_t)sc->mc.rx_queues * sc->mc.ring_size;
    if (c->mempool_size < need)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/pmd/mempool_size: rte_eth_dev_start fills every RX descriptor "
                        "(/nic/rx_queues x /nic/ring_size = %" G_GUINT64_FORMAT
                        "): expected at least that, got %u",
                        need, c->mempool_size);
    if (!sim_scn_get_int(o, "work_ns", "/app/pmd", 0, 1000000000, 0, &v, err))
        return false;
    c->work_ns = (uint32_t)v;
    return true;
}

bool sim_scn_load_pmd(struct sim_scenario *sc, const json_t *a, GError **err)
{
    const json_t *o = json_object_get(a, "pmd");
    if (!sc->pmd_set) {
        if (o)
            return sim_fail(err, SIM_ERROR_CONFIG, "/app/pmd: only for /app/workload \"pmd\"");
        return true;
    }
    static const char *const forbid[] = {"sockets", "cpus", "affinity", "udp_connected", NULL};
    for (unsigned i = 0; forbid[i]; i++)
        if (json_object_get(a, forbid[i]))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/%s: the pmd workload has no sockets; its lcores are "
                            "/app/pmd/lcores",
                            forbid[i]);
    static const char *const keys[] = {
        "mode",          "burst",   "lcores",   "rx_lcores", "ring_size", "mempool_size",
        "mempool_cache", "work_ns", "hugepage", "costs",     NULL};
    struct app_pmd_cfg *c = &sc->pmd;
    app_pmd_cfg_defaults(c);
    if (o && !json_is_object(o))
        return sim_fail(err, SIM_ERROR_INPUT, "/app/pmd: expected an object");
    if (o && !sim_scn_check_keys(o, "/app/pmd", keys, err))
        return false;
    return load_mode(c, o, err) && load_hugepage(c, o, err) && load_lcores(sc, c, o, err) &&
           load_rx_lcores(sc, c, o, err) && load_sizes(sc, c, o, err) &&
           app_pmd_cost_load(&c->cost, json_object_get(o, "costs"), "/app/pmd/costs", err);
}
