/* iclsweep-mpiexec: Open MPI's mpiexec, started so that SIGTERM and SIGINT drain a sweep.
 *
 *   iclsweep-mpiexec -n P iclsweep run ...     (the arguments of mpiexec)
 *
 * Open MPI's mpiexec handles SIGTERM and SIGINT itself: it kills the ranks and exits 1, and
 * it will not forward them. Started with both signals blocked, it never sees them; they stay
 * pending, where iclsweep's ranks look for them (signals.c), drain, and exit 3 through
 * mpiexec like after SIGUSR1. Ctrl-C reaches the ranks directly as well (same process group).
 * mpiexec unblocks every signal in the ranks it starts. ICL_MPIEXEC names another mpiexec. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  const char *mpiexec = getenv("ICL_MPIEXEC") ? getenv("ICL_MPIEXEC") : ICL_MPIEXEC_DEFAULT;
  sigset_t    set;

  (void)argc;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, NULL)) {
    perror("iclsweep-mpiexec: sigprocmask");
    return 1;
  }
  argv[0] = (char *)mpiexec;
  execvp(mpiexec, argv);
  fprintf(stderr, "iclsweep-mpiexec: cannot start %s: %s (set ICL_MPIEXEC to Open MPI's mpiexec)\n", mpiexec, strerror(errno));
  return 1;
}
