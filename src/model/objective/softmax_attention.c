#include "softmax_attention.h"

#include <petscblaslapack.h>

/* Sizes are cast unchecked: these functions return nothing (the public forward is void by
 * contract), and d, M, C are far below 2^31 for any cell that fits in memory. */

void ICLAttentionOfQuery(ICLAttentionScore score, PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *a, PetscReal c, PetscReal *p, PetscReal *r, PetscReal *out)
{
  const PetscBLASInt bd = (PetscBLASInt)d, bM = (PetscBLASInt)M, bC = (PetscBLASInt)C, inc = 1;
  const PetscReal    one = 1.0, zero = 0.0;
  PetscReal          top = PETSC_MIN_REAL, sum = 0.0;

  /* s = X a (X row-major M x d is X^T column-major) */
  BLASgemv_("T", &bd, &bM, &one, X, &bd, a, &inc, &zero, p, &inc);
  switch (score) {
  case ICL_SCORE_SOFTMAX:
    for (PetscInt i = 0; i < M; i++) top = PetscMax(top, p[i]);
    for (PetscInt i = 0; i < M; i++) sum += (p[i] = PetscExpReal(p[i] - top));
    for (PetscInt i = 0; i < M; i++) p[i] /= sum;
    break;
  case ICL_SCORE_EXP:
    for (PetscInt i = 0; i < M; i++) p[i] = PetscExpReal(p[i]) / M;
    break;
  case ICL_SCORE_POLY2:
    for (PetscInt i = 0; i < M; i++) r[i] = 1.0 + p[i], sum += (p[i] = r[i] * r[i]);
    for (PetscInt i = 0; i < M; i++) p[i] /= sum, r[i] *= 2.0 / sum;
    break;
  }
  /* out = c Y^T p (Y row-major M x C is Y^T column-major) */
  BLASgemv_("N", &bC, &bM, &c, Y, &bC, p, &inc, &zero, out, &inc);
}

void ICLAttention(ICLAttentionScore score, PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out)
{
  const PetscBLASInt bd = (PetscBLASInt)d, inc = 1;
  const PetscReal    one = 1.0, zero = 0.0;
  PetscReal          a[d > 0 ? d : 1], p[M > 0 ? M : 1], r[M > 0 ? M : 1];

  BLASgemv_("N", &bd, &bd, &one, A, &bd, xq, &inc, &zero, a, &inc);
  ICLAttentionOfQuery(score, d, M, C, X, Y, a, c, p, r, out);
}

void ICLSoftmaxAttention(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out) { ICLAttention(ICL_SCORE_SOFTMAX, d, M, C, X, Y, xq, A, c, out); }

void ICLAttentionBackward(ICLAttentionScore score, PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *p, const PetscReal *r, PetscReal c, const PetscReal *g, PetscReal *v, PetscReal *u, PetscReal *gc)
{
  const PetscBLASInt bd = (PetscBLASInt)d, bM = (PetscBLASInt)M, bC = (PetscBLASInt)C, inc = 1;
  const PetscReal    one = 1.0, zero = 0.0;
  /* dw_i/ds_i before normalization, and the shift normalization subtracts */
  const PetscReal   *dw = score == ICL_SCORE_POLY2 ? r : p;
  PetscReal          vbar = 0.0, shift;

  /* v = Y g */
  BLASgemv_("T", &bC, &bM, &one, Y, &bC, g, &inc, &zero, v, &inc);
  for (PetscInt i = 0; i < M; i++) vbar += p[i] * v[i];
  shift = score == ICL_SCORE_EXP ? 0.0 : vbar;
  for (PetscInt i = 0; i < M; i++) v[i] = c * dw[i] * (v[i] - shift);
  /* u = X^T delta */
  BLASgemv_("N", &bd, &bM, &one, X, &bd, v, &inc, &zero, u, &inc);
  *gc = vbar;
}
