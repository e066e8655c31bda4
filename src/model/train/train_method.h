/* Training methods (-train_method, docs/models.md), registered by name like models: a new method
 * is one file in train/ defining an ICLTrainMethodType plus one line in method_registry.c. A method
 * minimizes the bilinear objective of bilinear_gd.h over a merged d x d W on the cell's group;
 * the models that train such a W reach it through bilinear_train.h, the driver by name. `auto`
 * is no method: it is the cost model's choice among the methods that offer an auto_cost. */
#ifndef ICL_TRAIN_METHOD_H
#define ICL_TRAIN_METHOD_H

#include "bilinear_gd.h"
#include "gd.h"
#include "model.h"

/* Registered methods at most (the registry's table is checked against it by its users). */
#define ICL_MAX_TRAIN_METHODS 16

/* What a training run ended with. */
typedef struct {
  const ICLTrainMethodType *method;  /* the method that ran (auto resolved) */
  PetscReal                 loss;    /* training loss at the final W */
  PetscReal                 flops;   /* training flop actually spent */
  PetscInt                  steps;   /* the method's steps (GD steps, TAO iterations) */
  ICLTrainOutcome           outcome;
} ICLTrainResult;

/* A method's own option (-NAME VALUE, a string), read only with that method: a sweep that gives
 * it with another method is refused. Its value is part of the sweep's fingerprint. */
typedef struct {
  const char *name; /* without '-' */
  const char *help; /* one line for -help */
  const char *def;  /* default value */
  /* *problem = NULL when value is usable, else why not, with examples (one line) */
  PetscErrorCode (*check)(const char *value, const char **problem);
} ICLTrainMethodOption;

struct ICLTrainMethodType {
  const char *name;
  const char *alias; /* another name it answers to (option files of earlier versions), or NULL */
  const char *help;  /* one line for -help */
  const char *step;  /* what one of its steps is called in messages ("GD step") */
  /* It computes GD's iterates (to rounding): models trained by their own GD accept it, and a
   * sweep resumes across such methods, so they stay out of its fingerprint. */
  PetscBool   gd_iterates;
  PetscBool   single;                     /* it has a -train_precision single path */
  const ICLTrainMethodOption *option;     /* its own option, or NULL */
  const char *memory_hint;                /* what to do when a cell outgrows memory; NULL: the generic advice */
  /* Cost model: flop (whole group) of training B tasks in dimension d for T steps, and the words
   * per rank of a group of g it needs beyond the problem's stacks (bilinear_train.c; NULL: none). */
  PetscReal (*flops)(PetscReal B, PetscReal d, PetscReal T);
  PetscReal (*memory)(const ICLCell *cell, PetscInt g);
  /* What `auto` weighs (time in units of flop); NULL: auto never picks it. */
  PetscReal (*auto_cost)(const ICLCell *cell);
  /* Trains W (d x d: the initial W; callers start from 0) on p for cell->T steps of cell->lr;
   * fills r but r->method. Collective over p->comm. */
  PetscErrorCode (*train)(const ICLCell *cell, const ICLBilinearProblem *p, PetscReal *W, ICLTrainResult *r);
  /* Shared training (docs/budget.md): the axes (ICLShareAxes) cells may differ in and still
   * train in one run (0: none, and the two hooks below are NULL); shared_flops: the cost
   * model of L step sizes to T_max steps with `checkpoints` in all; train_shared: those runs
   * from W = 0, each checkpoint bit for bit a separate run (gd.h). */
  unsigned shares;
  PetscReal (*shared_flops)(PetscReal B, PetscReal d, PetscInt L, PetscInt T_max, PetscInt checkpoints);
  PetscErrorCode (*train_shared)(const ICLCell *cell, const ICLBilinearProblem *p, PetscInt L, const PetscReal *lr, const ICLCheckpoints *cp, PetscReal *W);
};

/* The registry: a method by name or alias (NULL: none; "auto" is none), the i-th of n in the
 * order of -help, its position, and the names in that order, comma-separated. */
const ICLTrainMethodType *ICLTrainMethodFind(const char *name);
PetscInt                  ICLTrainMethodCount(void);
const ICLTrainMethodType *ICLTrainMethodAt(PetscInt i);
PetscInt                  ICLTrainMethodIndex(const ICLTrainMethodType *method);
/* A method's name; "auto" for NULL (the cell's choice left to the cost model). */
const char *ICLTrainMethodName(const ICLTrainMethodType *method);

/* The method the cell trains with: cell->method, or when that is NULL (auto) the method of
 * least auto_cost, the first of equals in registry order. The costs depend on (B, d, T) and the
 * precision only, never on the group or the machine, so plans, shards and resumed runs agree. */
const ICLTrainMethodType *ICLTrainMethodResolve(const ICLCell *cell);

/* The names of the methods that have a single-precision path (single) or compute GD's
 * iterates (!single), comma-separated, for messages. */
void ICLTrainMethodNamesWith(PetscBool single, char *buf, size_t len);

/* For models trained by their own GD (gd.h) whatever -train_method: refuses a method that does
 * not compute GD's iterates (a cell failure with a message); auto, gd and dual pass. Call it
 * before allocating anything. */
PetscErrorCode ICLTrainMethodCheckGD(const ICLCell *cell, const char *model);

#endif
