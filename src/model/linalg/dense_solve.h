/* A dense linear solve with a matrix every rank of a group holds (docs/performance.md: ScaLAPACK for d x d
 * factorizations inside a group). */
#ifndef ICL_DENSE_SOLVE_H
#define ICL_DENSE_SOLVE_H

#include <petscsys.h>

/* X = A^{-1} B for A (n x n) and B (n x nrhs), column-major and the same on every rank of
 * comm; X overwrites B on every rank and A is destroyed. One rank: LAPACK dgesv; several:
 * ScaLAPACK pdgesv (LU with partial pivoting, as dgesv) over a BLACS grid of all of them, A
 * and B block-cyclic, X gathered back. A singular A is an error. Collective over comm. */
PetscErrorCode ICLDenseSolve(MPI_Comm comm, PetscInt n, PetscInt nrhs, PetscReal *A, PetscReal *B);

#endif
