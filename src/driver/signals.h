/* Stop signals (SIGTERM, SIGINT, SIGUSR1 — Slurm's --signal): the first asks the sweep to
 * stop taking cells and to drain the ones in flight for at most -drain_seconds; a second
 * drops in-flight cells at once. The run then flushes and exits 3 (resumable). A SIGTERM or
 * SIGINT pending on a launcher that blocks them (iclsweep-mpiexec) counts as a first signal. */
#ifndef ICL_SIGNALS_H
#define ICL_SIGNALS_H

#include <petscsys.h>

PetscErrorCode ICLSignalsInstall(PetscReal drain_seconds);
/* A stop signal has arrived (or another rank reported one): take no new cell. */
PetscBool      ICLSignalsStopping(void);
/* Cells in flight must be dropped now: a second signal, or the drain time is over. */
PetscBool      ICLSignalsCancel(void);
/* Another rank saw a signal: behave as if this one had. */
void           ICLSignalsRaise(void);

#endif
