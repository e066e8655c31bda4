/* Softmax attention of one query over M tokens (docs/models.md `softmax`, DSS), and its two
 * ablations (docs/dss.md), which change only how the scores s_i = x_i^T A x_q become weights:
 *   out = c sum_i Y_i w_i,
 *   ICL_SCORE_SOFTMAX  w_i = exp(s_i) / sum_j exp(s_j)           (softmax attention)
 *   ICL_SCORE_EXP      w_i = exp(s_i) / M                        (exp kernel, no normalization)
 *   ICL_SCORE_POLY2    w_i = (1 + s_i)^2 / sum_j (1 + s_j)^2     (normalized polynomial score)
 * X (M x d, row-major), Y (M x C, row-major), A (d x d, column-major), out (C). Softmax weights
 * are computed stably (the largest s_i is subtracted before exp); the exp kernel cannot be (its
 * scale is its point), and overflows only where the training has diverged anyway. With A = 0
 * the weights are uniform for all three and out = c (1/M) sum_i Y_i. */
#ifndef ICL_SOFTMAX_ATTENTION_H
#define ICL_SOFTMAX_ATTENTION_H

#include <petscsys.h>

typedef enum { ICL_SCORE_SOFTMAX, ICL_SCORE_EXP, ICL_SCORE_POLY2 } ICLAttentionScore;

/* The forward pass. void by contract (other code calls it as a pure function): scratch of
 * d + 2 M reals lives on the stack and sizes must fit a BLAS integer. */
void ICLAttention(ICLAttentionScore score, PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out);

/* ICLAttention with ICL_SCORE_SOFTMAX. */
void ICLSoftmaxAttention(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out);

/* The forward pass from a = A x_q (d), keeping for the backward pass the weights w (M) and,
 * for ICL_SCORE_POLY2 only, r (M): r_i = dw_i/ds_i before normalization, 2 (1 + s_i) / sum_j
 * (1 + s_j)^2 (r is not touched otherwise and may be NULL). out = c Y^T w. */
void ICLAttentionOfQuery(ICLAttentionScore score, PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *a, PetscReal c, PetscReal *w, PetscReal *r, PetscReal *out);

/* The backward pass: given w and r of the forward pass and g = dL/dout (C), returns
 *   dL/dc = sum_i w_i v_i = vbar          (v_i = Y_i^T g)
 *   dL/dA = u x_q^T,  u = X^T delta,      delta_i = dL/ds_i:
 *     softmax   c w_i (v_i - vbar)
 *     exp       c w_i v_i                  (no normalization, no centring)
 *     poly2     c r_i (v_i - vbar)
 * in *gc and u (d). v (M) is scratch. 2 M (C + d) + 4 M flop. */
void ICLAttentionBackward(ICLAttentionScore score, PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *w, const PetscReal *r, PetscReal c, const PetscReal *g, PetscReal *v, PetscReal *u, PetscReal *gc);

#endif
