#include "quadrature.h"

#include <petscblaslapack.h>

/* Golub-Welsch: nodes are the eigenvalues of the symmetric tridiagonal Jacobi matrix
 * (diagonal a, off-diagonal b), weights the squared first components of its unit
 * eigenvectors (times the law's total mass, 1 here). */
static PetscErrorCode GolubWelsch(PetscInt n, PetscReal *a, PetscReal *b, PetscReal *w)
{
  PetscBLASInt bn, info;
  PetscReal   *z, *work;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscMalloc2((size_t)n * n, &z, PetscMax(1, 2 * n - 2), &work));
  PetscCallBLAS("LAPACKsteqr", LAPACKsteqr_("I", &bn, a, b, z, &bn, work, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK steqr failed with info %d", (int)info);
  for (PetscInt i = 0; i < n; i++) w[i] = z[(size_t)i * n] * z[(size_t)i * n];
  PetscCall(PetscFree2(z, work));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLQuadNormal(PetscInt n, PetscReal *x, PetscReal *w)
{
  PetscReal *b;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(n, &b));
  /* Probabilists' Hermite: x p_i = p_{i+1} + i p_{i-1}. */
  for (PetscInt i = 0; i < n; i++) {
    x[i] = 0.0;
    b[i] = PetscSqrtReal((PetscReal)(i + 1));
  }
  PetscCall(GolubWelsch(n, x, b, w));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLQuadGamma(PetscInt n, PetscReal a, PetscReal *x, PetscReal *w)
{
  PetscReal *b;

  PetscFunctionBegin;
  PetscCheck(a > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Gamma shape must be positive, got %g", (double)a);
  PetscCall(PetscMalloc1(n, &b));
  /* Generalized Laguerre with alpha = a - 1: diagonal 2i + a, off-diagonal sqrt(i (i + a - 1)). */
  for (PetscInt i = 0; i < n; i++) {
    x[i] = 2.0 * i + a;
    b[i] = PetscSqrtReal((PetscReal)(i + 1) * (i + a));
  }
  PetscCall(GolubWelsch(n, x, b, w));
  PetscCall(PetscFree(b));
  PetscFunctionReturn(0);
}
