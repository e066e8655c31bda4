/* Diagnostics of a trained W, run on 1, 2 and 4 ranks: singular values of Q1 diag(s) Q2^T
 * (random orthogonal Q's) from LAPACK (one rank) and ScaLAPACK (the world, and pairs of
 * ranks side by side, as groups run) against s and against each other to 1e-12 relative;
 * the distance to one-step GD in its closed forms: 0 for W = c W_1 (c > 0), 2 for
 * W = -W_1, sqrt(2) for W orthogonal to W_1, NaN for W = 0. */
#include <petscsys.h>
#include <petscblaslapack.h>

#include "check.h"
#include "bilinear_gd.h"
#include "method_gd.h"
#include "diagnostics.h"
#include "rng.h"
#include "subspace.h"

/* A = Q1 diag(s) Q2^T with s_i = 10 * 0.8^i: every rank builds the same A. */
static PetscErrorCode KnownMatrix(PetscInt d, PetscReal *A, PetscReal *s)
{
  PetscReal      *Q1, *Q2;
  PetscBLASInt    bd;
  const PetscReal one = 1.0, zero = 0.0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscMalloc2((size_t)d * d, &Q1, (size_t)d * d, &Q2));
  PetscCheck(ICLSubspaceRandom(5, (int)d, (int)d, 0, Q1) == 0 && ICLSubspaceRandom(5, (int)d, (int)d, 1, Q2) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "QR failed");
  for (PetscInt i = 0; i < d; i++) {
    s[i] = 10 * PetscPowReal(0.8, (PetscReal)i);
    for (PetscInt r = 0; r < d; r++) Q1[i * d + r] *= s[i]; /* Q1 diag(s) */
  }
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bd, &one, Q1, &bd, Q2, &bd, &zero, A, &bd));
  PetscCall(PetscFree2(Q1, Q2));
  PetscFunctionReturn(0);
}

static PetscErrorCode SingularValues(MPI_Comm pairs)
{
  const PetscInt dims[] = {1, 3, 8, 24, 65, 130};
  PetscMPIInt    size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  for (size_t t = 0; t < PETSC_STATIC_ARRAY_LENGTH(dims); t++) {
    const PetscInt d = dims[t];
    PetscReal     *A, *s, lapack[ICL_NUM_SV], world[ICL_NUM_SV], pair[ICL_NUM_SV], worst = 0;
    PetscCall(PetscMalloc2((size_t)d * d, &A, d, &s));
    PetscCall(KnownMatrix(d, A, s));
    PetscCall(ICLSingularValues(PETSC_COMM_SELF, d, A, ICL_NUM_SV, lapack));
    PetscCall(ICLSingularValues(PETSC_COMM_WORLD, d, A, ICL_NUM_SV, world));
    PetscCall(ICLSingularValues(pairs, d, A, ICL_NUM_SV, pair));
    for (PetscInt i = 0; i < ICL_NUM_SV; i++) {
      if (i >= d) {
        CHECK(PetscIsNanReal(lapack[i]) && PetscIsNanReal(world[i]) && PetscIsNanReal(pair[i]), "d = %d: sv[%d] past d must be NaN", (int)d, (int)i);
        continue;
      }
      const PetscReal e[3] = {PetscAbsReal(lapack[i] - s[i]) / s[i], PetscAbsReal(world[i] - lapack[i]) / lapack[i], PetscAbsReal(pair[i] - lapack[i]) / lapack[i]};
      CHECK(e[0] <= 1e-12, "d = %d: LAPACK sv[%d] = %.17g, known %.17g", (int)d, (int)i, lapack[i], s[i]);
      CHECK(e[1] <= 1e-12 && e[2] <= 1e-12, "d = %d: ScaLAPACK sv[%d] = %.17g (world), %.17g (pair), LAPACK %.17g", (int)d, (int)i, world[i], pair[i], lapack[i]);
      for (int k = 0; k < 3; k++) worst = PetscMax(worst, e[k]);
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "d = %3d on %d ranks: max relative difference of sv (LAPACK vs known, ScaLAPACK vs LAPACK) %.2e\n", (int)d, size, (double)worst));
    PetscCall(PetscFree2(A, s));
  }
  PetscFunctionReturn(0);
}

enum { B = 40, d = 6 };

/* The gmm-style logistic problem on B tasks, split by rows over the world as a group does. */
static PetscErrorCode GDDistance(void)
{
  PetscReal          Mt[d * B], Vt[d * B], work[d * B], grad[d * d], W1[d * d], W[d * d], R[d * d], sv[ICL_NUM_SV], ref[ICL_NUM_SV], dist, loss, rw = 0, ww = 0;
  PetscInt           steps, b0;
  ICLTrainOutcome       outcome;
  ICLStream          st;
  ICLBilinearProblem p = {.comm = PETSC_COMM_WORLD, .loss = ICL_LOSS_LOGISTIC, .B = B, .d = d, .Mt = Mt, .Vt = Vt, .work = work, .grad = grad};

  PetscFunctionBegin;
  ICLStreamInit(&st, 3, ICL_PURPOSE_TASK, 0, 0, 0);
  ICLStreamNormals(&st, d * B, Mt);
  ICLStreamNormals(&st, d * B, Vt);
  ICLStreamNormals(&st, d * d, R);
  PetscCall(ICLGroupShare(PETSC_COMM_WORLD, B, &b0, &p.B_local));
  p.Mt = Mt + b0 * d, p.Vt = Vt + b0 * d;

  /* W_1: one GD step of size 0.3 from 0. */
  PetscCall(PetscArrayzero(W1, d * d));
  PetscCall(ICLBilinearGD(&p, 1, 0.3, W1, &loss, &steps, &outcome));
  PetscCall(ICLTrainedWDiagnostics(PETSC_COMM_WORLD, d, ICLBilinearLossGradCtx, &p, W1, sv, &dist));
  PetscCall(ICLSingularValues(PETSC_COMM_SELF, d, W1, ICL_NUM_SV, ref));
  CHECK(dist <= 1e-14, "W = W_1: gd_distance %.3g, want 0", dist);
  for (PetscInt i = 0; i < ICL_NUM_SV; i++) CHECK(i >= d ? PetscIsNanReal(sv[i]) : PetscAbsReal(sv[i] - ref[i]) <= 1e-12 * ref[i], "sv[%d] of W_1: %.17g, LAPACK %.17g", (int)i, sv[i], ref[i]);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "W = W_1: gd_distance %.2e\n", (double)dist));

  for (PetscInt i = 0; i < d * d; i++) W[i] = 3 * W1[i];
  PetscCall(ICLTrainedWDiagnostics(PETSC_COMM_WORLD, d, ICLBilinearLossGradCtx, &p, W, sv, &dist));
  CHECK(dist <= 1e-14, "W = 3 W_1: gd_distance %.3g, want 0", dist);
  for (PetscInt i = 0; i < d * d; i++) W[i] = -W1[i];
  PetscCall(ICLTrainedWDiagnostics(PETSC_COMM_WORLD, d, ICLBilinearLossGradCtx, &p, W, sv, &dist));
  CHECK(PetscAbsReal(dist - 2) <= 1e-14, "W = -W_1: gd_distance %.17g, want 2", dist);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "W = -W_1: gd_distance - 2 = %.2e\n", (double)(dist - 2)));
  /* R less its component along W_1 */
  for (PetscInt i = 0; i < d * d; i++) rw += R[i] * W1[i], ww += W1[i] * W1[i];
  for (PetscInt i = 0; i < d * d; i++) W[i] = R[i] - rw / ww * W1[i];
  PetscCall(ICLTrainedWDiagnostics(PETSC_COMM_WORLD, d, ICLBilinearLossGradCtx, &p, W, sv, &dist));
  CHECK(PetscAbsReal(dist - PETSC_SQRT2) <= 1e-14, "W orthogonal to W_1: gd_distance %.17g, want sqrt(2)", dist);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "W orthogonal to W_1: gd_distance - sqrt(2) = %.2e\n", (double)(dist - PETSC_SQRT2)));
  PetscCall(PetscArrayzero(W, d * d));
  PetscCall(ICLTrainedWDiagnostics(PETSC_COMM_WORLD, d, ICLBilinearLossGradCtx, &p, W, sv, &dist));
  CHECK(PetscIsNanReal(dist) && sv[0] == 0, "W = 0: gd_distance %g (want NaN), sv[0] %g (want 0)", dist, sv[0]);
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  MPI_Comm    pairs;
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_split(PETSC_COMM_WORLD, rank / 2, rank, &pairs));
  PetscCall(SingularValues(pairs));
  PetscCallMPI(MPI_Comm_free(&pairs));
  PetscCall(GDDistance());
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_diagnostics")
