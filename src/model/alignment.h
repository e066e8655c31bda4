/* Subspace alignment of a trained merged matrix (SPEC §4 diagnostics). */
#ifndef ICL_ALIGNMENT_H
#define ICL_ALIGNMENT_H

#include <petscsys.h>

/* ||U^T W U||_F^2 / ||W||_F^2 for the task subspace U (d x k, NULL: the first k coordinates);
 * NaN for W = 0. W: d x d column-major. */
PetscErrorCode ICLSubspaceAlignment(PetscInt d, PetscInt k, const PetscReal *U, const PetscReal *W, PetscReal *alignment);

#endif
