#include "diagnostics.h"

#include <petscblaslapack.h>

#include "block_cyclic.h"
#include "scalapack.h"

static PetscErrorCode SingularValuesLAPACK(PetscInt d, const PetscReal *W, PetscReal *s)
{
  PetscBLASInt bd, lwork = -1, info, one = 1;
  PetscReal   *A, query, *work, dummy = 0;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscMalloc1((size_t)d * d, &A));
  PetscCall(PetscArraycpy(A, W, (size_t)d * d)); /* dgesvd overwrites its input */
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &bd, &bd, A, &bd, s, &dummy, &one, &dummy, &one, &query, &lwork, &info));
  PetscCall(PetscBLASIntCast((PetscInt)query, &lwork));
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKgesvd", LAPACKgesvd_("N", "N", &bd, &bd, A, &bd, s, &dummy, &one, &dummy, &one, work, &lwork, &info));
  PetscCall(PetscFree(work));
  PetscCall(PetscFree(A));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dgesvd of the %d x %d trained W failed (info %d)", (int)d, (int)d, (int)info);
  PetscFunctionReturn(0);
}

/* pdgesvd returns every singular value on every rank of the grid. */
static PetscErrorCode SingularValuesScaLAPACK(MPI_Comm comm, PetscInt d, const PetscReal *W, PetscReal *s)
{
  ICLBlacsGrid   g;
  ICLBlockCyclic A = {0};
  const int      one = 1;
  int            lwork = -1, info = 0;
  PetscReal      query, *work = NULL, dummy = 0;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(ICLBlacsGridCreate(comm, &g));
  ierr = ICLBlockCyclicCreate(&g, d, d, ICLBlockCyclicBlockSize(&g, d), W, &A);
  /* U and V^T are not referenced with "N", "N": A's descriptor stands in for theirs. */
  if (!ierr) pdgesvd_("N", "N", &A.m, &A.n, A.local, &one, &one, A.desc, s, &dummy, &one, &one, A.desc, &dummy, &one, &one, A.desc, &query, &lwork, &info, 1, 1);
  if (!ierr && !info) ierr = PetscMalloc1(PetscMax((int)query, 1), &work);
  if (!ierr && !info) {
    lwork = PetscMax((int)query, 1);
    pdgesvd_("N", "N", &A.m, &A.n, A.local, &one, &one, A.desc, s, &dummy, &one, &one, A.desc, &dummy, &one, &one, A.desc, work, &lwork, &info, 1, 1);
  }
  /* the grid is the group's: leave it with the others even after an error */
  PetscCall(PetscFree(work));
  PetscCall(ICLBlockCyclicDestroy(&A));
  PetscCall(ICLBlacsGridDestroy(&g));
  PetscCall(ierr);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ScaLAPACK pdgesvd of the %d x %d trained W failed (info %d)", (int)d, (int)d, info);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLSingularValues(MPI_Comm comm, PetscInt d, const PetscReal *W, PetscInt n, PetscReal *sv)
{
  PetscMPIInt size;
  PetscReal  *s;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1(d, &s));
  if (size == 1) PetscCall(SingularValuesLAPACK(d, W, s));
  else PetscCall(SingularValuesScaLAPACK(comm, d, W, s));
  for (PetscInt i = 0; i < n; i++) sv[i] = i < d ? s[i] : NAN;
  PetscCall(PetscFree(s));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLDirectionDistance(PetscInt d, const PetscReal *W, const PetscReal *W1, PetscReal *dist)
{
  PetscReal ww = 0, w1 = 0, cross = 0;

  PetscFunctionBegin;
  for (size_t i = 0; i < (size_t)d * d; i++) {
    ww += W[i] * W[i];
    w1 += W1[i] * W1[i];
  }
  if (!(ww > 0 && w1 > 0) || PetscIsInfOrNanReal(ww + w1)) {
    *dist = NAN;
    PetscFunctionReturn(0);
  }
  /* Summed entry by entry rather than as 2 - 2 cos: exact 0 for W = c W1 up to rounding of the
   * quotients, and no cancellation near 0. */
  const PetscReal a = 1 / PetscSqrtReal(ww), b = 1 / PetscSqrtReal(w1);
  for (size_t i = 0; i < (size_t)d * d; i++) cross += (a * W[i] - b * W1[i]) * (a * W[i] - b * W1[i]);
  *dist = PetscSqrtReal(cross);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLFirstGDStep(PetscInt d, ICLLossGradFn f, void *ctx, PetscReal *W1)
{
  PetscReal *zero, loss;

  PetscFunctionBegin;
  PetscCall(PetscCalloc1((size_t)d * d, &zero));
  PetscCall(PetscArrayzero(W1, (size_t)d * d));
  PetscCall(f(ctx, zero, &loss, -1.0, W1));
  PetscCall(PetscFree(zero));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLTrainedWDiagnosticsFrom(MPI_Comm comm, PetscInt d, const PetscReal *W, const PetscReal *W1, PetscReal sv[ICL_NUM_SV], PetscReal *gd_distance)
{
  PetscFunctionBegin;
  PetscCall(ICLDirectionDistance(d, W, W1, gd_distance));
  PetscCall(ICLSingularValues(comm, d, W, ICL_NUM_SV, sv));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLTrainedWDiagnostics(MPI_Comm comm, PetscInt d, ICLLossGradFn f, void *ctx, const PetscReal *W, PetscReal sv[ICL_NUM_SV], PetscReal *gd_distance)
{
  PetscReal *W1;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1((size_t)d * d, &W1));
  PetscCall(ICLFirstGDStep(d, f, ctx, W1));
  PetscCall(ICLDirectionDistance(d, W, W1, gd_distance));
  PetscCall(PetscFree(W1)); /* before the SVD's workspace */
  PetscCall(ICLSingularValues(comm, d, W, ICL_NUM_SV, sv));
  PetscFunctionReturn(0);
}

PetscReal ICLTrainedWDiagnosticsFlops(PetscInt B, PetscInt d) { return 4.0 * B * (PetscReal)d * d + 8.0 / 3.0 * (PetscReal)d * d * d; }

PetscReal ICLTrainedWDiagnosticsMemory(PetscInt d, PetscInt g) { return sizeof(PetscReal) * (2.0 + 2.0 / g) * d * d; }
