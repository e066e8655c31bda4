/* The attention models of softmax.c's kind, shared by `softmax`, its two ablations (`expkernel`,
 * `normpoly`) and the one-step kernel-GD constructions (`gd1_kernel`, `gd1_adaptive`): all are
 * out = c sum_i y_i w_i(x_i^T A x_q) for a score of softmax_attention.h (docs/dss.md). */
#ifndef ICL_SOFTMAX_H
#define ICL_SOFTMAX_H

#include "model.h"
#include "softmax_attention.h"

/* gmm, sphere, distreg. */
PetscBool ICLAttentionSupports(const ICLFamily *f);

/* A and c trained by full-batch GD from A = 0, c = 1 (softmax.c), evaluated by Monte Carlo;
 * on sphere gd_distance is the distance of the test predictions to the nearest one-step
 * construction (ICLAttentionConstructionRun), and the message names it. */
PetscErrorCode ICLAttentionTrainedRun(const ICLCell *cell, ICLAttentionScore score, ICLCellResult *res);
PetscReal      ICLAttentionTrainedFlops(const ICLCell *cell);
/* Their efficiency (ICLModelType): per-token loops over d-vectors, exp and normalizations. */
PetscReal      ICLAttentionTrainedEfficiency(const ICLCell *cell);
PetscReal      ICLAttentionMemory(const ICLCell *cell, PetscInt group_size);

/* The one-step kernel-GD construction with this score: A = beta I, c = eta, both grid-searched
 * on the cell's training loss (sphere only). */
PetscBool      ICLAttentionConstructionSupports(const ICLFamily *f);
PetscErrorCode ICLAttentionConstructionRun(const ICLCell *cell, ICLAttentionScore score, ICLCellResult *res);
PetscReal      ICLAttentionConstructionFlops(const ICLCell *cell);

#endif
