/* svm (gmm; docs/models.md): a linear SVM trained in context, on the M context points of each test
 * task, by liblinear with sklearn LinearSVC's defaults (svm.c says exactly which). */
#ifndef ICL_SVM_H
#define ICL_SVM_H

#include <petscsys.h>

/* Fits sign(w^T x + b) to M points X (M x d, row-major) with labels y in {-1,+1}; w has d
 * entries. A context with one label only gives the constant classifier w = 0, b = that label. */
PetscErrorCode ICLSvmFit(PetscInt d, PetscInt M, const PetscReal *X, const PetscReal *y, PetscReal *w, PetscReal *b);

#endif
