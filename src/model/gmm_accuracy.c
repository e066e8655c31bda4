#include "gmm_accuracy.h"

#include <petscblaslapack.h>

#include "gmm.h"
#include "quadrature.h"

/* Test tasks are processed in blocks so memory stays O(block * d) for any eval_tasks. */
#define ICL_EVAL_BLOCK 2048
/* Quadrature sizes: checked against brute-force Monte Carlo in tests/test_gmm_accuracy.c. */
#define ICL_QUAD_NORMAL 96
#define ICL_QUAD_GAMMA  64

PetscReal ICLNormalCdf(PetscReal x) { return 0.5 * erfc(-x / PETSC_SQRT2); }

PetscErrorCode ICLGmmErrorOfW(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  const PetscInt d = cell->task.d, n = cell->eval_tasks;
  ICLTaskParams  test = cell->task;
  PetscReal     *mu, *z, *Wmu, *Wz, *sum, *sum2;
  PetscBLASInt   bd, bb;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscMalloc4((size_t)ICL_EVAL_BLOCK * d, &mu, (size_t)ICL_EVAL_BLOCK * d, &z, (size_t)ICL_EVAL_BLOCK * d, &Wmu, (size_t)ICL_EVAL_BLOCK * d, &Wz));
  PetscCall(PetscCalloc2(cell->nM, &sum, cell->nM, &sum2));
  for (PetscInt j0 = 0; j0 < n; j0 += ICL_EVAL_BLOCK) {
    const PetscInt nb = PetscMin(ICL_EVAL_BLOCK, n - j0);
    for (PetscInt j = 0; j < nb; j++) ICLGmmTestTask(&test, (uint64_t)(j0 + j), mu + (size_t)j * d, z + (size_t)j * d);
    /* Columns of (d x nb) blocks: W^T mu_j and W^T z_j; then W^T m = W^T mu + W^T z / sqrt(M). */
    PetscCall(PetscBLASIntCast(nb, &bb));
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bb, &bd, &one, W, &bd, mu, &bd, &zero, Wmu, &bd));
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bb, &bd, &one, W, &bd, z, &bd, &zero, Wz, &bd));
    for (PetscInt a = 0; a < cell->nM; a++) {
      const PetscReal s = 1.0 / PetscSqrtReal((PetscReal)cell->M[a]);
      for (PetscInt j = 0; j < nb; j++) {
        const PetscReal *pm = mu + (size_t)j * d, *pa = Wmu + (size_t)j * d, *pz = Wz + (size_t)j * d;
        PetscReal        num = 0.0, den = 0.0, e;
        for (PetscInt i = 0; i < d; i++) {
          const PetscReal q = pa[i] + s * pz[i];
          num += q * pm[i];
          den += q * q;
        }
        /* W^T m = 0 predicts nothing: a fair coin. */
        e = den > 0.0 ? 1.0 - ICLNormalCdf(num / PetscSqrtReal(den)) : 0.5;
        sum[a] += e;
        sum2[a] += e * e;
      }
    }
  }
  for (PetscInt a = 0; a < cell->nM; a++) {
    const PetscReal mean = sum[a] / n, var = n > 1 ? PetscMax(0.0, (sum2[a] - n * mean * mean) / (n - 1)) : 0.0;
    err[a] = mean;
    se[a]  = PetscSqrtReal(var / n);
  }
  PetscCall(PetscFree4(mu, z, Wmu, Wz));
  PetscCall(PetscFree2(sum, sum2));
  PetscFunctionReturn(0);
}

PetscReal ICLGmmErrorOfWFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, n = cell->eval_tasks;
  return 4.0 * n * d * d + 6.0 * n * d * cell->nM;
}

PetscErrorCode ICLGmmErrorOfProjection(PetscReal R, PetscInt D, PetscInt M, PetscReal *err)
{
  PetscReal       gx[ICL_QUAD_NORMAL], gw[ICL_QUAD_NORMAL], cx[ICL_QUAD_GAMMA], cw[ICL_QUAD_GAMMA];
  PetscInt        nc = 1;
  const PetscReal s  = 1.0 / PetscSqrtReal((PetscReal)M);
  PetscReal       acc = 0.0;

  PetscFunctionBegin;
  PetscCheck(D >= 1 && M >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "need D >= 1 and M >= 1, got D = %d, M = %d", (int)D, (int)M);
  PetscCall(ICLQuadNormal(ICL_QUAD_NORMAL, gx, gw));
  if (D > 1) {
    /* chi2_{D-1} = 2 Gamma((D-1)/2, 1) */
    PetscCall(ICLQuadGamma(ICL_QUAD_GAMMA, 0.5 * (D - 1), cx, cw));
    for (PetscInt i = 0; i < ICL_QUAD_GAMMA; i++) cx[i] *= 2.0;
    nc = ICL_QUAD_GAMMA;
  } else {
    cx[0] = 0.0; /* D = 1: m has no component off mu's line */
    cw[0] = 1.0;
  }
  for (PetscInt i = 0; i < ICL_QUAD_NORMAL; i++) {
    const PetscReal a = R + s * gx[i];
    for (PetscInt j = 0; j < nc; j++) {
      const PetscReal den = PetscSqrtReal(a * a + s * s * cx[j]);
      acc += gw[i] * cw[j] * (den > 0.0 ? ICLNormalCdf(R * a / den) : 0.5);
    }
  }
  *err = 1.0 - acc;
  PetscFunctionReturn(0);
}
