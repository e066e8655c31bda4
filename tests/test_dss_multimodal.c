/* DSS where its claim should hold (docs/dss.md): multi-modal classes and the one-step kernel-GD
 * constructions.
 *
 * (a) Each construction is one functional GD step. From f = 0, one step of size eta on the
 * context's cross-entropy (1/N) sum_i CE(f(x_i), y_i) in the RKHS of k(x, x') = exp(beta x^T x')
 * gives f_1(x_q) = (eta/N) sum_i (y_i - 1/C) k(x_i, x_q) (kernel GD), and with the
 * context-adaptive step eta N / sum_j k(x_j, x_q) the adaptive step. Written with plain loops
 * here, they must equal, up to a shift shared by all classes (cross-entropy and argmax ignore
 * it), the attention forward passes at A = beta I, c = eta (score exp, resp. softmax): 1e-12
 * relative. Negative control: the kernel step is not the adaptive one.
 *
 * (b) The grid search: gd1_kernel and gd1_adaptive run on a tiny cell (d = 3, N = 6, B = 50);
 * their reported training loss must be the minimum of the closed form's training loss over
 * the beta grid and a fine eta grid (brute force, log2 eta in steps of 1/64), to 1e-3
 * relative, and not below it by more than 1e-4 relative (the search is finer than the grid); their test error must equal the Monte
 * Carlo error of the closed form at the reported (beta, eta) exactly (same test tasks).
 *
 * (c) At P = 3 prototypes per class, d = k = 8, 2 classes, R = 3, N = M = 20: trained softmax
 * attention beats trained linear attention by more than 5 combined standard errors
 * sqrt(se_linear^2 + se_softmax^2) (B = 1000 tasks, T = 300, eta = 2, 2000 test tasks). */
#include <stdlib.h>

#include <petscsys.h>

#include "check.h"
#include "check_margin.h"
#include "gmm.h"
#include "mc_eval.h"
#include "method_gd.h"
#include "model.h"
#include "softmax_attention.h"
#include "sphere.h"

enum { BETA_MIN_LOG2 = -2, BETA_MAX_LOG2 = 6 }; /* the grid of softmax.c, restated */

/* The one-step closed form at x_q: kernel GD (adaptive false) or its adaptive-step variant. */
static void ClosedForm(PetscBool adaptive, PetscInt d, PetscInt N, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal beta, PetscReal eta, PetscReal *f)
{
  PetscReal mass = 0.0;
  for (PetscInt c = 0; c < C; c++) f[c] = 0.0;
  for (PetscInt i = 0; i < N; i++) {
    PetscReal s = 0.0;
    for (PetscInt j = 0; j < d; j++) s += X[i * d + j] * xq[j];
    const PetscReal k = exp(beta * s);
    mass += k / N;
    for (PetscInt c = 0; c < C; c++) f[c] += eta / N * (Y[i * C + c] - 1.0 / C) * k;
  }
  if (adaptive)
    for (PetscInt c = 0; c < C; c++) f[c] /= mass;
}

/* max_c |(a_c - mean a) - (b_c - mean b)| */
static PetscReal ShiftFreeGap(PetscInt C, const PetscReal *a, const PetscReal *b)
{
  PetscReal ma = 0.0, mb = 0.0, gap = 0.0;
  for (PetscInt c = 0; c < C; c++) ma += a[c] / C, mb += b[c] / C;
  for (PetscInt c = 0; c < C; c++) gap = PetscMax(gap, fabs(a[c] - ma - b[c] + mb));
  return gap;
}

static void Construction(PetscInt d, PetscReal beta, PetscReal eta, PetscReal *A)
{
  for (PetscInt e = 0; e < d * d; e++) A[e] = e % (d + 1) ? 0.0 : beta;
  A[d * d] = eta;
}

static PetscErrorCode OneStep(void)
{
  enum { d = 4, C = 3, N = 7 };
  const ICLTaskParams p = {.d = d, .k = 3, .R = 1.5, .seed = 7, .classes = C, .prototypes = 2};
  PetscReal           X[N * d], Y[N * C], xq[d], yq[C], A[d * d + 1], out[C], ref[C], other[C], worst = 0.0, control = PETSC_MAX_REAL;

  PetscFunctionBegin;
  for (int t = 0; t < 20; t++) {
    CHECK(ICLFamilySphere.tokens(&p, N, ICL_PURPOSE_TEST_TASK, (uint64_t)t, X, Y, xq, yq) == 0, "tokens");
    for (int adaptive = 0; adaptive < 2; adaptive++) {
      const PetscReal beta = 0.5 + t % 5, eta = 1.7;
      Construction(d, beta, eta, A);
      ICLAttention(adaptive ? ICL_SCORE_SOFTMAX : ICL_SCORE_EXP, d, N, C, X, Y, xq, A, A[d * d], out);
      ClosedForm((PetscBool)adaptive, d, N, C, X, Y, xq, beta, eta, ref);
      ClosedForm((PetscBool)!adaptive, d, N, C, X, Y, xq, beta, eta, other);
      PetscReal scale = 0.0;
      for (int c = 0; c < C; c++) scale = PetscMax(scale, fabs(ref[c]));
      worst   = PetscMax(worst, ShiftFreeGap(C, out, ref) / scale);
      control = PetscMin(control, ShiftFreeGap(C, out, other) / scale);
    }
  }
  printf("one step: max relative gap to the closed forms %.3g; to the other construction at least %.3g\n", worst, control);
  CHECK(worst < 1e-12, "constructions vs closed forms: %.3g", worst);
  CHECK(control > 1e-3, "negative control: kernel and adaptive steps agree (%.3g)", control);
  PetscFunctionReturn(0);
}

typedef struct {
  PetscBool adaptive;
  PetscReal beta, eta;
} ClosedFormCtx;

static PetscErrorCode PredictClosedForm(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  const ClosedFormCtx *c = (const ClosedFormCtx *)ctx;
  PetscFunctionBegin;
  ClosedForm(c->adaptive, 3, M, 2, X, Y, xq, c->beta, c->eta, out);
  PetscFunctionReturn(0);
}

static PetscErrorCode GridSearch(void)
{
  enum { d = 3, C = 2, N = 6, B = 50 };
  const PetscInt  M[] = {6};
  const ICLCell   cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilySphere, .task = {.d = d, .k = 3, .R = 1.0, .seed = 2, .prototypes = 2}, .N = N, .eval_R = 1.0, .B = B, .M = M, .nM = 1, .eval_tasks = 500};
  const char     *names[] = {"gd1_kernel", "gd1_adaptive"};
  static PetscReal X[B][N * d], Y[B][N * C], Q[B][d], Yq[B][C];

  PetscFunctionBegin;
  for (int t = 0; t < B; t++) CHECK(ICLFamilySphere.tokens(&cell.task, N, ICL_PURPOSE_TASK, (uint64_t)t, X[t], Y[t], Q[t], Yq[t]) == 0, "training tokens");
  for (int a = 0; a < 2; a++) {
    const ICLModelType *model = ICLModelFind(names[a]);
    PetscReal           err, se, err2, se2, brute = PETSC_MAX_REAL, beta, eta;
    ICLCellResult       res = {.test_error = &err, .test_error_se = &se, .gd_distance = NAN};

    CHECK(model && model->supports(&ICLFamilySphere) && !model->supports(&ICLFamilyGmm), "%s registered for sphere only", names[a]);
    PetscCall(model->run(&cell, &res));
    CHECK(res.status == ICL_STATUS_OK && sscanf(res.message, "beta %lf, eta %lf", &beta, &eta) == 2, "%s: status %d, message '%s'", names[a], (int)res.status, res.message);
    for (int jb = BETA_MIN_LOG2; jb <= BETA_MAX_LOG2; jb++)
      for (int je = -64 * 110; je <= 64 * 30; je++) {
        const PetscReal b = PetscPowReal(2.0, jb), e = PetscPowReal(2.0, je / 64.0);
        PetscReal       loss = 0.0;
        for (int t = 0; t < B; t++) {
          PetscReal f[C], top = -INFINITY, z = 0.0;
          ClosedForm((PetscBool)a, d, N, C, X[t], Y[t], Q[t], b, e, f);
          for (int c = 0; c < C; c++) top = PetscMax(top, f[c]);
          for (int c = 0; c < C; c++) z += exp(f[c] - top);
          for (int c = 0; c < C; c++) loss += Yq[t][c] * (top + log(z) - f[c]) / B;
        }
        brute = PetscMin(brute, loss);
      }
    printf("%s: beta %g, eta %.6g, training loss %.8f (brute force %.8f), test error %.4f +- %.4f\n", names[a], beta, eta, res.train_loss, brute, err, se);
    CHECK(res.train_loss <= brute * (1 + 1e-3) && res.train_loss >= brute * (1 - 1e-4), "%s: training loss %.8g vs brute-force minimum %.8g", names[a], res.train_loss, brute);
    ClosedFormCtx cf = {(PetscBool)a, beta, eta};
    PetscCall(ICLMonteCarloError(&cell, PredictClosedForm, &cf, &err2, &se2));
    CHECK(err == err2, "%s: test error %.6g vs the closed form's %.6g", names[a], err, err2);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SoftmaxBeatsLinear(void)
{
  const PetscInt M[] = {20};
  const ICLCell  cell = {
     .comm = PETSC_COMM_SELF, .family = &ICLFamilySphere, .task = {.d = 8, .k = 8, .R = 3.0, .seed = 1, .prototypes = 3}, .N = 20, .eval_R = 3.0, .B = 1000, .T = 300, .lr = 2.0, .M = M, .nM = 1, .eval_tasks = 2000, .method = &ICLTrainMethodGd};

  PetscFunctionBegin;
  PetscCall(CheckBeats(&cell, "softmax", "linear", "P = 3"));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBegin;
  PetscCall(OneStep());
  PetscCall(GridSearch());
  PetscCall(SoftmaxBeatsLinear());
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_dss_multimodal")
