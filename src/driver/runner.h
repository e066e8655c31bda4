/* Runs the pending cells of a sweep on the ranks of a communicator. Rank 0 dispenses units of
 * work (unit.h: one cell, or the cells one training run yields; a thread beside its own work
 * when MPI allows it) and journals every finished cell the moment it arrives; the other ranks
 * pull units until none is left or a stop signal came. */
#ifndef ICL_RUNNER_H
#define ICL_RUNNER_H

#include "journal.h"
#include "provenance.h"

/* Collective. j and res are rank 0's (NULL elsewhere). A cell's own error fails that cell
 * only; any other error fails on every rank. *interrupted: a stop signal ended the run
 * early (every rank agrees). Rank 0 refreshes DIR/partial.nc (with prov) every
 * -partial_interval seconds and 5% of the cells. */
PetscErrorCode ICLRunSweep(MPI_Comm comm, const ICLSweep *sw, ICLJournal j, ICLResults *res, const ICLProvenance *prov, PetscBool *interrupted);

#endif
