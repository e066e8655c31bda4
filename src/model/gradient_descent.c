#include "gradient_descent.h"

#include <petscblaslapack.h>

PetscErrorCode ICLGradientDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscInt n, PetscInt T, PetscReal lr,
                                  PetscReal *x, PetscReal *grad, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome)
{
  PetscBLASInt       bn;
  const PetscBLASInt inc = 1;
  const PetscReal    step = -lr;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n, &bn));
  *outcome = ICL_GD_DONE;
  for (*steps = 0; *steps <= T; ++*steps) {
    PetscBool stop = cancel && cancel() ? PETSC_TRUE : PETSC_FALSE;
    /* a group stops together, or its next allreduce would wait forever */
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPIU_BOOL, MPI_LOR, comm));
    if (stop) {
      *outcome = ICL_GD_CANCELLED;
      break;
    }
    PetscCall(f(ctx, x, loss, grad));
    if (PetscIsInfOrNanReal(*loss)) {
      *outcome = ICL_GD_DIVERGED;
      break;
    }
    if (*steps == T) break; /* *loss is the final iterate's */
    PetscCallBLAS("BLASaxpy", BLASaxpy_(&bn, &step, grad, &inc, x, &inc));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGDOutcomeStatus(ICLGDOutcome outcome, PetscInt steps, ICLCellResult *res)
{
  PetscFunctionBegin;
  res->status = outcome == ICL_GD_DONE ? ICL_STATUS_OK : outcome == ICL_GD_CANCELLED ? ICL_STATUS_PENDING : ICL_STATUS_DIVERGED;
  if (outcome == ICL_GD_DIVERGED) PetscCall(PetscSNPrintf(res->message, sizeof res->message, "non-finite training loss at GD step %d", (int)steps));
  PetscFunctionReturn(0);
}
