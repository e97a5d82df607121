/* Single-queue NIC (or RSS disabled, MRQC.MRQE = 0): every frame to queue 0,
 * as with `ethtool -L dev combined 1`. */
#include "models/nic/steer.h"

#include "sim/core/err.h"

struct steer_single {
    uint64_t packets;
};

static void *steer_single_init(const json_t *cfg, const char *path, const struct steer_env *env,
                               GError **err)
{
    json_error_t je;
    if (cfg && json_unpack_ex((json_t *)cfg, &je, JSON_STRICT, "{}") != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: %s (expected an empty object)", path,
                    je.text);
        return NULL;
    }
    return g_new0(struct steer_single, 1);
}

static int steer_single_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    struct steer_single *s = st;
    s->packets++;
    return 0;
}

static json_t *steer_single_dump(void *st)
{
    const struct steer_single *s = st;
    return json_pack("{s:I}", "packets", (json_int_t)s->packets);
}

static void steer_single_destroy(void *st)
{
    g_free(st);
}

const struct steer_policy_ops steer_single_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "single",
    .init = steer_single_init,
    .select_rxq = steer_single_select,
    .dump = steer_single_dump,
    .destroy = steer_single_destroy,
};
