/* linear: one-layer linear attention as one merged d x d matrix W: gmm logit m^T W x_q
 * (logistic loss), linreg and distreg y_hat = x_q^T W h with h = (1/N) sum_i y_i x_i (squared
 * loss), sphere logits H W x_q (cross-entropy, multiclass_gd.h). Trained on B fixed tasks from
 * W_0 = 0 (merged_problem.h): gmm, linreg and distreg by the cell's -train_method
 * (bilinear_train.h: GD as in the MV protocol, its dual form, or TAO), sphere by GD; evaluated
 * by merged_error.h, with the diagnostics of diagnostics.h. */
#include <petscsys.h>

#include "alignment.h"
#include "bilinear_train.h"
#include "diagnostics.h"
#include "merged_error.h"
#include "merged_problem.h"
#include "model.h"
#include "sphere.h"

static PetscBool LinearSupports(const ICLFamily *f)
{
  (void)f;
  return PETSC_TRUE;
}

/* Sphere's cross-entropy GD has no dual form or TAO path (ICLGDCheckMethod). */
static PetscBool IsSphere(const ICLCell *cell) { return cell->family == &ICLFamilySphere ? PETSC_TRUE : PETSC_FALSE; }

/* sphere: ICLGDTrainCell on the cross-entropy, half a gradient's flops for the final loss;
 * otherwise the cell's -train_method on the bilinear problem. */
static PetscErrorCode Train(const ICLCell *cell, ICLMergedProblem *prob, PetscReal *W, ICLCellResult *res)
{
  ICLTrainResult train;

  PetscFunctionBegin;
  if (IsSphere(cell)) {
    PetscCall(ICLGDTrainCell(cell, prob->f, prob->ctx, W, res));
    res->flops = ICLMergedProblemGradFlops(cell) * (res->steps + 0.5);
    PetscFunctionReturn(0);
  }
  PetscCall(ICLBilinearTrain(cell, &prob->bilinear, W, &train));
  res->train_loss = train.loss, res->steps = train.steps, res->flops = train.flops;
  if (train.outcome == ICL_GD_CANCELLED) res->status = ICL_STATUS_PENDING;
  else if (train.outcome == ICL_GD_DIVERGED) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "non-finite training loss at %s %d", train.method == ICL_METHOD_TAO ? "TAO iteration" : train.method == ICL_METHOD_DUAL ? "dual-form GD step" : "GD step", (int)res->steps));
  } else res->status = ICL_STATUS_OK;
  PetscFunctionReturn(0);
}

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt   d = cell->task.d;
  PetscReal       *W;
  ICLMergedProblem prob;

  PetscFunctionBegin;
  if (IsSphere(cell)) PetscCall(ICLGDCheckMethod(cell, "linear"));
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  PetscCall(ICLMergedProblemCreate(cell, &prob));
  PetscCall(Train(cell, &prob, W, res));
  if (res->status == ICL_STATUS_OK) {
    PetscCall(ICLMergedError(cell, W, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    PetscCall(ICLTrainedWDiagnostics(cell->comm, d, prob.f, prob.ctx, W, res->singular_values, &res->gd_distance));
    res->flops += ICLMergedErrorFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, d);
  }
  PetscCall(ICLMergedProblemDestroy(&prob));
  PetscCall(PetscFree(W));
  PetscFunctionReturn(0);
}

static ICLTrainMethod LinearTrainMethod(const ICLCell *cell) { return IsSphere(cell) ? ICL_METHOD_GD : ICLBilinearTrainMethod(cell); }

static PetscReal LinearFlops(const ICLCell *cell)
{
  const PetscReal train = IsSphere(cell) ? ICLMergedProblemGradFlops(cell) * (cell->T + 0.5) : ICLBilinearTrainFlops(cell);
  return train + ICLMergedErrorFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, cell->task.d);
}

/* Per rank: training (B/g tasks each in a group of g ranks, sphere: and W), evaluation buffers
 * and the diagnostics' workspace. */
static PetscReal LinearMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d;
  const PetscReal train = IsSphere(cell) ? ICLMergedProblemMemory(cell, g) + sizeof(PetscReal) * d * d : ICLBilinearTrainMemory(cell, g);
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
  .reads       = ICL_READS_TRAINING,
};
