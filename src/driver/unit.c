#include "unit.h"

/* The parameter axis of this name, -1 when it is not swept. */
static PetscInt AxisOf(const ICLSweep *sw, const char *name)
{
  for (PetscInt i = 0; i < sw->nextra; i++)
    if (!strcmp(sw->extra[i].param->name, name)) return i;
  return -1;
}

/* The cell number of an index (ICLGridIndex's inverse). */
static PetscInt64 CellOf(const ICLSweep *sw, const ICLCellIndex *ix)
{
  PetscInt64 c = ((((PetscInt64)ix->model * sw->nd + ix->d) * sw->nk + ix->k) * sw->nN + ix->N) * sw->nR + ix->R;
  for (PetscInt i = 0; i < sw->nextra; i++) c = c * sw->extra[i].n + ix->extra[i];
  return c * sw->replicates + ix->rep;
}

/* Whether cell j may train in one run with cell 0 (share's axes and class; every expression
 * but those of train_steps and train_lr equal, e.g. an R_expr that reads train_steps). */
static PetscBool Joins(const ICLSweep *sw, const ICLCellIndex *ix0, unsigned axes, PetscInt klass, const ICLCellIndex *jx)
{
  ICLCell   cell;
  PetscInt  k;
  PetscReal v0[ICL_MAX_EXPR], v[ICL_MAX_EXPR];

  ICLGridCell(sw, jx, &cell);
  if (sw->types[jx->model]->share(&cell, &k) != axes || k != klass) return PETSC_FALSE;
  ICLGridExprValues(sw, ix0, v0);
  ICLGridExprValues(sw, jx, v);
  for (PetscInt e = 0; e < sw->nexpr; e++) {
    const char *name = sw->expr[e].param->name;
    if (strcmp(name, "train_steps") && strcmp(name, "train_lr") && v[e] != v0[e]) return PETSC_FALSE;
  }
  return PETSC_TRUE;
}

PetscInt ICLUnitCells(const ICLSweep *sw, PetscInt64 c, PetscInt64 cells[ICL_MAX_UNIT])
{
  const ICLModelType *type;
  ICLCellIndex        ix, jx;
  ICLCell             cell;
  PetscInt            klass, at, al, self = -1, count = 0, n = 0;
  unsigned            axes;

  cells[0] = c;
  ICLGridIndex(sw, c, &ix);
  type = sw->types[ix.model];
  if (!type->share || !ICLGridApplicable(sw, &ix)) return 1;
  ICLGridCell(sw, &ix, &cell);
  axes = type->share(&cell, &klass);
  at   = axes & ICL_SHARE_STEPS ? AxisOf(sw, "train_steps") : -1;
  al   = axes & ICL_SHARE_LR ? AxisOf(sw, "train_lr") : -1;
  if (at < 0 && al < 0) return 1;
  /* Two passes over the cells along the shared axes (in grid order): c's position, then the
   * ICL_MAX_UNIT of them that hold it. */
  for (PetscInt pass = 0; pass < 2; pass++) {
    count = 0;
    for (PetscInt it = 0; it < (at < 0 ? 1 : sw->extra[at].n); it++)
      for (PetscInt il = 0; il < (al < 0 ? 1 : sw->extra[al].n); il++) {
        jx = ix;
        if (at >= 0) jx.extra[at] = it;
        if (al >= 0) jx.extra[al] = il;
        const PetscInt64 j = CellOf(sw, &jx);
        if (j != c && !Joins(sw, &ix, axes, klass, &jx)) continue;
        if (pass == 0 && j == c) self = count;
        if (pass == 1 && count / ICL_MAX_UNIT == self / ICL_MAX_UNIT) cells[n++] = j;
        count++;
      }
  }
  return n;
}

PetscErrorCode ICLUnitFlops(const ICLSweep *sw, PetscInt64 c, PetscReal *flops)
{
  PetscInt64   cells[ICL_MAX_UNIT];
  const PetscInt n = ICLUnitCells(sw, c, cells);
  ICLCell     *cell;
  ICLCellIndex ix;

  PetscFunctionBegin;
  if (n == 1) {
    *flops = ICLGridFlops(sw, c);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(n, &cell));
  for (PetscInt j = 0; j < n; j++) {
    ICLGridIndex(sw, cells[j], &ix);
    ICLGridCell(sw, &ix, &cell[j]);
  }
  *flops = sw->types[ix.model]->flops_shared(cell, n) / n / ICLModelEfficiency(sw->types[ix.model], &cell[0]); /* at the BLAS-3 rate, as ICLGridFlops */
  PetscCall(PetscFree(cell));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLUnitShard(const ICLSweep *sw, unsigned char *mine)
{
  const PetscInt64 n = ICLGridSize(sw);
  PetscInt64       cells[ICL_MAX_UNIT], *lead, *first;
  PetscReal       *key, *load;
  PetscInt        *perm, nunits = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc5(n, &key, n, &perm, n, &lead, n, &first, sw->num_shards, &load));
  /* one key per unit, at its first cell: its cost (ties: grid order); a sweep without shared
   * units deals its cells exactly as before units existed */
  for (PetscInt64 c = 0; c < n; c++) {
    const PetscInt m = ICLUnitCells(sw, c, cells);
    PetscReal      share;
    lead[c] = cells[0];
    if (cells[0] != c) continue;
    PetscCall(ICLUnitFlops(sw, c, &share));
    key[nunits] = -share * m - 1e-9 * (double)(n - c) / n, perm[nunits] = nunits, first[nunits] = c, nunits++;
  }
  PetscCall(PetscSortRealWithPermutation(nunits, key, perm));
  for (PetscInt s = 0; s < sw->num_shards; s++) load[s] = 0;
  for (PetscInt64 i = 0; i < nunits; i++) {
    PetscInt best = 0;
    for (PetscInt s = 1; s < sw->num_shards; s++)
      if (load[s] < load[best]) best = s;
    load[best] += -key[i] + 1e6; /* a floor per unit keeps cheap units spread */
    mine[first[perm[i]]] = best == sw->shard;
  }
  for (PetscInt64 c = 0; c < n; c++) mine[c] = mine[lead[c]];
  PetscCall(PetscFree5(key, perm, lead, first, load));
  PetscFunctionReturn(0);
}
