/* Task families (docs/families.md), registered by name. A new family is one new file plus one
 * line in family.c. */
#ifndef ICL_FAMILY_H
#define ICL_FAMILY_H

#include <stddef.h>
#include <stdint.h>

/* Where a task lives: everything a family needs to draw tasks of one cell. */
typedef struct {
  int      d, k;      /* ambient dimension, subspace rank */
  double   R;         /* signal strength */
  uint64_t seed;      /* master seed */
  uint64_t replicate; /* independent repetition */

  /* Family options: zero (the value a designated initializer leaves) is the default, so
   * gmm and callers that do not know them are unaffected. Scalars can be sweep axes. */
  double sigma;          /* linreg, distreg: sd of the output noise xi */
  double alpha;          /* linreg: RAG correlation, x_i = alpha x_q + sqrt(1-alpha^2) g_i */
  double drift;          /* linreg: non-stationary task drift (linreg.h) */
  int    spectrum;       /* linreg: ICLSpectrumKind of Sigma_beta (0: flat, (R^2/k) U U^T) */
  double spectrum_param; /* linreg: geometric ratio or power-law exponent */
  const double *spectrum_list; /* linreg: explicit lambda_1..lambda_k (ICL_SPECTRUM_LIST) */
  const double *factor_x;    /* linreg: d x d row-major F_x with F_x F_x^T = Sigma_x; NULL: I_d */
  const double *factor_beta; /* linreg: d x d row-major F_b, F_b F_b^T = Sigma_beta; NULL: spectrum */
  int    x_spectrum;       /* linreg: ICLSpectrumKind of Sigma_x's eigenvalues, tr Sigma_x = d (0: flat, I_d) */
  double x_spectrum_param; /* linreg: its geometric ratio or power-law exponent */
  const double *x_spectrum_list; /* linreg: its explicit eigenvalues mu_1..mu_d */
  double alignment;        /* linreg: of Sigma_x's eigenbasis with Sigma_beta's, in [0, 1] (linreg.h) */
  int    source;           /* linreg: 1 = the source law of lora, drawn from streams of its own */
  int    classes;        /* sphere: number of classes C (0: 2) */
  double noise;          /* sphere: off-subspace noise scale epsilon (0: none) */
  int    prototypes;     /* sphere: prototypes per class P (0: 1) */
  int    link;           /* distreg: ICLDistregLink, the nonlinearity g (0: tanh) */
  int    input_law;      /* distreg: ICLDistregInput, the law of x - c_t (0: Gaussian) */
  const double *U;       /* task subspace, d x k orthonormal columns (subspace.h); NULL: first k coordinates */
} ICLTaskParams;

/* What a task's output is, hence how a prediction is scored. */
typedef enum {
  ICL_OUTPUT_SIGN,       /* gmm: label +-1, error = P(sign(prediction) != label) */
  ICL_OUTPUT_CLASS,      /* sphere: one-hot in R^C, error = P(argmax prediction != class) */
  ICL_OUTPUT_REGRESSION  /* linreg, distreg: a real, error = mean squared error */
} ICLOutputKind;

typedef struct {
  const char *name;
  const char *description;
  ICLOutputKind kind;
  /* Width of one target: C for sphere, 1 otherwise. */
  int (*outputs)(const ICLTaskParams *p);
  /* One task as explicit tokens, for models that need them (softmax, kernel, h3, ...):
   * X (N x d, row-major), Y (N x outputs: gmm labels +-1, sphere one-hot rows, linreg and
   * distreg values), query xq (d) and its target yq (outputs). purpose is ICL_PURPOSE_TASK
   * for training tasks or ICL_PURPOSE_TEST_TASK for test tasks (an ICLPurpose). Returns -1 on
   * invalid options. */
  int (*tokens)(const ICLTaskParams *p, int N, int purpose, uint64_t index, double *X, double *Y, double *xq, double *yq);
  /* Error (gmm, sphere: 0-1 error; linreg, distreg: squared-loss risk) of the learner that
   * knows the task, at signal strength p->R and the family options in p; NULL when it has
   * no closed form. */
  double (*bayes_error)(const ICLTaskParams *p);
  /* The exact training statistic of merged linear attention, when the family has one (gmm:
   * a = m, the label-weighted context mean, b = v, the label-weighted query; see gmm.h);
   * NULL: models build the pair from tokens. */
  void (*train_pair)(const ICLTaskParams *p, int N, uint64_t index, double *a, double *b);
  /* The sweep options of its tasks (names without '-', comma-separated; NULL: none). */
  const char *params;
} ICLFamily;

/* outputs() of the one-output families. */
int ICLFamilyOneOutput(const ICLTaskParams *p);

/* NULL when no family has that name. */
const ICLFamily *ICLFamilyFind(const char *name);
/* Comma-separated list of registered names, for help and error messages. */
const char *ICLFamilyNames(void);
/* Appends name to the comma-separated list in list (of len bytes): registries' name lists. */
void ICLNameListAppend(char *list, size_t len, const char *name);

#endif
