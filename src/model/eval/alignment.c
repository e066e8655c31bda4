#include "alignment.h"

#include <petscblaslapack.h>

PetscErrorCode ICLSubspaceAlignment(PetscInt d, PetscInt k, const PetscReal *U, const PetscReal *W, PetscReal *alignment)
{
  PetscReal in = 0.0, all = 0.0, *UW, *UWU;

  PetscFunctionBegin;
  for (size_t i = 0; i < (size_t)d * d; i++) all += W[i] * W[i];
  if (!U) {
    for (PetscInt j = 0; j < k; j++)
      for (PetscInt i = 0; i < k; i++) in += W[(size_t)j * d + i] * W[(size_t)j * d + i];
  } else {
    PetscBLASInt    bd, bk;
    const PetscReal one = 1.0, zero = 0.0;
    PetscCall(PetscBLASIntCast(d, &bd));
    PetscCall(PetscBLASIntCast(k, &bk));
    PetscCall(PetscMalloc2((size_t)k * d, &UW, (size_t)k * k, &UWU));
    PetscCallBLAS("BLASgemm", BLASgemm_("T", "N", &bk, &bd, &bd, &one, U, &bd, W, &bd, &zero, UW, &bk));
    PetscCallBLAS("BLASgemm", BLASgemm_("N", "N", &bk, &bk, &bd, &one, UW, &bk, U, &bd, &zero, UWU, &bk));
    for (size_t i = 0; i < (size_t)k * k; i++) in += UWU[i] * UWU[i];
    PetscCall(PetscFree2(UW, UWU));
  }
  *alignment = all > 0.0 ? in / all : NAN;
  PetscFunctionReturn(0);
}
