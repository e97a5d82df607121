/* Lawson-Hanson NNLS on the normal equations: x moves between a passive set P (free, solved by
 * unconstrained least squares on P) and an active set (held at 0), entering the variable with
 * the largest gradient w = h - G x and stepping back to the boundary whenever the solution on P
 * would turn a variable negative. */
#include "validate/nnls.h"

#include <glib.h>
#include <math.h>
#include <string.h>

void val_nnls_add_row(double *g, double *h, size_t n, const double *a, double y)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] == 0)
            continue;
        h[i] += a[i] * y;
        for (size_t j = 0; j < n; j++)
            g[i * n + j] += a[i] * a[j];
    }
}

/* Solves G_PP z_P = h_P by Gaussian elimination with partial pivoting; z is 0 off P. A
 * near-singular pivot (collinear terms) gets a tiny ridge instead of a division by 0. */
static void solve_passive(const double *g, const double *h, size_t n, const bool *p, double *z)
{
    size_t idx[64], k = 0;
    for (size_t i = 0; i < n && k < 64; i++)
        if (p[i])
            idx[k++] = i;
    double m[64 * 65];
    double scale = 0;
    for (size_t r = 0; r < k; r++) {
        for (size_t c = 0; c < k; c++)
            m[r * (k + 1) + c] = g[idx[r] * n + idx[c]];
        m[r * (k + 1) + k] = h[idx[r]];
        scale = MAX(scale, fabs(g[idx[r] * n + idx[r]]));
    }
    for (size_t c = 0; c < k; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < k; r++)
            if (fabs(m[r * (k + 1) + c]) > fabs(m[piv * (k + 1) + c]))
                piv = r;
        for (size_t j = 0; j <= k && piv != c; j++) {
            double t = m[c * (k + 1) + j];
            m[c * (k + 1) + j] = m[piv * (k + 1) + j];
            m[piv * (k + 1) + j] = t;
        }
        if (fabs(m[c * (k + 1) + c]) < 1e-12 * scale + 1e-300)
            m[c * (k + 1) + c] = 1e-12 * scale + 1e-300;
        for (size_t r = c + 1; r < k; r++) {
            double f = m[r * (k + 1) + c] / m[c * (k + 1) + c];
            for (size_t j = c; j <= k; j++)
                m[r * (k + 1) + j] -= f * m[c * (k + 1) + j];
        }
    }
    memset(z, 0, n * sizeof *z);
    for (size_t r = k; r-- > 0;) {
        double s = m[r * (k + 1) + k];
        for (size_t j = r + 1; j < k; j++)
            s -= m[r * (k + 1) + j] * z[idx[j]];
        z[idx[r]] = s / m[r * (k + 1) + r];
    }
}

static void gradient(const double *g, const double *h, size_t n, const double *x, double *w)
{
    for (size_t i = 0; i < n; i++) {
        w[i] = h[i];
        for (size_t j = 0; j < n; j++)
            w[i] -= g[i * n + j] * x[j];
    }
}

bool val_nnls_gram(const double *g, const double *h, size_t n, double *x)
{
    bool p[64] = {false};
    double w[64], z[64];
    memset(x, 0, n * sizeof *x);
    if (n == 0 || n > 64)
        return n == 0;
    double tol = 0;
    for (size_t i = 0; i < n; i++)
        tol = MAX(tol, fabs(h[i]));
    tol *= 1e-10;
    for (size_t iter = 0; iter < 30 * n; iter++) {
        gradient(g, h, n, x, w);
        size_t t = n;
        for (size_t i = 0; i < n; i++)
            if (!p[i] && w[i] > tol && (t == n || w[i] > w[t]))
                t = i;
        if (t == n)
            return true; /* Kuhn-Tucker conditions hold */
        p[t] = true;
        for (;;) {
            solve_passive(g, h, n, p, z);
            double alpha = 2;
            for (size_t i = 0; i < n; i++)
                if (p[i] && z[i] <= 0)
                    alpha = MIN(alpha, x[i] / (x[i] - z[i]));
            if (alpha > 1) {
                memcpy(x, z, n * sizeof *x);
                break;
            }
            for (size_t i = 0; i < n; i++) {
                x[i] += alpha * (z[i] - x[i]);
                if (p[i] && x[i] <= 1e-12 * (1 + fabs(z[i]))) {
                    p[i] = false;
                    x[i] = 0;
                }
            }
        }
    }
    return false;
}
