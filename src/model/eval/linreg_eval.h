/* Test error of the linreg predictors built on one merged d x d matrix W (linear, lowrank,
 * oracle, h3): at each test context length M,
 *   yhat = x_q^T W sum_{i<=M} w_i y_i x_i,
 * with position weights w (length M) from the trained weights omega (length N = cell->N):
 *   omega NULL: w_i = 1/M, the normalized predictor x_q^T W h of linear;
 *   otherwise   w_i = (N/M) omega(i/M), omega(t) the piecewise-linear interpolation of the
 *               points (j/N, omega_j), constant outside [1/N, 1]. The weights are a profile over
 *               relative position (a drift of the task is one too); the factor N/M keeps
 *               sum w close to sum omega, so w = omega at M = N and omega = 1/N gives w = 1/M.
 * Exact (docs/models.md with S1 = sum w, S2 = sum w^2) for i.i.d. contexts and a fixed task; Monte
 * Carlo over cell->eval_tasks test tasks (mc_eval.h) under RAG (alpha != 0) or drift, where
 * no closed form is known. */
#ifndef ICL_LINREG_EVAL_H
#define ICL_LINREG_EVAL_H

#include "model.h"

/* err, se: length cell->nM. Collective over cell->comm. */
PetscErrorCode ICLLinregErrorOfW(const ICLCell *cell, const PetscReal *W, const PetscReal *omega, PetscReal *err, PetscReal *se);

/* Cost-model flops of ICLLinregErrorOfW. */
PetscReal ICLLinregErrorOfWFlops(const ICLCell *cell);

/* w (length M) from omega (length N) as above; omega NULL: w_i = 1/M. */
void ICLLinregWeightsAt(PetscInt N, const PetscReal *omega, PetscInt M, PetscReal *w);

#endif
