/* Minimal assertion counting for the C unit tests: each CHECK is one assertion; main()
 * returns non-zero if any failed, and prints "N passed, N failed". */
#ifndef ICL_TEST_CHECK_H
#define ICL_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) \
  do { \
    if (cond) check_passed++; \
    else { \
      check_failed++; \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__); \
      fprintf(stderr, "\n"); \
    } \
  } while (0)

/* |a - b| <= tol, reported with both values. */
#define CHECK_NEAR(a, b, tol, what) CHECK(fabs((a) - (b)) <= (tol), "%s: %.6g vs %.6g (tol %.3g)", what, (double)(a), (double)(b), (double)(tol))

static inline int CheckCompareDoubles(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Two-sample KS statistic sup |F1 - F2| (sorts its inputs). */
static inline double CheckKS(double *a, double *b, int na, int nb)
{
  int    i = 0, j = 0;
  double dmax = 0;
  qsort(a, (size_t)na, sizeof *a, CheckCompareDoubles);
  qsort(b, (size_t)nb, sizeof *b, CheckCompareDoubles);
  while (i < na && j < nb) {
    if (a[i] <= b[j]) i++;
    else j++;
    dmax = fmax(dmax, fabs((double)i / na - (double)j / nb));
  }
  return dmax;
}

static inline int CheckReport(const char *name)
{
  printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
  return check_failed ? 1 : 0;
}

/* main() of a unit test that needs PETSc; the test's checks are in its Run(). */
#define CHECK_PETSC_MAIN(name) \
  int main(int argc, char **argv) \
  { \
    PetscCall(PetscInitialize(&argc, &argv, NULL, NULL)); \
    PetscCall(Run()); \
    const int status_ = CheckReport(name); \
    PetscCall(PetscFinalize()); \
    return status_; \
  }

#endif
