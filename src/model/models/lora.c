/* lora: LoRA adaptation of linear attention on linreg (docs/lro.md). A base W_0 from the source
 * law (cell->source: the cell's law with -source_spectrum and -source_alignment), then
 * W = W_0 + A B^T with A, B d x r (r = -rank) trained by full-batch GD on the target law (the
 * cell's) with W_0 frozen, evaluated like linear.
 *   W_0   -lora_base trained (default): linear trained on B source tasks by the cell's method;
 *         -lora_base optimal: N W*_source, the source law's closed-form optimum at length N.
 *   start A = 0 and B = 0.1/sqrt(d) N(0, 1) from (seed, ICL_PURPOSE_MODEL_INIT, (d, r, "lora"),
 *         replicate), so W = W_0 at step 0 (the LoRA start; dL/dA = G B is not zero there).
 *   tasks source task t draws from ICL_PURPOSE_SOURCE streams (linreg.h), independent of
 *         target task t; the target's B tasks are linear's.
 * r = 0 is W_0 itself, untrained. */
#include <petscsys.h>

#include "bilinear_train.h"
#include "linreg.h"
#include "linreg_risk.h"
#include "lowrank.h"
#include "merged_error.h"
#include "rng.h"

static PetscBool LoraSupports(const ICLFamily *f) { return f == &ICLFamilyLinreg ? PETSC_TRUE : PETSC_FALSE; }
static const char *LoraParams(const ICLFamily *f)
{
  (void)f;
  return "rank,lora_base,source_spectrum,source_alignment";
}

/* W_0 (normalized, x_q^T W_0 h) from the source law; Fx holds the source's Sigma_x factor. */
static PetscErrorCode Base(const ICLCell *cell, PetscReal *Fx, PetscReal *W0, ICLCellResult *res)
{
  ICLCell          src = *cell;
  ICLMergedProblem prob;
  ICLTrainResult   train;

  PetscFunctionBegin;
  if (src.source.x_spectrum != ICL_SPECTRUM_FLAT) {
    PetscCheck(ICLLinregFeatureFactor(&src.source, Fx) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid source x_spectrum or alignment");
    src.source.factor_x = Fx;
  }
  src.task = src.source;
  if (cell->lora_base) {
    PetscCall(ICLLinregOptimalBase(cell->comm, &src.task, cell->N, W0));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscArrayzero(W0, cell->task.d * cell->task.d));
  PetscCall(ICLMergedProblemCreate(&src, &prob));
  PetscCall(ICLBilinearTrain(&src, &prob.bilinear, W0, &train));
  PetscCall(ICLMergedProblemDestroy(&prob));
  res->flops = train.flops;
  res->steps = train.steps;
  PetscCall(ICLTrainOutcomeApply(train.outcome, "source GD step of W_0", res));
  PetscFunctionReturn(0);
}

static void InitFactors(const ICLCell *cell, PetscReal *A, PetscReal *B)
{
  const PetscInt  d = cell->task.d, r = cell->w_rank;
  const PetscReal scale = 0.1 / PetscSqrtReal((PetscReal)d);
  ICLStream       s;
  ICLStreamInit(&s, cell->task.seed, ICL_PURPOSE_MODEL_INIT, ICLHashU64(ICLHashU64(ICLHashU64(ICLHashInit(), (uint64_t)d), (uint64_t)r), 0x6c6f7261 /* "lora" */), cell->task.replicate, 0);
  PetscArrayzero(A, d * r);
  ICLStreamNormals(&s, (size_t)(d * r), B);
  for (PetscInt i = 0; i < d * r; i++) B[i] *= scale;
}

static PetscErrorCode LoraRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt   d = cell->task.d, r = cell->w_rank;
  PetscReal       *W0, *Fx, *x, base_flops;
  ICLMergedProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLTrainMethodCheckGD(cell, "lora"));
  PetscCheck(r >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "lora needs -rank r >= 0 (got %d)", (int)r);
  PetscCall(PetscMalloc3(d * d, &W0, d * d, &Fx, 2 * d * PetscMax(r, 1), &x));
  res->status = ICL_STATUS_OK;
  res->flops  = 0.0;
  PetscCall(Base(cell, Fx, W0, res));
  base_flops = res->flops;
  if (res->status == ICL_STATUS_OK && r == 0) {
    res->steps = 0;
    PetscCall(ICLMergedError(cell, W0, res->test_error, res->test_error_se));
    res->flops += ICLMergedErrorFlops(cell);
  } else if (res->status == ICL_STATUS_OK) {
    PetscCall(ICLMergedProblemCreate(cell, &prob));
    InitFactors(cell, x, x + d * r);
    PetscCall(ICLLowrankFit(cell, &prob, W0, x, res));
    PetscCall(ICLMergedProblemDestroy(&prob));
    res->flops += base_flops;
  }
  PetscCall(PetscFree3(W0, Fx, x));
  PetscFunctionReturn(0);
}

/* The source's W_0 (linear's training on the source law, or a d x d solve) and the adaptation. */
static PetscReal BaseFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d;
  return cell->lora_base ? 4.0 * d * d * d : ICLBilinearTrainFlops(cell);
}

static PetscReal LoraFlops(const ICLCell *cell) { return BaseFlops(cell) + (cell->w_rank > 0 ? ICLLowrankFitFlops(cell) : ICLMergedErrorFlops(cell)); }

static PetscReal LoraMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, fit = ICLLowrankFitMemory(cell, g);
  return sizeof(PetscReal) * 2.0 * d * d + (cell->lora_base ? fit : PetscMax(fit, ICLBilinearTrainMemory(cell, g)));
}

/* The cost model's efficiency (ICLModelType): the base W_0 and its rank-r correction, thin factors. */
static PetscReal LoraEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.065;
}

const ICLModelType ICLModelLora = {
  .name        = "lora",
  .description = "linreg: W = W_0 + A B^T, W_0 trained (or optimal) on the source law, A B^T of rank -rank trained by GD on the target from A = 0",
  .supports    = LoraSupports,
  .run         = LoraRun,
  .flops       = LoraFlops,
  .efficiency  = LoraEfficiency,
  .memory      = LoraMemory,
  .reads       = ICL_READS_TRAINING,
  .params      = LoraParams,
};
