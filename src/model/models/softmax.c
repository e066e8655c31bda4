/* softmax: one-layer softmax attention, out = c sum_i y_i softmax_i(x_i^T A x_q) (docs/models.md,
 * DSS), with learned A (d x d) and scalar c, on gmm (out is the score), sphere (out are the
 * class logits) and distreg (out is y_hat). Trained by full-batch GD with -train_lr for
 * -train_steps on B training tasks drawn once as tokens (softmax_gd.h), from A = 0, c = 1:
 * A = 0 gives uniform attention (out = c times the context's mean label, the model that knows
 * nothing of the query), and c = 1 keeps that output on the scale of the labels; on sphere with
 * balanced contexts the first step from A = 0 is exactly c times the linear model's first
 * step (test_dss.c). Evaluated by Monte Carlo over the shared test tasks.
 *
 * The same code runs the two ablations (expkernel.c, normpoly.c: another score, same protocol)
 * and the one-step kernel-GD constructions (gd1_kernel.c, gd1_adaptive.c) of docs/dss.md, which
 * are this model at A = beta I, c = eta: softmax.h. */
#include "softmax.h"

#include "gd.h"

#include "gmm.h"
#include "mc_eval.h"
#include "softmax_gd.h"
#include "sphere.h"
#include "distreg.h"
#include "train_method.h"

static const PetscReal c_init = 1.0;

/* The constructions' width grid beta = 2^j (inputs are unit vectors, so |x_i^T x_q| <= 1 and
 * beta is the inverse squared width of the kernel exp(-||x_i - x_q||^2 / (2 sigma^2)) up to a
 * constant factor: beta = 1/sigma^2), and the number of test tasks of the distance diagnostic. */
enum { BETA_MIN_LOG2 = -2, BETA_MAX_LOG2 = 6, NBETA = BETA_MAX_LOG2 - BETA_MIN_LOG2 + 1, ETA_ITERATIONS = 30, DISTANCE_TASKS = 1000 };

PetscBool ICLAttentionSupports(const ICLFamily *f) { return f == &ICLFamilyGmm || f == &ICLFamilySphere || f == &ICLFamilyDistreg ? PETSC_TRUE : PETSC_FALSE; }
PetscBool ICLAttentionConstructionSupports(const ICLFamily *f) { return f == &ICLFamilySphere ? PETSC_TRUE : PETSC_FALSE; }

typedef struct {
  ICLAttentionScore score;
  PetscInt          d, C;
  const PetscReal  *theta; /* (A, c) */
} Predictor;

static PetscErrorCode Predict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  const Predictor *pr = (const Predictor *)ctx;

  PetscFunctionBegin;
  ICLAttention(pr->score, pr->d, M, pr->C, X, Y, xq, pr->theta, pr->theta[pr->d * pr->d], out);
  PetscFunctionReturn(0);
}

/* One pass over one task of M tokens, forward only (evaluation) or forward and backward. */
static PetscReal TaskFlops(PetscReal d, PetscReal M, PetscReal C, PetscBool backward) { return backward ? 4.0 * d * d + 4.0 * M * (d + C) + 8.0 * M : 2.0 * d * d + 2.0 * M * (d + C) + 4.0 * M; }

/* The Monte Carlo evaluation: sampling and one forward pass per test task and M. */
static PetscReal EvalFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  PetscReal       flops = ICLMonteCarloSampleFlops(cell);
  for (PetscInt a = 0; a < cell->nM; a++) flops += cell->eval_tasks * TaskFlops(d, cell->M[a], C, PETSC_FALSE);
  return flops;
}

/* Drawing the B training tasks' tokens (about 10 flop a number, as ICLMonteCarloSampleFlops). */
static PetscReal DrawFlops(const ICLCell *cell) { return 10.0 * cell->B * (cell->N + 1) * cell->task.d; }

/* The draw, T + 1 gradient passes, the Monte Carlo evaluation, and on sphere the distance
 * diagnostic's 2 NBETA + 1 forward passes over its test tasks. */
PetscReal ICLAttentionTrainedFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  PetscReal       flops = DrawFlops(cell) + cell->B * (cell->T + 1) * TaskFlops(d, cell->N, C, PETSC_TRUE) + EvalFlops(cell);
  if (ICLAttentionConstructionSupports(cell->family)) flops += PetscMin(cell->eval_tasks, DISTANCE_TASKS) * (2 * NBETA + 1) * (TaskFlops(d, cell->N, C, PETSC_FALSE) + 10.0 * (cell->N + 1) * d);
  return flops;
}

/* The draw, the eta search's loss passes at every beta, the evaluation. */
PetscReal ICLAttentionTrainedEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.1;
}

PetscReal ICLAttentionConstructionFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  return DrawFlops(cell) + cell->B * NBETA * (ETA_ITERATIONS + 2) * TaskFlops(d, cell->N, C, PETSC_FALSE) + EvalFlops(cell);
}

/* Per rank: B/g tasks of N tokens (inputs and targets), query and scratch; A and its gradient. */
PetscReal ICLAttentionMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, C = cell->family->outputs(&cell->task);
  return sizeof(PetscReal) * ((PetscReal)cell->B / g * (cell->N * (d + C) + 2.0 * d + C) + (g > 1 ? 3 : 2) * d * d + 4.0 * 2048 * d);
}

/* The constructions: construction k of the distance diagnostic has score kind[k]. */
static const ICLAttentionScore construction_score[] = {ICL_SCORE_EXP, ICL_SCORE_SOFTMAX};
static const char *const       construction_name[]  = {"gd1_kernel", "gd1_adaptive"};
/* The trained model of each score (ICLAttentionScore order), for messages. */
static const char *const trained_name[] = {"softmax", "expkernel", "normpoly"};

/* theta = (beta I, eta). At c = 1 the exp kernel's outputs reach exp(beta): this is the scale
 * eta is searched and fitted relative to, so every beta sees logits of order 1 at eta = 1. */
static PetscReal OutputScale(ICLAttentionScore score, PetscReal beta) { return score == ICL_SCORE_EXP ? PetscExpReal(beta) : 1.0; }

static void SetConstruction(PetscInt d, PetscReal beta, PetscReal eta, PetscReal *theta)
{
  for (PetscInt e = 0; e < d * d; e++) theta[e] = e % (d + 1) ? 0.0 : beta;
  theta[d * d] = eta;
}

/* Class logits minus their mean: cross-entropy and argmax do not see a shift shared by all
 * classes, so the distance ignores it. */
static void Center(PetscInt C, PetscReal *f)
{
  PetscReal m = 0.0;
  for (PetscInt c = 0; c < C; c++) m += f[c] / C;
  for (PetscInt c = 0; c < C; c++) f[c] -= m;
}

static PetscReal Dot(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal s = 0.0;
  for (PetscInt i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* gd_distance of a trained model f: over the constructions g (both scores, every beta of the
 * grid) with eta fitted by least squares, the smallest
 *   min_{eta >= 0} || f - eta g || / || f || = sqrt(1 - cos^2(f, g)) (1 where cos < 0),
 * norms over the centred logits of the first DISTANCE_TASKS test tasks at N tokens. */
static PetscErrorCode ConstructionDistance(const ICLCell *cell, ICLAttentionScore score, const PetscReal *theta, ICLCellResult *res)
{
  const ICLFamily *fam  = cell->family;
  ICLTaskParams    test = cell->task;
  const PetscInt   d = test.d, N = cell->N, C = fam->outputs(&test), n = PetscMin(cell->eval_tasks, DISTANCE_TASKS), K = 2 * NBETA;
  PetscReal       *X, *Y, *xq, *yq, *f, *g, *A, *sums, best = PETSC_MAX_REAL;
  PetscInt         j0, nj, kbest = -1;

  PetscFunctionBegin;
  test.R = cell->eval_R;
  PetscCall(PetscMalloc7((size_t)N * d, &X, (size_t)N * C, &Y, d, &xq, C, &yq, C, &f, C, &g, (size_t)d * d + 1, &A));
  PetscCall(PetscCalloc1(1 + 2 * K, &sums));
  PetscCall(ICLGroupShare(cell->comm, n, &j0, &nj));
  for (PetscInt j = j0; j < j0 + nj; j++) {
    PetscCheck(fam->tokens(&test, (int)N, ICL_PURPOSE_TEST_TASK, (uint64_t)j, X, Y, xq, yq) == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "invalid %s task options for test task %d", fam->name, (int)j);
    ICLAttention(score, d, N, C, X, Y, xq, theta, theta[d * d], f);
    Center(C, f);
    sums[0] += Dot(C, f, f);
    for (PetscInt k = 0; k < K; k++) {
      const ICLAttentionScore s    = construction_score[k / NBETA];
      const PetscReal         beta = PetscPowReal(2.0, BETA_MIN_LOG2 + k % NBETA);
      SetConstruction(d, beta, 1.0 / OutputScale(s, beta), A);
      ICLAttention(s, d, N, C, X, Y, xq, A, A[d * d], g);
      Center(C, g);
      sums[1 + 2 * k] += Dot(C, f, g), sums[2 + 2 * k] += Dot(C, g, g);
    }
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(1 + 2 * K), MPIU_REAL, MPI_SUM, cell->comm));
  for (PetscInt k = 0; k < K && sums[0] > 0.0; k++) {
    const PetscReal fg = sums[1 + 2 * k], gg = sums[2 + 2 * k];
    const PetscReal dist = fg > 0.0 && gg > 0.0 ? PetscSqrtReal(PetscMax(0.0, 1.0 - fg / sums[0] * (fg / gg))) : 1.0;
    if (dist < best) best = dist, kbest = k;
  }
  if (kbest >= 0) {
    res->gd_distance = best;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "nearest one-step construction: %s with beta %g (gd_distance %.4g)", construction_name[kbest / NBETA], (double)PetscPowReal(2.0, BETA_MIN_LOG2 + kbest % NBETA), (double)best));
  }
  PetscCall(PetscFree7(X, Y, xq, yq, f, g, A));
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLAttentionTrainedRun(const ICLCell *cell, ICLAttentionScore score, ICLCellResult *res)
{
  const PetscInt    d = cell->task.d;
  PetscReal        *theta;
  ICLSoftmaxProblem prob;

  PetscFunctionBegin;
  PetscCall(ICLTrainMethodCheckGD(cell, trained_name[score]));
  PetscCall(PetscCalloc1((size_t)d * d + 1, &theta));
  theta[d * d] = c_init;
  PetscCall(ICLSoftmaxProblemCreate(cell, score, &prob));
  PetscCall(ICLGDTrainCell(cell, ICLSoftmaxLossGrad, &prob, theta, res));
  PetscCall(ICLSoftmaxProblemDestroy(&prob));
  res->flops = ICLAttentionTrainedFlops(cell);
  if (res->status == ICL_STATUS_OK) {
    Predictor pr = {.score = score, .d = d, .C = cell->family->outputs(&cell->task), .theta = theta};
    PetscCall(ICLMonteCarloError(cell, Predict, &pr, res->test_error, res->test_error_se));
    if (ICLAttentionConstructionSupports(cell->family)) PetscCall(ConstructionDistance(cell, score, theta, res));
  }
  PetscCall(PetscFree(theta));
  PetscFunctionReturn(0);
}

/* The training loss at theta = (beta I, 2^t / scale); PETSC_MAX_REAL where it is not finite. */
static PetscErrorCode LossAt(ICLSoftmaxProblem *prob, PetscReal beta, PetscReal scale, PetscReal t, PetscReal *theta, PetscReal *loss)
{
  PetscFunctionBegin;
  SetConstruction(prob->d, beta, PetscPowReal(2.0, t) / scale, theta);
  PetscCall(ICLSoftmaxLossGrad(prob, theta, loss, 0.0, NULL));
  if (!PetscIsNormalReal(*loss) && *loss != 0.0) *loss = PETSC_MAX_REAL;
  PetscFunctionReturn(0);
}

/* At every beta of the grid, eta by golden-section search on t = log2(eta scale) in [-10, 20]:
 * the outputs are linear in eta and the cross-entropy is convex in the logits, so the loss is
 * convex in eta, hence unimodal in t. 30 iterations leave t within 30 * 0.618^30 ~ 2e-5 of the
 * minimizer. The test error depends on beta only (eta > 0 does not move the argmax). */
PetscErrorCode ICLAttentionConstructionRun(const ICLCell *cell, ICLAttentionScore score, ICLCellResult *res)
{
  const PetscInt    d = cell->task.d;
  const PetscReal   phi = 0.5 * (PetscSqrtReal(5.0) - 1.0);
  PetscReal        *theta, best = PETSC_MAX_REAL, beta_best = 0.0, eta_best = 0.0;
  ICLSoftmaxProblem prob;

  PetscFunctionBegin;
  PetscCheck(ICLAttentionConstructionSupports(cell->family), PETSC_COMM_SELF, PETSC_ERR_SUP, "%s does not support family %s", construction_name[score == ICL_SCORE_EXP ? 0 : 1], cell->family->name);
  PetscCheck(score != ICL_SCORE_POLY2, PETSC_COMM_SELF, PETSC_ERR_SUP, "no one-step construction with the poly2 score");
  PetscCall(PetscCalloc1((size_t)d * d + 1, &theta));
  PetscCall(ICLSoftmaxProblemCreate(cell, score, &prob));
  for (PetscInt j = BETA_MIN_LOG2; j <= BETA_MAX_LOG2; j++) {
    const PetscReal beta = PetscPowReal(2.0, j), scale = OutputScale(score, beta);
    PetscReal       a = -10.0, b = 20.0, t1 = b - phi * (b - a), t2 = a + phi * (b - a), l1, l2;
    PetscCall(LossAt(&prob, beta, scale, t1, theta, &l1));
    PetscCall(LossAt(&prob, beta, scale, t2, theta, &l2));
    for (PetscInt it = 0; it < ETA_ITERATIONS; it++) {
      if (l1 <= l2) {
        b = t2, t2 = t1, l2 = l1, t1 = b - phi * (b - a);
        PetscCall(LossAt(&prob, beta, scale, t1, theta, &l1));
      } else {
        a = t1, t1 = t2, l1 = l2, t2 = a + phi * (b - a);
        PetscCall(LossAt(&prob, beta, scale, t2, theta, &l2));
      }
    }
    if (PetscMin(l1, l2) < best) best = PetscMin(l1, l2), beta_best = beta, eta_best = PetscPowReal(2.0, l1 <= l2 ? t1 : t2) / scale;
  }
  PetscCall(ICLSoftmaxProblemDestroy(&prob));
  res->steps      = 1;
  res->train_loss = best;
  res->flops      = ICLAttentionConstructionFlops(cell);
  if (!(best < PETSC_MAX_REAL)) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "no finite training loss on the width and step grid"));
  } else {
    Predictor pr = {.score = score, .d = d, .C = cell->family->outputs(&cell->task), .theta = theta};
    SetConstruction(d, beta_best, eta_best, theta);
    PetscCall(ICLMonteCarloError(cell, Predict, &pr, res->test_error, res->test_error_se));
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "beta %g, eta %.6g", (double)beta_best, (double)eta_best));
    res->status = ICL_STATUS_OK;
  }
  PetscCall(PetscFree(theta));
  PetscFunctionReturn(0);
}

static PetscErrorCode SoftmaxRun(const ICLCell *cell, ICLCellResult *res) { return ICLAttentionTrainedRun(cell, ICL_SCORE_SOFTMAX, res); }

const ICLModelType ICLModelSoftmax = {
  .name        = "softmax",
  .description = "softmax attention c sum_i y_i softmax_i(x_i^T A x_q), A and c trained by full-batch GD from A = 0, c = 1",
  .supports    = ICLAttentionSupports,
  .run         = SoftmaxRun,
  .flops       = ICLAttentionTrainedFlops,
  .efficiency  = ICLAttentionTrainedEfficiency,
  .memory      = ICLAttentionMemory,
  .reads       = ICL_READS_TRAINING,
};
