#include "bilinear_train.h"

#include "bilinear_gd_single.h"
#include "dual_gd.h"
#include "tao_train.h"

/* A GD step is a GEMM; a dual step is a symmetric matrix-vector product with K, which streams
 * B^2/2 words from memory and runs about this many times slower per flop (measured here,
 * OpenBLAS, one thread, B = 20000: dsymv 9.1 vs DGEMM 54.7 GFLOP/s); auto weighs the dual
 * steps by it. bench/run.sh section 5 times one cell both ways. */
#define ICL_MATVEC_SLOWDOWN 6.0

static PetscReal GdFlops(PetscReal B, PetscReal d, PetscReal T) { return 4.0 * B * d * d * T + 2.0 * B * d * d; }

/* Two Gram products over K's upper triangle, their entrywise product, T + 1 products K alpha,
 * and W from alpha. */
static PetscReal DualFlops(PetscReal B, PetscReal d, PetscReal T, PetscReal matvec_weight) { return 2.0 * B * B * d + B * B / 2 + matvec_weight * 2.0 * B * B * (T + 1) + 2.0 * B * d * d; }

/* Bytes of one entry of K: floats under -train_precision single. */
static PetscReal DualWord(const ICLCell *cell) { return cell->precision == ICL_PRECISION_SINGLE ? sizeof(float) : sizeof(PetscReal); }

ICLTrainMethod ICLBilinearTrainMethod(const ICLCell *cell)
{
  const PetscReal B = cell->B, d = cell->task.d, T = cell->T;
  if (cell->method != ICL_METHOD_AUTO) return cell->method;
  return B * B * DualWord(cell) <= ICL_DUAL_AUTO_BYTES && DualFlops(B, d, T, ICL_MATVEC_SLOWDOWN) < GdFlops(B, d, T) ? ICL_METHOD_DUAL : ICL_METHOD_GD;
}

const char *ICLTrainMethodName(ICLTrainMethod method)
{
  static const char *const names[] = {"auto", "gd", "dual", "tao"};
  return names[method];
}

PetscReal ICLBilinearTrainFlops(const ICLCell *cell)
{
  const PetscReal B = cell->B, d = cell->task.d, T = cell->T;
  switch (ICLBilinearTrainMethod(cell)) {
  case ICL_METHOD_DUAL:
    return DualFlops(B, d, T, 1.0);
  case ICL_METHOD_TAO: /* about one loss-and-gradient evaluation an iteration */
    return GdFlops(B, d, T + 1);
  default:
    return GdFlops(B, d, T);
  }
}

PetscReal ICLBilinearTrainMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal B = cell->B, d = cell->task.d, b = B / g;
  /* the problem: a, b and work stacks, targets, W, and the gradient's allreduce buffer */
  PetscReal words = 3.0 * b * d + b + (g > 1 ? 2 : 1) * d * d;
  switch (ICLBilinearTrainMethod(cell)) {
  case ICL_METHOD_DUAL: /* K's rows, two Gram blocks, alpha and two more vectors (single:
                             float copies of alpha, s and the whole stacks), and in a group the
                             gathered stacks */
    words += b * B * DualWord(cell) / sizeof(PetscReal) + 2.0 * b * ICL_GRAM_BLOCK + B + 2.0 * b + (cell->precision == ICL_PRECISION_SINGLE ? (B + b) / 2.0 + B * d : 0.0) + (g > 1 ? 2.0 * B * d : 0.0);
    break;
  case ICL_METHOD_TAO: /* vec(W) gathered, the whole gradient, the tasks' curvature, and the
                          solver's vectors split over g (LMVM: 2 x 5 stored pairs and work
                          vectors; Newton types: their Krylov solver's too): about 30 */
    words += 2.0 * d * d + b + 30.0 * d * d / g;
    break;
  default: /* single: float copies of the three stacks, W and the gradient (half-words) */
    if (cell->precision == ICL_PRECISION_SINGLE) words += 0.5 * (3.0 * b * d + 2.0 * d * d);
    break;
  }
  return sizeof(PetscReal) * words;
}

PetscReal ICLBilinearTrainStepsFlops(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt steps)
{
  const PetscReal B = p->B, d = p->d;
  return ICLBilinearTrainMethod(cell) == ICL_METHOD_DUAL ? DualFlops(B, d, steps, 1.0) : GdFlops(B, d, steps);
}

PetscErrorCode ICLBilinearTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r)
{
  const PetscReal B = p->B, d = p->d;
  PetscInt        evals;

  PetscFunctionBegin;
  r->method = ICLBilinearTrainMethod(cell);
  switch (r->method) {
  case ICL_METHOD_DUAL:
    PetscCall(ICLDualGD(p, cell->precision, cell->T, cell->lr, W, &r->loss, &r->steps, &r->outcome));
    break;
  case ICL_METHOD_TAO:
    PetscCall(ICLTaoTrain(p, cell->tao_type, cell->T, W, &r->loss, &r->steps, &evals, &r->outcome));
    r->flops = 4.0 * B * d * d * evals + 2.0 * B * d * d;
    PetscFunctionReturn(0);
  default:
    if (cell->precision == ICL_PRECISION_SINGLE) PetscCall(ICLBilinearGDSingle(p, cell->T, cell->lr, W, &r->loss, &r->steps, &r->outcome));
    else PetscCall(ICLBilinearGD(p, cell->T, cell->lr, W, &r->loss, &r->steps, &r->outcome));
    break;
  }
  r->flops = ICLBilinearTrainStepsFlops(cell, p, r->steps);
  PetscFunctionReturn(0);
}

unsigned ICLBilinearTrainShares(const ICLCell *cell)
{
  switch (ICLBilinearTrainMethod(cell)) {
  case ICL_METHOD_DUAL:
    return ICL_SHARE_STEPS | ICL_SHARE_LR;
  case ICL_METHOD_GD:
    return ICL_SHARE_STEPS;
  default: /* TAO's iterations are its own: no checkpoints */
    return 0;
  }
}

/* One run to T_max per step size (direct GD), or one K for all (dual), plus each checkpoint's
 * final loss and, in the dual form, its W from alpha. */
PetscReal ICLBilinearTrainSharedFlops(const ICLCell *cell, PetscInt L, PetscInt T_max, PetscInt checkpoints)
{
  const PetscReal B = cell->B, d = cell->task.d;
  if (ICLBilinearTrainMethod(cell) == ICL_METHOD_DUAL) return 2.0 * B * B * d + B * B / 2 + L * 2.0 * B * B * (T_max + 1) + checkpoints * 2.0 * B * d * d;
  return L * 4.0 * B * d * d * T_max + checkpoints * 2.0 * B * d * d;
}

PetscErrorCode ICLBilinearTrainShared(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W)
{
  PetscFunctionBegin;
  switch (ICLBilinearTrainMethod(cell)) {
  case ICL_METHOD_DUAL:
    PetscCall(ICLDualGDCheckpoints(p, cell->precision, L, lr, cp, W));
    break;
  case ICL_METHOD_GD:
    for (PetscInt l = 0; l < L; l++) {
      PetscCall(PetscArrayzero(W, (size_t)p->d * p->d));
      if (cell->precision == ICL_PRECISION_SINGLE) PetscCall(ICLBilinearGDSingleCheckpoints(p, lr[l], &cp[l], W));
      else PetscCall(ICLGradientDescentCheckpoints(p->comm, p->cancel, ICLBilinearLossGradCtx, (void *)p, lr[l], &cp[l], W));
    }
    break;
  default:
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_SUP, "-train_method %s has no checkpoints: its cells train alone", ICLTrainMethodName(ICLBilinearTrainMethod(cell)));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLBilinearGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome)
{
  PetscFunctionBegin;
  PetscCall(ICLGradientDescent(p->comm, p->cancel, p->history, ICLBilinearLossGradCtx, (void *)p, T, lr, W, loss, steps, outcome));
  PetscFunctionReturn(0);
}
