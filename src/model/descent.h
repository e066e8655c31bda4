/* Full-batch gradient descent with a constant step on any parameter vector, for models whose
 * loss and gradient are summed over a group of ranks: the group stops together (cancel) and
 * a non-finite loss ends the run as diverged. */
#ifndef ICL_DESCENT_H
#define ICL_DESCENT_H

#include <petscsys.h>

typedef enum { ICL_GD_DONE, ICL_GD_DIVERGED, ICL_GD_CANCELLED } ICLGDOutcome;

/* *loss = L(x); if G is not NULL, G += alpha * grad L(x). Called with G = x and alpha = -lr
 * for one step, so it must read all of x before it writes G. Collective over the group. */
typedef PetscErrorCode (*ICLLossGradFn)(void *ctx, const PetscReal *x, PetscReal *loss, PetscReal alpha, PetscReal *G);

/* T steps x <- x - lr grad L(x). Stops early at the first non-finite loss (DIVERGED, *steps =
 * the step it happened at) or when cancel (may be NULL) says so on any rank of comm
 * (CANCELLED). *loss is the loss at the final x. */
PetscErrorCode ICLDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscInt T, PetscReal lr, PetscReal *x, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome);

#endif
