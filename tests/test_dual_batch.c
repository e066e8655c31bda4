/* ICLDualGDBatch: L step sizes trained together on one K equal, per step size, ICLDualGD run
 * alone, bit for bit, on gmm
 * (logistic) and linreg (squared, with a step size that diverges and must stop alone). On 1,
 * 2 and 4 ranks (K's rows split over the group). */
#include <petscsys.h>

#include "check.h"
#include "bilinear_tasks.h"
#include "dual_gd.h"
#include "gmm.h"
#include "linreg.h"

enum { d = 16, N = 10, B = 240, T = 30, L = 4 };

static PetscErrorCode Compare(const ICLFamily *fam, const PetscReal *lr, PetscBool last_diverges)
{
  const ICLCell      cell = {.comm = PETSC_COMM_WORLD, .family = fam, .task = {.d = d, .k = 3, .R = 1.5, .seed = 9, .sigma = 0.5}, .N = N, .B = B};
  ICLBilinearProblem p;
  PetscReal         *Wb[L], *W, loss[L], one_loss;
  PetscInt           steps[L], one_steps;
  ICLTrainOutcome       outcome[L], one_outcome;

  PetscFunctionBegin;
  PetscCall(ICLBilinearProblemCreate(&cell, &p));
  for (int l = 0; l < L; l++) PetscCall(PetscMalloc1(d * d, &Wb[l]));
  PetscCall(PetscMalloc1(d * d, &W));
  PetscCall(ICLDualGDBatch(&p, T, L, lr, Wb, loss, steps, outcome));
  CHECK((outcome[L - 1] == ICL_TRAIN_DIVERGED) == last_diverges, "%s lr %g: outcome %d", fam->name, lr[L - 1], (int)outcome[L - 1]);
  for (int l = 0; l < L; l++) {
    PetscReal diff = 0, size = 0;
    PetscCall(ICLDualGD(&p, ICL_PRECISION_DOUBLE, T, lr[l], W, &one_loss, &one_steps, &one_outcome));
    CHECK(outcome[l] == one_outcome && steps[l] == one_steps, "%s lr %g: batch outcome %d after %d steps, alone %d after %d", fam->name, lr[l], (int)outcome[l], (int)steps[l], (int)one_outcome, (int)one_steps);
    if (one_outcome != ICL_TRAIN_DONE) continue;
    for (int i = 0; i < d * d; i++) diff = PetscMax(diff, PetscAbsReal(Wb[l][i] - W[i])), size = PetscMax(size, PetscAbsReal(W[i]));
    CHECK(diff == 0 && size > 0, "%s lr %g: W differs by %g (|W| %g)", fam->name, lr[l], diff, size);
    CHECK(loss[l] == one_loss, "%s lr %g: loss %.17g batch vs %.17g alone", fam->name, lr[l], loss[l], one_loss);
  }
  for (int l = 0; l < L; l++) PetscCall(PetscFree(Wb[l]));
  PetscCall(PetscFree(W));
  PetscCall(ICLBilinearProblemDestroy(&p));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  const PetscReal gmm[L] = {0.05, 0.2, 1.0, 4.0}, linreg[L] = {0.01, 0.05, 0.1, 1e12}; /* linreg 1e12: diverges within a few steps */

  PetscFunctionBegin;
  PetscCall(Compare(&ICLFamilyGmm, gmm, PETSC_FALSE));
  PetscCall(Compare(&ICLFamilyLinreg, linreg, PETSC_TRUE));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_dual_batch")
