/* Subspace alignment of a trained d x d matrix W (docs/models.md diagnostics): the share of its
 * Frobenius norm inside the task subspace U. */
#ifndef ICL_ALIGNMENT_H
#define ICL_ALIGNMENT_H

#include <petscsys.h>

/* ||U^T W U||_F^2 / ||W||_F^2 for U (d x k orthonormal columns, column-major; NULL: the first k
 * coordinates); NaN when W = 0. W is column-major. */
PetscErrorCode ICLSubspaceAlignment(PetscInt d, PetscInt k, const PetscReal *U, const PetscReal *W, PetscReal *alignment);

#endif
