/* The dual form's step against the memory, timed inside one run: one gmm cell trained by
 * ICLDualGDCheckpoints on all ranks as one group, with a W-free checkpoint after every step
 * (no W is formed, so an interval between checkpoints is one step). A step's time is the
 * median of the T steps' times (each the slowest rank's); GB/s = the group's bytes of K per
 * step / that time, set against the read bandwidth measured in the same process on as many
 * cores (ranks x BLAS threads, bench/read_rate.h), also a median: the same statistic on both
 * sides, which a shared host's noise moves least. Prints "ranks threads form_s step_s GB/s
 * read_GB/s fraction" (form_s: to the first checkpoint: K's formation and one step).
 * Usage: dual_bandwidth [B] [d] [T] [double|single] [read MB]. */
#include "bilinear_tasks.h"
#include "blas_threads.h"
#include "dual_gd.h"
#include "gmm.h"
#include "read_rate.h"

typedef struct {
  MPI_Comm comm;
  double  *at; /* checkpoint i's time */
} Clock;

static PetscErrorCode Tick(void *ctx, PetscInt i, const PetscReal *alpha, const PetscReal *s, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  Clock *c = ctx;
  (void)alpha, (void)s;
  PetscFunctionBegin;
  PetscCheck(steps == i + 1 && outcome == ICL_TRAIN_DONE, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "the run stopped at step %d (loss %g): no step time; lower the step size", (int)steps, (double)loss);
  PetscCallMPI(MPI_Barrier(c->comm)); /* the slowest rank's time */
  c->at[i] = BenchNow();
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt          B = argc > 1 ? atoi(argv[1]) : 20000, d = argc > 2 ? atoi(argv[2]) : 500, T = argc > 3 ? atoi(argv[3]) : 60;
  const ICLTrainPrecision precision = argc > 4 && !strcmp(argv[4], "single") ? ICL_PRECISION_SINGLE : ICL_PRECISION_DOUBLE;
  const double            megabytes = argc > 5 ? atof(argv[5]) : 1000;
  const PetscReal         lr        = 0.01;
  ICLBilinearProblem      p;
  PetscInt               *marks;
  PetscMPIInt             size;
  Clock                   clock;
  double                  read = 0, *dt;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCheck(T >= 1, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "T = %d: 1 or more steps", (int)T);
  const int     threads = (int)ICLBlasThreadsGet();
  const ICLCell cell    = {.comm = PETSC_COMM_WORLD, .family = &ICLFamilyGmm, .task = {.d = (int)d, .k = 30, .R = 2, .seed = 1}, .N = 40, .B = B};
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscMalloc3(T + 1, &marks, T + 1, &clock.at, T, &dt));
  for (PetscInt i = 0; i <= T; i++) marks[i] = i + 1;
  clock.comm = PETSC_COMM_WORLD;
  PetscCall(BenchReadRate(PETSC_COMM_WORLD, megabytes, 9, &read));
  PetscCall(ICLBilinearProblemCreate(&cell, &p));
  const ICLCheckpoints cp = {.n = T + 1, .T = marks, .at_alpha = Tick, .ctx = &clock};
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  const double t0 = BenchNow();
  PetscCall(ICLDualGDCheckpoints(&p, precision, 1, &lr, &cp, NULL));
  for (PetscInt i = 0; i < T; i++) dt[i] = clock.at[i + 1] - clock.at[i];
  const double step = BenchMedian(T, dt), bytes = 0.5 * B * (B + 1.0) * (precision == ICL_PRECISION_SINGLE ? sizeof(float) : sizeof(double));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d %d %.3f %.5f %.2f %.2f %.2f\n", size, threads, clock.at[0] - t0, step, bytes / step / 1e9, read, bytes / step / 1e9 / read));
  PetscCall(PetscFree3(marks, clock.at, dt));
  PetscCall(ICLBilinearProblemDestroy(&p));
  PetscCall(PetscFinalize());
  return 0;
}
