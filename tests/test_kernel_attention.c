/* Kernel attention (kernel_attention.h):
 *  - the gradient of the training loss w.r.t. W_K and W_Q against central finite differences,
 *    for every feature map and every loss (logistic, cross-entropy, squared), with tasks
 *    processed two at a time so the blocking is exercised;
 *  - phi = identity is linear attention with the merged matrix W = W_K^T W_Q: one forward
 *    against (1/N) sum_i Y_ic x_i^T W x_q computed here, to 1e-12. */
#include <petscsys.h>

#include "check.h"
#include "check_gradient.h"
#include "kernel_attention.h"
#include "rng.h"

enum { B = 5, N = 4, d = 3, D = 6 };

/* Random tokens with targets of the kind: labels +-1, one-hot rows, or values. */
static void Tokens(ICLStream *s, ICLOutputKind kind, PetscInt C, PetscReal *X, PetscReal *Y, PetscReal *Xq, PetscReal *target)
{
  ICLStreamNormals(s, B * N * d, X);
  ICLStreamNormals(s, B * d, Xq);
  for (PetscInt r = 0; r < B * (N + 1); r++) {
    PetscReal *y = r < B * N ? Y + r * C : target + (r - B * N) * C;
    const PetscReal u = ICLStreamUniform(s);
    for (PetscInt c = 0; c < C; c++) y[c] = kind == ICL_OUTPUT_CLASS ? (c == (PetscInt)(u * C)) : kind == ICL_OUTPUT_SIGN ? (u < 0.5 ? -1 : 1) : ICLStreamNormal(s);
  }
}

static PetscErrorCode CheckKernelGradient(ICLFeatureMapKind map, ICLOutputKind kind, ICLStream *s)
{
  const PetscInt   C = kind == ICL_OUTPUT_CLASS ? 3 : 1;
  PetscReal        X[B * N * d], Y[B * N * 3], Xq[B * d], target[B * 3], W[2 * d * d], grad[2 * d * d + 1];
  char             what[64];
  ICLFeatureMap    phi;
  ICLKernelScratch ws;
  ICLKernelProblem p;

  PetscFunctionBegin;
  PetscCall(ICLFeatureMapCreate(map, d, D, 1, 0, &phi));
  PetscCall(ICLKernelScratchCreate(&phi, C, 2, N, &ws));
  Tokens(s, kind, C, X, Y, Xq, target);
  ICLStreamNormals(s, 2 * d * d, W);
  for (PetscInt e = 0; e < 2 * d * d; e++) W[e] *= 0.5;
  p = (ICLKernelProblem){.comm = PETSC_COMM_SELF, .kind = kind, .B = B, .B_local = B, .N = N, .X = X, .Y = Y, .Xq = Xq, .target = target, .ws = &ws, .grad = grad};
  /* entries 0..d^2-1 are W_K, the rest W_Q */
  PetscCall(PetscSNPrintf(what, sizeof what, "feature map %d, loss kind %d", (int)map, (int)kind));
  PetscCall(CheckGradient(ICLKernelLossGrad, &p, W, 2 * d * d, 1e-6, 1e-7, what));
  PetscCall(ICLKernelScratchDestroy(&ws));
  PetscCall(ICLFeatureMapDestroy(&phi));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckIdentityIsLinear(ICLStream *s)
{
  const PetscInt   C = 3;
  PetscReal        X[B * N * d], Y[B * N * 3], Xq[B * d], target[B * 3], Wkq[2 * d * d], W[d * d], out[3];
  ICLFeatureMap    phi;
  ICLKernelScratch ws;

  PetscFunctionBegin;
  PetscCall(ICLFeatureMapCreate(ICL_PHI_IDENTITY, d, 0, 1, 0, &phi));
  PetscCall(ICLKernelScratchCreate(&phi, C, 1, N, &ws));
  Tokens(s, ICL_OUTPUT_CLASS, C, X, Y, Xq, target);
  ICLStreamNormals(s, 2 * d * d, Wkq);
  /* W = W_K^T W_Q, column-major */
  for (PetscInt i = 0; i < d; i++)
    for (PetscInt j = 0; j < d; j++) {
      W[i + d * j] = 0;
      for (PetscInt l = 0; l < d; l++) W[i + d * j] += Wkq[l + d * i] * Wkq[d * d + l + d * j];
    }
  PetscCall(ICLKernelAttentionPredict(&ws, Wkq, N, X, Y, Xq, out));
  for (PetscInt c = 0; c < C; c++) {
    PetscReal lin = 0;
    for (PetscInt r = 0; r < N; r++)
      for (PetscInt i = 0; i < d; i++)
        for (PetscInt j = 0; j < d; j++) lin += Y[r * C + c] * X[r * d + i] * W[i + d * j] * Xq[j] / N;
    CHECK(fabs(out[c] - lin) <= 1e-12 * (1 + fabs(lin)), "identity map, output %d: %.17g vs linear formula %.17g", (int)c, out[c], lin);
  }
  PetscCall(ICLKernelScratchDestroy(&ws));
  PetscCall(ICLFeatureMapDestroy(&phi));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  ICLStream s;

  PetscFunctionBegin;
  ICLStreamInit(&s, 9, ICL_PURPOSE_TASK, 0, 0, 0);
  for (int map = 0; map < ICL_PHI_COUNT; map++)
    for (int kind = ICL_OUTPUT_SIGN; kind <= ICL_OUTPUT_REGRESSION; kind++) PetscCall(CheckKernelGradient((ICLFeatureMapKind)map, (ICLOutputKind)kind, &s));
  PetscCall(CheckIdentityIsLinear(&s));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_kernel_attention")
