/* Checkpoints (docs/budget.md): one training run to the largest T ends every checkpoint T bit for
 * bit as a separate run of T steps does (W, loss, steps, outcome), for direct GD in double and
 * single precision and for the dual form with several step sizes on one K; on gmm (logistic)
 * and linreg (squared, with a step size that diverges: checkpoints past it share its outcome
 * and step). On 1, 2 and 4 ranks. */
#include <petscsys.h>

#include "bilinear_gd_single.h"
#include "bilinear_tasks.h"
#include "bilinear_train.h"
#include "method_gd.h"
#include "check.h"
#include "dual_gd.h"
#include "gmm.h"
#include "linreg.h"

enum { d = 12, B = 120, L = 2, NT = 4 };
static const PetscInt Ts[NT] = {0, 7, 7, 25}; /* T = 0 and a repeated T too */

typedef struct {
  PetscReal       W[NT][d * d], loss[NT];
  PetscInt        steps[NT];
  ICLTrainOutcome outcome[NT];
} Ends;

static PetscErrorCode Keep(void *ctx, PetscInt i, const PetscReal *W, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  Ends *e = ctx;
  e->loss[i] = loss, e->steps[i] = steps, e->outcome[i] = outcome;
  return PetscArraycpy(e->W[i], W, d * d);
}

/* Checkpoint i of `what` against a separate run of Ts[i] steps (W only where it ended DONE). */
static void Compare(const char *what, PetscReal lr, const Ends *e, PetscInt i, const PetscReal *W, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome)
{
  CHECK(e->outcome[i] == outcome && e->steps[i] == steps, "%s lr %g T %d: checkpoint outcome %d at %d, alone %d at %d", what, lr, (int)Ts[i], (int)e->outcome[i], (int)e->steps[i], (int)outcome, (int)steps);
  if (outcome != ICL_TRAIN_DONE) return;
  CHECK(e->loss[i] == loss, "%s lr %g T %d: loss %.17g vs %.17g alone", what, lr, (int)Ts[i], e->loss[i], loss);
  CHECK(!memcmp(e->W[i], W, sizeof(PetscReal) * d * d), "%s lr %g T %d: W differs from the run alone", what, lr, (int)Ts[i]);
}

static PetscErrorCode Family(const ICLFamily *fam, const PetscReal *lr, PetscBool diverges)
{
  const ICLCell      cell = {.comm = PETSC_COMM_WORLD, .family = fam, .task = {.d = d, .k = 3, .R = 1.5, .seed = 5, .sigma = 0.5}, .N = 10, .B = B};
  ICLBilinearProblem p;
  static Ends        e[L];
  ICLCheckpoints     cp[L];
  PetscReal         *W, loss;
  PetscInt           steps;
  ICLTrainOutcome    outcome;

  PetscFunctionBegin;
  PetscCall(ICLBilinearProblemCreate(&cell, &p));
  PetscCall(PetscMalloc1(d * d, &W));
  for (int l = 0; l < L; l++) cp[l] = (ICLCheckpoints){.n = NT, .T = Ts, .at = Keep, .ctx = &e[l]};
  /* the dual form: both step sizes on one K */
  PetscCall(ICLDualGDCheckpoints(&p, ICL_PRECISION_DOUBLE, L, lr, cp, W));
  for (int l = 0; l < L; l++)
    for (int i = 0; i < NT; i++) {
      PetscCall(ICLDualGD(&p, ICL_PRECISION_DOUBLE, Ts[i], lr[l], W, &loss, &steps, &outcome));
      Compare("dual", lr[l], &e[l], i, W, loss, steps, outcome);
    }
  CHECK((e[L - 1].outcome[NT - 1] == ICL_TRAIN_DIVERGED) == diverges, "%s: the last step size must %sdiverge", fam->name, diverges ? "" : "not ");
  /* direct GD, double and single, one step size at a time */
  for (int single = 0; single < 2; single++)
    for (int l = 0; l < L; l++) {
      PetscCall(PetscArrayzero(W, d * d));
      if (single) PetscCall(ICLBilinearGDSingleCheckpoints(&p, lr[l], &cp[l], W));
      else PetscCall(ICLGradientDescentCheckpoints(p.comm, NULL, ICLBilinearLossGradCtx, &p, lr[l], &cp[l], W));
      for (int i = 0; i < NT; i++) {
        PetscCall(PetscArrayzero(W, d * d));
        if (single) PetscCall(ICLBilinearGDSingle(&p, Ts[i], lr[l], W, &loss, &steps, &outcome));
        else PetscCall(ICLBilinearGD(&p, Ts[i], lr[l], W, &loss, &steps, &outcome));
        Compare(single ? "gd single" : "gd", lr[l], &e[l], i, W, loss, steps, outcome);
      }
    }
  PetscCall(PetscFree(W));
  PetscCall(ICLBilinearProblemDestroy(&p));
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(void)
{
  const PetscReal gmm[L] = {0.1, 2.0}, linreg[L] = {0.05, 1e12}; /* linreg 1e12: diverges before T = 25 */

  PetscFunctionBegin;
  PetscCall(Family(&ICLFamilyGmm, gmm, PETSC_FALSE));
  PetscCall(Family(&ICLFamilyLinreg, linreg, PETSC_TRUE));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_checkpoints")
