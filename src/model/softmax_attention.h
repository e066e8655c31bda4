/* Softmax attention of one query over M tokens (SPEC §4 `softmax`; the `distill` teacher):
 *   out = c sum_i Y_i softmax_i(x_i^T A x_q),
 * X (M x d, row-major), Y (M x C, row-major), A (d x d, column-major), out (C).
 * (Stand-in of this branch until the dss branch's file of the same name and signature lands.) */
#ifndef ICL_SOFTMAX_ATTENTION_H
#define ICL_SOFTMAX_ATTENTION_H

#include <petscsys.h>

/* void by contract (callers use it as a pure function): the weights are computed stably, with
 * the largest score subtracted before exp; scratch of d + M reals lives on the stack. */
void ICLSoftmaxAttention(PetscInt d, PetscInt M, PetscInt C, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, const PetscReal *A, PetscReal c, PetscReal *out);

#endif
