/* CPU bitmaps and their text forms: mirrors bitmap_parse() / bitmap_parselist()
 * (lib/bitmap-str.c) and the %*pb / %*pbl printers (lib/vsprintf.c bitmap_string,
 * bitmap_list_string), Linux 6.12. */
#include "sim/core/cpumask.h"

#include "sim/core/err.h"

#include <stdarg.h>

void sim_cpumask_fill(struct sim_cpumask *m, unsigned n)
{
    sim_cpumask_clear(m);
    for (unsigned w = 0; w < SIM_CPUMASK_WORDS && n > 64 * w; w++)
        m->bits[w] = n - 64 * w >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << (n - 64 * w)) - 1;
}

int sim_cpumask_nth(const struct sim_cpumask *m, unsigned n)
{
    for (unsigned i = 0; i < SIM_CPUMASK_WORDS; i++) {
        unsigned w = (unsigned)__builtin_popcountll(m->bits[i]);
        if (n >= w) {
            n -= w;
            continue;
        }
        uint64_t b = m->bits[i];
        while (n--)
            b &= b - 1; /* drop the lowest set bit */
        return (int)(i * 64 + (unsigned)__builtin_ctzll(b));
    }
    return -1;
}

int sim_cpumask_last(const struct sim_cpumask *m)
{
    for (unsigned i = SIM_CPUMASK_WORDS; i-- > 0;)
        if (m->bits[i])
            return (int)(i * 64 + 63 - (unsigned)__builtin_clzll(m->bits[i]));
    return -1;
}

static bool G_GNUC_PRINTF(4, 5) fail(GError **err, const char *s, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(err, SIM_ERROR, SIM_ERROR_INPUT, "CPU mask \"%s\": position %zu: expected %s", s,
                pos + 1, what);
    return false;
}

/* __end_of_region(): the kernel skips spaces and commas between groups. */
static bool end_of_region(char c)
{
    return g_ascii_isspace(c) || c == ',';
}

/* bitmap_get_x32_reverse(): one group ending at s[end - 1], at most 8 hex digits; returns
 * the index where it starts, or (size_t)-1 after setting *err. */
static size_t get_x32_reverse(const char *s, size_t end, uint32_t *num, GError **err)
{
    uint32_t v = 0;
    size_t i = end;
    for (unsigned shift = 0; i > 0 && !end_of_region(s[i - 1]); shift += 4, i--) {
        if (!g_ascii_isxdigit(s[i - 1])) {
            size_t bad = i - 1; /* name the group's leftmost bad character */
            while (bad > 0 && !end_of_region(s[bad - 1]))
                bad--;
            bad += strspn(s + bad, "0123456789abcdefABCDEF");
            fail(err, s, bad, "a hex digit (sysfs mask like \"00000000,0000ffff\")");
            return (size_t)-1;
        }
        if (shift == 32) {
            fail(err, s, i - 1, "at most %u hex digits per comma-separated group", 8);
            return (size_t)-1;
        }
        v |= (uint32_t)g_ascii_xdigit_value(s[i - 1]) << shift;
    }
    *num = v;
    return i;
}

/* bitmap_parse(): groups right to left, 32 bits each, into nbits. */
bool sim_cpumask_parse(struct sim_cpumask *m, const char *s, unsigned nbits, GError **err)
{
    if (nbits > SIM_NR_CPUS)
        nbits = SIM_NR_CPUS;
    struct sim_cpumask out = {0};
    size_t end = strcspn(s, "\n");
    unsigned chunks = (nbits + 31) / 32, chunk = 0;
    for (;; chunk++) {
        while (end > 0 && end_of_region(s[end - 1]))
            end--; /* bitmap_find_region_reverse() */
        if (end == 0)
            break;
        if (chunk == chunks)
            return fail(err, s, end - 1, "at most %u comma-separated 32-bit groups", chunks);
        uint32_t v;
        if ((end = get_x32_reverse(s, end, &v, err)) == (size_t)-1)
            return false;
        out.bits[chunk / 2] |= (uint64_t)v << (32 * (chunk % 2));
    }
    int last = sim_cpumask_last(&out);
    if (last >= (int)nbits)
        return fail(err, s, 0, "no bit above %u set", nbits - 1);
    *m = out;
    return true;
}

/* Reads a decimal number (or "N", the last bit) at s[*pos]; -ERANGE at nbits. */
static bool read_num(const char *s, size_t *pos, unsigned nbits, unsigned *out, GError **err)
{
    if (s[*pos] == 'N') {
        (*pos)++;
        *out = nbits - 1;
        return true;
    }
    if (!g_ascii_isdigit(s[*pos]))
        return fail(err, s, *pos, "a decimal CPU number");
    uint64_t v = 0;
    while (g_ascii_isdigit(s[*pos])) {
        v = v * 10 + (uint64_t)(s[*pos] - '0');
        if (v >= nbits)
            return fail(err, s, *pos, "a CPU number below %u", nbits);
        (*pos)++;
    }
    *out = (unsigned)v;
    return true;
}

/* The ":used/group" stride of a range (bitmap_getnum / bitmap_check_region). */
static bool read_stride(const char *s, size_t *pos, unsigned *used, unsigned *group, GError **err)
{
    size_t at = *pos;
    if (!read_num(s, pos, UINT32_MAX, used, err))
        return false;
    if (s[*pos] != '/')
        return fail(err, s, *pos, "'/' in a \"used/group\" stride");
    (*pos)++;
    if (!read_num(s, pos, UINT32_MAX, group, err))
        return false;
    if (*group == 0 || *used == 0 || *used > *group)
        return fail(err, s, at, "a stride with 0 < used <= group");
    return true;
}

/* One "a[-b[:used/group]]" or "all[:used/group]" region of bitmap_parselist(). */
static bool parse_region(struct sim_cpumask *out, const char *s, size_t *pos, unsigned nbits,
                         GError **err)
{
    unsigned a, b, used = 1, group = 1;
    bool range = false;
    if (strncmp(s + *pos, "all", 3) == 0) {
        *pos += 3;
        a = 0, b = nbits - 1, range = true;
    } else {
        if (!read_num(s, pos, nbits, &a, err))
            return false;
        b = a;
        if (s[*pos] == '-') {
            (*pos)++;
            if (!read_num(s, pos, nbits, &b, err))
                return false;
            if (b < a)
                return fail(err, s, *pos - 1, "a range whose end is not below its start");
            range = true;
        }
    }
    if (range && s[*pos] == ':') {
        (*pos)++;
        if (!read_stride(s, pos, &used, &group, err))
            return false;
    }
    for (unsigned cpu = a; cpu <= b; cpu++)
        if ((cpu - a) % group < used)
            sim_cpumask_set(out, cpu);
    return true;
}

bool sim_cpumask_parselist(struct sim_cpumask *m, const char *s, unsigned nbits, GError **err)
{
    if (nbits > SIM_NR_CPUS)
        nbits = SIM_NR_CPUS;
    struct sim_cpumask out = {0};
    g_autofree char *t = g_strndup(s, strcspn(s, "\n"));
    g_strchomp(t);
    size_t pos = 0;
    while (t[pos]) {
        if (nbits == 0)
            return fail(err, t, pos, "no CPU in a 0-bit mask");
        if (!parse_region(&out, t, &pos, nbits, err))
            return false;
        if (t[pos]) {
            if (t[pos] != ',')
                return fail(err, t, pos, "',' between CPU ranges (list like \"0-3,8\")");
            if (!t[++pos])
                return fail(err, t, pos, "a CPU range after ','");
        }
    }
    *m = out;
    return true;
}

char *sim_cpumask_print(const struct sim_cpumask *m, unsigned nbits)
{
    if (nbits > SIM_NR_CPUS)
        nbits = SIM_NR_CPUS;
    GString *str = g_string_new(NULL);
    unsigned chunksz = nbits % 32 ? nbits % 32 : 32;
    for (int i = (int)((nbits + 31) / 32 * 32) - 32; i >= 0; i -= 32) {
        uint32_t v = (uint32_t)(m->bits[i / 64] >> (i % 64));
        if (chunksz < 32)
            v &= (UINT32_C(1) << chunksz) - 1;
        g_string_append_printf(str, "%s%0*x", str->len ? "," : "", (int)((chunksz + 3) / 4), v);
        chunksz = 32;
    }
    return g_string_free(str, FALSE);
}

char *sim_cpumask_print_list(const struct sim_cpumask *m, unsigned nbits)
{
    GString *str = g_string_new(NULL);
    int cpu = sim_cpumask_first(m);
    while (cpu >= 0 && (unsigned)cpu < nbits) {
        int end = cpu;
        while (end + 1 < (int)nbits && sim_cpumask_test(m, (unsigned)end + 1))
            end++;
        g_string_append_printf(str, "%s%d", str->len ? "," : "", cpu);
        if (end > cpu)
            g_string_append_printf(str, "-%d", end);
        cpu = sim_cpumask_next(m, end);
    }
    return g_string_free(str, FALSE);
}
