#include "commands.h"

#include <netcdf.h>

#include "error.h"
#include "output.h"
#include "runner.h"

/* Rank 0 did something the others depend on: all ranks return its error code (only rank 0
 * holds the message; main() prints it there). */
static PetscErrorCode ShareRootError(MPI_Comm comm, PetscErrorCode ierr)
{
  PetscMPIInt code = (PetscMPIInt)ierr;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, comm));
  PetscFunctionReturn((PetscErrorCode)code);
}

static PetscErrorCode ReadSweep(MPI_Comm comm, ICLSweep *sw, PetscBool *help)
{
  PetscFunctionBegin;
  PetscCall(ICLSweepFromOptions(comm, sw, help));
  if (!*help) PetscCall(ICLOptionsCheckUnused());
  PetscFunctionReturn(0);
}

static void CountStatus(const unsigned char *status, PetscInt64 n, PetscInt64 count[5])
{
  for (int s = 0; s < 5; s++) count[s] = 0;
  for (PetscInt64 c = 0; c < n; c++) count[status[c] < 5 ? status[c] : ICL_STATUS_FAILED]++;
}

PetscErrorCode ICLCommandRun(MPI_Comm comm, int argc, char **argv, int *exit_status)
{
  ICLSweep       sw;
  PetscBool      help;
  PetscMPIInt    rank;
  ICLOutputState state = ICL_OUTPUT_NEW;
  ICLProvenance  prov;
  ICLResults     res;
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(ReadSweep(comm, &sw, &help));
  if (help) PetscFunctionReturn(0);
  if (rank == 0) ierr = ICLOutputInspect(sw.output, sw.fingerprint, &state);
  PetscCall(ShareRootError(comm, ierr));
  PetscCallMPI(MPI_Bcast(&state, 1, MPI_INT, 0, comm));
  if (state == ICL_OUTPUT_COMPLETE) {
    PetscCall(PetscPrintf(comm, "%s/results.nc already holds this sweep, complete; nothing to do.\n", sw.output));
    PetscFunctionReturn(0);
  }
  PetscCall(ICLProvenanceCollect(comm, argc, argv, &prov));
  PetscCall(PetscPrintf(comm, "iclsweep: %lld cells (fingerprint %s) on %d ranks -> %s/results.nc\n", (long long)ICLGridSize(&sw), sw.fingerprint, prov.ranks, sw.output));
  PetscCall(ICLRunSweep(comm, &sw, &res));
  if (rank == 0) ierr = ICLOutputWrite(&sw, &res, &prov);
  PetscCall(ShareRootError(comm, ierr));
  if (rank == 0) {
    PetscInt64 count[5];
    CountStatus(res.status, res.ncells, count);
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "iclsweep: wrote %s/results.nc: %lld ok, %lld diverged, %lld failed, %lld not applicable; load imbalance (max/mean busy) %.2f\n", sw.output, (long long)count[ICL_STATUS_OK], (long long)count[ICL_STATUS_DIVERGED],
                          (long long)count[ICL_STATUS_FAILED], (long long)count[ICL_STATUS_NOT_APPLICABLE], res.busy_mean > 0 ? res.busy_max / res.busy_mean : 1.0));
    if (count[ICL_STATUS_FAILED]) {
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: failed cells:\n%s", res.failures));
      *exit_status = 1;
    }
  }
  PetscCallMPI(MPI_Bcast(exit_status, 1, MPI_INT, 0, comm));
  PetscCall(ICLResultsDestroy(&res));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCommandPlan(MPI_Comm comm, int *exit_status)
{
  ICLSweep  sw;
  PetscBool help;
  PetscInt  ranks = 1;
  PetscReal gflops = 20.0, total = 0.0;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscOptionsBegin(comm, NULL, "iclsweep plan options", NULL);
  PetscCall(PetscOptionsInt("-ranks", "ranks the sweep will run on", NULL, ranks, &ranks, NULL));
  PetscCall(PetscOptionsReal("-plan_gflops", "sustained GFLOP/s per rank assumed for the wall-time estimate", NULL, gflops, &gflops, NULL));
  PetscOptionsEnd();
  PetscCheck(ranks >= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-ranks %d: need at least 1", (int)ranks);
  PetscCheck(gflops > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-plan_gflops %g: must be positive", (double)gflops);
  PetscCall(ReadSweep(comm, &sw, &help));
  if (help) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(comm, "sweep %s: family %s, %lld cells\n%-10s %14s %14s %14s\n", sw.fingerprint, sw.family, (long long)ICLGridSize(&sw), "model", "GFLOP/cell", "MB/rank (max)", "cells"));
  for (PetscInt m = 0; m < sw.nmodels; m++) {
    PetscReal flops = 0, mem = 0;
    PetscInt  n = 0;
    for (PetscInt64 c = 0; c < ICLGridSize(&sw); c++) {
      ICLCellIndex ix;
      ICLCell      cell;
      ICLGridIndex(&sw, c, &ix);
      if (ix.model != m || !ICLGridApplicable(&sw, &ix)) continue;
      ICLGridCell(&sw, &ix, &cell);
      flops += sw.types[m]->flops(&cell);
      mem = PetscMax(mem, sw.types[m]->memory(&cell));
      n++;
    }
    total += flops;
    PetscCall(PetscPrintf(comm, "%-10s %14.3g %14.1f %14d\n", sw.models[m], n ? flops / n / 1e9 : 0.0, mem / 1048576.0, (int)n));
  }
  PetscCall(PetscPrintf(comm, "total %.3g GFLOP; predicted wall time on %d ranks at %.0f GFLOP/s each: %.1f s\n", total / 1e9, (int)ranks, (double)gflops, total / 1e9 / gflops / ranks));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCommandStatus(MPI_Comm comm, const char *dir, int *exit_status)
{
  char           path[PETSC_MAX_PATH_LEN];
  int            ncid, var, status;
  size_t         n = 1, len;
  int            ndims, dims[NC_MAX_VAR_DIMS];
  unsigned char *flags;
  PetscInt64     count[5];

  PetscFunctionBegin;
  *exit_status = 0;
  PetscCheck(dir && dir[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "usage: iclsweep status DIR");
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/results.nc", dir));
  status = nc_open(path, NC_NOWRITE, &ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: %s; is %s an iclsweep output directory?", path, nc_strerror(status), dir);
  status = nc_inq_varid(ncid, "status", &var);
  if (status == NC_NOERR) status = nc_inq_var(ncid, var, NULL, NULL, &ndims, dims, NULL);
  for (int i = 0; status == NC_NOERR && i < ndims; i++) {
    status = nc_inq_dimlen(ncid, dims[i], &len);
    n *= len;
  }
  if (status != NC_NOERR) nc_close(ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s has no usable status variable (%s): not an iclsweep results file", path, nc_strerror(status));
  PetscCall(PetscMalloc1(n, &flags));
  status = nc_get_var_uchar(ncid, var, flags);
  nc_close(ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "reading status from %s: %s", path, nc_strerror(status));
  CountStatus(flags, (PetscInt64)n, count);
  PetscCall(PetscFree(flags));
  PetscCall(PetscPrintf(comm, "%s: %lld cells: %lld done, %lld pending, %lld failed, %lld diverged, %lld not applicable; ETA 0 s (complete)\n", path, (long long)n, (long long)count[ICL_STATUS_OK], (long long)count[ICL_STATUS_PENDING], (long long)count[ICL_STATUS_FAILED],
                        (long long)count[ICL_STATUS_DIVERGED], (long long)count[ICL_STATUS_NOT_APPLICABLE]));
  PetscFunctionReturn(0);
}
