/* RFS tables: mirrors rps_sock_flow_sysctl() (net/core/sysctl_net_core.c),
 * store_rps_dev_flow_table_cnt() (net/core/net-sysfs.c) and rps_record_sock_flow()
 * (include/net/rps.h), Linux 6.12. */
#include "models/kernel/rfs.h"

#include "sim/core/err.h"

#include <errno.h>
#include <stdlib.h>

struct kern_sock_flow_table {
    uint32_t mask;         /* size - 1 */
    uint32_t rps_cpu_mask; /* roundup_pow_of_two(nr_cpu_ids) - 1 */
    uint32_t *ents;
};

struct kern_rps_dev_flow_table {
    uint32_t mask;
    struct kern_rps_dev_flow *flows;
};

static uint64_t roundup_pow_of_two(uint64_t n)
{
    uint64_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

bool kern_parse_rps_sock_flow_entries(const char *s, int64_t *out, GError **err)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (*end == '\n' || *end == ' ')
        end++;
    if (end == s || *end || errno || v < INT32_MIN || v > INT32_MAX) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "rps_sock_flow_entries \"%s\": expected a decimal integer (proc_dointvec)", s);
        return false;
    }
    *out = v;
    return true;
}

bool kern_sock_flow_table_create(int64_t entries, unsigned nr_cpu_ids,
                                 struct kern_sock_flow_table **out, GError **err)
{
    *out = NULL;
    if (entries == 0)
        return true;
    /* The sysctl stores into an unsigned int: negative values become huge and fail the cap. */
    if (entries < 0 || entries > KERN_RPS_SOCK_FLOW_MAX) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "rps_sock_flow_entries %" G_GINT64_FORMAT ": expected 0..%u (EINVAL)", entries,
                    KERN_RPS_SOCK_FLOW_MAX);
        return false;
    }
    if (nr_cpu_ids == 0 || nr_cpu_ids > KERN_RPS_NO_CPU) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG, "RFS: %u CPUs: expected 1..%u", nr_cpu_ids,
                    KERN_RPS_NO_CPU - 1);
        return false;
    }
    uint64_t size = roundup_pow_of_two((uint64_t)entries);
    struct kern_sock_flow_table *t = g_new0(struct kern_sock_flow_table, 1);
    t->ents = g_try_new(uint32_t, size);
    if (!t->ents) {
        g_free(t);
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "rps_sock_flow_entries %" G_GINT64_FORMAT ": cannot allocate %" G_GUINT64_FORMAT
                    " entries",
                    entries, size);
        return false;
    }
    t->mask = (uint32_t)(size - 1);
    t->rps_cpu_mask = (uint32_t)roundup_pow_of_two(nr_cpu_ids) - 1;
    for (uint64_t i = 0; i < size; i++)
        t->ents[i] = KERN_RPS_NO_CPU;
    *out = t;
    return true;
}

void kern_sock_flow_table_free(struct kern_sock_flow_table *t)
{
    if (!t)
        return;
    g_free(t->ents);
    g_free(t);
}

uint32_t kern_sock_flow_table_size(const struct kern_sock_flow_table *t)
{
    return t->mask + 1;
}

uint32_t kern_rps_cpu_mask(const struct kern_sock_flow_table *t)
{
    return t->rps_cpu_mask;
}

uint32_t kern_sock_flow_table_entry(const struct kern_sock_flow_table *t, uint32_t hash)
{
    return t->ents[hash & t->mask];
}

void kern_rps_record_flow(struct kern_sock_flow_table *t, uint32_t hash, unsigned cpu)
{
    if (!t || !hash)
        return;
    uint32_t val = (hash & ~t->rps_cpu_mask) | cpu;
    uint32_t *ent = &t->ents[hash & t->mask];
    if (*ent != val) /* avoids dirtying the cache line, rps_record_sock_flow() */
        *ent = val;
}

bool kern_parse_rps_flow_cnt(const char *s, uint64_t *out, GError **err)
{
    char *end;
    const char *p = s;
    if (*p == '+')
        p++; /* kstrtoul accepts a leading '+', never '-' */
    errno = 0;
    unsigned long long v = g_ascii_isdigit(*p) ? strtoull(p, &end, 0) : 0;
    if (!g_ascii_isdigit(*p))
        end = (char *)p;
    if (*end == '\n')
        end++;
    if (end == p || *end || errno) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT,
                    "rps_flow_cnt \"%s\": expected an unsigned integer (kstrtoul: decimal, 0x "
                    "hex or 0 octal)",
                    s);
        return false;
    }
    *out = v;
    return true;
}

bool kern_rps_dev_flow_table_create(uint64_t count, struct kern_rps_dev_flow_table **out,
                                    GError **err)
{
    *out = NULL;
    if (count == 0)
        return true;
    /* table->mask is a u32: roundup_pow_of_two(count) - 1 must fit, else -EINVAL. */
    uint64_t size = count > (UINT64_C(1) << 32) ? 0 : roundup_pow_of_two(count);
    if (size == 0) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "rps_flow_cnt %" G_GUINT64_FORMAT ": expected at most 2^32 (EINVAL)", count);
        return false;
    }
    if (size > KERN_RPS_DEV_FLOW_MODEL_MAX) {
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "rps_flow_cnt %" G_GUINT64_FORMAT ": rounds up to %" G_GUINT64_FORMAT
                    " entries, above the model's limit of %" G_GUINT64_FORMAT,
                    count, size, KERN_RPS_DEV_FLOW_MODEL_MAX);
        return false;
    }
    struct kern_rps_dev_flow_table *t = g_new0(struct kern_rps_dev_flow_table, 1);
    t->flows = g_try_new(struct kern_rps_dev_flow, size);
    if (!t->flows) {
        g_free(t);
        g_set_error(err, SIM_ERROR, SIM_ERROR_CONFIG,
                    "rps_flow_cnt %" G_GUINT64_FORMAT ": cannot allocate the table", count);
        return false;
    }
    t->mask = (uint32_t)(size - 1);
    for (uint64_t i = 0; i < size; i++)
        t->flows[i] = (struct kern_rps_dev_flow){KERN_RPS_NO_CPU, KERN_RPS_NO_FILTER, 0};
    *out = t;
    return true;
}

void kern_rps_dev_flow_table_free(struct kern_rps_dev_flow_table *t)
{
    if (!t)
        return;
    g_free(t->flows);
    g_free(t);
}

uint32_t kern_rps_dev_flow_table_size(const struct kern_rps_dev_flow_table *t)
{
    return t->mask + 1;
}

uint32_t kern_rps_dev_flow_table_mask(const struct kern_rps_dev_flow_table *t)
{
    return t->mask;
}

struct kern_rps_dev_flow *kern_rps_dev_flow_at(struct kern_rps_dev_flow_table *t, uint32_t index)
{
    return &t->flows[index & t->mask];
}
