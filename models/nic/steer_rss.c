/* RSS queue selection: queue = RETA[hash & (size-1)], non-hashed frames to
 * queue 0 (82599 datasheet §7.1.2.8; ixgbe_setup_mrqc, i40e_config_rss), with
 * the table size, key length, RSS queue limit and hashed fields of the NIC
 * profile (models/nic/nic_profile.h). */
#include "models/nic/steer_rss.h"

#include <string.h>

#include "sim/core/err.h"
#include "sim/core/rng.h"

struct steer_rss {
    struct nic_toeplitz *t;
    struct nic_reta *reta;
    struct nic_rss_fields fields;
    bool report_hash;
    bool sym_xor;                      /* ethtool -X xfrm symmetric-xor (RXH_XFRM_SYM_XOR) */
    const struct nic_profile *profile; /* NULL: unprofiled (82599 defaults) */
    struct nic_rss_ctx *ctx;           /* extra contexts + rules, NULL = none */
    unsigned max_rss_queues;
    uint64_t by_reta;    /* packets steered through the RETA */
    uint64_t not_hashed; /* non-IP (or no hash type): queue 0 */
};

static void steer_rss_destroy(void *st)
{
    struct steer_rss *s = st;
    if (!s)
        return;
    nic_toeplitz_free(s->t);
    nic_reta_free(s->reta);
    nic_rss_ctx_free(s->ctx);
    g_free(s);
}

static bool make_key(struct steer_rss *s, const char *hex, const char *path,
                     const struct steer_env *env, GError **err)
{
    uint8_t key[NIC_TOEPLITZ_KEY_MAX];
    const struct nic_profile *p = s->profile ? s->profile : nic_profile_default();
    size_t len = p->key_len;
    if (hex) {
        char *where = g_strdup_printf("%s/key", path);
        len = nic_toeplitz_key_parse(hex, where, key, err);
        bool ok = len && (!s->profile || nic_profile_check_key_len(p, (unsigned)len, where, err));
        g_free(where);
        if (!ok)
            return false;
    } else {
        /* netdev_rss_key_fill(): random per boot; here a seeded stream */
        struct sim_rng r;
        sim_rng_init(&r, env->seed, "rss_key");
        for (size_t i = 0; i < len; i++)
            key[i] = (uint8_t)sim_rng_u32(&r);
    }
    s->t = nic_toeplitz_new(key, len, err);
    if (!s->t)
        sim_error_prefix(err, "%s/key", path);
    return s->t != NULL;
}

static bool make_reta(struct steer_rss *s, int size, const json_t *spec, const char *path,
                      const struct steer_env *env, GError **err)
{
    unsigned limit = MIN(env->n_rx_queues, s->max_rss_queues);
    if (s->profile) {
        char *where = g_strdup_printf("%s/reta_size", path);
        bool fits = nic_profile_check_reta_size(s->profile, (unsigned)size, where, err);
        g_free(where);
        if (!fits)
            return false;
    }
    s->reta = nic_reta_new((unsigned)size, limit, err);
    if (!s->reta) {
        sim_error_prefix(err, "%s/reta_size", path);
        return false;
    }
    if (!spec)
        return true;
    char *where = g_strdup_printf("%s/reta", path);
    bool ok = nic_reta_apply_json(s->reta, spec, where, err);
    g_free(where);
    if (!ok && limit < env->n_rx_queues && err && *err) {
        /* ixgbe_set_rxfh: entries must be < min(num_rx_queues, RSS limit) */
        char *m = g_strdup_printf("%s (RSS spans min(%u rx queues, max_rss_queues %u))",
                                  (*err)->message, env->n_rx_queues, s->max_rss_queues);
        g_free((*err)->message);
        (*err)->message = m;
    }
    return ok;
}

/* The profile's RSS queue limit: ixgbe_set_rxfh / i40e_set_rxfh refuse entries
 * beyond it, so an explicit max_rss_queues may only lower it. */
static bool check_max_queues(const struct steer_env *env, int max_q, const char *path, GError **err)
{
    if (max_q < 1)
        return sim_fail(err, SIM_ERROR_CONFIG, "%s/max_rss_queues: expected a positive number",
                        path);
    if (env->profile && (unsigned)max_q > env->profile->max_rss_queues)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/max_rss_queues: %d, expected at most %u (the %s's RSS queues)", path,
                        max_q, env->profile->max_rss_queues, env->profile->name);
    return true;
}

/* "xfrm": "none" | "symmetric-xor" (ethtool -X DEV xfrm symmetric-xor). */
static bool parse_xfrm(struct steer_rss *s, const char *xfrm, const char *path, GError **err)
{
    if (!xfrm || !strcmp(xfrm, "none"))
        return true;
    if (strcmp(xfrm, "symmetric-xor") != 0)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/xfrm: expected \"none\" or \"symmetric-xor\", got \"%s\"", path, xfrm);
    const struct nic_profile *p = s->profile ? s->profile : nic_profile_default();
    if (!p->symmetric_xor)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/xfrm: the %s (%s) has no symmetric-xor input transform (set "
                        "/nic/model to \"generic\")",
                        path, p->name, p->driver);
    s->sym_xor = true;
    return true;
}

static void *steer_rss_init(const json_t *cfg, const char *path, const struct steer_env *env,
                            GError **err)
{
    const struct nic_profile *prof = env->profile ? env->profile : nic_profile_default();
    const char *key = NULL, *xfrm = NULL;
    int reta_size = (int)prof->reta_size, max_q = (int)prof->max_rss_queues;
    int udp4 = prof->udp4, udp6 = prof->udp6, hash = 1;
    json_t *reta = NULL, *contexts = NULL, *rules = NULL;
    json_error_t je;
    if (cfg && json_unpack_ex((json_t *)cfg, &je, JSON_STRICT,
                              "{s?s, s?i, s?o, s?i, s?b, s?b, s?b, s?s, s?o, s?o}", "key", &key,
                              "reta_size", &reta_size, "reta", &reta, "max_rss_queues", &max_q,
                              "udp4", &udp4, "udp6", &udp6, "hash", &hash, "xfrm", &xfrm,
                              "contexts", &contexts, "rules", &rules) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: %s (expected keys key, reta_size, reta, max_rss_queues, udp4, udp6, "
                    "hash, xfrm, contexts, rules)",
                    path, je.text);
        return NULL;
    }
    if (reta_size < 1) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s/reta_size: expected a positive number",
                    path);
        return NULL;
    }
    if (!check_max_queues(env, max_q, path, err))
        return NULL;
    struct steer_rss *s = g_new0(struct steer_rss, 1);
    s->profile = env->profile;
    s->fields.udp4 = udp4;
    s->fields.udp6 = udp6;
    s->report_hash = hash;
    s->max_rss_queues = (unsigned)max_q;
    if (!parse_xfrm(s, xfrm, path, err) || !make_key(s, key, path, env, err) ||
        !make_reta(s, reta_size, reta, path, env, err)) {
        steer_rss_destroy(s);
        return NULL;
    }
    s->ctx =
        nic_rss_ctx_new(contexts, rules, prof, (unsigned)reta_size, env->n_rx_queues, path, err);
    if ((contexts || rules) && !s->ctx) {
        steer_rss_destroy(s);
        return NULL;
    }
    return s;
}

/* Any other frame: the assembled input bytes. Out of line so that the common
 * 2-tuple path above needs no input buffer on its stack frame. */
static G_GNUC_NO_INLINE bool rss_hash_input(const struct steer_rss *s, const struct traffic_pkt *p,
                                            struct steer_ctx *ctx)
{
    uint8_t in[NIC_TOEPLITZ_INPUT_MAX];
    enum nic_rss_type type;
    size_t len = nic_toeplitz_pkt_input(p, &s->fields, in, &type);
    if (s->sym_xor && len)
        nic_toeplitz_input_sym_xor(in, len, p->l3 == PKT_L3_IPV4 ? 4 : 16);
    ctx->rss_type = (uint8_t)type;
    ctx->rss_hash = len ? nic_toeplitz_hash(s->t, in, len) : 0;
    return len != 0;
}

bool steer_rss_hash(const struct steer_rss *s, const struct traffic_pkt *p, struct steer_ctx *ctx)
{
    bool l4ok = p->has_ports && !p->frag;
    if (p->l3 == PKT_L3_IPV4 && !s->sym_xor &&
        !(l4ok && (p->l4 == IPPROTO_TCP || (p->l4 == IPPROTO_UDP && s->fields.udp4)))) {
        /* IPv4 2-tuple (UDP by ixgbe default, other protocols, fragments): the
         * same input bytes as nic_toeplitz_pkt_input, hashed in place */
        ctx->rss_type = NIC_RSS_IPV4;
        ctx->rss_hash =
            nic_toeplitz_word4_at(s->t, 0, p->saddr) ^ nic_toeplitz_word4_at(s->t, 4, p->daddr);
        return true;
    }
    return rss_hash_input(s, p, ctx);
}

bool steer_rss_reports_hash(const struct steer_rss *s)
{
    return s->report_hash;
}

const struct nic_toeplitz *steer_rss_toeplitz(const struct steer_rss *s)
{
    return s->t;
}

const struct nic_reta *steer_rss_reta(const struct steer_rss *s)
{
    return s->reta;
}

bool steer_rss_set_reta(struct steer_rss *s, const unsigned *q, unsigned n, GError **err)
{
    return nic_reta_set_list(s->reta, q, n, "reta", err);
}

static bool steer_rss_set_reta_op(void *st, const unsigned *q, unsigned n, GError **err)
{
    return steer_rss_set_reta(st, q, n, err);
}

int steer_rss_select_rxq(struct steer_rss *s, const struct steer_ctx *ctx)
{
    if (ctx->rss_type == NIC_RSS_NONE) {
        s->not_hashed++;
        return 0;
    }
    s->by_reta++;
    return (int)nic_reta_queue(s->reta, ctx->rss_hash);
}

static int steer_rss_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    struct steer_rss *s = st;
    if (s->ctx && ctx->rss_type != NIC_RSS_NONE) {
        /* an ntuple rule with `context N` (FLOW_RSS): action + RETA_N[hash] */
        int q = nic_rss_ctx_select(s->ctx, p, ctx->rss_hash);
        if (q >= 0)
            return q;
    }
    return steer_rss_select_rxq(s, ctx);
}

static json_t *steer_rss_dump(void *st)
{
    struct steer_rss *s = st;
    size_t len;
    const uint8_t *key = nic_toeplitz_key(s->t, &len);
    GString *hex = g_string_new(NULL);
    for (size_t i = 0; i < len; i++)
        g_string_append_printf(hex, "%s%02x", i ? ":" : "", key[i]);
    json_t *j =
        json_pack("{s:s, s:o, s:b, s:b, s:b, s:i, s:I, s:I}", "key", hex->str, "reta",
                  nic_reta_dump(s->reta), "udp4", s->fields.udp4, "udp6", s->fields.udp6, "hash",
                  s->report_hash, "max_rss_queues", (int)s->max_rss_queues, "by_reta",
                  (json_int_t)s->by_reta, "not_hashed", (json_int_t)s->not_hashed);
    g_string_free(hex, TRUE);
    /* only beyond the 82599's defaults: its reports stay as they were */
    if (s->ctx)
        json_object_set_new(j, "rss_contexts", nic_rss_ctx_dump(s->ctx));
    if (s->sym_xor)
        json_object_set_new(j, "xfrm", json_string("symmetric-xor"));
    if (s->profile && s->profile != nic_profile_default())
        json_object_set_new(j, "nic", json_string(s->profile->name));
    return j;
}

const struct steer_policy_ops steer_rss_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "rss",
    .init = steer_rss_init,
    .select_rxq = steer_rss_select,
    .set_reta = steer_rss_set_reta_op,
    .dump = steer_rss_dump,
    .destroy = steer_rss_destroy,
};
