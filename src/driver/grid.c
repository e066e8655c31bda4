#include "grid.h"

#include "error.h"
#include "train_method.h"

PetscInt64 ICLGridSize(const ICLSweep *sw)
{
  PetscInt64 n = (PetscInt64)sw->nmodels * sw->nd * sw->nk * sw->nN * sw->nR * sw->replicates;
  for (PetscInt i = 0; i < sw->nextra; i++) n *= sw->extra[i].n;
  return n;
}

void ICLGridIndex(const ICLSweep *sw, PetscInt64 cell, ICLCellIndex *ix)
{
  ix->rep = (PetscInt)(cell % sw->replicates), cell /= sw->replicates;
  for (PetscInt i = sw->nextra - 1; i >= 0; i--) ix->extra[i] = (PetscInt)(cell % sw->extra[i].n), cell /= sw->extra[i].n;
  ix->R   = (PetscInt)(cell % sw->nR), cell /= sw->nR;
  ix->N   = (PetscInt)(cell % sw->nN), cell /= sw->nN;
  ix->k   = (PetscInt)(cell % sw->nk), cell /= sw->nk;
  ix->d   = (PetscInt)(cell % sw->nd), cell /= sw->nd;
  ix->model = (PetscInt)cell;
}

void ICLGridKey(const ICLSweep *sw, PetscInt64 cell, ICLCellKey *key)
{
  ICLCellIndex ix;
  ICLGridIndex(sw, cell, &ix);
  memset(key, 0, sizeof *key);
  snprintf(key->model, sizeof key->model, "%s", sw->models[ix.model]);
  key->d = (int32_t)sw->d[ix.d], key->k = (int32_t)sw->k[ix.k], key->N = (int32_t)sw->N[ix.N], key->rep = (int32_t)ix.rep;
  key->R = sw->R[ix.R];
  for (PetscInt i = 0; i < sw->nextra; i++) key->extra[i] = sw->extra[i].v[ix.extra[i]];
}

/* Where v is in list[0..n), -1 when absent. Values compare bitwise: both come from the same
 * option text through the same parser. */
static PetscInt64 IntAt(const PetscInt *list, PetscInt n, int32_t v)
{
  for (PetscInt i = 0; i < n; i++)
    if (list[i] == v) return i;
  return -1;
}
static PetscInt64 RealAt(const PetscReal *list, PetscInt n, double v)
{
  for (PetscInt i = 0; i < n; i++)
    if (list[i] == v) return i;
  return -1;
}

PetscInt64 ICLGridFind(const ICLSweep *sw, const ICLCellKey *key)
{
  PetscInt64 at[6 + ICL_MAX_EXTRA], size[6 + ICL_MAX_EXTRA], cell = 0;
  PetscInt   n = 0;

  at[n] = -1, size[n++] = sw->nmodels;
  for (PetscInt i = 0; i < sw->nmodels; i++)
    if (!strncmp(sw->models[i], key->model, sizeof key->model)) at[0] = i;
  at[n] = IntAt(sw->d, sw->nd, key->d), size[n++] = sw->nd;
  at[n] = IntAt(sw->k, sw->nk, key->k), size[n++] = sw->nk;
  at[n] = IntAt(sw->N, sw->nN, key->N), size[n++] = sw->nN;
  at[n] = RealAt(sw->R, sw->nR, key->R), size[n++] = sw->nR;
  for (PetscInt i = 0; i < sw->nextra; i++) at[n] = RealAt(sw->extra[i].v, sw->extra[i].n, key->extra[i]), size[n++] = sw->extra[i].n;
  at[n] = key->rep >= 0 && key->rep < sw->replicates ? key->rep : -1, size[n++] = sw->replicates;
  for (PetscInt i = 0; i < n; i++) { /* the C order of ICLGridIndex */
    if (at[i] < 0) return -1;
    cell = cell * size[i] + at[i];
  }
  return cell;
}

void ICLGridCell(const ICLSweep *sw, const ICLCellIndex *ix, ICLCell *cell)
{
  *cell = (ICLCell){
    .comm   = PETSC_COMM_SELF,
    .family = sw->fam,
    .task   = {.d = (int)sw->d[ix->d], .k = (int)sw->k[ix->k], .R = sw->R[ix->R], .seed = (uint64_t)sw->seed, .replicate = (uint64_t)ix->rep,
               .spectrum = (int)sw->spectrum_kind, .spectrum_param = sw->spectrum_param, .spectrum_list = sw->spectrum_list,
               .x_spectrum = (int)sw->x_spectrum_kind, .x_spectrum_param = sw->x_spectrum_param, .x_spectrum_list = sw->x_spectrum_list, .alignment = 1.0},
    .N      = sw->N[ix->N],
    .eval_R = sw->eval_R > 0 ? sw->eval_R : sw->R[ix->R],
    .B      = sw->B,
    .T      = sw->T,
    .lr     = sw->lr,
    .M      = sw->M,
    .nM     = sw->nM,
    .eval_tasks = sw->eval_tasks,
    .method = sw->method,
    .method_option = sw->method_option,
    .precision = sw->precision,
    .lora_base = sw->lora_base,
    .oracle_lora = sw->oracle_lora,
    .engine = sw->engine,
  };
  PetscInt             np;
  const ICLSweepParam *q = ICLSweepParams(&np);
  for (PetscInt i = 0; i < np; i++)
    if (ICLSweepParamApplies(sw, &q[i])) q[i].set(cell, sw->value[i]);
  for (PetscInt i = 0; i < sw->nextra; i++) sw->extra[i].param->set(cell, sw->extra[i].v[ix->extra[i]]);
  if (sw->nexpr) {
    PetscReal v[ICL_MAX_EXPR];
    ICLGridExprValues(sw, ix, v);
    for (PetscInt e = 0; e < sw->nexpr; e++) {
      sw->expr[e].param->set(cell, v[e]);
      /* the test signal defaults to the cell's R (an -eval_R_expr comes later and wins) */
      if (!strcmp(sw->expr[e].param->name, "R") && !(sw->eval_R > 0)) cell->eval_R = v[e];
    }
  }
  /* the source law: the cell's, with the source's Sigma_beta spectrum and alignment */
  cell->source                  = cell->task;
  cell->source.source           = 1;
  cell->source.spectrum         = (int)sw->source_spectrum_kind;
  cell->source.spectrum_param   = sw->source_spectrum_param;
  cell->source.spectrum_list    = sw->source_spectrum_list;
  cell->source.alignment        = sw->source_alignment;
}

void ICLGridExprValues(const ICLSweep *sw, const ICLCellIndex *ix, PetscReal *values)
{
  double   x[ICL_EXPR_MAX_VARS];
  PetscInt n = 0;
  x[n++] = (double)sw->d[ix->d], x[n++] = (double)sw->k[ix->k], x[n++] = (double)sw->N[ix->N];
  for (PetscInt i = 0; i < sw->nextra; i++) x[n++] = sw->extra[i].v[ix->extra[i]];
  x[n] = sw->R[ix->R];
  for (PetscInt e = 0; e < sw->nexpr; e++) {
    const ICLSweepParam *q = sw->expr[e].param;
    values[e]              = ICLExprEval(sw->expr[e].expr, x);
    if (q->integer) values[e] = rint(values[e]);
    if (!strcmp(q->name, "R")) x[n] = values[e]; /* what the others see as R */
  }
}

PetscErrorCode ICLGridCheckExprs(const ICLSweep *sw)
{
  PetscReal v[ICL_MAX_EXPR];

  PetscFunctionBegin;
  for (PetscInt64 c = 0; sw->nexpr && c < ICLGridSize(sw); c++) {
    ICLCellIndex ix;
    ICLGridIndex(sw, c, &ix);
    if (ix.model || ix.rep) continue; /* the values depend on neither */
    ICLGridExprValues(sw, &ix, v);
    for (PetscInt i = 0; i < sw->nexpr; i++) {
      const ICLSweepParam *q = sw->expr[i].param;
      char                 range[64];
      const char          *needs = ICLSweepParamRequiredBy(sw, q);
      ICLSweepParamRange(q, range, sizeof range);
      PetscCheck(ICLSweepParamInRange(q, v[i]), PETSC_COMM_SELF, ICL_ERR_INPUT, "-%s_expr %s gives %g at d = %d, k = %d, N = %d; %s must be %s in %s", q->name, sw->expr[i].text, (double)v[i], (int)sw->d[ix.d], (int)sw->k[ix.k], (int)sw->N[ix.N],
                 q->name, q->integer ? "an integer" : "a number", range);
      PetscCheck(!needs || v[i] > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-%s_expr %s gives %g at d = %d, k = %d, N = %d; -models %s needs %s > 0 in every cell", q->name, sw->expr[i].text, (double)v[i], (int)sw->d[ix.d], (int)sw->k[ix.k],
                 (int)sw->N[ix.N], needs, q->name);
    }
  }
  PetscFunctionReturn(0);
}

PetscBool ICLGridApplicable(const ICLSweep *sw, const ICLCellIndex *ix) { return sw->k[ix->k] <= sw->d[ix->d] ? PETSC_TRUE : PETSC_FALSE; }

PetscReal ICLGridFlops(const ICLSweep *sw, PetscInt64 c)
{
  ICLCellIndex ix;
  ICLCell      cell;
  ICLGridIndex(sw, c, &ix);
  if (!ICLGridApplicable(sw, &ix)) return 0.0;
  ICLGridCell(sw, &ix, &cell);
  return sw->types[ix.model]->flops(&cell) / ICLModelEfficiency(sw->types[ix.model], &cell);
}

PetscReal ICLModelEfficiency(const ICLModelType *type, const ICLCell *cell) { return type->efficiency ? type->efficiency(cell) : 1.0; }

PetscErrorCode ICLGridCheckMemory(const ICLSweep *sw, PetscReal bytes)
{
  PetscReal    worst = 0;
  ICLCellIndex wix   = {0};

  PetscFunctionBegin;
  for (PetscInt64 c = 0; c < ICLGridSize(sw); c++) {
    ICLCellIndex ix;
    ICLCell      cell;
    ICLGridIndex(sw, c, &ix);
    if (ix.rep || !ICLGridApplicable(sw, &ix)) continue; /* replicates cost the same */
    ICLGridCell(sw, &ix, &cell);
    const PetscReal need = sw->types[ix.model]->memory(&cell, sw->group_size);
    if (need > worst) worst = need, wix = ix;
  }
  PetscCheck(worst <= bytes, PETSC_COMM_SELF, ICL_ERR_INPUT, "cell (model %s, d = %d, k = %d, N = %d) needs %.1f GB per rank but %.1f GB are available; %s", sw->models[wix.model], (int)sw->d[wix.d], (int)sw->k[wix.k], (int)sw->N[wix.N], worst / 1e9,
             bytes / 1e9, ICLGridMemoryHint(sw, &wix));
  PetscFunctionReturn(0);
}

const char *ICLGridMemoryHint(const ICLSweep *sw, const ICLCellIndex *ix)
{
  const ICLModelType *type = sw->types[ix->model];
  ICLCell             cell;
  ICLGridCell(sw, ix, &cell);
  /* the W-free gram engine holds only what splits over the group (docs/engines.md) */
  if (type->engine && type->engine(&cell) == ICL_ENGINE_WFREE) return "the W-free gram engine splits K (B x B) and the tasks over a group: raise -group_size, or lower -train_tasks";
  /* a method may know what outgrows memory first (the dual form's B x B matrix) */
  const ICLTrainMethodType *method = type->train_method ? type->train_method(&cell) : NULL;
  if (method && method->memory_hint) return method->memory_hint;
  return "reduce -train_tasks or -grid_d, or raise -group_size";
}

PetscErrorCode ICLGridNodeFit(const ICLSweep *sw, PetscInt ranks, PetscInt per_node, PetscReal node_bytes, ICLNodeFit *fit)
{
  PetscFunctionBegin;
  PetscCheck(per_node >= 1 && per_node <= ranks, PETSC_COMM_SELF, ICL_ERR_INPUT, "-ranks_per_node %d: must be between 1 and -ranks %d", (int)per_node, (int)ranks);
  PetscCheck(ranks % sw->group_size == 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-group_size %d does not divide -ranks %d; use a divisor of the rank count", (int)sw->group_size, (int)ranks);
  PetscCall(PetscMemzero(fit, sizeof *fit));
  fit->per_node    = per_node;
  fit->nodes       = (ranks + per_node - 1) / per_node;
  fit->group_nodes = (sw->group_size + per_node - 1) / per_node;
  for (PetscInt64 c = 0; c < ICLGridSize(sw); c++) {
    ICLCellIndex ix;
    ICLCell      cell;
    ICLGridIndex(sw, c, &ix);
    if (!ICLGridApplicable(sw, &ix)) continue;
    ICLGridCell(sw, &ix, &cell);
    const PetscReal need = sw->types[ix.model]->memory(&cell, sw->group_size);
    if (need * per_node > node_bytes) fit->too_big++;
    if (need > fit->rank_peak) fit->rank_peak = need, fit->largest = ix;
  }
  fit->node_peak = fit->rank_peak * per_node;
  PetscFunctionReturn(0);
}
