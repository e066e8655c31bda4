/* lowrank: linear attention whose merged matrix is W = A B^T with A, B d x r (r = -rank),
 * trained by full-batch GD on A and B with the loss of linear on any family (merged_problem.h:
 * logistic on gmm, squared on linreg and distreg, cross-entropy on sphere) and evaluated like
 * linear (merged_error.h), with linear's diagnostics (diagnostics.h: the distance is to linear's
 * one-step W_1, the construction trained models are compared to). W = 0 is a saddle of the factored loss, so A and B start small and
 * random: entries 0.1/sqrt(d) N(0, 1) from a stream keyed by (seed, d, r, replicate) only,
 * hence the same on every rank of a group and in every run. */
#include "lowrank.h"

#include <petscblaslapack.h>

#include "alignment.h"
#include "diagnostics.h"
#include "merged_error.h"
#include "rng.h"
#include "train_method.h"

static const char *LowrankParams(const ICLFamily *f)
{
  (void)f;
  return "rank";
}

static PetscBool LowrankSupports(const ICLFamily *f)
{
  (void)f;
  return PETSC_TRUE;
}

PetscErrorCode ICLLowrankLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const ICLLowrankProblem *p = ctx;
  const PetscInt           d = p->d, n = p->d * p->r;
  const PetscReal         *A = theta, *B = theta + n;
  PetscBLASInt             bd, br;
  const PetscReal          one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(p->r, &br));
  if (p->W0) PetscCall(PetscArraycpy(p->W, p->W0, d * d));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &br, &one, A, &bd, B, &bd, p->W0 ? &one : &zero, p->W, &bd));
  PetscCall(PetscArrayzero(p->G, d * d));
  PetscCall(p->f(p->ctx, p->W, loss, 1.0, p->G));
  /* theta may be G itself: both factor gradients are formed before G is touched */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bd, &br, &bd, &one, p->G, &bd, B, &bd, &zero, p->grad, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &br, &bd, &one, p->G, &bd, A, &bd, &zero, p->grad + n, &bd));
  if (G) PetscCall(ICLAxpy(2 * n, alpha, p->grad, G));
  PetscFunctionReturn(0);
}

/* Initial A and B (see the top of the file). */
static void InitFactors(const ICLCell *cell, PetscReal *A, PetscReal *B)
{
  const PetscInt  d = cell->task.d, r = cell->w_rank;
  const PetscReal scale = 0.1 / PetscSqrtReal((PetscReal)d);
  ICLStream       s;
  ICLStreamInit(&s, cell->task.seed, ICL_PURPOSE_MODEL_INIT, ICLHashU64(ICLHashU64(ICLHashInit(), (uint64_t)d), (uint64_t)r), cell->task.replicate, 0);
  ICLStreamNormals(&s, (size_t)(d * r), A);
  ICLStreamNormals(&s, (size_t)(d * r), B);
  for (PetscInt i = 0; i < d * r; i++) A[i] *= scale, B[i] *= scale;
}

/* One step: the loss and gradient in W plus forming W and the two factor gradients. */
static PetscReal StepFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return ICLMergedProblemGradFlops(cell) + 6.0 * d * d * cell->w_rank;
}

PetscErrorCode ICLLowrankFit(const ICLCell *cell, ICLMergedProblem *prob, const PetscReal *W0, PetscReal *x, ICLCellResult *res)
{
  const PetscInt    d = cell->task.d, r = cell->w_rank;
  PetscReal        *grad, *W, *G;
  ICLLowrankProblem f;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(2 * d * r, &grad, d * d, &W, d * d, &G));
  f = (ICLLowrankProblem){.f = prob->f, .ctx = prob->ctx, .d = d, .r = r, .W0 = W0, .W = W, .G = G, .grad = grad};
  PetscCall(ICLGDTrainCell(cell, ICLLowrankLossGrad, &f, x, res));
  res->flops = StepFlops(cell) * (res->steps + 1);
  if (res->status == ICL_STATUS_OK) { /* W is W0 + A B^T at the final iterate */
    PetscCall(ICLMergedError(cell, W, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    PetscCall(ICLTrainedWDiagnostics(cell->comm, d, prob->f, prob->ctx, W, res->singular_values, &res->gd_distance));
    res->flops += ICLMergedErrorFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, d);
  }
  PetscCall(PetscFree3(grad, W, G));
  PetscFunctionReturn(0);
}

static PetscErrorCode LowrankRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt   d = cell->task.d, r = cell->w_rank;
  PetscReal       *x;
  ICLMergedProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLTrainMethodCheckGD(cell, "lowrank"));
  PetscCheck(r >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "lowrank needs -rank r >= 1 (got %d)", (int)r);
  PetscCall(ICLMergedProblemCreate(cell, &prob));
  PetscCall(PetscMalloc1(2 * d * r, &x));
  InitFactors(cell, x, x + d * r);
  PetscCall(ICLLowrankFit(cell, &prob, NULL, x, res));
  PetscCall(PetscFree(x));
  PetscCall(ICLMergedProblemDestroy(&prob));
  PetscFunctionReturn(0);
}

PetscReal ICLLowrankFitFlops(const ICLCell *cell) { return StepFlops(cell) * (cell->T + 1) + ICLMergedErrorFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, cell->task.d); }

/* Per rank: a group of g ranks holds B/g training tasks each; W, G, the factors and their
 * gradients, evaluation buffers and the diagnostics' workspace. */
PetscReal ICLLowrankFitMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d;
  return ICLMergedProblemMemory(cell, g) + sizeof(PetscReal) * (2.0 * d * d + 4.0 * d * cell->w_rank + 4.0 * 2048 * d) + ICLTrainedWDiagnosticsMemory(cell->task.d, g);
}

/* The cost model's efficiency (ICLModelType): GEMMs of d x r factors, thin at small r. */
static PetscReal LowrankEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.26;
}

const ICLModelType ICLModelLowrank = {
  .name        = "lowrank",
  .description = "linear attention with W = A B^T of rank -rank, trained by full-batch GD from a small random start on the loss of linear (any family)",
  .supports    = LowrankSupports,
  .run         = LowrankRun,
  .flops       = ICLLowrankFitFlops,
  .efficiency  = LowrankEfficiency,
  .memory      = ICLLowrankFitMemory,
  .reads       = ICL_READS_TRAINING,
  .params      = LowrankParams,
  .requires    = "rank",
};
