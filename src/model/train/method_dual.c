/* -train_method dual (alias kernel, its name in option files of earlier versions): GD's
 * iterates in the B x B dual form (dual_gd.h): 2 B^2 d flop once, 2 B^2 a step; K in floats
 * with -train_precision single. */
#include "train_method.h"
#include "dual_gd.h"

/* A GD step is a GEMM; a dual step is a symmetric matrix-vector product with K, which streams
 * B^2/2 words from memory and runs about this many times slower per flop (measured here,
 * OpenBLAS, one thread, B = 20000: dsymv 9.1 vs DGEMM 54.7 GFLOP/s); auto weighs the dual
 * steps by it. bench/run.sh section 5 times one cell both ways. */
#define ICL_MATVEC_SLOWDOWN 6.0

/* auto takes the dual form only while B^2 words fit this many bytes (K's upper triangle is half
 * of them; the rule is the one of versions that stored the whole square, so auto's choices,
 * and the results of sweeps that rely on them, stay); a rank short of the memory is told so
 * before anything runs (memory_hint). */
#define ICL_DUAL_AUTO_BYTES 4e9

/* Two Gram products over K's upper triangle, their entrywise product, T + 1 products K alpha,
 * and W from alpha. */
static PetscReal DualFlopsWeighted(PetscReal B, PetscReal d, PetscReal T, PetscReal matvec_weight) { return 2.0 * B * B * d + B * B / 2 + matvec_weight * 2.0 * B * B * (T + 1) + 2.0 * B * d * d; }

static PetscReal DualFlops(PetscReal B, PetscReal d, PetscReal T) { return DualFlopsWeighted(B, d, T, 1.0); }

/* Bytes of one entry of K: floats under -train_precision single. */
static PetscReal DualWord(const ICLCell *cell) { return cell->precision == ICL_PRECISION_SINGLE ? sizeof(float) : sizeof(PetscReal); }

static PetscReal DualAutoCost(const ICLCell *cell)
{
  const PetscReal B = cell->B;
  return B * B * DualWord(cell) <= ICL_DUAL_AUTO_BYTES ? DualFlopsWeighted(B, cell->task.d, cell->T, ICL_MATVEC_SLOWDOWN) : PETSC_INFINITY;
}

/* K's rows, two Gram blocks, alpha and two more vectors (single: float copies of alpha, s and
 * the whole stacks), and in a group the gathered stacks */
static PetscReal DualMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal B = cell->B, d = cell->task.d, b = B / g;
  return ICLDualKWords(B, b) * DualWord(cell) / sizeof(PetscReal) + 2.0 * b * ICL_GRAM_BLOCK + B + 2.0 * b + (cell->precision == ICL_PRECISION_SINGLE ? (B + b) / 2.0 + B * d : 0.0) + (g > 1 ? 2.0 * B * d : 0.0);
}

static PetscErrorCode DualTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r)
{
  PetscFunctionBegin;
  PetscCall(ICLDualGD(p, cell->precision, cell->T, cell->lr, W, &r->loss, &r->steps, &r->outcome));
  r->flops = DualFlops(p->B, p->d, r->steps);
  PetscFunctionReturn(0);
}

/* One K for all step sizes, plus each checkpoint's W from alpha. */
static PetscReal DualSharedFlops(PetscReal B, PetscReal d, PetscInt L, PetscInt T_max, PetscInt checkpoints) { return 2.0 * B * B * d + B * B / 2 + L * 2.0 * B * B * (T_max + 1) + checkpoints * 2.0 * B * d * d; }

static PetscErrorCode DualTrainShared(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W)
{
  PetscFunctionBegin;
  PetscCall(ICLDualGDCheckpoints(p, cell->precision, L, lr, cp, W));
  PetscFunctionReturn(0);
}

const ICLTrainMethodType ICLTrainMethodDual = {
  .name         = "dual",
  .alias        = "kernel",
  .help         = "B x B dual form, same iterates",
  .step         = "dual-form GD step",
  .gd_iterates  = PETSC_TRUE,
  .single       = PETSC_TRUE,
  .memory_hint  = "-train_method dual (auto's choice where it is cheaper) keeps a B x B matrix (B = -train_tasks, rows split over a group): use -train_method gd, lower -train_tasks, or raise -group_size",
  .flops        = DualFlops,
  .memory       = DualMemory,
  .auto_cost    = DualAutoCost,
  .train        = DualTrain,
  .shares       = ICL_SHARE_STEPS | ICL_SHARE_LR,
  .shared_flops = DualSharedFlops,
  .train_shared = DualTrainShared,
};
