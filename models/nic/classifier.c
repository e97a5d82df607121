/* 82599 receive classifier: Toeplitz hash on every IP frame (MRQC), then the
 * filter chain, first match wins (datasheet §7.1.2; ixgbe_setup_mrqc and
 * ixgbe_fdir_* setup order, ixgbe_main.c / ixgbe_82599.c). */
#include "models/nic/classifier.h"

#include <string.h>

#include "models/nic/steer_rss.h"
#include "sim/core/err.h"

#define NIC_CLASSIFIER_MAX_STAGES 8

struct nic_stage {
    char *name; /* as written in the chain: key of its config and dump */
    const struct steer_policy_ops *ops;
    void *st;
    uint64_t decided; /* frames whose queue this stage chose */
    uint64_t dropped; /* frames this stage sent to the drop queue */
};

struct nic_classifier {
    struct steer_rss *rss;
    unsigned n_rx_queues;
    unsigned n_stages;
    struct nic_stage stage[NIC_CLASSIFIER_MAX_STAGES];
    bool report_hash; /* steer_rss_reports_hash(rss), fixed at setup */
    uint64_t hashed, not_hashed;
    uint64_t default_queue0; /* no stage matched */
    uint64_t invalid_queue;  /* a stage answered a queue out of range */
    /* load feedback (steer_policy_ops.on_load): /feedback_ms, /staleness_ms */
    uint64_t feedback_ns, staleness_ns; /* 0: not given */
    uint64_t feedback_calls, reta_rewrites, reta_refused;
    unsigned reta_now[NIC_RETA_MAX]; /* the table handed to on_load */
    unsigned reta_old[NIC_RETA_MAX]; /* the table before a rewrite (put back when refused) */
};

void nic_classifier_free(struct nic_classifier *c)
{
    if (!c)
        return;
    for (unsigned i = 0; i < c->n_stages; i++) {
        if (c->stage[i].st)
            c->stage[i].ops->destroy(c->stage[i].st);
        g_free(c->stage[i].name);
    }
    steer_rss_ops.destroy(c->rss);
    g_free(c);
}

static bool parse_chain(struct nic_classifier *c, const json_t *chain, const char *path,
                        const char ***names, GError **err)
{
    static const char *dflt[] = {"rss"};
    if (!chain) {
        *names = g_new0(const char *, 2);
        (*names)[0] = dflt[0];
        return true;
    }
    size_t n = json_array_size(chain);
    if (!json_is_array(chain) || n == 0 || n > NIC_CLASSIFIER_MAX_STAGES) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/chain: expected an array of 1 to %d stage names", path,
                    NIC_CLASSIFIER_MAX_STAGES);
        return false;
    }
    *names = g_new0(const char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(chain, i));
        if (!s) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "%s/chain/%zu: expected a policy name string", path, i);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp((*names)[j], s) == 0) {
                g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                            "%s/chain/%zu: \"%s\" already at /chain/%zu, expected each stage once",
                            path, i, s, j);
                return false;
            }
        }
        (*names)[i] = s;
    }
    return true;
}

static bool in_chain(const char **names, const char *key)
{
    for (const char **n = names; *n; n++)
        if (strcmp(*n, key) == 0)
            return true;
    return false;
}

static bool init_stages(struct nic_classifier *c, const json_t *cfg, const char **names,
                        const char *path, const struct steer_env *env, GError **err)
{
    for (unsigned i = 0; names[i]; i++) {
        struct nic_stage *s = &c->stage[c->n_stages];
        s->ops = steer_policy_lookup(names[i], err);
        if (!s->ops) {
            sim_error_prefix(err, "%s/chain/%u", path, i);
            return false;
        }
        c->n_stages++;
        s->name = g_strdup(names[i]);
        /* An "rss" stage reads /rss, the port's RSS config, as MRQC hashing
         * does: the same key and table pick its queue. */
        char *sub = g_strdup_printf("%s/%s", path, names[i]);
        s->st = s->ops->init(cfg ? json_object_get(cfg, names[i]) : NULL, sub, env, err);
        g_free(sub);
        if (!s->st)
            return false;
    }
    return true;
}

/* A duration key in ms (fractions allowed) -> ns; absent leaves *ns at 0. */
static bool parse_ms(const json_t *cfg, const char *key, const char *path, bool zero_ok,
                     uint64_t *ns, GError **err)
{
    const json_t *v = cfg ? json_object_get(cfg, key) : NULL;
    if (!v)
        return true;
    double ms = json_is_number(v) ? json_number_value(v) : -1;
    if (ms < 0 || (!zero_ok && ms <= 0) || ms > 1e9) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s/%s: expected a %s number of ms", path,
                    key, zero_ok ? "non-negative" : "positive");
        return false;
    }
    *ns = (uint64_t)(ms * 1e6 + 0.5);
    if (!zero_ok && *ns == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s/%s: expected at least 1 ns", path, key);
        return false;
    }
    return true;
}

/* /feedback_ms: the period of on_load calls; /staleness_ms: the age of the
 * snapshot handed to them, below the period (one snapshot in flight). */
static bool parse_feedback(struct nic_classifier *c, const json_t *cfg, const char *path,
                           GError **err)
{
    if (!parse_ms(cfg, "feedback_ms", path, false, &c->feedback_ns, err) ||
        !parse_ms(cfg, "staleness_ms", path, true, &c->staleness_ns, err))
        return false;
    uint64_t period = c->feedback_ns ? c->feedback_ns : NIC_FEEDBACK_DEFAULT_NS;
    if (c->staleness_ns >= period) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s/staleness_ms: %.3f, expected less than the feedback period %.3f ms", path,
                    (double)c->staleness_ns / 1e6, (double)period / 1e6);
        return false;
    }
    return true;
}

struct nic_classifier *nic_classifier_new(const json_t *cfg, const char *path,
                                          const struct steer_env *env, GError **err)
{
    path = path ? path : "";
    if (cfg && !json_is_object(cfg)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: expected an object", path);
        return NULL;
    }
    if (env->n_rx_queues == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: expected at least one RX queue", path);
        return NULL;
    }
    struct nic_classifier *c = g_new0(struct nic_classifier, 1);
    c->n_rx_queues = env->n_rx_queues;
    const char **names = NULL;
    bool ok = parse_chain(c, cfg ? json_object_get(cfg, "chain") : NULL, path, &names, err);
    if (ok && cfg) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)cfg, key, v)
        {
            if (strcmp(key, "chain") && strcmp(key, "rss") && strcmp(key, "feedback_ms") &&
                strcmp(key, "staleness_ms") && !in_chain(names, key)) {
                g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                            "%s/%s: not a stage of %s/chain, expected rss, chain, feedback_ms, "
                            "staleness_ms or a chain stage's name",
                            path, key, path);
                ok = false;
                break;
            }
        }
    }
    ok = ok && parse_feedback(c, cfg, path, err);
    if (ok) {
        char *sub = g_strdup_printf("%s/rss", path);
        c->rss = steer_rss_ops.init(cfg ? json_object_get(cfg, "rss") : NULL, sub, env, err);
        g_free(sub);
        ok = c->rss != NULL;
    }
    c->report_hash = ok && steer_rss_reports_hash(c->rss);
    ok = ok && init_stages(c, cfg, names, path, env, err);
    g_free(names);
    if (!ok) {
        nic_classifier_free(c);
        return NULL;
    }
    return c;
}

void nic_classifier_select(struct nic_classifier *c, const struct traffic_pkt *p,
                           struct nic_rx_decision *d)
{
    struct steer_ctx ctx;
    bool hashed = steer_rss_hash(c->rss, p, &ctx);
    if (hashed)
        c->hashed++;
    else
        c->not_hashed++;
    /* ixgbe_rx_hash: skb->hash only with NETIF_F_RXHASH and a non-zero type */
    bool report = hashed && c->report_hash;
    d->hashed = report;
    d->hash = report ? ctx.rss_hash : 0;
    d->l4_hash = report && nic_rss_type_is_l4(ctx.rss_type);
    for (unsigned i = 0; i < c->n_stages; i++) {
        struct nic_stage *s = &c->stage[i];
        int q = s->ops->select_rxq(s->st, p, &ctx);
        if (q == STEER_NO_MATCH)
            continue;
        d->stage = (uint8_t)i;
        if (q == STEER_DROP) {
            s->dropped++;
            d->queue = STEER_DROP;
            return;
        }
        s->decided++;
        if (q < 0 || (unsigned)q >= c->n_rx_queues) {
            c->invalid_queue++;
            q = 0;
        }
        d->queue = q;
        return;
    }
    c->default_queue0++;
    d->stage = (uint8_t)c->n_stages;
    d->queue = 0;
}

void nic_classifier_observe_tx(struct nic_classifier *c, const struct traffic_pkt *p, unsigned txq)
{
    for (unsigned i = 0; i < c->n_stages; i++)
        if (c->stage[i].ops->observe_tx)
            c->stage[i].ops->observe_tx(c->stage[i].st, p, txq);
}

void nic_classifier_on_cpu_change(struct nic_classifier *c, const struct traffic_pkt *p,
                                  unsigned cpu, unsigned rxq)
{
    for (unsigned i = 0; i < c->n_stages; i++)
        if (c->stage[i].ops->on_cpu_change)
            c->stage[i].ops->on_cpu_change(c->stage[i].st, p, cpu, rxq);
}

/* The first stage that takes runtime filters (the 82599: Flow Director). */
static struct nic_stage *filter_stage(struct nic_classifier *c)
{
    for (unsigned i = 0; i < c->n_stages; i++)
        if (c->stage[i].ops->add_filter)
            return &c->stage[i];
    return NULL;
}

bool nic_classifier_learns_flows(const struct nic_classifier *c)
{
    for (unsigned i = 0; i < c->n_stages; i++)
        if (c->stage[i].ops->observe_tx || c->stage[i].ops->add_filter)
            return true;
    return false;
}

int nic_classifier_add_filter(struct nic_classifier *c, const struct traffic_pkt *p, unsigned rxq)
{
    struct nic_stage *s = filter_stage(c);
    return s ? s->ops->add_filter(s->st, p, rxq) : -1;
}

bool nic_classifier_del_filter(struct nic_classifier *c, unsigned id)
{
    struct nic_stage *s = filter_stage(c);
    return s && s->ops->del_filter && s->ops->del_filter(s->st, id);
}

bool nic_classifier_feedback(const struct nic_classifier *c, uint64_t *period_ns,
                             uint64_t *staleness_ns)
{
    const struct nic_stage *first = NULL;
    for (unsigned i = 0; i < c->n_stages && !first; i++)
        if (c->stage[i].ops->on_load)
            first = &c->stage[i];
    if (!first)
        return false;
    uint64_t asked = first->ops->feedback_ns ? first->ops->feedback_ns(first->st) : 0;
    *period_ns = c->feedback_ns            ? c->feedback_ns
                 : asked > c->staleness_ns ? asked
                                           : NIC_FEEDBACK_DEFAULT_NS;
    *staleness_ns = c->staleness_ns;
    return true;
}

/* Default of the optional set_reta slot: a stage without it keeps no table. */
static bool stage_set_reta(struct nic_stage *s, const unsigned *q, unsigned n, GError **err)
{
    return !s->ops->set_reta || s->ops->set_reta(s->st, q, n, err);
}

/* ixgbe_set_rxfh(): the new table goes to every RSS instance of the port (the
 * classifier's hashing one and each stage with a set_reta slot), or to none: a
 * refusal puts the table back where it was already written. */
static bool classifier_set_reta(void *host, const unsigned *q, unsigned n)
{
    struct nic_classifier *c = host;
    const struct nic_reta *r = steer_rss_reta(c->rss);
    unsigned old_n = nic_reta_size(r);
    for (unsigned i = 0; i < old_n; i++)
        c->reta_old[i] = nic_reta_entry(r, i);
    GError *e = NULL;
    bool ok = steer_rss_set_reta(c->rss, q, n, &e);
    unsigned done = 0;
    for (; ok && done < c->n_stages; done++)
        ok = stage_set_reta(&c->stage[done], q, n, &e);
    g_clear_error(&e);
    if (ok) {
        c->reta_rewrites++;
        return true;
    }
    if (done > 0) { /* the port's table took it, stage done - 1 refused: undo */
        steer_rss_set_reta(c->rss, c->reta_old, old_n, NULL);
        for (unsigned i = 0; i + 1 < done; i++)
            stage_set_reta(&c->stage[i], c->reta_old, old_n, NULL);
    }
    c->reta_refused++;
    return false;
}

void nic_classifier_on_load(struct nic_classifier *c, const struct steer_load *load)
{
    const struct nic_reta *r = steer_rss_reta(c->rss);
    struct steer_load l = *load;
    l.reta_size = nic_reta_size(r);
    for (unsigned i = 0; i < l.reta_size; i++)
        c->reta_now[i] = nic_reta_entry(r, i);
    l.reta = c->reta_now;
    l.set_reta = classifier_set_reta;
    l.host = c;
    c->feedback_calls++;
    for (unsigned i = 0; i < c->n_stages; i++)
        if (c->stage[i].ops->on_load)
            c->stage[i].ops->on_load(c->stage[i].st, &l);
}

json_t *nic_classifier_dump(const struct nic_classifier *c)
{
    json_t *chain = json_array();
    json_t *stages = json_object();
    for (unsigned i = 0; i < c->n_stages; i++) {
        const struct nic_stage *s = &c->stage[i];
        json_array_append_new(chain, json_string(s->name));
        json_t *d = s->ops->dump ? s->ops->dump(s->st) : NULL;
        json_object_set_new(stages, s->name,
                            json_pack("{s:I, s:I, s:o}", "decided", (json_int_t)s->decided,
                                      "dropped", (json_int_t)s->dropped, "state",
                                      d ? d : json_null()));
    }
    json_t *o =
        json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "chain", chain, "stages", stages, "rss",
                  steer_rss_ops.dump(c->rss), "hashed", (json_int_t)c->hashed, "not_hashed",
                  (json_int_t)c->not_hashed, "default_queue0", (json_int_t)c->default_queue0,
                  "invalid_queue", (json_int_t)c->invalid_queue);
    uint64_t period, stale;
    if (nic_classifier_feedback(c, &period, &stale)) /* only with a load-aware stage */
        json_object_set_new(o, "feedback",
                            json_pack("{s:f, s:f, s:I, s:I, s:I}", "period_ms",
                                      (double)period / 1e6, "staleness_ms", (double)stale / 1e6,
                                      "calls", (json_int_t)c->feedback_calls, "reta_rewrites",
                                      (json_int_t)c->reta_rewrites, "reta_refused",
                                      (json_int_t)c->reta_refused));
    return o;
}

const struct nic_toeplitz *nic_classifier_rss(const struct nic_classifier *c)
{
    return steer_rss_toeplitz(c->rss);
}

const struct nic_reta *nic_classifier_reta(const struct nic_classifier *c)
{
    return steer_rss_reta(c->rss);
}

unsigned nic_classifier_n_stages(const struct nic_classifier *c)
{
    return c->n_stages;
}

const char *nic_classifier_stage_name(const struct nic_classifier *c, unsigned i)
{
    return i < c->n_stages ? c->stage[i].name : NULL;
}
