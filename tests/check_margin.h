/* Shared by the DSS tests: model `better` beats model `worse` on one cell by more than five
 * standard errors of the difference of their test errors (at the cell's single M). */
#ifndef ICL_TEST_CHECK_MARGIN_H
#define ICL_TEST_CHECK_MARGIN_H

#include "check.h"
#include "model.h"

static inline PetscErrorCode CheckBeats(const ICLCell *cell, const char *better, const char *worse, const char *label)
{
  const char *names[2] = {worse, better};
  PetscReal   err[2], se[2];

  PetscFunctionBegin;
  for (int m = 0; m < 2; m++) {
    ICLCellResult res = {.test_error = &err[m], .test_error_se = &se[m], .gd_distance = NAN};
    PetscCall(ICLModelFind(names[m])->run(cell, &res));
    CHECK(res.status == ICL_STATUS_OK, "%s: status %d (%s)", names[m], (int)res.status, res.message);
    printf("%s: %-8s test error %.4f +- %.4f, training loss %.4f\n", label, names[m], err[m], se[m], res.train_loss);
  }
  const PetscReal margin = err[0] - err[1], sd = PetscSqrtReal(se[0] * se[0] + se[1] * se[1]);
  printf("%s: %s margin over %s %.4f +- %.4f (%.1f standard errors)\n", label, better, worse, margin, sd, margin / sd);
  CHECK(margin > 5 * sd, "%s: %s must beat %s by 5 standard errors: margin %.4f, se %.4f", label, better, worse, margin, sd);
  PetscFunctionReturn(0);
}

#endif
