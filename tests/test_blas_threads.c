/* The ground truth behind lending an idle rank's cores by default (docs/performance.md).
 * Asserted: one-thread GEMMs on fixed blocks, issued at once from several threads (as K's
 * formation does with lent cores), give the bits of the same blocks formed one after another.
 * Reported, not asserted (it depends on the BLAS build and the shape): whether a threaded BLAS
 * call gives the bits of its one-thread run. In the OpenBLAS measured, GEMM and gemv match at
 * some thread counts and shapes and not at others (a split over threads changes which edge
 * kernel sums an entry) and symv never does: none qualifies for lending by default. Negative
 * control: a result changed by one ulp is told apart. */
#include <petscsys.h>
#include <pthread.h>
#include <string.h>

#include "blas_extra.h"
#include "blas_threads.h"
#include "check.h"

#define N      601 /* odd, and large enough for OpenBLAS to thread every call below */
#define BLOCKS 8

static const char *names[] = {"dgemm TN", "dgemm NT", "sgemm TN", "dgemv N", "dgemv T", "dsymv U", "ssymv U"};

/* out (N * N doubles at most) = call c on a, b (af, bf: the same as floats). */
static void Apply(int c, const double *a, const double *b, const float *af, const float *bf, double *out)
{
  const PetscBLASInt n = N, inc = 1;
  const double       one = 1.0, zero = 0.0;
  const float        onef = 1.0f, zerof = 0.0f;
  float             *of = (float *)out;

  switch (c) {
  case 0: BLASgemm_("T", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, out, &n); break;
  case 1: BLASgemm_("N", "T", &n, &n, &n, &one, a, &n, b, &n, &zero, out, &n); break;
  case 2: BLASsgemm_("T", "N", &n, &n, &n, &onef, af, &n, bf, &n, &zerof, of, &n); break;
  case 3: BLASgemv_("N", &n, &n, &one, a, &n, b, &inc, &zero, out, &inc); break;
  case 4: BLASgemv_("T", &n, &n, &one, a, &n, b, &inc, &zero, out, &inc); break;
  case 5: BLASdsymv_("U", &n, &one, a, &n, b, &inc, &zero, out, &inc); break;
  default: BLASssymv_("U", &n, &onef, af, &n, bf, &inc, &zerof, of, &inc); break;
  }
}

/* Column block j of out = a^T b (one-thread DGEMM), for j = tid, tid + step, ... */
typedef struct {
  const double *a, *b;
  double       *out;
  int           tid, step;
} Share;

static void *Blocks(void *arg)
{
  const Share       *s = arg;
  const PetscBLASInt n = N, w = N / BLOCKS + 1;
  const double       one = 1.0, zero = 0.0;

  for (int j = s->tid; j < BLOCKS; j += s->step) {
    const PetscBLASInt c0 = j * w, m = PetscMin(w, N - c0);
    if (m > 0) BLASgemm_("T", "N", &n, &m, &n, &one, s->a, &n, s->b + (size_t)c0 * N, &n, &zero, s->out + (size_t)c0 * N, &n);
  }
  return NULL;
}

static PetscErrorCode Run(void)
{
  const size_t   nn   = (size_t)N * N;
  const PetscInt base = ICLBlasThreadsGet();
  double        *a, *b, *ref, *out;
  float         *af, *bf;

  PetscFunctionBegin;
  PetscCall(PetscMalloc4(nn, &a, nn, &b, nn, &ref, nn, &out));
  PetscCall(PetscMalloc2(nn, &af, nn, &bf));
  for (size_t i = 0; i < nn; i++) { /* values whose sums round differently in another order */
    a[i] = sin(1.0 + 0.37 * (double)i), b[i] = cos(0.5 + 0.11 * (double)i) / (1 + i % 13);
    af[i] = (float)a[i], bf[i] = (float)b[i];
  }
  PetscCall(ICLBlasThreadsSet(1));
  /* fixed blocks: one after another, then from 2, 3 and 4 threads at once */
  Share one = {.a = a, .b = b, .out = ref, .tid = 0, .step = 1};
  Blocks(&one);
  for (int t = 2; t <= 4; t++) {
    pthread_t thread[4];
    Share     s[4];
    memset(out, 0, nn * sizeof *out);
    for (int i = 0; i < t; i++) s[i] = (Share){.a = a, .b = b, .out = out, .tid = i, .step = t};
    for (int i = 1; i < t; i++) CHECK(!pthread_create(&thread[i], NULL, Blocks, &s[i]), "thread %d did not start", i);
    Blocks(&s[0]);
    for (int i = 1; i < t; i++) pthread_join(thread[i], NULL);
    CHECK(!memcmp(ref, out, nn * sizeof *ref), "fixed blocks from %d threads differ from one thread's", t);
  }
  /* threaded BLAS calls against their one-thread run */
  for (int c = 0; c < (int)(sizeof names / sizeof *names); c++) {
    PetscCall(ICLBlasThreadsSet(1));
    memset(ref, 0, nn * sizeof *ref);
    Apply(c, a, b, af, bf, ref);
    printf("%-9s n = %d, threaded vs 1 thread:", names[c], N);
    for (PetscInt t = 2; t <= 4; t++) {
      PetscCall(ICLBlasThreadsSet(t));
      memset(out, 0, nn * sizeof *out);
      Apply(c, a, b, af, bf, out);
      printf("  %d: %s", (int)t, memcmp(ref, out, nn * sizeof *ref) ? "differ" : "equal");
    }
    printf("\n");
  }
  memcpy(out, ref, nn * sizeof *ref);
  out[nn / 2] = nextafter(out[nn / 2], INFINITY);
  CHECK(memcmp(ref, out, nn * sizeof *ref) != 0, "one ulp went unseen");
  PetscCall(ICLBlasThreadsSet(base));
  PetscCall(PetscFree4(a, b, ref, out));
  PetscCall(PetscFree2(af, bf));
  PetscFunctionReturn(0);
}

CHECK_PETSC_MAIN("test_blas_threads")
