/* linear: one-layer linear attention as one merged d x d matrix W: gmm logit m^T W x_q
 * (logistic loss), linreg and distreg y_hat = x_q^T W h with h = (1/N) sum_i y_i x_i (squared
 * loss), sphere logits H W x_q (cross-entropy, multiclass_gd.h). Trained by full-batch GD on
 * B fixed tasks from W_0 = 0 (MV protocol); evaluated exactly (gmm, linreg) or by Monte Carlo
 * over test tokens (sphere, distreg). */
#include <petscsys.h>
#include <petscblaslapack.h>

#include "gmm.h"
#include "gmm_accuracy.h"
#include "linreg.h"
#include "linreg_risk.h"
#include "alignment.h"
#include "bilinear_gd.h"
#include "linear_attention.h"
#include "model.h"
#include "multiclass_gd.h"
#include "sphere.h"

static PetscBool LinearSupports(const ICLFamily *f)
{
  (void)f;
  return PETSC_TRUE;
}

/* Training task tau as (a, b[, y]): gmm (m, v); linreg, distreg (x_q, h, y_q) from explicit tokens. */
static PetscErrorCode SampleTask(const ICLCell *cell, PetscInt tau, PetscReal *a, PetscReal *b, PetscReal *y, PetscReal *tokens)
{
  PetscFunctionBegin;
  if (cell->family == &ICLFamilyGmm) ICLGmmTrainPair(&cell->task, (int)cell->N, (uint64_t)tau, a, b);
  else {
    const int N = (int)cell->N, d = cell->task.d;
    PetscCheck(cell->family->tokens(&cell->task, N, ICL_PURPOSE_TASK, (uint64_t)tau, tokens, tokens + (size_t)N * d, a, y) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid %s options", cell->family->name);
    ICLLinregStat(d, N, tokens, tokens + (size_t)N * d, b);
  }
  PetscFunctionReturn(0);
}

/* linreg: exact risk at every M of the normalized predictor, i.e. of x_q^T (W/M) X^T y. */
static PetscErrorCode LinregError(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  const PetscInt d = cell->task.d;
  ICLTaskParams  test = cell->task;
  PetscReal     *Sx, *Sb, *Wm;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  PetscCall(PetscMalloc3((size_t)d * d, &Sx, (size_t)d * d, &Sb, (size_t)d * d, &Wm));
  PetscCall(ICLLinregCovariances(&test, Sx, Sb));
  for (PetscInt a = 0; a < cell->nM; a++) {
    for (PetscInt i = 0; i < d * d; i++) Wm[i] = W[i] / cell->M[a];
    PetscCall(ICLLinregRisk(d, Sx, Sb, test.sigma * test.sigma, cell->M[a], Wm, &err[a]));
    se[a] = 0.0;
  }
  PetscCall(PetscFree3(Sx, Sb, Wm));
  PetscFunctionReturn(0);
}

/* gmm: the any-W evaluator; linreg: a d x d closed form per M, and sampling N tokens a task;
 * sphere, distreg: test tokens and three matrix-vector products a test task. */
static PetscReal EvalFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  if (cell->family == &ICLFamilyGmm) return ICLGmmErrorOfWFlops(cell);
  if (cell->family == &ICLFamilyLinreg) return 6.0 * cell->nM * d * d * d + 2.0 * cell->B * cell->N * d;
  return ICLLinearAttentionErrorFlops(cell);
}

/* Flops of GD: 4 B d^2 a step, and 4 B C d more for the C sphere logits. */
static PetscReal TrainFlops(const ICLCell *cell, PetscReal steps)
{
  const PetscReal d = cell->task.d, C = cell->family == &ICLFamilySphere ? ICLSphereClasses(&cell->task) : 0;
  return (4.0 * cell->B * d * (d + C)) * (steps + 0.5);
}

/* sphere: cross-entropy GD on (H_tau, x_q,tau, y_tau) from W = 0. */
static PetscErrorCode TrainMulticlass(const ICLCell *cell, PetscReal *W, ICLCellResult *res, ICLGDOutcome *outcome)
{
  ICLMulticlassProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLMulticlassProblemCreate(cell, &prob));
  PetscCall(ICLGradientDescent(cell->comm, cell->cancel, ICLMulticlassLossGrad, &prob, cell->T, cell->lr, W, &res->train_loss, &res->steps, outcome));
  PetscCall(ICLMulticlassProblemDestroy(&prob));
  PetscFunctionReturn(0);
}

/* gmm, linreg, distreg: GD on the bilinear form a_tau^T W b_tau from W = 0. */
static PetscErrorCode TrainBilinear(const ICLCell *cell, PetscReal *W, ICLCellResult *res, ICLGDOutcome *outcome)
{
  const PetscInt     d = cell->task.d, B = cell->B;
  const PetscBool    gmm = cell->family == &ICLFamilyGmm ? PETSC_TRUE : PETSC_FALSE;
  PetscReal         *Mt, *Vt, *work, *grad = NULL, *y = NULL, *tokens = NULL;
  ICLBilinearProblem prob;
  PetscInt           b0, nb;
  PetscMPIInt        size;

  PetscFunctionBegin;
  /* A group splits the training tasks by rows; task tau's draws are keyed by tau alone. */
  PetscCall(ICLGroupShare(cell->comm, B, &b0, &nb));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  PetscCall(PetscMalloc3((size_t)nb * d, &Mt, (size_t)nb * d, &Vt, (size_t)nb * d, &work));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &grad));
  if (!gmm) PetscCall(PetscMalloc2(PetscMax(nb, 1), &y, (size_t)cell->N * (d + 1), &tokens));
  for (PetscInt t = 0; t < nb; t++) PetscCall(SampleTask(cell, b0 + t, Mt + (size_t)t * d, Vt + (size_t)t * d, y ? y + t : NULL, tokens));
  prob = (ICLBilinearProblem){.comm = cell->comm, .loss = gmm ? ICL_LOSS_LOGISTIC : ICL_LOSS_SQUARED, .B = B, .B_local = nb, .d = d, .cancel = cell->cancel, .Mt = Mt, .Vt = Vt, .target = y, .work = work, .grad = grad};
  PetscCall(ICLBilinearGD(&prob, cell->T, cell->lr, W, &res->train_loss, &res->steps, outcome));
  PetscCall(PetscFree3(Mt, Vt, work));
  PetscCall(PetscFree(grad));
  PetscCall(PetscFree2(y, tokens));
  PetscFunctionReturn(0);
}

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt d = cell->task.d;
  PetscReal     *W;
  ICLGDOutcome   outcome;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  if (cell->family == &ICLFamilySphere) PetscCall(TrainMulticlass(cell, W, res, &outcome));
  else PetscCall(TrainBilinear(cell, W, res, &outcome));
  res->flops = TrainFlops(cell, res->steps);
  PetscCall(ICLGDSetStatus(outcome, res->steps, res));
  if (res->status == ICL_STATUS_OK) {
    if (cell->family == &ICLFamilyGmm) PetscCall(ICLGmmErrorOfW(cell, W, res->test_error, res->test_error_se));
    else if (cell->family == &ICLFamilyLinreg) PetscCall(LinregError(cell, W, res->test_error, res->test_error_se));
    else PetscCall(ICLLinearAttentionError(cell, W, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    res->flops += EvalFlops(cell);
  }
  PetscCall(PetscFree(W));
  PetscFunctionReturn(0);
}

static PetscReal LinearFlops(const ICLCell *cell)
{
  return TrainFlops(cell, cell->T) + EvalFlops(cell);
}

/* Per rank: a group of g ranks holds B/g training tasks each (and one more d x d buffer);
 * a sphere task is H_tau (C x d), x_q and scratch. */
static PetscReal LinearMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, C = cell->family == &ICLFamilySphere ? ICLSphereClasses(&cell->task) : 1;
  return sizeof(PetscReal) * ((2.0 + C) * cell->B / g * d + (g > 1 ? 2 : 1) * d * d + 4.0 * 2048 * d);
}

const ICLModelType ICLModelLinear = {
  .name        = "linear",
  .description = "merged linear attention W (d x d), trained by full-batch GD from W = 0 (sphere: cross-entropy on H W x_q)",
  .supports    = LinearSupports,
  .run         = LinearRun,
  .flops       = LinearFlops,
  .memory      = LinearMemory,
};
