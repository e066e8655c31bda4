/* Dragutinovic, Saxe & Singh on the sphere family.
 *
 * (a) One GD step from zero. With A = 0 softmax attention weighs the context uniformly, so
 * its output is c ybar, ybar = (1/N) sum_i y_i. With balanced contexts (C divides N) ybar =
 * (1/C) 1 exactly, so (i) the cross-entropy gradient at out = c ybar equals the one at zero
 * logits, g = 1/C - y_q, and (ii) ybar^T g = 0. Hence, exactly,
 *   grad_A L_softmax(0, c) = c grad_W L_linear(0),   dL_softmax/dc (0, c) = 0:
 * one GD step with step eta takes the softmax model from (0, c) to (c W_1, c), W_1 the linear
 * model's first step. Checked to 1e-10 relative on real sphere tasks, both against the
 * closed form W_1 = (eta/B) sum_tau H_tau^T (y_tau - 1/C) x_q^T written with loops. The two
 * one-step models then agree to first order: d/d epsilon of the softmax output with A =
 * epsilon W_1 at 0 is c [(1/M) sum_i y_i s_i - ybar sbar], s_i = x_i^T W_1 x_q, i.e. c times
 * the linear-attention logits of W_1 minus a constant shared by all classes (same argmax).
 * Checked by a central difference (epsilon = 1e-4): 1e-7 relative.
 *
 * (b) Trained softmax attention beats trained linear attention on 2-class sphere tasks
 * (default classes) with d = 10, k = 3, R = 4, N = M = 5: with an odd context one class has
 * one more example, and linear attention, which sums over examples, leans towards it; sharp
 * softmax attention follows the examples nearest the query instead. Same B = 2000 training
 * tasks, T = 300, eta = 2, same 4000 test tasks; the margin must exceed 5 standard errors,
 * sqrt(se_linear^2 + se_softmax^2) (conservative: common test tasks correlate the two). */
#include <petscsys.h>

#include "check.h"
#include "check_margin.h"
#include "method_gd.h"
#include "model.h"
#include "multiclass_gd.h"
#include "softmax_attention.h"
#include "softmax_gd.h"
#include "sphere.h"

static PetscErrorCode OneStep(void)
{
  enum { d = 8, C = 3, N = 6, B = 40 };
  const PetscReal      eta = 0.9, c0 = 1.3, eps = 1e-4;
  const ICLCell        cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilySphere, .task = {.d = d, .k = 4, .R = 2.0, .seed = 3, .classes = C}, .N = N, .B = B};
  ICLMulticlassProblem mp;
  ICLSoftmaxProblem    sp;
  PetscReal            W1[d * d] = {0}, W[d * d] = {0}, theta[d * d + 1] = {0}, loss, scale = 0.0, errW = 0.0, errA = 0.0;

  PetscFunctionBegin;
  PetscCall(ICLMulticlassProblemCreate(&cell, &mp));
  PetscCall(ICLSoftmaxProblemCreate(&cell, ICL_SCORE_SOFTMAX, &sp));
  /* closed form from the raw tokens: H_tau[c][i] = (1/N) sum_n Y[n][c] X[n][i] */
  for (int t = 0; t < B; t++) {
    const PetscReal *X = sp.X + t * N * d, *Y = sp.Y + t * N * C, *xq = sp.Q + t * d, *yq = sp.Yq + t * C;
    for (int i = 0; i < d; i++)
      for (int c = 0; c < C; c++) {
        PetscReal Hci = 0.0;
        for (int n = 0; n < N; n++) Hci += Y[n * C + c] * X[n * d + i] / N;
        for (int j = 0; j < d; j++) W1[j * d + i] += eta / B * Hci * (yq[c] - 1.0 / C) * xq[j];
      }
  }
  PetscCall(ICLMulticlassLossGrad(&mp, W, &loss, -eta, W));
  CHECK_NEAR(loss, log((double)C), 1e-12, "linear loss at W = 0");
  theta[d * d] = c0;
  PetscCall(ICLSoftmaxLossGrad(&sp, theta, &loss, -eta, theta));
  CHECK_NEAR(loss, log((double)C), 1e-12, "softmax loss at A = 0");
  for (int e = 0; e < d * d; e++) {
    scale = PetscMax(scale, fabs(W1[e]));
    errW  = PetscMax(errW, fabs(W[e] - W1[e]));
    errA  = PetscMax(errA, fabs(theta[e] - c0 * W1[e]));
  }
  printf("one step: max |W_1 - closed form| %.3g, max |A_1 - c W_1| %.3g, max |W_1| %.3g\n", errW, errA, scale);
  CHECK(scale > 0 && errW <= 1e-10 * scale, "linear W_1 vs closed form: max error %.3g (max |W_1| %.3g)", errW, scale);
  CHECK(errA <= 1e-10 * c0 * scale, "softmax A_1 vs c W_1: max error %.3g (max |c W_1| %.3g)", errA, c0 * scale);
  CHECK_NEAR(theta[d * d], c0, 1e-14, "softmax c after one step");

  /* First order on a test task of M = N tokens. */
  {
    PetscReal X[N * d], Y[N * C], xq[d], yq[C], A[d * d], op[C], om[C], s[N], sbar = 0.0;
    CHECK(ICLFamilySphere.tokens(&cell.task, N, ICL_PURPOSE_TEST_TASK, 0, X, Y, xq, yq) == 0, "test tokens");
    for (int n = 0; n < N; n++) {
      s[n] = 0.0;
      for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) s[n] += X[n * d + i] * W1[j * d + i] * xq[j];
      sbar += s[n] / N;
    }
    for (int e = 0; e < d * d; e++) A[e] = eps * W1[e];
    ICLSoftmaxAttention(d, N, C, X, Y, xq, A, c0, op);
    for (int e = 0; e < d * d; e++) A[e] = -eps * W1[e];
    ICLSoftmaxAttention(d, N, C, X, Y, xq, A, c0, om);
    for (int c = 0; c < C; c++) {
      PetscReal lin = 0.0, ybar = 0.0;
      for (int n = 0; n < N; n++) lin += Y[n * C + c] * s[n] / N, ybar += Y[n * C + c] / N;
      const PetscReal ref = c0 * (lin - ybar * sbar), fd = (op[c] - om[c]) / (2 * eps);
      printf("first order, class %d: %.12g vs %.12g\n", c, fd, ref);
      CHECK(fabs(fd - ref) <= 1e-7 * (1e-3 + fabs(ref)), "class %d: d out/d epsilon %.12g vs linear attention %.12g", c, fd, ref);
    }
  }
  PetscCall(ICLMulticlassProblemDestroy(&mp));
  PetscCall(ICLSoftmaxProblemDestroy(&sp));
  PetscFunctionReturn(0);
}

static PetscErrorCode SoftmaxBeatsLinear(void)
{
  const PetscInt M[] = {5};
  const ICLCell  cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilySphere, .task = {.d = 10, .k = 3, .R = 4.0, .seed = 1}, .N = 5, .eval_R = 4.0, .B = 2000, .T = 300, .lr = 2.0, .M = M, .nM = 1, .eval_tasks = 4000, .method = &ICLTrainMethodGd};

  PetscFunctionBegin;
  PetscCall(CheckBeats(&cell, "softmax", "linear", "P = 1"));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  PetscFunctionBegin;
  PetscCall(OneStep());
  PetscCall(SoftmaxBeatsLinear());
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_dss")
