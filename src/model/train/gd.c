#include "gd.h"

PetscErrorCode ICLGroupCancelled(MPI_Comm comm, PetscBool (*cancel)(void), PetscBool *stop)
{
  PetscFunctionBegin;
  *stop = cancel && cancel() ? PETSC_TRUE : PETSC_FALSE;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, stop, 1, MPIU_BOOL, MPI_LOR, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGradientDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscInt T, PetscReal lr, PetscReal *theta, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  PetscReal initial = PETSC_INFINITY;

  PetscFunctionBegin;
  *outcome = ICL_TRAIN_DONE;
  for (PetscInt t = 0; t < T; t++) {
    PetscBool stop;
    PetscCall(ICLGroupCancelled(comm, cancel, &stop));
    if (stop) {
      *outcome = ICL_TRAIN_CANCELLED;
      *steps   = t;
      PetscFunctionReturn(0);
    }
    PetscCall(f(ctx, theta, loss, -lr, theta));
    if (t == 0) initial = *loss;
    if (ICLLossDiverged(*loss, initial, PETSC_FALSE)) {
      *outcome = ICL_TRAIN_DIVERGED;
      *steps   = t;
      PetscFunctionReturn(0);
    }
  }
  *steps = T;
  PetscCall(f(ctx, theta, loss, 0.0, NULL));
  if (ICLLossDiverged(*loss, initial, PETSC_TRUE)) *outcome = ICL_TRAIN_DIVERGED;
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
  ICLTrainOutcome outcome;

  PetscFunctionBegin;
  PetscCall(ICLGradientDescent(cell->comm, cell->cancel, f, ctx, cell->T, cell->lr, theta, &res->train_loss, &res->steps, &outcome));
  PetscCall(ICLTrainOutcomeApply(outcome, "GD step", res));
  PetscFunctionReturn(0);
}
