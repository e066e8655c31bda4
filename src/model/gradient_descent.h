/* Plain full-batch gradient descent on a flat parameter vector, for models whose loss is not
 * the bilinear form of bilinear_gd.h (lowrank's factors, h3's W and weights). */
#ifndef ICL_GRADIENT_DESCENT_H
#define ICL_GRADIENT_DESCENT_H

#include "bilinear_gd.h"
#include "model.h"

/* loss(x) and its gradient (n entries); collective over the group when the data is split. */
typedef PetscErrorCode (*ICLLossGradFn)(void *ctx, const PetscReal *x, PetscReal *loss, PetscReal *grad);

/* T steps x -= lr grad(x), with ICLBilinearGD's outcomes: DIVERGED at the first non-finite loss
 * (*steps = that step), CANCELLED when cancel() says so on any rank of comm (the group stops
 * together), else DONE with *loss at the final x. grad: n scratch entries. Collective over comm. */
PetscErrorCode ICLGradientDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscInt n, PetscInt T, PetscReal lr,
                                  PetscReal *x, PetscReal *grad, PetscReal *loss, PetscInt *steps, ICLGDOutcome *outcome);

/* A cell's status after training: OK, PENDING (cancelled: it runs again) or DIVERGED with the
 * step in res->message. */
PetscErrorCode ICLGDOutcomeStatus(ICLGDOutcome outcome, PetscInt steps, ICLCellResult *res);

#endif
