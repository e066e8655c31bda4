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
#include "gmm.h"
#include "gram_engine.h"
#include "merged_error.h"
#include "merged_problem.h"
#include "model.h"
#include "sphere.h"

static PetscBool LinearSupports(const ICLFamily *f)
{
  (void)f;
  return PETSC_TRUE;
}

/* sphere: ICLGDTrainCell on the cross-entropy, half a gradient's flops for the final loss;
 * otherwise the cell's -train_method on the bilinear problem. */
static PetscErrorCode Train(const ICLCell *cell, ICLMergedProblem *prob, PetscReal *W, ICLCellResult *res)
{
  ICLTrainResult train;

  PetscFunctionBegin;
  if (ICLCellMulticlass(cell)) {
    PetscCall(ICLGDTrainCell(cell, prob->f, prob->ctx, W, res));
    res->flops = ICLMergedProblemGradFlops(cell) * (res->steps + 0.5);
    PetscFunctionReturn(0);
  }
  PetscCall(ICLBilinearTrain(cell, &prob->bilinear, W, &train));
  res->train_loss = train.loss, res->steps = train.steps, res->flops = train.flops;
  PetscCall(ICLTrainOutcomeApply(train.outcome, train.method == ICL_METHOD_TAO ? "TAO iteration" : train.method == ICL_METHOD_DUAL ? "dual-form GD step" : "GD step", res));
  PetscFunctionReturn(0);
}

static PetscReal ExplicitFlops(const ICLCell *cell)
{
  const PetscReal train = ICLCellMulticlass(cell) ? ICLMergedProblemGradFlops(cell) * (cell->T + 0.5) : ICLBilinearTrainFlops(cell);
  return train + ICLMergedErrorFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, cell->task.d);
}

/* -engine: gram for gmm only (docs/engines.md); auto takes it where the cost model says it is
 * cheaper, which is where d - k exceeds B (the reduced cell is the same computation in a
 * smaller dimension), so sweeps with d <= B + k run explicit as before. */
static ICLEngine LinearEngine(const ICLCell *cell)
{
  ICLCell reduced;

  if (cell->family != &ICLFamilyGmm || cell->engine == ICL_ENGINE_EXPLICIT) return ICL_ENGINE_EXPLICIT;
  if (cell->engine == ICL_ENGINE_GRAM) return ICL_ENGINE_GRAM;
  ICLGramCell(cell, &reduced);
  return ExplicitFlops(&reduced) < ExplicitFlops(cell) ? ICL_ENGINE_GRAM : ICL_ENGINE_EXPLICIT;
}

/* The cell the explicit pipeline runs: the cell itself, or its Gram-space reduction. */
static const ICLCell *RunCell(const ICLCell *cell, ICLCell *reduced)
{
  if (LinearEngine(cell) == ICL_ENGINE_EXPLICIT) return cell;
  ICLGramCell(cell, reduced);
  return reduced;
}

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  ICLCell          reduced;
  const ICLCell   *run = RunCell(cell, &reduced);
  const PetscInt   d   = run->task.d;
  PetscReal       *W;
  ICLMergedProblem prob;

  PetscFunctionBegin;
  if (ICLCellMulticlass(cell)) PetscCall(ICLGDCheckMethod(cell, "linear"));
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  if (run == cell) PetscCall(ICLMergedProblemCreate(cell, &prob));
  else PetscCall(ICLGramProblemCreate(cell, &prob));
  PetscCall(Train(run, &prob, W, res));
  if (res->status == ICL_STATUS_OK) {
    PetscCall(ICLMergedError(run, W, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, run->task.k, run->task.U, W, &res->alignment));
    PetscCall(ICLTrainedWDiagnostics(run->comm, d, prob.f, prob.ctx, W, res->singular_values, &res->gd_distance));
    /* W has rank <= B < D: past the reduced dimension its singular values are zero, as in d */
    for (PetscInt i = d; i < PetscMin(cell->task.d, ICL_NUM_SV); i++) res->singular_values[i] = 0.0;
    res->flops += ICLMergedErrorFlops(run) + ICLTrainedWDiagnosticsFlops(run->B, d);
  }
  PetscCall(ICLMergedProblemDestroy(&prob));
  PetscCall(PetscFree(W));
  PetscFunctionReturn(0);
}

static ICLTrainMethod LinearTrainMethod(const ICLCell *cell)
{
  ICLCell reduced;
  return ICLCellMulticlass(cell) ? ICL_METHOD_GD : ICLBilinearTrainMethod(RunCell(cell, &reduced));
}

static PetscReal LinearFlops(const ICLCell *cell)
{
  ICLCell reduced;
  return ExplicitFlops(RunCell(cell, &reduced));
}

/* The cost model's efficiency (ICLModelType). sphere and distreg train on tokens: per-token
 * loops over d-vectors. gmm and linreg run GEMMs on task stacks, at plan's rate from d = 32 on
 * (faster at hundreds); below, calls on d-vectors leave overheads dominant. */
static PetscReal LinearEfficiency(const ICLCell *cell)
{
  ICLCell        reduced;
  const ICLCell *run = RunCell(cell, &reduced);
  if (ICLCellMulticlass(run) || !strcmp(run->family->name, "distreg")) return 0.085;
  return PetscMin(1.0, run->task.d / 32.0);
}

/* Per rank: training (B/g tasks each in a group of g ranks, sphere: and W), evaluation buffers
 * and the diagnostics' workspace, in the dimension the engine runs. */
static PetscReal LinearMemory(const ICLCell *cell, PetscInt g)
{
  ICLCell          reduced;
  const ICLCell   *run   = RunCell(cell, &reduced);
  const PetscReal  d     = run->task.d;
  const PetscReal  train = ICLCellMulticlass(run) ? ICLMergedProblemMemory(run, g) + sizeof(PetscReal) * d * d : ICLBilinearTrainMemory(run, g);
  return train + sizeof(PetscReal) * 4.0 * 2048 * d + ICLTrainedWDiagnosticsMemory(run->task.d, g);
}

const ICLModelType ICLModelLinear = {
  .name         = "linear",
  .description  = "merged linear attention W (d x d), trained from W = 0 by -train_method (full-batch GD, its dual form, or TAO; sphere: GD on the cross-entropy of H W x_q)",
  .supports     = LinearSupports,
  .run          = LinearRun,
  .flops        = LinearFlops,
  .efficiency   = LinearEfficiency,
  .memory       = LinearMemory,
  .train_method = LinearTrainMethod,
  .engine       = LinearEngine,
  .reads       = ICL_READS_TRAINING,
};
