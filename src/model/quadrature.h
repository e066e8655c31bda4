/* Gauss quadrature rules for expectations over a probability law, by Golub-Welsch
 * (eigen-decomposition of the Jacobi matrix with LAPACK's steqr). Weights sum to 1. */
#ifndef ICL_QUADRATURE_H
#define ICL_QUADRATURE_H

#include <petscsys.h>

/* Nodes and weights for E f(g), g ~ N(0, 1). */
PetscErrorCode ICLQuadNormal(PetscInt n, PetscReal *x, PetscReal *w);
/* Nodes and weights for E f(t), t ~ Gamma(shape a > 0, scale 1). */
PetscErrorCode ICLQuadGamma(PetscInt n, PetscReal a, PetscReal *x, PetscReal *w);

#endif
