#include "linear_attention.h"

#include <petscblaslapack.h>


PetscErrorCode ICLLinearAttentionPredict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  const ICLLinearAttention *la = (const ICLLinearAttention *)ctx;
  PetscReal                *a = la->work, *s = la->work + la->d;
  PetscBLASInt              bd, bM, bC;
  const PetscBLASInt        inc = 1;
  const PetscReal           one = 1.0, zero = 0.0, scale = 1.0 / M;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(la->d, &bd));
  PetscCall(PetscBLASIntCast(M, &bM));
  PetscCall(PetscBLASIntCast(la->C, &bC));
  /* a = op(W) x_q, s = X a (X row-major M x d is X^T column-major), out = (1/M) Y^T s */
  PetscCallBLAS("BLASgemv", BLASgemv_(la->transpose ? "T" : "N", &bd, &bd, &one, la->W, &bd, xq, &inc, &zero, a, &inc));
  PetscCallBLAS("BLASgemv", BLASgemv_("T", &bd, &bM, &one, X, &bd, a, &inc, &zero, s, &inc));
  PetscCallBLAS("BLASgemv", BLASgemv_("N", &bC, &bM, &scale, Y, &bC, s, &inc, &zero, out, &inc));
  PetscFunctionReturn(0);
}
