#include "bilinear_train.h"

PetscReal ICLBilinearTrainFlops(const ICLCell *cell) { return ICLTrainMethodResolve(cell)->flops(cell->B, cell->task.d, cell->T); }

PetscReal ICLBilinearTrainMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal B = cell->B, d = cell->task.d, b = B / g;
  /* the problem: a, b and work stacks, targets, W, and the gradient's allreduce buffer */
  PetscReal words = 3.0 * b * d + b + (g > 1 ? 2 : 1) * d * d;
  const ICLTrainMethodType *method = ICLTrainMethodResolve(cell);
  if (method->memory) words += method->memory(cell, g);
  return sizeof(PetscReal) * words;
}

PetscReal ICLBilinearTrainStepsFlops(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt steps) { return ICLTrainMethodResolve(cell)->flops(p->B, p->d, steps); }

PetscErrorCode ICLBilinearTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r)
{
  PetscFunctionBegin;
  r->method = ICLTrainMethodResolve(cell);
  PetscCall(r->method->train(cell, p, W, r));
  PetscFunctionReturn(0);
}

unsigned ICLBilinearTrainShares(const ICLCell *cell) { return ICLTrainMethodResolve(cell)->shares; }

PetscReal ICLBilinearTrainSharedFlops(const ICLCell *cell, PetscInt L, PetscInt T_max, PetscInt checkpoints) { return ICLTrainMethodResolve(cell)->shared_flops(cell->B, cell->task.d, L, T_max, checkpoints); }

PetscErrorCode ICLBilinearTrainShared(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W)
{
  const ICLTrainMethodType *method = ICLTrainMethodResolve(cell);

  PetscFunctionBegin;
  PetscCheck(method->train_shared, PETSC_COMM_SELF, PETSC_ERR_SUP, "-train_method %s has no checkpoints: its cells train alone", method->name);
  PetscCall(method->train_shared(cell, p, L, lr, cp, W));
  PetscFunctionReturn(0);
}
