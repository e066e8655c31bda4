#include "mc_eval.h"

#include "group.h"
#include "rng.h"

/* Loss of one prediction against the query's target. */
static PetscReal Loss(ICLOutputKind kind, PetscInt C, const PetscReal *out, const PetscReal *yq)
{
  switch (kind) {
  case ICL_OUTPUT_SIGN: {
    const PetscReal s = out[0] * yq[0];
    return s > 0 ? 0.0 : s < 0 ? 1.0 : 0.5;
  }
  case ICL_OUTPUT_CLASS: {
    PetscInt best = 0, truth = 0;
    for (PetscInt c = 1; c < C; c++) {
      if (out[c] > out[best]) best = c;
      if (yq[c] > yq[truth]) truth = c;
    }
    return best == truth ? 0.0 : 1.0;
  }
  default: return (out[0] - yq[0]) * (out[0] - yq[0]);
  }
}

/* Mean and standard error of the loss of predict at every M: against the query's target, or
 * with reference non-NULL the squared distance sum_c (out_c - ref_c)^2 to reference's output. */
static PetscErrorCode Average(const ICLCell *cell, ICLPredictFn predict, void *ctx, ICLPredictFn reference, void *rctx, PetscReal *err, PetscReal *se)
{
  const ICLFamily *fam = cell->family;
  ICLTaskParams    test = cell->task;
  const PetscInt   d = test.d, n = cell->eval_tasks;
  PetscInt         maxM = 1, C;
  PetscReal       *X, *Y, *xq, *yq, *out, *sums;
  PetscInt         j0, nj;
  PetscMPIInt      size;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  C      = fam->outputs(&test);
  for (PetscInt a = 0; a < cell->nM; a++) maxM = PetscMax(maxM, cell->M[a]);
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCall(PetscMalloc5((size_t)maxM * d, &X, (size_t)maxM * C, &Y, d, &xq, C, &yq, C, &out));
  PetscCall(PetscCalloc1(2 * cell->nM, &sums));
  /* A group shares the test tasks out by contiguous blocks; the sums are reduced below. */
  PetscCall(ICLGroupShare(cell->comm, n, &j0, &nj));
  for (PetscInt a = 0; a < cell->nM; a++) {
    for (PetscInt j = j0; j < j0 + nj; j++) {
      PetscReal l;
      PetscCheck(fam->tokens(&test, (int)cell->M[a], ICL_PURPOSE_TEST_TASK, (uint64_t)j, X, Y, xq, yq) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid %s task options for test task %d", fam->name, (int)j);
      PetscCall(predict(ctx, cell->M[a], X, Y, xq, out));
      if (reference) {
        PetscCall(reference(rctx, cell->M[a], X, Y, xq, yq));
        l = 0.0;
        for (PetscInt c = 0; c < C; c++) l += (out[c] - yq[c]) * (out[c] - yq[c]);
      } else l = Loss(fam->kind, C, out, yq);
      sums[2 * a] += l, sums[2 * a + 1] += l * l;
    }
  }
  PetscCall(ICLMonteCarloMean(cell->comm, n, cell->nM, sums, err, se));
  PetscCall(PetscFree5(X, Y, xq, yq, out));
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLMonteCarloError(const ICLCell *cell, ICLPredictFn predict, void *ctx, PetscReal *err, PetscReal *se)
{
  PetscFunctionBegin;
  PetscCall(Average(cell, predict, ctx, NULL, NULL, err, se));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLMonteCarloGap(const ICLCell *cell, ICLPredictFn predict, void *ctx, ICLPredictFn reference, void *rctx, PetscReal *gap, PetscReal *se)
{
  PetscFunctionBegin;
  PetscCall(Average(cell, predict, ctx, reference, rctx, gap, se));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLMonteCarloMean(MPI_Comm comm, PetscInt n, PetscInt nM, PetscReal *sums, PetscReal *mean, PetscReal *se)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(2 * nM), MPIU_REAL, MPI_SUM, comm));
  for (PetscInt a = 0; a < nM; a++) {
    const PetscReal m = sums[2 * a] / n, var = n > 1 ? PetscMax(0.0, (sums[2 * a + 1] - n * m * m) / (n - 1)) : 0.0;
    mean[a] = m;
    se[a]   = PetscSqrtReal(var / n);
  }
  PetscFunctionReturn(0);
}

PetscReal ICLMonteCarloSampleFlops(const ICLCell *cell)
{
  PetscReal tokens = 0;
  for (PetscInt a = 0; a < cell->nM; a++) tokens += cell->M[a] + 1;
  return 10.0 * cell->eval_tasks * tokens * cell->task.d;
}
