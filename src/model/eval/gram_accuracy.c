#include "gram_accuracy.h"

#include <petscblaslapack.h>

#include "gmm.h"
#include "gmm_accuracy.h"
#include "group.h"
#include "mc_eval.h"

/* Test tasks per block: the block's noise and partial W^T m (D each) are the buffers that do
 * not shrink with the group, 2 x 128 D words (200 MB at D = 10^5). */
#define ICL_GRAM_EVAL_BLOCK 128

PetscReal ICLGramErrorOfAlphaWords(PetscInt k, PetscReal D, PetscReal b, PetscInt g)
{
  const PetscReal nt = ICL_GRAM_EVAL_BLOCK;
  /* noise, W^T m with the numerator, this rank's summed columns in a group, mu's k
   * coordinates, one test mu, and four b x nt blocks of inner products */
  return nt * D + nt * (D + 1) + (g > 1 ? nt * (D + 1) : 0) + nt * k + D + 4 * b * nt;
}

PetscReal ICLGramErrorOfAlphaFlops(const ICLCell *cell)
{
  const PetscReal B = cell->B, D = cell->task.d, E = cell->eval_tasks, k = cell->task.k;
  /* m~_tau^T z and the k-coordinate products once; per M, beta, the numerator and W^T m */
  return E * (2.0 * B * D + 4.0 * B * k + cell->nM * (2.0 * B * D + 5.0 * B + 2.0 * D));
}

/* C (b x n, leading dimension ldc) = X^T Y over the first len coordinates of the columns of
 * X (leading dimension ldx) and Y (ldy). */
static PetscErrorCode InnerProducts(PetscInt b, PetscInt n, PetscInt len, const PetscReal *X, PetscInt ldx, const PetscReal *Y, PetscInt ldy, PetscReal *C, PetscInt ldc)
{
  PetscBLASInt    bb, bn, bl, bx, by, bc;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(b, &bb));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(len, &bl));
  PetscCall(PetscBLASIntCast(ldx, &bx));
  PetscCall(PetscBLASIntCast(ldy, &by));
  PetscCall(PetscBLASIntCast(PetscMax(ldc, 1), &bc));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bb, &bn, &bl, &one, X, &bx, Y, &by, &zero, C, &bc));
  PetscFunctionReturn(0);
}

/* Columns [c0, c0 + n) of the group's summed W^T m (rows 0..D-1) and numerator (row D) give
 * the test errors at one M: add them and their squares to sums. */
static void AddErrors(PetscInt D, PetscInt n, const PetscReal *Y, PetscReal *sums)
{
  for (PetscInt j = 0; j < n; j++) {
    const PetscReal *y   = Y + (size_t)j * (D + 1);
    PetscReal        den = 0.0, e;
    for (PetscInt i = 0; i < D; i++) den += y[i] * y[i];
    /* W^T m = 0 predicts nothing: a fair coin, as for an explicit W */
    e = den > 0.0 ? 1.0 - ICLNormalCdf(y[D] / PetscSqrtReal(den)) : 0.5;
    sums[0] += e, sums[1] += e * e;
  }
}

PetscErrorCode ICLGramErrorOfAlpha(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt first, const PetscReal *alpha, PetscReal *err, PetscReal *se)
{
  const PetscInt nt = ICL_GRAM_EVAL_BLOCK, D = p->d, k = cell->task.k, b = p->B_local, n = cell->eval_tasks, ld = PetscMax(b, 1);
  /* this rank's tasks are zero from their last's length on: products stop there */
  const PetscInt len = b && p->source ? PetscMin(D, p->source->length(p->source->ctx, first + b - 1)) : D;
  ICLTaskParams  test = cell->task;
  PetscReal     *z, *Y, *mine = NULL, *mu, *mu_full, *Cz, *Cmu, *Vmu, *beta, *sums;
  PetscMPIInt    size, rank, *counts;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCallMPI(MPI_Comm_rank(cell->comm, &rank));
  PetscCall(PetscMalloc4((size_t)nt * D, &z, (size_t)nt * k, &mu, D, &mu_full, size, &counts));
  PetscCall(PetscCalloc1((size_t)nt * (D + 1), &Y)); /* rows from len on stay 0 */
  PetscCall(PetscMalloc4((size_t)ld * nt, &Cz, (size_t)ld * nt, &Cmu, (size_t)ld * nt, &Vmu, (size_t)ld * nt, &beta));
  if (size > 1) PetscCall(PetscMalloc1((size_t)nt * (D + 1), &mine));
  PetscCall(PetscCalloc1(2 * cell->nM, &sums));
  /* Every rank takes every test task against its own training tasks; the group sums the
   * partial W^T m and each rank finishes its share of the block's columns. */
  for (PetscInt j0 = 0; j0 < n; j0 += nt) {
    const PetscInt nb = PetscMin(nt, n - j0);
    PetscInt       c0 = 0, nc = nb;
    for (PetscInt j = 0; j < nb; j++) {
      ICLGmmTestTask(&test, (uint64_t)(j0 + j), mu_full, z + (size_t)j * D);
      PetscCall(PetscArraycpy(mu + (size_t)j * k, mu_full, k)); /* mu~ = [R~ w; 0] */
    }
    PetscCall(InnerProducts(b, nb, len, p->Mt, D, z, D, Cz, ld));
    PetscCall(InnerProducts(b, nb, k, p->Mt, D, mu, k, Cmu, ld));
    PetscCall(InnerProducts(b, nb, k, p->Vt, D, mu, k, Vmu, ld));
    if (size > 1) {
      for (PetscMPIInt q = 0; q < size; q++) PetscCall(PetscMPIIntCast((PetscInt)((nb * (q + 1)) / size - (nb * q) / size) * (D + 1), &counts[q]));
      c0 = (nb * rank) / size, nc = (nb * (rank + 1)) / size - c0;
    }
    for (PetscInt a = 0; a < cell->nM; a++) {
      const PetscReal s = 1.0 / PetscSqrtReal((PetscReal)cell->M[a]), one = 1.0, zero = 0.0;
      PetscBLASInt    bl, bn, bb, bD, bld, bbeta;
      for (PetscInt j = 0; j < nb; j++) {
        PetscReal num = 0.0;
        for (PetscInt t = 0; t < b; t++) {
          const size_t at = (size_t)j * ld + t;
          beta[at]        = alpha[first + t] * (Cmu[at] + s * Cz[at]);
          num += beta[at] * Vmu[at];
        }
        Y[(size_t)j * (D + 1) + D] = num;
      }
      PetscCall(PetscBLASIntCast(len, &bl));
      PetscCall(PetscBLASIntCast(nb, &bn));
      PetscCall(PetscBLASIntCast(b, &bb));
      PetscCall(PetscBLASIntCast(D, &bD));
      PetscCall(PetscBLASIntCast(D + 1, &bld));
      PetscCall(PetscBLASIntCast(ld, &bbeta));
      PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bl, &bn, &bb, &one, p->Vt, &bD, beta, &bbeta, &zero, Y, &bld));
      if (size > 1) PetscCallMPI(MPI_Reduce_scatter(Y, mine, counts, MPIU_REAL, MPI_SUM, cell->comm));
      AddErrors(D, nc, size > 1 ? mine : Y + (size_t)c0 * (D + 1), sums + 2 * a);
    }
  }
  PetscCall(ICLMonteCarloMean(cell->comm, n, cell->nM, sums, err, se));
  PetscCall(PetscFree(sums));
  PetscCall(PetscFree(mine));
  PetscCall(PetscFree4(Cz, Cmu, Vmu, beta));
  PetscCall(PetscFree(Y));
  PetscCall(PetscFree4(z, mu, mu_full, counts));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGramAlignmentOfAlpha(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt first, const PetscReal *alpha, const PetscReal *s, PetscReal *alignment)
{
  const PetscInt k = cell->task.k, D = p->d;
  PetscReal     *sum, in = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(k * k + 1, &sum));
  for (PetscInt t = 0; t < p->B_local; t++) {
    const PetscReal *m = p->Mt + (size_t)t * D, *v = p->Vt + (size_t)t * D, a = alpha[first + t];
    for (PetscInt j = 0; j < k; j++)
      for (PetscInt i = 0; i < k; i++) sum[j * k + i] += a * m[i] * v[j];
    sum[k * k] += a * s[t];
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sum, (PetscMPIInt)(k * k + 1), MPIU_REAL, MPI_SUM, cell->comm));
  for (PetscInt i = 0; i < k * k; i++) in += sum[i] * sum[i];
  *alignment = sum[k * k] > 0.0 ? in / sum[k * k] : NAN;
  PetscCall(PetscFree(sum));
  PetscFunctionReturn(0);
}
