/* -train_method gd: direct full-batch GD on W (ICLBilinearGD), 4 B d^2 flop a step; with
 * -train_precision single the same in float GEMMs (bilinear_gd_single.h). */
#include "method_gd.h"

#include "bilinear_gd_single.h"

/* Two GEMMs a step (margins, gradient) and the final loss. */
static PetscReal GdFlops(PetscReal B, PetscReal d, PetscReal T) { return 4.0 * B * d * d * T + 2.0 * B * d * d; }

static PetscReal GdAutoCost(const ICLCell *cell) { return GdFlops(cell->B, cell->task.d, cell->T); }

/* single: float copies of the three stacks, W and the gradient (half-words) */
static PetscReal GdMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, b = (PetscReal)cell->B / g;
  return cell->precision == ICL_PRECISION_SINGLE ? 0.5 * (3.0 * b * d + 2.0 * d * d) : 0.0;
}

static PetscErrorCode GdTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r)
{
  PetscFunctionBegin;
  if (cell->precision == ICL_PRECISION_SINGLE) PetscCall(ICLBilinearGDSingle(p, cell->T, cell->lr, W, &r->loss, &r->steps, &r->outcome));
  else PetscCall(ICLBilinearGD(p, cell->T, cell->lr, W, &r->loss, &r->steps, &r->outcome));
  r->flops = GdFlops(p->B, p->d, r->steps);
  PetscFunctionReturn(0);
}

/* One run to T_max per step size, plus each checkpoint's final loss. */
static PetscReal GdSharedFlops(PetscReal B, PetscReal d, PetscInt L, PetscInt T_max, PetscInt checkpoints) { return L * 4.0 * B * d * d * T_max + checkpoints * 2.0 * B * d * d; }

static PetscErrorCode GdTrainShared(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W)
{
  PetscFunctionBegin;
  for (PetscInt l = 0; l < L; l++) {
    PetscCall(PetscArrayzero(W, (size_t)p->d * p->d));
    if (cell->precision == ICL_PRECISION_SINGLE) PetscCall(ICLBilinearGDSingleCheckpoints(p, lr[l], &cp[l], W));
    else PetscCall(ICLGradientDescentCheckpoints(p->comm, p->cancel, ICLBilinearLossGradCtx, (void *)p, lr[l], &cp[l], W));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  PetscFunctionBegin;
  PetscCall(ICLGradientDescent(p->comm, p->cancel, p->history, ICLBilinearLossGradCtx, (void *)p, T, lr, W, loss, steps, outcome));
  PetscFunctionReturn(0);
}

const ICLTrainMethodType ICLTrainMethodGd = {
  .name         = "gd",
  .help         = "direct",
  .step         = "GD step",
  .gd_iterates  = PETSC_TRUE,
  .single       = PETSC_TRUE,
  .flops        = GdFlops,
  .memory       = GdMemory,
  .auto_cost    = GdAutoCost,
  .train        = GdTrain,
  .shares       = ICL_SHARE_STEPS,
  .shared_flops = GdSharedFlops,
  .train_shared = GdTrainShared,
};
