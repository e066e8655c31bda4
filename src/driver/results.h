/* Every cell's results in grid order, as rank 0 holds them while a sweep runs: filled from
 * the journal, written to results.nc. */
#ifndef ICL_RESULTS_H
#define ICL_RESULTS_H

#include "grid.h"

/* Lines of text that grow as records arrive. */
typedef struct {
  char  *text;
  size_t len, cap;
} ICLLines;

typedef struct {
  const ICLSweep *sw;                                   /* names cells in failures and notes */
  PetscInt64     ncells;
  PetscInt       nM;
  unsigned char *status;                                /* pending until a record arrives */
  unsigned char *mine;                                  /* cells of this run's shard */
  PetscInt64     todo;                                  /* cells of this shard still pending */
  PetscReal     *train_loss, *alignment, *wall, *flops; /* per cell */
  PetscReal     *gd_distance;                           /* per cell */
  PetscReal     *singular_values;                       /* per cell x ICL_NUM_SV */
  PetscReal     *loss_history, *history_step;           /* per cell x ICL_HISTORY */
  PetscReal     *test_error, *test_error_se;            /* per cell x nM */
  PetscInt64     count[5];                              /* cells per status */
  ICLLines       failures; /* "cell N (coordinates): message" of failed and diverged cells */
  ICLLines       notes;    /* "cell N (coordinates): message" of ok cells (e.g. distill's gap per M) */
  PetscReal      busy_max, busy_mean, overhead;         /* load balance and per-cell dispatch, s */
  PetscReal      busy_fraction;                         /* busy core-seconds / (ranks x run's wall) */
  PetscReal      lent_seconds;                          /* core-seconds idle ranks' cores worked for others' cells */
} ICLResults;

/* One finished cell as it travels (MPI) and is stored (journal): followed by 2 nM doubles,
 * the test errors and their standard errors. */
typedef struct {
  PetscInt64 cell;
  int32_t    status, steps;
  int32_t    interrupted; /* the sender saw a stop signal */
  int32_t    flags;       /* runner's message flags; 0 in the journal */
  double     train_loss, alignment, wall, flops;
  double     singular_values[ICL_NUM_SV], gd_distance;
  char       message[192];
  /* the journal's format 2 ends here */
  double     loss_history[ICL_HISTORY], history_step[ICL_HISTORY]; /* NaN past the points kept */
  ICLCellKey key; /* the cell's coordinates, filled by the journal (cell -1 there: outside this grid) */
} ICLRecord;

size_t         ICLRecordSize(PetscInt nM);
PetscErrorCode ICLResultsCreate(const ICLSweep *sw, ICLResults *res);
/* Enters one record; a cell already done is kept as it was and *dup says so. */
PetscErrorCode ICLResultsStore(ICLResults *res, const ICLRecord *rec, PetscBool *dup);
PetscErrorCode ICLResultsDestroy(ICLResults *res);

#endif
