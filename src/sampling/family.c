#include "family.h"

#include <stdio.h>
#include <string.h>

#include "distreg.h"
#include "gmm.h"
#include "linreg.h"
#include "sphere.h"

static const ICLFamily *const registry[] = {&ICLFamilyGmm, &ICLFamilyLinreg, &ICLFamilySphere, &ICLFamilyDistreg};

const ICLFamily *ICLFamilyFind(const char *name)
{
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
    if (!strcmp(registry[i]->name, name)) return registry[i];
  return NULL;
}

int ICLFamilyOneOutput(const ICLTaskParams *p)
{
  (void)p;
  return 1;
}

void ICLNameListAppend(char *list, size_t len, const char *name)
{
  const size_t used = strlen(list);
  snprintf(list + used, len - used, "%s%s", used ? "," : "", name);
}

/* from the registry, so a family registered above is offered by -family and -help */
const char *ICLFamilyNames(void)
{
  static char names[256];
  if (!names[0])
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) ICLNameListAppend(names, sizeof names, registry[i]->name);
  return names;
}
