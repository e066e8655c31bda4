#include "descent.h"

PetscErrorCode ICLDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscInt T, PetscReal lr, PetscReal *x, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome)
{
  PetscFunctionBegin;
  *outcome = ICL_GD_DONE;
  for (PetscInt t = 0; t < T; t++) {
    PetscBool stop = cancel && cancel() ? PETSC_TRUE : PETSC_FALSE;
    /* a group stops together, or its next allreduce would wait forever */
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPIU_BOOL, MPI_LOR, comm));
    if (stop) {
      *outcome = ICL_GD_CANCELLED;
      *steps   = t;
      PetscFunctionReturn(0);
    }
    PetscCall(f(ctx, x, loss, -lr, x));
    if (PetscIsInfOrNanReal(*loss)) {
      *outcome = ICL_GD_DIVERGED;
      *steps   = t;
      PetscFunctionReturn(0);
    }
  }
  *steps = T;
  PetscCall(f(ctx, x, loss, 0.0, NULL));
  if (PetscIsInfOrNanReal(*loss)) *outcome = ICL_GD_DIVERGED;
  PetscFunctionReturn(0);
}
