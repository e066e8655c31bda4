#include "merged_error.h"

#include "gmm.h"
#include "gmm_accuracy.h"
#include "linear_attention.h"
#include "linreg.h"
#include "linreg_eval.h"
#include "mc_eval.h"

static PetscErrorCode LinregErrorOfW(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se) { return ICLLinregErrorOfW(cell, W, NULL, err, se); }
static PetscReal LinregErrorOfWFlops(const ICLCell *cell) { return ICLLinregErrorOfWFlops(cell) + 2.0 * cell->B * cell->N * cell->task.d; }

/* Monte Carlo test error of W on the cell's test tasks at every M, through linear attention's
 * forward pass: op(W) = W for class outputs, W^T for the regression form. */
static PetscErrorCode LinearAttentionError(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se)
{
  PetscInt           maxM = 1;
  ICLLinearAttention la   = {.d = cell->task.d, .C = cell->family->outputs(&cell->task), .W = W, .transpose = ICLCellMulticlass(cell) ? PETSC_FALSE : PETSC_TRUE};

  PetscFunctionBegin;
  for (PetscInt a = 0; a < cell->nM; a++) maxM = PetscMax(maxM, cell->M[a]);
  PetscCall(PetscMalloc1(la.d + maxM, &la.work));
  PetscCall(ICLMonteCarloError(cell, ICLLinearAttentionPredict, &la, err, se));
  PetscCall(PetscFree(la.work));
  PetscFunctionReturn(0);
}

static PetscReal LinearAttentionErrorFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  PetscReal       flops = ICLMonteCarloSampleFlops(cell);
  for (PetscInt a = 0; a < cell->nM; a++) flops += cell->eval_tasks * (2.0 * d * d + 2.0 * cell->M[a] * (d + C));
  return flops;
}

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
  PetscCall(LinearAttentionError(cell, W, err, se));
  PetscFunctionReturn(0);
}

PetscReal ICLMergedErrorFlops(const ICLCell *cell)
{
  for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
    if (cell->family == exact[i].family) return exact[i].flops(cell);
  return LinearAttentionErrorFlops(cell);
}
