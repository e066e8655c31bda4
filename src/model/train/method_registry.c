#include "train_method.h"

/* One line per method; the order is the order of -help and of plan's counts. */
extern const ICLTrainMethodType ICLTrainMethodGd, ICLTrainMethodDual, ICLTrainMethodTao;

static const ICLTrainMethodType *const registry[] = {
  &ICLTrainMethodGd, &ICLTrainMethodDual, &ICLTrainMethodTao,
};

#define NMETHODS ((PetscInt)(sizeof registry / sizeof registry[0]))
_Static_assert(sizeof registry / sizeof registry[0] <= ICL_MAX_TRAIN_METHODS, "raise ICL_MAX_TRAIN_METHODS");

const ICLTrainMethodType *ICLTrainMethodFind(const char *name)
{
  for (PetscInt i = 0; i < NMETHODS; i++)
    if (!strcmp(registry[i]->name, name) || (registry[i]->alias && !strcmp(registry[i]->alias, name))) return registry[i];
  return NULL;
}

PetscInt ICLTrainMethodCount(void) { return NMETHODS; }

const ICLTrainMethodType *ICLTrainMethodAt(PetscInt i) { return registry[i]; }

PetscInt ICLTrainMethodIndex(const ICLTrainMethodType *method)
{
  for (PetscInt i = 0; i < NMETHODS; i++)
    if (registry[i] == method) return i;
  return -1;
}

const char *ICLTrainMethodName(const ICLTrainMethodType *method) { return method ? method->name : "auto"; }

const ICLTrainMethodType *ICLTrainMethodResolve(const ICLCell *cell)
{
  const ICLTrainMethodType *best = NULL;
  PetscReal                 least = 0;

  if (cell->method) return cell->method;
  for (PetscInt i = 0; i < NMETHODS; i++) {
    if (!registry[i]->auto_cost) continue;
    const PetscReal cost = registry[i]->auto_cost(cell);
    if (!best || cost < least) best = registry[i], least = cost;
  }
  return best;
}

void ICLTrainMethodNamesWith(PetscBool single, char *buf, size_t len)
{
  buf[0] = 0;
  for (PetscInt i = 0; i < NMETHODS; i++)
    if (single ? registry[i]->single : registry[i]->gd_iterates) {
      const size_t used = strlen(buf);
      snprintf(buf + used, len - used, "%s%s", used ? ", " : "", registry[i]->name);
    }
}

PetscErrorCode ICLTrainMethodCheckGD(const ICLCell *cell, const char *model)
{
  char gd[128];

  PetscFunctionBegin;
  if (!cell->method || cell->method->gd_iterates) PetscFunctionReturn(0);
  ICLTrainMethodNamesWith(PETSC_FALSE, gd, sizeof gd);
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_SUP, "%s on %s: -train_method %s is not implemented; use %s or auto", model, cell->family->name, cell->method->name, gd);
}
