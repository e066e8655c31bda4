/* lowrank: merged linear attention with W = A B^T, A and B d x r (SPEC §4). */
#ifndef ICL_LOWRANK_H
#define ICL_LOWRANK_H

#include "bilinear_gd.h"

/* loss = L(A B^T) of the bilinear problem p; gA = dL/dA = G B and gB = dL/dB = G^T A with
 * G = dL/dW. W, G: d x d scratch. A, B, gA, gB: d x r column-major. Collective over p->comm. */
PetscErrorCode ICLLowrankLossGrad(const ICLBilinearProblem *p, PetscInt r, const PetscReal *A, const PetscReal *B, PetscReal *W,
                                  PetscReal *G, PetscReal *loss, PetscReal *gA, PetscReal *gB);

#endif
