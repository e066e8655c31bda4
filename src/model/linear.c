/* linear: one-layer linear attention as one merged d x d matrix W: gmm logit m^T W x_q
 * (logistic loss), linreg and distreg y_hat = x_q^T W h with h = (1/N) sum_i y_i x_i (squared
 * loss), sphere logits H W x_q (cross-entropy, multiclass_gd.h). Trained on B fixed tasks from
 * W_0 = 0: gmm, linreg and distreg by the cell's -train_method (bilinear_train.h: GD as in the
 * MV protocol, its dual form, or TAO), sphere by GD; evaluated exactly (gmm, linreg) or by
 * Monte Carlo over test tokens (sphere, distreg: linear_attention.h; linreg under RAG or drift:
 * linreg_eval.h). */
#include <petscsys.h>

#include "gmm.h"
#include "gmm_accuracy.h"
#include "linreg.h"
#include "linreg_eval.h"
#include "alignment.h"
#include "bilinear_train.h"
#include "diagnostics.h"
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

/* gmm: the any-W evaluator; linreg: closed form or Monte Carlo, and sampling N tokens a task;
 * sphere, distreg: Monte Carlo over test tokens. */
static PetscReal EvalFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  if (cell->family == &ICLFamilyGmm) return ICLGmmErrorOfWFlops(cell);
  if (cell->family == &ICLFamilyLinreg) return ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * d;
  return ICLLinearAttentionErrorFlops(cell);
}

/* sphere: cross-entropy GD from W = 0 on the cell's (H_tau, x_q,tau, y_tau), 4 B d (d + C) flop
 * a step; Monte Carlo evaluation. */
static PetscErrorCode LinearSphereRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt       d = cell->task.d;
  PetscReal           *W;
  ICLMulticlassProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLGDCheckMethod(cell, "linear"));
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  PetscCall(ICLMulticlassProblemCreate(cell, &prob));
  PetscCall(ICLGDTrainCell(cell, ICLMulticlassLossGrad, &prob, W, res));
  res->flops = 4.0 * cell->B * (PetscReal)d * (d + ICLSphereClasses(&cell->task)) * (res->steps + 0.5);
  if (res->status == ICL_STATUS_OK) {
    PetscCall(ICLLinearAttentionError(cell, W, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    PetscCall(ICLTrainedWDiagnostics(cell->comm, d, ICLMulticlassLossGrad, &prob, W, res->singular_values, &res->gd_distance));
    res->flops += EvalFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, d);
  }
  PetscCall(ICLMulticlassProblemDestroy(&prob));
  PetscCall(PetscFree(W));
  PetscFunctionReturn(0);
}

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt     d = cell->task.d, B = cell->B;
  const PetscBool    gmm = cell->family == &ICLFamilyGmm ? PETSC_TRUE : PETSC_FALSE;
  PetscReal         *Mt, *Vt, *work, *W, *grad = NULL, *y = NULL, *tokens = NULL;
  ICLTrainResult     train;
  ICLBilinearProblem prob;
  PetscMPIInt        rank, size;

  PetscFunctionBegin;
  if (cell->family == &ICLFamilySphere) PetscFunctionReturn(LinearSphereRun(cell, res));
  /* A group splits the training tasks by rows; task tau's draws are keyed by tau alone. */
  PetscCallMPI(MPI_Comm_rank(cell->comm, &rank));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  const PetscInt b0 = (PetscInt)((PetscInt64)B * rank / size), nb = (PetscInt)((PetscInt64)B * (rank + 1) / size) - b0;
  PetscCall(PetscMalloc3((size_t)nb * d, &Mt, (size_t)nb * d, &Vt, (size_t)nb * d, &work));
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &grad));
  if (!gmm) PetscCall(PetscMalloc2(PetscMax(nb, 1), &y, (size_t)cell->N * (d + 1), &tokens));
  for (PetscInt t = 0; t < nb; t++) PetscCall(SampleTask(cell, b0 + t, Mt + (size_t)t * d, Vt + (size_t)t * d, y ? y + t : NULL, tokens));
  prob = (ICLBilinearProblem){.comm = cell->comm, .loss = gmm ? ICL_LOSS_LOGISTIC : ICL_LOSS_SQUARED, .B = B, .B_local = nb, .d = d, .cancel = cell->cancel, .Mt = Mt, .Vt = Vt, .target = y, .work = work, .grad = grad};
  PetscCall(ICLBilinearTrain(cell, &prob, W, &train));
  res->train_loss = train.loss, res->steps = train.steps, res->flops = train.flops;
  if (train.outcome == ICL_GD_CANCELLED) res->status = ICL_STATUS_PENDING;
  else if (train.outcome == ICL_GD_DIVERGED) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "non-finite training loss at %s %d", train.method == ICL_METHOD_TAO ? "TAO iteration" : train.method == ICL_METHOD_KERNEL ? "dual-form GD step" : "GD step", (int)res->steps));
  } else {
    if (gmm) PetscCall(ICLGmmErrorOfW(cell, W, res->test_error, res->test_error_se));
    else if (cell->family == &ICLFamilyLinreg) PetscCall(ICLLinregErrorOfW(cell, W, NULL, res->test_error, res->test_error_se));
    else PetscCall(ICLLinearAttentionError(cell, W, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    PetscCall(ICLTrainedWDiagnostics(cell->comm, d, ICLBilinearLossGradCtx, &prob, W, res->singular_values, &res->gd_distance));
    res->flops += EvalFlops(cell) + ICLTrainedWDiagnosticsFlops(B, d);
    res->status = ICL_STATUS_OK;
  }
  PetscCall(PetscFree3(Mt, Vt, work));
  PetscCall(PetscFree(W));
  PetscCall(PetscFree(grad));
  PetscCall(PetscFree2(y, tokens));
  PetscFunctionReturn(0);
}

/* Sphere's cross-entropy GD has no dual form or TAO path (ICLGDCheckMethod). */
static PetscBool IsSphere(const ICLCell *cell) { return cell->family == &ICLFamilySphere ? PETSC_TRUE : PETSC_FALSE; }

static ICLTrainMethod LinearTrainMethod(const ICLCell *cell) { return IsSphere(cell) ? ICL_METHOD_GD : ICLBilinearTrainMethod(cell); }

static PetscReal LinearFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, train = IsSphere(cell) ? 4.0 * cell->B * d * (d + ICLSphereClasses(&cell->task)) * (cell->T + 0.5) : ICLBilinearTrainFlops(cell);
  return train + EvalFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, cell->task.d);
}

/* Per rank: training (B/g tasks each in a group of g ranks; a sphere task is H_tau (C x d),
 * x_q and scratch) and evaluation buffers. */
static PetscReal LinearMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, C = IsSphere(cell) ? ICLSphereClasses(&cell->task) : 0;
  const PetscReal train = IsSphere(cell) ? sizeof(PetscReal) * ((2.0 + C) * cell->B / g * d + (g > 1 ? 2 : 1) * d * d) : ICLBilinearTrainMemory(cell, g);
  return train + sizeof(PetscReal) * 4.0 * 2048 * d + ICLTrainedWDiagnosticsMemory(cell->task.d, g);
}

const ICLModelType ICLModelLinear = {
  .name         = "linear",
  .description  = "merged linear attention W (d x d), trained from W = 0 by -train_method (full-batch GD, its dual form, or TAO; sphere: GD on the cross-entropy of H W x_q)",
  .supports     = LinearSupports,
  .run          = LinearRun,
  .flops        = LinearFlops,
  .memory       = LinearMemory,
  .train_method = LinearTrainMethod,
};
