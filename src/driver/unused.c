#include "unused.h"

#include "error.h"

/* The option names the readers ask for, learnt from their -help lines ("  -name <...>: ..."):
 * a list kept by hand would drift from the options actually read. */
typedef struct {
  char        typo[256], best[256];
  size_t      distance;
} Closest;

static Closest *listening;

/* Levenshtein distance (names are short: the quadratic table is nothing). */
static size_t Distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b), row[257];
  if (la > 256 || lb > 256) return (size_t)-1;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0]      = i;
    for (size_t j = 1; j <= lb; j++) {
      const size_t up = row[j], best = PetscMin(PetscMin(row[j] + 1, row[j - 1] + 1), diag + (a[i - 1] != b[j - 1]));
      diag            = up;
      row[j]          = best;
    }
  }
  return row[lb];
}

static PetscErrorCode Listen(MPI_Comm comm, const char format[], ...)
{
  char    line[1024], name[256];
  va_list ap;

  (void)comm;
  va_start(ap, format);
  vsnprintf(line, sizeof line, format, ap);
  va_end(ap);
  if (sscanf(line, " -%255[A-Za-z0-9_]", name) == 1) {
    const size_t d = Distance(listening->typo, name);
    if (d < listening->distance) {
      listening->distance = d;
      (void)PetscStrncpy(listening->best, name, sizeof listening->best);
    }
  }
  return 0;
}

PetscErrorCode ICLOptionsCheckUnused(PetscErrorCode (*read)(void *), void *ctx)
{
  PetscInt n, left;
  char   **names, **values;
  Closest  c = {.distance = (size_t)-1};

  PetscFunctionBegin;
  PetscCall(PetscOptionsLeftGet(NULL, &n, &names, &values));
  left = n;
  if (left > 0) PetscCall(PetscStrncpy(c.typo, names[0], sizeof c.typo));
  PetscCall(PetscOptionsLeftRestore(NULL, &n, &names, &values));
  if (!left) PetscFunctionReturn(0);
  {
    PetscErrorCode (*print)(MPI_Comm, const char[], ...) = PetscHelpPrintf;
    listening       = &c;
    PetscHelpPrintf = Listen;
    PetscCall(PetscOptionsSetValue(NULL, "-help", NULL));
    /* PETSc prints a block's help once: forget that the first reading went through it */
    PetscCall(PetscOptionsHelpPrintedDestroy(&PetscOptionsHelpPrintedSingleton));
    (void)read(ctx); /* it succeeded once; only the names it asks for matter now */
    PetscCall(PetscOptionsClearValue(NULL, "-help"));
    PetscHelpPrintf = print;
    listening       = NULL;
  }
  /* a suggestion is worth making when it is closer than a rewrite of a third of the name */
  if (c.best[0] && c.distance <= PetscMax(2, strlen(c.typo) / 3))
    SETERRQ(PETSC_COMM_SELF, ICL_ERR_INPUT, "unknown option -%s; did you mean -%s? (-help lists every option)", c.typo, c.best);
  SETERRQ(PETSC_COMM_SELF, ICL_ERR_INPUT, "unknown option -%s; run with -help to list every option", c.typo);
}
