/* lowrank: linear attention whose merged matrix is W = A B^T with A, B d x r (r = -rank),
 * trained by full-batch GD on A and B with the loss of linear (logistic on gmm, squared on
 * linreg) and evaluated like linear (gmm: exact for any W; linreg: closed form, or Monte Carlo
 * under RAG or drift). W = 0 is a saddle of the factored loss, so A and B start small and
 * random: entries 0.1/sqrt(d) N(0, 1) from a stream keyed by (seed, d, r, replicate) only,
 * hence the same on every rank of a group and in every run. */
#include "lowrank.h"

#include <petscblaslapack.h>

#include "alignment.h"
#include "bilinear_tasks.h"
#include "gd.h"
#include "gmm.h"
#include "gmm_accuracy.h"
#include "linreg.h"
#include "linreg_eval.h"

static PetscBool LowrankSupports(const ICLFamily *f) { return f == &ICLFamilyGmm || f == &ICLFamilyLinreg ? PETSC_TRUE : PETSC_FALSE; }

PetscErrorCode ICLLowrankLossGrad(const ICLBilinearProblem *p, PetscInt r, const PetscReal *A, const PetscReal *B, PetscReal *W,
                                  PetscReal *G, PetscReal *loss, PetscReal *gA, PetscReal *gB)
{
  const PetscInt  d = p->d;
  PetscBLASInt    bd, br;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(r, &br));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &br, &one, A, &bd, B, &bd, &zero, W, &bd));
  PetscCall(PetscArrayzero(G, d * d));
  PetscCall(ICLBilinearLossGrad(p, W, loss, 1.0, G));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bd, &br, &bd, &one, G, &bd, B, &bd, &zero, gA, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &br, &bd, &one, G, &bd, A, &bd, &zero, gB, &bd));
  PetscFunctionReturn(0);
}

/* Initial A and B (see the top of the file). */
static void InitFactors(const ICLCell *cell, PetscReal *A, PetscReal *B)
{
  const PetscInt  d = cell->task.d, r = cell->rank;
  const PetscReal scale = 0.1 / PetscSqrtReal((PetscReal)d);
  ICLStream       s;
  ICLStreamInit(&s, cell->task.seed, ICL_PURPOSE_MODEL_INIT, ICLHashU64(ICLHashU64(ICLHashInit(), (uint64_t)d), (uint64_t)r), cell->task.replicate, 0);
  ICLStreamNormals(&s, (size_t)(d * r), A);
  ICLStreamNormals(&s, (size_t)(d * r), B);
  for (PetscInt i = 0; i < d * r; i++) A[i] *= scale, B[i] *= scale;
}

/* gmm: the any-W evaluator; linreg: closed form or Monte Carlo, and sampling N tokens a task. */
static PetscReal EvalFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return cell->family == &ICLFamilyGmm ? ICLGmmErrorOfWFlops(cell) : ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * d;
}

/* One step: the bilinear loss and gradient plus forming W and the two factor gradients. */
static PetscReal StepFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return 4.0 * cell->B * d * d + 6.0 * d * d * cell->rank;
}

typedef struct {
  const ICLBilinearProblem *p;
  PetscInt                  r;
  PetscReal                *W, *G; /* W: A B^T of the last theta seen */
  PetscReal                *grad;  /* (dL/dA, dL/dB) */
} Factored;

/* An ICLLossGradFn of theta = (A, B). */
static PetscErrorCode FactoredLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  Factored      *f = ctx;
  const PetscInt n = f->p->d * f->r;

  PetscFunctionBegin;
  PetscCall(ICLLowrankLossGrad(f->p, f->r, theta, theta + n, f->W, f->G, loss, f->grad, f->grad + n));
  if (G) PetscCall(ICLAxpy(2 * n, alpha, f->grad, G));
  PetscFunctionReturn(0);
}

static PetscErrorCode LowrankRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt     d = cell->task.d, r = cell->rank;
  PetscReal         *x, *grad, *W, *G;
  ICLBilinearProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLGDCheckMethod(cell, "lowrank"));
  PetscCheck(r >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "lowrank needs -rank r >= 1 (got %d)", (int)r);
  PetscCall(ICLBilinearProblemCreate(cell, &prob));
  PetscCall(PetscMalloc4(2 * d * r, &x, 2 * d * r, &grad, d * d, &W, d * d, &G));
  InitFactors(cell, x, x + d * r);
  Factored f = {&prob, r, W, G, grad};
  PetscCall(ICLGDTrainCell(cell, FactoredLossGrad, &f, x, res));
  res->flops = StepFlops(cell) * (res->steps + 1);
  if (res->status == ICL_STATUS_OK) { /* W is A B^T at the final iterate */
    if (cell->family == &ICLFamilyGmm) PetscCall(ICLGmmErrorOfW(cell, W, res->test_error, res->test_error_se));
    else PetscCall(ICLLinregErrorOfW(cell, W, NULL, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    res->flops += EvalFlops(cell);
  }
  PetscCall(PetscFree4(x, grad, W, G));
  PetscCall(ICLBilinearProblemDestroy(&prob));
  PetscFunctionReturn(0);
}

static PetscReal LowrankFlops(const ICLCell *cell) { return StepFlops(cell) * (cell->T + 1) + EvalFlops(cell); }

/* Per rank: a group of g ranks holds B/g training tasks each, W, G and the factors. */
static PetscReal LowrankMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d;
  return sizeof(PetscReal) * (3.0 * cell->B / g * d + (g > 1 ? 3 : 2) * d * d + 4.0 * d * cell->rank + 4.0 * 2048 * d);
}

const ICLModelType ICLModelLowrank = {
  .name        = "lowrank",
  .description = "linear attention with W = A B^T of rank -rank, trained by full-batch GD from a small random start",
  .supports    = LowrankSupports,
  .run         = LowrankRun,
  .flops       = LowrankFlops,
  .memory      = LowrankMemory,
};
