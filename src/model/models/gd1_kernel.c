/* gd1_kernel: DSS's one functional GD step with an exp (RBF) kernel, the kernel analogue of gd1:
 * from f = 0, one step of the cross-entropy over the context gives the class logits
 *   f(x_q) = (eta/N) sum_i (y_i - 1/C) k(x_i, x_q),  k(x, x') = exp(beta x^T x'),
 * and the 1/C term is the same for every class (cross-entropy and argmax ignore it), so this is
 * expkernel at A = beta I, c = eta. On the unit sphere exp(beta x^T x') is the RBF kernel
 * exp(-beta ||x - x'||^2 / 2) times exp(beta), absorbed in eta. beta (the inverse squared width)
 * and eta are grid-searched on the training tasks (softmax.h; docs/dss.md). */
#include "softmax.h"

static PetscErrorCode Gd1KernelRun(const ICLCell *cell, ICLCellResult *res) { return ICLAttentionConstructionRun(cell, ICL_SCORE_EXP, res); }

/* The cost model's efficiency (ICLModelType): per-token kernel sums over d-vectors. */
static PetscReal Gd1KernelEfficiency(const ICLCell *cell)
{
  (void)cell;
  return 0.065;
}

const ICLModelType ICLModelGd1Kernel = {
  .name        = "gd1_kernel",
  .description = "one functional GD step with the kernel exp(beta x^T x'), beta and step grid-searched on the training loss (sphere)",
  .supports    = ICLAttentionConstructionSupports,
  .run         = Gd1KernelRun,
  .flops       = ICLAttentionConstructionFlops,
  .efficiency  = Gd1KernelEfficiency,
  .memory      = ICLAttentionMemory,
  .reads       = ICL_READS_TASKS,
};
