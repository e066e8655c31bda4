#include "kernel_attention.h"

#include <petscblaslapack.h>

#include "training_loss.h"

PetscErrorCode ICLKernelScratchCreate(const ICLFeatureMap *phi, PetscInt C, PetscInt max_tasks, PetscInt max_tokens, ICLKernelScratch *ws)
{
  const size_t d = (size_t)phi->d, P = (size_t)phi->width, rows = (size_t)max_tasks * (size_t)max_tokens;

  PetscFunctionBegin;
  PetscCheck(max_tasks >= 1 && max_tokens >= 1 && C >= 1, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "kernel attention scratch for %d tasks of %d tokens and %d outputs", (int)max_tasks, (int)max_tokens, (int)C);
  *ws = (ICLKernelScratch){.phi = phi, .C = C, .max_tasks = max_tasks, .max_tokens = max_tokens};
  PetscCall(PetscMalloc4(rows * d, &ws->K, rows * P, &ws->FK, rows * P, &ws->GK, rows * d, &ws->dK));
  PetscCall(PetscMalloc5((size_t)max_tasks * d, &ws->Q, (size_t)max_tasks * P, &ws->FQ, (size_t)max_tasks * P, &ws->GQ, (size_t)max_tasks * d, &ws->dQ, (size_t)max_tokens, &ws->r));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLKernelScratchDestroy(ICLKernelScratch *ws)
{
  PetscFunctionBegin;
  PetscCall(PetscFree4(ws->K, ws->FK, ws->GK, ws->dK));
  PetscCall(PetscFree5(ws->Q, ws->FQ, ws->GQ, ws->dQ, ws->r));
  PetscFunctionReturn(0);
}

/* Rows Z = X W^T of n row-major inputs, as one GEMM: column-major Z^T = W X^T. */
static PetscErrorCode Project(PetscInt d, PetscInt n, const PetscReal *W, const PetscReal *X, PetscReal *Z)
{
  const PetscReal one = 1.0, zero = 0.0;
  PetscBLASInt    bd, bn;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bd, &bn, &bd, &one, W, &bd, X, &bd, &zero, Z, &bd));
  PetscFunctionReturn(0);
}

/* Outputs S (nt x C) of nt tasks of N tokens; leaves K, FK, Q, FQ in ws for Backward. */
static PetscErrorCode Forward(ICLKernelScratch *ws, const PetscReal *W, PetscInt nt, PetscInt N, const PetscReal *X, const PetscReal *Y, const PetscReal *Xq, PetscReal *S)
{
  const PetscInt  d = ws->phi->d, P = ws->phi->width, C = ws->C;
  const PetscReal one = 1.0, zero = 0.0, inv = 1.0 / N;
  const PetscBLASInt inc = 1;
  PetscBLASInt    bP, bN, bC;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(P, &bP));
  PetscCall(PetscBLASIntCast(N, &bN));
  PetscCall(PetscBLASIntCast(C, &bC));
  PetscCall(Project(d, nt * N, W, X, ws->K));
  PetscCall(Project(d, nt, W + (size_t)d * d, Xq, ws->Q));
  PetscCall(ICLFeatureMapApply(ws->phi, nt * N, ws->K, ws->FK));
  PetscCall(ICLFeatureMapApply(ws->phi, nt, ws->Q, ws->FQ));
  for (PetscInt t = 0; t < nt; t++) {
    const PetscReal *FK = ws->FK + (size_t)t * N * P, *fq = ws->FQ + (size_t)t * P, *Yt = Y + (size_t)t * N * C;
    /* r_i = phi(k_i)^T phi(q), then S_t = (1/N) Y_t^T r */
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &bP, &bN, &one, FK, &bP, fq, &inc, &zero, ws->r, &inc));
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &bC, &bN, &inv, Yt, &bC, ws->r, &inc, &zero, S + (size_t)t * C, &inc));
  }
  PetscFunctionReturn(0);
}

/* grad += d/dW of sum_t g_t^T S_t after Forward, with g (nt x C) = dL/dS. */
static PetscErrorCode Backward(ICLKernelScratch *ws, PetscInt nt, PetscInt N, const PetscReal *X, const PetscReal *Y, const PetscReal *Xq, const PetscReal *g, PetscReal *grad)
{
  const PetscInt  d = ws->phi->d, P = ws->phi->width, C = ws->C;
  const PetscReal one = 1.0, zero = 0.0, inv = 1.0 / N;
  const PetscBLASInt inc = 1;
  PetscBLASInt    bP, bN, bC, bd, brows, bt;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(P, &bP));
  PetscCall(PetscBLASIntCast(N, &bN));
  PetscCall(PetscBLASIntCast(C, &bC));
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(nt * N, &brows));
  PetscCall(PetscBLASIntCast(nt, &bt));
  for (PetscInt t = 0; t < nt; t++) {
    const PetscReal *FK = ws->FK + (size_t)t * N * P, *fq = ws->FQ + (size_t)t * P, *Yt = Y + (size_t)t * N * C;
    PetscReal       *GK = ws->GK + (size_t)t * N * P;
    /* dL/dr_i = (1/N) Y_i^T g_t; dL/dphi(k_i) = that times phi(q); dL/dphi(q) = FK^T dL/dr */
    PetscCallBLAS("BLASgemv", BLASgemv_("T", &bC, &bN, &inv, Yt, &bC, g + (size_t)t * C, &inc, &zero, ws->r, &inc));
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bP, &bN, &inc, &one, fq, &bP, ws->r, &bN, &zero, GK, &bP));
    PetscCallBLAS("BLASgemv", BLASgemv_("N", &bP, &bN, &one, FK, &bP, ws->r, &inc, &zero, ws->GQ + (size_t)t * P, &inc));
  }
  PetscCall(ICLFeatureMapPullback(ws->phi, nt * N, ws->K, ws->FK, ws->GK, ws->dK));
  PetscCall(ICLFeatureMapPullback(ws->phi, nt, ws->Q, ws->FQ, ws->GQ, ws->dQ));
  /* dL/dW_K = sum_i dK_i x_i^T, dL/dW_Q = sum_t dQ_t xq_t^T */
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &brows, &one, ws->dK, &bd, X, &bd, &one, grad, &bd));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bt, &one, ws->dQ, &bd, Xq, &bd, &one, grad + (size_t)d * d, &bd));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLKernelAttentionPredict(ICLKernelScratch *ws, const PetscReal *W, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out)
{
  PetscFunctionBegin;
  PetscCheck(M >= 1 && M <= ws->max_tokens, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "kernel attention on %d tokens, scratch for %d", (int)M, (int)ws->max_tokens);
  PetscCall(Forward(ws, W, 1, M, X, Y, xq, out));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLKernelLossGrad(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G)
{
  ICLKernelProblem *p  = (ICLKernelProblem *)ctx;
  ICLKernelScratch *ws = p->ws;
  const PetscInt    d = ws->phi->d, C = ws->C, N = p->N, n2 = 2 * d * d;
  PetscReal        *S, *g, sum = 0.0;
  PetscMPIInt       size;

  PetscFunctionBegin;
  PetscCheck(N <= ws->max_tokens, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "kernel attention on %d tokens, scratch for %d", (int)N, (int)ws->max_tokens);
  PetscCallMPI(MPI_Comm_size(p->comm, &size));
  PetscCall(PetscMalloc2((size_t)ws->max_tasks * C, &S, (size_t)ws->max_tasks * C, &g));
  PetscCall(PetscArrayzero(p->grad, n2 + 1));
  for (PetscInt t0 = 0; t0 < p->B_local; t0 += ws->max_tasks) {
    const PetscInt   nt = PetscMin(ws->max_tasks, p->B_local - t0);
    const PetscReal *X = p->X + (size_t)t0 * N * d, *Y = p->Y + (size_t)t0 * N * C, *Xq = p->Xq + (size_t)t0 * d;
    PetscCall(Forward(ws, W, nt, N, X, Y, Xq, S));
    for (PetscInt t = 0; t < nt; t++) sum += ICLTrainingLoss(p->kind, C, S + (size_t)t * C, p->target + (size_t)(t0 + t) * C, g + (size_t)t * C);
    if (G) PetscCall(Backward(ws, nt, N, X, Y, Xq, g, p->grad));
  }
  PetscCall(PetscFree2(S, g));
  /* the loss travels with the gradient: one allreduce a step */
  p->grad[n2] = sum;
  if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, G ? p->grad : p->grad + n2, G ? (PetscMPIInt)(n2 + 1) : 1, MPIU_REAL, MPI_SUM, p->comm));
  *loss = p->grad[n2] / p->B;
  if (G) {
    const PetscReal    a = alpha / p->B;
    const PetscBLASInt inc = 1;
    PetscBLASInt       bn;
    PetscCall(PetscBLASIntCast(n2, &bn));
    PetscCallBLAS("BLASaxpy", BLASaxpy_(&bn, &a, p->grad, &inc, G, &inc));
  }
  PetscFunctionReturn(0);
}

PetscReal ICLKernelAttentionFlops(ICLFeatureMapKind kind, PetscInt d, PetscInt D, PetscInt N, PetscInt C)
{
  const PetscReal P = ICLFeatureMapWidth(kind, d, D), rows = N + 1.0;
  return rows * (2.0 * d * d + ICLFeatureMapRowFlops(kind, d, D)) + 2.0 * N * (P + C);
}
