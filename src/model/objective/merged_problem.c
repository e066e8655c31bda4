#include "merged_problem.h"

#include "bilinear_tasks.h"
#include "sphere.h"

PetscErrorCode ICLMergedProblemCreate(const ICLCell *cell, ICLMergedProblem *p)
{
  PetscFunctionBegin;
  *p = (ICLMergedProblem){0};
  if (ICLCellMulticlass(cell)) {
    PetscCall(ICLMulticlassProblemCreate(cell, &p->multiclass));
    p->f   = ICLMulticlassLossGrad;
    p->ctx = &p->multiclass;
  } else {
    PetscCall(ICLBilinearProblemCreate(cell, &p->bilinear));
    p->f   = ICLBilinearLossGradCtx;
    p->ctx = &p->bilinear;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLMergedProblemDestroy(ICLMergedProblem *p)
{
  PetscFunctionBegin;
  if (p->ctx == &p->multiclass) PetscCall(ICLMulticlassProblemDestroy(&p->multiclass));
  else PetscCall(ICLBilinearProblemDestroy(&p->bilinear));
  *p = (ICLMergedProblem){0};
  PetscFunctionReturn(0);
}

PetscReal ICLMergedProblemGradFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  if (ICLCellMulticlass(cell)) return 4.0 * cell->B * d * (d + ICLSphereClasses(&cell->task));
  return 4.0 * cell->B * d * d;
}

/* Per task: sphere H_tau (C x d), x_q, the one-hot target and a d-vector of scratch; otherwise
 * a, b, scratch and the target. A group also keeps a d x d buffer for the gradient's sum. */
PetscReal ICLMergedProblemMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, b = (PetscReal)cell->B / g, per_task = ICLCellMulticlass(cell) ? (ICLSphereClasses(&cell->task) + 2) * d + ICLSphereClasses(&cell->task) : 3.0 * d + 1.0;
  return sizeof(PetscReal) * (b * per_task + (g > 1 ? d * d : 0.0));
}
