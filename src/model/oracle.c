/* oracle: knows the task subspace. gmm: W = U U^T; linreg: the optimal preconditioner W* of
 * SPEC §4 at each test context length M (its risk L*). */
#include "gmm.h"
#include "linreg.h"
#include "linreg_risk.h"
#include "projection.h"

static PetscBool OracleSupports(const ICLFamily *f) { return f == &ICLFamilyGmm || f == &ICLFamilyLinreg ? PETSC_TRUE : PETSC_FALSE; }

static PetscErrorCode OracleRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt d = cell->task.d;
  ICLTaskParams  test = cell->task;
  PetscReal     *Sx, *Sb;

  PetscFunctionBegin;
  if (cell->family == &ICLFamilyGmm) PetscFunctionReturn(ICLProjectionRun(cell, cell->task.k, res));
  test.R = cell->eval_R;
  PetscCall(PetscMalloc2((size_t)d * d, &Sx, (size_t)d * d, &Sb));
  PetscCall(ICLLinregCovariances(&test, Sx, Sb));
  for (PetscInt a = 0; a < cell->nM; a++) {
    PetscCall(ICLLinregOptimal(cell->comm, d, Sx, Sb, test.sigma * test.sigma, cell->M[a], NULL, &res->test_error[a]));
    res->test_error_se[a] = 0.0;
  }
  PetscCall(PetscFree2(Sx, Sb));
  res->status = ICL_STATUS_OK;
  PetscFunctionReturn(0);
}

/* linreg: a d x d solve per M. */
static PetscReal OracleFlops(const ICLCell *cell) { return cell->family == &ICLFamilyGmm ? ICLProjectionFlops(cell) : 4.0 * cell->nM * cell->task.d * cell->task.d * (PetscReal)cell->task.d; }

static PetscReal OracleMemory(const ICLCell *cell, PetscInt group_size) { return cell->family == &ICLFamilyGmm ? ICLProjectionMemory(cell, group_size) : 4.0 * sizeof(PetscReal) * cell->task.d * cell->task.d; }

const ICLModelType ICLModelOracle = {
  .name        = "oracle",
  .description = "knows the subspace: gmm W = U U^T, linreg the optimal W* (exact)",
  .supports    = OracleSupports,
  .run         = OracleRun,
  .flops       = OracleFlops,
  .memory      = OracleMemory,
};
