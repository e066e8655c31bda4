/* Counter-based random streams (Philox4x64-10 from Random123).
 *
 * A stream is a pure function of (master seed, purpose, coordinate hash, replicate, index):
 * never of the rank or the order of work, so a cell's numbers are the same whichever rank
 * computes it, in whatever order, after any number of restarts (docs/families.md). */
#ifndef ICL_RNG_H
#define ICL_RNG_H

#include <stddef.h>
#include <stdint.h>

/* What a stream is used for; distinct purposes give independent streams. */
typedef enum {
  ICL_PURPOSE_TASK = 1,      /* task parameters (gmm: the direction u of mu) */
  ICL_PURPOSE_CONTEXT = 2,   /* context noise (gmm: z in m = mu + z/sqrt(N)) */
  ICL_PURPOSE_QUERY = 3,     /* query noise (gmm: z' in v = mu + z') */
  ICL_PURPOSE_TOKENS = 4,    /* explicit tokens (labels and per-token noise) */
  ICL_PURPOSE_TEST_TASK = 5, /* test tasks, shared by every model, N and M */
  ICL_PURPOSE_TEST_CONTEXT = 6,
  ICL_PURPOSE_SUBSPACE = 7,    /* the random task subspace U */
  ICL_PURPOSE_TEST_TOKENS = 8, /* explicit tokens of test tasks */
  ICL_PURPOSE_MODEL_INIT = 9,  /* random initial parameters of a trained model (lowrank) */
  ICL_PURPOSE_FEATURES = 10,   /* random features of a model (prf: omega), shared by its cells */
  ICL_PURPOSE_SOURCE = 11,     /* every draw of a source-law task (linreg, p->source: lora's W_0) */
  ICL_PURPOSE_X_BASIS = 12,    /* the random rotation between Sigma_x's and Sigma_beta's eigenbases */
  ICL_PURPOSE_GRAM = 13        /* gram engine: in-subspace noise and Bartlett columns (wishart.h) */
} ICLPurpose;

typedef struct {
  uint64_t key[2];
  uint64_t ctr[4];
  uint64_t out[4]; /* current block */
  int      used;   /* words of out[] consumed */
  double   spare;  /* second Box-Muller normal */
  int      has_spare;
} ICLStream;

/* Hash of coordinate values: streams are keyed by values, not by positions in a grid,
 * so adding a value to an axis leaves every existing cell's numbers unchanged. */
uint64_t ICLHashInit(void);
uint64_t ICLHashU64(uint64_t h, uint64_t v);
uint64_t ICLHashDouble(uint64_t h, double v);

void   ICLStreamInit(ICLStream *s, uint64_t seed, ICLPurpose purpose, uint64_t coords, uint64_t replicate, uint64_t index);
double ICLStreamUniform(ICLStream *s); /* in (0, 1) */
double ICLStreamNormal(ICLStream *s);  /* N(0, 1) */
void   ICLStreamNormals(ICLStream *s, size_t n, double *x);

#endif
