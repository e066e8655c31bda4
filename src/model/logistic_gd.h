/* Full-batch gradient descent on the logistic loss of merged linear attention (MV protocol):
 * L(W) = (1/B) sum_tau log(1 + exp(-m_tau^T W v_tau)), W_0 = 0, constant step. */
#ifndef ICL_LOGISTIC_GD_H
#define ICL_LOGISTIC_GD_H

#include <petscsys.h>

typedef enum { ICL_GD_DONE, ICL_GD_DIVERGED, ICL_GD_CANCELLED } ICLGDOutcome;

/* The B training tasks may be split by rows over the ranks of comm (a group training one
 * cell): each rank holds its own B_local columns, and the loss and the d x d gradient are
 * summed over the group. With one rank nothing is communicated. */
typedef struct {
  MPI_Comm         comm;
  PetscInt         B, B_local, d;
  PetscBool (*cancel)(void); /* polled between steps; may be NULL */
  const PetscReal *Mt, *Vt;  /* d x B_local column-major: column tau is m_tau (resp. v_tau) */
  PetscReal       *work;     /* d x B_local scratch */
  PetscReal       *grad;     /* d x d scratch when comm has more than one rank */
} ICLLogisticProblem;

/* loss = L(W); if G is not NULL, G += alpha * grad L(W). W, G: d x d column-major.
 * With G = W and alpha = -lr this is one GD step. Costs 4 B d^2 flop (2 B d^2 without G),
 * split over the group, plus an allreduce of d^2 words. Collective over p->comm. */
PetscErrorCode ICLLogisticLossGrad(const ICLLogisticProblem *p, const PetscReal *W, PetscReal *loss, PetscReal alpha, PetscReal *G);

/* T steps of GD from the W given. Stops early at the first non-finite loss (DIVERGED, *steps
 * = the step it happened at) or when p->cancel says so (CANCELLED). *loss is the loss at
 * the final W. */
PetscErrorCode ICLLogisticGD(const ICLLogisticProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome);

#endif
