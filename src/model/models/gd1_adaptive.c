/* gd1_adaptive: DSS's one step of kernel GD with a context-adaptive learning rate: gd1_kernel's
 * step divided by the query's kernel mass (1/N) sum_j k(x_j, x_q), i.e.
 *   f(x_q) = eta sum_i y_i exp(beta x_i^T x_q) / sum_j exp(beta x_j^T x_q),
 * softmax attention at A = beta I, c = eta. beta and eta are grid-searched on the training tasks
 * (softmax.h; docs/dss.md). */
#include "softmax.h"

static PetscErrorCode Gd1AdaptiveRun(const ICLCell *cell, ICLCellResult *res) { return ICLAttentionConstructionRun(cell, ICL_SCORE_SOFTMAX, res); }

/* The cost model's efficiency (ICLModelType): per-token kernel sums and their adaptive rates. */
static PetscReal Gd1AdaptiveEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.055;
}

const ICLModelType ICLModelGd1Adaptive = {
  .name        = "gd1_adaptive",
  .description = "one kernel GD step with a context-adaptive rate (softmax weights exp(beta x_i^T x_q)), beta and step grid-searched on the training loss (sphere)",
  .supports    = ICLAttentionConstructionSupports,
  .run         = Gd1AdaptiveRun,
  .flops       = ICLAttentionConstructionFlops,
  .efficiency  = Gd1AdaptiveEfficiency,
  .memory      = ICLAttentionMemory,
  .reads       = ICL_READS_TASKS,
};
