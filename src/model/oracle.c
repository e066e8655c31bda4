/* oracle: knows the task subspace, W = U U^T. */
#include "projection.h"

static PetscErrorCode OracleRun(const ICLCell *cell, ICLCellResult *res) { return ICLProjectionRun(cell, cell->task.k, res); }

const ICLModelType ICLModelOracle = {
  .name        = "oracle",
  .description = "knows the subspace, W = U U^T (exact)",
  .supports    = ICLProjectionSupports,
  .run         = OracleRun,
  .flops       = ICLProjectionFlops,
  .memory      = ICLProjectionMemory,
};
