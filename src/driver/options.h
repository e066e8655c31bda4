/* The sweep: every option of docs/usage.md, read once from PETSc's options database, checked,
 * and fingerprinted (the hash of every option that changes results). */
#ifndef ICL_OPTIONS_H
#define ICL_OPTIONS_H

#include <petscsys.h>

#include "expr.h"
#include "family.h"
#include "fault.h"
#include "model.h"

#define ICL_MAX_AXIS   256
#define ICL_MAX_MODELS 16
#define ICL_NAME_LEN   32

#define ICL_MAX_EXTRA  6  /* parameter axes */
#define ICL_MAX_PARAMS 16
#define ICL_MAX_EXPR   8  /* parameters given as expressions */

typedef struct ICLSweep ICLSweep;

/* A family or model parameter: one value (-NAME v) or a sweep axis (-grid_NAME v1,v2,...),
 * one more dimension of results.nc. Categorical parameters take names and store their index. */
typedef struct {
  const char *name, *description;
  PetscReal   def, min, max;   /* default; allowed values min <= v < max */
  PetscBool   integer;         /* values are integers (stored as NC_INT) */
  int (*find)(const char *);   /* categorical: index of a name, -1 when unknown; NULL: numeric */
  const char *(*names)(void);  /* categorical: comma-separated names in index order */
  const char *used_by;         /* who reads it, for messages, e.g. "family linreg" */
  PetscBool (*applies)(const ICLSweep *); /* the sweep reads it; NULL: its family or a model lists name (params) */
  void (*set)(ICLCell *, double);
  PetscBool   any_sweep;       /* the single value is accepted whatever the models (recorded option files name it) */
  PetscBool   later;           /* added after sweeps were recorded: left out of the fingerprint at its
                                  default, which draws the earlier law bitwise, so their directories resume */
} ICLSweepParam;

/* The parameter registry, for -help and the output's coordinate attributes. */
const ICLSweepParam *ICLSweepParams(PetscInt *n);
/* The sweep's family or one of its models reads -option (the source law's options: where a
 * model uses the source law). */
PetscBool ICLSweepReads(const ICLSweep *sw, const char *option);
/* The sweep's family or one of its models reads q. */
PetscBool ICLSweepParamApplies(const ICLSweep *sw, const ICLSweepParam *q);
/* v is an allowed value of q; its range as text, "[min, max)" or "[min, max]", for messages. */
PetscBool ICLSweepParamInRange(const ICLSweepParam *q, PetscReal v);
void      ICLSweepParamRange(const ICLSweepParam *q, char *buf, size_t len);
/* The first of the sweep's models that cannot run without q positive (lowrank's rank), or NULL. */
const char *ICLSweepParamRequiredBy(const ICLSweep *sw, const ICLSweepParam *q);
/* The variables of -NAME_expr expressions: d, k, N, the parameter axes by name, then R (the
 * value of -R_expr where given). Returns their number; names are the sweep's. */
PetscInt  ICLSweepExprVariables(const ICLSweep *sw, const char **names);

struct ICLSweep {
  char                family[ICL_NAME_LEN];
  PetscInt            d[ICL_MAX_AXIS], nd, k[ICL_MAX_AXIS], nk, N[ICL_MAX_AXIS], nN;
  PetscReal           R[ICL_MAX_AXIS];
  PetscInt            nR;
  PetscReal           value[ICL_MAX_PARAMS]; /* every parameter's single value (registry order) */
  struct {
    const ICLSweepParam *param;
    PetscReal             v[ICL_MAX_AXIS];
    PetscInt              n;
  } extra[ICL_MAX_EXTRA]; /* axes between R and replicate, in registry order */
  PetscInt            nextra;
  struct {
    const ICLSweepParam *param; /* R, eval_R or a registry parameter */
    char                 text[256];
    ICLExpr             *expr;
  } expr[ICL_MAX_EXPR]; /* -NAME_expr: a value per cell from its coordinates; R's first */
  PetscInt            nexpr;
  PetscInt            replicates;
  char                models[ICL_MAX_MODELS][ICL_NAME_LEN];
  PetscInt            nmodels;
  PetscInt            B, T;
  PetscReal           lr;
  const ICLTrainMethodType *method;           /* -train_method (by name or alias; NULL: auto) */
  ICLTrainPrecision   precision;              /* -train_precision */
  ICLEngine           engine;                 /* -engine */
  char                method_option[ICL_NAME_LEN]; /* the method's own option (tao: -tao_type) */
  char                spectrum[256];          /* linreg: -spectrum text ("" = flat) */
  PetscInt            spectrum_kind;          /* ICLSpectrumKind */
  PetscReal           spectrum_param, spectrum_list[ICL_MAX_AXIS];
  char                x_spectrum[256];        /* linreg: -x_spectrum text, eigenvalues of Sigma_x ("" = flat) */
  PetscInt            x_spectrum_kind;
  PetscReal           x_spectrum_param, x_spectrum_list[ICL_MAX_AXIS];
  char                source_spectrum[256];   /* lora, -oracle_lora: -source_spectrum, Sigma_beta of the source law */
  PetscInt            source_spectrum_kind;
  PetscReal           source_spectrum_param, source_spectrum_list[ICL_MAX_AXIS];
  PetscReal           source_alignment;       /* lora, -oracle_lora: alignment of the source law */
  PetscInt            lora_base;              /* lora: 0 W_0 trained on the source law, 1 its optimum */
  PetscBool           oracle_lora;            /* oracle (linreg): the best rank-r correction of W_0 */
  PetscInt            M[ICL_MAX_AXIS], nM;
  PetscReal           eval_R; /* <= 0: the cell's own R */
  PetscBool           subspace_random; /* -subspace random: U from a Gaussian QR, else the first k coordinates */
  PetscInt            eval_tasks;
  PetscInt            seed;
  PetscInt            group_size;
  PetscInt            threads_per_rank;    /* BLAS threads of each rank; 0: the environment's */
  PetscBool           tail_threads;        /* idle ranks' cores go to the last cells as BLAS threads */
  PetscBool           dynamic;             /* -schedule dynamic (default) or static */
  PetscInt            shard, num_shards;   /* this run covers shard `shard` of `num_shards` */
  PetscReal           drain_seconds;       /* after a stop signal, time for in-flight cells */
  PetscReal           partial_interval;    /* seconds between refreshes of DIR/partial.nc (0: none) */
  PetscInt64          fault[ICL_FAULT_COUNT]; /* testing: -fault_inject POINT:N, N at each point (-1: none) */
  char                output[PETSC_MAX_PATH_LEN];
  const ICLFamily    *fam;
  const ICLModelType *types[ICL_MAX_MODELS];
  char                canonical[8192]; /* every result-changing option, canonical form */
  char                fingerprint[17];
  /* the hash of canonical without the axes' values and -replicates (their names stay): sweeps
   * of one cell fingerprint agree bitwise on every cell they share, so a DIR grows in place */
  char                cell_fingerprint[17];
};

/* Reads and checks the sweep options (collective: every rank reads the same database).
 * -help prints every option with its default and sets *help. Errors are ICL_ERR_INPUT. */
PetscErrorCode ICLSweepFromOptions(MPI_Comm comm, ICLSweep *sw, PetscBool *help);

#endif
