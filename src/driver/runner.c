#include "runner.h"

#include <pthread.h>
#include <time.h>

#include "blas_threads.h"
#include "error.h"
#include "queue.h"
#include "signals.h"
#include "linreg.h"
#include "subspace.h"

enum { TAG_RESULT = 71, TAG_CELL = 72 };
enum { ICL_MSG_REQUEST = 1, ICL_MSG_LEAVING = 2 }; /* ICLRecord.flags on the way to rank 0 */

/* Rank 0's view of the run, shared by its computing thread and its dispensing thread. */
typedef struct {
  MPI_Comm        comm;
  const ICLSweep *sw;
  ICLJournal      journal;
  ICLResults     *res;
  ICLQueue        queue;
  pthread_mutex_t lock;
  MPI_Comm        group;        /* rank 0's group: the ranks that train its cells with it */
  PetscMPIInt     size, g;      /* ranks, ranks per group */
  PetscBool       rank0_works;  /* rank 0's group computes cells too (needs MPI_THREAD_MULTIPLE) */
  PetscInt64      done, todo;   /* cells of this run */
  PetscInt64      handed;       /* cells handed out (in flight: handed - done) */
  PetscBool       announced;    /* the stop was announced */
  PetscBool       dirty;        /* journal records not yet synced */
  double          last_sync;
  PetscInt64      total;        /* cells of this shard (the whole sweep when unsharded) */
  double          t0, last_print;
  PetscErrorCode  error;        /* first error of rank 0 (journal, disk): hand out no more cells */
  PetscInt        workers;      /* groups that compute */
  PetscInt        base;         /* BLAS threads of a rank */
  PetscInt        lent;         /* -tail_threads: workers' cores held by cells in flight */
  unsigned short *share;        /* -tail_threads: per cell in flight, the workers' cores it holds */
} Dispenser;

/* What a worker is told to do: a cell (-1: none left) and the BLAS threads each rank of its
 * group trains it with (0: as the run's). */
typedef struct {
  PetscInt64 cell, threads;
} Job;

static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Runs one cell into rec (record followed by 2 nM doubles). A cell dropped by a stop signal
 * comes back with rec->cell = -1: it stays pending and runs again on resume. */
static PetscErrorCode RunCell(const ICLSweep *sw, MPI_Comm group, PetscInt64 c, ICLRecord *rec)
{
  ICLCellIndex  ix;
  ICLCell       cell;
  ICLCellResult r;
  double       *err = (double *)(rec + 1), *se = err + sw->nM, *U = NULL, *Fx = NULL;
  const double  t0  = Now();

  PetscFunctionBegin;
  ICLGridIndex(sw, c, &ix);
  ICLGridCell(sw, &ix, &cell);
  if (sw->subspace_random && ICLGridApplicable(sw, &ix)) {
    PetscCall(PetscMalloc1((size_t)cell.task.d * cell.task.k, &U));
    PetscCheck(ICLSubspaceRandom(cell.task.seed, cell.task.d, cell.task.k, cell.task.replicate, U) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "QR of the random subspace failed");
    cell.task.U = cell.source.U = U;
  }
  if (cell.task.x_spectrum != ICL_SPECTRUM_FLAT && ICLGridApplicable(sw, &ix)) {
    /* Sigma_x's factor, once per cell (linreg.h) */
    PetscCall(PetscMalloc1((size_t)cell.task.d * cell.task.d, &Fx));
    PetscCheck(ICLLinregFeatureFactor(&cell.task, Fx) == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "the factor of Sigma_x failed (LAPACK)");
    cell.task.factor_x = Fx;
  }
  cell.comm   = group;
  cell.cancel = ICLSignalsCancel;
  for (PetscInt a = 0; a < sw->nM; a++) err[a] = se[a] = NAN;
  r = (ICLCellResult){.status = ICL_STATUS_NOT_APPLICABLE, .train_loss = NAN, .alignment = NAN, .gd_distance = NAN, .test_error = err, .test_error_se = se};
  for (PetscInt i = 0; i < ICL_NUM_SV; i++) r.singular_values[i] = NAN;
  if (ICLGridApplicable(sw, &ix)) {
    PetscErrorCode ierr;
    ICLErrorClear();
    if (c == sw->fault_cell) ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_MEM, PETSC_ERROR_INITIAL, "injected failure (-fault_inject cell_fail:%lld)", (long long)c);
    else ierr = sw->types[ix.model]->run(&cell, &r);
    if (ierr) {
      /* One cell's error fails that cell only; the sweep goes on. */
      r.status = ICL_STATUS_FAILED;
      PetscCall(PetscSNPrintf(r.message, sizeof r.message, "%s", ICLErrorMessage()));
      for (PetscInt a = 0; a < sw->nM; a++) err[a] = se[a] = NAN;
      for (PetscInt i = 0; i < ICL_NUM_SV; i++) r.singular_values[i] = NAN;
      r.gd_distance = NAN;
    }
  }
  PetscCall(PetscFree(U));
  PetscCall(PetscFree(Fx));
  memset(rec, 0, sizeof *rec);
  rec->cell        = r.status == ICL_STATUS_PENDING ? -1 : c;
  rec->status      = r.status;
  rec->steps       = (int32_t)r.steps;
  rec->interrupted = ICLSignalsStopping();
  rec->train_loss  = r.train_loss;
  rec->alignment   = r.alignment;
  rec->wall        = Now() - t0;
  rec->flops       = r.flops;
  rec->gd_distance = r.gd_distance;
  PetscCall(PetscArraycpy(rec->singular_values, r.singular_values, ICL_NUM_SV));
  PetscCall(PetscStrncpy(rec->message, r.message, sizeof rec->message));
  PetscFunctionReturn(0);
}

/* Runs a job's cell, with its threads when it was given idle workers' cores. Adds the core
 * seconds it kept busy to *busy. */
static PetscErrorCode RunJob(const ICLSweep *sw, MPI_Comm group, const Job *job, ICLRecord *rec, double *busy)
{
  const PetscInt base = ICLBlasThreadsGet();
  const double   t0   = Now();
  PetscErrorCode ierr;

  PetscFunctionBegin;
  if (job->threads > 0 && job->threads != base) PetscCall(ICLBlasThreadsSet(job->threads));
  ierr = RunCell(sw, group, job->cell, rec);
  *busy += (Now() - t0) * (job->threads > 0 ? (double)job->threads / base : 1.0);
  if (job->threads > 0 && job->threads != base) PetscCall(ICLBlasThreadsSet(base));
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
  if (ds->share) ds->lent -= ds->share[rec->cell];
  ds->done++;
  const double now = Now();
  if (now - ds->last_print >= 1.0 || ds->done == ds->todo) {
    const double     el = now - ds->t0;
    const PetscInt64 bad = ds->res->count[ICL_STATUS_FAILED];
    ds->last_print       = now;
    fprintf(stderr, "[iclsweep] %lld/%lld cells (%lld failed, %lld diverged), %.2f cells/s, ETA %.0f s\n", (long long)(ds->total - ds->res->todo), (long long)ds->total, (long long)bad, (long long)ds->res->count[ICL_STATUS_DIVERGED], ds->done / el,
            ICLQueueEta(ds->queue));
  }
  PetscFunctionReturn(0);
}

/* Rank 0, under the lock: say once, when a stop signal is first seen, what the stop waits for. */
static void Announce(Dispenser *ds)
{
  if (ds->announced || !ICLSignalsStopping()) return;
  ds->announced = PETSC_TRUE;
  fprintf(stderr, "[iclsweep] stopping: %lld cells in flight, waiting up to %g s (a second signal drops them now)\n", (long long)(ds->handed - ds->done), (double)ds->sw->drain_seconds);
}

/* Rank 0, under the lock: the next job of a worker. With -tail_threads, once fewer cells are
 * left than workers are free, a cell takes an equal share of the free workers' cores (never
 * more than are free: cores come back as cells finish). */
static Job NextJob(Dispenser *ds, PetscInt worker)
{
  const PetscInt64 left = ICLQueueLeft(ds->queue);
  Job              job  = {-1, 0};

  Announce(ds);
  job.cell = ds->error || ICLSignalsStopping() ? -1 : ICLQueueNext(ds->queue, worker);
  ds->handed += job.cell >= 0;
  if (job.cell >= 0 && ds->share) {
    const PetscInt free = ds->workers - ds->lent, share = (PetscInt)PetscMax(1, PetscMin(free / PetscMax(left, 1), 65535));
    ds->share[job.cell] = (unsigned short)share;
    ds->lent += share;
    job.threads = share * ds->base;
  }
  return job;
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

/* The queue's workers are the groups: leader rank r leads group r/g (less one when rank 0's
 * group does not work). */
static PetscInt WorkerOf(Dispenser *ds, PetscMPIInt rank) { return ds->rank0_works ? rank / ds->g : rank / ds->g - 1; }

/* Serves the other ranks. A message carries a finished cell, a request for the next, or
 * says its sender leaves. The dispenser polls with short sleeps rather than blocking in MPI
 * (which spins): it shares a core with rank 0's own work. One fsync covers every result that
 * arrived meanwhile, and workers never wait for it (they ask for their next cell early). */
static PetscErrorCode Dispense(Dispenser *ds)
{
  const size_t          rsize  = ICLRecordSize(ds->sw->nM);
  const struct timespec nap    = {0, 200000};
  PetscMPIInt           active = ds->size / ds->g - 1, arrived; /* the other groups' leaders */
  ICLRecord            *rec;
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
      nanosleep(&nap, NULL);
      continue;
    }
    pthread_mutex_lock(&ds->lock);
    if (rec->interrupted) ICLSignalsRaise();
    if (rec->flags & ICL_MSG_REQUEST) {
      const Job next = NextJob(ds, WorkerOf(ds, st.MPI_SOURCE));
      pthread_mutex_unlock(&ds->lock);
      PetscCallMPI(MPI_Send(&next, 2, MPIU_INT64, st.MPI_SOURCE, TAG_CELL, ds->comm));
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
  ICLRecord *rec;
  PetscFunctionBegin;
  PetscCall(PetscMalloc(ICLRecordSize(ds->sw->nM), &rec));
  for (;;) {
    pthread_mutex_lock(&ds->lock);
    Job job = NextJob(ds, 0);
    pthread_mutex_unlock(&ds->lock);
    PetscCallMPI(MPI_Bcast(&job, 2, MPIU_INT64, 0, ds->group));
    if (job.cell < 0) break;
    PetscCall(RunJob(ds->sw, ds->group, &job, rec, busy));
    pthread_mutex_lock(&ds->lock);
    if (!ds->error) Fail(ds, Deliver(ds, rec));
    SyncDue(ds, PETSC_FALSE);
    pthread_mutex_unlock(&ds->lock);
  }
  pthread_mutex_lock(&ds->lock);
  SyncDue(ds, PETSC_TRUE);
  pthread_mutex_unlock(&ds->lock);
  PetscCall(PetscFree(rec));
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

/* Any rank but 0: ask for the next cell before running the current one, so the round trip to
 * rank 0 hides behind the work; send each result as soon as it is ready. */
static PetscErrorCode WorkRemote(MPI_Comm comm, MPI_Comm group, const ICLSweep *sw, double *busy, double *wait, PetscInt64 *ncells)
{
  const size_t   rsize = ICLRecordSize(sw->nM);
  ICLRecord     *rec;
  Job            cur, next;
  MPI_Request    req;
  PetscErrorCode ierr = 0;
  double         t0   = Now();

  PetscFunctionBegin;
  PetscCall(PetscCalloc(rsize, &rec));
  rec->cell = -1;
  PetscCall(Tell(comm, rec, rsize, ICL_MSG_REQUEST));
  PetscCallMPI(MPI_Recv(&cur, 2, MPIU_INT64, 0, TAG_CELL, comm, MPI_STATUS_IGNORE));
  *wait += Now() - t0;
  PetscCallMPI(MPI_Bcast(&cur, 2, MPIU_INT64, 0, group));
  while (cur.cell >= 0) {
    rec->cell = -1;
    PetscCall(Tell(comm, rec, rsize, ICL_MSG_REQUEST));
    PetscCallMPI(MPI_Irecv(&next, 2, MPIU_INT64, 0, TAG_CELL, comm, &req));
    ierr = RunJob(sw, group, &cur, rec, busy);
    if (!ierr && sw->fault_rank >= 0) { /* testing: this rank fails outside any cell */
      PetscMPIInt rank;
      PetscCallMPI(MPI_Comm_rank(comm, &rank));
      if (rank == sw->fault_rank) ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_SYS, PETSC_ERROR_INITIAL, "injected failure of rank %d (-fault_inject rank_fail:%d)", rank, rank);
    }
    if (ierr) {
      PetscCallMPI(MPI_Wait(&req, MPI_STATUS_IGNORE)); /* rank 0 answers every request */
      break;
    }
    (*ncells)++;
    PetscCall(Tell(comm, rec, rsize, 0));
    t0 = Now();
    PetscCallMPI(MPI_Wait(&req, MPI_STATUS_IGNORE));
    *wait += Now() - t0;
    cur = next;
    PetscCallMPI(MPI_Bcast(&cur, 2, MPIU_INT64, 0, group));
  }
  /* Leaving: rank 0 serves until every worker has said so (a failed worker too). */
  rec->cell = -1;
  PetscCall(Tell(comm, rec, rsize, ICL_MSG_LEAVING));
  PetscCall(PetscFree(rec));
  PetscFunctionReturn(ierr);
}

/* A rank that is not its group's leader trains the cells its leader announces. */
static PetscErrorCode Follow(MPI_Comm group, const ICLSweep *sw, double *busy)
{
  ICLRecord *rec;
  Job        job;

  PetscFunctionBegin;
  PetscCall(PetscMalloc(ICLRecordSize(sw->nM), &rec));
  for (;;) {
    PetscCallMPI(MPI_Bcast(&job, 2, MPIU_INT64, 0, group));
    if (job.cell < 0) break;
    PetscCall(RunJob(sw, group, &job, rec, busy));
  }
  PetscCall(PetscFree(rec));
  PetscFunctionReturn(0);
}

/* A rank out of work waits for the others asleep: MPI's blocking collectives spin, and would
 * take the core from a cell still running (its BLAS threads, with -tail_threads). */
static PetscErrorCode Rest(MPI_Comm comm)
{
  const struct timespec nap = {0, 200000};
  MPI_Request           req;
  int                   done = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Ibarrier(comm, &req));
  for (;;) {
    PetscCallMPI(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
    if (done) break;
    nanosleep(&nap, NULL);
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

static PetscErrorCode Rank0(MPI_Comm comm, MPI_Comm group, const ICLSweep *sw, ICLJournal j, ICLResults *res, PetscMPIInt size, double *busy, PetscMPIInt *nworking)
{
  Dispenser ds = {.comm = comm, .group = group, .sw = sw, .journal = j, .res = res, .size = size, .g = (PetscMPIInt)sw->group_size, .t0 = Now()};
  PetscMPIInt level;
  pthread_t   thread;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Query_thread(&level));
  /* Without MPI_THREAD_MULTIPLE rank 0 only dispenses (when there is anyone to serve). */
  ds.rank0_works = size == ds.g || level == MPI_THREAD_MULTIPLE ? PETSC_TRUE : PETSC_FALSE;
  ds.todo        = res->todo;
  for (PetscInt64 c = 0; c < res->ncells; c++) ds.total += res->mine[c];
  ds.workers = ds.rank0_works ? size / ds.g : size / ds.g - 1;
  ds.base    = ICLBlasThreadsGet();
  PetscCall(ICLQueueCreate(sw, res, ds.workers, sw->dynamic, &ds.queue));
  if (sw->tail_threads) PetscCall(PetscCalloc1(res->ncells, &ds.share));
  pthread_mutex_init(&ds.lock, NULL);
  *nworking         = ds.rank0_works ? size : size - ds.g;
  PetscErrorCode ierr = 0;
  if (!ds.rank0_works) {
    const Job none = {-1, 0}; /* rank 0's group sits this run out */
    PetscCallMPI(MPI_Bcast((void *)&none, 2, MPIU_INT64, 0, group));
    ierr = Dispense(&ds);
  } else if (size == ds.g) ierr = WorkRank0(&ds, busy);
  else {
    PetscCheck(pthread_create(&thread, NULL, DispenseThread, &ds) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot start the dispensing thread");
    ierr = WorkRank0(&ds, busy);
    pthread_mutex_lock(&ds.lock);
    Fail(&ds, ierr); /* the thread then sends every worker home */
    pthread_mutex_unlock(&ds.lock);
    pthread_join(thread, NULL);
  }
  if (!ierr) ierr = ds.error;
  pthread_mutex_destroy(&ds.lock);
  PetscCall(PetscFree(ds.share));
  PetscCall(ICLQueueDestroy(&ds.queue));
  PetscFunctionReturn(ierr);
}

PetscErrorCode ICLRunSweep(MPI_Comm comm, const ICLSweep *sw, ICLJournal j, ICLResults *res, PetscBool *interrupted)
{
  PetscMPIInt    rank, size, stop, nworking = 1;
  MPI_Comm       group;
  double         busy = 0, wait = 0, busy_max, busy_sum, wait_sum;
  PetscInt64     ncells = 0, ncells_sum;
  PetscErrorCode ierr;
  const double   t0 = Now();

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (sw->threads_per_rank > 0) PetscCall(ICLBlasThreadsSet(sw->threads_per_rank));
  /* Groups of consecutive ranks; each group's rank 0 is its leader. */
  PetscCallMPI(MPI_Comm_split(comm, rank / (PetscMPIInt)sw->group_size, rank, &group));
  if (rank == 0) ierr = Rank0(comm, group, sw, j, res, size, &busy, &nworking);
  else if (rank % sw->group_size == 0) ierr = WorkRemote(comm, group, sw, &busy, &wait, &ncells);
  else ierr = Follow(group, sw, &busy);
  PetscCallMPI(MPI_Comm_free(&group));
  PetscCall(Rest(comm));
  PetscCall(Agree(comm, ierr));
  stop = ICLSignalsStopping();
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPI_INT, MPI_MAX, comm));
  *interrupted = stop ? PETSC_TRUE : PETSC_FALSE;
  PetscCallMPI(MPI_Reduce(&busy, &busy_max, 1, MPI_DOUBLE, MPI_MAX, 0, comm));
  PetscCallMPI(MPI_Reduce(&busy, &busy_sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(&wait, &wait_sum, 1, MPI_DOUBLE, MPI_SUM, 0, comm));
  PetscCallMPI(MPI_Reduce(&ncells, &ncells_sum, 1, MPIU_INT64, MPI_SUM, 0, comm));
  if (rank == 0) {
    res->busy_max  = busy_max;
    res->busy_mean = busy_sum / nworking;
    res->overhead  = ncells_sum ? wait_sum / ncells_sum : 0.0;
    /* every rank's core counts, a dispensing-only rank 0's too: the share of the run's
     * core-seconds that trained or evaluated cells */
    res->busy_fraction = busy_sum / (size * PetscMax(Now() - t0, 1e-9));
  }
  PetscFunctionReturn(0);
}
