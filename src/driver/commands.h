/* The subcommands of docs/usage.md. Each returns an error code and sets the process exit status
 * it wants on success (0, or 1 when some cells failed). */
#ifndef ICL_COMMANDS_H
#define ICL_COMMANDS_H

#include <petscsys.h>

PetscErrorCode ICLCommandRun(MPI_Comm comm, int argc, char **argv, int *exit_status);
PetscErrorCode ICLCommandPlan(MPI_Comm comm, int *exit_status);
PetscErrorCode ICLCommandStatus(MPI_Comm comm, const char *dir, int *exit_status);
PetscErrorCode ICLCommandMerge(MPI_Comm comm, int argc, char **argv, PetscInt nparts, char **parts, int *exit_status);

#endif
