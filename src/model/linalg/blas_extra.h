/* The BLAS routines iclsweep calls that PETSc's petscblaslapack.h does not declare (it declares
 * gemm and gemv for PetscScalar only: no symv, no float routine), by their Fortran names mangled
 * as PETSc mangles its BLAS. Called by Fortran name because GSL's reference CBLAS is linked too
 * and shadows OpenBLAS's cblas_* (measured: one thread, far below DGEMM's rate). */
#ifndef ICL_BLAS_EXTRA_H
#define ICL_BLAS_EXTRA_H

#include <petscblaslapack.h>

#if defined(PETSC_BLASLAPACK_CAPS)
  #define ICL_BLAS(lower, upper) PETSC_PASTE2(upper, PETSC_BLASLAPACK_SUFFIX_)
#else
  #define ICL_BLAS(lower, upper) PETSC_PASTE2(lower, PETSC_BLASLAPACK_SUFFIX_)
#endif
#define BLASdsymv_ ICL_BLAS(dsymv, DSYMV)
#define BLASssymv_ ICL_BLAS(ssymv, SSYMV)
#define BLASsgemv_ ICL_BLAS(sgemv, SGEMV)
#define BLASsgemm_ ICL_BLAS(sgemm, SGEMM)
BLAS_EXTERN void BLASdsymv_(const char *, const PetscBLASInt *, const double *, const double *, const PetscBLASInt *, const double *, const PetscBLASInt *, const double *, double *, const PetscBLASInt *);
BLAS_EXTERN void BLASssymv_(const char *, const PetscBLASInt *, const float *, const float *, const PetscBLASInt *, const float *, const PetscBLASInt *, const float *, float *, const PetscBLASInt *);
BLAS_EXTERN void BLASsgemm_(const char *, const char *, const PetscBLASInt *, const PetscBLASInt *, const PetscBLASInt *, const float *, const float *, const PetscBLASInt *, const float *, const PetscBLASInt *, const float *, float *,
                            const PetscBLASInt *);
BLAS_EXTERN void BLASsgemv_(const char *, const PetscBLASInt *, const PetscBLASInt *, const float *, const float *, const PetscBLASInt *, const float *, const PetscBLASInt *, const float *, float *, const PetscBLASInt *);

#endif
