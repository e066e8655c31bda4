/* expkernel: DSS's first ablation, the kernel shape without the context-adaptive rate:
 * out = c sum_i y_i exp(x_i^T A x_q) / N, an unnormalized exp kernel with learned A and c
 * (docs/dss.md). Same training protocol, evaluation and diagnostics as softmax (softmax.h). */
#include "softmax.h"

static PetscErrorCode ExpkernelRun(const ICLCell *cell, ICLCellResult *res) { return ICLAttentionTrainedRun(cell, ICL_SCORE_EXP, res); }

const ICLModelType ICLModelExpkernel = {
  .name        = "expkernel",
  .description = "ablation of softmax without normalization: c sum_i y_i exp(x_i^T A x_q) / N, trained like softmax",
  .supports    = ICLAttentionSupports,
  .run         = ExpkernelRun,
  .flops       = ICLAttentionTrainedFlops,
  .efficiency  = ICLAttentionTrainedEfficiency,
  .memory      = ICLAttentionMemory,
  .reads       = ICL_READS_TRAINING,
};
