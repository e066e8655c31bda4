#include "group.h"

#include <petscblaslapack.h>

PetscErrorCode ICLAxpy(PetscInt n, PetscReal alpha, const PetscReal *x, PetscReal *y)
{
  PetscBLASInt       bn;
  const PetscBLASInt inc = 1;

  PetscFunctionBegin;
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCallBLAS("BLASaxpy", BLASaxpy_(&bn, &alpha, x, &inc, y, &inc));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGroupShare(MPI_Comm comm, PetscInt n, PetscInt *first, PetscInt *count)
{
  PetscMPIInt rank, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  *first = (PetscInt)((PetscInt64)n * rank / size);
  *count = (PetscInt)((PetscInt64)n * (rank + 1) / size) - *first;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLGroupOuterSum(MPI_Comm comm, PetscInt d, PetscInt n, PetscReal scale, const PetscReal *P, const PetscReal *R, PetscReal *scratch, PetscReal *G)
{
  PetscBLASInt    bd, bn, dd;
  const PetscBLASInt inc = 1;
  const PetscReal one = 1.0, zero = 0.0;
  PetscMPIInt     size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscBLASIntCast(d, &bd));
  PetscCall(PetscBLASIntCast(n, &bn));
  if (size == 1) {
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bn, &scale, P, &bd, R, &bd, &one, G, &bd));
    PetscFunctionReturn(0);
  }
  PetscCallBLAS("BLASgemm", BLASgemm_("N", "T", &bd, &bd, &bn, &one, P, &bd, R, &bd, &zero, scratch, &bd));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, scratch, (PetscMPIInt)(d * d), MPIU_REAL, MPI_SUM, comm));
  PetscCall(PetscBLASIntCast(d * d, &dd));
  PetscCallBLAS("BLASaxpy", BLASaxpy_(&dd, &scale, scratch, &inc, G, &inc));
  PetscFunctionReturn(0);
}
