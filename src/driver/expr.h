/* A numeric parameter as an expression of a cell's coordinates (-R_expr "5*sqrt(d)"), parsed and
 * evaluated by muParser: the sweep's grid names the variables, a cell gives their values. */
#ifndef ICL_EXPR_H
#define ICL_EXPR_H

#include <petscsys.h>

#define ICL_EXPR_MAX_VARS 16

typedef struct ICLExpr ICLExpr;

/* Compiles `text` (the value of option `opt`, for messages) over the nvars variables `names`.
 * A syntax error or an unknown name is ICL_ERR_INPUT naming the position and the variables.
 * The expression lives until PetscFinalize. */
PetscErrorCode ICLExprCreate(const char *opt, const char *text, PetscInt nvars, const char *const *names, ICLExpr **e);
/* The value at the variables' values (in the order of the names given to ICLExprCreate). */
double ICLExprEval(ICLExpr *e, const double *values);

#endif
