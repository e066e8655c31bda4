/* Training of a merged d x d matrix W on B tasks by the cell's -train_method (docs/models.md): the
 * one dispatch point for any model whose output is the bilinear form a^T W b over a full W
 * (linear). Models trained through factors (lowrank's W = A B^T) are not bilinear in their
 * parameters and keep their own GD; gd/dual/tao apply to W itself.
 *   gd     ICLBilinearGD, direct: 4 B d^2 flop a step; with -train_precision single
 *          ICLBilinearGDSingle, the same in float GEMMs
 *   dual   ICLDualGD, the same iterates in the B x B dual form: 2 B^2 d once, 2 B^2 a step
 *          (K in floats with -train_precision single)
 *   tao    ICLTaoTrain, a TAO solver on the same objective (gradient, and for Newton types
 *          the exact Hessian, data-parallel over the group)
 *   auto   gd or dual, whichever the cost model says is faster, dual only while its
 *          K (B^2 words per group) fits ICL_DUAL_AUTO_BYTES; the two give the same W to
 *          rounding, so auto never changes results beyond rounding. The choice depends on
 *          (B, d, T) and the precision only, never on the group size or the machine, so plans,
 *          shards and resumed runs agree everywhere; a rank short of the memory is told so
 *          before anything runs (use -group_size to split K, or -train_method gd). */
#ifndef ICL_BILINEAR_TRAIN_H
#define ICL_BILINEAR_TRAIN_H

#include "bilinear_gd.h"
#include "gd.h"
#include "model.h"

#define ICL_DUAL_AUTO_BYTES 4e9

typedef struct {
  ICLTrainMethod method; /* the method that ran: never ICL_METHOD_AUTO */
  PetscReal      loss;   /* training loss at the final W */
  PetscReal      flops;  /* training flop actually spent */
  PetscInt       steps;  /* GD steps or TAO iterations */
  ICLTrainOutcome   outcome;
} ICLTrainResult;

/* The method the cell trains with: its -train_method, auto resolved by the cost model. */
ICLTrainMethod ICLBilinearTrainMethod(const ICLCell *cell);
const char    *ICLTrainMethodName(ICLTrainMethod method);

/* Cost model of training the cell's W by its resolved method: flop (whole group) and peak
 * bytes per rank of a group of g ranks, the problem's d x B_local stacks included. */
PetscReal ICLBilinearTrainFlops(const ICLCell *cell);
PetscReal ICLBilinearTrainMemory(const ICLCell *cell, PetscInt g);

/* Trains W (d x d, the initial W for gd and tao; dual starts from 0, and callers start
 * from W = 0 so every method runs the same problem) on p by the cell's resolved method,
 * T = cell->T steps or iterations, step cell->lr. Collective over p->comm. */
PetscErrorCode ICLBilinearTrain(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r);

/* Training flop of the cell alone on p by gd or dual, for the steps it took. */
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

/* T steps of GD from the W given (ICLGradientDescent on ICLBilinearLossGrad). */
PetscErrorCode ICLBilinearGD(const ICLBilinearProblem *p, PetscInt T, PetscReal lr, PetscReal *W, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome);

#endif
