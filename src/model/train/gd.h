/* Full-batch gradient descent with a constant step on a flat parameter vector, the loop every
 * trained model shares (docs/models.md -train_method gd): the group stops together when cell->cancel
 * says so, and ICLLossDiverged marks the run diverged. */
#ifndef ICL_GD_H
#define ICL_GD_H

#include "model.h"
#include "objective.h"

typedef enum { ICL_TRAIN_DONE, ICL_TRAIN_DIVERGED, ICL_TRAIN_CANCELLED } ICLTrainOutcome;

/* Whether a run has diverged at this loss: non-finite at any step, or, for the final loss,
 * above ICL_LOSS_BLOWUP times the loss where training started (GD with a stable step only
 * lowers it; a finite spike along the way may still recede). One rule for every engine. */
#define ICL_LOSS_BLOWUP 1e6
static inline PetscBool ICLLossDiverged(PetscReal loss, PetscReal initial, PetscBool final) { return PetscIsInfOrNanReal(loss) || (final && loss > ICL_LOSS_BLOWUP * initial) ? PETSC_TRUE : PETSC_FALSE; }

/* Polls cancel (may be NULL) and agrees over comm: a group stops together, or its next
 * collective would wait forever. Collective over comm. */
PetscErrorCode ICLGroupCancelled(MPI_Comm comm, PetscBool (*cancel)(void), PetscBool *stop);

/* ICLGroupCancelled that also agrees on local, this rank's error in the step just taken (0:
 * none): when any rank failed, every rank returns an error with the failing rank's message,
 * so the group leaves the cell together instead of waiting in a collective the failed rank
 * never enters (HPL-style). The failing rank returns its own error. Collective over comm. */
PetscErrorCode ICLGroupStepAgree(MPI_Comm comm, PetscErrorCode local, PetscBool (*cancel)(void), PetscBool *stop);

/* Testing (-fault_inject step_fail:C): the rank of the group that fails in GD step 1 of the
 * cell being run, or -1. Set by the driver before each cell. */
extern PetscMPIInt ICLFaultStepRank;

/* Checkpoints of one training run (docs/budget.md): the run goes to the largest of T[0..n)
 * (ascending; equal values allowed) and calls at(ctx, i, theta, loss, steps, outcome) once for
 * each i, with the state and outcome a separate run of T[i] steps ends in, bit for bit. A
 * checkpoint the run does not reach gets the outcome that stopped it (DIVERGED or CANCELLED,
 * steps = where it stopped). at is collective over the run's group. history (NULL, or n
 * entries that may be NULL) gets each checkpoint's losses as its separate run keeps them. */
typedef struct {
  PetscInt        n;
  const PetscInt *T;
  PetscErrorCode (*at)(void *ctx, PetscInt i, const PetscReal *theta, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome);
  void           *ctx;
  ICLLossHistory *const *history;
  /* the dual form only, instead of at when not NULL: no W is formed; the checkpoint gets the
   * coefficients alpha (all B, every rank) and this rank's margins s = K alpha (B_local) */
  PetscErrorCode (*at_alpha)(void *ctx, PetscInt i, const PetscReal *alpha, const PetscReal *s, PetscReal loss, PetscInt steps, ICLTrainOutcome outcome);
} ICLCheckpoints;

/* Checkpoint i's loss history, or NULL. */
static inline ICLLossHistory *ICLCheckpointHistory(const ICLCheckpoints *cp, PetscInt i) { return cp->history ? cp->history[i] : NULL; }

/* Where a run with one checkpoint (ICLCheckpointsOne) leaves its outcome; its losses along
 * the way go to history (may be NULL). */
typedef struct {
  PetscInt        T, steps;
  PetscReal       loss;
  ICLTrainOutcome outcome;
  ICLLossHistory *history;
} ICLTrainEnd;
/* One checkpoint at end->T that records loss, steps and outcome (and history) into end. */
ICLCheckpoints ICLCheckpointsOne(ICLTrainEnd *end);

/* ICLGradientDescent with checkpoints: theta ends at the last one reached. */
PetscErrorCode ICLGradientDescentCheckpoints(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossGradFn f, void *ctx, PetscReal lr, const ICLCheckpoints *cp, PetscReal *theta);

/* T steps theta <- theta - lr grad L(theta) from the theta given. Stops early at the first
 * non-finite loss (DIVERGED, *steps = the step it happened at); a final loss above
 * ICL_LOSS_BLOWUP times the initial one is DIVERGED too (a finite spike may recede); stops when cancel (may be NULL)
 * says so on any rank of comm (CANCELLED). *loss is the loss at the final theta. The losses
 * along the way go to history (may be NULL; loss_history.h). */
PetscErrorCode ICLGradientDescent(MPI_Comm comm, PetscBool (*cancel)(void), ICLLossHistory *history, ICLLossGradFn f, void *ctx, PetscInt T, PetscReal lr, PetscReal *theta, PetscReal *loss, PetscInt *steps, ICLTrainOutcome *outcome);

/* res->status (and res->message) from a training outcome: CANCELLED -> PENDING (the cell runs
 * again), DIVERGED -> DIVERGED with "training loss exploded ... at <step> <res->steps>", DONE ->
 * OK. step names the iteration ("GD step", "TAO iteration"). One mapping for every engine. */
PetscErrorCode ICLTrainOutcomeApply(ICLTrainOutcome outcome, const char *step, ICLCellResult *res);

/* A cell's training: ICLGradientDescent over cell->comm for cell->T steps of cell->lr, polling
 * cell->cancel, with res->train_loss, res->steps and res->status set from the outcome:
 * CANCELLED -> PENDING (the cell runs again), DIVERGED -> DIVERGED with a message, DONE -> OK. */
PetscErrorCode ICLGDTrainCell(const ICLCell *cell, ICLLossGradFn f, void *ctx, PetscReal *theta, ICLCellResult *res);

#endif
