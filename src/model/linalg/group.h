/* Data-parallel building blocks of a group of ranks that shares one cell's tasks: the row
 * split of tasks, a summed outer product, and axpy. Used by training and evaluation alike. */
#ifndef ICL_GROUP_H
#define ICL_GROUP_H

#include <petscsys.h>

/* y += alpha x (n reals): how a model with its own gradient buffer serves an ICLLossGradFn. */
PetscErrorCode ICLAxpy(PetscInt n, PetscReal alpha, const PetscReal *x, PetscReal *y);

/* This rank's share [*first, *first + *count) of n training tasks split by contiguous rows
 * over comm (task tau's draws are keyed by tau alone, so the split changes no value). */
PetscErrorCode ICLGroupShare(MPI_Comm comm, PetscInt n, PetscInt *first, PetscInt *count);

/* G += scale * sum over the ranks of comm of P R^T (P, R: d x n column-major, this rank's
 * tasks; G: d x d): the data-parallel gradient of a loss whose per-task gradient is the outer
 * product p_tau r_tau^T. scratch (d x d) is used only when comm has more than one rank:
 * each rank's share of the sum, then one allreduce of d^2 words. Collective over comm. */
PetscErrorCode ICLGroupOuterSum(MPI_Comm comm, PetscInt d, PetscInt n, PetscReal scale, const PetscReal *P, const PetscReal *R, PetscReal *scratch, PetscReal *G);

#endif
