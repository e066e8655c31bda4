/* Merged linear attention applied to a task given as tokens, for Monte Carlo evaluation
 * (merged_error.c): out = (1/M) Y^T X op(W) x_q, i.e. out_c = (1/M) sum_i [y_i]_c x_i^T op(W) x_q.
 * op(W) = W gives the sphere logits H W x_q of docs/models.md; op(W) = W^T gives the regression
 * form x_q^T W h with h = (1/M) sum_i y_i x_i (linreg, distreg). */
#ifndef ICL_LINEAR_ATTENTION_H
#define ICL_LINEAR_ATTENTION_H

#include "model.h"

typedef struct {
  PetscInt         d, C;      /* input dimension, outputs per token */
  const PetscReal *W;         /* d x d column-major */
  PetscBool        transpose; /* op(W) = W^T */
  PetscReal       *work;      /* d + (largest M) scratch */
} ICLLinearAttention;

/* An ICLPredictFn (ctx: an ICLLinearAttention). 2 d^2 + 2 M d + 2 M C flop. */
PetscErrorCode ICLLinearAttentionPredict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out);

#endif
