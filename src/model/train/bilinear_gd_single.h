/* -train_precision single: direct GD on a bilinear problem (bilinear_gd.h) with its two GEMMs a
 * step in single precision, where OpenBLAS's SGEMM runs about twice DGEMM's flop rate. The
 * d x B_local task stacks and the scratch are float copies of the problem's; W stays double
 * (rounded to float for each step's first GEMM) and the float gradient is accumulated into it
 * in double, so rounding does not build up over the T steps; margins, loss terms and their
 * weights are double per task. A group sums the float gradient (MPI_FLOAT): its result equals
 * one rank's to float rounding. The iterates are those of ICLBilinearGD to float rounding. */
#ifndef ICL_BILINEAR_GD_SINGLE_H
#define ICL_BILINEAR_GD_SINGLE_H

#include "bilinear_gd.h"
#include "gd.h"

/* T steps of single-precision GD from the W given, as ICLBilinearGD (the final loss too comes
 * from single-precision margins). Allocates 3 B_local d + 2 d^2 floats. Collective over p->comm. */
PetscErrorCode ICLBilinearGDSingle(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome);

/* The same with checkpoints (gd.h): one run to the last, each ending as a separate run of
 * its step count would, bit for bit. */
PetscErrorCode ICLBilinearGDSingleCheckpoints(const ICLBilinearProblem *p, PetscReal lr, const ICLCheckpoints *cp, PetscReal *W);

#endif
