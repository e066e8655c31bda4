/* Training problem of the softmax-attention model (docs/models.md `softmax`) and of its two
 * ablations (softmax_attention.h: the score maps the scores to weights; docs/dss.md): parameters
 * theta = (A, c), A d x d column-major followed by the scalar c (d^2 + 1 reals); on task tau
 * the output is ICLAttention(score; X_tau, Y_tau, x_q,tau; A, c) and the loss is the family's
 * training loss (training_loss.h: gmm logistic on the score, sphere cross-entropy, distreg
 * squared) averaged over the B training tasks, drawn once as tokens (family->tokens,
 * ICL_PURPOSE_TASK). Gradient (softmax_attention.h): dL/dA = (1/B) sum_tau u_tau x_q,tau^T,
 * dL/dc = (1/B) sum_tau vbar_tau. */
#ifndef ICL_SOFTMAX_GD_H
#define ICL_SOFTMAX_GD_H

#include "group.h"
#include "model.h"
#include "objective.h"
#include "softmax_attention.h"

/* The B training tasks are split by rows over the ranks of comm; each rank holds its own
 * B_local tasks and the loss and gradient are summed over the group. */
typedef struct {
  MPI_Comm          comm;
  ICLOutputKind     kind;
  ICLAttentionScore score;
  PetscInt      B, B_local, d, C, N;
  PetscReal    *X;    /* B_local token blocks X_tau (N x d row-major), one after another */
  PetscReal    *Y;    /* B_local target blocks Y_tau (N x C row-major) */
  PetscReal    *Q;    /* d x B_local: column tau is x_q,tau */
  PetscReal    *Yq;   /* C x B_local: column tau is the query's target */
  PetscReal    *work; /* d x B_local scratch: A x_q,tau, then u_tau */
  PetscReal    *p, *v, *out, *g; /* N, N, C, C scratch */
  PetscReal    *r;    /* N scratch (ICL_SCORE_POLY2) */
  PetscReal    *grad; /* d x d scratch when comm has more than one rank */
} ICLSoftmaxProblem;

/* Draws this rank's share of the cell's B training tasks with N tokens each. Collective. */
PetscErrorCode ICLSoftmaxProblemCreate(const ICLCell *cell, ICLAttentionScore score, ICLSoftmaxProblem *p);
PetscErrorCode ICLSoftmaxProblemDestroy(ICLSoftmaxProblem *p);

/* An ICLLossGradFn (ctx: the ICLSoftmaxProblem; theta = (A, c)). About
 * B (4 d^2 + 4 N d + 4 N C + 8 N) flop (half without G), split over the group. */
PetscErrorCode ICLSoftmaxLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G);

#endif
