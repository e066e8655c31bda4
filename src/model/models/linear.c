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
#include "dual_gd.h"
#include "gram_accuracy.h"
#include "gram_engine.h"
#include "merged_error.h"
#include "merged_problem.h"
#include "model.h"
#include "sphere.h"

/* single-precision training has no multiclass path; the gram engine draws gmm only */
static const char *LinearParams(const ICLFamily *f) { return f == &ICLFamilyGmm ? "train_precision,engine" : f->kind == ICL_OUTPUT_CLASS ? NULL : "train_precision"; }

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
  PetscCall(ICLTrainOutcomeApply(train.outcome, train.method->step, res));
  PetscFunctionReturn(0);
}

static PetscReal ExplicitFlops(const ICLCell *cell)
{
  const PetscReal train = ICLCellMulticlass(cell) ? ICLMergedProblemGradFlops(cell) * (cell->T + 0.5) : ICLBilinearTrainFlops(cell);
  return train + ICLMergedErrorFlops(cell) + ICLTrainedWDiagnosticsFlops(cell->B, cell->task.d);
}

/* -engine: gram for gmm only (docs/engines.md); auto takes it where the cost model says it is
 * cheaper, which is where d - k exceeds B (the reduced cell is the same computation in a
 * smaller dimension), so sweeps with d <= B + k run explicit as before. A gram cell whose
 * reduced W would not fit runs W-free (ICLGramWFree), as -engine wfree asks for. */
static ICLEngine LinearEngine(const ICLCell *cell)
{
  ICLCell reduced;

  if (cell->family != &ICLFamilyGmm || cell->engine == ICL_ENGINE_EXPLICIT) return ICL_ENGINE_EXPLICIT;
  if (cell->engine == ICL_ENGINE_AUTO) {
    ICLGramCell(cell, &reduced);
    if (!(ExplicitFlops(&reduced) < ExplicitFlops(cell))) return ICL_ENGINE_EXPLICIT;
  }
  return ICLGramWFree(cell) ? ICL_ENGINE_WFREE : ICL_ENGINE_GRAM;
}

/* The cell the explicit pipeline runs: the cell itself, or its Gram-space reduction. */
static const ICLCell *RunCell(const ICLCell *cell, ICLCell *reduced)
{
  if (LinearEngine(cell) == ICL_ENGINE_EXPLICIT) return cell;
  ICLGramCell(cell, reduced);
  return reduced;
}

/* Test error, alignment and diagnostics of the trained W, in the dimension run the engine
 * works in (cell's, or the reduced one), and their flops. W1: the problem's one-step-GD W
 * when several W share it (NULL: formed here). */
static PetscErrorCode Evaluate(const ICLCell *cell, const ICLCell *run, const ICLMergedProblem *prob, const PetscReal *W, const PetscReal *W1, ICLCellResult *res)
{
  const PetscInt d = run->task.d;

  PetscFunctionBegin;
  PetscCall(ICLMergedError(run, W, res->test_error, res->test_error_se));
  PetscCall(ICLSubspaceAlignment(d, run->task.k, run->task.U, W, &res->alignment));
  if (W1) PetscCall(ICLTrainedWDiagnosticsFrom(run->comm, d, W, W1, res->singular_values, &res->gd_distance));
  else PetscCall(ICLTrainedWDiagnostics(run->comm, d, prob->f, prob->ctx, W, res->singular_values, &res->gd_distance));
  /* W has rank <= B < D: past the reduced dimension its singular values are zero, as in d */
  for (PetscInt i = d; i < PetscMin(cell->task.d, ICL_NUM_SV); i++) res->singular_values[i] = 0.0;
  res->flops += ICLMergedErrorFlops(run) + ICLTrainedWDiagnosticsFlops(run->B, d);
  PetscFunctionReturn(0);
}

/* The cell's training problem in the engine's dimension. */
static PetscErrorCode ProblemCreate(const ICLCell *cell, const ICLCell *run, ICLMergedProblem *prob)
{
  PetscFunctionBegin;
  if (run == cell) PetscCall(ICLMergedProblemCreate(cell, prob));
  else PetscCall(ICLGramProblemCreate(cell, prob));
  PetscFunctionReturn(0);
}

static PetscErrorCode LinearRunShared(const ICLCell *cells, PetscInt n, ICLCellResult *res);

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  ICLCell          reduced;
  const ICLCell   *run = RunCell(cell, &reduced);
  const PetscInt   d   = run->task.d;
  PetscReal       *W;
  ICLMergedProblem prob;

  PetscFunctionBegin;
  if (LinearEngine(cell) == ICL_ENGINE_WFREE) { /* W-free runs by checkpoints only: one here */
    PetscCall(LinearRunShared(cell, 1, res));
    PetscFunctionReturn(0);
  }
  if (ICLCellMulticlass(cell)) PetscCall(ICLTrainMethodCheckGD(cell, "linear"));
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  PetscCall(ProblemCreate(cell, run, &prob));
  PetscCall(Train(run, &prob, W, res));
  if (res->status == ICL_STATUS_OK) PetscCall(Evaluate(cell, run, &prob, W, NULL, res));
  PetscCall(ICLMergedProblemDestroy(&prob));
  PetscCall(PetscFree(W));
  PetscFunctionReturn(0);
}

/* Shared training (docs/budget.md): gmm, linreg and distreg cells that differ only in T (gd,
 * dual) or in T and eta (dual) train once, when the engine and the resolved method agree. */
static unsigned LinearShare(const ICLCell *cell, PetscInt *klass)
{
  ICLCell         reduced;
  const ICLCell  *run   = RunCell(cell, &reduced);
  const PetscBool wfree = LinearEngine(cell) == ICL_ENGINE_WFREE;
  *klass                = 2 + ICLTrainMethodIndex(ICLTrainMethodResolve(run)) + 2 * ICL_MAX_TRAIN_METHODS * (run != cell) + 4 * ICL_MAX_TRAIN_METHODS * wfree;
  if (wfree) return ICL_SHARE_STEPS | ICL_SHARE_LR; /* the dual form's */
  return ICLCellMulticlass(cell) ? 0 : ICLBilinearTrainShares(run);
}

/* The cells' step sizes (distinct, in order of first appearance) and, per step size, its
 * cells by ascending T: cell order[first[l] + i] is checkpoint i of step size l. */
typedef struct {
  PetscInt   L, *first, *order, *T;
  PetscReal *lr;
} Schedule;

static PetscErrorCode ScheduleCreate(const ICLCell *cells, PetscInt n, Schedule *s)
{
  PetscInt *key;

  PetscFunctionBegin;
  s->L = 0;
  PetscCall(PetscMalloc4(n + 1, &s->first, n, &s->order, n, &s->T, n, &s->lr));
  PetscCall(PetscMalloc1(n, &key));
  for (PetscInt j = 0; j < n; j++) {
    PetscInt l = 0;
    while (l < s->L && s->lr[l] != cells[j].lr) l++;
    if (l == s->L) s->lr[s->L++] = cells[j].lr;
    key[j] = l, s->order[j] = j;
  }
  /* by step size, then T: n is at most a unit's size, and sorting a key of both is simplest */
  for (PetscInt j = 1; j < n; j++)
    for (PetscInt i = j; i > 0; i--) {
      const PetscInt a = s->order[i - 1], b = s->order[i];
      if (key[a] < key[b] || (key[a] == key[b] && cells[a].T <= cells[b].T)) break;
      s->order[i - 1] = b, s->order[i] = a;
    }
  for (PetscInt l = 0, j = 0; l <= s->L; l++) {
    while (j < n && key[s->order[j]] < l) j++;
    s->first[l] = j;
  }
  for (PetscInt j = 0; j < n; j++) s->T[j] = cells[s->order[j]].T;
  PetscCall(PetscFree(key));
  PetscFunctionReturn(0);
}

static PetscErrorCode ScheduleDestroy(Schedule *s)
{
  PetscFunctionBegin;
  PetscCall(PetscFree4(s->first, s->order, s->T, s->lr));
  PetscFunctionReturn(0);
}

/* What a checkpoint of step size l needs to fill its cell's result. */
typedef struct {
  const ICLCell          *cells;
  ICLCellResult          *res;
  const ICLMergedProblem *prob;
  const PetscReal        *W1; /* the problem's one-step GD, for every checkpoint's diagnostics */
  const ICLGramWFreeProblem *wfree; /* W-free: the tasks evaluation reads */
  const Schedule         *s;
  PetscInt                l;
} Checkpoint;

static PetscErrorCode AtCheckpoint(void *ctx, PetscInt i, const PetscReal *W, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  const Checkpoint *c    = ctx;
  const PetscInt    j    = c->s->order[c->s->first[c->l] + i];
  const ICLCell    *cell = &c->cells[j];
  ICLCellResult    *res  = &c->res[j];
  ICLCell           reduced;
  const ICLCell    *run = RunCell(cell, &reduced);

  PetscFunctionBegin;
  res->train_loss = loss, res->steps = steps;
  res->flops      = ICLBilinearTrainStepsFlops(run, &c->prob->bilinear, steps);
  PetscCall(ICLTrainOutcomeApply(outcome, ICLTrainMethodResolve(run)->step, res));
  if (res->status == ICL_STATUS_OK) PetscCall(Evaluate(cell, run, c->prob, W, c->W1, res));
  PetscFunctionReturn(0);
}

/* The W-free checkpoint: test error and alignment from alpha; the singular values and the
 * distance to one-step GD need W and stay NaN (docs/engines.md). */
static PetscErrorCode AtAlpha(void *ctx, PetscInt i, const PetscReal *alpha, const PetscReal *s, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  const Checkpoint          *c    = ctx;
  const PetscInt             j    = c->s->order[c->s->first[c->l] + i];
  const ICLGramWFreeProblem *w    = c->wfree;
  const ICLCell             *cell = &c->cells[j];
  ICLCellResult             *res  = &c->res[j];
  ICLCell                    reduced;

  PetscFunctionBegin;
  ICLGramCell(cell, &reduced);
  res->train_loss = loss, res->steps = steps;
  res->flops      = ICLGramWFreeFlops(cell, 1, steps, 1);
  PetscCall(ICLTrainOutcomeApply(outcome, ICLTrainMethodFind("dual")->step, res));
  if (res->status != ICL_STATUS_OK) PetscFunctionReturn(0);
  PetscCall(ICLGramErrorOfAlpha(&reduced, &w->p, w->first, alpha, res->test_error, res->test_error_se));
  PetscCall(ICLGramAlignmentOfAlpha(&reduced, &w->p, w->first, alpha, s, &res->alignment));
  PetscFunctionReturn(0);
}

static PetscErrorCode LinearRunShared(const ICLCell *cells, PetscInt n, ICLCellResult *res)
{
  ICLCell             reduced;
  const ICLCell      *run   = RunCell(&cells[0], &reduced);
  const PetscBool     wfree = LinearEngine(&cells[0]) == ICL_ENGINE_WFREE;
  const size_t        dd    = wfree ? 0 : (size_t)run->task.d * run->task.d;
  PetscReal          *W, *W1;
  ICLMergedProblem    prob = {0};
  ICLGramWFreeProblem wp   = {0};
  Schedule            s;
  Checkpoint         *ctx;
  ICLCheckpoints     *cp;
  ICLLossHistory    **history; /* in schedule order, as the checkpoints are */

  PetscFunctionBegin;
  PetscCall(ScheduleCreate(cells, n, &s));
  PetscCall(PetscMalloc5(dd, &W, dd, &W1, s.L, &ctx, s.L, &cp, n, &history));
  for (PetscInt j = 0; j < n; j++) history[j] = cells[s.order[j]].history;
  if (wfree) PetscCall(ICLGramWFreeProblemCreate(&cells[0], &wp));
  else {
    PetscCall(ProblemCreate(&cells[0], run, &prob));
    PetscCall(ICLFirstGDStep(run->task.d, prob.f, prob.ctx, W1));
  }
  for (PetscInt l = 0; l < s.L; l++) {
    ctx[l] = (Checkpoint){.cells = cells, .res = res, .prob = &prob, .W1 = W1, .wfree = &wp, .s = &s, .l = l};
    cp[l]  = (ICLCheckpoints){.n = s.first[l + 1] - s.first[l], .T = s.T + s.first[l], .at = AtCheckpoint, .ctx = &ctx[l], .history = history + s.first[l], .at_alpha = wfree ? AtAlpha : NULL};
  }
  if (wfree) {
    PetscCall(ICLDualGDCheckpoints(&wp.p, ICL_PRECISION_DOUBLE, s.L, s.lr, cp, NULL));
    PetscCall(ICLGramWFreeProblemDestroy(&wp));
  } else {
    PetscCall(ICLBilinearTrainShared(run, &prob.bilinear, s.L, s.lr, cp, W));
    PetscCall(ICLMergedProblemDestroy(&prob));
  }
  PetscCall(PetscFree5(W, W1, ctx, cp, history));
  PetscCall(ScheduleDestroy(&s));
  PetscFunctionReturn(0);
}

static PetscReal LinearFlopsShared(const ICLCell *cells, PetscInt n)
{
  ICLCell        reduced;
  const ICLCell *run = NULL;
  PetscInt       L = 0, T_max = 0;
  PetscInt       B = 0, d = 0;
  PetscReal      flops = 0;

  for (PetscInt j = 0; j < n; j++) {
    PetscInt first = 1; /* the first cell of its step size */
    for (PetscInt i = 0; i < j; i++) first = first && cells[i].lr != cells[j].lr;
    L += first;
    T_max = PetscMax(T_max, cells[j].T);
    run   = RunCell(&cells[j], &reduced);
    B = run->B, d = run->task.d;
    flops += ICLMergedErrorFlops(run) + ICLTrainedWDiagnosticsFlops(run->B, run->task.d);
  }
  if (LinearEngine(&cells[0]) == ICL_ENGINE_WFREE) return ICLGramWFreeFlops(&cells[0], L, T_max, n);
  /* one W_1 for all: the diagnostics' gradient at 0 is formed once */
  return flops - (n - 1) * (ICLTrainedWDiagnosticsFlops(B, d) - ICLTrainedWDiagnosticsFlops(0, d)) + ICLBilinearTrainSharedFlops(run, L, T_max, n);
}

static const ICLTrainMethodType *LinearTrainMethod(const ICLCell *cell)
{
  ICLCell reduced;
  if (LinearEngine(cell) == ICL_ENGINE_WFREE) return ICLTrainMethodFind("dual");
  return ICLCellMulticlass(cell) ? ICLTrainMethodFind("gd") : ICLTrainMethodResolve(RunCell(cell, &reduced));
}

static PetscReal LinearFlops(const ICLCell *cell)
{
  ICLCell reduced;
  if (LinearEngine(cell) == ICL_ENGINE_WFREE) return ICLGramWFreeFlops(cell, 1, cell->T, 1);
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
  ICLCell reduced;
  if (LinearEngine(cell) == ICL_ENGINE_WFREE) return ICLGramWFreeMemory(cell, g); /* the whole W-free path */
  const ICLCell  *run   = RunCell(cell, &reduced);
  const PetscReal d     = run->task.d;
  const PetscReal train = ICLCellMulticlass(run) ? ICLMergedProblemMemory(run, g) + sizeof(PetscReal) * d * d : ICLBilinearTrainMemory(run, g);
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
  .reads        = ICL_READS_TRAINING,
  .share        = LinearShare,
  .run_shared   = LinearRunShared,
  .flops_shared = LinearFlopsShared,
  .params       = LinearParams,
};
