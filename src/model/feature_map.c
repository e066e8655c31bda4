#include "feature_map.h"

#include <string.h>

static const char *const names[ICL_PHI_COUNT] = {"identity", "elu1", "relu", "exp", "prf", "poly2"};

int ICLFeatureMapFind(const char *name)
{
  for (int i = 0; i < ICL_PHI_COUNT; i++)
    if (!strcmp(name, names[i])) return i;
  return -1;
}

const char *ICLFeatureMapNames(void) { return "identity,elu1,relu,exp,prf,poly2"; }
