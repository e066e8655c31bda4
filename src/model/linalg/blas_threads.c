#include "blas_threads.h"

#include <dlfcn.h>

/* Looked up at run time: the BLAS is chosen by the system (Debian's alternatives), so the
 * program links the reference interface only and asks the library it finds. */
typedef void (*SetFn)(int);
typedef int (*GetFn)(void);

/* Looked up once, by the one computing thread: the dual form asks at every step. */
static PetscBool looked;
static SetFn     set;
static GetFn     get;

static void LookUp(void)
{
  if (looked) return;
  looked = PETSC_TRUE;
  set    = (SetFn)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (!set) set = (SetFn)dlsym(RTLD_DEFAULT, "bli_thread_set_num_threads");
  get = (GetFn)dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  if (!get) get = (GetFn)dlsym(RTLD_DEFAULT, "bli_thread_get_num_threads");
}

PetscErrorCode ICLBlasThreadsSet(PetscInt n)
{
  PetscFunctionBegin;
  LookUp();
  PetscCheck(set, PETSC_COMM_SELF, PETSC_ERR_SUP, "the BLAS linked has no run-time thread control (OpenBLAS or BLIS has); run without -threads_per_rank and -tail_threads, and set the BLAS's own threads variable");
  set((int)n);
  PetscFunctionReturn(0);
}

PetscInt ICLBlasThreadsGet(void)
{
  LookUp();
  return get ? PetscMax(get(), 1) : 1;
}

/* One process's pool, its reserved cores and the seconds its lent threads worked: set and read
 * by its one computing thread. */
static ICLCorePool *pool;
static PetscInt     reserved;
static double       lent_seconds;

void ICLThreadsPool(ICLCorePool *p) { pool = p; }

void ICLThreadsIdle(void)
{
  if (!pool) return;
  atomic_fetch_add(&pool->idle, 1);
  atomic_fetch_add(&pool->free, 1);
}

void ICLThreadsReserve(PetscInt cores)
{
  if (!pool) return;
  atomic_fetch_add(&pool->free, (long)reserved - cores);
  reserved = cores;
}

PetscInt ICLThreadsClaim(PetscInt most)
{
  const PetscInt mine = PetscMin(reserved, PetscMax(most - 1, 0));
  long           f;

  if (!pool || most - 1 <= mine) return 1 + mine;
  f = atomic_load(&pool->free);
  while (f > 0) {
    const long working = PetscMax(pool->ranks - atomic_load(&pool->idle), 1), take = PetscMin((f + working - 1) / working, (long)(most - 1 - mine));
    if (atomic_compare_exchange_weak(&pool->free, &f, f - take)) return 1 + mine + (PetscInt)take;
  }
  return 1 + mine;
}

void ICLThreadsRelease(PetscInt claimed)
{
  if (pool && claimed - 1 > reserved) atomic_fetch_add(&pool->free, (long)(claimed - 1 - reserved));
}

void ICLThreadsLentAdd(double core_seconds) { lent_seconds += core_seconds; }

double ICLThreadsLentSeconds(void) { return lent_seconds; }
