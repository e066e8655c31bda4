/* Full-batch gradient descent for merged linear attention, whose output on task tau is the
 * bilinear form s_tau = a_tau^T W b_tau (gmm: a = m, b = v; linreg: a = x_q, b = h), with
 * W_0 = 0 and a constant step (MV protocol):
 *   logistic (gmm):   L(W) = (1/B) sum_tau log(1 + exp(-s_tau))
 *   squared (linreg): L(W) = (1/B) sum_tau (s_tau - y_tau)^2 */
#ifndef ICL_BILINEAR_GD_H
#define ICL_BILINEAR_GD_H

#include "group.h"
#include "model.h"
#include "objective.h"

typedef enum { ICL_LOSS_LOGISTIC, ICL_LOSS_SQUARED } ICLLoss;

/* Where the dual form gets the tasks of other ranks (NULL: it gathers the group's stacks): draw
 * writes tasks [t0, t0 + n)'s a and b (d x n each, column-major), which any rank can draw (the
 * W-free gram engine's are keyed by task); task tau's entries from length(tau) on are zero, so
 * products over coordinates stop there. */
typedef struct {
  PetscErrorCode (*draw)(void *ctx, PetscInt t0, PetscInt n, PetscReal *a, PetscReal *b);
  PetscInt (*length)(void *ctx, PetscInt tau);
  void *ctx;
} ICLTaskSource;

/* The B training tasks may be split by rows over the ranks of comm (a group training one
 * cell): each rank holds its own B_local columns, and the loss and the d x d gradient are
 * summed over the group. With one rank nothing is communicated. */
typedef struct {
  MPI_Comm         comm;
  ICLLoss          loss;
  PetscInt         B, B_local, d;
  PetscBool (*cancel)(void); /* polled between steps; may be NULL */
  ICLLossHistory  *history;  /* the losses along training go here (may be NULL) */
  const PetscReal *Mt, *Vt;  /* d x B_local column-major: column tau is a_tau (resp. b_tau) */
  const PetscReal *target;   /* squared loss: y_tau (B_local) */
  PetscReal       *work;     /* d x B_local scratch */
  PetscReal       *grad;     /* d x d scratch when comm has more than one rank */
  const ICLTaskSource *source; /* the dual form: other ranks' tasks drawn, not gathered (may be NULL) */
} ICLBilinearProblem;

/* Task tau's loss term at margin s (target y, squared loss only) and c = -dL_tau/ds: one
 * definition for every training method (gd, dual, tao), so they optimize one objective. */
static inline PetscReal ICLBilinearPointLoss(ICLLoss loss, PetscReal s, PetscReal y, PetscReal *c)
{
  if (loss == ICL_LOSS_LOGISTIC) {
    *c = 1.0 / (1.0 + exp(s)); /* sigmoid(-s) */
    return s > 0 ? log1p(exp(-s)) : -s + log1p(exp(s));
  }
  const PetscReal r = s - y;
  *c = -2.0 * r;
  return r * r;
}

/* loss = L(W); if G is not NULL, G += alpha * grad L(W). W, G: d x d column-major.
 * With G = W and alpha = -lr this is one GD step. Costs 4 B d^2 flop (2 B d^2 without G),
 * split over the group, plus an allreduce of d^2 words. Collective over p->comm. */
PetscErrorCode ICLBilinearLossGrad(const ICLBilinearProblem *p, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G);
/* The same as an ICLLossGradFn (ctx: the ICLBilinearProblem). */
PetscErrorCode ICLBilinearLossGradCtx(void *ctx, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G);

/* The loss is a sum of functions of the margins s_tau, which are linear in W, so its Hessian
 * is exactly H = (1/B) sum_tau l''(s_tau) vec(a_tau b_tau^T) vec(a_tau b_tau^T)^T. Newton-type
 * TAO solvers use it through these two: curv (B_local) = l''(s_tau) at W, this rank's tasks
 * (2 B d^2 flop, no communication); then G += alpha H V for a d x d direction V (4 B d^2 flop
 * and one d x d allreduce, collective over p->comm). */
PetscErrorCode ICLBilinearCurvature(const ICLBilinearProblem *p, const PetscReal *W, PetscReal *curv);
PetscErrorCode ICLBilinearHessMult(const ICLBilinearProblem *p, const PetscReal *curv, const PetscReal *V, PetscReal alpha, PetscReal *G);

#endif
