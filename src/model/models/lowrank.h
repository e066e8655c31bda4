/* lowrank: merged linear attention with W = A B^T, A and B d x r (docs/models.md), on the loss of
 * linear for any family (merged_problem.h). */
#ifndef ICL_LOWRANK_H
#define ICL_LOWRANK_H

#include "gd.h"

/* The factored objective theta = (A, B) -> L(A B^T) of an objective L in W (f, ctx). */
typedef struct {
  ICLLossGradFn f;
  void         *ctx;
  PetscInt      d, r;
  PetscReal    *W, *G; /* d x d scratch: A B^T of the last theta seen, and dL/dW there */
  PetscReal    *grad;  /* 2 d r scratch: (dL/dA, dL/dB) */
} ICLLowrankProblem;

/* An ICLLossGradFn (ctx: an ICLLowrankProblem; theta: A then B, d x r column-major each):
 * loss = L(A B^T), dL/dA = G B and dL/dB = G^T A with G = dL/dW. Leaves W = A B^T.
 * Collective like the f it wraps. */
PetscErrorCode ICLLowrankLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G);

#endif
