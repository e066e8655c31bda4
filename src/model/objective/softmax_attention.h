/* Softmax attention of one query over M tokens (docs/models.md `softmax`, DSS):
 *   out = c sum_i Y_i softmax_i(s),  s_i = x_i^T A x_q,
 * X (M x d, row-major), Y (M x C, row-major), A (d x d, column-major), out (C). The weights
 * are computed stably (the largest s_i is subtracted before exp). With A = 0 the weights are
 * uniform and out = c (1/M) sum_i Y_i. */
#ifndef ICL_SOFTMAX_ATTENTION_H
#define ICL_SOFTMAX_ATTENTION_H

#include <petscsys.h>

/* The forward pass. void by contract (other code calls it as a pure function): scratch of
 * d + M reals lives on the stack and sizes must fit a BLAS integer. */
void ICLSoftmaxAttention(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out);

/* The forward pass from a = A x_q (d), keeping the attention weights p (M) for the backward
 * pass: p = softmax(X a), out = c Y^T p. */
void ICLSoftmaxAttentionOfQuery(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *a, PetscReal c, PetscReal *p, PetscReal *out);

/* The backward pass: given the weights p of the forward pass and g = dL/dout (C), returns
 *   dL/dc = sum_i p_i v_i = vbar          (v_i = Y_i^T g)
 *   dL/dA = u x_q^T,  u = X^T delta,      delta_i = dL/ds_i = c p_i (v_i - vbar)
 * in *gc and u (d). v (M) is scratch. 2 M (C + d) + 4 M flop. */
void ICLSoftmaxAttentionBackward(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *p, PetscReal c, const PetscReal *g, PetscReal *v, PetscReal *u, PetscReal *gc);

#endif
