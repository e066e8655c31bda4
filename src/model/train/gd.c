#include "gd.h"

#include "loss_history.h"

PetscMPIInt ICLFaultStepRank = -1;

PetscErrorCode ICLGroupCancelled(MPI_Comm comm, PetscBool (*cancel)(void), PetscBool *stop)
{
  PetscFunctionBegin;
  PetscCall(ICLGroupStepAgree(comm, 0, cancel, stop));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGroupStepAgree(MPI_Comm comm, PetscErrorCode local, PetscBool (*cancel)(void), PetscBool *stop)
{
  PetscMPIInt rank, flags[3]; /* stop, the failed rank + 1 (0: none), its error code */
  char        text[200];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  flags[0] = cancel && cancel() ? 1 : 0;
  flags[1] = local ? rank + 1 : 0;
  flags[2] = (PetscMPIInt)local;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, flags, 3, MPI_INT, MPI_MAX, comm));
  *stop = flags[0] ? PETSC_TRUE : PETSC_FALSE;
  if (!flags[1]) PetscFunctionReturn(0);
  /* one message for the whole group: the failed rank's (PETSc keeps its first error's text) */
  if (local) {
    char *specific = NULL;
    PetscCall(PetscErrorMessage(local, NULL, &specific));
    PetscCall(PetscStrncpy(text, specific ? specific : "", sizeof text));
  }
  PetscCallMPI(MPI_Bcast(text, sizeof text, MPI_CHAR, flags[1] - 1, comm));
  if (local) PetscFunctionReturn(local);
  SETERRQ(PETSC_COMM_SELF, (PetscErrorCode)flags[2], "rank %d of the group failed: %s", flags[1] - 1, text);
}

static PetscErrorCode RecordEnd(void *ctx, PetscInt i, const PetscReal *theta, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  ICLTrainEnd *end = ctx;
  (void)i, (void)theta;
  end->loss = loss, end->steps = steps, end->outcome = outcome;
  return 0;
}

ICLCheckpoints ICLCheckpointsOne(ICLTrainEnd *end) { return (ICLCheckpoints){.n = 1, .T = &end->T, .at = RecordEnd, .ctx = end, .history = &end->history}; }

/* Checkpoints [i, n) end where the run stopped: at step `steps` with this outcome. */
static PetscErrorCode StopAll(const ICLCheckpoints *cp, PetscInt i, const PetscReal *theta, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  PetscFunctionBegin;
  for (; i < cp->n; i++) {
    ICLLossHistoryEnd(ICLCheckpointHistory(cp, i), steps, loss);
    PetscCall(cp->at(cp->ctx, i, theta, loss, steps, outcome));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGradientDescentCheckpoints(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscReal lr, const ICLCheckpoints *cp, PetscReal *theta)
{
  PetscReal      initial = PETSC_INFINITY, loss = NAN;
  PetscInt       i       = 0;
  PetscErrorCode ierr    = 0; /* this rank's error in the last step, agreed on at the next */
  PetscMPIInt    rank;
  PetscBool      stop;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  for (PetscInt j = 0; j < cp->n; j++) ICLLossHistoryStart(ICLCheckpointHistory(cp, j), cp->T[j]);
  for (PetscInt t = 0;; t++) {
    /* a run of T[i] steps ends here: its final loss, without a step (theta is unchanged) */
    for (; i < cp->n && cp->T[i] == t; i++) {
      if (!ierr) ierr = f(ctx, theta, &loss, 0.0, NULL);
      PetscCall(ICLGroupStepAgree(comm, ierr, NULL, &stop));
      ICLLossHistoryEnd(ICLCheckpointHistory(cp, i), t, loss);
      PetscCall(cp->at(cp->ctx, i, theta, loss, t, ICLLossDiverged(loss, initial, PETSC_TRUE) ? ICL_TRAIN_DIVERGED : ICL_TRAIN_DONE));
    }
    if (i == cp->n) break;
    PetscCall(ICLGroupStepAgree(comm, ierr, cancel, &stop));
    if (stop) {
      PetscCall(StopAll(cp, i, theta, loss, t, ICL_TRAIN_CANCELLED));
      break;
    }
    ierr = f(ctx, theta, &loss, -lr, theta);
    if (!ierr && t == 1 && rank == ICLFaultStepRank)
      ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_MEM, PETSC_ERROR_INITIAL, "injected failure in GD step 1 on rank %d of the group (-fault_inject step_fail)", rank);
    if (ierr) continue;
    if (t == 0) initial = loss;
    if (ICLLossDiverged(loss, initial, PETSC_FALSE)) {
      PetscCall(StopAll(cp, i, theta, loss, t, ICL_TRAIN_DIVERGED));
      break;
    }
    for (PetscInt j = i; j < cp->n; j++) ICLLossHistoryAdd(ICLCheckpointHistory(cp, j), t, loss);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGradientDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossHistory *history, ICLLossGradFn f, void *ctx, PetscInt T, PetscReal lr, PetscReal *theta, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  ICLTrainEnd          end = {.T = T, .history = history};
  const ICLCheckpoints cp  = ICLCheckpointsOne(&end);

  PetscFunctionBegin;
  PetscCall(ICLGradientDescentCheckpoints(comm, cancel, f, ctx, lr, &cp, theta));
  *loss = end.loss, *steps = end.steps, *outcome = end.outcome;
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
  PetscCall(ICLGradientDescent(cell->comm, cell->cancel, cell->history, f, ctx, cell->T, cell->lr, theta, &res->train_loss, &res->steps, &outcome));
  PetscCall(ICLTrainOutcomeApply(outcome, "GD step", res));
  PetscFunctionReturn(0);
}
