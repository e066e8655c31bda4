/* gd1: the one-step gradient-descent construction trained models are compared to (docs/models.md;
 * DSS for sphere, LRO for linreg): W_1 = -eta grad L(0), one GD step from W = 0 on linear's
 * training loss L over the cell's B training tasks (merged_problem.h: sphere's cross-entropy,
 * linreg's squared loss), evaluated like linear (merged_error.h: sphere by Monte Carlo, linreg
 * in closed form, or by Monte Carlo under RAG or drift).
 *
 * The step eta is grid-searched on the training loss L(W_1) (the training tasks only, never
 * the test tasks): eta = 2^j, j = -4..20, then, where the test error depends on eta, eta_j 2^(i/F)
 * around the best eta_j of those, |i| < F. The chosen eta's loss is reported as train_loss;
 * -train_steps and -train_lr do not apply. A dispatch table holds one row per family:
 *   sphere: F = 1 (no refinement): the argmax of the logits H W_1 x_q, hence the test error, is
 *           the same for every eta > 0; eta only calibrates the logits.
 *   linreg: F = 32: the prediction scales with eta, and so does the risk. The loss is quadratic
 *           in eta, so the chosen eta is within a factor 2^(1/64) of the best and the loss
 *           exceeds its minimum by at most (2^(1/64) - 1)^2 ~ 1.2e-4 of the gain over W = 0. */
#include "merged_error.h"
#include "merged_problem.h"
#include "linreg.h"
#include "sphere.h"

enum { ETA_MIN_LOG2 = -4, ETA_MAX_LOG2 = 20 };

static const struct {
  const ICLFamily *family;
  PetscInt         F; /* subdivisions of an octave around the coarse grid's best eta */
} table[] = {
  {&ICLFamilySphere, 1},
  {&ICLFamilyLinreg, 32},
};

static PetscInt Find(const ICLFamily *f)
{
  for (PetscInt i = 0; i < (PetscInt)(sizeof table / sizeof table[0]); i++)
    if (table[i].family == f) return i;
  return -1;
}

/* Loss passes of the search: the coarse grid and the refinement. */
static PetscInt Passes(PetscInt F) { return ETA_MAX_LOG2 - ETA_MIN_LOG2 + 1 + 2 * (F - 1); }

/* W = eta G0; keeps eta when L(W) is the lowest loss seen. */
static PetscErrorCode TryStep(const ICLMergedProblem *p, PetscInt n, const PetscReal *G0, PetscReal eta, PetscReal *W, PetscReal *best, PetscReal *eta_best)
{
  PetscReal loss;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++) W[i] = eta * G0[i];
  PetscCall(p->f(p->ctx, W, &loss, 0.0, NULL));
  if (loss < *best) *best = loss, *eta_best = eta;
  PetscFunctionReturn(0);
}

static PetscBool Gd1Supports(const ICLFamily *f) { return Find(f) >= 0 ? PETSC_TRUE : PETSC_FALSE; }

static PetscReal Gd1Flops(const ICLCell *cell)
{
  const PetscInt i = Find(cell->family);
  /* the gradient at 0, then one loss pass (half a gradient's flops) a grid point */
  return i >= 0 ? 0.5 * ICLMergedProblemGradFlops(cell) * (2 + Passes(table[i].F)) + ICLMergedErrorFlops(cell) : 0.0;
}

/* Per rank: the problem's B/g tasks, two d x d buffers and the evaluation's. */
static PetscReal Gd1Memory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d;
  return Find(cell->family) >= 0 ? ICLMergedProblemMemory(cell, g) + sizeof(PetscReal) * (2.0 * d * d + 4.0 * 2048 * d) : 0.0;
}

static PetscErrorCode Gd1Run(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt   row = Find(cell->family), n = cell->task.d * cell->task.d;
  PetscReal       *G0, *W, loss0, best = PETSC_MAX_REAL, eta_best = 0.0;
  ICLMergedProblem prob;

  PetscFunctionBegin;
  PetscCheck(row >= 0, PETSC_COMM_SELF, PETSC_ERR_SUP, "gd1 does not support family %s", cell->family->name);
  PetscCall(PetscCalloc2(n, &G0, n, &W));
  PetscCall(ICLMergedProblemCreate(cell, &prob));
  /* G0 = -grad L(0), the direction of the first step */
  PetscCall(prob.f(prob.ctx, W, &loss0, -1.0, G0));
  for (int j = ETA_MIN_LOG2; j <= ETA_MAX_LOG2; j++) PetscCall(TryStep(&prob, n, G0, PetscPowReal(2.0, j), W, &best, &eta_best));
  const PetscReal eta_coarse = eta_best, F = table[row].F;
  for (PetscInt i = 1; i < table[row].F && best < PETSC_MAX_REAL; i++) {
    PetscCall(TryStep(&prob, n, G0, eta_coarse * PetscPowReal(2.0, i / F), W, &best, &eta_best));
    PetscCall(TryStep(&prob, n, G0, eta_coarse * PetscPowReal(2.0, -i / F), W, &best, &eta_best));
  }
  PetscCall(ICLMergedProblemDestroy(&prob));
  res->steps      = 1;
  res->train_loss = best;
  res->flops      = Gd1Flops(cell);
  if (!(best < PETSC_MAX_REAL)) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "no finite training loss on the step-size grid"));
  } else {
    for (PetscInt i = 0; i < n; i++) W[i] = eta_best * G0[i];
    PetscCall(ICLMergedError(cell, W, res->test_error, res->test_error_se));
    res->status = ICL_STATUS_OK;
  }
  PetscCall(PetscFree2(G0, W));
  PetscFunctionReturn(0);
}

/* The cost model's efficiency (ICLModelType): one gradient and a grid of loss passes, per token. */
static PetscReal Gd1Efficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.018;
}

const ICLModelType ICLModelGd1 = {
  .name        = "gd1",
  .description = "one GD step from W = 0 with a step size grid-searched on the training loss (sphere: cross-entropy, linreg: squared loss of linear attention)",
  .supports    = Gd1Supports,
  .run         = Gd1Run,
  .flops       = Gd1Flops,
  .efficiency  = Gd1Efficiency,
  .memory      = Gd1Memory,
  .reads       = ICL_READS_TASKS,
};
