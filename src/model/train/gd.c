#include "gd.h"

PetscErrorCode ICLGroupCancelled(MPI_Comm comm, PetscBool (*cancel)(void), PetscBool *stop)
{
  PetscFunctionBegin;
  *stop = cancel && cancel() ? PETSC_TRUE : PETSC_FALSE;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, stop, 1, MPIU_BOOL, MPI_LOR, comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode RecordEnd(void *ctx, PetscInt i, const PetscReal *theta, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  ICLTrainEnd *end = ctx;
  (void)i, (void)theta;
  end->loss = loss, end->steps = steps, end->outcome = outcome;
  return 0;
}

ICLCheckpoints ICLCheckpointsOne(ICLTrainEnd *end) { return (ICLCheckpoints){.n = 1, .T = &end->T, .at = RecordEnd, .ctx = end}; }

/* Checkpoints [i, n) end where the run stopped: at step `steps` with this outcome. */
static PetscErrorCode StopAll(const ICLCheckpoints *cp, PetscInt i, const PetscReal *theta, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  PetscFunctionBegin;
  for (; i < cp->n; i++) PetscCall(cp->at(cp->ctx, i, theta, loss, steps, outcome));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGradientDescentCheckpoints(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscReal lr, const ICLCheckpoints *cp, PetscReal *theta)
{
  PetscReal initial = PETSC_INFINITY, loss = NAN;
  PetscInt  i       = 0;

  PetscFunctionBegin;
  for (PetscInt t = 0;; t++) {
    /* a run of T[i] steps ends here: its final loss, without a step (theta is unchanged) */
    for (; i < cp->n && cp->T[i] == t; i++) {
      PetscCall(f(ctx, theta, &loss, 0.0, NULL));
      PetscCall(cp->at(cp->ctx, i, theta, loss, t, ICLLossDiverged(loss, initial, PETSC_TRUE) ? ICL_TRAIN_DIVERGED : ICL_TRAIN_DONE));
    }
    if (i == cp->n) break;
    PetscBool stop;
    PetscCall(ICLGroupCancelled(comm, cancel, &stop));
    if (stop) {
      PetscCall(StopAll(cp, i, theta, loss, t, ICL_TRAIN_CANCELLED));
      break;
    }
    PetscCall(f(ctx, theta, &loss, -lr, theta));
    if (t == 0) initial = loss;
    if (ICLLossDiverged(loss, initial, PETSC_FALSE)) {
      PetscCall(StopAll(cp, i, theta, loss, t, ICL_TRAIN_DIVERGED));
      break;
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGradientDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscInt T, PetscReal lr, PetscReal *theta, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  ICLTrainEnd          end = {.T = T};
  const ICLCheckpoints cp  = ICLCheckpointsOne(&end);

  PetscFunctionBegin;
  PetscCall(ICLGradientDescentCheckpoints(comm, cancel, f, ctx, lr, &cp, theta));
  *loss = end.loss, *steps = end.steps, *outcome = end.outcome;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGDCheckMethod(const ICLCell *cell, const char *model)
{
  PetscFunctionBegin;
  PetscCheck(cell->method != ICL_METHOD_TAO, PETSC_COMM_SELF, PETSC_ERR_SUP, "%s on %s: -train_method tao is not implemented; use gd, dual or auto", model, cell->family->name);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLTrainOutcomeApply(ICLTrainOutcome outcome, const char *step, ICLCellResult *res)
{
  PetscFunctionBegin;
  if (outcome == ICL_TRAIN_CANCELLED) res->status = ICL_STATUS_PENDING;
  else if (outcome == ICL_TRAIN_DIVERGED) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "training loss exploded (non-finite or above 1e6 x its initial value) at %s %d", step, (int)res->steps));
  } else res->status = ICL_STATUS_OK;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGDTrainCell(const ICLCell *cell, ICLLossGradFn f, void *ctx, PetscReal *theta, ICLCellResult *res)
{
  ICLTrainOutcome outcome = ICL_TRAIN_DONE;

  PetscFunctionBegin;
  PetscCall(ICLGradientDescent(cell->comm, cell->cancel, f, ctx, cell->T, cell->lr, theta, &res->train_loss, &res->steps, &outcome));
  PetscCall(ICLTrainOutcomeApply(outcome, "GD step", res));
  PetscFunctionReturn(0);
}
