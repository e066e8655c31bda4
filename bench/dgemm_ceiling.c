/* The machine's dense-GEMM ceiling, measured with the BLAS iclsweep links (through PETSc's
 * BLAS interface), at the threads OPENBLAS_NUM_THREADS allows: the denominator of every
 * GFLOP/s ratio in bench/run.sh. Prints "n GFLOP/s" for the best of a few repetitions. */
#include <petscsys.h>
#include <petscblaslapack.h>
#include <time.h>

int main(int argc, char **argv)
{
  PetscBLASInt n = argc > 1 ? atoi(argv[1]) : 2000;
  const int    reps = argc > 2 ? atoi(argv[2]) : 5;
  double       best = 0, one = 1.0, zero = 0.0;
  double      *a, *b, *c;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscMalloc3((size_t)n * n, &a, (size_t)n * n, &b, (size_t)n * n, &c));
  for (size_t i = 0; i < (size_t)n * n; i++) a[i] = 1.0 / (1 + i % 7), b[i] = 1.0 / (1 + i % 5);
  for (int r = 0; r < reps; r++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    BLASgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    best           = PetscMax(best, 2.0 * n * n * (double)n / s / 1e9);
  }
  printf("%d %.2f\n", (int)n, best);
  PetscCall(PetscFree3(a, b, c));
  PetscCall(PetscFinalize());
  return 0;
}
