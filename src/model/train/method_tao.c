/* -train_method tao: a PETSc TAO solver (-tao_type, default lmvm) on the same objective
 * (tao_train.h). It stops by its own rule, so its results are another sweep's; its line
 * searches want double precision. */
#include <petsctao.h>

#include "method_gd.h"
#include "tao_train.h"

/* About one loss-and-gradient evaluation (a GD step's flop) an iteration. */
static PetscReal TaoFlops(PetscReal B, PetscReal d, PetscReal T) { return ICLTrainMethodGd.flops(B, d, T + 1); }

/* vec(W) gathered, the whole gradient, the tasks' curvature, and the solver's vectors split
 * over g (LMVM: 2 x 5 stored pairs and work vectors; Newton types: their Krylov solver's
 * too): about 30 */
static PetscReal TaoMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, b = (PetscReal)cell->B / g;
  return 2.0 * d * d + b + 30.0 * d * d / g;
}

static PetscErrorCode TaoTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r)
{
  PetscInt evals;

  PetscFunctionBegin;
  PetscCall(ICLTaoTrain(p, cell->method_option, cell->T, W, &r->loss, &r->steps, &evals, &r->outcome));
  r->flops = ICLTrainMethodGd.flops(p->B, p->d, evals);
  PetscFunctionReturn(0);
}

/* An unknown solver is bad input, not a failure of every cell: TAO's registry decides. */
static PetscErrorCode TaoCheckType(const char *type, const char **problem)
{
  Tao            tao;
  PetscErrorCode unknown;

  PetscFunctionBegin;
  PetscCall(TaoCreate(PETSC_COMM_SELF, &tao));
  unknown = TaoSetType(tao, type);
  PetscCall(TaoDestroy(&tao));
  *problem = unknown ? "not a TAO solver; e.g. lmvm, blmvm, bqnls, cg, bncg, nls, ntr" : NULL;
  PetscFunctionReturn(0);
}

static const ICLTrainMethodOption TaoTypeOption = {"tao_type", "the TAO solver (lmvm, blmvm, cg, nls, ...)", "lmvm", TaoCheckType};

const ICLTrainMethodType ICLTrainMethodTao = {
  .name   = "tao",
  .help   = "PETSc TAO",
  .step   = "TAO iteration",
  .option = &TaoTypeOption,
  .flops  = TaoFlops,
  .memory = TaoMemory,
  .train  = TaoTrain,
};
