#include "signals.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t count;
static volatile time_t       first_sec;
static volatile long         first_nsec;
static double                drain;
static char                  launcher[64]; /* /proc/PID/status of an Open MPI parent, else "" */

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

/* Open MPI's mpiexec answers SIGTERM and SIGINT by killing the ranks (after
 * odls_base_sigkill_timeout) and exits 1; it forwards neither. iclsweep-mpiexec starts it with
 * both blocked, so they stay pending there: the ranks it launched on this node see them in
 * /proc and stop as if signalled themselves. Looked at most every ICL_WATCH_INTERVAL s. A
 * pending signal cannot count twice; only a first signal comes this way. Only a parent named
 * like Open MPI's launcher is watched. */
#define ICL_WATCH_INTERVAL 0.1
static void WatchLauncher(void)
{
  static double      next;
  const double       now = Now();
  char               line[256];
  unsigned long long blocked = 0, pending = 0, v;
  FILE              *f;

  if (count || !launcher[0] || now < next) return;
  next = now + ICL_WATCH_INTERVAL;
  if (!(f = fopen(launcher, "r"))) return;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "SigBlk: %llx", &v) == 1) blocked = v;
    else if (sscanf(line, "SigPnd: %llx", &v) == 1 || sscanf(line, "ShdPnd: %llx", &v) == 1) pending |= v;
  }
  fclose(f);
  if (blocked & pending & (1ull << (SIGINT - 1) | 1ull << (SIGTERM - 1))) OnSignal(SIGTERM);
}

PetscErrorCode ICLSignalsInstall(PetscReal drain_seconds)
{
  struct sigaction sa;
  const int        sigs[] = {SIGTERM, SIGINT, SIGUSR1};

  PetscFunctionBegin;
  drain = drain_seconds;
  {
    char  path[64], name[32] = "";
    FILE *f;
    snprintf(path, sizeof path, "/proc/%d/comm", (int)getppid());
    if ((f = fopen(path, "r"))) {
      if (!fgets(name, sizeof name, f)) name[0] = 0;
      fclose(f);
    }
    name[strcspn(name, "\n")] = 0;
    if (!strcmp(name, "mpiexec") || !strcmp(name, "mpirun") || !strcmp(name, "orterun")) snprintf(launcher, sizeof launcher, "/proc/%d/status", (int)getppid());
  }
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) PetscCheck(sigaction(sigs[i], &sa, NULL) == 0, PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the handler of signal %d", sigs[i]);
  PetscFunctionReturn(0);
}

PetscBool ICLSignalsStopping(void)
{
  WatchLauncher();
  return count > 0 ? PETSC_TRUE : PETSC_FALSE;
}

PetscBool ICLSignalsCancel(void)
{
  WatchLauncher();
  if (count == 0) return PETSC_FALSE;
  return count > 1 || Now() - (first_sec + 1e-9 * first_nsec) >= drain ? PETSC_TRUE : PETSC_FALSE;
}

void ICLSignalsRaise(void)
{
  if (count == 0) OnSignal(0);
}
