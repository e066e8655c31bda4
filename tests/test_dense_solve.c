/* The d x d solve of the closed forms on 1, 2 and 4 ranks: ScaLAPACK pdgesv over the world
 * and over pairs of ranks side by side (as groups run) against LAPACK dgesv on one rank, to
 * 1e-12 relative, with a residual check; the linreg optimum W*, L* over the world against one
 * rank; a singular matrix is an error on every rank. */
#include <petscsys.h>
#include <petscblaslapack.h>

#include "check.h"
#include "dense_solve.h"
#include "linreg_risk.h"
#include "rng.h"

/* max |X - Y| / max |Y| over n entries */
static PetscReal RelDiff(size_t n, const PetscReal *X, const PetscReal *Y)
{
  PetscReal diff = 0, scale = 0;
  for (size_t i = 0; i < n; i++) diff = PetscMax(diff, PetscAbsReal(X[i] - Y[i])), scale = PetscMax(scale, PetscAbsReal(Y[i]));
  return diff / scale;
}

/* A random A + n I (well conditioned) and B (n x nrhs), the same on every rank; X = A^{-1} B on
 * comm, compared with LAPACK's on this rank alone. */
static PetscErrorCode Solve(MPI_Comm comm, PetscInt n, PetscInt nrhs, const char *what)
{
  PetscReal      *A, *A0, *B, *X, *ref, *R, worst;
  ICLStream       st;
  PetscBLASInt    bn, bk;
  const PetscReal one = 1.0, mone = -1.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscBLASIntCast(nrhs, &bk));
  PetscCall(PetscMalloc6(n * n, &A, n * n, &A0, n * nrhs, &B, n * nrhs, &X, n * nrhs, &ref, n * nrhs, &R));
  ICLStreamInit(&st, 9, ICL_PURPOSE_TASK, (uint64_t)n, (uint64_t)nrhs, 0);
  ICLStreamNormals(&st, (size_t)n * n, A0);
  ICLStreamNormals(&st, (size_t)n * nrhs, B);
  for (PetscInt i = 0; i < n; i++) A0[i * n + i] += n;
  PetscCall(PetscArraycpy(A, A0, n * n));
  PetscCall(PetscArraycpy(X, B, n * nrhs));
  PetscCall(ICLDenseSolve(comm, n, nrhs, A, X));
  PetscCall(PetscArraycpy(A, A0, n * n));
  PetscCall(PetscArraycpy(ref, B, n * nrhs));
  PetscCall(ICLDenseSolve(PETSC_COMM_SELF, n, nrhs, A, ref));
  /* R = B - A0 X */
  PetscCall(PetscArraycpy(R, B, n * nrhs));
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bn, &bk, &bn, &mone, A0, &bn, X, &bn, &one, R, &bn));
  worst = RelDiff((size_t)n * nrhs, X, ref);
  CHECK(worst <= 1e-12, "%s, n = %d, nrhs = %d: X differs from LAPACK's by %.3g relative", what, (int)n, (int)nrhs, worst);
  for (PetscInt i = 0; i < n * nrhs; i++) R[i] += B[i]; /* now A0 X: compare with B */
  CHECK(RelDiff((size_t)n * nrhs, R, B) <= 1e-12, "%s, n = %d: residual %.3g", what, (int)n, RelDiff((size_t)n * nrhs, R, B));
  PetscCall(PetscPrintf(comm, "%s, n = %3d, nrhs = %3d: max relative difference from LAPACK %.2e\n", what, (int)n, (int)nrhs, (double)worst));
  PetscCall(PetscFree6(A, A0, B, X, ref, R));
  PetscFunctionReturn(0);
}

/* W* and L* of a linreg cell (d = 30, k = 10, R = 1) over comm and on one rank. */
static PetscErrorCode LinregOptimum(MPI_Comm comm)
{
  enum { d = 30 };
  ICLTaskParams p = {.d = d, .k = 10, .R = 1.0};
  PetscReal     Sx[d * d], Sb[d * d], W[d * d], Wref[d * d], L, Lref;

  PetscFunctionBegin;
  PetscCall(ICLLinregCovariances(&p, Sx, Sb));
  for (int i = 0; i < d * d; i++) Sx[i] += i % (d + 1) == 0 ? 0.0 : 0.01 / (1 + (i % 7)); /* a non-identity Sx, still SPD */
  for (int j = 0; j < d; j++)
    for (int i = 0; i < j; i++) Sx[i + j * d] = Sx[j + i * d];
  PetscCall(ICLLinregOptimal(comm, d, Sx, Sb, 0.25, 20, W, &L));
  PetscCall(ICLLinregOptimal(PETSC_COMM_SELF, d, Sx, Sb, 0.25, 20, Wref, &Lref));
  CHECK(RelDiff(d * d, W, Wref) <= 1e-12, "W* over the group differs from one rank's by %.3g relative", RelDiff(d * d, W, Wref));
  CHECK(PetscAbsReal(L - Lref) <= 1e-12 * Lref, "L* over the group %.17g, one rank %.17g", L, Lref);
  PetscCall(PetscPrintf(comm, "linreg W*: max relative difference from one rank %.2e, L* %.2e\n", (double)RelDiff(d * d, W, Wref), (double)(PetscAbsReal(L - Lref) / Lref)));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  const PetscInt sizes[][2] = {{1, 1}, {5, 2}, {24, 24}, {65, 3}, {130, 130}};
  MPI_Comm       pairs;
  PetscMPIInt    rank;
  PetscReal      S[4] = {1, 2, 2, 4}, b[2] = {1, 1};
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_split(PETSC_COMM_WORLD, rank / 2, rank, &pairs));
  for (size_t t = 0; t < PETSC_STATIC_ARRAY_LENGTH(sizes); t++) {
    PetscCall(Solve(PETSC_COMM_WORLD, sizes[t][0], sizes[t][1], "world"));
    PetscCall(Solve(pairs, sizes[t][0], sizes[t][1], "pairs"));
  }
  PetscCall(LinregOptimum(PETSC_COMM_WORLD));
  PetscCall(LinregOptimum(pairs));
  /* A singular matrix: an error on every rank (and the grid is left on the way out). */
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = ICLDenseSolve(PETSC_COMM_WORLD, 2, 1, S, b);
  PetscCall(PetscPopErrorHandler());
  CHECK(ierr == PETSC_ERR_MAT_LU_ZRPVT, "a singular matrix must be PETSC_ERR_MAT_LU_ZRPVT, got %d", (int)ierr);
  PetscCallMPI(MPI_Comm_free(&pairs));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_dense_solve")
