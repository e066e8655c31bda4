#include "training_loss.h"

PetscReal ICLTrainingLoss(ICLOutputKind kind, PetscInt C, const PetscReal *out, const PetscReal *y, PetscReal *g)
{
  switch (kind) {
  case ICL_OUTPUT_SIGN: {
    const PetscReal s = y[0] * out[0];
    g[0] = -y[0] / (1.0 + PetscExpReal(s)); /* -y sigmoid(-s) */
    return s > 0 ? log1p(PetscExpReal(-s)) : -s + log1p(PetscExpReal(s));
  }
  case ICL_OUTPUT_CLASS: {
    /* log-sum-exp shifted by the largest logit; g = softmax(out) - y */
    PetscReal top = out[0], sum = 0.0, target = 0.0;
    for (PetscInt c = 1; c < C; c++) top = PetscMax(top, out[c]);
    for (PetscInt c = 0; c < C; c++) sum += (g[c] = PetscExpReal(out[c] - top));
    for (PetscInt c = 0; c < C; c++) {
      target += y[c] * out[c];
      g[c] = g[c] / sum - y[c];
    }
    return top + PetscLogReal(sum) - target;
  }
  default: {
    const PetscReal r = out[0] - y[0];
    g[0] = 2.0 * r;
    return r * r;
  }
  }
}
