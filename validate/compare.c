/* Comparison arithmetic of the validation mode: the two-sample
 * Kolmogorov-Smirnov statistic on empirical CDFs, agreement counters. */
#include "validate/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

double val_ks_distance(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    if (!na || !nb)
        return -1.0;
    uint64_t *sa = g_memdup2(a, na * sizeof *a), *sb = g_memdup2(b, nb * sizeof *b);
    qsort(sa, na, sizeof *sa, cmp_u64);
    qsort(sb, nb, sizeof *sb, cmp_u64);
    size_t i = 0, j = 0;
    double d = 0.0;
    /* Walk the merged sample values; evaluate both CDFs after all ties at each value. */
    while (i < na || j < nb) {
        uint64_t x = (j >= nb || (i < na && sa[i] <= sb[j])) ? sa[i] : sb[j];
        while (i < na && sa[i] == x)
            i++;
        while (j < nb && sb[j] == x)
            j++;
        double diff = fabs((double)i / (double)na - (double)j / (double)nb);
        if (diff > d)
            d = diff;
    }
    g_free(sa);
    g_free(sb);
    return d;
}

void val_agree_init(struct val_agree *a, unsigned keep)
{
    memset(a, 0, sizeof *a);
    a->keep = keep;
    a->first = g_array_new(FALSE, FALSE, sizeof(struct val_disagreement));
}

void val_agree_clear(struct val_agree *a)
{
    if (a->first)
        g_array_free(a->first, TRUE);
    memset(a, 0, sizeof *a);
}

void val_agree_add(struct val_agree *a, int64_t model, int64_t actual, uint64_t packet,
                   uint64_t trace_line)
{
    a->compared++;
    if (model == actual) {
        a->agreed++;
        return;
    }
    if (a->first && a->first->len < a->keep) {
        struct val_disagreement d = {packet, trace_line, model, actual};
        g_array_append_val(a->first, d);
    }
}

double val_agree_fraction(const struct val_agree *a)
{
    return a->compared ? (double)a->agreed / (double)a->compared : -1.0;
}

double val_rel_error(double model, double ref)
{
    if (ref == 0.0)
        return model == 0.0 ? 0.0 : INFINITY;
    return fabs(model - ref) / fabs(ref);
}
