/* Models and baselines (docs/models.md), registered by name: a new model is one new file plus one
 * line in registry.c. A model trains (or not) and evaluates one cell; it knows nothing of
 * the grid, the schedule or the output file. */
#ifndef ICL_MODEL_H
#define ICL_MODEL_H

#include <petscsys.h>

#include "family.h"

/* Cell outcome, stored as the `status` byte of results.nc (values are part of the schema). */
typedef enum {
  ICL_STATUS_PENDING        = 0,
  ICL_STATUS_OK             = 1,
  ICL_STATUS_DIVERGED       = 2,
  ICL_STATUS_FAILED         = 3,
  ICL_STATUS_NOT_APPLICABLE = 4
} ICLStatus;

/* -train_method (docs/models.md): a training method registered by name (train/train_method.h:
 * gd, dual, tao, ...). */
typedef struct ICLTrainMethodType ICLTrainMethodType;

/* -train_precision: the arithmetic of direct GD on a bilinear model (bilinear_gd_single.h);
 * every other training and all evaluation is double. */
typedef enum { ICL_PRECISION_DOUBLE, ICL_PRECISION_SINGLE } ICLTrainPrecision;

/* -engine (docs/engines.md): how a cell's data are represented. explicit: d-dimensional
 * vectors; gram: the same law from Gram matrices (gmm on linear), at a cost independent of d;
 * auto: the cheaper by the cost model; wfree: gram without its reduced W (the dual form on K
 * split over the group, evaluated from the coefficients), which gram and auto also take where
 * the reduced W would not fit. */
typedef enum { ICL_ENGINE_AUTO, ICL_ENGINE_EXPLICIT, ICL_ENGINE_GRAM, ICL_ENGINE_WFREE } ICLEngine;

/* The training options a model reads (ICLModelType.reads): a sweep axis or an expression of one
 * that none of the sweep's models reads is refused. */
typedef enum { ICL_READS_TASKS = 1, ICL_READS_STEPS = 2, ICL_READS_LR = 4, ICL_READS_TRAINING = 7 } ICLModelReads;

/* A training run's loss at up to ICL_HISTORY steps (train/loss_history.h keeps them). */
#define ICL_HISTORY 64
typedef struct {
  PetscInt  T, n;              /* the run's planned last step; points kept */
  PetscReal step[ICL_HISTORY]; /* step of each point (0: before the first update) */
  PetscReal loss[ICL_HISTORY];
} ICLLossHistory;

/* Shared training (docs/budget.md): the axes cells may differ in and still train in one run. */
typedef enum { ICL_SHARE_STEPS = 1, ICL_SHARE_LR = 2 } ICLShareAxes;

/* Everything one model needs to train and evaluate one cell. */
typedef struct {
  MPI_Comm         comm;       /* the ranks that train this cell together (a group) */
  const ICLFamily *family;
  ICLTaskParams    task;       /* d, k, R, seed, replicate */
  PetscInt         N;          /* training context length */
  PetscReal        eval_R;     /* test signal strength */
  PetscInt         B, T;       /* training tasks, GD steps */
  PetscReal        lr;         /* GD step size */
  const PetscInt  *M;          /* test context lengths */
  PetscInt         nM;
  PetscInt         eval_tasks; /* test tasks */
  const ICLTrainMethodType *method; /* -train_method; NULL: auto, the cost model's choice */
  ICLTrainPrecision precision; /* of a bilinear model's training by a method with a single path */
  ICLEngine        engine;     /* -engine */
  const char      *method_option; /* the value of the method's own option (tao: -tao_type) */
  PetscInt         w_rank;     /* lowrank: rank r of W = A B^T; oracle (linreg): 0 = full W*, else W*_r */
  PetscInt         features;   /* kernel, distill: number D of random features (prf) */
  PetscInt         feature_map;/* kernel, distill: ICLFeatureMapKind (feature_map.h) */
  ICLTaskParams    source;     /* lora, oracle_lora (linreg): the source law of W_0 (source = 1; docs/lro.md) */
  PetscInt         lora_base;  /* lora: 0 W_0 trained on the source law, 1 its closed-form optimum */
  PetscBool        oracle_lora;/* oracle (linreg): report the best W_0 + rank-w_rank correction */
  PetscBool (*cancel)(void);   /* polled by long computations; true: stop, report PENDING */
  ICLLossHistory *history;     /* where training keeps its losses (NULL: nowhere) */
} ICLCell;

/* Whether the cell's task has C class outputs (sphere): its linear model trains on the
 * cross-entropy of C logits, which has no bilinear form (no dual form, no TAO path). */
static inline PetscBool ICLCellMulticlass(const ICLCell *cell) { return cell->family->kind == ICL_OUTPUT_CLASS ? PETSC_TRUE : PETSC_FALSE; }

/* Top singular values of a trained W reported per cell (the `sv` dimension of results.nc). */
#define ICL_NUM_SV 8


/* A model's results for one cell; test_error and test_error_se (length nM) are the
 * caller's. Values that do not exist for a model are NaN (the caller's defaults, so a
 * model sets only what it has). A cell given up because cell->cancel said so has status
 * PENDING: it will run again. */
typedef struct {
  ICLStatus  status;
  PetscReal  train_loss, alignment, flops;
  PetscReal  singular_values[ICL_NUM_SV]; /* of the trained W, descending; NaN past d */
  PetscReal  gd_distance;                 /* of W to the one-step-GD W_1, both normalized */
  ICLLossHistory history;                 /* losses along training (n = 0: not trained) */
  PetscInt   steps;
  PetscReal *test_error, *test_error_se;
  char       message[256];
} ICLCellResult;

typedef struct {
  const char *name;
  const char *description;
  PetscBool (*supports)(const ICLFamily *family);
  PetscErrorCode (*run)(const ICLCell *cell, ICLCellResult *result);
  PetscReal (*flops)(const ICLCell *cell);  /* cost model: floating-point operations */
  PetscReal (*memory)(const ICLCell *cell, PetscInt group_size); /* cost model: peak bytes per rank */
  /* cost model: the fraction of the BLAS-3 rate (plan's -plan_gflops) the cell's arithmetic runs
   * at; small-vector token loops run far below it. Calibrated on the example sweeps
   * (docs/performance.md); NULL: 1. */
  PetscReal (*efficiency)(const ICLCell *cell);
  const ICLTrainMethodType *(*train_method)(const ICLCell *cell); /* the method training runs (auto resolved); NULL: not trained by -train_method */
  ICLEngine (*engine)(const ICLCell *cell);           /* the engine the cell runs (auto resolved); NULL: explicit */
  unsigned reads; /* ICLModelReads: which of -train_tasks, -train_steps, -train_lr the model uses */
  /* Shared training (docs/budget.md); NULL: every cell trains alone. share: the axes
   * (ICLShareAxes) cells may differ in and still train in one run with this cell, 0 for none,
   * and in *klass what must be equal too (e.g. the resolved method). run_shared: n >= 2 such
   * cells (equal but for -train_steps and -train_lr) from one run, each result bit for bit
   * what run gives the cell alone (flops too: a cell's own work as if alone). flops_shared:
   * the cost model of that run and the n evaluations. */
  unsigned (*share)(const ICLCell *cell, PetscInt *klass);
  PetscErrorCode (*run_shared)(const ICLCell *cells, PetscInt n, ICLCellResult *results);
  PetscReal (*flops_shared)(const ICLCell *cells, PetscInt n);
  /* The other sweep options it reads on a family (names without '-', comma-separated; NULL:
   * none): one given that neither the family nor a model reads is bad input. */
  const char *(*params)(const ICLFamily *family);
  const char *requires; /* of those, the ones it cannot run without: positive in every cell */
  /* A categorical one of those (NULL: none): the names of its values in index order, comma-
   * separated, and in *def the default's index; NULL for a parameter that is not one. */
  const char *(*choices)(const char *param, PetscInt *def);
} ICLModelType;

/* Looks a model up by name; NULL when there is none. */
const ICLModelType *ICLModelFind(const char *name);
/* Comma-separated registered names, for help and error messages. */
const char *ICLModelNames(void);
/* The value names (and in *def the default's index) of a categorical parameter that models
 * read, from the first that declares it (choices); NULL when none does. */
const char *ICLModelChoices(const char *param, PetscInt *def);

#endif
