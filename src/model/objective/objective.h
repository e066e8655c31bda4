/* The interface every training objective implements, whatever engine minimizes it. */
#ifndef ICL_OBJECTIVE_H
#define ICL_OBJECTIVE_H

#include <petscsys.h>

/* loss = L(theta); if G is not NULL, G += alpha * grad L(theta). G may be theta itself (one
 * step in place), so an implementation reads theta completely before it writes G. Collective
 * over the group that owns the training tasks. */
typedef PetscErrorCode (*ICLLossGradFn)(void *ctx, const PetscReal *theta, PetscReal *loss, PetscReal alpha, PetscReal *G);

#endif
