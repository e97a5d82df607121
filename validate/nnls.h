/* Non-negative least squares: min ||A x - b||2 subject to x >= 0, by the Lawson-Hanson active
 * set method (Lawson & Hanson, "Solving Least Squares Problems", 1974, ch. 23), on the normal
 * equations (n unknowns is small: one per cost term; the rows, one per traced run, are many). */
#ifndef NICSTEER_VALIDATE_NNLS_H
#define NICSTEER_VALIDATE_NNLS_H

#include <stdbool.h>
#include <stddef.h>

/* g = A^T A (n x n, row major), h = A^T b. Writes x (n). False when it does not converge
 * within 30 n outer iterations (degenerate input); x then holds the last feasible point. */
bool val_nnls_gram(const double *g, const double *h, size_t n, double *x);

/* Accumulates one row a (n) with target y into g and h. */
void val_nnls_add_row(double *g, double *h, size_t n, const double *a, double y);

#endif
