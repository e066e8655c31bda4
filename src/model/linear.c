/* linear: one-layer linear attention as one merged d x d matrix W: gmm logit m^T W x_q
 * (logistic loss), linreg y_hat = x_q^T W h with h = (1/N) sum_i y_i x_i (squared loss).
 * Trained by full-batch GD on B fixed tasks from W_0 = 0 (MV protocol); evaluated exactly
 * (linreg under RAG or drift: by Monte Carlo, linreg_eval.h). */
#include <petscsys.h>

#include "gmm.h"
#include "gmm_accuracy.h"
#include "linreg.h"
#include "linreg_eval.h"
#include "alignment.h"
#include "bilinear_gd.h"
#include "model.h"

static PetscBool LinearSupports(const ICLFamily *f) { return f == &ICLFamilyGmm || f == &ICLFamilyLinreg ? PETSC_TRUE : PETSC_FALSE; }

/* Training task tau as (a, b[, y]): gmm (m, v); linreg (x_q, h, y_q) from explicit tokens. */
static PetscErrorCode SampleTask(const ICLCell *cell, PetscInt tau, PetscReal *a, PetscReal *b, PetscReal *y, PetscReal *tokens)
{
  PetscFunctionBegin;
  if (cell->family == &ICLFamilyGmm) ICLGmmTrainPair(&cell->task, (int)cell->N, (uint64_t)tau, a, b);
  else {
    const int N = (int)cell->N, d = cell->task.d;
    PetscCheck(ICLLinregTokens(&cell->task, N, ICL_PURPOSE_TASK, (uint64_t)tau, tokens, tokens + (size_t)N * d, a, y, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid linreg options");
    ICLLinregStat(d, N, tokens, tokens + (size_t)N * d, b);
  }
  PetscFunctionReturn(0);
}

/* gmm: the any-W evaluator; linreg: closed form or Monte Carlo, and sampling N tokens a task. */
static PetscReal EvalFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return cell->family == &ICLFamilyGmm ? ICLGmmErrorOfWFlops(cell) : ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * d;
}

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt     d = cell->task.d, B = cell->B;
  const PetscBool    gmm = cell->family == &ICLFamilyGmm ? PETSC_TRUE : PETSC_FALSE;
  PetscReal         *Mt, *Vt, *work, *W, *grad = NULL, *y = NULL, *tokens = NULL;
  ICLGDOutcome       outcome;
  ICLBilinearProblem prob;
  PetscMPIInt        rank, size;

  PetscFunctionBegin;
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
  PetscCall(ICLBilinearGD(&prob, cell->T, cell->lr, W, &res->train_loss, &res->steps, &outcome));
  res->flops = 4.0 * B * (PetscReal)d * d * res->steps + 2.0 * B * (PetscReal)d * d;
  if (outcome == ICL_GD_CANCELLED) res->status = ICL_STATUS_PENDING;
  else if (outcome == ICL_GD_DIVERGED) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "non-finite training loss at GD step %d", (int)res->steps));
  } else {
    if (gmm) PetscCall(ICLGmmErrorOfW(cell, W, res->test_error, res->test_error_se));
    else PetscCall(ICLLinregErrorOfW(cell, W, NULL, res->test_error, res->test_error_se));
    PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, W, &res->alignment));
    res->flops += EvalFlops(cell);
    res->status = ICL_STATUS_OK;
  }
  PetscCall(PetscFree3(Mt, Vt, work));
  PetscCall(PetscFree(W));
  PetscCall(PetscFree(grad));
  PetscCall(PetscFree2(y, tokens));
  PetscFunctionReturn(0);
}

static PetscReal LinearFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return 4.0 * cell->B * d * d * (cell->T + 0.5) + EvalFlops(cell);
}

/* Per rank: a group of g ranks holds B/g training tasks each (and one more d x d buffer). */
static PetscReal LinearMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d;
  return sizeof(PetscReal) * (3.0 * cell->B / g * d + (g > 1 ? 2 : 1) * d * d + 4.0 * 2048 * d);
}

const ICLModelType ICLModelLinear = {
  .name        = "linear",
  .description = "merged linear attention W (d x d), trained by full-batch GD from W = 0",
  .supports    = LinearSupports,
  .run         = LinearRun,
  .flops       = LinearFlops,
  .memory      = LinearMemory,
};
