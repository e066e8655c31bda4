#include "model.h"

/* One line per model; the order is the order of -help. */
extern const ICLModelType ICLModelLinear, ICLModelMle, ICLModelOracle, ICLModelBayes;
extern const ICLModelType ICLModelLowrank, ICLModelH3, ICLModelLora;
extern const ICLModelType ICLModelSvm;
extern const ICLModelType ICLModelSoftmax, ICLModelGd1;
extern const ICLModelType ICLModelExpkernel, ICLModelNormpoly, ICLModelGd1Kernel, ICLModelGd1Adaptive;
extern const ICLModelType ICLModelKernel, ICLModelDistill;

static const ICLModelType *const registry[] = {
  &ICLModelLinear, &ICLModelMle, &ICLModelOracle, &ICLModelBayes,
  &ICLModelLowrank, &ICLModelH3, &ICLModelLora,
  &ICLModelSvm,
  &ICLModelSoftmax, &ICLModelExpkernel, &ICLModelNormpoly,
  &ICLModelGd1, &ICLModelGd1Kernel, &ICLModelGd1Adaptive,
  &ICLModelKernel, &ICLModelDistill,
};

const ICLModelType *ICLModelFind(const char *name)
{
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
    if (!strcmp(registry[i]->name, name)) return registry[i];
  return NULL;
}

const char *ICLModelNames(void)
{
  static char names[256];
  if (!names[0])
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) ICLNameListAppend(names, sizeof names, registry[i]->name);
  return names;
}

const char *ICLModelChoices(const char *param, PetscInt *def)
{
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
    const char *names = registry[i]->choices ? registry[i]->choices(param, def) : NULL;
    if (names) return names;
  }
  return NULL;
}
