/* A training run's loss along the way, subsampled for results.nc's loss_history: every step
 * of a short run, else ICL_HISTORY steps spread evenly from the first (step 0, the loss where
 * training starts) to the last (the final loss, train_loss). Engines add the losses they
 * compute anyway; nothing is evaluated for it. */
#ifndef ICL_LOSS_HISTORY_H
#define ICL_LOSS_HISTORY_H

#include "model.h"

/* A run of T steps starts (h may be NULL: nothing is kept, here and below). */
void ICLLossHistoryStart(ICLLossHistory *h, PetscInt T);
/* The loss at step t < T (before step t's update): kept when t is one of the planned steps. */
void ICLLossHistoryAdd(ICLLossHistory *h, PetscInt t, PetscReal loss);
/* The run's last loss, at step t (T, or where it stopped): always kept. */
void ICLLossHistoryEnd(ICLLossHistory *h, PetscInt t, PetscReal loss);

#endif
