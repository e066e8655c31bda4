/* mle: the in-context-only plug-in learner, W = I (predict sign(m^T x_q)). */
#include "projection.h"

static PetscErrorCode MleRun(const ICLCell *cell, ICLCellResult *res) { return ICLProjectionRun(cell, cell->task.d, res); }

/* The cost model's efficiency (ICLModelType): small projections and per-M closed forms, milliseconds a cell. */
static PetscReal MleEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.13;
}

const ICLModelType ICLModelMle = {
  .name        = "mle",
  .description = "in-context-only plug-in learner W = I (exact)",
  .supports    = ICLProjectionSupports,
  .run         = MleRun,
  .flops       = ICLProjectionFlops,
  .efficiency  = MleEfficiency,
  .memory      = ICLProjectionMemory,
};
