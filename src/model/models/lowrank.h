/* lowrank: merged linear attention with W = A B^T, A and B d x r (docs/models.md), on the loss of
 * linear for any family (merged_problem.h). */
#ifndef ICL_LOWRANK_H
#define ICL_LOWRANK_H

#include "gd.h"
#include "merged_problem.h"

/* The factored objective theta = (A, B) -> L(A B^T) of an objective L in W (f, ctx). */
typedef struct {
  ICLLossGradFn f;
  void         *ctx;
  PetscInt      d, r;
  const PetscReal *W0; /* W = W0 + A B^T (lora's frozen base); NULL: W = A B^T */
  PetscReal    *W, *G; /* d x d scratch: W of the last theta seen, and dL/dW there */
  PetscReal    *grad;  /* 2 d r scratch: (dL/dA, dL/dB) */
} ICLLowrankProblem;

/* An ICLLossGradFn (ctx: an ICLLowrankProblem; theta: A then B, d x r column-major each):
 * loss = L(W0 + A B^T), dL/dA = G B and dL/dB = G^T A with G = dL/dW. Leaves W = W0 + A B^T.
 * Collective like the f it wraps. */
PetscErrorCode ICLLowrankLossGrad(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G);

/* Trains theta = (A, B) (rank cell->w_rank >= 1, initial values given) by the cell's GD on
 * W = W0 + A B^T with prob's loss, then evaluates W like linear, with linear's diagnostics,
 * into res (res->flops: the steps and the evaluation). Shared by lowrank and lora. */
PetscErrorCode ICLLowrankFit(const ICLCell *cell, ICLMergedProblem *prob, const PetscReal *W0, PetscReal *theta, ICLCellResult *res);
/* Cost model of ICLLowrankFit: flops (T steps and the evaluation), bytes per rank in groups of g. */
PetscReal ICLLowrankFitFlops(const ICLCell *cell);
PetscReal ICLLowrankFitMemory(const ICLCell *cell, PetscInt g);

#endif
