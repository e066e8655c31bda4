/* The training objective of merged linear attention W (d x d) on a cell's B training tasks,
 * for any family, as one ICLLossGradFn in W: gmm's logistic and linreg's and distreg's squared
 * loss of the bilinear form a^T W b (bilinear_tasks.h), sphere's cross-entropy of the logits
 * H W x_q (multiclass_gd.h). Models that reach W another way than plain GD on it (lowrank's
 * factors, gd1's one step) and linear's choice of trainer all start here. */
#ifndef ICL_MERGED_PROBLEM_H
#define ICL_MERGED_PROBLEM_H

#include "bilinear_gd.h"
#include "multiclass_gd.h"

typedef struct {
  ICLLossGradFn        f;          /* loss and gradient in W, collective over the cell's group */
  void                *ctx;        /* f's context: points into this struct, which is not to be copied */
  ICLBilinearProblem   bilinear;   /* every family but sphere */
  ICLMulticlassProblem multiclass; /* sphere */
} ICLMergedProblem;

/* Samples this rank's share of the cell's training tasks. Collective over cell->comm. */
PetscErrorCode ICLMergedProblemCreate(const ICLCell *cell, ICLMergedProblem *p);
PetscErrorCode ICLMergedProblemDestroy(ICLMergedProblem *p);

/* Cost model: flop of one call of f with a gradient, whole group (4 B d^2; sphere 4 B d (d + C);
 * half that without the gradient), and bytes per rank of the tasks and scratch in a group of g. */
PetscReal ICLMergedProblemGradFlops(const ICLCell *cell);
PetscReal ICLMergedProblemMemory(const ICLCell *cell, PetscInt g);

#endif
