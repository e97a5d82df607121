/* MAC-based queue selection, the L2 analogue of the 82599 VMDq pool choice by
 * destination MAC (RAR/MPSAR filters; ixgbe_set_vmdq_generic, ixgbe_common.c).
 * A documented fold replaces the per-MAC RAR table: queue = fold16(MAC) % n. */
#include "models/nic/steer.h"

#include <string.h>

#include "sim/core/err.h"

struct steer_machash {
    bool use_src;
    unsigned n_queues;
    uint64_t packets;
};

/* XOR of the three big-endian 16-bit words of the MAC: every byte counts, the
 * same MAC always gives the same queue (as one RAR entry maps one pool). */
static unsigned mac_fold16(const uint8_t mac[6])
{
    return (unsigned)((mac[0] << 8 | mac[1]) ^ (mac[2] << 8 | mac[3]) ^ (mac[4] << 8 | mac[5]));
}

static void *steer_machash_init(const json_t *cfg, const char *path, const struct steer_env *env,
                                GError **err)
{
    const char *field = "dst";
    json_error_t je;
    if (cfg && json_unpack_ex((json_t *)cfg, &je, JSON_STRICT, "{s?s}", "field", &field) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: %s (expected key field)", path, je.text);
        return NULL;
    }
    if (strcmp(field, "dst") != 0 && strcmp(field, "src") != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/field: \"%s\", expected \"dst\" or \"src\"", path, field);
        return NULL;
    }
    if (env->n_rx_queues == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: no RX queues", path);
        return NULL;
    }
    struct steer_machash *s = g_new0(struct steer_machash, 1);
    s->use_src = field[0] == 's';
    s->n_queues = env->n_rx_queues;
    return s;
}

static int steer_machash_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    struct steer_machash *s = st;
    s->packets++;
    return (int)(mac_fold16(s->use_src ? p->smac : p->dmac) % s->n_queues);
}

static json_t *steer_machash_dump(void *st)
{
    const struct steer_machash *s = st;
    return json_pack("{s:s, s:I}", "field", s->use_src ? "src" : "dst", "packets",
                     (json_int_t)s->packets);
}

static void steer_machash_destroy(void *st)
{
    g_free(st);
}

const struct steer_policy_ops steer_machash_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "mac",
    .init = steer_machash_init,
    .select_rxq = steer_machash_select,
    .dump = steer_machash_dump,
    .destroy = steer_machash_destroy,
};
