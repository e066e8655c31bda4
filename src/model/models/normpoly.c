/* normpoly: DSS's second ablation, the context-adaptive rate without the exp shape: softmax's
 * normalization over a polynomial score, out = c sum_i y_i (1 + s_i)^2 / sum_j (1 + s_j)^2,
 * s_i = x_i^T A x_q, learned A and c (docs/dss.md). Same training protocol, evaluation and
 * diagnostics as softmax (softmax.h). */
#include "softmax.h"

static PetscErrorCode NormpolyRun(const ICLCell *cell, ICLCellResult *res) { return ICLAttentionTrainedRun(cell, ICL_SCORE_POLY2, res); }

const ICLModelType ICLModelNormpoly = {
  .name        = "normpoly",
  .description = "ablation of softmax with a polynomial score: c sum_i y_i (1 + x_i^T A x_q)^2 / sum_j (1 + x_j^T A x_q)^2, trained like softmax",
  .supports    = ICLAttentionSupports,
  .run         = NormpolyRun,
  .flops       = ICLAttentionTrainedFlops,
  .efficiency  = ICLAttentionTrainedEfficiency,
  .memory      = ICLAttentionMemory,
  .reads       = ICL_READS_TRAINING,
};
