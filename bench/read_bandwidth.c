/* The machine's read bandwidth (bench/read_rate.h): every rank, with as many threads as its
 * BLAS has, sums an array of its own (dasum); prints "ranks threads GB/s".
 * Usage: read_bandwidth [MB] [reps]. */
#include "blas_threads.h"
#include "read_rate.h"

int main(int argc, char **argv)
{
  const double megabytes = argc > 1 ? atof(argv[1]) : 1024;
  const int    reps      = argc > 2 ? atoi(argv[2]) : 9;
  PetscMPIInt  size;
  double       gbs = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  const int threads = (int)ICLBlasThreadsGet();
  PetscCall(BenchReadRate(PETSC_COMM_WORLD, megabytes, reps, &gbs));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d %d %.2f\n", size, threads, gbs));
  PetscCall(PetscFinalize());
  return 0;
}
