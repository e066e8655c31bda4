/* The machine's read bandwidth as the dual form meets it: every rank of comm, with `threads`
 * threads each, sums an array of its own far larger than the caches, all at once; GB/s = all
 * bytes over the slowest rank's time, best of reps. Written here because STREAM has no
 * read-only kernel, and the dual form's step only reads K. Shared by bench/read_bandwidth.c
 * and bench/dual_bandwidth.c (which sets it against its step in the same process). */
#ifndef ICL_BENCH_READ_RATE_H
#define ICL_BENCH_READ_RATE_H

#include <petscsys.h>
#include <pthread.h>
#include <time.h>

static inline double BenchNow(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef struct {
  const double *a;
  size_t        n;
  double        sum;
} BenchSlice;

static void *BenchSum(void *arg)
{
  BenchSlice *s    = arg;
  double      l[8] = {0};
  /* eight independent sums: the loads, not one addition chain, set the pace */
  for (size_t i = 0; i + 8 <= s->n; i += 8)
    for (int j = 0; j < 8; j++) l[j] += s->a[i + j];
  for (int j = 0; j < 8; j++) s->sum += l[j];
  return NULL;
}

static inline PetscErrorCode BenchReadRate(MPI_Comm comm, double megabytes, int threads, int reps, double *gbs)
{
  const size_t n = (size_t)(megabytes * 1e6 / sizeof(double)) / (8 * threads) * (8 * threads);
  double      *a, sink = 0;
  BenchSlice   s[64];
  pthread_t    th[64];
  PetscMPIInt  size;

  PetscFunctionBegin;
  PetscCheck(threads >= 1 && threads <= 64, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "threads %d: 1 to 64", threads);
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc1(n, &a));
  for (size_t i = 0; i < n; i++) a[i] = 1.0 / (1 + i % 7);
  *gbs = 0;
  for (int r = 0; r < reps; r++) {
    double t;
    PetscCallMPI(MPI_Barrier(comm));
    const double t0 = BenchNow();
    for (int i = 0; i < threads; i++) {
      s[i] = (BenchSlice){.a = a + i * (n / threads), .n = n / threads};
      if (i) PetscCheck(!pthread_create(&th[i], NULL, BenchSum, &s[i]), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot start a thread");
    }
    BenchSum(&s[0]);
    for (int i = 1; i < threads; i++) pthread_join(th[i], NULL);
    t = BenchNow() - t0;
    for (int i = 0; i < threads; i++) sink += s[i].sum;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm));
    *gbs = PetscMax(*gbs, size * (double)n * sizeof(double) / t / 1e9);
  }
  if (sink == 42.0) PetscCall(PetscPrintf(PETSC_COMM_SELF, " \n")); /* keeps the sums alive */
  PetscCall(PetscFree(a));
  PetscFunctionReturn(0);
}

#endif
