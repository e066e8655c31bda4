/* Task families (SPEC §3), registered by name. A new family is one new file plus one
 * line in family.c. */
#ifndef ICL_FAMILY_H
#define ICL_FAMILY_H

#include <stdint.h>

/* Where a task lives: everything a family needs to draw tasks of one cell. */
typedef struct {
  int      d, k;      /* ambient dimension, subspace rank */
  double   R;         /* signal strength */
  uint64_t seed;      /* master seed */
  uint64_t replicate; /* independent repetition */
} ICLTaskParams;

typedef struct {
  const char *name;
  const char *description;
  double (*bayes_error)(double R); /* error of the learner that knows the task */
} ICLFamily;

/* NULL when no family has that name. */
const ICLFamily *ICLFamilyFind(const char *name);
/* Comma-separated list of registered names, for help and error messages. */
const char *ICLFamilyNames(void);

#endif
