/* eta batching in the dual form: L step sizes trained together on one K (ICLDualGDBatch)
 * against L separate ICLDualGD runs, on one gmm cell. Prints, per L, both times (best of a
 * few repetitions, measured in this one run) and their ratio, and the marginal cost of one
 * more step size as a fraction of a separate run. Times are the process's CPU seconds: on a
 * shared machine wall time measures the neighbours too (run it with one BLAS thread). Usage:
 * dual_batch [B] [d] [T]. */
#include <petscsys.h>
#include <time.h>

#include "bilinear_tasks.h"
#include "dual_gd.h"
#include "gmm.h"

static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv)
{
  const PetscInt     B = argc > 1 ? atoi(argv[1]) : 4000, d = argc > 2 ? atoi(argv[2]) : 200, T = argc > 3 ? atoi(argv[3]) : 200;
  enum { LMAX = 8, REPS = 3 };
  const ICLCell      cell = {.comm = PETSC_COMM_SELF, .family = &ICLFamilyGmm, .task = {.d = (int)d, .k = 5, .R = 2, .seed = 1}, .N = 40, .B = B};
  ICLBilinearProblem p;
  PetscReal         *W[LMAX], lr[LMAX], loss[LMAX];
  PetscInt           steps[LMAX];
  ICLTrainOutcome       outcome[LMAX];
  double             alone = 1e300;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(ICLBilinearProblemCreate(&cell, &p));
  for (int l = 0; l < LMAX; l++) {
    PetscCall(PetscMalloc1(d * d, &W[l]));
    lr[l] = 0.01 * (l + 1);
  }
  for (int r = 0; r < REPS; r++) {
    const double t0 = Now();
    PetscCall(ICLDualGD(&p, ICL_PRECISION_DOUBLE, T, lr[0], W[0], loss, steps, outcome));
    alone = PetscMin(alone, Now() - t0);
  }
  printf("B = %d, d = %d, T = %d: one step size alone %.3f CPU s\n", (int)B, (int)d, (int)T, alone);
  printf("L  separate_cpu_s  batched_cpu_s  speedup  marginal_cost_per_extra_eta\n");
  for (int L = 1; L <= LMAX; L *= 2) {
    double batched = 1e300;
    for (int r = 0; r < REPS; r++) {
      const double t0 = Now();
      PetscCall(ICLDualGDBatch(&p, T, L, lr, W, loss, steps, outcome));
      batched = PetscMin(batched, Now() - t0);
    }
    printf("%d  %.3f  %.3f  %.2f  %s%.3f\n", L, L * alone, batched, L * alone / batched, L > 1 ? "" : "(n/a) ", L > 1 ? (batched - alone) / (L - 1) / alone : 0.0);
  }
  for (int l = 0; l < LMAX; l++) PetscCall(PetscFree(W[l]));
  PetscCall(ICLBilinearProblemDestroy(&p));
  PetscCall(PetscFinalize());
  return 0;
}
