/* -train_method gd (method_gd.c): direct full-batch GD on a bilinear problem's W. */
#ifndef ICL_METHOD_GD_H
#define ICL_METHOD_GD_H

#include "train_method.h"

extern const ICLTrainMethodType ICLTrainMethodGd;

/* T steps of GD from the W given (ICLGradientDescent on ICLBilinearLossGrad). */
PetscErrorCode ICLBilinearGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome);

#endif
