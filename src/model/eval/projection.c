#include "projection.h"

#include "gmm.h"
#include "gmm_accuracy.h"

/* Adaptive quadrature: about 1e5 integrand evaluations of ~30 flop per M. */
#define ICL_PROJECTION_FLOPS_PER_M 3e6

PetscBool ICLProjectionSupports(const ICLFamily *f) { return f == &ICLFamilyGmm ? PETSC_TRUE : PETSC_FALSE; }

PetscErrorCode ICLProjectionRun(const ICLCell *cell, PetscInt D, ICLCellResult *res)
{
  PetscFunctionBegin;
  for (PetscInt a = 0; a < cell->nM; a++) {
    PetscCall(ICLGmmErrorOfProjection(cell->eval_R, D, cell->M[a], &res->test_error[a]));
    res->test_error_se[a] = 0.0;
  }
  res->alignment = (PetscReal)cell->task.k / D;
  res->flops     = ICLProjectionFlops(cell);
  res->status    = ICL_STATUS_OK;
  PetscFunctionReturn(0);
}

PetscReal ICLProjectionFlops(const ICLCell *cell) { return ICL_PROJECTION_FLOPS_PER_M * cell->nM; }

PetscReal ICLProjectionMemory(const ICLCell *cell, PetscInt group_size)
{
  (void)cell;
  (void)group_size;
  return 2 * 200 * 4 * sizeof(double); /* two GSL workspaces */
}
