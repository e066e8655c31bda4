#include "signals.h"

#include <signal.h>
#include <time.h>

static volatile sig_atomic_t count;
static volatile time_t       first_sec;
static volatile long         first_nsec;
static double                drain;

static double Now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Async-signal-safe: a counter and clock_gettime only. */
static void OnSignal(int sig)
{
  (void)sig;
  if (count == 0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    first_sec  = t.tv_sec;
    first_nsec = t.tv_nsec;
  }
  count = count + 1;
}

PetscErrorCode ICLSignalsInstall(PetscReal drain_seconds)
{
  struct sigaction sa;
  const int        sigs[] = {SIGTERM, SIGINT, SIGUSR1};

  PetscFunctionBegin;
  drain = drain_seconds;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) PetscCheck(sigaction(sigs[i], &sa, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the handler of signal %d", sigs[i]);
  PetscFunctionReturn(0);
}

PetscBool ICLSignalsStopping(void) { return count > 0 ? PETSC_TRUE : PETSC_FALSE; }

PetscBool ICLSignalsCancel(void)
{
  if (count == 0) return PETSC_FALSE;
  return count > 1 || Now() - (first_sec + 1e-9 * first_nsec) >= drain ? PETSC_TRUE : PETSC_FALSE;
}

void ICLSignalsRaise(void)
{
  if (count == 0) OnSignal(0);
}
