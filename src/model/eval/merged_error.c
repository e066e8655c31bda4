#include "merged_error.h"

#include "gmm.h"
#include "gmm_accuracy.h"
#include "linear_attention.h"
#include "linreg.h"
#include "linreg_eval.h"

static PetscErrorCode LinregErrorOfW(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se) { return ICLLinregErrorOfW(cell, W, NULL, err, se); }
static PetscReal LinregErrorOfWFlops(const ICLCell *cell) { return ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * cell->task.d; }

/* Families whose error of a merged W has a closed form, one line each; every other family is
 * evaluated by Monte Carlo through linear attention's forward pass. */
static const struct {
  const ICLFamily *family;
  PetscErrorCode (*error)(const ICLCell *, const PetscReal *, PetscReal *, PetscReal *);
  PetscReal (*flops)(const ICLCell *);
} exact[] = {
  {&ICLFamilyGmm,    ICLGmmErrorOfW, ICLGmmErrorOfWFlops},
  {&ICLFamilyLinreg, LinregErrorOfW, LinregErrorOfWFlops},
};

PetscErrorCode ICLMergedError(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  PetscFunctionBegin;
  for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
    if (cell->family == exact[i].family) {
      PetscCall(exact[i].error(cell, W, err, se));
      PetscFunctionReturn(0);
    }
  PetscCall(ICLLinearAttentionError(cell, W, err, se));
  PetscFunctionReturn(0);
}

PetscReal ICLMergedErrorFlops(const ICLCell *cell)
{
  for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
    if (cell->family == exact[i].family) return exact[i].flops(cell);
  return ICLLinearAttentionErrorFlops(cell);
}
