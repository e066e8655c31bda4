#include "expr.h"

#include <muParserDLL.h>

#include "error.h"

struct ICLExpr {
  muParserHandle_t parser;
  PetscInt         nvars;
  double           vars[ICL_EXPR_MAX_VARS]; /* muParser reads the variables through these addresses */
  ICLExpr         *next;
};

/* Every expression of the process, released at PetscFinalize (a sweep has no destructor). */
static ICLExpr *all = NULL;

static PetscErrorCode ReleaseAll(void)
{
  PetscFunctionBegin;
  while (all) {
    ICLExpr *e = all;
    all        = e->next;
    mupRelease(e->parser);
    PetscCall(PetscFree(e));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLExprCreate(const char *opt, const char *text, PetscInt nvars, const char *const *names, ICLExpr **out)
{
  ICLExpr *e;
  char     known[256] = "";

  PetscFunctionBegin;
  PetscCheck(nvars <= ICL_EXPR_MAX_VARS, PETSC_COMM_SELF, PETSC_ERR_PLIB, "%d variables, at most %d", (int)nvars, ICL_EXPR_MAX_VARS);
  PetscCall(PetscNew(&e));
  if (!all) PetscCall(PetscRegisterFinalize(ReleaseAll));
  e->next = all, all = e;
  e->parser = mupCreate(muBASETYPE_FLOAT);
  e->nvars  = nvars;
  for (PetscInt i = 0; i < nvars; i++) {
    e->vars[i] = 1; /* a value that makes any well-formed expression evaluable */
    mupDefineVar(e->parser, names[i], &e->vars[i]);
    PetscCall(PetscStrlcat(known, i ? ", " : "", sizeof known));
    PetscCall(PetscStrlcat(known, names[i], sizeof known));
  }
  mupSetExpr(e->parser, text);
  (void)mupEval(e->parser); /* muParser parses on the first evaluation */
  PetscCheck(!mupError(e->parser), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s \"%s\": error at position %d: %s; use numbers, + - * / ^, functions like sqrt, log, exp, min, max, and the variables %s", opt, text, (int)mupGetErrorPos(e->parser),
             mupGetErrorMsg(e->parser), known);
  *out = e;
  PetscFunctionReturn(0);
}

double ICLExprEval(ICLExpr *e, const double *values)
{
  for (PetscInt i = 0; i < e->nvars; i++) e->vars[i] = values[i];
  return mupEval(e->parser);
}
