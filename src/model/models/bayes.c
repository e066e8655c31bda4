/* bayes: knows the task itself; its error is the family's Bayes error at the test R. */
#include "model.h"

static PetscBool BayesSupports(const ICLFamily *f) { return f->bayes_error ? PETSC_TRUE : PETSC_FALSE; }

static PetscErrorCode BayesRun(const ICLCell *cell, ICLCellResult *res)
{
  ICLTaskParams test = cell->task;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  for (PetscInt a = 0; a < cell->nM; a++) {
    res->test_error[a]    = cell->family->bayes_error(&test);
    res->test_error_se[a] = 0.0;
  }
  res->status = ICL_STATUS_OK;
  PetscFunctionReturn(0);
}

static PetscReal BayesFlops(const ICLCell *cell) { return (PetscReal)cell->nM; }

static PetscReal BayesMemory(const ICLCell *cell, PetscInt group_size)
{
  (void)cell;
  (void)group_size;
  return 0.0;
}

const ICLModelType ICLModelBayes = {
  .name        = "bayes",
  .description = "knows the task: the Bayes error",
  .supports    = BayesSupports,
  .run         = BayesRun,
  .flops       = BayesFlops,
  .memory      = BayesMemory,
};
