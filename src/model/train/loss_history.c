#include "loss_history.h"

#include <math.h>

/* The step of point j: j itself for short runs, else j T / (ICL_HISTORY - 1) rounded, which
 * is increasing in j when T >= ICL_HISTORY - 1. The last point (j = ICL_HISTORY - 1) is T. */
static PetscInt Planned(PetscInt T, PetscInt j) { return T < ICL_HISTORY ? j : (PetscInt)llround((double)j * T / (ICL_HISTORY - 1)); }

void ICLLossHistoryStart(ICLLossHistory *h, PetscInt T)
{
  if (!h) return;
  h->T = T;
  h->n = 0;
}

void ICLLossHistoryAdd(ICLLossHistory *h, PetscInt t, PetscReal loss)
{
  if (!h || t >= h->T || h->n >= ICL_HISTORY - 1 || t != Planned(h->T, h->n)) return;
  h->step[h->n] = (PetscReal)t;
  h->loss[h->n] = loss;
  h->n++;
}

void ICLLossHistoryEnd(ICLLossHistory *h, PetscInt t, PetscReal loss)
{
  if (!h) return;
  if (h->n > 0 && h->step[h->n - 1] == (PetscReal)t) h->n--; /* a run that stopped at a kept step */
  h->step[h->n] = (PetscReal)t;
  h->loss[h->n] = loss;
  h->n++;
}
