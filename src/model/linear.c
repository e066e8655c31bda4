/* linear: one-layer linear attention as one merged d x d matrix W; gmm logit m^T W x_q.
 * Trained by full-batch GD on B fixed tasks from W_0 = 0 (MV protocol). */
#include "gmm.h"
#include "gmm_accuracy.h"
#include "logistic_gd.h"
#include "model.h"

static PetscBool LinearSupports(const ICLFamily *f) { return f == &ICLFamilyGmm ? PETSC_TRUE : PETSC_FALSE; }

/* ||U^T W U||_F^2 / ||W||_F^2 with U the first k coordinates. */
static PetscReal Alignment(PetscInt d, PetscInt k, const PetscReal *W)
{
  PetscReal in = 0.0, all = 0.0;
  for (PetscInt j = 0; j < d; j++)
    for (PetscInt i = 0; i < d; i++) {
      const PetscReal w2 = W[(size_t)j * d + i] * W[(size_t)j * d + i];
      all += w2;
      if (i < k && j < k) in += w2;
    }
  return all > 0.0 ? in / all : NAN;
}

static PetscErrorCode LinearRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt     d = cell->task.d, B = cell->B;
  PetscReal         *Mt, *Vt, *work, *W, *grad = NULL;
  ICLGDOutcome       outcome;
  ICLLogisticProblem prob;
  PetscMPIInt        rank, size;

  PetscFunctionBegin;
  /* A group splits the training tasks by rows; task tau's draws are keyed by tau alone. */
  PetscCallMPI(MPI_Comm_rank(cell->comm, &rank));
  PetscCallMPI(MPI_Comm_size(cell->comm, &size));
  const PetscInt b0 = (PetscInt)((PetscInt64)B * rank / size), nb = (PetscInt)((PetscInt64)B * (rank + 1) / size) - b0;
  PetscCall(PetscMalloc3((size_t)nb * d, &Mt, (size_t)nb * d, &Vt, (size_t)nb * d, &work));
  PetscCall(PetscCalloc1((size_t)d * d, &W));
  if (size > 1) PetscCall(PetscMalloc1((size_t)d * d, &grad));
  for (PetscInt t = 0; t < nb; t++) ICLGmmTrainPair(&cell->task, (int)cell->N, (uint64_t)(b0 + t), Mt + (size_t)t * d, Vt + (size_t)t * d);
  prob = (ICLLogisticProblem){.comm = cell->comm, .B = B, .B_local = nb, .d = d, .cancel = cell->cancel, .Mt = Mt, .Vt = Vt, .work = work, .grad = grad};
  PetscCall(ICLLogisticGD(&prob, cell->T, cell->lr, W, &res->train_loss, &res->steps, &outcome));
  res->flops = 4.0 * B * (PetscReal)d * d * res->steps + 2.0 * B * (PetscReal)d * d;
  if (outcome == ICL_GD_CANCELLED) res->status = ICL_STATUS_PENDING;
  else if (outcome == ICL_GD_DIVERGED) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "non-finite training loss at GD step %d", (int)res->steps));
  } else {
    PetscCall(ICLGmmErrorOfW(cell, W, res->test_error, res->test_error_se));
    res->alignment = Alignment(d, cell->task.k, W);
    res->flops += ICLGmmErrorOfWFlops(cell);
    res->status = ICL_STATUS_OK;
  }
  PetscCall(PetscFree3(Mt, Vt, work));
  PetscCall(PetscFree(W));
  PetscCall(PetscFree(grad));
  PetscFunctionReturn(0);
}

static PetscReal LinearFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return 4.0 * cell->B * d * d * (cell->T + 0.5) + ICLGmmErrorOfWFlops(cell);
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
