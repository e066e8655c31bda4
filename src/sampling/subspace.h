/* The task subspace U: d x k with orthonormal columns, column-major (U[i + j d]). By default
 * the first k coordinates; with `-subspace random`, the Q factor of a d x k Gaussian matrix,
 * keyed by (seed, d, k, replicate), so the cells of one (d, k, replicate) share it, whatever
 * N, R or model. */
#ifndef ICL_SUBSPACE_H
#define ICL_SUBSPACE_H

#include <stdint.h>

#include "rng.h"

/* Fills U; returns 0, or LAPACK's nonzero info. */
int  ICLSubspaceRandom(uint64_t seed, int d, int k, uint64_t replicate, double *U);
/* x = U c for coordinates c in the subspace (length k); U NULL: c padded with zeros. */
void ICLSubspaceEmbed(const double *U, int d, int k, const double *c, double *x);
/* x = r U u with u uniform on the unit sphere of R^k (k normals from s, normalized): ||x|| = r. */
void ICLSubspaceUniform(ICLStream *s, const double *U, int d, int k, double r, double *x);
/* x -= U U^T x: the component of x (length d) orthogonal to the subspace; U NULL: x_1..x_k = 0. */
void ICLSubspaceComplement(const double *U, int d, int k, double *x);

#endif
