/* Softmax attention (softmax_attention.h) and the softmax model's training gradient
 * (softmax_gd.h), against ground truth that does not use them:
 *   forward   a brute-force evaluation of c sum_i Y_i exp(s_i) / sum_j exp(s_j) with plain
 *             loops and no max subtraction (scores of order 1, where that is exact to
 *             rounding): 1e-13; with A scaled by 1e4 the scores reach ~1e3 (exp overflows
 *             without the shift) and the weights must collapse onto the largest score,
 *             out = c Y_argmax: 1e-12.
 *   backward  dL/dA and dL/dc of L = g^T out against central differences of the forward
 *             pass (h = 1e-6): 1e-8 relative.
 *   training  ICLSoftmaxLossGrad for the three losses (gmm logistic, sphere cross-entropy,
 *             distreg squared) against central differences of its own loss in every entry
 *             of (A, c): 1e-7 relative. */
#include <petscsys.h>

#include "check.h"
#include "rng.h"
#include "softmax_attention.h"
#include "softmax_gd.h"

enum { d = 5, M = 7, C = 3, B = 4 };

static void BruteForce(const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out)
{
  PetscReal e[M], Z = 0.0;
  for (int i = 0; i < M; i++) {
    PetscReal s = 0.0;
    for (int j = 0; j < d; j++)
      for (int k = 0; k < d; k++) s += X[i * d + j] * A[k * d + j] * xq[k];
    Z += (e[i] = exp(s));
  }
  for (int o = 0; o < C; o++) {
    out[o] = 0.0;
    for (int i = 0; i < M; i++) out[o] += c * Y[i * C + o] * e[i] / Z;
  }
}

static PetscErrorCode ForwardBackward(ICLStream *s)
{
  PetscReal X[M * d], Y[M * C], xq[d], A[d * d], g[C], out[C], ref[C], a[d], p[M], v[M], u[d], gc;
  const PetscReal c = 1.7, h = 1e-6;

  PetscFunctionBegin;
  ICLStreamNormals(s, M * d, X);
  ICLStreamNormals(s, M * C, Y);
  ICLStreamNormals(s, d, xq);
  ICLStreamNormals(s, d * d, A);
  ICLStreamNormals(s, C, g);
  for (int i = 0; i < d * d; i++) A[i] *= 0.3;
  ICLSoftmaxAttention(d, M, C, X, Y, xq, A, c, out);
  BruteForce(X, Y, xq, A, c, ref);
  for (int o = 0; o < C; o++) CHECK_NEAR(out[o], ref[o], 1e-13, "forward against brute force");

  /* Large scores: the weights are one-hot on the largest score. */
  {
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
  for (int j = 0; j < d; j++) {
    a[j] = 0.0;
    for (int k = 0; k < d; k++) a[j] += A[k * d + j] * xq[k];
  }
  ICLSoftmaxAttentionOfQuery(d, M, C, X, Y, a, c, p, out);
  ICLSoftmaxAttentionBackward(d, M, C, X, Y, p, c, g, v, u, &gc);
  for (int e = 0; e <= d * d; e++) {
    PetscReal lp = 0.0, lm = 0.0, an = e < d * d ? u[e % d] * xq[e / d] : gc;
    if (e < d * d) {
      const PetscReal w = A[e];
      A[e] = w + h;
      ICLSoftmaxAttention(d, M, C, X, Y, xq, A, c, out);
      for (int o = 0; o < C; o++) lp += g[o] * out[o];
      A[e] = w - h;
      ICLSoftmaxAttention(d, M, C, X, Y, xq, A, c, out);
      for (int o = 0; o < C; o++) lm += g[o] * out[o];
      A[e] = w;
    } else {
      ICLSoftmaxAttention(d, M, C, X, Y, xq, A, c + h, out);
      for (int o = 0; o < C; o++) lp += g[o] * out[o];
      ICLSoftmaxAttention(d, M, C, X, Y, xq, A, c - h, out);
      for (int o = 0; o < C; o++) lm += g[o] * out[o];
    }
    const PetscReal fd = (lp - lm) / (2 * h);
    CHECK(fabs(fd - an) <= 1e-8 * (1 + fabs(an)), "backward entry %d: finite difference %.10g vs %.10g", e, fd, an);
  }
  PetscFunctionReturn(0);
}

/* A hand-built problem of B tasks of M tokens for one output kind, checked entry by entry. */
static PetscErrorCode TrainingGradient(ICLStream *s, ICLOutputKind kind)
{
  const PetscInt    nC = kind == ICL_OUTPUT_CLASS ? C : 1, n = d * d + 1;
  PetscReal         X[B * M * d], Y[B * M * C], Q[d * B], Yq[C * B], work[d * B], p[M], v[M], out[C], g[C], theta[d * d + 1], G[d * d + 1], loss, lp, lm;
  const PetscReal   h = 1e-6;
  ICLSoftmaxProblem prob = {.comm = PETSC_COMM_SELF, .kind = kind, .B = B, .B_local = B, .d = d, .C = nC, .N = M, .X = X, .Y = Y, .Q = Q, .Yq = Yq, .work = work, .p = p, .v = v, .out = out, .g = g};

  PetscFunctionBegin;
  ICLStreamNormals(s, B * M * d, X);
  ICLStreamNormals(s, B * M * nC, Y);
  ICLStreamNormals(s, d * B, Q);
  ICLStreamNormals(s, nC * B, Yq);
  ICLStreamNormals(s, n, theta);
  for (int t = 0; kind == ICL_OUTPUT_CLASS && t < B; t++) /* one-hot query targets */
    for (int o = 0; o < C; o++) Yq[t * C + o] = o == t % C;
  for (int t = 0; kind == ICL_OUTPUT_SIGN && t < B; t++) Yq[t] = t % 2 ? 1.0 : -1.0;
  PetscCall(PetscArrayzero(G, n));
  PetscCall(ICLSoftmaxLossGrad(&prob, theta, &loss, 1.0, G));
  for (int e = 0; e < n; e++) {
    const PetscReal w = theta[e];
    theta[e] = w + h;
    PetscCall(ICLSoftmaxLossGrad(&prob, theta, &lp, 0.0, NULL));
    theta[e] = w - h;
    PetscCall(ICLSoftmaxLossGrad(&prob, theta, &lm, 0.0, NULL));
    theta[e] = w;
    CHECK(fabs((lp - lm) / (2 * h) - G[e]) <= 1e-7 * (1 + fabs(G[e])), "loss kind %d, entry %d: finite difference %.10g vs gradient %.10g", (int)kind, e, (lp - lm) / (2 * h), G[e]);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  ICLStream s;

  PetscFunctionBegin;
  ICLStreamInit(&s, 5, ICL_PURPOSE_TASK, 0, 0, 0);
  PetscCall(ForwardBackward(&s));
  PetscCall(TrainingGradient(&s, ICL_OUTPUT_SIGN));
  PetscCall(TrainingGradient(&s, ICL_OUTPUT_CLASS));
  PetscCall(TrainingGradient(&s, ICL_OUTPUT_REGRESSION));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_softmax_attention")
