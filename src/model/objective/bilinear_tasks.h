/* A cell's B training tasks as the bilinear problem of bilinear_gd.h (gmm: pairs (m, v),
 * logistic loss; linreg, distreg: (x_q, h, y_q) from explicit tokens, squared loss), this
 * rank's share of them: a group splits the tasks by rows, and task tau's draws are keyed by tau
 * alone. */
#ifndef ICL_BILINEAR_TASKS_H
#define ICL_BILINEAR_TASKS_H

#include "bilinear_gd.h"
#include "model.h"

/* Samples and allocates; p->B_local is this rank's number of tasks. */
PetscErrorCode ICLBilinearProblemCreate(const ICLCell *cell, ICLBilinearProblem *p);
PetscErrorCode ICLBilinearProblemDestroy(ICLBilinearProblem *p);

/* This rank's nb tasks' stacks Mt, Vt (d x nb each) and the d x nb work block after them, as
 * one allocation (mapped on huge pages when large) that ICLBilinearProblemDestroy frees:
 * every creator of a problem it destroys allocates here. */
PetscErrorCode ICLBilinearStacksCreate(PetscInt nb, PetscInt d, PetscReal **Mt, PetscReal **Vt, PetscReal **work);

#endif
