/* Baselines whose W is a fixed orthogonal projection (gmm): mle (W = I) and oracle (W = UU^T).
 * Their exact error depends on the projection's rank D only. */
#ifndef ICL_PROJECTION_H
#define ICL_PROJECTION_H

#include "model.h"

/* Fills res for a projection of rank D (alignment = k / D: the share of ||W||_F^2 inside U). */
PetscErrorCode ICLProjectionRun(const ICLCell *cell, PetscInt D, ICLCellResult *res);
PetscBool      ICLProjectionSupports(const ICLFamily *f);
PetscReal      ICLProjectionFlops(const ICLCell *cell);
PetscReal      ICLProjectionMemory(const ICLCell *cell, PetscInt group_size);

#endif
