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

#include "check_gradient.h"
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

/* L(A, c) = g^T out for one query, with the gradient of the backward pass (an ICLLossGradFn). */
typedef struct {
  const PetscReal *X, *Y, *xq, *g;
} OneQuery;

static PetscErrorCode OneQueryLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  const OneQuery *q = (const OneQuery *)ctx;
  const PetscReal c = theta[d * d];
  PetscReal       a[d], p[M], v[M], u[d], out[C], gc;

  PetscFunctionBegin;
  for (int j = 0; j < d; j++) {
    a[j] = 0.0;
    for (int k = 0; k < d; k++) a[j] += theta[k * d + j] * q->xq[k];
  }
  ICLSoftmaxAttentionOfQuery(d, M, C, q->X, q->Y, a, c, p, out);
  *loss = 0.0;
  for (int o = 0; o < C; o++) *loss += q->g[o] * out[o];
  if (!G) PetscFunctionReturn(0);
  ICLSoftmaxAttentionBackward(d, M, C, q->X, q->Y, p, c, q->g, v, u, &gc);
  for (int e = 0; e < d * d; e++) G[e] += alpha * u[e % d] * q->xq[e / d];
  G[d * d] += alpha * gc;
  PetscFunctionReturn(0);
}

static PetscErrorCode ForwardBackward(ICLStream *s)
{
  PetscReal X[M * d], Y[M * C], xq[d], A[d * d], g[C], out[C], ref[C];
  const PetscReal c = 1.7;

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
  {
    OneQuery q = {X, Y, xq, g};
    PetscReal theta[d * d + 1];
    PetscCall(PetscArraycpy(theta, A, d * d));
    theta[d * d] = c;
    PetscCall(CheckGradient(OneQueryLossGrad, &q, theta, d * d + 1, 1e-6, 1e-8, "backward"));
  }
  PetscFunctionReturn(0);
}

/* A hand-built problem of B tasks of M tokens for one output kind, checked entry by entry. */
static PetscErrorCode TrainingGradient(ICLStream *s, ICLOutputKind kind)
{
  const PetscInt    nC = kind == ICL_OUTPUT_CLASS ? C : 1, n = d * d + 1;
  PetscReal         X[B * M * d], Y[B * M * C], Q[d * B], Yq[C * B], work[d * B], p[M], v[M], out[C], g[C], theta[d * d + 1];
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
  PetscCall(CheckGradient(ICLSoftmaxLossGrad, &prob, theta, n, 1e-6, 1e-7, kind == ICL_OUTPUT_SIGN ? "logistic" : kind == ICL_OUTPUT_CLASS ? "cross-entropy" : "squared"));
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
