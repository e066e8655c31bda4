/* Training of a merged d x d matrix W on B tasks by the cell's -train_method (docs/models.md):
 * what any model whose output is the bilinear form a^T W b over a full W (linear, lora) calls;
 * the methods themselves are registered in train_method.h (gd, dual, tao). Models trained
 * through factors (lowrank's W = A B^T) are not bilinear in their parameters and keep their own
 * GD; the methods apply to W itself. With -train_method auto (cell->method NULL) the cost model
 * picks among gd and dual (ICLTrainMethodResolve); the two give the same W to rounding, so auto
 * never changes results beyond rounding. */
#ifndef ICL_BILINEAR_TRAIN_H
#define ICL_BILINEAR_TRAIN_H

#include "bilinear_gd.h"
#include "gd.h"
#include "model.h"
#include "train_method.h"

/* Cost model of training the cell's W by its resolved method: flop (whole group) and peak
 * bytes per rank of a group of g ranks, the problem's d x B_local stacks included. */
PetscReal ICLBilinearTrainFlops(const ICLCell *cell);
PetscReal ICLBilinearTrainMemory(const ICLCell *cell, PetscInt g);

/* Trains W (d x d, the initial W for gd and tao; dual starts from 0, and callers start
 * from W = 0 so every method runs the same problem) on p by the cell's resolved method,
 * T = cell->T steps or iterations, step cell->lr. Collective over p->comm. */
PetscErrorCode ICLBilinearTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r);

/* Training flop of the cell alone on p by its resolved method, for the steps it took. */
PetscReal ICLBilinearTrainStepsFlops(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt steps);

/* Shared training (docs/budget.md). Which axes the cell's resolved method lets cells share a
 * run over (ICLShareAxes): gd checkpoints in T; dual checkpoints in T and a batch of step sizes
 * on one K; tao none. */
unsigned  ICLBilinearTrainShares(const ICLCell *cell);
/* Cost model of one shared run: L step sizes to T_max steps, with `checkpoints` in all. */
PetscReal ICLBilinearTrainSharedFlops(const ICLCell *cell, PetscInt L, PetscInt T_max, PetscInt checkpoints);
/* Trains the cell's problem from W = 0 for L step sizes lr[l], each with checkpoints cp[l]
 * (gd.h): every checkpoint ends bit for bit as a separate run by the cell's resolved method
 * (gd, single or double, or dual) of that many steps. W: d x d, where the iterates are
 * handed to the checkpoints. Collective over p->comm. */
PetscErrorCode ICLBilinearTrainShared(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W);

#endif
