/* Finite-difference check of an ICLLossGradFn (gd.h), for the C unit tests. */
#ifndef ICL_TEST_CHECK_GRADIENT_H
#define ICL_TEST_CHECK_GRADIENT_H

#include "check.h"
#include "gd.h"

/* One CHECK per entry of theta (n reals): the central difference of f's loss with step h
 * against f's gradient, |fd - grad| <= tol (1 + |grad|). theta is restored. */
static inline PetscErrorCode CheckGradient(ICLLossGradFn f, void *ctx, PetscReal *theta, PetscInt n, PetscReal h, PetscReal tol, const char *what)
{
  PetscReal *G, loss, lp, lm;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1(n, &G));
  PetscCall(f(ctx, theta, &loss, 1.0, G));
  for (PetscInt e = 0; e < n; e++) {
    const PetscReal w = theta[e];
    theta[e] = w + h;
    PetscCall(f(ctx, theta, &lp, 0.0, NULL));
    theta[e] = w - h;
    PetscCall(f(ctx, theta, &lm, 0.0, NULL));
    theta[e] = w;
    CHECK(fabs((lp - lm) / (2 * h) - G[e]) <= tol * (1 + fabs(G[e])), "%s, entry %d: finite difference %.10g vs gradient %.10g", what, (int)e, (lp - lm) / (2 * h), G[e]);
  }
  PetscCall(PetscFree(G));
  PetscFunctionReturn(0);
}

#endif
