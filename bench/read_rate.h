/* The machine's read bandwidth as the dual form meets it: every rank of comm sums an array of
 * its own, far larger than the caches, all at once, with the BLAS's dasum on as many threads as
 * the BLAS runs (the dual form's step reads K through the same library, so both meet the same
 * vector loads and prefetching; a hand-written loop read a core at 18 GB/s where dasum and the
 * step's dsymv read 27-31). GB/s = all bytes over the slowest rank's time, the median of reps
 * (bench/dual_bandwidth.c takes the median step: best-of-reps against a typical step would
 * count the host's noise against the step).
 * Shared by bench/read_bandwidth.c and bench/dual_bandwidth.c (which sets it against its step
 * in the same process). */
#ifndef ICL_BENCH_READ_RATE_H
#define ICL_BENCH_READ_RATE_H

#include <petscblaslapack.h>
#include <petscsys.h>
#include <time.h>

static inline double BenchNow(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static inline int BenchLess(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of v[0..n), which it sorts. */
static inline double BenchMedian(PetscInt n, double *v)
{
  qsort(v, (size_t)n, sizeof *v, BenchLess);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline PetscErrorCode BenchReadRate(MPI_Comm comm, double megabytes, int reps, double *gbs)
{
  const size_t       n   = (size_t)(megabytes * 1e6 / sizeof(double));
  const PetscBLASInt inc = 1;
  double            *a, *rate, sink = 0;
  PetscBLASInt       bn;
  PetscMPIInt        size;

  PetscFunctionBegin;
  PetscCheck(reps >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "reps = %d: 1 or more", reps);
  PetscCall(PetscBLASIntCast((PetscInt)n, &bn));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc2(n, &a, reps, &rate));
  for (size_t i = 0; i < n; i++) a[i] = 1.0 / (1 + i % 7);
  for (int r = 0; r < reps; r++) {
    double t;
    PetscCallMPI(MPI_Barrier(comm));
    const double t0 = BenchNow();
    sink += BLASasum_(&bn, a, &inc);
    t = BenchNow() - t0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm));
    rate[r] = size * (double)n * sizeof(double) / t / 1e9;
  }
  if (sink == 42.0) PetscCall(PetscPrintf(PETSC_COMM_SELF, " \n")); /* keeps the sums alive */
  *gbs = BenchMedian(reps, rate);
  PetscCall(PetscFree2(a, rate));
  PetscFunctionReturn(0);
}

#endif
