/* Units of work (docs/budget.md): the cells one training run yields. Cells that differ only in
 * their train_steps and train_lr axis values form one unit when their model shares training over
 * those axes (ICLModelType.share: the same axes and class for each) and every other parameter
 * expression has the same value in each; every other cell is a unit of its own. Units are a
 * function of the grid alone, never of what is done, so every rank, shard and resumed run
 * agrees on them. The scheduler hands out units; each cell still gets one record. */
#ifndef ICL_UNIT_H
#define ICL_UNIT_H

#include "grid.h"

/* Cells of one unit at most: larger groups split into consecutive units of this size. */
#define ICL_MAX_UNIT ICL_MAX_AXIS

/* The cells of c's unit, ascending (c among them); returns their number. */
PetscInt       ICLUnitCells(const ICLSweep *sw, PetscInt64 c, PetscInt64 cells[ICL_MAX_UNIT]);
/* Cost model: c's share of its unit's cost (the unit's flops over its model's efficiency and
 * its cell count; a cell alone: ICLGridFlops), so sums over cells count each shared run once. */
PetscErrorCode ICLUnitFlops(const ICLSweep *sw, PetscInt64 c, PetscReal *flops);
/* mine[c] = 1 for the cells of this run's shard: units are dealt largest first by the cost
 * model onto the least-loaded shard, so shards take about equal time and a unit stays whole. */
PetscErrorCode ICLUnitShard(const ICLSweep *sw, unsigned char *mine);

#endif
