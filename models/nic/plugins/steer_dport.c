/* Example external steering policy (loaded with GModule by name "dport"):
 * queue by L4 destination port, like an ntuple rule set
 * (`ethtool -N dev flow-type tcp4 dst-port P action Q`) with a modulo default. */
#include <errno.h>
#include <stdlib.h>

#include "models/nic/steer.h"

#define DPORT_ERROR g_quark_from_static_string("nicsteer-steer-dport")

struct steer_dport {
    int16_t map[65536]; /* port -> queue, -1 = use dport % n_rx_queues */
    unsigned n_queues;
    uint64_t mapped, modulo, no_ports;
};

/* Config: {"map": {"80": 3, "443": 5}} (optional). */
static void *dport_init(const json_t *cfg, const char *path, const struct steer_env *env,
                        GError **err)
{
    json_t *map = NULL;
    json_error_t je;
    if (cfg && json_unpack_ex((json_t *)cfg, &je, JSON_STRICT, "{s?o}", "map", &map) != 0) {
        g_set_error(err, DPORT_ERROR, 1, "%s: %s (expected key map)", path, je.text);
        return NULL;
    }
    if (map && !json_is_object(map)) {
        g_set_error(err, DPORT_ERROR, 1, "%s/map: expected an object {\"port\": queue}", path);
        return NULL;
    }
    struct steer_dport *s = g_new(struct steer_dport, 1);
    for (unsigned i = 0; i < 65536; i++)
        s->map[i] = -1;
    s->n_queues = env->n_rx_queues ? env->n_rx_queues : 1;
    s->mapped = s->modulo = s->no_ports = 0;
    const char *k;
    json_t *v;
    json_object_foreach(map, k, v)
    {
        char *end;
        errno = 0;
        unsigned long port = strtoul(k, &end, 10);
        json_int_t q = json_is_integer(v) ? json_integer_value(v) : -1;
        if (!*k || *end || errno || port > 65535 || q < 0 || q >= (json_int_t)s->n_queues) {
            g_set_error(err, DPORT_ERROR, 1,
                        "%s/map/%s: expected a port 0..65535 mapped to a queue < %u", path, k,
                        s->n_queues);
            g_free(s);
            return NULL;
        }
        s->map[port] = (int16_t)q;
    }
    return s;
}

static int dport_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    struct steer_dport *s = st;
    if (!p->has_ports || p->frag) {
        s->no_ports++;
        return STEER_NO_MATCH;
    }
    if (s->map[p->dport] >= 0) {
        s->mapped++;
        return s->map[p->dport];
    }
    s->modulo++;
    return (int)(p->dport % s->n_queues);
}

static json_t *dport_dump(void *st)
{
    const struct steer_dport *s = st;
    return json_pack("{s:I, s:I, s:I}", "mapped", (json_int_t)s->mapped, "modulo",
                     (json_int_t)s->modulo, "no_ports", (json_int_t)s->no_ports);
}

static void dport_destroy(void *st)
{
    g_free(st);
}

const struct steer_policy_ops nicsteer_policy_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "dport",
    .init = dport_init,
    .select_rxq = dport_select,
    .dump = dport_dump,
    .destroy = dport_destroy,
};
