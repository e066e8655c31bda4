/* Runs a sweep's cells on the ranks of a communicator and collects every result on rank 0.
 * Cells go to ranks largest-first by the cost model (a static, deterministic assignment);
 * results do not depend on it, since every cell's random numbers are keyed by its values. */
#ifndef ICL_RUNNER_H
#define ICL_RUNNER_H

#include "grid.h"

/* All cells' results in grid order (allocated on rank 0 only). */
typedef struct {
  PetscInt64     ncells;
  PetscInt       nM;
  unsigned char *status;
  PetscReal     *train_loss, *alignment, *wall, *flops; /* per cell */
  PetscReal     *test_error, *test_error_se;            /* per cell x nM */
  char          *failures;                              /* one line per failed cell */
  PetscReal      busy_max, busy_mean;                   /* load balance, seconds */
} ICLResults;

/* Collective. Cell-level errors become failed cells; anything else fails on every rank. */
PetscErrorCode ICLRunSweep(MPI_Comm comm, const ICLSweep *sw, ICLResults *res);
PetscErrorCode ICLResultsDestroy(ICLResults *res);

#endif
