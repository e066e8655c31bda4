/* Test error of a merged d x d matrix W (linear attention, whatever trained or built it) at
 * every test context length, by the best evaluator its family has: gmm exact for any W
 * (gmm_accuracy.h), linreg in closed form or by Monte Carlo under RAG or drift
 * (linreg_eval.h), sphere and distreg by Monte Carlo over test tokens (linear_attention.h). */
#ifndef ICL_MERGED_ERROR_H
#define ICL_MERGED_ERROR_H

#include "model.h"

/* err, se: length cell->nM. Collective over cell->comm. */
PetscErrorCode ICLMergedError(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se);

/* Cost model of ICLMergedError; on linreg it also counts drawing the N tokens of each of the
 * B training tasks (2 B N d), which the training flops of the bilinear problem leave out. */
PetscReal ICLMergedErrorFlops(const ICLCell *cell);

#endif
