#include "family.h"

#include <string.h>

#include "gmm.h"

static const ICLFamily *const registry[] = {&ICLFamilyGmm};

const ICLFamily *ICLFamilyFind(const char *name)
{
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
    if (!strcmp(registry[i]->name, name)) return registry[i];
  return NULL;
}

const char *ICLFamilyNames(void) { return "gmm"; }
