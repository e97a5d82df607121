/* Example load-aware steering policy (loaded by name "rsspp"): RSS++
 * (Barbette, Katsikas, Maguire, Kostic, "RSS++: load and state-aware receive
 * side scaling", CoNEXT 2019, §3 and Algorithm 1). It sits before the RSS stage
 * (chain ["rsspp", "rss"]), counts the packets of every RETA bucket
 * (hash & (size - 1), the paper's per-bucket counters) and answers
 * STEER_NO_MATCH so the NIC's RETA decides. Every period (on_load) it turns the
 * kernel's per-CPU softirq time into a load per queue, splits it over that
 * queue's buckets by their packet counts, and, when the most loaded queue is
 * above the mean by more than the threshold, moves buckets greedily from
 * overloaded to underloaded queues, then writes the table (ethtool -X). */
#include "models/nic/plugins/steer_rsspp.h"

#include <string.h>

#define RSSPP_ERROR g_quark_from_static_string("nicsteer-steer-rsspp")

struct steer_rsspp {
    uint64_t period_ns;
    double threshold;
    unsigned n_queues, n_cpus;
    uint64_t cnt[RSSPP_BUCKETS]; /* packets per bucket (hash & 511) since the last call */
    uint64_t *soft_prev;         /* per CPU: softirq ns of the previous snapshot */
    uint64_t *pk_prev, *dr_prev; /* per queue: packets / rx_missed of the previous snapshot */
    bool primed;                 /* a previous snapshot exists */
    uint64_t counted, unhashed, rounds, rebalances, moves, refused;
    double last_imbalance;
};

/* Config: {"period_ms": 10, "threshold": 0.1} (both optional). */
static void *rsspp_init(const json_t *cfg, const char *path, const struct steer_env *env,
                        GError **err)
{
    double period_ms = 0, thr = 0.1;
    json_error_t je;
    if (cfg && json_unpack_ex((json_t *)cfg, &je, JSON_STRICT, "{s?F, s?F}", "period_ms",
                              &period_ms, "threshold", &thr) != 0) {
        g_set_error(err, RSSPP_ERROR, 1, "%s: %s (expected keys period_ms, threshold: numbers)",
                    path, je.text);
        return NULL;
    }
    if (period_ms < 0 || period_ms > 1e6 || !(thr >= 0 && thr <= 10)) {
        g_set_error(err, RSSPP_ERROR, 1,
                    "%s: expected period_ms in 0..1e6 (0 = the host's) and threshold in 0..10, "
                    "found %g and %g",
                    path, period_ms, thr);
        return NULL;
    }
    struct steer_rsspp *s = g_new0(struct steer_rsspp, 1);
    s->period_ns = (uint64_t)(period_ms * 1e6 + 0.5);
    s->threshold = thr;
    s->n_queues = env->n_rx_queues ? env->n_rx_queues : 1;
    s->n_cpus = env->n_cpus ? env->n_cpus : 1;
    s->soft_prev = g_new0(uint64_t, s->n_cpus);
    s->pk_prev = g_new0(uint64_t, s->n_queues);
    s->dr_prev = g_new0(uint64_t, s->n_queues);
    return s;
}

/* The paper's per-bucket counter (an XDP/driver counter per indirection
 * entry): counted here, the RETA stage after us decides. Packet path. */
static int rsspp_select(void *st, const struct traffic_pkt *p, const struct steer_ctx *ctx)
{
    struct steer_rsspp *s = st;
    (void)p;
    if (!ctx->rss_type) {
        s->unhashed++;
        return STEER_NO_MATCH;
    }
    s->cnt[ctx->rss_hash & (RSSPP_BUCKETS - 1)]++;
    s->counted++;
    return STEER_NO_MATCH;
}

double rsspp_imbalance(const double *qload, unsigned nq)
{
    double sum = 0, max = 0;
    for (unsigned q = 0; q < nq; q++) {
        sum += qload[q];
        max = qload[q] > max ? qload[q] : max;
    }
    return sum > 0 ? max / (sum / nq) - 1 : 0;
}

static unsigned least_loaded(const double *qload, unsigned nq)
{
    unsigned u = 0;
    for (unsigned q = 1; q < nq; q++)
        if (qload[q] < qload[u])
            u = q;
    return u;
}

/* Buckets of queue q, heaviest first (ties: lower index first, deterministic). */
static unsigned buckets_of(const double *bload, const unsigned *reta, unsigned n, unsigned q,
                           unsigned *out)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        if (reta[i] != q || bload[i] <= 0)
            continue;
        unsigned j = k++;
        while (j > 0 && bload[out[j - 1]] < bload[i]) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = i;
    }
    return k;
}

/* RSS++ Algorithm 1 (the greedy "bucket migration" heuristic of §3.3): while
 * an overloaded queue (load above mean * (1 + threshold)) is left, take its
 * buckets heaviest first and move each to the currently least loaded queue when
 * that queue stays below the overload line and ends lighter than the source;
 * stop moving out of a queue once it is at or below the mean. */
unsigned rsspp_rebalance(const double *bload, unsigned *reta, unsigned n, unsigned nq,
                         double threshold)
{
    double qload[RSSPP_MAX_QUEUES] = {0};
    if (nq < 2 || nq > RSSPP_MAX_QUEUES || n > RSSPP_BUCKETS)
        return 0;
    double sum = 0;
    for (unsigned i = 0; i < n; i++) {
        qload[reta[i] < nq ? reta[i] : 0] += bload[i];
        sum += bload[i];
    }
    double mean = sum / nq, line = mean * (1 + threshold);
    if (sum <= 0 || rsspp_imbalance(qload, nq) <= threshold)
        return 0;
    unsigned moves = 0, order[RSSPP_BUCKETS];
    bool done[RSSPP_MAX_QUEUES] = {false};
    for (;;) {
        unsigned o = nq; /* the most loaded overloaded queue not yet drained */
        for (unsigned q = 0; q < nq; q++)
            if (!done[q] && qload[q] > line && (o == nq || qload[q] > qload[o]))
                o = q;
        if (o == nq)
            return moves;
        done[o] = true;
        unsigned k = buckets_of(bload, reta, n, o, order);
        for (unsigned j = 0; j < k && qload[o] > mean; j++) {
            unsigned b = order[j], u = least_loaded(qload, nq);
            if (u == o || qload[u] + bload[b] > line || qload[u] + bload[b] >= qload[o])
                continue;
            reta[b] = u;
            qload[o] -= bload[b];
            qload[u] += bload[b];
            moves++;
        }
    }
}

/* Load of every queue over the last period, in CPUs: its CPU's softirq time
 * share (/proc/stat deltas), split over the queues sharing that CPU by the
 * frames they took, scaled up by the frames the ring refused (rx_missed: work
 * the CPU could not do). */
static void queue_loads(struct steer_rsspp *s, const struct steer_load *l, double *qload)
{
    unsigned nq = MIN(l->n_rx_queues, RSSPP_MAX_QUEUES);
    double cpu_pk[RSSPP_MAX_QUEUES] = {0};
    for (unsigned q = 0; q < nq; q++)
        if (l->rxq_cpu[q] < RSSPP_MAX_QUEUES)
            cpu_pk[l->rxq_cpu[q]] += (double)(l->rxq_packets[q] - s->pk_prev[q]);
    for (unsigned q = 0; q < nq; q++) {
        unsigned c = l->rxq_cpu[q];
        double pk = (double)(l->rxq_packets[q] - s->pk_prev[q]);
        double dr = (double)(l->rxq_drops[q] - s->dr_prev[q]);
        double busy = c < l->n_cpus && c < s->n_cpus
                          ? (double)(l->cpu_softirq_ns[c] - s->soft_prev[c]) / l->interval_ns
                          : 0;
        double share = c < RSSPP_MAX_QUEUES && cpu_pk[c] > 0 ? pk / cpu_pk[c] : 0;
        qload[q] = busy * share * (pk > 0 ? (pk + dr) / pk : 1);
    }
}

static void remember(struct steer_rsspp *s, const struct steer_load *l)
{
    for (unsigned q = 0; q < l->n_rx_queues && q < s->n_queues; q++) {
        s->pk_prev[q] = l->rxq_packets[q];
        s->dr_prev[q] = l->rxq_drops[q];
    }
    for (unsigned c = 0; c < l->n_cpus && c < s->n_cpus; c++)
        s->soft_prev[c] = l->cpu_softirq_ns[c];
    s->primed = true;
}

void rsspp_bucket_loads(const uint64_t *cnt, const unsigned *reta, unsigned n, unsigned nq,
                        const double *qload, double *bload)
{
    double qcnt[RSSPP_MAX_QUEUES] = {0};
    for (unsigned i = 0; i < n; i++)
        if (reta[i] < nq)
            qcnt[reta[i]] += (double)cnt[i];
    for (unsigned i = 0; i < n; i++)
        bload[i] = reta[i] < nq && qcnt[reta[i]] > 0 ? qload[reta[i]] * cnt[i] / qcnt[reta[i]] : 0;
}

static void rsspp_on_load(void *st, const struct steer_load *l)
{
    struct steer_rsspp *s = st;
    unsigned n = l->reta_size, nq = MIN(l->n_rx_queues, RSSPP_MAX_QUEUES);
    s->rounds++;
    if (s->primed && n && n <= RSSPP_BUCKETS && l->interval_ns) {
        double qload[RSSPP_MAX_QUEUES], bload[RSSPP_BUCKETS];
        uint64_t cnt[RSSPP_BUCKETS] = {0};
        for (unsigned i = 0; i < RSSPP_BUCKETS; i++) /* fold 512 counters onto the table */
            cnt[i & (n - 1)] += s->cnt[i];
        queue_loads(s, l, qload);
        s->last_imbalance = rsspp_imbalance(qload, nq);
        rsspp_bucket_loads(cnt, l->reta, n, nq, qload, bload);
        unsigned reta[RSSPP_BUCKETS];
        memcpy(reta, l->reta, n * sizeof *reta);
        unsigned moved = rsspp_rebalance(bload, reta, n, nq, s->threshold);
        if (moved && l->set_reta(l->host, reta, n)) {
            s->rebalances++;
            s->moves += moved;
        } else if (moved) {
            s->refused++;
        }
    }
    memset(s->cnt, 0, sizeof s->cnt);
    remember(s, l);
}

static uint64_t rsspp_feedback_ns(void *st)
{
    return ((const struct steer_rsspp *)st)->period_ns;
}

static json_t *rsspp_dump(void *st)
{
    const struct steer_rsspp *s = st;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f}", "counted", (json_int_t)s->counted,
                     "unhashed", (json_int_t)s->unhashed, "rounds", (json_int_t)s->rounds,
                     "rebalances", (json_int_t)s->rebalances, "moves", (json_int_t)s->moves,
                     "refused", (json_int_t)s->refused, "threshold", s->threshold, "last_imbalance",
                     (double)(int64_t)(s->last_imbalance * 1e4 + 0.5) / 1e4);
}

static void rsspp_destroy(void *st)
{
    struct steer_rsspp *s = st;
    g_free(s->soft_prev);
    g_free(s->pk_prev);
    g_free(s->dr_prev);
    g_free(s);
}

const struct steer_policy_ops nicsteer_policy_ops = {
    .abi_version = NICSTEER_STEER_ABI,
    .name = "rsspp",
    .init = rsspp_init,
    .select_rxq = rsspp_select,
    .on_load = rsspp_on_load,
    .feedback_ns = rsspp_feedback_ns,
    .dump = rsspp_dump,
    .destroy = rsspp_destroy,
};
