#include "runner.h"

#include <pthread.h>
#include <time.h>

#include "blas_threads.h"
#include "error.h"
#include "fault.h"
#include "gd.h"
#include "output.h"
#include "queue.h"
#include "signals.h"
#include "linreg.h"
#include "subspace.h"

enum { TAG_RESULT = 71, TAG_CELL = 72 };
enum { ICL_MSG_REQUEST = 1, ICL_MSG_LEAVING = 2 }; /* ICLRecord.flags on the way to rank 0 */

/* Rank 0's view of the run, shared by its computing thread and its dispensing thread. */
typedef struct {
  MPI_Comm             comm;
  const ICLSweep      *sw;
  ICLJournal           journal;
  ICLResults          *res;
  ICLQueue             queue;
  pthread_mutex_t      lock;
  MPI_Comm             group;       /* rank 0's group: the ranks that train its cells with it */
  PetscMPIInt          size, g;     /* ranks, ranks per group */
  PetscBool            rank0_works; /* rank 0's group computes cells too (needs MPI_THREAD_MULTIPLE) */
  PetscInt64           done, todo;  /* cells of this run */
  PetscInt64           handed;      /* cells handed out (in flight: handed - done) */
  PetscBool            announced;   /* the stop was announced */
  PetscBool            dirty;       /* journal records not yet synced */
  double               last_sync;
  PetscInt64           total; /* cells of this shard (the whole sweep when unsharded) */
  double               t0, last_print;
  const ICLProvenance *prov;         /* for DIR/partial.nc */
  double               last_partial; /* when partial.nc was last written (the start at first) */
  PetscInt64           done_partial; /* done then */
  PetscErrorCode       error;        /* first error of rank 0 (journal, disk): hand out no more cells */
  PetscInt             workers;      /* groups that compute */
  PetscInt             base;         /* BLAS threads of a rank */
  PetscInt             lent;         /* workers' cores held by cells in flight */
  unsigned short      *share;        /* per cell in flight, the workers' cores it holds */
  PetscMPIInt         *node;         /* per rank, its node: the lowest rank there */
  PetscMPIInt         *cell_node;    /* per cell in flight, its worker's node */
  PetscInt            *node_free;    /* per node (by its lowest rank), its workers' cores not held */
} Dispenser;

/* A unit as it travels to a worker: its cell count (0: none left), the BLAS threads each rank
 * of its group trains it with (0: as the run's), then its cells. */
#define ICL_UNIT_MSG (ICL_MAX_UNIT + 2)

static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Runs one unit of n cells (unit.h) into recs (n records of rsize bytes, each followed by
 * 2 nM doubles): a cell alone by its model's run, several by its run_shared. A cell dropped
 * by a stop signal comes back with rec->cell = -1: it stays pending and runs again on resume.
 * Each record's wall time is an equal share of the unit's. */
static PetscErrorCode RunUnit(const ICLSweep *sw, MPI_Comm group, const PetscInt64 *c, PetscInt n, char *recs, size_t rsize)
{
  ICLCellIndex   ix;
  ICLCell       *cell;
  ICLCellResult *r;
  double        *U = NULL, *Fx = NULL;
  PetscBool      fault = PETSC_FALSE, fault_step = PETSC_FALSE;
  const double   t0    = Now();

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(n, &cell, n, &r));
  for (PetscInt j = 0; j < n; j++) {
    double *err = (double *)((ICLRecord *)(recs + j * rsize) + 1), *se = err + sw->nM;
    ICLGridIndex(sw, c[j], &ix);
    ICLGridCell(sw, &ix, &cell[j]);
    cell[j].comm   = group;
    cell[j].cancel = ICLSignalsCancel;
    fault          = fault || c[j] == sw->fault[ICL_FAULT_CELL_FAIL];
    fault_step     = fault_step || c[j] == sw->fault[ICL_FAULT_STEP_FAIL];
    for (PetscInt a = 0; a < sw->nM; a++) err[a] = se[a] = NAN;
    r[j] = (ICLCellResult){.status = ICL_STATUS_NOT_APPLICABLE, .train_loss = NAN, .alignment = NAN, .gd_distance = NAN, .test_error = err, .test_error_se = se};
    for (PetscInt i = 0; i < ICL_NUM_SV; i++) r[j].singular_values[i] = NAN;
  }
  /* a unit's cells share d, k and the replicate: one subspace, one factor */
  if (sw->subspace_random && ICLGridApplicable(sw, &ix)) {
    PetscCall(PetscMalloc1((size_t)cell[0].task.d * cell[0].task.k, &U));
    PetscCheck(ICLSubspaceRandom(cell[0].task.seed, cell[0].task.d, cell[0].task.k, cell[0].task.replicate, U) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "QR of the random subspace failed");
    for (PetscInt j = 0; j < n; j++) cell[j].task.U = cell[j].source.U = U;
  }
  if (cell[0].task.x_spectrum != ICL_SPECTRUM_FLAT && ICLGridApplicable(sw, &ix)) {
    /* Sigma_x's factor, once per unit (linreg.h) */
    PetscCall(PetscMalloc1((size_t)cell[0].task.d * cell[0].task.d, &Fx));
    PetscCheck(ICLLinregFeatureFactor(&cell[0].task, Fx) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "the factor of Sigma_x failed (LAPACK)");
    for (PetscInt j = 0; j < n; j++) cell[j].task.factor_x = Fx;
  }
  for (PetscInt j = 0; j < n; j++) cell[j].history = &r[j].history;
  ICLFaultStepRank = -1;
  ICL_FAULT(fault_step, ICLFaultStepRank = (PetscMPIInt)sw->group_size - 1);
  if (ICLGridApplicable(sw, &ix)) {
    PetscErrorCode ierr;
    ICLErrorClear();
    ierr = 0;
    ICL_FAULT(fault, ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_MEM, PETSC_ERROR_INITIAL, "injected failure (-fault_inject cell_fail:%lld)", (long long)sw->fault[ICL_FAULT_CELL_FAIL]));
    if (!ierr) ierr = n == 1 ? sw->types[ix.model]->run(&cell[0], &r[0]) : sw->types[ix.model]->run_shared(cell, n, r);
    if (ierr) /* One unit's error fails its cells only; the sweep goes on. */
      for (PetscInt j = 0; j < n; j++) {
        r[j].status = ICL_STATUS_FAILED;
        PetscCall(PetscSNPrintf(r[j].message, sizeof r[j].message, "%s", ICLErrorMessage()));
        for (PetscInt a = 0; a < sw->nM; a++) r[j].test_error[a] = r[j].test_error_se[a] = NAN;
        for (PetscInt i = 0; i < ICL_NUM_SV; i++) r[j].singular_values[i] = NAN;
        r[j].gd_distance = NAN;
        r[j].history.n   = 0;
      }
  }
  PetscCall(PetscFree(U));
  PetscCall(PetscFree(Fx));
  for (PetscInt j = 0; j < n; j++) {
    ICLRecord *rec = (ICLRecord *)(recs + j * rsize);
    memset(rec, 0, sizeof *rec);
    rec->cell        = r[j].status == ICL_STATUS_PENDING ? -1 : c[j];
    rec->status      = r[j].status;
    rec->steps       = (int32_t)r[j].steps;
    rec->interrupted = ICLSignalsStopping();
    rec->train_loss  = r[j].train_loss;
    rec->alignment   = r[j].alignment;
    rec->wall        = (Now() - t0) / n;
    rec->flops       = r[j].flops;
    rec->gd_distance = r[j].gd_distance;
    PetscCall(PetscArraycpy(rec->singular_values, r[j].singular_values, ICL_NUM_SV));
    for (PetscInt i = 0; i < ICL_HISTORY; i++) {
      rec->loss_history[i] = i < r[j].history.n ? r[j].history.loss[i] : NAN;
      rec->history_step[i] = i < r[j].history.n ? r[j].history.step[i] : NAN;
    }
    PetscCall(PetscStrncpy(rec->message, r[j].message, sizeof rec->message));
  }
  PetscCall(PetscFree2(cell, r));
  PetscFunctionReturn(0);
}

/* Rank 0, under the lock: refresh DIR/partial.nc when -partial_interval seconds and 5% of
 * this run's cells have passed since the last time (whichever comes later), so its cost stays
 * a small fraction of the run's however fast cells are. */
static PetscErrorCode PartialDue(Dispenser *ds, double now)
{
  PetscFunctionBegin;
  if (ds->sw->partial_interval <= 0 || now - ds->last_partial < ds->sw->partial_interval || 20 * (ds->done - ds->done_partial) < ds->todo) PetscFunctionReturn(0);
  PetscCall(ICLOutputWritePartial(ds->sw, ds->res, ds->prov));
  ds->last_partial = Now();
  ds->done_partial = ds->done;
  PetscFunctionReturn(0);
}

/* Runs a unit's cells with the idle workers' cores it was given at hand-out: with -tail_threads
 * as BLAS threads for all of it; by default reserved in the node's pool (blas_threads.h) for
 * its work whose bits do not depend on the thread count, which also claims the pool's free
 * cores as it goes. Adds the core seconds it kept busy to *busy. */
static PetscErrorCode RunJob(const ICLSweep *sw, MPI_Comm group, const PetscInt64 unit[ICL_UNIT_MSG], char *recs, size_t rsize, double *busy)
{
  const PetscInt  base = ICLBlasThreadsGet(), threads = (PetscInt)unit[1];
  const PetscBool blas = sw->tail_threads && threads > 0 && threads != base ? PETSC_TRUE : PETSC_FALSE;
  const double    t0 = Now(), lent0 = ICLThreadsLentSeconds();
  PetscErrorCode  ierr;

  PetscFunctionBegin;
  if (blas) PetscCall(ICLBlasThreadsSet(threads));
  else ICLThreadsReserve(PetscMax(threads / base - 1, 0));
  ierr = RunUnit(sw, group, unit + 2, (PetscInt)unit[0], recs, rsize);
  *busy += blas ? (Now() - t0) * threads / base : Now() - t0 + ICLThreadsLentSeconds() - lent0;
  if (blas) PetscCall(ICLBlasThreadsSet(base));
  ICLThreadsReserve(0);
  PetscFunctionReturn(ierr);
}

/* Rank 0, under the lock: journal a finished cell and report progress. */
static PetscErrorCode Deliver(Dispenser *ds, const ICLRecord *rec)
{
  PetscFunctionBegin;
  if (rec->interrupted) ICLSignalsRaise();
  if (rec->cell < 0) PetscFunctionReturn(0);
  PetscCall(ICLJournalAppend(ds->journal, rec, ds->res));
  ds->dirty = PETSC_TRUE;
  ICLQueueObserve(ds->queue, rec->cell, rec->wall);
  if (ds->share) ds->lent -= ds->share[rec->cell], ds->node_free[ds->cell_node[rec->cell]] += ds->share[rec->cell];
  ds->done++;
  const double now = Now();
  if (now - ds->last_print >= 1.0 || ds->done == ds->todo) {
    const double     el  = now - ds->t0;
    const PetscInt64 bad = ds->res->count[ICL_STATUS_FAILED];
    ds->last_print       = now;
    fprintf(stderr, "[iclsweep] %lld/%lld cells (%lld failed, %lld diverged), %.2f cells/s, ETA %.0f s\n", (long long)(ds->total - ds->res->todo), (long long)ds->total, (long long)bad, (long long)ds->res->count[ICL_STATUS_DIVERGED], ds->done / el,
            ICLQueueEta(ds->queue));
  }
  PetscCall(PartialDue(ds, now));
  PetscFunctionReturn(0);
}

/* Rank 0, under the lock: say once, when a stop signal is first seen, what the stop waits for. */
static void Announce(Dispenser *ds)
{
  if (ds->announced || !ICLSignalsStopping()) return;
  ds->announced = PETSC_TRUE;
  fprintf(stderr, "[iclsweep] stopping: %lld cells in flight, waiting up to %g s (a second signal drops them now)\n", (long long)(ds->handed - ds->done), (double)ds->sw->drain_seconds);
}

/* The queue's workers are the groups: leader rank r leads group r/g (less one when rank 0's
 * group does not work). */
static PetscInt    WorkerOf(Dispenser *ds, PetscMPIInt rank) { return ds->rank0_works ? rank / ds->g : rank / ds->g - 1; }
static PetscMPIInt LeaderOf(const Dispenser *ds, PetscInt worker) { return (PetscMPIInt)((ds->rank0_works ? worker : worker + 1) * ds->g); }

/* The next unit for a worker as it travels (ICL_UNIT_MSG int64s): unit[0] cells, unit[1] the
 * threads each rank of its group may use (0: as the run's), then the cell numbers; 0 cells: none
 * left. Once fewer cells are left than workers are free, a unit takes an equal share of the
 * free workers' cores (workers that will get no cell), never more than are free on its worker's
 * node (threads started there run on that node's cores and use its memory: the run's check fits
 * the largest cell in each rank's share of a node, so a lent core's thread, whose scratch is at
 * most a cell's, fits in the share of the idle rank that lent it). Cores come back as the
 * unit's cells finish; cores freed later reach running cells through the node's pool. */
static void NextUnit(Dispenser *ds, PetscInt worker, PetscInt64 unit[ICL_UNIT_MSG])
{
  const PetscInt64  left = ICLQueueLeft(ds->queue);
  const PetscMPIInt node = ds->node[LeaderOf(ds, worker)];

  Announce(ds);
  unit[0] = ds->error || ICLSignalsStopping() ? 0 : ICLQueueNext(ds->queue, worker, unit + 2);
  unit[1] = 0;
  ds->handed += unit[0];
  if (unit[0] && ds->share) {
    const PetscInt free = ds->workers - ds->lent, share = (PetscInt)PetscMax(1, PetscMin(PetscMin(free / PetscMax(left, 1), ds->node_free[node]), 65535));
    ds->share[unit[2]]     = (unsigned short)share; /* returned when the unit's first cell is delivered */
    ds->cell_node[unit[2]] = node;
    ds->lent += share;
    ds->node_free[node] -= share;
    unit[1] = share * ds->base;
  }
}

/* Rank 0, under the lock: keep the first error, stop handing out cells, go on serving until
 * every worker has left (a worker left waiting would hang the job). */
static void Fail(Dispenser *ds, PetscErrorCode ierr)
{
  if (ierr && !ds->error) ds->error = ierr;
}

/* Rank 0, under the lock: group commit. Records are synced at most every ICL_SYNC_INTERVAL s
 * (and when forced, at the end): one fsync covers every record that arrived meanwhile. A
 * record lost unsynced in a crash is a cell that runs again, to the same bits. */
#define ICL_SYNC_INTERVAL 0.05
static void SyncDue(Dispenser *ds, PetscBool force)
{
  const double now = Now();
  if (!ds->dirty || ds->error || (!force && now - ds->last_sync < ICL_SYNC_INTERVAL)) return;
  Fail(ds, ICLJournalSync(ds->journal));
  ds->dirty     = PETSC_FALSE;
  ds->last_sync = now;
}

/* Waiting ranks poll MPI between naps that double from ICL_NAP_FIRST ns up to a cap: each
 * wake-up takes the core from the work that shares it (at a steady 0.2 ms an idle rank used 7%
 * of a core, measured). The dispenser's cap bounds how late it answers a request that follows
 * a quiet spell; a resting rank's cap, how late the run ends after its last cell. */
#define ICL_NAP_FIRST   200000L
#define ICL_NAP_SERVING 2000000L
#define ICL_NAP_RESTING 20000000L

static void Nap(long *ns, long cap)
{
  const struct timespec ts = {0, *ns};

  nanosleep(&ts, NULL);
  *ns = PetscMin(2 * *ns, cap);
}

/* Serves the other ranks. A message carries a finished cell, a request for the next, or
 * says its sender leaves. The dispenser polls with short sleeps (Nap) rather than blocking in MPI
 * (which spins): it shares a core with rank 0's own work. One fsync covers every result that
 * arrived meanwhile, and workers never wait for it (they ask for their next cell early). */
static PetscErrorCode Dispense(Dispenser *ds)
{
  const size_t          rsize  = ICLRecordSize(ds->sw->nM);
  long                  nap    = ICL_NAP_FIRST;
  PetscMPIInt           active = ds->size / ds->g - 1, arrived; /* the other groups' leaders */
  ICLRecord            *rec;
  PetscInt64            next[ICL_UNIT_MSG];
  MPI_Request           req;
  MPI_Status            st;

  PetscFunctionBegin;
  PetscCall(PetscMalloc(rsize, &rec));
  PetscCallMPI(MPI_Irecv(rec, (PetscMPIInt)rsize, MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT, ds->comm, &req));
  while (active > 0) {
    PetscCallMPI(MPI_Test(&req, &arrived, &st));
    if (!arrived) {
      pthread_mutex_lock(&ds->lock);
      SyncDue(ds, PETSC_FALSE); /* idle: make what arrived durable */
      Announce(ds);
      pthread_mutex_unlock(&ds->lock);
      Nap(&nap, ICL_NAP_SERVING);
      continue;
    }
    nap = ICL_NAP_FIRST;
    pthread_mutex_lock(&ds->lock);
    if (rec->interrupted) ICLSignalsRaise();
    if (rec->flags & ICL_MSG_REQUEST) {
      NextUnit(ds, WorkerOf(ds, st.MPI_SOURCE), next);
      pthread_mutex_unlock(&ds->lock);
      PetscCallMPI(MPI_Send(next, (PetscMPIInt)next[0] + 2, MPIU_INT64, st.MPI_SOURCE, TAG_CELL, ds->comm));
      pthread_mutex_lock(&ds->lock);
    }
    if (rec->flags & ICL_MSG_LEAVING) active--;
    if (rec->cell >= 0 && !ds->error) Fail(ds, Deliver(ds, rec));
    pthread_mutex_unlock(&ds->lock);
    PetscCallMPI(MPI_Irecv(rec, (PetscMPIInt)rsize, MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT, ds->comm, &req));
  }
  PetscCallMPI(MPI_Cancel(&req));
  PetscCallMPI(MPI_Request_free(&req));
  pthread_mutex_lock(&ds->lock);
  SyncDue(ds, PETSC_TRUE);
  pthread_mutex_unlock(&ds->lock);
  PetscCall(PetscFree(rec));
  PetscFunctionReturn(0);
}

static void *DispenseThread(void *arg)
{
  Dispenser     *ds   = arg;
  PetscErrorCode ierr = Dispense(ds);
  pthread_mutex_lock(&ds->lock);
  Fail(ds, ierr);
  pthread_mutex_unlock(&ds->lock);
  return NULL;
}

/* Rank 0's own share of the cells. */
static PetscErrorCode WorkRank0(Dispenser *ds, double *busy)
{
  const size_t rsize = ICLRecordSize(ds->sw->nM);
  char        *recs;
  PetscInt64   unit[ICL_UNIT_MSG];
  PetscFunctionBegin;
  PetscCall(PetscMalloc(ICL_MAX_UNIT * rsize, &recs));
  for (;;) {
    pthread_mutex_lock(&ds->lock);
    NextUnit(ds, 0, unit);
    pthread_mutex_unlock(&ds->lock);
    PetscCallMPI(MPI_Bcast(unit, ICL_UNIT_MSG, MPIU_INT64, 0, ds->group));
    if (!unit[0]) break;
    PetscCall(RunJob(ds->sw, ds->group, unit, recs, rsize, busy));
    pthread_mutex_lock(&ds->lock);
    for (PetscInt64 j = 0; j < unit[0]; j++)
      if (!ds->error) Fail(ds, Deliver(ds, (ICLRecord *)(recs + j * rsize)));
    SyncDue(ds, PETSC_FALSE);
    pthread_mutex_unlock(&ds->lock);
  }
  pthread_mutex_lock(&ds->lock);
  SyncDue(ds, PETSC_TRUE);
  pthread_mutex_unlock(&ds->lock);
  PetscCall(PetscFree(recs));
  PetscFunctionReturn(0);
}

/* Sends rec with the given flags to rank 0. */
static PetscErrorCode Tell(MPI_Comm comm, ICLRecord *rec, size_t rsize, int32_t flags)
{
  PetscFunctionBegin;
  rec->flags       = flags;
  rec->interrupted = ICLSignalsStopping();
  PetscCallMPI(MPI_Send(rec, (PetscMPIInt)rsize, MPI_BYTE, 0, TAG_RESULT, comm));
  PetscFunctionReturn(0);
}

/* Any rank but 0: ask for the next unit before running the current one, so the round trip to
 * rank 0 hides behind the work; send each result as soon as its unit is done. */
static PetscErrorCode WorkRemote(MPI_Comm comm, MPI_Comm group, const ICLSweep *sw, double *busy, double *wait, PetscInt64 *ncells)
{
  const size_t   rsize = ICLRecordSize(sw->nM);
  char          *recs;
  ICLRecord     *rec;
  PetscInt64     cur[ICL_UNIT_MSG], next[ICL_UNIT_MSG];
  MPI_Request    req;
  PetscErrorCode ierr = 0;
  double         t0   = Now();
  PetscMPIInt    rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscCalloc(ICL_MAX_UNIT * rsize, &recs));
  rec       = (ICLRecord *)recs;
  rec->cell = -1;
  PetscCall(Tell(comm, rec, rsize, ICL_MSG_REQUEST));
  PetscCallMPI(MPI_Recv(cur, ICL_UNIT_MSG, MPIU_INT64, 0, TAG_CELL, comm, MPI_STATUS_IGNORE));
  *wait += Now() - t0;
  PetscCallMPI(MPI_Bcast(cur, ICL_UNIT_MSG, MPIU_INT64, 0, group));
  while (cur[0] > 0) {
    rec->cell = -1;
    PetscCall(Tell(comm, rec, rsize, ICL_MSG_REQUEST));
    PetscCallMPI(MPI_Irecv(next, ICL_UNIT_MSG, MPIU_INT64, 0, TAG_CELL, comm, &req));
    ierr = RunJob(sw, group, cur, recs, rsize, busy);
    ICL_FAULT(!ierr && rank == sw->fault[ICL_FAULT_RANK_FAIL], ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_SYS, PETSC_ERROR_INITIAL, "injected failure of rank %d (-fault_inject rank_fail:%d)", rank, rank));
    if (ierr) {
      PetscCallMPI(MPI_Wait(&req, MPI_STATUS_IGNORE)); /* rank 0 answers every request */
      break;
    }
    *ncells += cur[0];
    for (PetscInt64 j = 0; j < cur[0]; j++) PetscCall(Tell(comm, (ICLRecord *)(recs + j * rsize), rsize, 0));
    t0 = Now();
    PetscCallMPI(MPI_Wait(&req, MPI_STATUS_IGNORE));
    *wait += Now() - t0;
    PetscCall(PetscArraycpy(cur, next, ICL_UNIT_MSG));
    PetscCallMPI(MPI_Bcast(cur, ICL_UNIT_MSG, MPIU_INT64, 0, group));
  }
  /* Leaving: rank 0 serves until every worker has said so (a failed worker too). */
  rec->cell = -1;
  PetscCall(Tell(comm, rec, rsize, ICL_MSG_LEAVING));
  PetscCall(PetscFree(recs));
  PetscFunctionReturn(ierr);
}

/* A rank that is not its group's leader trains the units its leader announces. */
static PetscErrorCode Follow(MPI_Comm group, const ICLSweep *sw, double *busy)
{
  const size_t rsize = ICLRecordSize(sw->nM);
  char        *recs;
  PetscInt64   unit[ICL_UNIT_MSG];

  PetscFunctionBegin;
  PetscCall(PetscMalloc(ICL_MAX_UNIT * rsize, &recs));
  for (;;) {
    PetscCallMPI(MPI_Bcast(unit, ICL_UNIT_MSG, MPIU_INT64, 0, group));
    if (!unit[0]) break;
    PetscCall(RunJob(sw, group, unit, recs, rsize, busy));
  }
  PetscCall(PetscFree(recs));
  PetscFunctionReturn(0);
}

/* A rank out of work waits for the others asleep: MPI's blocking collectives spin, and would
 * take the core from a cell still running (its BLAS threads, with -tail_threads). */
static PetscErrorCode Rest(MPI_Comm comm)
{
  long        nap = ICL_NAP_FIRST;
  MPI_Request req;
  int         done = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Ibarrier(comm, &req));
  for (;;) {
    PetscCallMPI(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
    if (done) break;
    Nap(&nap, ICL_NAP_RESTING);
  }
  PetscFunctionReturn(0);
}

/* Every rank learns whether any rank failed (HPL-style), so none waits forever in a
 * collective that a failed rank will never enter. */
static PetscErrorCode Agree(MPI_Comm comm, PetscErrorCode local)
{
  PetscMPIInt mine = (PetscMPIInt)local, worst;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(worst == 0, PETSC_COMM_SELF, worst, "%s", local ? ICLErrorMessage() : "another rank failed while running the sweep; see its message");
  PetscFunctionReturn(0);
}

static PetscErrorCode Rank0(MPI_Comm comm, MPI_Comm group, const ICLSweep *sw, ICLJournal j, ICLResults *res, const ICLProvenance *prov, PetscMPIInt size, PetscMPIInt *node, double *busy, PetscMPIInt *nworking)
{
  Dispenser   ds = {.comm = comm, .group = group, .sw = sw, .journal = j, .res = res, .prov = prov, .size = size, .g = (PetscMPIInt)sw->group_size, .t0 = Now(), .node = node};
  PetscMPIInt level;
  pthread_t   thread;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Query_thread(&level));
  /* Without MPI_THREAD_MULTIPLE rank 0 only dispenses (when there is anyone to serve). */
  ds.rank0_works  = size == ds.g || level == MPI_THREAD_MULTIPLE ? PETSC_TRUE : PETSC_FALSE;
  ds.todo         = res->todo;
  ds.last_partial = ds.t0;
  for (PetscInt64 c = 0; c < res->ncells; c++) ds.total += res->mine[c];
  ds.workers = ds.rank0_works ? size / ds.g : size / ds.g - 1;
  ds.base    = ICLBlasThreadsGet();
  PetscCall(ICLQueueCreate(sw, res, ds.workers, sw->dynamic, &ds.queue));
  PetscCall(PetscCalloc3(res->ncells, &ds.share, res->ncells, &ds.cell_node, size, &ds.node_free));
  for (PetscInt w = 0; w < ds.workers; w++) ds.node_free[node[LeaderOf(&ds, w)]]++;
  pthread_mutex_init(&ds.lock, NULL);
  *nworking           = ds.rank0_works ? size : size - ds.g;
  PetscErrorCode ierr = 0;
  if (!ds.rank0_works) {
    PetscInt64 none[ICL_UNIT_MSG] = {0}; /* rank 0's group sits this run out */
    PetscCallMPI(MPI_Bcast(none, ICL_UNIT_MSG, MPIU_INT64, 0, group));
    ierr = Dispense(&ds);
  } else if (size == ds.g) ierr = WorkRank0(&ds, busy);
  else {
    PetscCheck(pthread_create(&thread, NULL, DispenseThread, &ds) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot start the dispensing thread");
    ierr = WorkRank0(&ds, busy);
    ICLThreadsIdle(); /* the dispensing thread mostly sleeps */
    pthread_mutex_lock(&ds.lock);
    Fail(&ds, ierr); /* the thread then sends every worker home */
    pthread_mutex_unlock(&ds.lock);
    pthread_join(thread, NULL);
  }
  if (!ierr) ierr = ds.error;
  pthread_mutex_destroy(&ds.lock);
  PetscCall(PetscFree3(ds.share, ds.cell_node, ds.node_free));
  PetscCall(ICLQueueDestroy(&ds.queue));
  PetscFunctionReturn(ierr);
}

/* Rank 0 learns every rank's node, as the lowest rank on it (-fault_inject node_ranks:N: as if
 * nodes held N ranks, for the tests on one machine). Each node's pool of idle cores
 * (blas_threads.h) lives in a window its ranks share, in the slot of its lowest rank. */
static PetscErrorCode Nodes(MPI_Comm comm, const ICLSweep *sw, PetscMPIInt **node, MPI_Win *win)
{
  MPI_Comm     shared;
  PetscMPIInt  rank, size, first, n, owner = -1, *firsts, disp;
  MPI_Aint     bytes;
  ICLCorePool *mine, *pool;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shared));
  PetscCallMPI(MPI_Allreduce(&rank, &first, 1, MPI_INT, MPI_MIN, shared));
  ICL_FAULT(sw->fault[ICL_FAULT_NODE_RANKS] > 0, first = PetscMax(first, rank / (PetscMPIInt)sw->fault[ICL_FAULT_NODE_RANKS] * (PetscMPIInt)sw->fault[ICL_FAULT_NODE_RANKS]));
  *node = NULL;
  if (rank == 0) PetscCall(PetscMalloc1(size, node));
  PetscCallMPI(MPI_Gather(&first, 1, MPI_INT, *node, 1, MPI_INT, 0, comm));
  /* shared ranks follow the ranks' order: a node's pool is in the slot of the first with its lowest rank */
  PetscCallMPI(MPI_Comm_size(shared, &n));
  PetscCall(PetscMalloc1(n, &firsts));
  PetscCallMPI(MPI_Allgather(&first, 1, MPI_INT, firsts, 1, MPI_INT, shared));
  PetscCallMPI(MPI_Win_allocate_shared(sizeof(ICLCorePool), 1, MPI_INFO_NULL, shared, &mine, win));
  atomic_init(&mine->free, 0);
  atomic_init(&mine->idle, 0);
  mine->ranks = 0;
  for (PetscMPIInt j = 0; j < n; j++)
    if (firsts[j] == first) {
      if (owner < 0) owner = j;
      mine->ranks++;
    }
  PetscCall(PetscFree(firsts));
  PetscCallMPI(MPI_Win_shared_query(*win, owner, &bytes, &disp, &pool));
  PetscCallMPI(MPI_Barrier(shared)); /* every pool counted before any rank uses one */
  PetscCallMPI(MPI_Comm_free(&shared));
  ICLThreadsPool(sw->tail_threads ? NULL : pool); /* -tail_threads hands idle cores out with the units instead */
  PetscFunctionReturn(0);
}

PetscErrorCode ICLRunSweep(MPI_Comm comm, const ICLSweep *sw, ICLJournal j, ICLResults *res, const ICLProvenance *prov, PetscBool *interrupted)
{
  PetscMPIInt   *node;
  PetscMPIInt    rank, size, stop, nworking = 1;
  MPI_Comm       group;
  MPI_Win        win;
  double         busy = 0, wait = 0, busy_max, busy_sum, wait_sum, lent, lent_sum;
  PetscInt64     ncells = 0, ncells_sum;
  PetscErrorCode ierr;
  const double   t0 = Now();

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (sw->threads_per_rank > 0) PetscCall(ICLBlasThreadsSet(sw->threads_per_rank));
  /* Groups of consecutive ranks; each group's rank 0 is its leader. */
  PetscCallMPI(MPI_Comm_split(comm, rank / (PetscMPIInt)sw->group_size, rank, &group));
  PetscCall(Nodes(comm, sw, &node, &win));
  if (rank == 0) ierr = Rank0(comm, group, sw, j, res, prov, size, node, &busy, &nworking);
  else {
    ierr = rank % sw->group_size == 0 ? WorkRemote(comm, group, sw, &busy, &wait, &ncells) : Follow(group, sw, &busy);
    ICLThreadsIdle();
  }
  PetscCallMPI(MPI_Comm_free(&group));
  PetscCall(PetscFree(node));
  PetscCall(Rest(comm));
  ICLThreadsPool(NULL);
  PetscCallMPI(MPI_Win_free(&win));
  PetscCall(Agree(comm, ierr));
  stop = ICLSignalsStopping();
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPI_INT, MPI_MAX, comm));
  *interrupted = stop ? PETSC_TRUE : PETSC_FALSE;
  PetscCallMPI(MPI_Reduce(&busy, &busy_max, 1, MPI_DOUBLE, MPI_MAX, 0, comm));
  PetscCallMPI(MPI_Reduce(&busy, &busy_sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(&wait, &wait_sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(&ncells, &ncells_sum, 1, MPIU_INT64, MPI_SUM, 0, comm));
  lent = ICLThreadsLentSeconds();
  PetscCallMPI(MPI_Reduce(&lent, &lent_sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
  if (rank == 0) {
    res->busy_max  = busy_max;
    res->busy_mean = busy_sum / nworking;
    res->overhead  = ncells_sum ? wait_sum / ncells_sum : 0.0;
    /* every rank's core counts, a dispensing-only rank 0's too: the share of the run's
     * core-seconds that trained or evaluated cells */
    res->busy_fraction = busy_sum / (size * PetscMax(Now() - t0, 1e-9));
    res->lent_seconds  = lent_sum;
  }
  PetscFunctionReturn(0);
}
