/* Softmax attention and its two ablations (softmax_attention.h) and the training gradient
 * (softmax_gd.h), against ground truth that does not use them, for each score (softmax, exp
 * kernel, normalized poly2):
 *   forward   a brute-force evaluation of c sum_i Y_i w_i with plain loops (softmax without max
 *             subtraction: scores of order 1, where that is exact to rounding): 1e-13; softmax
 *             with A scaled by 1e4 (scores ~1e3, exp overflows without the shift): the weights
 *             collapse onto the largest score, out = c Y_argmax: 1e-12.
 *   backward  dL/dA and dL/dc of L = g^T out against central differences of the forward
 *             pass (h = 1e-6): 1e-8 relative.
 *   training  ICLSoftmaxLossGrad for the three losses (gmm logistic, sphere cross-entropy,
 *             distreg squared) against central differences of its own loss in every entry
 *             of (A, c): 1e-7 relative.
 *   negative  the exp kernel's output is not the softmax's (normalization matters) and the
 *   controls  poly2 weights are not softmax weights. */
#include <petscsys.h>

#include "check_gradient.h"
#include "rng.h"
#include "softmax_attention.h"
#include "softmax_gd.h"

enum { d = 5, M = 7, C = 3, B = 4 };

static const char *const score_name[] = {"softmax", "exp", "poly2"};

static void BruteForce(ICLAttentionScore score, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out)
{
  PetscReal e[M], Z = 0.0;
  for (int i = 0; i < M; i++) {
    PetscReal s = 0.0;
    for (int j = 0; j < d; j++)
      for (int k = 0; k < d; k++) s += X[i * d + j] * A[k * d + j] * xq[k];
    Z += (e[i] = score == ICL_SCORE_POLY2 ? (1 + s) * (1 + s) : exp(s));
  }
  if (score == ICL_SCORE_EXP) Z = M;
  for (int o = 0; o < C; o++) {
    out[o] = 0.0;
    for (int i = 0; i < M; i++) out[o] += c * Y[i * C + o] * e[i] / Z;
  }
}

/* L(A, c) = g^T out for one query, with the gradient of the backward pass (an ICLLossGradFn). */
typedef struct {
  ICLAttentionScore score;
  const PetscReal  *X, *Y, *xq, *g;
} OneQuery;

static PetscErrorCode OneQueryLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const OneQuery *q = (const OneQuery *)ctx;
  const PetscReal c = theta[d * d];
  PetscReal       a[d], p[M], r[M], v[M], u[d], out[C], gc;

  PetscFunctionBegin;
  for (int j = 0; j < d; j++) {
    a[j] = 0.0;
    for (int k = 0; k < d; k++) a[j] += theta[k * d + j] * q->xq[k];
  }
  ICLAttentionOfQuery(q->score, d, M, C, q->X, q->Y, a, c, p, r, out);
  *loss = 0.0;
  for (int o = 0; o < C; o++) *loss += q->g[o] * out[o];
  if (!G) PetscFunctionReturn(0);
  ICLAttentionBackward(q->score, d, M, C, q->X, q->Y, p, r, c, q->g, v, u, &gc);
  for (int e = 0; e < d * d; e++) G[e] += alpha * u[e % d] * q->xq[e / d];
  G[d * d] += alpha * gc;
  PetscFunctionReturn(0);
}

static PetscErrorCode ForwardBackward(ICLStream *s, ICLAttentionScore score)
{
  PetscReal X[M * d], Y[M * C], xq[d], A[d * d], g[C], out[C], ref[C], soft[C], gap = 0.0;
  const PetscReal c = 1.7;

  PetscFunctionBegin;
  ICLStreamNormals(s, M * d, X);
  ICLStreamNormals(s, M * C, Y);
  ICLStreamNormals(s, d, xq);
  ICLStreamNormals(s, d * d, A);
  ICLStreamNormals(s, C, g);
  for (int i = 0; i < d * d; i++) A[i] *= 0.3;
  ICLAttention(score, d, M, C, X, Y, xq, A, c, out);
  BruteForce(score, X, Y, xq, A, c, ref);
  for (int o = 0; o < C; o++) CHECK(fabs(out[o] - ref[o]) <= 1e-13, "%s: forward %.15g against brute force %.15g", score_name[score], out[o], ref[o]);
  ICLSoftmaxAttention(d, M, C, X, Y, xq, A, c, soft);
  for (int o = 0; o < C; o++) gap = PetscMax(gap, fabs(out[o] - soft[o]));
  CHECK(score == ICL_SCORE_SOFTMAX ? gap == 0.0 : gap > 1e-3, "%s: output differs from softmax attention by %.3g", score_name[score], gap);

  /* Large scores: the softmax weights are one-hot on the largest score. */
  if (score == ICL_SCORE_SOFTMAX) {
    PetscReal Abig[d * d], top = -INFINITY;
    int       best = 0;
    for (int i = 0; i < d * d; i++) Abig[i] = 1e4 * A[i];
    for (int i = 0; i < M; i++) {
      PetscReal si = 0.0;
      for (int j = 0; j < d; j++)
        for (int k = 0; k < d; k++) si += X[i * d + j] * Abig[k * d + j] * xq[k];
      if (si > top) top = si, best = i;
    }
    ICLSoftmaxAttention(d, M, C, X, Y, xq, Abig, c, out);
    for (int o = 0; o < C; o++) CHECK_NEAR(out[o], c * Y[best * C + o], 1e-12, "huge scores: attention on the largest");
  }

  /* Backward: dL/dA = u x_q^T and dL/dc against differences of L = g^T out. */
  {
    OneQuery q = {score, X, Y, xq, g};
    PetscReal theta[d * d + 1];
    PetscCall(PetscArraycpy(theta, A, d * d));
    theta[d * d] = c;
    PetscCall(CheckGradient(OneQueryLossGrad, &q, theta, d * d + 1, 1e-6, 1e-8, score_name[score]));
  }
  PetscFunctionReturn(0);
}

/* A hand-built problem of B tasks of M tokens for one output kind, checked entry by entry. */
static PetscErrorCode TrainingGradient(ICLStream *s, ICLOutputKind kind, ICLAttentionScore score)
{
  const PetscInt    nC = kind == ICL_OUTPUT_CLASS ? C : 1, n = d * d + 1;
  PetscReal         X[B * M * d], Y[B * M * C], Q[d * B], Yq[C * B], work[d * B], p[M], r[M], v[M], out[C], g[C], theta[d * d + 1];
  ICLSoftmaxProblem prob = {.comm = PETSC_COMM_SELF, .kind = kind, .score = score, .B = B, .B_local = B, .d = d, .C = nC, .N = M, .X = X, .Y = Y, .Q = Q, .Yq = Yq, .work = work, .p = p, .v = v, .out = out, .g = g, .r = r};
  char              what[64];

  PetscFunctionBegin;
  ICLStreamNormals(s, B * M * d, X);
  ICLStreamNormals(s, B * M * nC, Y);
  ICLStreamNormals(s, d * B, Q);
  ICLStreamNormals(s, nC * B, Yq);
  ICLStreamNormals(s, n, theta);
  for (int t = 0; kind == ICL_OUTPUT_CLASS && t < B; t++) /* one-hot query targets */
    for (int o = 0; o < C; o++) Yq[t * C + o] = o == t % C;
  for (int t = 0; kind == ICL_OUTPUT_SIGN && t < B; t++) Yq[t] = t % 2 ? 1.0 : -1.0;
  /* the exp kernel's outputs grow like exp(||A||): keep its scores of order 1 */
  for (int e = 0; score == ICL_SCORE_EXP && e < d * d; e++) theta[e] *= 0.3;
  PetscCall(PetscSNPrintf(what, sizeof what, "%s, %s", score_name[score], kind == ICL_OUTPUT_SIGN ? "logistic" : kind == ICL_OUTPUT_CLASS ? "cross-entropy" : "squared"));
  PetscCall(CheckGradient(ICLSoftmaxLossGrad, &prob, theta, n, 1e-6, 1e-7, what));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  ICLStream s;

  PetscFunctionBegin;
  ICLStreamInit(&s, 5, ICL_PURPOSE_TASK, 0, 0, 0);
  for (ICLAttentionScore score = ICL_SCORE_SOFTMAX; score <= ICL_SCORE_POLY2; score++) {
    PetscCall(ForwardBackward(&s, score));
    PetscCall(TrainingGradient(&s, ICL_OUTPUT_SIGN, score));
    PetscCall(TrainingGradient(&s, ICL_OUTPUT_CLASS, score));
    PetscCall(TrainingGradient(&s, ICL_OUTPUT_REGRESSION, score));
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_softmax_attention")
