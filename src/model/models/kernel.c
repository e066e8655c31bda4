/* kernel: linear attention with a feature map (docs/models.md),
 *   output_c = (1/N) sum_i Y_ic phi(W_K x_i)^T phi(W_Q x_q),   phi = -feature_map, D = -features,
 * on every family (gmm: the sign of the score; sphere: one score per class; linreg, distreg:
 * the value), trained by full-batch GD with a constant step on B training tasks drawn once as
 * tokens, with the family's loss (kernel_attention.h). The B tasks are split over the group.
 * Always by direct GD whatever -train_method: the B x B dual form needs a model bilinear in
 * its parameters, which phi(W_K x)^T phi(W_Q x_q) is not.
 *
 * Initialization W_K = W_Q = I / sqrt(d), so W_K^T W_Q = I / d: with phi = prf the model starts
 * at the unnormalized attention kernel exp(x_i^T x_q / d) (the distill teacher's, distill.c), with
 * phi = identity at the plug-in (1/N) sum_i y_i x_i^T x_q / d. The scale is small on purpose: the
 * prf estimate of exp(q^T k) has relative variance ~ E exp(|q + k|^2), infinite for Gaussian
 * inputs once W_K^T W_Q = I / sqrt(d) with d <= 16. (W = 0, the linear model's start, has zero
 * gradient here: both factors would stay 0.)
 * Evaluated by Monte Carlo on the shared test tasks (mc_eval.h); alignment is that of
 * W_K^T W_Q. */
#include "kernel.h"

#include <petscblaslapack.h>

#include "alignment.h"
#include "gd.h"
#include "group.h"
#include "rng.h"

/* Working memory of one training block: tasks are processed this many words at a time. */
#define BLOCK_WORDS (1 << 20)

static PetscInt MaxM(const ICLCell *cell)
{
  PetscInt m = cell->N;
  for (PetscInt a = 0; a < cell->nM; a++) m = PetscMax(m, cell->M[a]);
  return m;
}

static PetscInt BlockTasks(const ICLCell *cell, PetscInt width, PetscInt nb)
{
  const PetscInt per_task = cell->N * 2 * (cell->task.d + width);
  return PetscMax(1, PetscMin(nb, BLOCK_WORDS / PetscMax(per_task, 1)));
}

PetscErrorCode ICLKernelFitPredict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  ICLKernelFit *fit = (ICLKernelFit *)ctx;

  PetscFunctionBegin;
  PetscCall(ICLKernelAttentionPredict(&fit->ws, fit->W, M, X, Y, xq, out));
  PetscFunctionReturn(0);
}

/* Subspace alignment of the merged bilinear form W_K^T W_Q inside phi (the linear model's W
 * when phi = identity). */
static PetscErrorCode Alignment(const ICLCell *cell, const PetscReal *W, PetscReal *alignment)
{
  const PetscInt  d = cell->task.d;
  const PetscReal one = 1.0, zero = 0.0;
  PetscBLASInt    bd;
  PetscReal      *KQ;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscMalloc1((size_t)d * d, &KQ));
  PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bd, &bd, &bd, &one, W, &bd, W + (size_t)d * d, &bd, &zero, KQ, &bd));
  PetscCall(ICLSubspaceAlignment(d, cell->task.k, cell->task.U, KQ, alignment));
  PetscCall(PetscFree(KQ));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLKernelFitCell(const ICLCell *cell, ICLPredictFn teacher, void *tctx, ICLKernelFit *fit, ICLCellResult *res)
{
  const ICLFamily *fam = cell->family;
  const PetscInt   d = cell->task.d, B = cell->B, N = cell->N, C = fam->outputs(&cell->task);
  const PetscReal  w0 = 1.0 / PetscSqrtReal((PetscReal)d);
  PetscReal       *X, *Y, *Xq, *target, *grad;
  ICLKernelScratch train;
  ICLKernelProblem prob;
  PetscInt         b0, nb;

  PetscFunctionBegin;
  PetscCall(ICLFeatureMapCreate((ICLFeatureMapKind)cell->feature_map, d, cell->features, cell->task.seed, cell->task.replicate, &fit->phi));
  PetscCall(ICLKernelScratchCreate(&fit->phi, C, 1, MaxM(cell), &fit->ws));
  PetscCall(PetscCalloc1(2 * (size_t)d * d, &fit->W));
  for (PetscInt i = 0; i < d; i++) fit->W[i * (d + 1)] = fit->W[(size_t)d * d + i * (d + 1)] = w0;

  /* A group splits the training tasks by rows; task tau's draws are keyed by tau alone. */
  PetscCall(ICLGroupShare(cell->comm, B, &b0, &nb));
  PetscCall(PetscMalloc5((size_t)nb * N * d, &X, (size_t)nb * N * C, &Y, (size_t)nb * d, &Xq, (size_t)nb * C, &target, 2 * (size_t)d * d + 1, &grad));
  for (PetscInt t = 0; t < nb; t++) {
    PetscReal *Xt = X + (size_t)t * N * d, *Yt = Y + (size_t)t * N * C, *xq = Xq + (size_t)t * d, *yq = target + (size_t)t * C;
    PetscCheck(fam->tokens(&cell->task, (int)N, ICL_PURPOSE_TASK, (uint64_t)(b0 + t), Xt, Yt, xq, yq) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid %s task options for training task %d", fam->name, (int)(b0 + t));
    if (teacher) PetscCall(teacher(tctx, N, Xt, Yt, xq, yq));
  }
  PetscCall(ICLKernelScratchCreate(&fit->phi, C, BlockTasks(cell, fit->phi.width, nb), N, &train));
  prob = (ICLKernelProblem){.comm = cell->comm, .kind = teacher ? ICL_OUTPUT_REGRESSION : fam->kind, .B = B, .B_local = nb, .N = N, .X = X, .Y = Y, .Xq = Xq, .target = target, .ws = &train, .grad = grad};
  PetscCall(ICLGDTrainCell(cell, ICLKernelLossGrad, &prob, fit->W, res));
  res->flops = B * (3.0 * res->steps + 1.0) * ICLKernelAttentionFlops(fit->phi.kind, d, cell->features, N, C) + 10.0 * B * (N + 1.0) * d;
  if (res->status == ICL_STATUS_OK) {
    PetscCall(ICLMonteCarloError(cell, ICLKernelFitPredict, fit, res->test_error, res->test_error_se));
    PetscCall(Alignment(cell, fit->W, &res->alignment));
  }
  PetscCall(ICLKernelScratchDestroy(&train));
  PetscCall(PetscFree5(X, Y, Xq, target, grad));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLKernelFitDestroy(ICLKernelFit *fit)
{
  PetscFunctionBegin;
  PetscCall(ICLKernelScratchDestroy(&fit->ws));
  PetscCall(ICLFeatureMapDestroy(&fit->phi));
  PetscCall(PetscFree(fit->W));
  PetscFunctionReturn(0);
}

PetscReal ICLKernelFitFlops(const ICLCell *cell)
{
  const ICLFeatureMapKind kind = (ICLFeatureMapKind)cell->feature_map;
  const PetscInt          d = cell->task.d, C = cell->family->outputs(&cell->task);
  PetscReal               eval = 0.0;
  for (PetscInt a = 0; a < cell->nM; a++) eval += cell->eval_tasks * ICLKernelAttentionFlops(kind, d, cell->features, cell->M[a], C);
  return cell->B * (3.0 * cell->T + 1.0) * ICLKernelAttentionFlops(kind, d, cell->features, cell->N, C) + 10.0 * cell->B * (cell->N + 1.0) * d + eval + ICLMonteCarloSampleFlops(cell);
}

/* Per rank: B/g training tasks as tokens, one block of scratch, the test tokens and phi's omega. */
PetscReal ICLKernelFitMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task), P = ICLFeatureMapWidth((ICLFeatureMapKind)cell->feature_map, cell->task.d, cell->features);
  return sizeof(PetscReal) * (cell->B / (PetscReal)g * (cell->N + 1.0) * (d + C) + BLOCK_WORDS + 4.0 * MaxM(cell) * (d + P) + P * d + 2.0 * d * d);
}

static PetscBool KernelSupports(const ICLFamily *f) { return f ? PETSC_TRUE : PETSC_FALSE; }

const char *ICLKernelParams(const ICLFamily *f)
{
  (void)f;
  return "features,feature_map";
}

const char *ICLKernelChoices(const char *param, PetscInt *def)
{
  if (strcmp(param, "feature_map")) return NULL;
  *def = ICL_PHI_ELU1;
  return ICLFeatureMapNames();
}

static PetscErrorCode KernelRun(const ICLCell *cell, ICLCellResult *res)
{
  ICLKernelFit fit;

  PetscFunctionBegin;
  PetscCall(ICLKernelFitCell(cell, NULL, NULL, &fit, res));
  PetscCall(ICLKernelFitDestroy(&fit));
  PetscFunctionReturn(0);
}

/* The cost model's efficiency (ICLModelType): feature maps and sums over tokens of small d. */
static PetscReal KernelEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.6;
}

const ICLModelType ICLModelKernel = {
  .name        = "kernel",
  .description = "linear attention with a feature map phi: (1/N) sum_i y_i phi(W_K x_i)^T phi(W_Q x_q), trained by full-batch GD",
  .supports    = KernelSupports,
  .run         = KernelRun,
  .flops       = ICLKernelFitFlops,
  .efficiency  = KernelEfficiency,
  .memory      = ICLKernelFitMemory,
  .reads       = ICL_READS_TRAINING,
  .params      = ICLKernelParams,
  .choices     = ICLKernelChoices,
};
