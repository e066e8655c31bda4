/* The node's pool of idle cores (blas_threads.h), on one process: a pool in private memory
 * stands for the shared one, and adding to its counters stands for other ranks going idle.
 * Asserted: what a claim gets against counts worked out by hand (none without a pool or idle
 * cores; a fair share of the free cores among the ranks still working; the reserved cores of
 * a unit even while the pool owes them), that a release gives back exactly what the claim
 * took, and, with threads claiming at once, that the cores in use never exceed the idle ones. */
#include <petscsys.h>
#include <pthread.h>

#include "blas_threads.h"
#include "check.h"

#define RANKS  8
#define ROUNDS 20000

static ICLCorePool pool;

/* Sets the pool to `idle` idle ranks of RANKS, all free. */
static void Reset(long idle)
{
  atomic_store(&pool.free, idle);
  atomic_store(&pool.idle, idle);
  pool.ranks = RANKS;
}

static atomic_long in_use, over;

static void *Claimer(void *arg)
{
  (void)arg;
  for (int r = 0; r < ROUNDS; r++) {
    const PetscInt n = ICLThreadsClaim(1 + r % 5);
    if (atomic_fetch_add(&in_use, n - 1) + n - 1 > atomic_load(&pool.idle)) atomic_fetch_add(&over, 1);
    atomic_fetch_sub(&in_use, n - 1);
    ICLThreadsRelease(n);
  }
  return NULL;
}

static PetscErrorCode Run(void)
{
  pthread_t t[4];
  PetscInt  n, m;

  PetscFunctionBegin;
  CHECK(ICLThreadsClaim(8) == 1, "no pool: a claim gets this rank's core only");
  ICLThreadsPool(&pool);
  Reset(0);
  CHECK(ICLThreadsClaim(8) == 1, "no idle core: 1");

  Reset(4); /* 4 idle, 4 working: a fair share is 1 */
  n = ICLThreadsClaim(8);
  CHECK(n == 2 && atomic_load(&pool.free) == 3, "4 free among 4 working: claimed %d, %ld left", (int)n, atomic_load(&pool.free));
  ICLThreadsRelease(n);
  CHECK(atomic_load(&pool.free) == 4, "the release gives back 1: %ld free", atomic_load(&pool.free));
  CHECK(ICLThreadsClaim(1) == 1 && atomic_load(&pool.free) == 4, "a launch of one job claims nothing");

  Reset(7); /* this rank alone works: it takes every free core, up to most - 1 */
  n = ICLThreadsClaim(5);
  m = ICLThreadsClaim(8); /* a second launch meanwhile gets the rest */
  CHECK(n == 5 && m == 4 && atomic_load(&pool.free) == 0, "7 free, one working: claims %d and %d", (int)n, (int)m);
  CHECK(ICLThreadsClaim(8) == 1, "nothing left");
  ICLThreadsRelease(m);
  ICLThreadsRelease(n);
  CHECK(atomic_load(&pool.free) == 7, "both released: %ld free", atomic_load(&pool.free));

  Reset(0); /* a unit handed out with 2 cores reserved, before their ranks have gone idle */
  ICLThreadsReserve(2);
  CHECK(atomic_load(&pool.free) == -2, "the pool owes 2: %ld", atomic_load(&pool.free));
  n = ICLThreadsClaim(8);
  CHECK(n == 3, "the reserved cores are claimed at once: %d", (int)n);
  ICLThreadsRelease(n);
  CHECK(ICLThreadsClaim(2) == 2, "reserved, capped by the launch's jobs");
  ICLThreadsRelease(2);
  ICLThreadsIdle(); /* the ranks that lend them go idle */
  atomic_fetch_add(&pool.idle, 1), atomic_fetch_add(&pool.free, 1);
  CHECK(atomic_load(&pool.free) == 0 && ICLThreadsClaim(8) == 3, "paid: free %ld", atomic_load(&pool.free));
  ICLThreadsRelease(3);
  atomic_fetch_add(&pool.idle, 1), atomic_fetch_add(&pool.free, 1); /* one more idle: free beyond the reserve */
  n = ICLThreadsClaim(8);
  CHECK(n == 4 && atomic_load(&pool.free) == 0, "2 reserved + 1 free: claimed %d", (int)n);
  ICLThreadsRelease(n);
  ICLThreadsReserve(0);
  CHECK(atomic_load(&pool.free) == 3 && atomic_load(&pool.idle) == 3, "the unit's end returns its reserve: %ld free", atomic_load(&pool.free));

  Reset(3); /* 4 threads claiming and releasing at once never use more cores than are idle */
  for (int i = 0; i < 4; i++) PetscCheck(pthread_create(&t[i], NULL, Claimer, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "pthread_create");
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  CHECK(atomic_load(&over) == 0 && atomic_load(&pool.free) == 3, "%ld claims over the idle cores, %ld free at the end", atomic_load(&over), atomic_load(&pool.free));
  ICLThreadsPool(NULL);
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_core_pool")
