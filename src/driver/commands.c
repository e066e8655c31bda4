#include "commands.h"

#include <unistd.h>

#include "error.h"
#include "output.h"
#include "runner.h"
#include "signals.h"

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

/* Memory a rank may use: the node's physical memory shared by the ranks on it. */
static PetscErrorCode MemoryPerRank(MPI_Comm comm, PetscReal *bytes)
{
  MPI_Comm    node;
  PetscMPIInt on_node;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  PetscCallMPI(MPI_Comm_size(node, &on_node));
  PetscCallMPI(MPI_Comm_free(&node));
  *bytes = (PetscReal)sysconf(_SC_PHYS_PAGES) * (PetscReal)sysconf(_SC_PAGESIZE) / on_node;
  PetscFunctionReturn(0);
}

/* Rank 0: check DIR, open its journal, load the finished cells. */
static PetscErrorCode Prepare(const ICLSweep *sw, ICLJournal *j, ICLResults *res, PetscBool *complete)
{
  PetscInt64 loaded, dropped, dups;

  PetscFunctionBegin;
  PetscCall(ICLOutputInspect(sw->output, sw->fingerprint, complete));
  PetscCall(ICLResultsCreate(sw, res));
  PetscCall(ICLJournalOpen(sw, j, res));
  ICLJournalCounts(*j, &loaded, &dropped, &dups);
  if (loaded) PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: resuming %s: %lld of %lld cells already done%s\n", sw->output, (long long)loaded, (long long)res->ncells, dropped ? " (damaged records dropped, see above)" : ""));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCommandRun(MPI_Comm comm, int argc, char **argv, int *exit_status)
{
  ICLSweep       sw;
  PetscBool      help, complete = PETSC_FALSE, interrupted;
  PetscMPIInt    rank;
  ICLProvenance  prov;
  ICLResults     res = {0};
  ICLJournal     journal = NULL;
  PetscReal      memory = 0;
  PetscInt64     pending = 0;
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(ReadSweep(comm, &sw, &help));
  if (help) PetscFunctionReturn(0);
  PetscCall(MemoryPerRank(comm, &memory));
  PetscCall(ICLGridCheckMemory(&sw, memory));
  PetscCall(ICLSignalsInstall(sw.drain_seconds));
  if (rank == 0) {
    ierr    = Prepare(&sw, &journal, &res, &complete);
    pending = ierr ? 0 : res.count[ICL_STATUS_PENDING];
  }
  PetscCall(ShareRootError(comm, ierr));
  PetscCallMPI(MPI_Bcast(&pending, 1, MPIU_INT64, 0, comm));
  PetscCallMPI(MPI_Bcast(&complete, 1, MPIU_BOOL, 0, comm));
  if (!pending && complete) {
    PetscCall(PetscPrintf(comm, "%s/results.nc already holds this sweep, complete; nothing to do.\n", sw.output));
    if (rank == 0) {
      PetscCall(ICLJournalClose(&journal));
      PetscCall(ICLResultsDestroy(&res));
    }
    PetscFunctionReturn(0);
  }
  PetscCall(ICLProvenanceCollect(comm, argc, argv, &prov));
  PetscCall(PetscPrintf(comm, "iclsweep: %lld cells, %lld to run (fingerprint %s) on %d ranks -> %s/results.nc\n", (long long)ICLGridSize(&sw), (long long)pending, sw.fingerprint, prov.ranks, sw.output));
  PetscCall(ICLRunSweep(comm, &sw, journal, &res, &interrupted));
  if (rank == 0) ierr = ICLOutputWrite(&sw, &res, &prov);
  PetscCall(ShareRootError(comm, ierr));
  if (rank == 0) {
    const PetscInt64 *n = res.count;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "iclsweep: wrote %s/results.nc: %lld ok, %lld diverged, %lld failed, %lld not applicable, %lld pending; load imbalance (max/mean busy) %.2f, dispatch %.2g ms/cell\n", sw.output, (long long)n[ICL_STATUS_OK], (long long)n[ICL_STATUS_DIVERGED],
                          (long long)n[ICL_STATUS_FAILED], (long long)n[ICL_STATUS_NOT_APPLICABLE], (long long)n[ICL_STATUS_PENDING], res.busy_mean > 0 ? res.busy_max / res.busy_mean : 1.0, 1e3 * res.overhead));
    if (n[ICL_STATUS_FAILED]) {
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: failed cells:\n%s", res.failures));
      *exit_status = 1;
    }
    if (n[ICL_STATUS_PENDING] && interrupted) {
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: interrupted by a signal; %lld cells pending. Run the same command again to resume.\n", (long long)n[ICL_STATUS_PENDING]));
      *exit_status = 3;
    }
    PetscCall(ICLJournalClose(&journal));
    PetscCall(ICLResultsDestroy(&res));
  }
  PetscCallMPI(MPI_Bcast(exit_status, 1, MPI_INT, 0, comm));
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
  PetscInt64 ncells, count[5], dropped, dups;
  double     wall;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscCheck(dir && dir[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "usage: iclsweep status DIR");
  PetscCall(ICLJournalScan(dir, &ncells, count, &wall, &dropped, &dups));
  const PetscInt64 finished = ncells - count[ICL_STATUS_PENDING];
  PetscCall(PetscPrintf(comm, "%s: %lld cells: %lld done (%lld ok, %lld diverged, %lld not applicable), %lld failed, %lld pending\n", dir, (long long)ncells, (long long)(count[ICL_STATUS_OK] + count[ICL_STATUS_DIVERGED] + count[ICL_STATUS_NOT_APPLICABLE]), (long long)count[ICL_STATUS_OK],
                        (long long)count[ICL_STATUS_DIVERGED], (long long)count[ICL_STATUS_NOT_APPLICABLE], (long long)count[ICL_STATUS_FAILED], (long long)count[ICL_STATUS_PENDING]));
  if (count[ICL_STATUS_PENDING]) PetscCall(PetscPrintf(comm, "ETA: %.0f rank-seconds at the mean time of the %lld finished cells (divide by the ranks you run on)\n", finished ? wall / finished * count[ICL_STATUS_PENDING] : 0.0, (long long)finished));
  else PetscCall(PetscPrintf(comm, "complete\n"));
  PetscCall(PetscPrintf(comm, "journal: %lld records, %lld dropped (damaged), %lld duplicates\n", (long long)(finished + dups), (long long)dropped, (long long)dups));
  PetscFunctionReturn(0);
}
