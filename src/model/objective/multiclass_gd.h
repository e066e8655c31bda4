/* Training problem of merged linear attention on the sphere family (docs/models.md): on task tau
 * the class logits are H_tau W x_q,tau, with H_tau (C x d) row c = (1/N) sum_{i: class c} x_i
 * (sphere.h), and the loss is the mean cross-entropy over the B training tasks,
 *   L(W) = (1/B) sum_tau CE(H_tau W x_q,tau, y_tau),
 *   grad L(W) = (1/B) sum_tau H_tau^T (softmax(logits_tau) - y_tau) x_q,tau^T.
 * Trained by ICLGradientDescent from W = 0 with ICLMulticlassLossGrad. */
#ifndef ICL_MULTICLASS_GD_H
#define ICL_MULTICLASS_GD_H

#include "group.h"
#include "model.h"
#include "objective.h"

/* The B training tasks are split by rows over the ranks of comm; each rank holds its own
 * B_local tasks and the loss and gradient are summed over the group. */
typedef struct {
  MPI_Comm  comm;
  PetscInt  B, B_local, d, C;
  PetscReal *H;    /* B_local statistics H_tau (C x d row-major), one after another */
  PetscReal *Q;    /* d x B_local column-major: column tau is x_q,tau */
  PetscReal *Y;    /* C x B_local: column tau is the one-hot target y_tau */
  PetscReal *work; /* d x B_local scratch */
  PetscReal *grad; /* d x d scratch when comm has more than one rank */
} ICLMulticlassProblem;

/* Draws this rank's share of the cell's training tasks (ICL_PURPOSE_TASK, keyed by task index,
 * so values do not depend on the group size) as (H_tau, x_q,tau, y_tau). Collective. */
PetscErrorCode ICLMulticlassProblemCreate(const ICLCell *cell, ICLMulticlassProblem *p);
PetscErrorCode ICLMulticlassProblemDestroy(ICLMulticlassProblem *p);

/* An ICLLossGradFn (ctx: the ICLMulticlassProblem; theta: W, d x d column-major). Costs about
 * 4 B d^2 + 4 B C d flop (2 B d^2 + 2 B C d without G), split over the group. */
PetscErrorCode ICLMulticlassLossGrad(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G);

#endif
