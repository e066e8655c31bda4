/* Nested draws: a cell with B training tasks trains on exactly the first B tasks of a cell with
 * more (task tau's draws are keyed by tau), so curves along a train_tasks axis are smooth. The
 * training problems of B = 50 and B = 200 agree bit for bit on the first 50 tasks, gmm and
 * linreg; another replicate (negative control) does not. */
#include <petscsys.h>

#include "check.h"
#include "bilinear_tasks.h"
#include "gmm.h"
#include "linreg.h"

enum { d = 12, N = 8, SMALL = 50, LARGE = 200 };

static PetscErrorCode Problem(const ICLFamily *fam, PetscInt B, uint64_t replicate, ICLBilinearProblem *p)
{
  const ICLCell cell = {.comm = PETSC_COMM_SELF, .family = fam, .task = {.d = d, .k = 3, .R = 1.5, .seed = 4, .replicate = replicate, .sigma = 0.5}, .N = N, .B = B};
  PetscFunctionBegin;
  PetscCall(ICLBilinearProblemCreate(&cell, p));
  PetscFunctionReturn(0);
}

/* The first n tasks of a and b are the same bits: the stacks' columns and the targets. */
static PetscBool SamePrefix(const ICLBilinearProblem *a, const ICLBilinearProblem *b, PetscInt n)
{
  const size_t words = (size_t)d * (size_t)n;
  if (memcmp(a->Mt, b->Mt, words * sizeof(PetscReal)) || memcmp(a->Vt, b->Vt, words * sizeof(PetscReal))) return PETSC_FALSE;
  return a->loss != ICL_LOSS_SQUARED || !memcmp(a->target, b->target, (size_t)n * sizeof(PetscReal)) ? PETSC_TRUE : PETSC_FALSE;
}

static PetscErrorCode Run(void)
{
  const ICLFamily *families[] = {&ICLFamilyGmm, &ICLFamilyLinreg};

  PetscFunctionBegin;
  for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
    ICLBilinearProblem small, large, other;
    PetscCall(Problem(families[f], SMALL, 0, &small));
    PetscCall(Problem(families[f], LARGE, 0, &large));
    PetscCall(Problem(families[f], SMALL, 1, &other));
    CHECK(small.B_local == SMALL && large.B_local == LARGE, "%s: %d and %d tasks held", families[f]->name, (int)small.B_local, (int)large.B_local);
    CHECK(SamePrefix(&small, &large, SMALL), "%s: B = %d is not the first %d tasks of B = %d", families[f]->name, SMALL, SMALL, LARGE);
    CHECK(!SamePrefix(&small, &other, 1), "%s: replicate 1 draws the same first task as replicate 0", families[f]->name);
    PetscCall(ICLBilinearProblemDestroy(&small));
    PetscCall(ICLBilinearProblemDestroy(&large));
    PetscCall(ICLBilinearProblemDestroy(&other));
  }
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_nested_tasks")
