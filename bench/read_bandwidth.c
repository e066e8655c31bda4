/* The machine's read bandwidth: every rank sums an array of its own far larger than the caches,
 * all at once; prints "ranks GB/s" (all ranks' bytes over the slowest rank's time, best of a few
 * repetitions). The denominator of the dual form's GB/s in bench/run.sh, run on as many cores
 * as the dual form gets (ranks, or BLAS threads of one rank). Written here because STREAM has
 * no read-only kernel, and the dual form's step only reads K. Usage: read_bandwidth [MB] [reps]. */
#include <petscsys.h>
#include <time.h>

static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
  const size_t n    = (size_t)(argc > 1 ? atof(argv[1]) : 1024) * 1e6 / sizeof(double);
  const int    reps = argc > 2 ? atoi(argv[2]) : 5;
  double      *a, best = 0, sum = 0;
  PetscMPIInt  size;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscMalloc1(n, &a));
  for (size_t i = 0; i < n; i++) a[i] = 1.0 / (1 + i % 7);
  for (int r = 0; r < reps; r++) {
    double s[8] = {0}, t;
    PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
    const double t0 = Now();
    /* eight independent sums: the loads, not one addition chain, set the pace */
    for (size_t i = 0; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; l++) s[l] += a[i + l];
    t = Now() - t0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
    best = PetscMax(best, size * (double)(n / 8 * 8) * sizeof(double) / t / 1e9);
    for (int l = 0; l < 8; l++) sum += s[l];
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d %.2f\n", size, best));
  if (sum == 42.0) PetscCall(PetscPrintf(PETSC_COMM_SELF, " \n")); /* keeps the sums alive */
  PetscCall(PetscFree(a));
  PetscCall(PetscFinalize());
  return 0;
}
