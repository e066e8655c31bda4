/* The dual form's step against the memory: one gmm cell trained by ICLDualGD on all ranks as
 * one group, T = 0 (forming K and one loss) and T steps; the difference is T steps, each of
 * which reads K's upper triangle once. Prints "ranks form_s step_s GB/s" with GB/s = the
 * group's bytes of K per step / step time, to set against read_bandwidth on as many cores.
 * Usage: dual_bandwidth [B] [d] [T] [double|single] [reps]. */
#include <petscsys.h>
#include <time.h>

#include "bilinear_tasks.h"
#include "dual_gd.h"
#include "gmm.h"

static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Seconds of ICLDualGD with T steps, the slowest rank's, best of reps. */
static PetscErrorCode Time(const ICLBilinearProblem *p, ICLTrainPrecision precision, PetscInt T, int reps, PetscReal *W, double *seconds)
{
  PetscReal       loss;
  PetscInt        steps;
  ICLTrainOutcome outcome;

  PetscFunctionBegin;
  *seconds = 1e300;
  for (int r = 0; r < reps; r++) {
    double t;
    PetscCallMPI(MPI_Barrier(p->comm));
    const double t0 = Now();
    PetscCall(ICLDualGD(p, precision, T, 0.01, W, &loss, &steps, &outcome));
    t = Now() - t0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, p->comm));
    *seconds = PetscMin(*seconds, t);
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt          B = argc > 1 ? atoi(argv[1]) : 20000, d = argc > 2 ? atoi(argv[2]) : 500, T = argc > 3 ? atoi(argv[3]) : 100;
  const ICLTrainPrecision precision = argc > 4 && !strcmp(argv[4], "single") ? ICL_PRECISION_SINGLE : ICL_PRECISION_DOUBLE;
  ICLBilinearProblem      p;
  PetscReal              *W;
  const int               reps      = argc > 5 ? atoi(argv[5]) : 2;
  PetscMPIInt             size;
  double                  form, all;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  const ICLCell cell = {.comm = PETSC_COMM_WORLD, .family = &ICLFamilyGmm, .task = {.d = (int)d, .k = 30, .R = 2, .seed = 1}, .N = 40, .B = B};
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(ICLBilinearProblemCreate(&cell, &p));
  PetscCall(PetscMalloc1(d * d, &W));
  PetscCall(Time(&p, precision, 0, reps, W, &form));
  PetscCall(Time(&p, precision, T, reps, W, &all));
  const double step = (all - form) / T, bytes = 0.5 * B * (B + 1.0) * (precision == ICL_PRECISION_SINGLE ? sizeof(float) : sizeof(double));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d %.3f %.5f %.2f\n", size, form, step, bytes / step / 1e9));
  PetscCall(PetscFree(W));
  PetscCall(ICLBilinearProblemDestroy(&p));
  PetscCall(PetscFinalize());
  return 0;
}
