/* The W-free gram engine's evaluation (docs/engines.md): gmm's exact test error and the
 * subspace alignment of W = sum_tau alpha_tau m~_tau v~_tau^T (the reduced cell's vectors)
 * from the coefficients alpha, without forming W. For a test task (mu, m = mu + z / sqrt(M))
 *   W^T m = sum_tau beta_tau v~_tau,  beta_tau = alpha_tau (m~_tau^T m),  m^T W mu = (W^T m)^T mu,
 * so a rank needs only its own tasks' vectors: the group sums the partial W^T m. The test
 * tasks are the reduced cell's (ICLGmmTestTask in dimension D), as the reduced W's evaluation
 * (gmm_accuracy.h) draws them: the two paths agree to rounding. */
#ifndef ICL_GRAM_ACCURACY_H
#define ICL_GRAM_ACCURACY_H

#include "bilinear_gd.h"
#include "model.h"

/* Test error and its standard error at every M of the W of alpha (all B, every rank) on the
 * reduced cell's test tasks; p: this rank's share of the tasks (from task `first` on; its
 * source, if any, bounds their nonzero coordinates). Collective over cell->comm. */
PetscErrorCode ICLGramErrorOfAlpha(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt first, const PetscReal *alpha, PetscReal *err, PetscReal *se);

/* ||U^T W U||_F^2 / ||W||_F^2 with U the first k coordinates: the k x k block of W from this
 * rank's tasks, summed, over ||W||_F^2 = alpha^T K alpha = sum_tau alpha_tau s_tau (s: this
 * rank's margins K alpha). Collective over cell->comm. */
PetscErrorCode ICLGramAlignmentOfAlpha(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt first, const PetscReal *alpha, const PetscReal *s, PetscReal *alignment);

/* Cost model: flop of ICLGramErrorOfAlpha (whole group, B tasks of dimension D = cell's d),
 * and the words its buffers take on a rank with b tasks in a group of g. */
PetscReal ICLGramErrorOfAlphaFlops(const ICLCell *cell);
PetscReal ICLGramErrorOfAlphaWords(PetscInt k, PetscReal D, PetscReal b, PetscInt g);

#endif
