/* The task subspace U: d x k with orthonormal columns, column-major (U[i + j d]). By default
 * the first k coordinates; with `-subspace random`, the Q factor of a d x k Gaussian matrix,
 * keyed by (seed, d, k, replicate), so the cells of one (d, k, replicate) share it, whatever
 * N, R or model. */
#ifndef ICL_SUBSPACE_H
#define ICL_SUBSPACE_H

#include <stdint.h>

/* Fills U; returns 0, or LAPACK's nonzero info. */
int  ICLSubspaceRandom(uint64_t seed, int d, int k, uint64_t replicate, double *U);
/* x = U c for coordinates c in the subspace (length k); U NULL: c padded with zeros. */
void ICLSubspaceEmbed(const double *U, int d, int k, const double *c, double *x);

#endif
