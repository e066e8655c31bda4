/* softmax: one-layer softmax attention, out = c sum_i y_i softmax_i(x_i^T A x_q) (docs/models.md,
 * DSS), with learned A (d x d) and scalar c, on gmm (out is the score), sphere (out are the
 * class logits) and distreg (out is y_hat). Trained by full-batch GD with -train_lr for
 * -train_steps on B training tasks drawn once as tokens (softmax_gd.h), from A = 0, c = 1:
 * A = 0 gives uniform attention (out = c times the context's mean label, the model that knows
 * nothing of the query), and c = 1 keeps that output on the scale of the labels; on sphere with
 * balanced contexts the first step from A = 0 is exactly c times the linear model's first
 * step (test_dss.c). Evaluated by
 * Monte Carlo over the shared test tasks. */
#include "gmm.h"
#include "mc_eval.h"
#include "softmax_attention.h"
#include "softmax_gd.h"
#include "sphere.h"
#include "distreg.h"

static const PetscReal c_init = 1.0;

static PetscBool SoftmaxSupports(const ICLFamily *f) { return f == &ICLFamilyGmm || f == &ICLFamilySphere || f == &ICLFamilyDistreg ? PETSC_TRUE : PETSC_FALSE; }

typedef struct {
  PetscInt         d, C;
  const PetscReal *theta; /* (A, c) */
} Predictor;

static PetscErrorCode Predict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  const Predictor *pr = (const Predictor *)ctx;

  PetscFunctionBegin;
  ICLSoftmaxAttention(pr->d, M, pr->C, X, Y, xq, pr->theta, pr->theta[pr->d * pr->d], out);
  PetscFunctionReturn(0);
}

/* One pass over one task of M tokens, forward only (evaluation) or forward and backward. */
static PetscReal TaskFlops(PetscReal d, PetscReal M, PetscReal C, PetscBool backward) { return backward ? 4.0 * d * d + 4.0 * M * (d + C) + 8.0 * M : 2.0 * d * d + 2.0 * M * (d + C) + 4.0 * M; }

/* Drawing the B training tasks' tokens (about 10 flop a number, as ICLMonteCarloSampleFlops),
 * T + 1 gradient passes, and the Monte Carlo evaluation. */
static PetscReal SoftmaxFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  PetscReal       flops = 10.0 * cell->B * (cell->N + 1) * d + cell->B * (cell->T + 1) * TaskFlops(d, cell->N, C, PETSC_TRUE) + ICLMonteCarloSampleFlops(cell);
  for (PetscInt a = 0; a < cell->nM; a++) flops += cell->eval_tasks * TaskFlops(d, cell->M[a], C, PETSC_FALSE);
  return flops;
}

static PetscErrorCode SoftmaxRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt    d = cell->task.d;
  PetscReal        *theta;
  ICLSoftmaxProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLGDCheckMethod(cell, "softmax"));
  PetscCall(PetscCalloc1((size_t)d * d + 1, &theta));
  theta[d * d] = c_init;
  PetscCall(ICLSoftmaxProblemCreate(cell, &prob));
  PetscCall(ICLGDTrainCell(cell, ICLSoftmaxLossGrad, &prob, theta, res));
  PetscCall(ICLSoftmaxProblemDestroy(&prob));
  res->flops = SoftmaxFlops(cell);
  if (res->status == ICL_STATUS_OK) {
    Predictor pr = {.d = d, .C = cell->family->outputs(&cell->task), .theta = theta};
    PetscCall(ICLMonteCarloError(cell, Predict, &pr, res->test_error, res->test_error_se));
  }
  PetscCall(PetscFree(theta));
  PetscFunctionReturn(0);
}

/* Per rank: B/g tasks of N tokens (inputs and targets), query and scratch; A and its gradient. */
static PetscReal SoftmaxMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  return sizeof(PetscReal) * ((PetscReal)cell->B / g * (cell->N * (d + C) + 2.0 * d + C) + (g > 1 ? 3 : 2) * d * d + 4.0 * 2048 * d);
}

const ICLModelType ICLModelSoftmax = {
  .name        = "softmax",
  .description = "softmax attention c sum_i y_i softmax_i(x_i^T A x_q), A and c trained by full-batch GD from A = 0, c = 1",
  .supports    = SoftmaxSupports,
  .run         = SoftmaxRun,
  .flops       = SoftmaxFlops,
  .memory      = SoftmaxMemory,
  .reads       = ICL_READS_TRAINING,
};
