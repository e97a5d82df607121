/* The /app keys (models/app workloads: sink, rr/proxy, acceptor, bulk sender, busy poll,
 * hogs) of the scenario loader; the shared key helpers are in scenario.c. */
#include <string.h>

#include "models/app/acceptor.h"
#include "models/app/bulk_sender.h"
#include "models/app/rr_server.h"
#include "models/app/sink.h"
#include "models/app/workload.h"
#include "sim/core/err.h"
#include "sim/core/jsonval.h"
#include "sim/host/scenario_priv.h"

/* /app/affinity: "pinned" (each thread on its /app/cpus CPU) or a CPU list for all
 * application threads (taskset -c). */
static bool load_app_affinity(struct sim_scenario *sc, const json_t *a, GError **err)
{
    const json_t *v = json_object_get(a, "affinity");
    if (!v || (json_is_string(v) && strcmp(json_string_value(v), "pinned") == 0))
        return true;
    if (!sim_scn_parse_affinity(v, "/app/affinity", sc->mc.n_cpus, &sc->thread_mask, err))
        return false;
    sc->thread_mask_set = true;
    for (unsigned i = 0; i < sc->n_sock_cpus; i++)
        if (!sim_cpumask_test(&sc->thread_mask, sc->sock_cpus[i]))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/affinity: excludes CPU %u that /app/cpus/%u starts a thread on",
                            sc->sock_cpus[i], i);
    return true;
}

static bool load_rr_common(struct sim_scenario *sc, struct app_rr_cfg *c, const json_t *a,
                           GError **err)
{
    long long v;
    bool has_b = json_object_get(sc->root, "nic_b") != NULL;
    if (!sim_scn_get_int(a, "tx_nic", "/app", 0, 1, c->wait_tx && has_b ? 1 : 0, &v, err))
        return false;
    if (v == 1 && !has_b)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/tx_nic: NIC 1 (eth1) does not exist (no /nic_b)");
    c->tx_dev = (unsigned)v;
    if (!sim_scn_get_us(a, "service_us", "/app", 0, 1000000, c->service_ns, &c->service_ns, err) ||
        !sim_scn_get_us(a, "rtt_us", "/app", 0, 10000000, c->rtt_ns, &c->rtt_ns, err))
        return false;
    if (!sim_scn_get_int(a, "request_bytes", "/app", 1, 1448, c->request_bytes, &v, err))
        return false;
    c->request_bytes = (uint32_t)v;
    if (!sim_scn_get_int(a, "response_bytes", "/app", 1, 1 << 20, c->response_bytes, &v, err))
        return false;
    c->response_bytes = (uint32_t)v;
    if (!sim_scn_get_bool(a, "busy_poll", "/app", false, &c->busy_poll, err))
        return false;
    if (c->busy_poll && !c->threads)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/busy_poll: needs a worker pool (/app/threads > 0), got threads 0");
    return true;
}

/* /app/workload "acceptor": acceptor + LIFO session pools (models/app/acceptor.c). */
static bool load_app_acceptor(struct sim_scenario *sc, const json_t *a, GError **err)
{
    struct app_acceptor_cfg *c = &sc->acc;
    app_acceptor_cfg_defaults(c);
    if (json_object_get(a, "threads"))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/threads: the acceptor workload sizes its pools with /app/pool");
    if (json_object_get(a, "affinity"))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/affinity: the acceptor workload places its own threads (per queue: "
                        "pinned on the queue's IRQ CPU; single: every CPU)");
    if (sc->sockets > 0)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/sockets: the acceptor workload needs one socket per connection "
                        "(\"per_flow\")");
    const json_t *m = json_object_get(a, "acceptor");
    if (m) {
        if (!json_is_string(m) || (strcmp(json_string_value(m), "per_queue") != 0 &&
                                   strcmp(json_string_value(m), "single") != 0))
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/app/acceptor: expected \"per_queue\" or \"single\"");
        c->per_queue = strcmp(json_string_value(m), "per_queue") == 0;
    }
    long long v;
    if (!sim_scn_get_int(a, "pool", "/app", 1, 1024, c->pool, &v, err))
        return false;
    c->pool = (unsigned)v;
    if (!sim_scn_get_int(a, "msgs_per_conn", "/app", 1, 1000000, c->msgs_per_conn, &v, err))
        return false;
    c->msgs_per_conn = (unsigned)v;
    return load_rr_common(sc, &c->rr, a, err);
}

/* /app/workload "none": nothing listens, so only generated UDP flows: a TCP
 * segment would get tcp_v4_send_reset()'s RST, which the model does not send. */
bool sim_scn_check_no_listener(const json_t *app, const json_t *traffic, GError **err)
{
    static const char *const readers[] = {"sockets",   "cpus",   "affinity", "udp_connected",
                                          "ack_every", "tx_nic", NULL};
    for (unsigned i = 0; readers[i]; i++)
        if (json_object_get(app, readers[i]))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/%s: nothing reads with /app/workload \"none\"", readers[i]);
    const json_t *flows = json_object_get(traffic, "flows");
    if (!json_is_array(flows))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/traffic: /app/workload \"none\" needs generated UDP flows (a pcap may "
                        "hold TCP, whose RST replies are not modelled)");
    for (size_t i = 0; i < json_array_size(flows); i++) {
        const char *p = json_string_value(json_object_get(json_array_get(flows, i), "proto"));
        if (p && strcmp(p, "udp") != 0)
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/traffic/flows/%zu/proto: expected \"udp\" with /app/workload "
                            "\"none\" (tcp_v4_rcv would answer with RSTs, not modelled)",
                            i);
    }
    return true;
}

/* /app/workload "bulk_sender" (models/app/bulk_sender.c): /app/write_bytes per write(). */
static bool load_app_bulk(struct sim_scenario *sc, const json_t *a, GError **err)
{
    long long v;
    if (!sc->bulk_set) {
        if (json_object_get(a, "write_bytes"))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/write_bytes: only for /app/workload \"bulk_sender\"");
        return true;
    }
    if (!sim_scn_get_int(a, "write_bytes", "/app", 1, 16 << 20, APP_BULK_WRITE_DEFAULT, &v, err))
        return false;
    sc->bulk.write_bytes = (uint32_t)v;
    sc->bulk.tx_dev = 0;
    return true;
}

/* /app/workload "rr_client": request/response clients (models/app/rr_client.c), the client
 * host of a multi-host run: request_bytes, service_us (user work per request), rtt_us (think
 * time between a reply and the next request). */
static bool load_app_rr_client(struct sim_scenario *sc, const json_t *a, GError **err)
{
    static const char *const not_here[] = {"threads",       "response_bytes", "busy_poll",
                                           "tx_nic",        "acceptor",       "pool",
                                           "msgs_per_conn", "write_bytes",    NULL};
    for (unsigned i = 0; not_here[i]; i++)
        if (json_object_get(a, not_here[i]))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/%s: not for /app/workload \"rr_client\" (one thread per "
                            "connection, requests on eth0)",
                            not_here[i]);
    if (sc->sock_per_cpu || sc->sockets > 0)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/sockets: the rr_client workload has one socket per connection "
                        "(\"per_flow\")");
    struct app_rr_client_cfg *c = &sc->rrc;
    *c = (struct app_rr_client_cfg){.request_bytes = 64, .think_ns = 20000, .user_ns = 2000};
    long long v;
    if (!sim_scn_get_int(a, "request_bytes", "/app", 1, 1448, c->request_bytes, &v, err) ||
        !sim_scn_get_us(a, "service_us", "/app", 0, 1000000, c->user_ns, &c->user_ns, err) ||
        !sim_scn_get_us(a, "rtt_us", "/app", 0, 10000000, c->think_ns, &c->think_ns, err))
        return false;
    c->request_bytes = (uint32_t)v;
    sc->rrc_set = true;
    return true;
}

/* /app/workload "rr": request/response servers (models/app/rr_server.c). */
static bool load_app_rr(struct sim_scenario *sc, const json_t *a, GError **err)
{
    const json_t *w = json_object_get(a, "workload");
    bool rr = false;
    if (w) {
        if (!json_is_string(w) ||
            (strcmp(json_string_value(w), "sink") != 0 && strcmp(json_string_value(w), "rr") != 0 &&
             strcmp(json_string_value(w), "proxy") != 0 &&
             strcmp(json_string_value(w), "rr_client") != 0 &&
             strcmp(json_string_value(w), "acceptor") != 0 &&
             strcmp(json_string_value(w), "busypoll") != 0 &&
             strcmp(json_string_value(w), "bulk_sender") != 0 &&
             strcmp(json_string_value(w), "af_xdp") != 0 &&
             strcmp(json_string_value(w), "pmd") != 0 && strcmp(json_string_value(w), "none") != 0))
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/app/workload: expected \"sink\", \"rr\", "
                            "\"proxy\", \"rr_client\", \"acceptor\", \"busypoll\", "
                            "\"bulk_sender\", \"af_xdp\", \"pmd\" or \"none\"");
        rr = strcmp(json_string_value(w), "rr") == 0 || strcmp(json_string_value(w), "proxy") == 0;
        sc->acceptor_set = strcmp(json_string_value(w), "acceptor") == 0;
        sc->busy_poll = strcmp(json_string_value(w), "busypoll") == 0;
        sc->no_listener = strcmp(json_string_value(w), "none") == 0;
        sc->bulk_set = strcmp(json_string_value(w), "bulk_sender") == 0;
        sc->af_xdp = strcmp(json_string_value(w), "af_xdp") == 0;
        sc->pmd_set = strcmp(json_string_value(w), "pmd") == 0;
        if (strcmp(json_string_value(w), "rr_client") == 0)
            return load_app_rr_client(sc, a, err);
    }
    if (!sim_scn_load_pmd(sc, a, err))
        return false;
    if (!load_app_bulk(sc, a, err))
        return false;
    static const char *const rr_keys[] = {
        "threads", "service_us", "request_bytes", "response_bytes", "rtt_us", "busy_poll", NULL};
    static const char *const acc_keys[] = {"acceptor", "pool", "msgs_per_conn", NULL};
    for (unsigned i = 0; !sc->acceptor_set && acc_keys[i]; i++)
        if (json_object_get(a, acc_keys[i]))
            return sim_fail(err, SIM_ERROR_CONFIG, "/app/%s: only for /app/workload \"acceptor\"",
                            acc_keys[i]);
    if (sc->acceptor_set)
        return load_app_acceptor(sc, a, err);
    if (!rr) {
        for (unsigned i = 0; rr_keys[i]; i++)
            if (json_object_get(a, rr_keys[i]))
                return sim_fail(err, SIM_ERROR_CONFIG,
                                "/app/%s: only for /app/workload \"rr\" or \"proxy\" (sink and "
                                "busypoll have their own threads)",
                                rr_keys[i]);
        return true;
    }
    struct app_rr_cfg *c = &sc->rr;
    app_rr_cfg_defaults(c);
    c->wait_tx = strcmp(json_string_value(w), "proxy") == 0;
    long long v;
    if (!sim_scn_get_int(a, "threads", "/app", 0, 4096, 0, &v, err))
        return false;
    c->threads = (unsigned)v;
    c->thread_cpus = sc->sock_cpus;
    c->n_thread_cpus = sc->n_sock_cpus;
    if (!load_rr_common(sc, c, a, err))
        return false;
    sc->rr_set = true;
    return true;
}

bool sim_scn_load_app(struct sim_scenario *sc, const json_t *a, GError **err)
{
    static const char *const allowed[] = {
        "sockets",       "cpus",          "workload",       "threads", "affinity",
        "service_us",    "request_bytes", "response_bytes", "rtt_us",  "hog_cpus",
        "udp_connected", "ack_every",     "acceptor",       "pool",    "msgs_per_conn",
        "tx_nic",        "write_bytes",   "busy_poll",      "pmd",     NULL};
    sc->sockets = -1;
    if (!a)
        return true;
    if (!sim_scn_check_keys(a, "/app", allowed, err))
        return false;
    const json_t *s = json_object_get(a, "sockets");
    if (s) {
        if (json_is_string(s) && strcmp(json_string_value(s), "per_flow") == 0)
            sc->sockets = -1;
        else if (json_is_string(s) && strcmp(json_string_value(s), "per_cpu") == 0)
            sc->sock_per_cpu = true;
        else if (json_is_integer(s) && json_integer_value(s) >= 1 && json_integer_value(s) <= 65536)
            sc->sockets = (long)json_integer_value(s);
        else
            return sim_fail(err, SIM_ERROR_INPUT,
                            "/app/sockets: expected \"per_flow\", \"per_cpu\" or integer in "
                            "[1, 65536]");
    }
    const json_t *c = json_object_get(a, "cpus");
    if (c) {
        if (!json_is_array(c) || json_array_size(c) == 0)
            return sim_fail(err, SIM_ERROR_INPUT, "/app/cpus: expected a non-empty array of CPUs");
        sc->n_sock_cpus = (unsigned)json_array_size(c);
        sc->sock_cpus = g_new(unsigned, sc->n_sock_cpus);
        for (unsigned i = 0; i < sc->n_sock_cpus; i++) {
            const json_t *e = json_array_get(c, i);
            if (!json_is_integer(e) || json_integer_value(e) < 0)
                return sim_fail(err, SIM_ERROR_INPUT, "/app/cpus/%u: expected a CPU number", i);
            if (json_integer_value(e) >= sc->mc.n_cpus)
                return sim_fail(err, SIM_ERROR_CONFIG,
                                "/app/cpus/%u: CPU %lld does not exist (%u CPUs)", i,
                                json_integer_value(e), sc->mc.n_cpus);
            sc->sock_cpus[i] = (unsigned)json_integer_value(e);
        }
    }
    const json_t *hg = json_object_get(a, "hog_cpus");
    if (hg && (!json_is_array(hg) || json_array_size(hg) > MAX_CPUS))
        return sim_fail(err, SIM_ERROR_INPUT, "/app/hog_cpus: expected an array of CPUs");
    for (size_t i = 0; hg && i < json_array_size(hg); i++) {
        const json_t *e = json_array_get(hg, i);
        if (!json_is_integer(e) || json_integer_value(e) < 0)
            return sim_fail(err, SIM_ERROR_INPUT, "/app/hog_cpus/%zu: expected a CPU number", i);
        if (json_integer_value(e) >= sc->mc.n_cpus)
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/app/hog_cpus/%zu: CPU %lld does not exist (%u CPUs)", i,
                            json_integer_value(e), sc->mc.n_cpus);
        sc->hog_cpus[sc->n_hogs++] = (unsigned)json_integer_value(e);
    }
    if (!load_app_rr(sc, a, err) || !load_app_affinity(sc, a, err))
        return false;
    if (sc->sock_per_cpu &&
        (sc->rr_set || sc->acceptor_set || sc->busy_poll || sc->bulk_set || sc->pmd_set))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/sockets: \"per_cpu\" is for the sink workload (one reader per CPU)");
    if (sc->sock_per_cpu && sc->sock_cpus)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/cpus: with /app/sockets \"per_cpu\" socket s is read on CPU s");
    return true;
}
