/* Kernelized linear attention (docs/models.md, models `kernel` and `distill`): on one task of M
 * tokens X (M x d), Y (M x C) and a query x_q, output_c = (1/M) sum_i Y_ic phi(W_K x_i)^T phi(W_Q x_q)
 * for a feature map phi (feature_map.h). Parameters are W = [W_K, W_Q], two d x d
 * column-major matrices stored one after the other (2 d^2 numbers). */
#ifndef ICL_KERNEL_ATTENTION_H
#define ICL_KERNEL_ATTENTION_H

#include "family.h"
#include "feature_map.h"

/* Scratch for up to max_tasks tasks of up to max_tokens tokens each. */
typedef struct {
  const ICLFeatureMap *phi;
  PetscInt             C, max_tasks, max_tokens;
  PetscReal *K, *FK, *GK, *dK; /* rows of context tokens: W_K x_i, phi of it, d loss / d phi, d loss / d (W_K x_i) */
  PetscReal *Q, *FQ, *GQ, *dQ; /* the same for the queries */
  PetscReal *r;                /* one task's weights of its tokens */
} ICLKernelScratch;

PetscErrorCode ICLKernelScratchCreate(const ICLFeatureMap *phi, PetscInt C, PetscInt max_tasks, PetscInt max_tokens, ICLKernelScratch *ws);
PetscErrorCode ICLKernelScratchDestroy(ICLKernelScratch *ws);

/* out (C) for one task of M <= ws->max_tokens tokens. */
PetscErrorCode ICLKernelAttentionPredict(ICLKernelScratch *ws, const PetscReal *W, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out);

/* The training objective over B tasks of N tokens, split by tasks over the ranks of comm:
 * L(W) = (1/B) sum_tau loss(output_tau, target_tau), the loss chosen by the output kind:
 * SIGN logistic log(1 + exp(-y s)), REGRESSION squared (s - y)^2, CLASS cross-entropy of
 * softmax(s) against the one-hot y. The rank's B_local tasks are stored one after the other:
 * X (B_local N x d), Y (B_local N x C), Xq (B_local x d), target (B_local x C), all row-major. */
typedef struct {
  MPI_Comm          comm;
  ICLOutputKind     kind;
  PetscInt          B, B_local, N;
  const PetscReal  *X, *Y, *Xq, *target;
  ICLKernelScratch *ws;   /* max_tokens >= N; tasks are processed max_tasks at a time */
  PetscReal        *grad; /* 2 d^2 + 1 scratch */
} ICLKernelProblem;

/* An ICLLossGradFn with ctx an ICLKernelProblem: *loss = L(W), G += alpha grad L(W).
 * Collective over p->comm: one allreduce of 2 d^2 + 1 words (1 without G). */
PetscErrorCode ICLKernelLossGrad(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G);

/* Flops of one output (Predict) on N tokens, and of one GD step on one task (about 3x). */
PetscReal ICLKernelAttentionFlops(ICLFeatureMapKind kind, PetscInt d, PetscInt D, PetscInt N, PetscInt C);

#endif
