#include "linear_attention.h"

#include <petscblaslapack.h>

#include "mc_eval.h"
#include "sphere.h"

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

PetscErrorCode ICLLinearAttentionError(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  PetscInt           maxM = 1;
  ICLLinearAttention la   = {.d = cell->task.d, .C = cell->family->outputs(&cell->task), .W = W, .transpose = cell->family == &ICLFamilySphere ? PETSC_FALSE : PETSC_TRUE};

  PetscFunctionBegin;
  for (PetscInt a = 0; a < cell->nM; a++) maxM = PetscMax(maxM, cell->M[a]);
  PetscCall(PetscMalloc1(la.d + maxM, &la.work));
  PetscCall(ICLMonteCarloError(cell, ICLLinearAttentionPredict, &la, err, se));
  PetscCall(PetscFree(la.work));
  PetscFunctionReturn(0);
}

PetscReal ICLLinearAttentionErrorFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  PetscReal       flops = ICLMonteCarloSampleFlops(cell);
  for (PetscInt a = 0; a < cell->nM; a++) flops += cell->eval_tasks * (2.0 * d * d + 2.0 * cell->M[a] * (d + C));
  return flops;
}
