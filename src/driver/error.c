#include "error.h"

static char message[1024], detail[1024];

/* Where an error happened, relative to the source tree: results.nc and logs outlive the
 * checkout, and the build directory's absolute path says nothing to whoever reads them.
 * __FILE__ is absolute (the source directory) or relative to the build directory (compiler
 * caches rewrite it), so both the prefix and leading "../" go. */
static const char *SourcePath(const char *file)
{
  const size_t n = strlen(ICL_SOURCE_DIR);
  if (!strncmp(file, ICL_SOURCE_DIR, n) && file[n] == '/') file += n + 1;
  while (!strncmp(file, "../", 3)) file += 3;
  return file;
}

PetscErrorCode ICLErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  (void)comm;
  (void)ctx;
  if (p == PETSC_ERROR_INITIAL) {
    PetscSNPrintf(detail, sizeof detail, "%s", mess ? mess : "");
    /* Input errors speak for themselves; other errors say where they happened. */
    if (n == ICL_ERR_INPUT) PetscSNPrintf(message, sizeof message, "%s", mess ? mess : "bad input");
    else {
      const char *text = NULL;
      PetscErrorMessage(n, &text, NULL);
      PetscSNPrintf(message, sizeof message, "%s%s%s (%s() at %s:%d)", text ? text : "error", mess && mess[0] ? ": " : "", mess ? mess : "", fun, SourcePath(file), line);
    }
  }
  return n;
}

const char *ICLErrorMessage(void) { return message[0] ? message : "unknown error"; }

const char *ICLErrorDetail(void) { return detail; }

void ICLErrorClear(void) { message[0] = detail[0] = 0; }

int ICLExitStatus(PetscErrorCode ierr)
{
  switch (ierr) {
  case 0:
    return 0;
  case ICL_ERR_INPUT:
  case PETSC_ERR_ARG_WRONG:
  case PETSC_ERR_ARG_OUTOFRANGE:
  case PETSC_ERR_ARG_SIZ:
  case PETSC_ERR_ARG_INCOMP:
  case PETSC_ERR_ARG_UNKNOWN_TYPE:
  case PETSC_ERR_FILE_OPEN:
  case PETSC_ERR_FILE_READ:
  case PETSC_ERR_FILE_UNEXPECTED:
    return 2;
  default:
    return 1;
  }
}
