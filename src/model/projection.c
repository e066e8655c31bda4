#include "projection.h"

#include "gmm.h"
#include "gmm_accuracy.h"

/* Quadrature cost: 96 x 64 nodes per M. */
#define ICL_PROJECTION_FLOPS_PER_M (96.0 * 64.0 * 30.0)

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

PetscReal ICLProjectionMemory(const ICLCell *cell)
{
  (void)cell;
  return sizeof(PetscReal) * (96.0 * 96.0 + 64.0 * 64.0);
}
