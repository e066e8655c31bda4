/* Exact test accuracy on the gmm family (docs/models.md): the query is integrated out analytically,
 * P(correct | mu, m) = Phi(m^T W mu / ||W^T m||), so no query is ever sampled. */
#ifndef ICL_GMM_ACCURACY_H
#define ICL_GMM_ACCURACY_H

#include "model.h"

PetscReal ICLNormalCdf(PetscReal x);

/* Test error and its standard error over the cell's test tasks at every M, for a d x d W
 * stored column-major. Test tasks are shared by every model, N and M (common random numbers). */
PetscErrorCode ICLGmmErrorOfW(const ICLCell *cell, const PetscReal *W, PetscReal *err, PetscReal *se);

/* Exact error of W = projection onto a D-dim subspace containing mu (D = d: mle, D = k:
 * oracle): only two scalars matter, acc = E Phi((R^2 + R g/sqrt(M)) / sqrt((R + g/sqrt(M))^2
 * + chi2_{D-1}/M)), integrated adaptively (GSL) in g and chi2. */
PetscErrorCode ICLGmmErrorOfProjection(PetscReal R, PetscInt D, PetscInt M, PetscReal *err);

/* Exact accuracy of the affine classifier sign(w^T x + b) on the query x = y mu + z of a task
 * with mean mu (y uniform on {-1,+1}, z ~ N(0, I_d)). Given y, y(w^T x + b) = w^T mu + y b + y w^T z
 * with y w^T z ~ N(0, ||w||^2), so
 *   P(correct) = 1/2 [Phi((w^T mu + b)/||w||) + Phi((w^T mu - b)/||w||)].
 * w = 0 predicts sign(b) whatever x (a zero score counts half): accuracy 1/2. */
PetscErrorCode ICLGmmAccuracyOfAffine(PetscInt d, const PetscReal *mu, const PetscReal *w, PetscReal b, PetscReal *acc);

/* Flops of ICLGmmErrorOfW, for the cost model. */
PetscReal ICLGmmErrorOfWFlops(const ICLCell *cell);

#endif
