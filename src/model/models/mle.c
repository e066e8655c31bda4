/* mle: the in-context-only plug-in learner, W = I (predict sign(m^T x_q)). */
#include "projection.h"

static PetscErrorCode MleRun(const ICLCell *cell, ICLCellResult *res) { return ICLProjectionRun(cell, cell->task.d, res); }

const ICLModelType ICLModelMle = {
  .name        = "mle",
  .description = "in-context-only plug-in learner W = I (exact)",
  .supports    = ICLProjectionSupports,
  .run         = MleRun,
  .flops       = ICLProjectionFlops,
  .memory      = ICLProjectionMemory,
};
