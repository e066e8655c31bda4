/* The sweep grid: cells are (model, d, k, N, R, family-parameter axes..., replicate), numbered
 * in the C order of the
 * output variables' dimensions, so a cell's number is its offset in results.nc. */
#ifndef ICL_GRID_H
#define ICL_GRID_H

#include "options.h"

typedef struct {
  PetscInt model, d, k, N, R, extra[ICL_MAX_EXTRA], rep;
} ICLCellIndex;

/* A cell by its coordinate values, as the journal stores it: a DIR whose axes grew finds its
 * finished cells at their new place in the grid. */
typedef struct {
  char    model[ICL_NAME_LEN];
  int32_t d, k, N, rep;
  double  R, extra[ICL_MAX_EXTRA]; /* extra: the sweep's parameter axes, in its order */
} ICLCellKey;

PetscInt64 ICLGridSize(const ICLSweep *sw);
void       ICLGridKey(const ICLSweep *sw, PetscInt64 cell, ICLCellKey *key);
/* The cell of key in this sweep's grid, -1 when the grid has no such cell. */
PetscInt64 ICLGridFind(const ICLSweep *sw, const ICLCellKey *key);
void       ICLGridIndex(const ICLSweep *sw, PetscInt64 cell, ICLCellIndex *ix);
/* The model's view of a cell; M is the sweep's eval_M list. */
void       ICLGridCell(const ICLSweep *sw, const ICLCellIndex *ix, ICLCell *cell);
/* values[e]: expression e of the sweep at the cell (integer parameters rounded to nearest). */
void       ICLGridExprValues(const ICLSweep *sw, const ICLCellIndex *ix, PetscReal *values);
/* ICL_ERR_INPUT when an expression's value is out of its parameter's range in some cell. */
PetscErrorCode ICLGridCheckExprs(const ICLSweep *sw);
/* k > d has no meaning: such cells are not_applicable. */
PetscBool  ICLGridApplicable(const ICLSweep *sw, const ICLCellIndex *ix);
/* Cost model: a cell's flops at the BLAS-3 rate when trained alone, i.e. its estimated flops
 * over its model's efficiency, so that cost / rate is its time (0 when not applicable); unit.h
 * has its share of a shared run. */
PetscReal  ICLGridFlops(const ICLSweep *sw, PetscInt64 cell);
/* The fraction of the BLAS-3 rate the model's cells run at (1 when it does not say). */
PetscReal  ICLModelEfficiency(const ICLModelType *type, const ICLCell *cell);
/* ICL_ERR_INPUT naming the largest cell when it needs more than `bytes` per rank. */
PetscErrorCode ICLGridCheckMemory(const ICLSweep *sw, PetscReal bytes);
/* What to change when this cell does not fit in a rank's memory. */
const char *ICLGridMemoryHint(const ICLSweep *sw, const ICLCellIndex *ix);

/* The sweep on `ranks` ranks, `per_node` of them on each node of `node_bytes`. */
typedef struct {
  PetscInt     per_node, nodes, group_nodes; /* ranks a node holds; nodes; nodes one group spans */
  PetscReal    rank_peak, node_peak;         /* largest per-rank need; what a node's ranks need */
  PetscInt64   too_big;                      /* cells a node cannot hold (per_node x their need) */
  ICLCellIndex largest;                      /* the cell of rank_peak */
} ICLNodeFit;
/* Per-node memory: any rank may run the largest cell, so a node needs per_node times the
 * largest per-rank need (at the sweep's group size); ICL_ERR_INPUT when per_node or the
 * group size do not fit the rank count. */
PetscErrorCode ICLGridNodeFit(const ICLSweep *sw, PetscInt ranks, PetscInt per_node, PetscReal node_bytes, ICLNodeFit *fit);

#endif
