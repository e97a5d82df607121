/* The /nic/xdp keys (#15 point 2): the XDP program attached to eth0 (ip link set dev eth0
 * xdp obj PROG; ixgbe_xdp_setup) and, for XDP_REDIRECT, its AF_XDP sockets (one per RX
 * queue, bound in XDP_ZEROCOPY or XDP_COPY mode). */
#include <string.h>

#include "sim/core/err.h"
#include "sim/core/jsonval.h"
#include "sim/host/scenario_priv.h"

#define XSK_DEFAULT_ENTRIES 2048 /* XSK_RING_CONS__DEFAULT_NUM_DESCS, tools/lib/bpf xsk.h */

static const struct {
    const char *name;
    enum kern_xdp_action act;
} progs[] = {
    {"drop", KERN_XDP_DROP},
    {"pass", KERN_XDP_PASS},
    {"tx", KERN_XDP_TX},
    {"redirect", KERN_XDP_REDIRECT},
};

static bool load_prog(struct sim_machine_cfg *mc, const json_t *x, GError **err)
{
    const json_t *p = json_object_get(x, "prog");
    char got[SIM_JSON_GOT_LEN];
    for (size_t i = 0; p && json_is_string(p) && i < G_N_ELEMENTS(progs); i++)
        if (strcmp(json_string_value(p), progs[i].name) == 0) {
            mc->xdp_prog.act = progs[i].act;
            return true;
        }
    return sim_fail(err, SIM_ERROR_INPUT,
                    "/nic/xdp/prog: expected \"drop\", \"pass\", \"tx\" or \"redirect\", got %s",
                    p ? sim_json_got(p, got) : "nothing (required)");
}

/* /nic/xdp/match: the share of the flows the program's verdict applies to (the rest
 * XDP_PASS), a number in [0, 1]; 1 when absent. */
static bool load_match(struct sim_machine_cfg *mc, const json_t *x, GError **err)
{
    const json_t *m = json_object_get(x, "match");
    char got[SIM_JSON_GOT_LEN];
    mc->xdp_prog.match_permille = 1000;
    if (!m)
        return true;
    if (!json_is_number(m) || json_number_value(m) < 0 || json_number_value(m) > 1)
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/nic/xdp/match: expected a fraction of the flows in [0, 1], got %s",
                        sim_json_got(m, got));
    mc->xdp_prog.match_permille = (unsigned)(json_number_value(m) * 1000 + 0.5);
    return true;
}

static bool load_xsk(struct sim_machine_cfg *mc, const json_t *x, GError **err)
{
    const json_t *mode = json_object_get(x, "mode");
    char got[SIM_JSON_GOT_LEN];
    bool redirect = mc->xdp_prog.act == KERN_XDP_REDIRECT;
    static const char *const xsk_keys[] = {"mode", "xsk_entries", NULL};
    for (unsigned i = 0; !redirect && xsk_keys[i]; i++)
        if (json_object_get(x, xsk_keys[i]))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "/nic/xdp/%s: only for /nic/xdp/prog \"redirect\" (AF_XDP sockets)",
                            xsk_keys[i]);
    mc->xsk_zc = true;
    if (mode && !(json_is_string(mode) && (strcmp(json_string_value(mode), "zc") == 0 ||
                                           strcmp(json_string_value(mode), "copy") == 0)))
        return sim_fail(err, SIM_ERROR_INPUT, "/nic/xdp/mode: expected \"zc\" or \"copy\", got %s",
                        sim_json_got(mode, got));
    if (mode)
        mc->xsk_zc = strcmp(json_string_value(mode), "zc") == 0;
    long long v;
    if (!sim_scn_get_int(x, "xsk_entries", "/nic/xdp", 64, 1 << 20, XSK_DEFAULT_ENTRIES, &v, err))
        return false;
    if (v & (v - 1)) /* xsk_init_queue: is_power_of_2(entries) */
        return sim_fail(err, SIM_ERROR_INPUT,
                        "/nic/xdp/xsk_entries: expected a power of two, got %lld", v);
    mc->xsk_entries = (unsigned)v;
    return true;
}

bool sim_scn_load_xdp(struct sim_scenario *sc, const json_t *x, GError **err)
{
    static const char *const allowed[] = {"prog", "mode", "match", "xsk_entries", NULL};
    struct sim_machine_cfg *mc = &sc->mc;
    mc->xdp = false;
    if (!x)
        return true;
    char got[SIM_JSON_GOT_LEN];
    if (!json_is_object(x))
        return sim_fail(err, SIM_ERROR_INPUT, "/nic/xdp: expected an object, got %s",
                        sim_json_got(x, got));
    if (!sim_scn_check_keys(x, "/nic/xdp", allowed, err) || !load_prog(mc, x, err) ||
        !load_match(mc, x, err) || !load_xsk(mc, x, err))
        return false;
    mc->xdp = true;
    return true;
}

bool sim_scn_check_xdp(const struct sim_scenario *sc, GError **err)
{
    bool redirect = sc->mc.xdp && sc->mc.xdp_prog.act == KERN_XDP_REDIRECT;
    if (redirect && !sc->af_xdp)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/nic/xdp/prog: \"redirect\" needs AF_XDP readers (/app/workload "
                        "\"af_xdp\")");
    if (sc->af_xdp && !redirect)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/workload: \"af_xdp\" needs /nic/xdp/prog \"redirect\" (its sockets "
                        "get only what the program redirects)");
    if (sc->af_xdp && sc->sock_per_cpu)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "/app/sockets: \"per_cpu\" is for the sink workload (one reader per CPU)");
    return true;
}
