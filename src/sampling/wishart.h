/* Wishart matrices through their Bartlett factor, drawn one column at a time.
 *
 * If Z is a nu x n matrix of independent N(0, 1) entries, its QR factorization Z = Q F has an
 * r x n upper-trapezoidal F (r = min(nu, n)) whose entries are independent: F_jj^2 ~ chi^2 with
 * nu - j degrees of freedom (j = 0, 1, ... < r), F_ij ~ N(0, 1) above the diagonal, and Q
 * (nu x r, orthonormal columns) is independent of F. So the Gram matrix Z^T Z = F^T F
 * ~ Wishart_n(nu, I) costs r n numbers whatever nu is, and column j of F is the whole
 * description of vector j: drawn from its own stream, the first n' columns of a larger draw
 * are a draw for n' vectors (nested). For nu >= n, F is the Bartlett triangle. */
#ifndef ICL_WISHART_H
#define ICL_WISHART_H

#include "rng.h"

/* chi^2 with dof > 0 degrees of freedom (a Gamma(dof/2, 2) variate). */
double ICLStreamChiSquare(ICLStream *s, double dof);

/* Column j of the factor F of n >= j + 1 vectors with nu degrees of freedom: fills the first
 * r = min(nu, n) entries of col (zeros below the diagonal), drawing min(j, r) normals and then,
 * if j < r, sqrt(chi^2_{nu - j}). The draws do not depend on n. */
void ICLBartlettColumn(ICLStream *s, long nu, int r, int j, double *col);

#endif
