/* Diagnostics of a trained merged-attention matrix W (SPEC §4): its top singular values and
 * its distance to the one-step-GD construction W_1. */
#ifndef ICL_DIAGNOSTICS_H
#define ICL_DIAGNOSTICS_H

#include "bilinear_gd.h"
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

/* Both, for a W trained on p: W_1, one GD step from W = 0 on the same loss, is a positive
 * multiple of -grad L(0) = (1/B) sum_tau c_tau a_tau b_tau^T whatever the step size, so it
 * is that gradient (ICLBilinearLossGrad at 0). Collective over p->comm; uses p's scratch. */
PetscErrorCode ICLBilinearDiagnostics(const ICLBilinearProblem *p, const PetscReal *W, PetscReal sv[ICL_NUM_SV], PetscReal *gd_distance);
/* Its floating-point operations (the gradient at 0 and an SVD without vectors), and its peak
 * bytes per rank in a group of g: W = 0 and W_1, then W's copy (g = 1) or share (g > 1) for
 * the SVD and about as much workspace. */
PetscReal      ICLBilinearDiagnosticsFlops(PetscInt B, PetscInt d);
PetscReal      ICLBilinearDiagnosticsMemory(PetscInt d, PetscInt g);

#endif
