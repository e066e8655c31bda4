/* The training loss of one prediction against its target, by the family's output kind (docs/models.md):
 * gmm logistic loss on the score, sphere cross-entropy on the class logits, linreg and
 * distreg squared error. Models that train on tokens (softmax) or on per-class logits (linear
 * on sphere) share it. */
#ifndef ICL_TRAINING_LOSS_H
#define ICL_TRAINING_LOSS_H

#include <petscsys.h>

#include "family.h"

/* Returns the loss of out (C entries; 1 unless kind is ICL_OUTPUT_CLASS) against y (label +-1,
 * one-hot row, or value) and writes g = dloss/dout (C entries). Stable for any finite out. */
PetscReal ICLTrainingLoss(ICLOutputKind kind, PetscInt C, const PetscReal *out, const PetscReal *y, PetscReal *g);

#endif
