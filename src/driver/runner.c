#include "runner.h"

#include "error.h"

/* One cell's result as it travels to rank 0, followed by 2 nM doubles (errors, SEs). */
typedef struct {
  PetscInt64 cell;
  PetscInt   status, steps;
  PetscReal  train_loss, alignment, wall, flops;
  char       message[192];
} Record;

static size_t RecordSize(PetscInt nM) { return sizeof(Record) + 2 * sizeof(PetscReal) * (size_t)nM; }

/* Largest first onto the least-loaded rank: the same answer on every rank, no messages. */
static PetscErrorCode Assign(const ICLSweep *sw, PetscMPIInt size, PetscInt64 ncells, PetscMPIInt *owner, PetscInt64 *order)
{
  PetscReal *cost, *load;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(ncells, &cost));
  PetscCall(PetscCalloc1(size, &load));
  for (PetscInt64 c = 0; c < ncells; c++) {
    cost[c]  = ICLGridFlops(sw, c);
    order[c] = c;
  }
  /* by cost, descending */
  {
    PetscReal *key;
    PetscInt  *perm;
    PetscCall(PetscMalloc2(ncells, &key, ncells, &perm));
    for (PetscInt64 c = 0; c < ncells; c++) key[c] = -cost[c], perm[c] = (PetscInt)c;
    PetscCall(PetscSortRealWithPermutation((PetscInt)ncells, key, perm));
    for (PetscInt64 c = 0; c < ncells; c++) order[c] = perm[c];
    PetscCall(PetscFree2(key, perm));
  }
  for (PetscInt64 i = 0; i < ncells; i++) {
    PetscMPIInt best = 0;
    for (PetscMPIInt r = 1; r < size; r++)
      if (load[r] < load[best]) best = r;
    owner[order[i]] = best;
    load[best] += cost[order[i]] + 1e6; /* a per-cell constant keeps cheap cells spread */
  }
  PetscCall(PetscFree(cost));
  PetscCall(PetscFree(load));
  PetscFunctionReturn(0);
}

static PetscErrorCode RunCell(const ICLSweep *sw, PetscInt64 c, Record *rec, PetscReal *err, PetscReal *se)
{
  ICLCellIndex  ix;
  ICLCell       cell;
  ICLCellResult res;
  double        t0 = MPI_Wtime();

  PetscFunctionBegin;
  ICLGridIndex(sw, c, &ix);
  ICLGridCell(sw, &ix, &cell);
  for (PetscInt a = 0; a < sw->nM; a++) err[a] = se[a] = NAN;
  res = (ICLCellResult){.status = ICL_STATUS_NOT_APPLICABLE, .train_loss = NAN, .alignment = NAN, .test_error = err, .test_error_se = se};
  if (ICLGridApplicable(sw, &ix)) {
    PetscErrorCode ierr;
    ICLErrorClear();
    ierr = sw->types[ix.model]->run(&cell, &res);
    if (ierr) {
      /* One cell's error fails that cell only; the sweep goes on. */
      res.status = ICL_STATUS_FAILED;
      PetscCall(PetscSNPrintf(res.message, sizeof res.message, "%s", ICLErrorMessage()));
      for (PetscInt a = 0; a < sw->nM; a++) err[a] = se[a] = NAN;
    }
  }
  *rec = (Record){.cell = c, .status = res.status, .steps = res.steps, .train_loss = res.train_loss, .alignment = res.alignment, .wall = MPI_Wtime() - t0, .flops = res.flops};
  PetscCall(PetscStrncpy(rec->message, res.message, sizeof rec->message));
  PetscFunctionReturn(0);
}

/* Every rank learns whether any rank failed (HPL-style agreement), so none waits forever in a
 * collective that a failed rank will never enter. */
static PetscErrorCode Agree(MPI_Comm comm, PetscErrorCode local)
{
  PetscMPIInt mine = (PetscMPIInt)local, worst;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(worst == 0, PETSC_COMM_SELF, worst, "%s", local ? ICLErrorMessage() : "another rank failed while running the sweep; see its message");
  PetscFunctionReturn(0);
}

static PetscErrorCode RunOwnCells(MPI_Comm comm, const ICLSweep *sw, char **buf, PetscMPIInt *nmine, PetscReal *busy)
{
  const PetscInt64 ncells = ICLGridSize(sw);
  const size_t     rsize  = RecordSize(sw->nM);
  PetscMPIInt      rank, size;
  PetscMPIInt     *owner;
  PetscInt64      *order;
  double           t0 = MPI_Wtime();

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscMalloc2(ncells, &owner, ncells, &order));
  PetscCall(Assign(sw, size, ncells, owner, order));
  *nmine = 0;
  for (PetscInt64 c = 0; c < ncells; c++) *nmine += owner[c] == rank;
  PetscCall(PetscMalloc1(rsize * (size_t)PetscMax(*nmine, 1), buf));
  for (PetscInt64 i = 0, done = 0; i < ncells; i++) {
    const PetscInt64 c = order[i];
    if (owner[c] != rank) continue;
    char *r = *buf + rsize * (size_t)done;
    PetscCall(RunCell(sw, c, (Record *)r, (PetscReal *)(r + sizeof(Record)), (PetscReal *)(r + sizeof(Record)) + sw->nM));
    done++;
    if (rank == 0) {
      const double el = MPI_Wtime() - t0;
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, stderr, "[iclsweep] rank 0: %d/%d of its cells, %.1f s, ETA %.0f s\n", (int)done, (int)*nmine, el, el / done * (*nmine - done)));
    }
  }
  *busy = MPI_Wtime() - t0;
  PetscCall(PetscFree2(owner, order));
  PetscFunctionReturn(0);
}

static PetscErrorCode Unpack(const ICLSweep *sw, const char *all, PetscInt64 n, ICLResults *res)
{
  const size_t rsize = RecordSize(sw->nM);
  size_t       flen  = 0, fused = 0;

  PetscFunctionBegin;
  for (PetscInt64 i = 0; i < n; i++) {
    const Record    *r  = (const Record *)(all + rsize * (size_t)i);
    const PetscReal *ev = (const PetscReal *)(all + rsize * (size_t)i + sizeof(Record));
    const PetscInt64 c  = r->cell;
    res->status[c]      = (unsigned char)r->status;
    res->train_loss[c]  = r->train_loss;
    res->alignment[c]   = r->alignment;
    res->wall[c]        = r->wall;
    res->flops[c]       = r->flops;
    PetscCall(PetscArraycpy(res->test_error + c * sw->nM, ev, sw->nM));
    PetscCall(PetscArraycpy(res->test_error_se + c * sw->nM, ev + sw->nM, sw->nM));
    if (r->message[0]) flen += strlen(r->message) + 64;
  }
  PetscCall(PetscCalloc1(flen + 1, &res->failures));
  for (PetscInt64 i = 0; i < n; i++) {
    const Record *r = (const Record *)(all + rsize * (size_t)i);
    if (r->message[0]) fused += (size_t)snprintf(res->failures + fused, flen + 1 - fused, "cell %lld: %s\n", (long long)r->cell, r->message);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLRunSweep(MPI_Comm comm, const ICLSweep *sw, ICLResults *res)
{
  const PetscInt64 ncells = ICLGridSize(sw);
  const size_t     rsize  = RecordSize(sw->nM);
  PetscMPIInt      rank, size, nmine = 0, *counts = NULL, *displs = NULL;
  char            *mine = NULL, *all = NULL;
  PetscReal        busy = 0, busy_max, busy_sum;
  PetscErrorCode   ierr;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(res, sizeof *res));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(ncells * (PetscInt64)rsize < 2000000000LL, PETSC_COMM_SELF, ICL_ERR_INPUT, "the sweep has %lld cells, too many for one run; split it with -shard/-num_shards", (long long)ncells);
  ierr = RunOwnCells(comm, sw, &mine, &nmine, &busy);
  PetscCall(Agree(comm, ierr));

  PetscCallMPI(MPI_Allreduce(&busy, &busy_max, 1, MPIU_REAL, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(&busy, &busy_sum, 1, MPIU_REAL, MPI_SUM, comm));
  if (rank == 0) {
    PetscCall(PetscMalloc2(size, &counts, size, &displs));
    PetscCall(PetscMalloc1(rsize * (size_t)ncells, &all));
  }
  {
    const PetscMPIInt bytes = (PetscMPIInt)(rsize * (size_t)nmine);
    PetscCallMPI(MPI_Gather(&bytes, 1, MPI_INT, counts, 1, MPI_INT, 0, comm));
    if (rank == 0)
      for (PetscMPIInt r = 0, off = 0; r < size; r++) displs[r] = off, off += counts[r];
    PetscCallMPI(MPI_Gatherv(mine, bytes, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, comm));
  }
  if (rank == 0) {
    res->ncells = ncells;
    res->nM     = sw->nM;
    PetscCall(PetscMalloc7(ncells, &res->status, ncells, &res->train_loss, ncells, &res->alignment, ncells, &res->wall, ncells, &res->flops, ncells * sw->nM, &res->test_error, ncells * sw->nM, &res->test_error_se));
    PetscCall(Unpack(sw, all, ncells, res));
    res->busy_max  = busy_max;
    res->busy_mean = busy_sum / size;
    PetscCall(PetscFree2(counts, displs));
    PetscCall(PetscFree(all));
  }
  PetscCall(PetscFree(mine));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLResultsDestroy(ICLResults *res)
{
  PetscFunctionBegin;
  if (res->status) PetscCall(PetscFree7(res->status, res->train_loss, res->alignment, res->wall, res->flops, res->test_error, res->test_error_se));
  PetscCall(PetscFree(res->failures));
  PetscFunctionReturn(0);
}
