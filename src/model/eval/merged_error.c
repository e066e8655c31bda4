#include "merged_error.h"

#include "gmm.h"
#include "gmm_accuracy.h"
#include "linear_attention.h"
#include "linreg.h"
#include "linreg_eval.h"

PetscErrorCode ICLMergedError(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  PetscFunctionBegin;
  if (cell->family == &ICLFamilyGmm) PetscCall(ICLGmmErrorOfW(cell, W, err, se));
  else if (cell->family == &ICLFamilyLinreg) PetscCall(ICLLinregErrorOfW(cell, W, NULL, err, se));
  else PetscCall(ICLLinearAttentionError(cell, W, err, se));
  PetscFunctionReturn(0);
}

PetscReal ICLMergedErrorFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  if (cell->family == &ICLFamilyGmm) return ICLGmmErrorOfWFlops(cell);
  if (cell->family == &ICLFamilyLinreg) return ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * d;
  return ICLLinearAttentionErrorFlops(cell);
}
