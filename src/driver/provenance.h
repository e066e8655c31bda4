/* Provenance of a run: what produced results.nc, recorded as its global attributes. */
#ifndef ICL_PROVENANCE_H
#define ICL_PROVENANCE_H

#include <petscsys.h>

typedef struct {
  char version[64], git_commit[64], compiler[128], cflags[512];
  char mpi[256], petsc[128], netcdf[128], blas[PETSC_MAX_PATH_LEN];
  char hosts[8192], command[4096];
  char start[32], end[32];
  int  ranks;
} ICLProvenance;

/* Collective over comm: gathers each rank's node (SLURMD_NODENAME, else the host name) into
 * hosts, "node:ranks" comma-separated. */
PetscErrorCode ICLProvenanceCollect(MPI_Comm comm, int argc, char **argv, ICLProvenance *p);
/* Current UTC time, ISO 8601. */
void           ICLTimestamp(char *buf, size_t len);

#endif
