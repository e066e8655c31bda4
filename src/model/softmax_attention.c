#include "softmax_attention.h"

#include <petscblaslapack.h>

/* BLAS sizes are cast unchecked: the function is void by contract, and d, M, C of any cell
 * that fits in memory are far below 2^31. */
void ICLSoftmaxAttention(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out)
{
  const PetscBLASInt bd = (PetscBLASInt)d, bM = (PetscBLASInt)M, bC = (PetscBLASInt)C, inc = 1;
  const PetscReal    one = 1.0, zero = 0.0;
  PetscReal          a[d > 0 ? d : 1], w[M > 0 ? M : 1], top = PETSC_MIN_REAL, sum = 0.0;

  /* a = A x_q, then the scores X a (row-major X is X^T column-major) */
  BLASgemv_("N", &bd, &bd, &one, A, &bd, xq, &inc, &zero, a, &inc);
  BLASgemv_("T", &bd, &bM, &one, X, &bd, a, &inc, &zero, w, &inc);
  for (PetscInt i = 0; i < M; i++) top = PetscMax(top, w[i]);
  for (PetscInt i = 0; i < M; i++) sum += (w[i] = PetscExpReal(w[i] - top));
  /* out = (c / sum) Y^T w */
  const PetscReal scale = c / sum;
  BLASgemv_("N", &bC, &bM, &scale, Y, &bC, w, &inc, &zero, out, &inc);
}
