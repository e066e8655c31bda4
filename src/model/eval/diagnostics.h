/* Diagnostics of a trained merged-attention matrix W (docs/models.md): its top singular values and
 * its distance to the one-step-GD construction W_1. */
#ifndef ICL_DIAGNOSTICS_H
#define ICL_DIAGNOSTICS_H

#include "objective.h"
#include "model.h"

/* The n largest singular values of W (d x d column-major, the same on every rank of comm),
 * descending; sv[i] = NaN for d <= i < n. The rule: a group of one rank calls LAPACK dgesvd;
 * a group of several calls ScaLAPACK pdgesvd with W block-cyclic over all of them, whatever
 * d, so each rank holds and factors about d^2/size entries and every rank of the group takes
 * part (the cells of one sweep do the same at every d). Collective over comm. */
PetscErrorCode ICLSingularValues(MPI_Comm comm, PetscInt d, const PetscReal *W, PetscInt n, PetscReal *sv);

/* ||W/||W||_F - W1/||W1||_F||_F, in [0, 2] (sqrt(2 - 2 cos) of the angle between them);
 * NaN when W or W1 is 0 or not finite. */
PetscErrorCode ICLDirectionDistance(PetscInt d, const PetscReal *W, const PetscReal *W1, PetscReal *dist);

/* Both, for a W (d x d) trained by GD on the loss f(ctx, .) from W = 0 over comm: W_1, one GD
 * step from 0, is a positive multiple of -grad L(0) whatever the step size (bilinear models:
 * (1/B) sum_tau c_tau a_tau b_tau^T), so it is that gradient, f at 0. Collective over comm. */
PetscErrorCode ICLTrainedWDiagnostics(MPI_Comm comm, PetscInt d, ICLLossGradFn f, void *ctx, const PetscReal *W, PetscReal sv[ICL_NUM_SV], PetscReal *gd_distance);
/* The same in two parts, for several W trained on one problem (docs/budget.md): W_1 (d x d)
 * once, then each W against it. */
PetscErrorCode ICLFirstGDStep(PetscInt d, ICLLossGradFn f, void *ctx, PetscReal *W1);
PetscErrorCode ICLTrainedWDiagnosticsFrom(MPI_Comm comm, PetscInt d, const PetscReal *W, const PetscReal *W1, PetscReal sv[ICL_NUM_SV], PetscReal *gd_distance);
/* Its floating-point operations (a gradient at 0 on B tasks and an SVD without vectors), and its peak
 * bytes per rank in a group of g: W = 0 and W_1, then W's copy (g = 1) or share (g > 1) for
 * the SVD and about as much workspace. */
PetscReal      ICLTrainedWDiagnosticsFlops(PetscInt B, PetscInt d);
PetscReal      ICLTrainedWDiagnosticsMemory(PetscInt d, PetscInt g);

#endif
