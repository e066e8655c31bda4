#include "commands.h"

#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "output.h"
#include "runner.h"
#include "replay.h"
#include "signals.h"
#include "train_method.h"
#include "unit.h"
#include "unused.h"

/* Rank 0 did something the others depend on: all ranks return its error code (only rank 0
 * holds the message; main() prints it there). */
static PetscErrorCode ShareRootError(MPI_Comm comm, PetscErrorCode ierr)
{
  PetscMPIInt code = (PetscMPIInt)ierr;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&code, 1, MPI_INT, 0, comm));
  PetscFunctionReturn((PetscErrorCode)code);
}

/* The sweep's options once more, for the names of the options it knows. */
static PetscErrorCode ReadAgain(void *ctx)
{
  ICLSweep *sw;
  PetscBool help;
  PetscFunctionBegin;
  PetscCall(PetscNew(&sw));
  (void)ICLSweepFromOptions(*(MPI_Comm *)ctx, sw, &help);
  PetscCall(PetscFree(sw));
  PetscFunctionReturn(0);
}

/* A sweep whose every cell is not applicable would run nothing and look like success. */
static PetscErrorCode CheckApplicable(const ICLSweep *sw)
{
  ICLCellIndex ix;
  PetscFunctionBegin;
  for (PetscInt64 c = 0; c < ICLGridSize(sw); c++) {
    ICLGridIndex(sw, c, &ix);
    if (ICLGridApplicable(sw, &ix)) PetscFunctionReturn(0);
  }
  SETERRQ(PETSC_COMM_SELF, ICL_ERR_INPUT, "no cell of this sweep applies: every k (smallest %d) exceeds every d (largest %d); give some k <= d", (int)sw->k[0], (int)sw->d[sw->nd - 1]);
}

static PetscErrorCode ReadSweep(MPI_Comm comm, ICLSweep *sw, PetscBool *help)
{
  PetscFunctionBegin;
  PetscCall(ICLSweepFromOptions(comm, sw, help));
  if (*help) PetscFunctionReturn(0);
  PetscCall(ICLOptionsCheckUnused(ReadAgain, &comm));
  PetscCall(ICLGridCheckExprs(sw));
  PetscCall(CheckApplicable(sw));
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

/* DIR/run: who runs in DIR, for `status` (which asks the journal's lock whether it still runs). */
static PetscErrorCode DescribeRun(const ICLSweep *sw, PetscMPIInt size)
{
  char   path[PETSC_MAX_PATH_LEN], host[256] = "?", when[64];
  time_t now = time(NULL);
  FILE  *f;

  PetscFunctionBegin;
  (void)gethostname(host, sizeof host);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/run", sw->output));
  f = fopen(path, "w");
  PetscCheck(f, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", path, strerror(errno));
  fprintf(f, "%d ranks, started %s on %s (pid %ld)\n", size, when, host, (long)getpid());
  PetscCheck(fclose(f) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s: %s", path, strerror(errno));
  PetscFunctionReturn(0);
}

/* -retry failed|diverged|failed,diverged: the statuses whose cells run again, as a bit mask. */
static PetscErrorCode ReadRetry(MPI_Comm comm, unsigned *mask)
{
  char     *names[2];
  PetscInt  n = 2;
  PetscBool set;

  PetscFunctionBegin;
  *mask = 0;
  PetscOptionsBegin(comm, NULL, "iclsweep run options", NULL);
  PetscCall(PetscOptionsStringArray("-retry", "run these cells of DIR again: failed, diverged or failed,diverged", NULL, names, &n, &set));
  PetscOptionsEnd();
  for (PetscInt i = 0; set && i < n; i++) {
    static const char *const choices[] = {"failed", "diverged"};
    static const ICLStatus   status[]  = {ICL_STATUS_FAILED, ICL_STATUS_DIVERGED};
    PetscInt                 c;
    PetscBool                known;
    PetscCall(PetscEListFind(2, choices, names[i], &c, &known));
    PetscCheck(known, PETSC_COMM_SELF, ICL_ERR_INPUT, "-retry %s: unknown; use failed, diverged or failed,diverged", names[i]);
    *mask |= 1u << status[c];
    PetscCall(PetscFree(names[i]));
  }
  PetscFunctionReturn(0);
}

/* Rank 0: check DIR, open its journal, load the finished cells, forget those to retry. */
static PetscErrorCode Prepare(const ICLSweep *sw, unsigned retry, ICLJournal *j, ICLResults *res, PetscBool *complete)
{
  PetscInt64 loaded, dropped, dups, again;

  PetscFunctionBegin;
  PetscCall(ICLOutputInspect(sw, sw->output, complete));
  PetscCall(ICLResultsCreate(sw, res));
  PetscCall(ICLJournalOpen(sw, j, res));
  ICLJournalCounts(*j, &loaded, &dropped, &dups);
  if (loaded) PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: resuming %s: %lld of %lld cells already done%s\n", sw->output, (long long)loaded, (long long)res->ncells, dropped ? " (damaged records dropped, see above)" : ""));
  PetscCall(ICLJournalRetry(sw, *j, retry, res, &again));
  if (again) PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: -retry: %lld cells run again\n", (long long)again));
  PetscFunctionReturn(0);
}

/* Rank 0: exit status 1 whenever a cell failed or diverged, with the way to rerun them. */
static int BadCells(const ICLSweep *sw, const ICLResults *res, const char *how)
{
  const PetscInt64 failed = res->count[ICL_STATUS_FAILED], diverged = res->count[ICL_STATUS_DIVERGED];
  if (!failed && !diverged) return 0;
  (void)PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: %lld failed and %lld diverged cells (listed in the failures attribute of %s/results.nc); after fixing the cause, %s with -retry %s to run them again\n", (long long)failed, (long long)diverged,
                     sw->output, how,
                     failed && diverged ? "failed,diverged"
                     : failed           ? "failed"
                                        : "diverged");
  return 1;
}

PetscErrorCode ICLCommandRun(MPI_Comm comm, int argc, char **argv, int *exit_status)
{
  ICLSweep       sw;
  PetscBool      help, complete = PETSC_FALSE, interrupted;
  PetscMPIInt    rank;
  ICLProvenance  prov;
  ICLResults     res = {0};
  ICLJournal     journal = NULL;
  unsigned       retry;
  PetscReal      memory = 0;
  PetscInt64     pending = 0;
  PetscErrorCode ierr = 0;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(ReadRetry(comm, &retry));
  PetscCall(ReadSweep(comm, &sw, &help));
  if (help) PetscFunctionReturn(0);
  {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(comm, &size));
    PetscCheck(size % sw.group_size == 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-group_size %d does not divide the %d ranks; use a divisor of the rank count", (int)sw.group_size, size);
  }
  PetscCall(MemoryPerRank(comm, &memory));
  PetscCall(ICLGridCheckMemory(&sw, memory));
  PetscCall(ICLSignalsInstall(sw.drain_seconds));
  if (rank == 0) {
    ierr    = Prepare(&sw, retry, &journal, &res, &complete);
    pending = ierr ? 0 : res.todo;
  }
  PetscCall(ShareRootError(comm, ierr));
  PetscCallMPI(MPI_Bcast(&pending, 1, MPIU_INT64, 0, comm));
  PetscCallMPI(MPI_Bcast(&complete, 1, MPIU_BOOL, 0, comm));
  if (!pending && complete) {
    PetscCall(PetscPrintf(comm, "%s/results.nc already holds this sweep, complete; nothing to do.\n", sw.output));
    if (rank == 0) {
      *exit_status = BadCells(&sw, &res, "run the same command");
      PetscCall(ICLJournalClose(&journal));
      PetscCall(ICLResultsDestroy(&res));
    }
    PetscCallMPI(MPI_Bcast(exit_status, 1, MPI_INT, 0, comm));
    PetscFunctionReturn(0);
  }
  if (rank == 0) {
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(comm, &size));
    ierr = DescribeRun(&sw, size);
  }
  PetscCall(ShareRootError(comm, ierr));
  PetscCall(ICLProvenanceCollect(comm, argc, argv, &prov));
  PetscCall(PetscPrintf(comm, "iclsweep: %lld cells, %lld to run (fingerprint %s) on %d ranks -> %s/results.nc\n", (long long)ICLGridSize(&sw), (long long)pending, sw.fingerprint, prov.ranks, sw.output));
  PetscCall(ICLRunSweep(comm, &sw, journal, &res, &prov, &interrupted));
  if (rank == 0) ierr = ICLOutputWrite(&sw, &res, &prov);
  PetscCall(ShareRootError(comm, ierr));
  if (rank == 0) {
    const PetscInt64 *n = res.count;
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "iclsweep: wrote %s/results.nc: %lld ok, %lld diverged, %lld failed, %lld not applicable, %lld pending; load imbalance (max/mean busy) %.2f, "
                          "busy fraction of all cores %.2f (%.3g core-s lent to cells), dispatch %.2g ms/cell\n",
                          sw.output, (long long)n[ICL_STATUS_OK], (long long)n[ICL_STATUS_DIVERGED], (long long)n[ICL_STATUS_FAILED], (long long)n[ICL_STATUS_NOT_APPLICABLE], (long long)n[ICL_STATUS_PENDING],
                          res.busy_mean > 0 ? res.busy_max / res.busy_mean : 1.0, res.busy_fraction, res.lent_seconds, 1e3 * res.overhead));
    if (n[ICL_STATUS_FAILED] || n[ICL_STATUS_DIVERGED]) PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: failed and diverged cells:\n%s", res.failures.text));
    *exit_status = BadCells(&sw, &res, "run the same command");
    if (res.todo && interrupted) {
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "iclsweep: interrupted by a signal; %lld cells pending. Run the same command again to resume.\n", (long long)res.todo));
      *exit_status = 3;
    }
    PetscCall(ICLJournalClose(&journal));
    PetscCall(ICLResultsDestroy(&res));
  }
  PetscCallMPI(MPI_Bcast(exit_status, 1, MPI_INT, 0, comm));
  PetscFunctionReturn(0);
}

/* plan's lines on nodes and their memory; exit status 1 when a cell does not fit one node. */
static PetscErrorCode PlanNodes(MPI_Comm comm, const ICLSweep *sw, PetscInt ranks, PetscReal node_gb, const ICLNodeFit *fit, int *exit_status)
{
  const ICLCellIndex *ix = &fit->largest;

  PetscFunctionBegin;
  PetscCall(PetscPrintf(comm, "nodes: %d ranks, %d per node: %d node%s; a group of %d rank%s spans %d node%s\n", (int)ranks, (int)fit->per_node, (int)fit->nodes, fit->nodes > 1 ? "s" : "", (int)sw->group_size, sw->group_size > 1 ? "s" : "",
                        (int)fit->group_nodes, fit->group_nodes > 1 ? "s" : ""));
  if (fit->too_big) {
    PetscCall(PetscPrintf(comm, "WILL NOT FIT: %lld cells need more than one node's %.3g GB, e.g. model %s, d = %d, k = %d, N = %d: %.3g GB per rank x %d ranks per node = %.3g GB; %s, or place fewer ranks per node\n", (long long)fit->too_big,
                          (double)node_gb, sw->models[ix->model], (int)sw->d[ix->d], (int)sw->k[ix->k], (int)sw->N[ix->N], fit->rank_peak / 1e9, (int)fit->per_node, fit->node_peak / 1e9, ICLGridMemoryHint(sw, ix)));
    *exit_status = 1;
  } else
    PetscCall(PetscPrintf(comm, "memory: %.3g GB per node at most (%d ranks x %.3g GB, the largest cell at group size %d) of the node's %.1f GB: every cell fits\n", fit->node_peak / 1e9, (int)fit->per_node, fit->rank_peak / 1e9, (int)sw->group_size,
                          (double)node_gb));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCommandPlan(MPI_Comm comm, int *exit_status)
{
  ICLSweep  sw;
  PetscBool help;
  PetscInt  ranks = 1, per_node = 0;
  PetscReal gflops = 20.0, total = 0.0, node_gb = (PetscReal)sysconf(_SC_PHYS_PAGES) * (PetscReal)sysconf(_SC_PAGESIZE) / 1e9;
  ICLNodeFit fit;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscOptionsBegin(comm, NULL, "iclsweep plan options", NULL);
  PetscCall(PetscOptionsInt("-ranks", "ranks the sweep will run on", NULL, ranks, &ranks, NULL));
  PetscCall(PetscOptionsReal("-plan_gflops", "sustained GFLOP/s per rank assumed for the wall-time estimate", NULL, gflops, &gflops, NULL));
  PetscCall(PetscOptionsInt("-ranks_per_node", "ranks on each node, sharing its memory (Slurm's --ntasks-per-node; default: min(ranks, this machine's cores))", NULL, per_node, &per_node, NULL));
  PetscCall(PetscOptionsReal("-node_memory", "memory of one node in GB, 1e9 bytes (what a job may use of it, e.g. Slurm's --mem; default: this machine's)", NULL, node_gb, &node_gb, NULL));
  PetscOptionsEnd();
  if (per_node <= 0) per_node = PetscMin(ranks, (PetscInt)sysconf(_SC_NPROCESSORS_ONLN));
  PetscCheck(node_gb > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-node_memory %g: must be positive (GB)", (double)node_gb);
  PetscCheck(ranks >= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-ranks %d: need at least 1", (int)ranks);
  PetscCheck(gflops > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-plan_gflops %g: must be positive", (double)gflops);
  PetscCall(ReadSweep(comm, &sw, &help));
  if (help) PetscFunctionReturn(0);
  PetscCall(PetscPrintf(comm, "sweep %s: family %s, %lld cells\n%-10s %14s %14s %14s %14s  %s\n", sw.fingerprint, sw.family, (long long)ICLGridSize(&sw), "model", "GFLOP/cell", "MB/rank (max)", "cells", "time (1 rank)", "training"));
  for (PetscInt m = 0; m < sw.nmodels; m++) {
    PetscReal flops = 0, cost = 0, mem = 0;
    PetscInt  n = 0, gram = 0, wfree = 0, shared = 0, runs = 0, methods[ICL_MAX_TRAIN_METHODS] = {0};
    char      training[128] = "-";
    for (PetscInt64 c = 0; c < ICLGridSize(&sw); c++) {
      ICLCellIndex ix;
      ICLCell      cell;
      ICLGridIndex(&sw, c, &ix);
      if (ix.model != m || !ICLGridApplicable(&sw, &ix)) continue;
      ICLGridCell(&sw, &ix, &cell);
      const PetscReal need = sw.types[m]->memory(&cell, sw.group_size);
      if (sw.types[m]->train_method) methods[ICLTrainMethodIndex(sw.types[m]->train_method(&cell))]++;
      if (sw.types[m]->engine) gram += sw.types[m]->engine(&cell) == ICL_ENGINE_GRAM, wfree += sw.types[m]->engine(&cell) == ICL_ENGINE_WFREE;
      PetscReal      share;
      PetscInt64     unit[ICL_MAX_UNIT];
      const PetscInt size = ICLUnitCells(&sw, c, unit);
      PetscCall(ICLUnitFlops(&sw, c, &share)); /* a shared run counts once (docs/budget.md) */
      cost += share;
      flops += share * ICLModelEfficiency(sw.types[m], &cell);
      if (size > 1) shared++, runs += unit[0] == c;
      mem = PetscMax(mem, need);
      n++;
    }
    total += cost;
    /* the method each cell trains with (auto resolved), e.g. "gd 12, dual 4" */
    size_t at = 0;
    for (PetscInt k = 0; k < ICLTrainMethodCount(); k++)
      if (methods[k]) {
        PetscCall(PetscSNPrintf(training + at, sizeof training - at, "%s%s %d", at ? ", " : "", ICLTrainMethodAt(k)->name, (int)methods[k]));
        PetscCall(PetscStrlen(training, &at));
      }
    /* cells the gram engine runs (auto resolved), docs/engines.md */
    if (gram) PetscCall(PetscSNPrintf(training + at, sizeof training - at, "; engine gram %d", (int)gram));
    PetscCall(PetscStrlen(training, &at));
    if (wfree) PetscCall(PetscSNPrintf(training + at, sizeof training - at, "; engine wfree %d", (int)wfree));
    PetscCall(PetscStrlen(training, &at));
    /* cells that share a training run (checkpoints in T, step sizes on one K) */
    if (shared) PetscCall(PetscSNPrintf(training + at, sizeof training - at, "; %d cells from %d shared runs", (int)shared, (int)runs));
    PetscCall(PetscPrintf(comm, "%-10s %14.3g %14.1f %14d %12.3g s  %s\n", sw.models[m], n ? flops / n / 1e9 : 0.0, mem / 1048576.0, (int)n, cost / 1e9 / gflops, training));
  }
  PetscCall(ICLGridNodeFit(&sw, ranks, per_node, node_gb * 1e9, &fit));
  PetscCall(PlanNodes(comm, &sw, ranks, node_gb, &fit, exit_status));
  /* time: flops over each model's efficiency (docs/performance.md), at the BLAS-3 rate */
  PetscCall(PetscPrintf(comm, "total %.3g GFLOP at the BLAS-3 rate; predicted wall time on %d ranks at %.0f GFLOP/s each: %.1f s\n", total / 1e9, (int)ranks, (double)gflops, total / 1e9 / gflops / ranks));
  PetscFunctionReturn(0);
}

/* The sweep that DIR/results.nc records (every option, one a line), with -output set to output:
 * PETSc reads the options as if given. */
static PetscErrorCode SweepOf(MPI_Comm comm, const char *dir, const char *output, ICLSweep *sw)
{
  char      options[16384], fingerprint[17];
  PetscBool help;

  PetscFunctionBegin;
  PetscCall(ICLOutputReadOptions(dir, options, sizeof options, fingerprint));
  /* PETSc wants one option a line, and the recorded -output may not be ours */
  for (char *line = options, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    if (strncmp(line, "-output ", 8)) PetscCall(PetscOptionsInsertString(NULL, line));
  }
  PetscCall(PetscOptionsSetValue(NULL, "-output", output));
  PetscCall(ReadSweep(comm, sw, &help));
  PetscCheck(!strcmp(sw->fingerprint, fingerprint), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s/results.nc's options do not reproduce its fingerprint (%s vs %s): written by another iclsweep version?", dir, sw->fingerprint, fingerprint);
  PetscFunctionReturn(0);
}

/* What `status` learns from a journal: each cell's first record. */
typedef struct {
  unsigned char *seen; /* status of the cell's first record; 0: none (pending) */
  PetscInt64     count[5], duplicates;
  double         wall;
} Tally;

static PetscErrorCode TallyRecord(const ICLRecord *rec, void *ctx)
{
  Tally *t = ctx;
  PetscFunctionBegin;
  if (t->seen[rec->cell]) t->duplicates++;
  else {
    t->seen[rec->cell] = (unsigned char)rec->status;
    t->count[rec->status]++;
    t->wall += rec->wall;
  }
  PetscFunctionReturn(0);
}

/* status -cells: the cells of the wanted statuses by their coordinates, with their messages. */
typedef struct {
  const ICLSweep      *sw;
  unsigned             mask;
  const unsigned char *first;
  unsigned char       *listed;
} Lister;

static const char *const status_names[] = {"pending", "ok", "diverged", "failed", "not_applicable"};

static PetscErrorCode ListRecord(const ICLRecord *rec, void *ctx)
{
  Lister *l = ctx;
  char    name[512];
  PetscFunctionBegin;
  if (!(l->mask >> rec->status & 1u) || l->listed[rec->cell] || l->first[rec->cell] != rec->status) PetscFunctionReturn(0);
  l->listed[rec->cell] = 1;
  PetscCall(ICLCellName(l->sw, rec->cell, name, sizeof name));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%-8s %s%s%s\n", status_names[rec->status], name, rec->message[0] ? ": " : "", rec->message));
  PetscFunctionReturn(0);
}

static PetscErrorCode ListCells(MPI_Comm comm, const char *dir, const char *which, const unsigned char *first, PetscInt64 ncells)
{
  ICLSweep      *sw;
  Lister         l = {.first = first};
  ICLJournalInfo info;
  char           name[512];

  PetscFunctionBegin;
  if (!strcmp(which, "all")) l.mask = 0x1f;
  else
    for (unsigned s = 0; s < 5 && !l.mask; s++) l.mask = strcmp(which, status_names[s]) ? 0 : 1u << s;
  PetscCheck(l.mask, PETSC_COMM_SELF, ICL_ERR_INPUT, "-cells %s: unknown; use failed, diverged, pending, ok, not_applicable or all", which);
  PetscCall(PetscNew(&sw));
  PetscCall(SweepOf(comm, dir, dir, sw));
  PetscCheck(ICLGridSize(sw) == ncells, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s/results.nc and %s/journal hold different sweeps", dir, dir);
  l.sw = sw;
  PetscCall(PetscCalloc1(ncells, &l.listed));
  PetscCall(ICLJournalForEach(dir, &info, ListRecord, &l));
  for (PetscInt64 c = 0; c < ncells && (l.mask & 1u); c++)
    if (!first[c]) {
      PetscCall(ICLCellName(sw, c, name, sizeof name));
      PetscCall(PetscPrintf(PETSC_COMM_SELF, "%-8s %s\n", status_names[0], name));
    }
  PetscCall(PetscFree(l.listed));
  PetscCall(PetscFree(sw));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCommandStatus(MPI_Comm comm, const char *dir, int *exit_status)
{
  ICLJournalInfo info;
  Tally          t = {0};
  char           cells[32] = "";
  PetscErrorCode ierr;

  PetscFunctionBegin;
  *exit_status = 0;
  PetscCheck(dir && dir[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "usage: iclsweep status DIR [-cells failed|diverged|pending|ok|not_applicable|all]");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-cells", cells, sizeof cells, NULL));
  {
    /* The grid size is in the journal's header: read it first for the tally's bitmap. */
    char       fp[17], cell_fp[17];
    PetscBool  exists;
    PetscInt64 ncells;
    PetscCall(ICLJournalPeek(dir, &exists, fp, cell_fp, &ncells));
    PetscCheck(exists, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s/journal not found; is %s an iclsweep output directory?", dir, dir);
    PetscCall(PetscCalloc1(PetscMax(ncells, 1), &t.seen));
  }
  if (!cells[0]) { /* a listing is the cells only, for scripts */
    PetscBool active;
    char      path[PETSC_MAX_PATH_LEN], run[512] = "";
    FILE     *f;
    PetscCall(ICLJournalActive(dir, &active));
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/run", dir));
    if ((f = fopen(path, "r"))) {
      if (!fgets(run, sizeof run, f)) run[0] = 0;
      fclose(f);
    }
    run[strcspn(run, "\n")] = 0;
    PetscCall(PetscPrintf(comm, "%s: %s%s%s\n", dir, active ? "a run is active" : "no run is active", run[0] ? (active ? ": " : "; the last one: ") : "", run));
  }
  PetscCall(ICLJournalForEach(dir, &info, TallyRecord, &t));
  if (cells[0]) {
    ierr = ListCells(comm, dir, cells, t.seen, info.ncells);
    PetscCall(PetscFree(t.seen));
    PetscCall(ierr);
    PetscFunctionReturn(0);
  }
  PetscCall(PetscFree(t.seen));
  const PetscInt64 pending = info.ncells - t.count[1] - t.count[2] - t.count[3] - t.count[4], done = info.ncells - pending;
  t.count[ICL_STATUS_PENDING] = pending;
  PetscCall(PetscPrintf(comm, "%s: %lld cells: %lld done (%lld ok, %lld diverged, %lld not applicable), %lld failed, %lld pending%s\n", dir, (long long)info.ncells,
                        (long long)(t.count[ICL_STATUS_OK] + t.count[ICL_STATUS_DIVERGED] + t.count[ICL_STATUS_NOT_APPLICABLE]), (long long)t.count[ICL_STATUS_OK], (long long)t.count[ICL_STATUS_DIVERGED],
                        (long long)t.count[ICL_STATUS_NOT_APPLICABLE], (long long)t.count[ICL_STATUS_FAILED], (long long)t.count[ICL_STATUS_PENDING], info.num_shards > 1 ? " (this is one shard: other shards' cells count as pending)" : ""));
  if (t.count[ICL_STATUS_PENDING]) PetscCall(PetscPrintf(comm, "ETA: %.0f rank-seconds at the mean time of the %lld finished cells (divide by the ranks you run on)\n", done ? t.wall / done * t.count[ICL_STATUS_PENDING] : 0.0, (long long)done));
  else PetscCall(PetscPrintf(comm, "complete\n"));
  PetscCall(PetscPrintf(comm, "journal: %lld records, %lld dropped (damaged), %lld duplicates\n", (long long)(done + t.duplicates), (long long)info.dropped, (long long)t.duplicates));
  {
    char        path[PETSC_MAX_PATH_LEN];
    struct stat st;
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/partial.nc", dir));
    if (!stat(path, &st)) PetscCall(PetscPrintf(comm, "partial results: %s, written %.0f s ago (refreshed during a run, every -partial_interval s)\n", path, difftime(time(NULL), st.st_mtime)));
  }
  PetscFunctionReturn(0);
}

/* Merge: every part's journal records go into DIR's journal, then DIR/results.nc. */
typedef struct {
  ICLJournal  journal;
  ICLResults *out;
} MergeTarget;

static PetscErrorCode AppendNew(const ICLRecord *rec, void *ctx)
{
  MergeTarget *t = ctx;
  PetscFunctionBegin;
  if (t->out->status[rec->cell] == ICL_STATUS_PENDING) PetscCall(ICLJournalAppend(t->journal, rec, t->out));
  PetscFunctionReturn(0);
}

/* Every part must be a shard of this sweep, split the same way, and each shard given once. */
static PetscErrorCode CheckParts(const ICLSweep *sw, PetscInt nparts, char **parts)
{
  ICLJournalInfo info, first;

  PetscFunctionBegin;
  for (PetscInt p = 0; p < nparts; p++) {
    PetscCall(ICLJournalForEach(parts[p], &info, NULL, NULL));
    PetscCheck(!strcmp(info.fingerprint, sw->fingerprint), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s holds a different sweep (fingerprint %s) from %s (%s); merge parts of one sweep only", parts[p], info.fingerprint, parts[0], sw->fingerprint);
    if (p == 0) first = info;
    PetscCheck(info.num_shards == first.num_shards, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s is a shard of %d, %s of %d: merge parts of one split only", parts[p], (int)info.num_shards, parts[0], (int)first.num_shards);
    for (PetscInt q = 0; q < p; q++) {
      char a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN];
      ICLJournalInfo other;
      PetscCheck(realpath(parts[p], a) && realpath(parts[q], b), PETSC_COMM_SELF, ICL_ERR_INPUT, "cannot resolve %s or %s", parts[p], parts[q]);
      PetscCheck(strcmp(a, b), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s is given twice; give each part once", parts[p]);
      PetscCall(ICLJournalForEach(parts[q], &other, NULL, NULL));
      PetscCheck(other.shard != info.shard, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s and %s are both shard %d of %d; give each shard once", parts[q], parts[p], (int)info.shard, (int)info.num_shards);
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Merge(MPI_Comm comm, int argc, char **argv, PetscInt nparts, char **parts, int *exit_status)
{
  char          output[PETSC_MAX_PATH_LEN] = "";
  PetscBool     set, allow = PETSC_FALSE, complete;
  ICLSweep      sw;
  ICLResults    out = {0};
  ICLProvenance prov;
  MergeTarget   target;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-output", output, sizeof output, &set));
  PetscCheck(set && output[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "usage: iclsweep merge -output DIR PART_DIR... [-allow_incomplete]");
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-allow_incomplete", &allow, NULL));
  PetscCheck(nparts > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "merge needs at least one PART_DIR after -output DIR");
  /* The sweep is the one the first part ran: its results.nc records every option. */
  PetscCall(SweepOf(comm, parts[0], output, &sw));
  PetscCall(CheckParts(&sw, nparts, parts));
  {
    /* Missing cells are found before DIR is touched. */
    Tally      t = {0};
    PetscInt64 c = 0, missing;
    PetscCall(PetscCalloc1(ICLGridSize(&sw), &t.seen));
    for (PetscInt p = 0; p < nparts; p++) {
      ICLJournalInfo info;
      PetscCall(ICLJournalForEach(parts[p], &info, TallyRecord, &t));
    }
    missing = ICLGridSize(&sw) - t.count[1] - t.count[2] - t.count[3] - t.count[4];
    while (missing && t.seen[c]) c++;
    PetscCall(PetscFree(t.seen));
    if (missing && !allow) {
      ICLCellIndex ix;
      ICLGridIndex(&sw, c, &ix);
      SETERRQ(PETSC_COMM_SELF, ICL_ERR_INPUT, "%lld of %lld cells are in none of the parts (e.g. model %s, d = %d, k = %d, N = %d, R = %g, replicate %d); finish or add the missing parts, or pass -allow_incomplete to write them as pending",
              (long long)missing, (long long)ICLGridSize(&sw), sw.models[ix.model], (int)sw.d[ix.d], (int)sw.k[ix.k], (int)sw.N[ix.N], (double)sw.R[ix.R], (int)ix.rep);
    }
  }
  PetscCall(ICLOutputInspect(&sw, output, &complete));
  PetscCall(ICLResultsCreate(&sw, &out));
  PetscCall(ICLJournalOpen(&sw, &target.journal, &out));
  target.out = &out;
  for (PetscInt p = 0; p < nparts; p++) {
    ICLJournalInfo info;
    PetscCall(ICLJournalForEach(parts[p], &info, AppendNew, &target));
  }
  PetscCall(ICLJournalSync(target.journal));
  PetscCall(ICLProvenanceCollect(comm, argc, argv, &prov));
  PetscCall(ICLOutputWrite(&sw, &out, &prov));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "iclsweep: merged %d parts into %s/results.nc: %lld ok, %lld diverged, %lld failed, %lld not applicable, %lld pending\n", (int)nparts, output, (long long)out.count[ICL_STATUS_OK],
                        (long long)out.count[ICL_STATUS_DIVERGED], (long long)out.count[ICL_STATUS_FAILED], (long long)out.count[ICL_STATUS_NOT_APPLICABLE], (long long)out.count[ICL_STATUS_PENDING]));
  *exit_status = BadCells(&sw, &out, "run the parts that hold them");
  PetscCall(ICLJournalClose(&target.journal));
  PetscCall(ICLResultsDestroy(&out));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCommandMerge(MPI_Comm comm, int argc, char **argv, PetscInt nparts, char **parts, int *exit_status)
{
  PetscMPIInt size;
  PetscFunctionBegin;
  *exit_status = 0;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(size == 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "merge runs as one process: start it without mpiexec");
  PetscCall(Merge(comm, argc, argv, nparts, parts, exit_status));
  PetscFunctionReturn(0);
}
