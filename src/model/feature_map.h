/* Feature maps phi of kernelized linear attention (SPEC §4, model `kernel`), registered by
 * name so -feature_map and -grid_feature_map accept names and results.nc stores the index. */
#ifndef ICL_FEATURE_MAP_H
#define ICL_FEATURE_MAP_H

typedef enum {
  ICL_PHI_IDENTITY = 0, /* phi(x) = x: plain linear attention */
  ICL_PHI_ELU1     = 1, /* elu(x) + 1 (Katharopoulos et al.) */
  ICL_PHI_RELU     = 2,
  ICL_PHI_EXP      = 3, /* elementwise exp */
  ICL_PHI_PRF      = 4, /* positive random features approximating the exp (softmax) kernel, D features */
  ICL_PHI_POLY2    = 5, /* second-order Taylor features of the exp kernel */
  ICL_PHI_COUNT
} ICLFeatureMapKind;

/* -1 when unknown. */
int         ICLFeatureMapFind(const char *name);
/* Comma-separated names in enum order. */
const char *ICLFeatureMapNames(void);

#endif
