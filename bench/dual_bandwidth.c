/* The dual form's step against the memory, timed inside one run: one gmm cell trained by
 * ICLDualGDCheckpoints on all ranks as one group, with checkpoints at steps 1, 1 + T and 2 + T.
 * A checkpoint forms W (one GEMM) before its callback, so the interval to 1 + T is T steps and
 * one W, the interval to 2 + T is one step and one W: a step is their difference / (T - 1).
 * Each step reads this rank's words of K once; GB/s = the group's bytes of K per step / step
 * time, set against the read bandwidth measured in the same process on as many cores (ranks
 * x BLAS threads, bench/read_rate.h). Prints "ranks threads form_s step_s GB/s read_GB/s
 * fraction" (form_s: to the first checkpoint: K's formation, one step and one W).
 * Usage: dual_bandwidth [B] [d] [T] [double|single] [read MB]. */
#include "bilinear_tasks.h"
#include "blas_threads.h"
#include "dual_gd.h"
#include "gmm.h"
#include "read_rate.h"

typedef struct {
  MPI_Comm        comm;
  const PetscInt *marks;
  double          at[3];
} Clock;

static PetscErrorCode Tick(void *ctx, PetscInt i, const PetscReal *W, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  Clock *c = ctx;
  (void)W;
  PetscFunctionBegin;
  PetscCheck(steps == c->marks[i] && outcome == ICL_TRAIN_DONE, PETSC_COMM_SELF, PETSC_ERR_NOT_CONVERGED, "the run stopped at step %d (loss %g): no step time; lower the step size", (int)steps, (double)loss);
  PetscCallMPI(MPI_Barrier(c->comm)); /* the slowest rank's time */
  c->at[i] = BenchNow();
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const PetscInt          B = argc > 1 ? atoi(argv[1]) : 20000, d = argc > 2 ? atoi(argv[2]) : 500, T = argc > 3 ? atoi(argv[3]) : 60;
  const ICLTrainPrecision precision = argc > 4 && !strcmp(argv[4], "single") ? ICL_PRECISION_SINGLE : ICL_PRECISION_DOUBLE;
  const double            megabytes = argc > 5 ? atof(argv[5]) : 1000;
  const PetscInt          marks[3]  = {1, 1 + T, 2 + T};
  const PetscReal         lr        = 0.01;
  ICLBilinearProblem      p;
  PetscReal              *W;
  PetscMPIInt             size;
  Clock                   clock;
  double                  read = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCheck(T >= 2, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "T = %d: 2 or more steps", (int)T);
  const int     threads = (int)ICLBlasThreadsGet();
  const ICLCell cell    = {.comm = PETSC_COMM_WORLD, .family = &ICLFamilyGmm, .task = {.d = (int)d, .k = 30, .R = 2, .seed = 1}, .N = 40, .B = B};
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  clock.comm = PETSC_COMM_WORLD, clock.marks = marks;
  PetscCall(BenchReadRate(PETSC_COMM_WORLD, megabytes, 5, &read));
  PetscCall(ICLBilinearProblemCreate(&cell, &p));
  PetscCall(PetscMalloc1(d * d, &W));
  const ICLCheckpoints cp = {.n = 3, .T = marks, .at = Tick, .ctx = &clock};
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  const double t0 = BenchNow();
  PetscCall(ICLDualGDCheckpoints(&p, precision, 1, &lr, &cp, W));
  const double step = ((clock.at[1] - clock.at[0]) - (clock.at[2] - clock.at[1])) / (T - 1), bytes = 0.5 * B * (B + 1.0) * (precision == ICL_PRECISION_SINGLE ? sizeof(float) : sizeof(double));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d %d %.3f %.5f %.2f %.2f %.2f\n", size, threads, clock.at[0] - t0, step, bytes / step / 1e9, read, bytes / step / 1e9 / read));
  PetscCall(PetscFree(W));
  PetscCall(ICLBilinearProblemDestroy(&p));
  PetscCall(PetscFinalize());
  return 0;
}
