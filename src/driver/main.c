/* iclsweep: run, plan and inspect sweeps of in-context-learning experiments (docs/usage.md).
 * Only main() decides the exit status: 0 ok, 1 some cells failed or diverged, 2 bad input,
 * 3 interrupted. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <petscsys.h>

#include "args.h"
#include "commands.h"
#include "error.h"
#include "git_commit.h"

static const char usage[] = "usage:\n"
                            "  mpiexec -n P iclsweep run -options_file SWEEP.opts -output DIR [options]\n"
                            "  iclsweep plan -options_file SWEEP.opts [-ranks P] [-ranks_per_node R] [-node_memory GB]\n"
                            "  iclsweep status DIR\n"
                            "  iclsweep merge -output DIR PART_DIR... [-allow_incomplete]\n"
                            "Exit status: 0 ok, 1 some cells failed or diverged (-retry failed,diverged), 2 bad input,\n"
                            "3 interrupted (run again to resume).\n"
                            "Options use PETSc's options database (-options_file, PETSC_OPTIONS); -help lists them,\n"
                            "-help_petsc adds PETSc's own. iclsweep -version prints the version.\n";

/* PETSc reads -options_file on rank 0 only and the other ranks would wait for it forever
 * when it cannot: every rank checks first, so all stop together with a clear message. */
static const char *UnreadableOptionsFile(int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "-options_file") && access(argv[i + 1], R_OK)) return argv[i + 1];
  return NULL;
}

int main(int argc, char **argv)
{
  const char    *cmd = argc > 1 ? argv[1] : "";
  const char    *dir = NULL;
  char          *args[argc + 1];
  int            nargs = 0, status = 0;
  PetscErrorCode ierr;
  PetscMPIInt    rank;

  /* PETSc sees only options; the subcommand, status's DIR and merge's parts are ours. A word
   * is a part unless it follows an option that takes a value (every option but the flags). */
  char *parts[argc + 1];
  int   nparts = 0;
  args[nargs++] = argv[0];
  for (int i = 2; i < argc; i++) {
    const int value = argv[i][0] != '-' && argv[i - 1][0] == '-' && strcmp(argv[i - 1], "-allow_incomplete") && strcmp(argv[i - 1], "-help") && i > 2;
    if (!strcmp(cmd, "status") && !dir && argv[i][0] != '-' && (i == 2 || argv[i - 1][0] != '-')) dir = argv[i];
    else if (!strcmp(cmd, "merge") && argv[i][0] != '-' && !value) parts[nparts++] = argv[i];
    else args[nargs++] = argv[i];
  }
  args[nargs] = NULL;
  if (!strcmp(cmd, "-version") || !strcmp(cmd, "--version")) {
    printf("iclsweep %s (commit %s)\n", ICL_VERSION, ICL_GIT_COMMIT);
    return 0;
  }
  if (strcmp(cmd, "run") && strcmp(cmd, "plan") && strcmp(cmd, "status") && strcmp(cmd, "merge")) {
    const int   asked = !strcmp(cmd, "-help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h");
    const char *rank  = getenv("OMPI_COMM_WORLD_RANK"); /* MPI is not started: say it once */
    if (asked || !cmd[0]) fputs(usage, asked ? stdout : stderr);
    else if (!rank || !strcmp(rank, "0")) fprintf(stderr, "iclsweep: error: unknown command '%s'; use run, plan, status or merge (iclsweep -help shows how)\n", cmd);
    return asked ? 0 : 2;
  }
  /* status and merge read only what their usage line shows: -help is that line. */
  for (int i = 1; i < nargs && (!strcmp(cmd, "status") || !strcmp(cmd, "merge")); i++)
    if (!strcmp(args[i], "-help") || !strcmp(args[i], "--help") || !strcmp(args[i], "-h")) {
      fputs(usage, stdout);
      return 0;
    }
  {
    char      **pargs = args;
    PetscMPIInt provided;
    /* Rank 0 dispenses cells from a thread beside its own work (runner.c); MPI must allow it.
     * With less, rank 0 only dispenses. */
    if (MPI_Init_thread(&nargs, &pargs, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
      fprintf(stderr, "iclsweep: MPI_Init_thread failed\n");
      return 1;
    }
    /* A size-limited file (disk quota) must fail a write, not kill the process. */
    signal(SIGXFSZ, SIG_IGN);
    const char *bad = UnreadableOptionsFile(nargs, pargs);
    if (bad) {
      int rank;
      MPI_Comm_rank(MPI_COMM_WORLD, &rank);
      if (!rank) fprintf(stderr, "iclsweep %s: error: -options_file %s: cannot read it (%s)\n", cmd, bad, strerror(errno));
      MPI_Finalize();
      return 2;
    }
    {
      char msg[2048];
      if (ICLArgsCheck(nargs - 1, pargs + 1, msg, sizeof msg)) {
        int rank;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (!rank) fprintf(stderr, "iclsweep %s: error: %s\n", cmd, msg);
        MPI_Finalize();
        return 2;
      }
    }
    /* -help shows iclsweep's options only; PETSc's own (debuggers, malloc, logging) come with
     * -help_petsc. PETSc prints its part from PetscInitialize, so -help waits until after it. */
    int help = 0, help_petsc = 0;
    for (int i = 1; i < nargs; i++) {
      if (!strcmp(pargs[i], "-help_petsc")) pargs[i] = "-help", help_petsc = 1;
      else if (!strcmp(pargs[i], "-help") && !help_petsc) {
        for (int k = i; k < nargs; k++) pargs[k] = pargs[k + 1];
        nargs--, i--, help = 1;
      }
    }
    ierr = PetscInitialize(&nargs, &pargs, NULL, usage);
    if (!ierr && help) ierr = PetscOptionsSetValue(NULL, "-help", NULL);
    if (ierr) {
      fprintf(stderr, "iclsweep: cannot start (error %d): check -options_file and PETSC_OPTIONS\n", (int)ierr);
      MPI_Finalize();
      return 2;
    }
  }
  PetscCallAbort(PETSC_COMM_WORLD, PetscPushErrorHandler(ICLErrorHandler, NULL));
  if (!strcmp(cmd, "run")) ierr = ICLCommandRun(PETSC_COMM_WORLD, argc, argv, &status);
  else if (!strcmp(cmd, "plan")) ierr = ICLCommandPlan(PETSC_COMM_WORLD, &status);
  else if (!strcmp(cmd, "merge")) ierr = ICLCommandMerge(PETSC_COMM_WORLD, argc, argv, nparts, parts, &status);
  else ierr = ICLCommandStatus(PETSC_COMM_WORLD, dir, &status);
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (ierr) {
    status = ICLExitStatus(ierr);
    /* Input errors are detected identically on every rank: say it once. */
    if (rank == 0 || status != 2) fprintf(stderr, "iclsweep %s: error: %s\n", cmd, ICLErrorMessage());
  }
  PetscPopErrorHandler();
  PetscFinalize();
  MPI_Finalize();
  return status;
}
