/* CPU bitmaps and their sysfs text forms: mirrors bitmap_parse() / bitmap_parselist()
 * (lib/bitmap-str.c) and cpumask helpers (include/linux/cpumask.h), Linux 6.12. */
#include "models/kernel/cpumask.h"

#include "sim/core/err.h"

#include <string.h>

void kern_cpumask_clear(struct kern_cpumask *m)
{
    memset(m, 0, sizeof(*m));
}

void kern_cpumask_set(struct kern_cpumask *m, unsigned cpu)
{
    if (cpu < KERN_NR_CPUS)
        m->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

bool kern_cpumask_test(const struct kern_cpumask *m, unsigned cpu)
{
    return cpu < KERN_NR_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned kern_cpumask_weight(const struct kern_cpumask *m)
{
    unsigned w = 0;
    for (unsigned i = 0; i < G_N_ELEMENTS(m->bits); i++)
        w += (unsigned)__builtin_popcountll(m->bits[i]);
    return w;
}

int kern_cpumask_next(const struct kern_cpumask *m, int prev)
{
    for (unsigned cpu = (unsigned)(prev + 1); cpu < KERN_NR_CPUS; cpu++) {
        uint64_t word = m->bits[cpu / 64] >> (cpu % 64);
        if (word)
            return (int)(cpu + (unsigned)__builtin_ctzll(word));
        cpu |= 63; /* skip to the next word */
    }
    return -1;
}

int kern_cpumask_nth(const struct kern_cpumask *m, unsigned n)
{
    int cpu = -1;
    for (unsigned i = 0; i <= n; i++)
        if ((cpu = kern_cpumask_next(m, cpu)) < 0)
            return -1;
    return cpu;
}

void kern_cpumask_and(struct kern_cpumask *a, const struct kern_cpumask *b)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(a->bits); i++)
        a->bits[i] &= b->bits[i];
}

bool kern_cpumask_empty(const struct kern_cpumask *m)
{
    return kern_cpumask_weight(m) == 0;
}

void kern_cpumask_first_n(struct kern_cpumask *m, unsigned n)
{
    kern_cpumask_clear(m);
    for (unsigned cpu = 0; cpu < n && cpu < KERN_NR_CPUS; cpu++)
        kern_cpumask_set(m, cpu);
}

/* Length of s without one trailing "\n" or spaces (sysfs values end in a newline). */
static size_t trimmed_len(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    return n;
}

static bool fail(GError **err, const char *s, size_t pos, const char *what)
{
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "CPU mask \"%s\": position %zu: expected %s", s,
                pos + 1, what);
    return false;
}

/* bitmap_parse(): groups are read right to left, 32 bits each. */
bool kern_cpumask_parse_hex(struct kern_cpumask *m, const char *s, GError **err)
{
    struct kern_cpumask out = {0};
    size_t end = trimmed_len(s);
    unsigned group = 0;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && s[start - 1] != ',')
            start--;
        if (start == end)
            return fail(err, s, start, "a hex digit group between commas");
        if (end - start > 8)
            return fail(err, s, start, "at most 8 hex digits per comma-separated group");
        uint32_t v = 0;
        for (size_t i = start; i < end; i++) {
            if (!g_ascii_isxdigit(s[i]))
                return fail(err, s, i, "a hex digit (sysfs mask like \"00000000,0000ffff\")");
            v = v << 4 | (uint32_t)g_ascii_xdigit_value(s[i]);
        }
        /* A host with more possible CPUs prints wider masks: its all-zero high groups
         * name no CPU and are accepted; a set bit the model cannot hold is -EOVERFLOW. */
        if (v && group >= KERN_NR_CPUS / 32)
            return fail(err, s, start, "CPUs below " G_STRINGIFY(KERN_NR_CPUS));
        for (unsigned b = 0; b < 32; b++)
            if (v >> b & 1)
                kern_cpumask_set(&out, group * 32 + b);
        group++;
        if (start == 0)
            break;
        end = start - 1;
        if (end == 0)
            return fail(err, s, 0, "a hex digit group before the first comma");
    }
    *m = out;
    return true;
}

/* Reads a decimal CPU number at s[*pos]. */
static bool read_num(const char *s, size_t *pos, size_t end, unsigned *out, GError **err)
{
    if (*pos >= end || !g_ascii_isdigit(s[*pos]))
        return fail(err, s, *pos, "a decimal CPU number");
    uint64_t v = 0;
    while (*pos < end && g_ascii_isdigit(s[*pos])) {
        v = v * 10 + (uint64_t)(s[*pos] - '0');
        if (v >= KERN_NR_CPUS)
            return fail(err, s, *pos, "a CPU number below " G_STRINGIFY(KERN_NR_CPUS));
        (*pos)++;
    }
    *out = (unsigned)v;
    return true;
}

/* One "a[-b[:used/group]]" region of bitmap_parselist(). */
static bool parse_region(struct kern_cpumask *out, const char *s, size_t *pos, size_t end,
                         GError **err)
{
    unsigned a, b, used, group;
    if (!read_num(s, pos, end, &a, err))
        return false;
    b = a;
    used = group = 1;
    if (*pos < end && s[*pos] == '-') {
        (*pos)++;
        if (!read_num(s, pos, end, &b, err))
            return false;
        if (b < a)
            return fail(err, s, *pos - 1, "a range whose end is not below its start");
        if (*pos < end && s[*pos] == ':') {
            (*pos)++;
            size_t at = *pos;
            if (!read_num(s, pos, end, &used, err))
                return false;
            if (*pos >= end || s[*pos] != '/')
                return fail(err, s, *pos, "'/' in a \"used/group\" stride");
            (*pos)++;
            if (!read_num(s, pos, end, &group, err))
                return false;
            if (group == 0 || used == 0 || used > group)
                return fail(err, s, at, "a stride with 0 < used <= group");
        }
    }
    for (unsigned cpu = a; cpu <= b; cpu++)
        if ((cpu - a) % group < used)
            kern_cpumask_set(out, cpu);
    return true;
}

bool kern_cpumask_parse_list(struct kern_cpumask *m, const char *s, GError **err)
{
    struct kern_cpumask out = {0};
    size_t end = trimmed_len(s), pos = 0;
    while (pos < end) {
        if (!parse_region(&out, s, &pos, end, err))
            return false;
        if (pos < end) {
            if (s[pos] != ',')
                return fail(err, s, pos, "',' between CPU ranges (list like \"0-3,8\")");
            pos++;
            if (pos == end)
                return fail(err, s, pos, "a CPU range after ','");
        }
    }
    *m = out;
    return true;
}

char *kern_cpumask_format_hex(const struct kern_cpumask *m, unsigned nbits)
{
    if (nbits == 0)
        nbits = 1;
    if (nbits > KERN_NR_CPUS)
        nbits = KERN_NR_CPUS;
    GString *str = g_string_new(NULL);
    unsigned groups = (nbits + 31) / 32;
    for (unsigned g = groups; g-- > 0;) {
        uint32_t v = (uint32_t)(m->bits[g / 2] >> (32 * (g % 2)));
        unsigned top_bits = g == groups - 1 ? nbits - 32 * g : 32;
        if (top_bits < 32)
            v &= (UINT32_C(1) << top_bits) - 1;
        if (g == groups - 1)
            g_string_append_printf(str, "%0*x", (int)((top_bits + 3) / 4), v);
        else
            g_string_append_printf(str, ",%08x", v);
    }
    return g_string_free(str, FALSE);
}
