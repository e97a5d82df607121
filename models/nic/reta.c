/* RSS redirection table of the 82599 (32 RETA registers x 4 entries) filled
 * like ethtool's fill_indir_table() and ixgbe_setup_reta() (ixgbe_main.c). */
#include "models/nic/reta.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/err.h"

struct nic_reta {
    unsigned size;
    unsigned n_queues;
    uint16_t entry[NIC_RETA_MAX];
};

struct nic_reta *nic_reta_new(unsigned size, unsigned n_queues, GError **err)
{
    if (size == 0 || size > NIC_RETA_MAX || (size & (size - 1)) != 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "indirection table size %u, expected a power of two <= %d (64, 128, 512)", size,
                    NIC_RETA_MAX);
        return NULL;
    }
    if (n_queues == 0 || n_queues > NIC_RETA_QUEUES_MAX) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "indirection table for %u RX queues, expected 1 to %d", n_queues,
                    NIC_RETA_QUEUES_MAX);
        return NULL;
    }
    struct nic_reta *r = g_new0(struct nic_reta, 1);
    r->size = size;
    r->n_queues = n_queues;
    nic_reta_set_default(r);
    return r;
}

void nic_reta_free(struct nic_reta *r)
{
    g_free(r);
}

unsigned nic_reta_size(const struct nic_reta *r)
{
    return r->size;
}

unsigned nic_reta_n_queues(const struct nic_reta *r)
{
    return r->n_queues;
}

unsigned nic_reta_entry(const struct nic_reta *r, unsigned i)
{
    return r->entry[i % r->size];
}

unsigned nic_reta_queue(const struct nic_reta *r, uint32_t hash)
{
    return r->entry[hash & (r->size - 1)];
}

void nic_reta_set_default(struct nic_reta *r)
{
    for (unsigned i = 0; i < r->size; i++)
        r->entry[i] = i % r->n_queues;
}

/* Validate a complete candidate table, then install it (all or nothing, as
 * ixgbe_set_rxfh rejects the whole request). */
static bool install(struct nic_reta *r, const unsigned *cand, const char *path, GError **err)
{
    for (unsigned i = 0; i < r->size; i++) {
        if (cand[i] >= r->n_queues) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "%s: indirection table entry %u is queue %u, expected < %u RX queues", path,
                        i, cand[i], r->n_queues);
            return false;
        }
    }
    for (unsigned i = 0; i < r->size; i++)
        r->entry[i] = (uint16_t)cand[i];
    return true;
}

static bool set_equal_at(struct nic_reta *r, unsigned start, unsigned n, const char *path,
                         GError **err)
{
    if (n == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: equal 0, expected N >= 1", path);
        return false;
    }
    unsigned cand[NIC_RETA_MAX];
    for (unsigned i = 0; i < r->size; i++)
        cand[i] = start + i % n;
    return install(r, cand, path, err);
}

bool nic_reta_set_equal(struct nic_reta *r, unsigned start, unsigned n, GError **err)
{
    return set_equal_at(r, start, n, "ethtool -X", err);
}

static bool set_weight_at(struct nic_reta *r, unsigned start, const unsigned *w, unsigned nw,
                          const char *path, GError **err)
{
    uint64_t sum = 0;
    for (unsigned j = 0; j < nw; j++)
        sum += w[j];
    if (sum == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: weights sum to 0, expected at least one non-zero weight", path);
        return false;
    }
    if (sum > r->size) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: weights sum to %" G_GUINT64_FORMAT ", expected at most the table size %u",
                    path, sum, r->size);
        return false;
    }
    unsigned cand[NIC_RETA_MAX];
    uint64_t partial = 0;
    unsigned j = 0;
    bool started = false;
    for (unsigned i = 0; i < r->size; i++) {
        /* fill_indir_table: while (i >= size * partial / sum) partial += w[++j] */
        while (i >= r->size * partial / sum) {
            j = started ? j + 1 : 0;
            started = true;
            partial += w[j];
        }
        cand[i] = start + j;
    }
    return install(r, cand, path, err);
}

bool nic_reta_set_weight(struct nic_reta *r, unsigned start, const unsigned *w, unsigned nw,
                         GError **err)
{
    return set_weight_at(r, start, w, nw, "ethtool -X", err);
}

bool nic_reta_set_list(struct nic_reta *r, const unsigned *q, unsigned n, const char *path,
                       GError **err)
{
    if (n != r->size) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: %u indirection table entries, expected %u", path, n, r->size);
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        if (q[i] >= r->n_queues) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "%s/%u: queue %u, expected < %u RX queues", path, i, q[i], r->n_queues);
            return false;
        }
    }
    return install(r, q, path, err);
}

static bool parse_uint(const char *s, unsigned *out)
{
    if (!s || !g_ascii_isdigit(*s))
        return false;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v > G_MAXUINT)
        return false;
    *out = (unsigned)v;
    return true;
}

bool nic_reta_apply_ethtool(struct nic_reta *r, const char *spec, const char *path, GError **err)
{
    char **all = g_strsplit_set(spec, " \t", -1);
    unsigned ntok = 0;
    const char *tok[NIC_RETA_MAX + 8];
    for (unsigned i = 0; all[i]; i++) {
        if (!*all[i])
            continue;
        if (ntok == G_N_ELEMENTS(tok)) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: \"%.40s..\": too many words", path,
                        spec);
            g_strfreev(all);
            return false;
        }
        tok[ntok++] = all[i];
    }
    unsigned start = 0, equal = 0, nw = 0;
    unsigned w[NIC_RETA_MAX];
    bool dflt = false, have_equal = false, have_weight = false, ok = true;
    for (unsigned i = 0; i < ntok && ok; i++) {
        const char *t = tok[i];
        if (!strcmp(t, "default")) {
            dflt = true;
        } else if (!strcmp(t, "start") || !strcmp(t, "equal")) {
            unsigned *dst = !strcmp(t, "start") ? &start : &equal;
            if (i + 1 >= ntok || !parse_uint(tok[i + 1], dst)) {
                g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                            "%s: \"%s\": expected a number after '%s'", path, spec, t);
                ok = false;
            }
            have_equal |= !strcmp(t, "equal");
            i++;
        } else if (!strcmp(t, "weight")) {
            have_weight = true;
            while (i + 1 < ntok && g_ascii_isdigit(tok[i + 1][0]) && ok) {
                if (nw == NIC_RETA_MAX || !parse_uint(tok[i + 1], &w[nw])) {
                    g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                                "%s: \"%s\": weight '%s', expected at most %d numbers", path, spec,
                                tok[i + 1], NIC_RETA_MAX);
                    ok = false;
                }
                nw++;
                i++;
            }
        } else {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                        "%s: \"%s\": unexpected '%s', expected default | equal N | weight W.. "
                        "[start S]",
                        path, spec, t);
            ok = false;
        }
    }
    if (ok && dflt + have_equal + have_weight != 1) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: \"%s\": expected exactly one of default, equal N, weight W..", path, spec);
        ok = false;
    }
    if (ok && have_weight && nw == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: \"%s\": weight needs numbers", path,
                    spec);
        ok = false;
    }
    if (ok && dflt && start) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: \"%s\": start cannot be combined with default", path, spec);
        ok = false;
    }
    if (ok) {
        if (dflt)
            nic_reta_set_default(r);
        else if (have_equal)
            ok = set_equal_at(r, start, equal, path, err);
        else
            ok = set_weight_at(r, start, w, nw, path, err);
    }
    g_strfreev(all);
    return ok;
}

bool nic_reta_apply_json(struct nic_reta *r, const json_t *spec, const char *path, GError **err)
{
    if (json_is_string(spec))
        return nic_reta_apply_ethtool(r, json_string_value(spec), path, err);
    if (!json_is_array(spec)) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "%s: expected an ethtool -X string (\"equal 16\") or an array of queues", path);
        return false;
    }
    unsigned q[NIC_RETA_MAX];
    size_t n = json_array_size(spec);
    if (n != r->size) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s: %zu entries, expected %u", path, n,
                    r->size);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(spec, i);
        if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > G_MAXINT) {
            g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "%s/%zu: expected a queue number >= 0",
                        path, i);
            return false;
        }
        q[i] = (unsigned)json_integer_value(e);
    }
    return nic_reta_set_list(r, q, (unsigned)n, path, err);
}

void nic_reta_spread(const struct nic_reta *r, struct nic_reta_spread *s)
{
    memset(s, 0, sizeof(*s));
    unsigned nq = MIN(r->n_queues, NIC_RETA_MAX);
    s->n_queues = nq;
    for (unsigned i = 0; i < r->size; i++)
        if (r->entry[i] < nq)
            s->entries[r->entry[i]]++;
    s->min = G_MAXUINT;
    for (unsigned q = 0; q < nq; q++) {
        s->min = MIN(s->min, s->entries[q]);
        s->max = MAX(s->max, s->entries[q]);
        s->used += s->entries[q] > 0;
    }
    s->mean = (double)r->size / nq;
    s->max_over_mean = s->max / s->mean;
}

json_t *nic_reta_dump(const struct nic_reta *r)
{
    json_t *e = json_array();
    for (unsigned i = 0; i < r->size; i++)
        json_array_append_new(e, json_integer(r->entry[i]));
    return json_pack("{s:i, s:i, s:o}", "size", (json_int_t)r->size, "queues",
                     (json_int_t)r->n_queues, "entries", e);
}
