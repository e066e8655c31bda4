/* Monte Carlo test error for models without a closed form (docs/models.md: softmax, kernel, sphere,
 * distreg, ...): every model sees the same test tasks at every M (common random numbers),
 * drawn as explicit tokens by the family's sampler. */
#ifndef ICL_MC_EVAL_H
#define ICL_MC_EVAL_H

#include "model.h"

/* A model's prediction for one task given as tokens: X (M x d, row-major), Y (M x outputs),
 * query xq (d). out has family->outputs() entries: gmm a score whose sign is the predicted
 * label, sphere one score per class (argmax wins), linreg/distreg the predicted value. */
typedef PetscErrorCode (*ICLPredictFn)(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out);

/* Test error at every M of the cell and its standard error, over cell->eval_tasks test tasks
 * at signal strength cell->eval_R, split over the ranks of cell->comm (collective). gmm and
 * sphere: misclassification rate (a zero gmm score counts half); linreg, distreg: mean
 * squared error. */
PetscErrorCode ICLMonteCarloError(const ICLCell *cell, ICLPredictFn predict, void *ctx, PetscReal *err, PetscReal *se);

/* The same average, on the same test tasks, of the squared distance sum_c (out_c - ref_c)^2
 * between predict's output and reference's (e.g. a student and its teacher): gap[a] at M[a]. */
PetscErrorCode ICLMonteCarloGap(const ICLCell *cell, ICLPredictFn predict, void *ctx, ICLPredictFn reference, void *rctx, PetscReal *gap, PetscReal *se);

/* The mean and its standard error at each of nM test context lengths from per-rank partial
 * sums over n test tasks in all: sums[2 a] = sum of the errors, sums[2 a + 1] = sum of their
 * squares. Sums them over comm in place first (collective). */
PetscErrorCode ICLMonteCarloMean(MPI_Comm comm, PetscInt n, PetscInt nM, PetscReal *sums, PetscReal *mean, PetscReal *se);

/* Flops of sampling the test tokens, for cost models (the predictor's own cost is extra). */
PetscReal ICLMonteCarloSampleFlops(const ICLCell *cell);

#endif
