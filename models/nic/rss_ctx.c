/* RSS contexts and their ntuple rules (see rss_ctx.h). */
#include "models/nic/rss_ctx.h"

#include <arpa/inet.h>
#include <string.h>

#include "models/nic/reta.h"
#include "sim/core/err.h"

struct rss_rule {
    uint8_t l3, l4;           /* PKT_L3_IPV4/6, IPPROTO_TCP/UDP */
    bool has_src, has_dst;    /* address given */
    uint8_t src[16], dst[16]; /* network order */
    int sport, dport;         /* -1 = any */
    unsigned ctx;             /* 1-based context */
    unsigned action;          /* queue offset (ring_cookie) */
};

struct nic_rss_ctx {
    struct nic_reta **reta; /* context i + 1 */
    uint64_t *packets;
    unsigned n_ctx;
    struct rss_rule *rule;
    unsigned n_rules;
};

void nic_rss_ctx_free(struct nic_rss_ctx *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->n_ctx; i++)
        nic_reta_free(c->reta[i]);
    g_free(c->reta);
    g_free(c->packets);
    g_free(c->rule);
    g_free(c);
}

static bool load_contexts(struct nic_rss_ctx *c, const json_t *a, unsigned size, unsigned nq,
                          const char *path, GError **err)
{
    c->n_ctx = (unsigned)json_array_size(a);
    c->reta = g_new0(struct nic_reta *, c->n_ctx);
    c->packets = g_new0(uint64_t, c->n_ctx);
    for (unsigned i = 0; i < c->n_ctx; i++) {
        const json_t *o = json_array_get(a, i);
        const json_t *spec = json_object_get(o, "reta");
        if (!json_is_object(o) || json_object_size(o) != (spec ? 1u : 0u))
            return sim_fail(err, SIM_ERROR_CONFIG,
                            "%s/contexts/%u: expected {\"reta\": \"equal N\" or [queues]}", path,
                            i);
        if (!(c->reta[i] = nic_reta_new(size, nq, err)))
            return false;
        char *where = g_strdup_printf("%s/contexts/%u/reta", path, i);
        bool ok = !spec || nic_reta_apply_json(c->reta[i], spec, where, err);
        g_free(where);
        if (!ok)
            return false;
    }
    return true;
}

/* "tcp4" -> IPv4/TCP, ... (ethtool -N flow-type). */
static bool flow_type(const char *s, struct rss_rule *r)
{
    static const struct {
        const char *name;
        uint8_t l3, l4;
    } t[] = {{"tcp4", PKT_L3_IPV4, 6},
             {"udp4", PKT_L3_IPV4, 17},
             {"tcp6", PKT_L3_IPV6, 6},
             {"udp6", PKT_L3_IPV6, 17}};
    for (size_t i = 0; s && i < G_N_ELEMENTS(t); i++)
        if (!strcmp(s, t[i].name)) {
            r->l3 = t[i].l3;
            r->l4 = t[i].l4;
            return true;
        }
    return false;
}

static bool parse_addr(const char *s, uint8_t l3, uint8_t out[16])
{
    memset(out, 0, 16);
    return s && inet_pton(l3 == PKT_L3_IPV4 ? AF_INET : AF_INET6, s, out) == 1;
}

static bool load_rule(struct nic_rss_ctx *c, const json_t *o, unsigned i, unsigned nq,
                      const char *path, GError **err)
{
    struct rss_rule *r = &c->rule[i];
    const char *ft = NULL, *src = NULL, *dst = NULL;
    int sp = -1, dp = -1, ctx = 0, action = 0;
    json_error_t je;
    if (json_unpack_ex((json_t *)o, &je, JSON_STRICT, "{s:s, s?s, s?s, s?i, s?i, s:i, s?i}",
                       "flow_type", &ft, "src_ip", &src, "dst_ip", &dst, "src_port", &sp,
                       "dst_port", &dp, "context", &ctx, "action", &action) != 0)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/rules/%u: %s (expected flow_type, context and optional src_ip, "
                        "dst_ip, src_port, dst_port, action)",
                        path, i, je.text);
    if (!flow_type(ft, r))
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/rules/%u/flow_type: expected tcp4, udp4, tcp6 or udp6, got \"%s\"",
                        path, i, ft);
    if ((src && !parse_addr(src, r->l3, r->src)) || (dst && !parse_addr(dst, r->l3, r->dst)))
        return sim_fail(err, SIM_ERROR_CONFIG, "%s/rules/%u/%s: expected an IPv%c address", path, i,
                        src && !parse_addr(src, r->l3, r->src) ? "src_ip" : "dst_ip",
                        r->l3 == PKT_L3_IPV4 ? '4' : '6');
    if (sp < -1 || sp > 65535 || dp < -1 || dp > 65535)
        return sim_fail(err, SIM_ERROR_CONFIG, "%s/rules/%u/%s: expected a port 0..65535", path, i,
                        sp < -1 || sp > 65535 ? "src_port" : "dst_port");
    if (ctx < 1 || (unsigned)ctx > c->n_ctx)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/rules/%u/context: %d, expected 1..%u (the contexts defined)", path, i,
                        ctx, c->n_ctx);
    /* ethtool_set_rxnfc: ring_cookie + every entry of the context < rx rings */
    unsigned hi = 0;
    for (unsigned e = 0; e < nic_reta_size(c->reta[ctx - 1]); e++)
        hi = MAX(hi, nic_reta_entry(c->reta[ctx - 1], e));
    if (action < 0 || (unsigned)action + hi >= nq)
        return sim_fail(err, SIM_ERROR_CONFIG,
                        "%s/rules/%u/action: queue %d + context %d's entries up to %u, expected "
                        "< %u RX queues",
                        path, i, action, ctx, hi, nq);
    r->has_src = src != NULL;
    r->has_dst = dst != NULL;
    r->sport = sp;
    r->dport = dp;
    r->ctx = (unsigned)ctx;
    r->action = (unsigned)action;
    return true;
}

struct nic_rss_ctx *nic_rss_ctx_new(const json_t *contexts, const json_t *rules,
                                    const struct nic_profile *p, unsigned reta_size,
                                    unsigned n_rx_queues, const char *path, GError **err)
{
    if (!contexts && !rules)
        return NULL;
    if (!p->rss_contexts) {
        sim_fail(err, SIM_ERROR_CONFIG,
                 "%s/%s: the %s (%s) has no additional RSS contexts (set /nic/model to "
                 "\"generic\")",
                 path, contexts ? "contexts" : "rules", p->name, p->driver);
        return NULL;
    }
    if (!json_is_array(contexts) || json_array_size(contexts) == 0 ||
        json_array_size(contexts) > p->rss_contexts || (rules && !json_is_array(rules))) {
        sim_fail(err, SIM_ERROR_CONFIG,
                 "%s/%s: expected an array of 1..%u contexts and an array of rules", path,
                 json_is_array(contexts) && json_array_size(contexts) ? "rules" : "contexts",
                 p->rss_contexts);
        return NULL;
    }
    struct nic_rss_ctx *c = g_new0(struct nic_rss_ctx, 1);
    bool ok = load_contexts(c, contexts, reta_size, n_rx_queues, path, err);
    c->n_rules = rules ? (unsigned)json_array_size(rules) : 0;
    c->rule = g_new0(struct rss_rule, c->n_rules);
    for (unsigned i = 0; ok && i < c->n_rules; i++)
        ok = load_rule(c, json_array_get(rules, i), i, n_rx_queues, path, err);
    if (!ok) {
        nic_rss_ctx_free(c);
        return NULL;
    }
    return c;
}

static bool rule_matches(const struct rss_rule *r, const struct traffic_pkt *p)
{
    size_t alen = r->l3 == PKT_L3_IPV4 ? 4 : 16;
    return p->l3 == r->l3 && p->l4 == r->l4 && p->has_ports && !p->frag &&
           (r->sport < 0 || p->sport == r->sport) && (r->dport < 0 || p->dport == r->dport) &&
           (!r->has_src || !memcmp(p->saddr, r->src, alen)) &&
           (!r->has_dst || !memcmp(p->daddr, r->dst, alen));
}

int nic_rss_ctx_select(struct nic_rss_ctx *c, const struct traffic_pkt *p, uint32_t hash)
{
    for (unsigned i = 0; i < c->n_rules; i++) {
        const struct rss_rule *r = &c->rule[i];
        if (!rule_matches(r, p))
            continue;
        c->packets[r->ctx - 1]++;
        return (int)(r->action + nic_reta_queue(c->reta[r->ctx - 1], hash));
    }
    return -1;
}

unsigned nic_rss_ctx_n_contexts(const struct nic_rss_ctx *c)
{
    return c->n_ctx;
}

json_t *nic_rss_ctx_dump(const struct nic_rss_ctx *c)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < c->n_ctx; i++)
        json_array_append_new(a, json_pack("{s:i, s:o, s:I}", "context", (int)i + 1, "reta",
                                           nic_reta_dump(c->reta[i]), "packets",
                                           (json_int_t)c->packets[i]));
    return json_pack("{s:o, s:i}", "contexts", a, "rules", (int)c->n_rules);
}
