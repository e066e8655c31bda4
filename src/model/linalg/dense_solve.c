#include "dense_solve.h"

#include <petscblaslapack.h>

#include "block_cyclic.h"
#include "scalapack.h"

static PetscErrorCode SolveScaLAPACK(MPI_Comm comm, PetscInt n, PetscInt nrhs, const PetscReal *A, PetscReal *B, int *info)
{
  ICLBlacsGrid   g;
  ICLBlockCyclic a = {0}, b = {0};
  const int      one = 1;
  int           *piv = NULL;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *info = 0;
  PetscCall(ICLBlacsGridCreate(comm, &g));
  /* pdgesv wants B's row blocks to be A's */
  const int nb = ICLBlockCyclicBlockSize(&g, PetscMax(n, nrhs));
  ierr = ICLBlockCyclicCreate(&g, n, n, nb, A, &a);
  if (!ierr) ierr = ICLBlockCyclicCreate(&g, n, nrhs, nb, B, &b);
  if (!ierr) ierr = PetscMalloc1(a.mloc + nb, &piv);
  if (!ierr) pdgesv_(&a.m, &b.n, a.local, &one, &one, a.desc, piv, b.local, &one, &one, b.desc, info);
  if (!ierr && !*info) ierr = ICLBlockCyclicGather(&g, &b, B);
  /* the grid is the group's: leave it with the others even after an error */
  PetscCall(PetscFree(piv));
  PetscCall(ICLBlockCyclicDestroy(&a));
  PetscCall(ICLBlockCyclicDestroy(&b));
  PetscCall(ICLBlacsGridDestroy(&g));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLDenseSolve(MPI_Comm comm, PetscInt n, PetscInt nrhs, PetscReal *A, PetscReal *B)
{
  PetscMPIInt size;
  int         info;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1) {
    PetscBLASInt bn, bnrhs, binfo, *piv;
    PetscCall(PetscBLASIntCast(n, &bn));
    PetscCall(PetscBLASIntCast(nrhs, &bnrhs));
    PetscCall(PetscMalloc1(n, &piv));
    PetscCallBLAS("LAPACKgesv", LAPACKgesv_(&bn, &bnrhs, A, &bn, piv, B, &bn, &binfo));
    PetscCall(PetscFree(piv));
    info = (int)binfo;
  } else PetscCall(SolveScaLAPACK(comm, n, nrhs, A, B, &info));
  PetscCheck(info <= 0, PETSC_COMM_SELF, PETSC_ERR_MAT_LU_ZRPVT, "the %d x %d matrix is singular (zero pivot U(%d,%d) in its LU factorization)", (int)n, (int)n, info, info);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "%s rejected argument %d of a %d x %d solve", size == 1 ? "LAPACK dgesv" : "ScaLAPACK pdgesv", -info, (int)n, (int)n);
  PetscFunctionReturn(0);
}
