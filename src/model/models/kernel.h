/* The `kernel` model's fit of one cell, shared with `distill`, which trains the same model
 * against a teacher's outputs instead of the tasks' targets. */
#ifndef ICL_KERNEL_H
#define ICL_KERNEL_H

#include "kernel_attention.h"
#include "mc_eval.h"

typedef struct {
  ICLFeatureMap    phi;
  ICLKernelScratch ws; /* for single tasks of up to max(N, max M) tokens */
  PetscReal       *W;  /* [W_K, W_Q] */
} ICLKernelFit;

/* Trains kernel attention on cell->B training tasks and fills res (status, train_loss, steps,
 * flops; test error at every M against the true targets when training ended normally). With
 * teacher non-NULL the training target of a task is teacher(tctx, tokens), not its y_q. fit
 * is created on success: ICLKernelFitDestroy. */
PetscErrorCode ICLKernelFitCell(const ICLCell *cell, ICLPredictFn teacher, void *tctx, ICLKernelFit *fit, ICLCellResult *res);
PetscErrorCode ICLKernelFitDestroy(ICLKernelFit *fit);
/* An ICLPredictFn with ctx an ICLKernelFit. */
PetscErrorCode ICLKernelFitPredict(void *ctx, PetscInt M, const PetscReal *X, const PetscReal *Y, const PetscReal *xq, PetscReal *out);

/* Cost model of ICLKernelFitCell (without the teacher's cost) and its peak bytes per rank. */
PetscReal ICLKernelFitFlops(const ICLCell *cell);
PetscReal ICLKernelFitMemory(const ICLCell *cell, PetscInt group_size);
/* The sweep options of a kernel fit (ICLModelType.params): D and phi. */
const char *ICLKernelParams(const ICLFamily *family);
/* Its categorical option (ICLModelType.choices): -feature_map, by the names of feature_map.h. */
const char *ICLKernelChoices(const char *param, PetscInt *def);

#endif
