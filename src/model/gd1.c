/* gd1: the one-step gradient-descent construction trained models are compared to (SPEC §4;
 * DSS for sphere). A family dispatch table: each row is one family's construction; only
 * sphere is here so far (linreg's belongs with the LRO closed forms).
 *
 * sphere: W_1 = -eta grad L(0), one GD step from W = 0 on the linear model's cross-entropy
 * loss L over the cell's B training tasks (multiclass_gd.h), evaluated like `linear` by Monte
 * Carlo. The step eta is grid-searched on the training loss L(W_1) over eta = 2^j,
 * j = -4..20 (the training tasks only, never the test tasks). The argmax of the logits
 * H W_1 x_q, hence the test error, is the same for every eta > 0: eta only calibrates the
 * logits, and the chosen eta's loss is reported as train_loss. -train_steps and -train_lr
 * do not apply. */
#include "linear_attention.h"
#include "multiclass_gd.h"
#include "sphere.h"

enum { ETA_MIN_LOG2 = -4, ETA_MAX_LOG2 = 20 };

static PetscErrorCode Gd1SphereRun(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt       d = cell->task.d;
  PetscReal           *G0, *W, loss0;
  PetscReal            best = PETSC_MAX_REAL, eta_best = 0.0;
  ICLMulticlassProblem prob;

  PetscFunctionBegin;
  PetscCall(PetscCalloc2((size_t)d * d, &G0, (size_t)d * d, &W));
  PetscCall(ICLMulticlassProblemCreate(cell, &prob));
  /* G0 = -grad L(0), the direction of the first step */
  PetscCall(ICLMulticlassLossGrad(&prob, W, &loss0, -1.0, G0));
  for (int j = ETA_MIN_LOG2; j <= ETA_MAX_LOG2; j++) {
    const PetscReal eta = PetscPowReal(2.0, j);
    PetscReal       loss;
    for (size_t i = 0; i < (size_t)d * d; i++) W[i] = eta * G0[i];
    PetscCall(ICLMulticlassLossGrad(&prob, W, &loss, 0.0, NULL));
    if (loss < best) best = loss, eta_best = eta;
  }
  PetscCall(ICLMulticlassProblemDestroy(&prob));
  res->steps      = 1;
  res->train_loss = best;
  if (!(best < PETSC_MAX_REAL)) {
    res->status = ICL_STATUS_DIVERGED;
    PetscCall(PetscSNPrintf(res->message, sizeof res->message, "no finite training loss on the step-size grid"));
  } else {
    for (size_t i = 0; i < (size_t)d * d; i++) W[i] = eta_best * G0[i];
    PetscCall(ICLLinearAttentionError(cell, W, res->test_error, res->test_error_se));
    res->status = ICL_STATUS_OK;
  }
  PetscCall(PetscFree2(G0, W));
  PetscFunctionReturn(0);
}

/* The gradient at 0 and one loss pass per grid point, then the linear-attention evaluation. */
static PetscReal Gd1SphereFlops(const ICLCell *cell)
{
  const PetscReal d = cell->task.d, C = ICLSphereClasses(&cell->task);
  return 2.0 * cell->B * d * (d + C) * (2 + ETA_MAX_LOG2 - ETA_MIN_LOG2 + 1) + ICLLinearAttentionErrorFlops(cell);
}

/* Per rank: B/g tasks (H_tau, x_q, target, scratch), two or three d x d buffers. */
static PetscReal Gd1SphereMemory(const ICLCell *cell, PetscInt g)
{
  const PetscReal d = cell->task.d, C = ICLSphereClasses(&cell->task);
  return sizeof(PetscReal) * ((PetscReal)cell->B / g * ((C + 2) * d + C) + (g > 1 ? 3 : 2) * d * d + 4.0 * 2048 * d);
}

static const struct {
  const ICLFamily *family;
  PetscErrorCode (*run)(const ICLCell *, ICLCellResult *);
  PetscReal (*flops)(const ICLCell *);
  PetscReal (*memory)(const ICLCell *, PetscInt);
} table[] = {
  {&ICLFamilySphere, Gd1SphereRun, Gd1SphereFlops, Gd1SphereMemory},
};

static PetscInt Find(const ICLFamily *f)
{
  for (PetscInt i = 0; i < (PetscInt)(sizeof table / sizeof table[0]); i++)
    if (table[i].family == f) return i;
  return -1;
}

static PetscBool Gd1Supports(const ICLFamily *f) { return Find(f) >= 0 ? PETSC_TRUE : PETSC_FALSE; }

static PetscErrorCode Gd1Run(const ICLCell *cell, ICLCellResult *res)
{
  const PetscInt i = Find(cell->family);

  PetscFunctionBegin;
  PetscCheck(i >= 0, PETSC_COMM_SELF, PETSC_ERR_SUP, "gd1 does not support family %s", cell->family->name);
  PetscCall(table[i].run(cell, res));
  res->flops = table[i].flops(cell);
  PetscFunctionReturn(0);
}

static PetscReal Gd1Flops(const ICLCell *cell)
{
  const PetscInt i = Find(cell->family);
  return i >= 0 ? table[i].flops(cell) : 0.0;
}

static PetscReal Gd1Memory(const ICLCell *cell, PetscInt g)
{
  const PetscInt i = Find(cell->family);
  return i >= 0 ? table[i].memory(cell, g) : 0.0;
}

const ICLModelType ICLModelGd1 = {
  .name        = "gd1",
  .description = "one GD step from W = 0 with a grid-searched step size (sphere: cross-entropy of linear attention)",
  .supports    = Gd1Supports,
  .run         = Gd1Run,
  .flops       = Gd1Flops,
  .memory      = Gd1Memory,
};
