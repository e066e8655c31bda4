#define _GNU_SOURCE /* dladdr */
#include "provenance.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

#include <netcdf.h>

#include "git_commit.h"

/* The BLAS actually loaded: Debian picks it at run time through libblas.so.3 alternatives. */
extern void dgemm_(void);

void ICLTimestamp(char *buf, size_t len)
{
  time_t    t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* This rank's node: Slurm's node name where slurmd started us (several slurmd may share one
 * host, and a site's node names are what its users and sacct know), else the host name. */
static PetscErrorCode NodeName(char name[MPI_MAX_PROCESSOR_NAME])
{
  const char *slurm = getenv("SLURMD_NODENAME");
  int         n;

  PetscFunctionBegin;
  if (slurm && slurm[0]) PetscCall(PetscStrncpy(name, slurm, MPI_MAX_PROCESSOR_NAME));
  else PetscCallMPI(MPI_Get_processor_name(name, &n));
  PetscFunctionReturn(0);
}

/* "nodeA:2,nodeB:2": every node and its rank count, in the order of its first rank. */
static PetscErrorCode Hosts(MPI_Comm comm, char *out, size_t len)
{
  char        name[MPI_MAX_PROCESSOR_NAME] = "", *all = NULL;
  PetscMPIInt rank, size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(NodeName(name));
  if (rank == 0) PetscCall(PetscCalloc1((size_t)size * MPI_MAX_PROCESSOR_NAME, &all));
  PetscCallMPI(MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, comm));
  out[0] = 0;
  if (rank == 0) {
    size_t at = 0;
    for (PetscMPIInt r = 0; r < size; r++) {
      const char *h     = all + (size_t)r * MPI_MAX_PROCESSOR_NAME;
      PetscBool   seen  = PETSC_FALSE;
      int         count = 0;
      for (PetscMPIInt q = 0; q < r && !seen; q++) seen = strcmp(h, all + (size_t)q * MPI_MAX_PROCESSOR_NAME) ? PETSC_FALSE : PETSC_TRUE;
      if (seen) continue;
      for (PetscMPIInt q = r; q < size; q++) count += !strcmp(h, all + (size_t)q * MPI_MAX_PROCESSOR_NAME);
      if (at + strlen(h) + 16 >= len) { /* thousands of nodes: keep the attribute bounded */
        PetscCall(PetscStrlcat(out, ",...", len));
        break;
      }
      PetscCall(PetscSNPrintf(out + at, len - at, "%s%s:%d", at ? "," : "", h, count));
      PetscCall(PetscStrlen(out, &at));
    }
    PetscCall(PetscFree(all));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLProvenanceCollect(MPI_Comm comm, int argc, char **argv, ICLProvenance *p)
{
  char    mpi[MPI_MAX_LIBRARY_VERSION_STRING];
  int     len;
  Dl_info info;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(p, sizeof *p));
  PetscCall(PetscStrncpy(p->version, ICL_VERSION, sizeof p->version));
  PetscCall(PetscStrncpy(p->git_commit, ICL_GIT_COMMIT, sizeof p->git_commit));
  PetscCall(PetscStrncpy(p->compiler, ICL_COMPILER, sizeof p->compiler));
  PetscCall(PetscStrncpy(p->cflags, ICL_CFLAGS, sizeof p->cflags));
  PetscCallMPI(MPI_Get_library_version(mpi, &len));
  mpi[strcspn(mpi, "\n,")] = 0;
  PetscCall(PetscStrncpy(p->mpi, mpi, sizeof p->mpi));
  PetscCall(PetscGetVersion(p->petsc, sizeof p->petsc));
  PetscCall(PetscStrncpy(p->netcdf, nc_inq_libvers(), sizeof p->netcdf));
  {
    char *real = dladdr((void *)dgemm_, &info) && info.dli_fname ? realpath(info.dli_fname, NULL) : NULL;
    PetscCall(PetscStrncpy(p->blas, real ? real : "unknown", sizeof p->blas));
    free(real);
  }
  PetscCall(Hosts(comm, p->hosts, sizeof p->hosts));
  for (int i = 0; i < argc; i++) {
    if (strlen(p->command) + strlen(argv[i]) + 2 >= sizeof p->command) break;
    if (i) strcat(p->command, " ");
    strcat(p->command, argv[i]);
  }
  PetscCallMPI(MPI_Comm_size(comm, &p->ranks));
  ICLTimestamp(p->start, sizeof p->start);
  PetscFunctionReturn(0);
}
