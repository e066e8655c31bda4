#include "options.h"

#include <ctype.h>
#include <float.h>

#include <petsctao.h>

#include "distreg.h"
#include "feature_map.h"
#include "gmm.h"
#include "linreg.h"

#include "error.h"
#include "grid.h"
#include "rng.h"

/* PETSc's parse errors do not name the option: say which one. */
#define OptCall(opt, call) \
  do { \
    PetscErrorCode opt_err_ = (call); \
    PetscCheck(!opt_err_, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: %s", opt, ICLErrorDetail()); \
  } while (0)

static PetscErrorCode CheckListLength(const char *opt, PetscInt nmax);

static PetscBool FamilyIs(const ICLSweep *sw, const char *name) { return !strcmp(sw->family, name) ? PETSC_TRUE : PETSC_FALSE; }
static PetscBool HasModel(const ICLSweep *sw, const char *name)
{
  for (PetscInt i = 0; i < sw->nmodels; i++)
    if (!strcmp(sw->models[i], name)) return PETSC_TRUE;
  return PETSC_FALSE;
}
static PetscBool ForSigma(const ICLSweep *sw) { return FamilyIs(sw, "linreg") || FamilyIs(sw, "distreg"); }
static PetscBool ForLinreg(const ICLSweep *sw) { return FamilyIs(sw, "linreg"); }
static PetscBool ForSphere(const ICLSweep *sw) { return FamilyIs(sw, "sphere"); }
static PetscBool ForDistreg(const ICLSweep *sw) { return FamilyIs(sw, "distreg"); }
static PetscBool ForRank(const ICLSweep *sw) { return HasModel(sw, "lowrank") || HasModel(sw, "lora") || (HasModel(sw, "oracle") && FamilyIs(sw, "linreg")); }
static PetscBool ForXSpectrum(const ICLSweep *sw) { return FamilyIs(sw, "linreg") && sw->x_spectrum[0] ? PETSC_TRUE : PETSC_FALSE; }
static PetscBool ForSource(const ICLSweep *sw) { return HasModel(sw, "lora") || sw->oracle_lora; }
static PetscBool ForFeatures(const ICLSweep *sw) { return HasModel(sw, "kernel") || HasModel(sw, "distill"); }
static PetscBool Reads(const ICLSweep *sw, unsigned what)
{
  for (PetscInt i = 0; i < sw->nmodels; i++)
    if (sw->types[i] && (sw->types[i]->reads & what)) return PETSC_TRUE;
  return PETSC_FALSE;
}
static PetscBool ForTasks(const ICLSweep *sw) { return Reads(sw, ICL_READS_TASKS); }
static PetscBool ForSteps(const ICLSweep *sw) { return Reads(sw, ICL_READS_STEPS); }
static PetscBool ForLr(const ICLSweep *sw) { return Reads(sw, ICL_READS_LR); }
static PetscBool ForAll(const ICLSweep *sw) { (void)sw; return PETSC_TRUE; }

static void SetSigma(ICLCell *c, double v) { c->task.sigma = v; }
static void SetAlpha(ICLCell *c, double v) { c->task.alpha = v; }
static void SetDrift(ICLCell *c, double v) { c->task.drift = v; }
static void SetClasses(ICLCell *c, double v) { c->task.classes = (int)v; }
static void SetNoise(ICLCell *c, double v) { c->task.noise = v; }
static void SetPrototypes(ICLCell *c, double v) { c->task.prototypes = (int)v; }
static void SetLink(ICLCell *c, double v) { c->task.link = (int)v; }
static void SetInputLaw(ICLCell *c, double v) { c->task.input_law = (int)v; }
static void SetRank(ICLCell *c, double v) { c->w_rank = (PetscInt)v; }
static void SetAlignment(ICLCell *c, double v) { c->task.alignment = v; }
static void SetFeatures(ICLCell *c, double v) { c->features = (PetscInt)v; }
static void SetFeatureMap(ICLCell *c, double v) { c->feature_map = (PetscInt)v; }
static void SetTasks(ICLCell *c, double v) { c->B = (PetscInt)v; }
static void SetSteps(ICLCell *c, double v) { c->T = (PetscInt)v; }
static void SetLr(ICLCell *c, double v) { c->lr = v; }
static void SetR(ICLCell *c, double v) { c->task.R = v; }
static void SetEvalR(ICLCell *c, double v) { c->eval_R = v; }

/* Parameters that can be single values or axes: a new one is one line here (and its use by
 * the family or model). Axes appear in results.nc in this order. */
static const ICLSweepParam params[] = {
  {"sigma", "output noise standard deviation", 0.5, 0, 1e6, PETSC_FALSE, NULL, NULL, "families linreg and distreg", ForSigma, SetSigma, PETSC_FALSE, PETSC_FALSE},
  {"alpha", "RAG correlation of context inputs with the query", 0, 0, 1, PETSC_FALSE, NULL, NULL, "family linreg", ForLinreg, SetAlpha, PETSC_FALSE, PETSC_FALSE},
  {"drift", "non-stationary task drift along the sequence", 0, 0, 1e6, PETSC_FALSE, NULL, NULL, "family linreg", ForLinreg, SetDrift, PETSC_FALSE, PETSC_FALSE},
  {"classes", "number of classes C", 2, 2, 1001, PETSC_TRUE, NULL, NULL, "family sphere", ForSphere, SetClasses, PETSC_FALSE, PETSC_FALSE},
  {"noise", "off-subspace noise scale", 0, 0, 1e6, PETSC_FALSE, NULL, NULL, "family sphere", ForSphere, SetNoise, PETSC_FALSE, PETSC_FALSE},
  {"prototypes_per_class", "prototypes (modes) P per class", 1, 1, 1001, PETSC_TRUE, NULL, NULL, "family sphere", ForSphere, SetPrototypes, PETSC_FALSE, PETSC_TRUE},
  {"link", "response nonlinearity g", 0, 0, ICL_LINK_COUNT, PETSC_TRUE, ICLDistregLinkFind, ICLDistregLinkNames, "family distreg", ForDistreg, SetLink, PETSC_FALSE, PETSC_FALSE},
  {"input_law", "law of the inputs around the task mean", 0, 0, ICL_INPUT_COUNT, PETSC_TRUE, ICLDistregInputFind, ICLDistregInputNames, "family distreg", ForDistreg, SetInputLaw, PETSC_FALSE, PETSC_FALSE},
  {"rank", "rank r of W = A B^T (lowrank; oracle on linreg: W*_r; lora and -oracle_lora: of the correction, 0 = W_0)", 0, 0, 100001, PETSC_TRUE, NULL, NULL, "models lowrank, lora and oracle (linreg)", ForRank, SetRank, PETSC_FALSE, PETSC_FALSE},
  {"alignment", "of Sigma_x's eigenbasis with Sigma_beta's: 1 the same eigenvectors in order, 0 a keyed random rotation",
   1, 0, 1 + DBL_EPSILON, PETSC_FALSE, NULL, NULL, "family linreg with -x_spectrum", ForXSpectrum, SetAlignment, PETSC_FALSE, PETSC_FALSE},
  {"features", "number D of random features (prf)", 64, 1, 1000001, PETSC_TRUE, NULL, NULL, "models kernel and distill", ForFeatures, SetFeatures, PETSC_FALSE, PETSC_FALSE},
  {"feature_map", "feature map phi of kernel attention", ICL_PHI_ELU1, 0, ICL_PHI_COUNT, PETSC_TRUE, ICLFeatureMapFind, ICLFeatureMapNames, "models kernel and distill", ForFeatures, SetFeatureMap, PETSC_FALSE, PETSC_FALSE},
  /* the training budget: one value is accepted by any sweep (recorded option files name it); an
   * axis or expression only where a model reads it (docs/budget.md) */
  {"train_tasks", "training tasks B", 20000, 1, PETSC_MAX_INT, PETSC_TRUE, NULL, NULL, "trained models", ForTasks, SetTasks, PETSC_TRUE, PETSC_FALSE},
  {"train_steps", "full-batch GD steps T", 300, 0, PETSC_MAX_INT, PETSC_TRUE, NULL, NULL, "trained models", ForSteps, SetSteps, PETSC_TRUE, PETSC_FALSE},
  {"train_lr", "GD step size eta", 0.01, 1e-300, PETSC_MAX_REAL, PETSC_FALSE, NULL, NULL, "trained models", ForLr, SetLr, PETSC_TRUE, PETSC_FALSE},
};
/* Cell values that are coordinates or options of their own but may be expressions too. */
static const ICLSweepParam cell_params[] = {
  {"R", "signal strength R", 2, 1e-300, 1e6, PETSC_FALSE, NULL, NULL, "every sweep", ForAll, SetR, PETSC_TRUE, PETSC_FALSE},
  {"eval_R", "test signal strength", 0, 1e-300, 1e300, PETSC_FALSE, NULL, NULL, "every sweep", ForAll, SetEvalR, PETSC_TRUE, PETSC_FALSE},
};
#define NPARAMS ((PetscInt)(sizeof params / sizeof params[0]))

const ICLSweepParam *ICLSweepParams(PetscInt *n)
{
  *n = NPARAMS;
  return params;
}

static PetscInt ParamIndex(const char *name)
{
  PetscInt i = 0;
  while (i < NPARAMS - 1 && strcmp(params[i].name, name)) i++;
  return i;
}

/* Reads -NAME (one value) and -grid_NAME (an axis) of parameter i; categorical values by name. */
/* An integer grid axis opt: a comma list of at most ICL_MAX_AXIS values, or the one default
 * already in values[0] when opt is not given. */
static PetscErrorCode ReadIntAxis(PetscOptionItems *PetscOptionsObject, const char *opt, const char *text, PetscInt *values, PetscInt *n)
{
  PetscBool set;

  PetscFunctionBegin;
  *n = ICL_MAX_AXIS;
  OptCall(opt, PetscOptionsIntArray(opt, text, NULL, values, n, &set));
  if (!set) *n = 1;
  PetscFunctionReturn(0);
}

/* -NAME_expr of parameter q: its text now, compiled once the axes (its variables) are known. */
static PetscErrorCode ReadExpr(PetscOptionItems *PetscOptionsObject, ICLSweep *sw, const ICLSweepParam *q, PetscBool *set)
{
  char opt[64], text[256], value[256] = "";

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(opt, sizeof opt, "-%s_expr", q->name));
  PetscCall(PetscSNPrintf(text, sizeof text, "%s: %s per cell, an expression of its coordinates, e.g. \"5*sqrt(d)\" (docs/budget.md)", q->used_by, q->name));
  OptCall(opt, PetscOptionsString(opt, text, NULL, value, value, sizeof value, set));
  if (*set) {
    PetscCheck(sw->nexpr < ICL_MAX_EXPR, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: at most %d parameters can be expressions at once", opt, ICL_MAX_EXPR);
    sw->expr[sw->nexpr].param = q;
    PetscCall(PetscStrncpy(sw->expr[sw->nexpr++].text, value, sizeof sw->expr[0].text));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadParam(PetscOptionItems *PetscOptionsObject, ICLSweep *sw, PetscInt i, PetscBool *single, PetscBool *axis, PetscBool *expr)
{
  const ICLSweepParam *q = &params[i];
  char                 opt[64], gopt[64], text[256];
  PetscReal           *v = sw->extra[sw->nextra].v;
  PetscInt             n = ICL_MAX_AXIS;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(opt, sizeof opt, "-%s", q->name));
  PetscCall(PetscSNPrintf(gopt, sizeof gopt, "-grid_%s", q->name));
  PetscCall(CheckListLength(gopt, ICL_MAX_AXIS));
  if (!q->find) {
    PetscCall(PetscSNPrintf(text, sizeof text, "%s: %s", q->used_by, q->description));
    OptCall(opt, PetscOptionsReal(opt, text, NULL, sw->value[i], &sw->value[i], single));
    PetscCall(PetscSNPrintf(text, sizeof text, "%s: sweep axis of %s (comma list)", q->used_by, q->name));
    OptCall(gopt, PetscOptionsRealArray(gopt, text, NULL, v, &n, axis));
  } else {
    char  name[ICL_NAME_LEN], *names[ICL_MAX_AXIS];
    PetscCall(PetscStrncpy(name, "", sizeof name));
    PetscCall(PetscSNPrintf(text, sizeof text, "%s: %s, one of %s", q->used_by, q->description, q->names()));
    OptCall(opt, PetscOptionsString(opt, text, NULL, name, name, sizeof name, single));
    if (*single) {
      const int c = q->find(name);
      PetscCheck(c >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s: unknown; use one of %s", opt, name, q->names());
      sw->value[i] = c;
    }
    PetscCall(PetscSNPrintf(text, sizeof text, "%s: sweep axis of %s (comma list of %s)", q->used_by, q->name, q->names()));
    OptCall(gopt, PetscOptionsStringArray(gopt, text, NULL, names, &n, axis));
    if (!*axis) n = 0;
    for (PetscInt j = 0; j < n; j++) {
      const int c = q->find(names[j]);
      PetscCheck(c >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: unknown value '%s'; use names from %s", gopt, names[j], q->names());
      v[j] = c;
      PetscCall(PetscFree(names[j]));
    }
  }
  if (*axis) {
    PetscCheck(sw->nextra < ICL_MAX_EXTRA, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: at most %d parameter axes can be swept at once", gopt, ICL_MAX_EXTRA);
    sw->extra[sw->nextra].param = q;
    sw->extra[sw->nextra++].n   = n;
  }
  *expr = PETSC_FALSE;
  if (!q->find) PetscCall(ReadExpr(PetscOptionsObject, sw, q, expr));
  PetscFunctionReturn(0);
}

/* Range of one value of parameter q (opt names the option, for the message). */
static PetscBool InRange(const ICLSweepParam *q, PetscReal v) { return PetscIsNormalReal(v + 1) && v >= q->min && v < q->max && (!q->integer || v == PetscFloorReal(v)) ? PETSC_TRUE : PETSC_FALSE; }

static PetscErrorCode CheckParamValue(const char *opt, const ICLSweepParam *q, PetscReal v)
{
  PetscFunctionBegin;
  PetscCheck(InRange(q, v), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: value %g is out of range; use %s in [%g, %g)", opt, (double)v, q->integer ? "integers" : "numbers",
             (double)q->min, (double)q->max);
  PetscFunctionReturn(0);
}

/* Sorts an axis ascending and rejects repeated values: coordinates must be monotonic. */
static PetscErrorCode CheckIntAxis(const char *opt, PetscInt *v, PetscInt n, PetscInt lo, PetscInt hi)
{
  PetscFunctionBegin;
  PetscCheck(n > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s needs at least one value, e.g. %s 10,20", opt, opt);
  for (PetscInt i = 0; i < n; i++)
    PetscCheck(v[i] >= lo && v[i] <= hi, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: value %d is out of range; use integers in [%d, %d]", opt, (int)v[i], (int)lo, (int)hi);
  PetscCall(PetscSortInt(n, v));
  for (PetscInt i = 1; i < n; i++) PetscCheck(v[i] != v[i - 1], PETSC_COMM_SELF, ICL_ERR_INPUT, "%s lists %d twice; give each value once", opt, (int)v[i]);
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckRealAxis(const char *opt, PetscReal *v, PetscInt n, PetscReal min)
{
  PetscFunctionBegin;
  PetscCheck(n > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s needs at least one value, e.g. %s 1,2", opt, opt);
  for (PetscInt i = 0; i < n; i++)
    PetscCheck(PetscIsNormalReal(v[i] + 1) && (min > 0 ? v[i] > 0 : v[i] >= min) && v[i]<1e6, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: value %g is out of range; use finite numbers %s %g and below 1e6", opt, (double)v[i], min> 0 ? ">" : ">=",
               (double)(min > 0 ? 0 : min));
  PetscCall(PetscSortReal(n, v));
  for (PetscInt i = 1; i < n; i++) PetscCheck(v[i] != v[i - 1], PETSC_COMM_SELF, ICL_ERR_INPUT, "%s lists %g twice; give each value once", opt, (double)v[i]);
  PetscFunctionReturn(0);
}

/* PETSc silently keeps the first nmax values of a longer list: refuse instead. */
static PetscErrorCode CheckListLength(const char *opt, PetscInt nmax)
{
  char      buf[16384];
  PetscBool set;
  PetscInt  commas = 0;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetString(NULL, NULL, opt, buf, sizeof buf, &set));
  if (set)
    for (const char *c = buf; *c; c++) commas += *c == ',';
  PetscCheck(commas < nmax, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s has %d values; at most %d are allowed", opt, (int)commas + 1, (int)nmax);
  PetscFunctionReturn(0);
}

/* Appends "-name v1,v2,...\n" for n integers (ints) or n reals (reals, exact to the bit). */
static PetscErrorCode AppendOption(char *buf, size_t len, const char *name, PetscInt n, const PetscInt *ints, const PetscReal *reals)
{
  size_t used;
  PetscFunctionBegin;
  PetscCall(PetscStrlen(buf, &used));
  used += (size_t)snprintf(buf + used, len - used, "-%s ", name);
  for (PetscInt i = 0; i < n && used < len; i++) {
    if (ints) used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", (int)ints[i]);
    else used += (size_t)snprintf(buf + used, len - used, "%s%.17g", i ? "," : "", (double)reals[i]);
  }
  PetscCheck(used + 2 < len, PETSC_COMM_SELF, ICL_ERR_INPUT, "the sweep's options are too long to record (%zu characters)", used);
  strcat(buf, "\n");
  PetscFunctionReturn(0);
}

/* q varies over the cells: an axis or an expression. */
static PetscBool Swept(const ICLSweep *sw, const ICLSweepParam *q)
{
  for (PetscInt j = 0; j < sw->nextra; j++)
    if (sw->extra[j].param == q) return PETSC_TRUE;
  for (PetscInt j = 0; j < sw->nexpr; j++)
    if (sw->expr[j].param == q) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* The canonical text of every option that changes results, in an options-file format, and
 * its 64-bit hash: the sweep's fingerprint. */
static PetscErrorCode Fingerprint(ICLSweep *sw)
{
  char    *c = sw->canonical;
  size_t   len = sizeof sw->canonical;
  uint64_t h   = ICLHashInit();

  PetscFunctionBegin;
  c[0] = 0;
  snprintf(c, len, "-family %s\n", sw->family);
  PetscCall(AppendOption(c, len, "grid_d", sw->nd, sw->d, NULL));
  PetscCall(AppendOption(c, len, "grid_k", sw->nk, sw->k, NULL));
  PetscCall(AppendOption(c, len, "grid_N", sw->nN, sw->N, NULL));
  if (!Swept(sw, &cell_params[0])) PetscCall(AppendOption(c, len, "grid_R", sw->nR, NULL, sw->R));
  for (PetscInt i = 0; i < sw->nextra; i++) {
    char name[64];
    PetscCall(PetscSNPrintf(name, sizeof name, "grid_%s", sw->extra[i].param->name));
    PetscCall(AppendOption(c, len, name, sw->extra[i].n, NULL, sw->extra[i].v));
  }
  PetscCall(AppendOption(c, len, "replicates", 1, &sw->replicates, NULL));
  {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    used += (size_t)snprintf(c + used, len - used, "-models ");
    for (PetscInt i = 0; i < sw->nmodels; i++) used += (size_t)snprintf(c + used, len - used, "%s%s", i ? "," : "", sw->models[i]);
    /* gd, kernel and auto compute the same iterates (equal to rounding, as groups of any size
     * do): not part of the fingerprint, so one sweep resumes with any of them. tao stops by
     * another rule: a different sweep. */
    snprintf(c + used, len - used, "\n%s", !strcmp(sw->method, "tao") ? "-train_method tao\n" : "");
  }
  /* single changes results beyond rounding of double, so it is another sweep; double, the
   * default, adds nothing: sweeps from before the option keep their fingerprints. */
  if (sw->precision == ICL_PRECISION_SINGLE) strncat(c, "-train_precision single\n", len - strlen(c) - 1);
  /* auto, the default, adds nothing: fingerprints of sweeps from before the option stand */
  if (sw->engine != ICL_ENGINE_AUTO) strncat(c, sw->engine == ICL_ENGINE_GRAM ? "-engine gram\n" : "-engine explicit\n", len - strlen(c) - 1);
  /* the training budget keeps its place of sweeps from before its axes */
  if (!Swept(sw, &params[ParamIndex("train_tasks")])) PetscCall(AppendOption(c, len, "train_tasks", 1, &sw->B, NULL));
  if (!Swept(sw, &params[ParamIndex("train_steps")])) PetscCall(AppendOption(c, len, "train_steps", 1, &sw->T, NULL));
  if (!Swept(sw, &params[ParamIndex("train_lr")])) PetscCall(AppendOption(c, len, "train_lr", 1, NULL, &sw->lr));
  PetscCall(AppendOption(c, len, "eval_M", sw->nM, sw->M, NULL));
  if (sw->eval_R > 0) PetscCall(AppendOption(c, len, "eval_R", 1, NULL, &sw->eval_R));
  PetscCall(AppendOption(c, len, "eval_tasks", 1, &sw->eval_tasks, NULL));
  for (PetscInt i = 0; i < NPARAMS; i++)
    if (!params[i].any_sweep && !Swept(sw, &params[i]) && params[i].applies(sw) && !(params[i].later && sw->value[i] == params[i].def)) PetscCall(AppendOption(c, len, params[i].name, 1, NULL, &sw->value[i]));
  if (sw->spectrum[0]) {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    snprintf(c + used, len - used, "-spectrum %s\n", sw->spectrum);
  }
  if (sw->x_spectrum[0]) {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    snprintf(c + used, len - used, "-x_spectrum %s\n", sw->x_spectrum);
  }
  if (ForSource(sw)) {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    snprintf(c + used, len - used, "-source_spectrum %s\n-lora_base %s\n%s", sw->source_spectrum[0] ? sw->source_spectrum : "flat", sw->lora_base ? "optimal" : "trained", sw->oracle_lora ? "-oracle_lora\n" : "");
    PetscCall(AppendOption(c, len, "source_alignment", 1, NULL, &sw->source_alignment));
  }
  if (!strcmp(sw->method, "tao")) {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    snprintf(c + used, len - used, "-tao_type %s\n", sw->tao_type);
  }
  if (sw->subspace_random) strncat(c, "-subspace random\n", len - strlen(c) - 1);
  for (PetscInt i = 0; i < sw->nexpr; i++) {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    used += (size_t)snprintf(c + used, len - used, "-%s_expr %s\n", sw->expr[i].param->name, sw->expr[i].text);
    PetscCheck(used + 1 < len, PETSC_COMM_SELF, ICL_ERR_INPUT, "the sweep's options are too long to record (%zu characters)", used);
  }
  PetscCall(AppendOption(c, len, "seed", 1, &sw->seed, NULL));
  for (const char *p = c; *p; p++) h = ICLHashU64(h, (unsigned char)*p);
  snprintf(sw->fingerprint, sizeof sw->fingerprint, "%016llx", (unsigned long long)h);
  PetscFunctionReturn(0);
}

/* Every parameter given must be read by the sweep's family or models; values in range; axes
 * sorted without repeats; a lowrank model needs its rank. */
static PetscErrorCode CheckParams(ICLSweep *sw, const PetscBool *single, const PetscBool *axis, const PetscBool *expr)
{
  PetscInt e = 0;
  PetscFunctionBegin;
  for (PetscInt i = 0; i < NPARAMS; i++) {
    const ICLSweepParam *q = &params[i];
    char                 opt[64];
    PetscCall(PetscSNPrintf(opt, sizeof opt, "-%s%s%s", axis[i] ? "grid_" : "", q->name, expr[i] ? "_expr" : ""));
    PetscCheck(!((single[i] && !q->any_sweep) || axis[i] || expr[i]) || q->applies(sw), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: used by %s only, not by family %s with these models; remove it", opt, q->used_by, sw->family);
    PetscCheck(!(single[i] && axis[i]), PETSC_COMM_SELF, ICL_ERR_INPUT, "-%s and -grid_%s both given; give one", q->name, q->name);
    PetscCheck(!(expr[i] && (single[i] || axis[i])), PETSC_COMM_SELF, ICL_ERR_INPUT, "-%s_expr and -%s%s both given; give one", q->name, single[i] ? "" : "grid_", q->name);
    if (single[i]) PetscCall(CheckParamValue(opt, q, sw->value[i]));
    if (axis[i]) {
      PetscCheck(sw->extra[e].n > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s needs at least one value", opt);
      for (PetscInt j = 0; j < sw->extra[e].n; j++) PetscCall(CheckParamValue(opt, q, sw->extra[e].v[j]));
      PetscCall(CheckRealAxis(opt, sw->extra[e].v, sw->extra[e].n, q->min > 0 ? q->min : 0));
      e++;
    }
  }
  const PetscInt rank = ParamIndex("rank");
  PetscCheck(!HasModel(sw, "lowrank") || sw->value[rank] > 0 || axis[rank], PETSC_COMM_SELF, ICL_ERR_INPUT, "-models lowrank needs its rank: add -rank r or -grid_rank r1,r2,...");
  PetscFunctionReturn(0);
}

/* Compiles every -NAME_expr over the sweep's coordinates and checks its value in every cell
 * (integer parameters take the nearest integer). */
static PetscErrorCode CompileExprs(ICLSweep *sw)
{
  const char *names[ICL_EXPR_MAX_VARS];
  PetscReal   v[ICL_MAX_EXPR];

  PetscFunctionBegin;
  for (PetscInt i = 0; i < sw->nexpr; i++) {
    const ICLSweepParam *q = sw->expr[i].param;
    char                 opt[64], *t = sw->expr[i].text, *w = t;
    PetscInt             nvars = ICLGridExprVariables(sw, names);
    ICLExpr             *check;
    PetscCall(PetscSNPrintf(opt, sizeof opt, "-%s_expr", q->name));
    /* R is the last variable: R's own expression does not see it */
    if (q == &cell_params[0]) nvars--;
    PetscCall(ICLExprCreate(opt, t, nvars, names, &check));
    /* the recorded text has no blanks (muParser ignores them), so it replays from an options file */
    for (const char *r = t; *r; r++)
      if (!isspace((unsigned char)*r)) *w++ = *r;
    *w = 0;
    PetscCall(ICLExprCreate(opt, t, nvars, names, &sw->expr[i].expr));
  }
  for (PetscInt64 c = 0; c < ICLGridSize(sw); c++) {
    ICLCellIndex ix;
    ICLGridIndex(sw, c, &ix);
    if (ix.model || ix.rep) continue; /* the values depend on neither */
    ICLGridExprValues(sw, &ix, v);
    for (PetscInt i = 0; i < sw->nexpr; i++) {
      const ICLSweepParam *q = sw->expr[i].param;
      PetscCheck(InRange(q, v[i]), PETSC_COMM_SELF, ICL_ERR_INPUT, "-%s_expr %s gives %g at d = %d, k = %d, N = %d; %s must be %s in [%g, %g)", q->name, sw->expr[i].text, (double)v[i], (int)sw->d[ix.d], (int)sw->k[ix.k], (int)sw->N[ix.N], q->name,
                 q->integer ? "an integer" : "a number", (double)q->min, (double)q->max);
    }
  }
  PetscFunctionReturn(0);
}

/* A spectrum option (-spectrum, -x_spectrum, -source_spectrum): flat | geometric:q | power:a |
 * list:l1,l2,..., checked for each of the n sizes (k, or d for -x_spectrum). */
static PetscErrorCode ParseSpectrum(const ICLSweep *sw, const char *opt, const char *t, const PetscInt *sizes, PetscInt nsizes, PetscInt *kind, PetscReal *param, PetscReal *list)
{
  const char *arg = strchr(t, ':');
  PetscInt    n = 0;
  double      lambda[ICL_MAX_AXIS];

  PetscFunctionBegin;
  *kind = ICL_SPECTRUM_FLAT;
  if (!t[0]) PetscFunctionReturn(0);
  PetscCheck(FamilyIs(sw, "linreg"), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: used by family linreg only; remove it", opt);
  if (!strcmp(t, "flat")) *kind = ICL_SPECTRUM_FLAT;
  else if (arg && !strncmp(t, "geometric:", 10)) *kind = ICL_SPECTRUM_GEOMETRIC;
  else if (arg && !strncmp(t, "power:", 6)) *kind = ICL_SPECTRUM_POWER;
  else if (arg && !strncmp(t, "list:", 5)) *kind = ICL_SPECTRUM_LIST;
  else SETERRQ(PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s: unknown; use flat, geometric:q (0 < q <= 1), power:a (a >= 0) or list:l1,l2,... (one positive value per direction, at least max %s)", opt, t, sizes == sw->d ? "d" : "k");
  if (*kind == ICL_SPECTRUM_LIST) {
    for (const char *c = arg + 1; *c && n < ICL_MAX_AXIS;) {
      char *end;
      list[n++] = strtod(c, &end);
      PetscCheck(end != c && (*end == ',' || !*end), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s: '%s' is not a number", opt, t, c);
      c = *end ? end + 1 : end;
    }
  } else if (*kind != ICL_SPECTRUM_FLAT) {
    char *end;
    *param = strtod(arg + 1, &end);
    PetscCheck(end != arg + 1 && !*end, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s: '%s' is not a number", opt, t, arg + 1);
  }
  for (PetscInt i = 0; i < nsizes; i++) {
    PetscCheck(*kind != ICL_SPECTRUM_LIST || sizes[i] <= n, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s has %d values but %s = %d needs %d; list one per direction", opt, t, (int)n, sizes == sw->d ? "d" : "k", (int)sizes[i], (int)sizes[i]);
    PetscCheck(ICLLinregSpectrum((ICLSpectrumKind)*kind, (int)PetscMin(sizes[i], ICL_MAX_AXIS), 1.0, *param, list, lambda) == 0, PETSC_COMM_SELF, ICL_ERR_INPUT,
               "%s %s: invalid; use geometric:q with 0 < q <= 1, power:a with a >= 0, or list: with positive values", opt, t);
  }
  PetscFunctionReturn(0);
}

/* lora's source law and the oracle's LoRA optimum (docs/lro.md). */
static PetscErrorCode ReadSource(PetscOptionItems *PetscOptionsObject, ICLSweep *sw, PetscBool set[4])
{
  char base[ICL_NAME_LEN] = "trained";

  PetscFunctionBegin;
  sw->source_alignment = 1.0;
  OptCall("-oracle_lora", PetscOptionsBool("-oracle_lora", "oracle (linreg): the best W_0 + Delta, rank(Delta) <= -rank, W_0 the source law's optimum (exact)", NULL, sw->oracle_lora, &sw->oracle_lora, NULL));
  OptCall("-source_spectrum", PetscOptionsString("-source_spectrum", "lora, -oracle_lora: spectrum of the source law's Sigma_beta (as -spectrum; default flat)", NULL, sw->source_spectrum, sw->source_spectrum, sizeof sw->source_spectrum, &set[0]));
  OptCall("-source_alignment", PetscOptionsReal("-source_alignment", "lora, -oracle_lora: alignment of the source law (as -alignment; default 1)", NULL, sw->source_alignment, &sw->source_alignment, &set[1]));
  OptCall("-lora_base", PetscOptionsString("-lora_base", "lora: W_0 trained (by linear's GD on the source law) or optimal (its closed-form optimum)", NULL, base, base, sizeof base, &set[2]));
  PetscCheck(!strcmp(base, "trained") || !strcmp(base, "optimal"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-lora_base %s: unknown; use trained or optimal", base);
  sw->lora_base = strcmp(base, "optimal") ? 0 : 1;
  set[3] = sw->oracle_lora;
  PetscCheck(sw->source_alignment >= 0 && sw->source_alignment <= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-source_alignment %g: use a number in [0, 1]", (double)sw->source_alignment);
  PetscFunctionReturn(0);
}

/* Once the models are known: each source option is read by its family and models. */
static PetscErrorCode CheckSource(const ICLSweep *sw, const PetscBool set[4])
{
  PetscFunctionBegin;
  for (int i = 0; i < 4; i++) {
    const char *opt[] = {"-source_spectrum", "-source_alignment", "-lora_base", "-oracle_lora"};
    PetscCheck(!set[i] || (FamilyIs(sw, "linreg") && (i < 2 ? ForSource(sw) : i == 2 ? HasModel(sw, "lora") : HasModel(sw, "oracle"))), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: used by %s on "
        "family linreg only; remove it", opt[i], i < 2 ? "model lora or oracle with -oracle_lora" : i == 2 ? "model lora" : "model oracle");
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLSweepFromOptions(MPI_Comm comm, ICLSweep *sw, PetscBool *help)
{
  static const char *const axes[] = {"-grid_d", "-grid_k", "-grid_N", "-grid_R", "-eval_M"};
  char     *models[ICL_MAX_MODELS];
  PetscInt  nmodels = ICL_MAX_MODELS;
  PetscBool set, models_set, pset[ICL_MAX_PARAMS], paxis[ICL_MAX_PARAMS], pexpr[ICL_MAX_PARAMS], source_set[4];

  PetscFunctionBegin;
  PetscCall(PetscMemzero(sw, sizeof *sw));
  /* Defaults: one MV-protocol cell (docs/models.md) at a laptop-sized d. */
  PetscCall(PetscStrncpy(sw->family, "gmm", sizeof sw->family));
  sw->d[0] = 100, sw->nd = 1;
  sw->k[0] = 5, sw->nk = 1;
  sw->N[0] = 40, sw->nN = 1;
  sw->R[0] = 2.0, sw->nR = 1;
  sw->replicates = 1;
  PetscCall(PetscStrncpy(sw->method, "auto", sizeof sw->method));
  {
    const PetscInt M[] = {1, 5, 10, 20, 30, 40, 50, 100};
    sw->nM             = 8;
    PetscCall(PetscArraycpy(sw->M, M, sw->nM));
  }
  sw->eval_R = 0, sw->eval_tasks = 20000, sw->seed = 1, sw->group_size = 1;
  sw->dynamic = PETSC_TRUE, sw->shard = 0, sw->num_shards = 1, sw->drain_seconds = 60, sw->fault_journal_write = -1, sw->fault_cell = -1, sw->fault_rank = -1;
  for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) PetscCall(CheckListLength(axes[i], ICL_MAX_AXIS));
  PetscCall(CheckListLength("-models", ICL_MAX_MODELS));

  PetscOptionsBegin(comm, NULL, "iclsweep sweep options (docs/usage.md)", NULL);
  OptCall("-family", PetscOptionsString("-family", "task family", NULL, sw->family, sw->family, sizeof sw->family, NULL));
  PetscCall(ReadIntAxis(PetscOptionsObject, "-grid_d", "ambient dimensions d (comma list)", sw->d, &sw->nd));
  PetscCall(ReadIntAxis(PetscOptionsObject, "-grid_k", "subspace ranks k (comma list; k > d is not_applicable)", sw->k, &sw->nk));
  PetscCall(ReadIntAxis(PetscOptionsObject, "-grid_N", "training context lengths N (comma list)", sw->N, &sw->nN));
  sw->nR = ICL_MAX_AXIS;
  OptCall("-grid_R", PetscOptionsRealArray("-grid_R", "signal strengths R (comma list)", NULL, sw->R, &sw->nR, &set));
  if (!set) sw->nR = 1;
  {
    PetscBool expr;
    PetscCall(ReadExpr(PetscOptionsObject, sw, &cell_params[0], &expr)); /* first: the others may read R */
    PetscCheck(!(expr && set), PETSC_COMM_SELF, ICL_ERR_INPUT, "-R_expr and -grid_R both given; give one (with -R_expr, R is not an axis)");
  }
  for (PetscInt i = 0; i < NPARAMS; i++) {
    sw->value[i] = params[i].def;
    PetscCall(ReadParam(PetscOptionsObject, sw, i, &pset[i], &paxis[i], &pexpr[i]));
  }
  sw->B  = (PetscInt)sw->value[ParamIndex("train_tasks")];
  sw->T  = (PetscInt)sw->value[ParamIndex("train_steps")];
  sw->lr = sw->value[ParamIndex("train_lr")];
  OptCall("-replicates", PetscOptionsInt("-replicates", "independent repetitions of every cell", NULL, sw->replicates, &sw->replicates, NULL));
  {
    char text[1024];
    PetscCall(PetscSNPrintf(text, sizeof text, "models and baselines (comma list; default linear,mle,oracle) of %s", ICLModelNames()));
    OptCall("-models", PetscOptionsStringArray("-models", text, NULL, models, &nmodels, &models_set));
  }
  OptCall("-train_method", PetscOptionsString("-train_method", "training method: gd (direct), dual (B x B dual form, same iterates; kernel "
      "is an alias), tao (PETSc TAO, -tao_type), auto (gd or dual by the cost model)", NULL, sw->method, sw->method, sizeof sw->method, NULL));
  PetscCall(PetscStrncpy(sw->tao_type, "lmvm", sizeof sw->tao_type));
  OptCall("-tao_type", PetscOptionsString("-tao_type", "with -train_method tao: the TAO solver (lmvm, blmvm, cg, nls, ...)", NULL, sw->tao_type, sw->tao_type, sizeof sw->tao_type, &set));
  PetscCheck(!set || !strcmp(sw->method, "tao"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-tao_type %s is used with -train_method tao only; add -train_method tao or remove -tao_type", sw->tao_type);
  {
    char precision[ICL_NAME_LEN] = "double";
    OptCall("-train_precision", PetscOptionsString("-train_precision", "arithmetic of training linear (gmm, linreg, distreg): double, or single "
        "(gd: float task stacks and SGEMM, W accumulated in double; kernel: K in floats)", NULL, precision, precision, sizeof precision, NULL));
    PetscCheck(!strcmp(precision, "double") || !strcmp(precision, "single"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_precision %s: unknown; use double or single", precision);
    sw->precision = strcmp(precision, "single") ? ICL_PRECISION_DOUBLE : ICL_PRECISION_SINGLE;
  }
  {
    /* -engine (docs/engines.md): gram gives the explicit engine's law, not its draws */
    char engine[ICL_NAME_LEN] = "auto";
    OptCall("-engine", PetscOptionsString("-engine", "how gmm cells of linear are computed: explicit (d-dimensional vectors), gram (Gram "
        "matrices, the same law at a cost independent of d), auto (the cheaper by the cost model)", NULL, engine, engine, sizeof engine, NULL));
    PetscCheck(!strcmp(engine, "auto") || !strcmp(engine, "explicit") || !strcmp(engine, "gram"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-engine %s: unknown; use explicit, gram or auto", engine);
    sw->engine = !strcmp(engine, "gram") ? ICL_ENGINE_GRAM : !strcmp(engine, "explicit") ? ICL_ENGINE_EXPLICIT : ICL_ENGINE_AUTO;
  }
  OptCall("-spectrum", PetscOptionsString("-spectrum", "linreg: spectrum of Sigma_beta: flat, geometric:q, power:a or list:l1,l2,... (scaled to sum R^2)", NULL, sw->spectrum, sw->spectrum, sizeof sw->spectrum, NULL));
  PetscCall(ReadSource(PetscOptionsObject, sw, source_set));
  OptCall("-x_spectrum", PetscOptionsString("-x_spectrum", "linreg: eigenvalues of Sigma_x, as -spectrum over d directions (scaled to tr Sigma_x = d; default flat, x ~ N(0, I))", NULL, sw->x_spectrum, sw->x_spectrum, sizeof sw->x_spectrum, NULL));
  {
    PetscInt nM = ICL_MAX_AXIS;
    OptCall("-eval_M", PetscOptionsIntArray("-eval_M", "test context lengths M (comma list)", NULL, sw->M, &nM, &set));
    if (set) sw->nM = nM;
  }
  OptCall("-eval_R", PetscOptionsReal("-eval_R", "test signal strength (default: the cell's R)", NULL, sw->eval_R, &sw->eval_R, &set));
  PetscCheck(!set || (PetscIsNormalReal(sw->eval_R) && sw->eval_R > 0), PETSC_COMM_SELF, ICL_ERR_INPUT, "-eval_R %g: must be a positive finite number", (double)sw->eval_R);
  {
    PetscBool expr;
    PetscCall(ReadExpr(PetscOptionsObject, sw, &cell_params[1], &expr));
    PetscCheck(!(expr && set), PETSC_COMM_SELF, ICL_ERR_INPUT, "-eval_R_expr and -eval_R both given; give one");
  }
  {
    char subspace[ICL_NAME_LEN] = "first";
    OptCall("-subspace", PetscOptionsString("-subspace", "task subspace U: first (the first k coordinates) or random (QR of a Gaussian d x k matrix)", NULL, subspace, subspace, sizeof subspace, NULL));
    PetscCheck(!strcmp(subspace, "first") || !strcmp(subspace, "random"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-subspace %s: unknown; use first or random", subspace);
    sw->subspace_random = strcmp(subspace, "random") ? PETSC_FALSE : PETSC_TRUE;
  }
  OptCall("-eval_tasks", PetscOptionsInt("-eval_tasks", "test tasks", NULL, sw->eval_tasks, &sw->eval_tasks, NULL));
  OptCall("-seed", PetscOptionsInt("-seed", "master seed", NULL, sw->seed, &sw->seed, NULL));
  OptCall("-group_size", PetscOptionsInt("-group_size", "ranks that train one model together", NULL, sw->group_size, &sw->group_size, NULL));
  OptCall("-threads_per_rank", PetscOptionsInt("-threads_per_rank", "BLAS threads of each rank (hybrid MPI x threads; bind each rank to as many cores); 0: as the environment says", NULL, sw->threads_per_rank, &sw->threads_per_rank, NULL));
  OptCall("-tail_threads", PetscOptionsBool("-tail_threads", "when fewer cells are left than free cores, cells handed out take the idle ranks' cores as BLAS threads", NULL, sw->tail_threads, &sw->tail_threads, NULL));
  OptCall("-output", PetscOptionsString("-output", "output directory DIR (results in DIR/results.nc)", NULL, sw->output, sw->output, sizeof sw->output, NULL));
  {
    char schedule[ICL_NAME_LEN] = "dynamic", fault[ICL_NAME_LEN] = "";
    OptCall("-schedule", PetscOptionsString("-schedule", "dynamic (idle ranks pull the largest cell left) or static (dealt up front)", NULL, schedule, schedule, sizeof schedule, NULL));
    PetscCheck(!strcmp(schedule, "dynamic") || !strcmp(schedule, "static"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-schedule %s: unknown; use dynamic or static", schedule);
    sw->dynamic = strcmp(schedule, "dynamic") ? PETSC_FALSE : PETSC_TRUE;
    OptCall("-shard", PetscOptionsInt("-shard", "this run's shard (0 .. num_shards-1), e.g. a Slurm array task", NULL, sw->shard, &sw->shard, NULL));
    OptCall("-num_shards", PetscOptionsInt("-num_shards", "shards the sweep is split into (cells dealt by the cost model)", NULL, sw->num_shards, &sw->num_shards, NULL));
    PetscCheck(sw->num_shards >= 1 && sw->shard >= 0 && sw->shard < sw->num_shards, PETSC_COMM_SELF, ICL_ERR_INPUT, "-shard %d -num_shards %d: need 0 <= shard < num_shards", (int)sw->shard, (int)sw->num_shards);
    OptCall("-drain_seconds", PetscOptionsReal("-drain_seconds", "after SIGTERM/SIGINT/SIGUSR1, seconds in-flight cells may take before they are dropped", NULL, sw->drain_seconds, &sw->drain_seconds, NULL));
    PetscCheck(sw->drain_seconds >= 0 && sw->drain_seconds < 1e7, PETSC_COMM_SELF, ICL_ERR_INPUT, "-drain_seconds %g: use a number of seconds >= 0", (double)sw->drain_seconds);
    OptCall("-fault_inject", PetscOptionsString("-fault_inject", "testing only: journal_write:N or results_write (the process kills itself there), cell_fail:N, rank_fail:R", NULL, fault, fault, sizeof fault, NULL));
    if (!strncmp(fault, "journal_write:", 14)) sw->fault_journal_write = atoi(fault + 14);
    else if (!strncmp(fault, "cell_fail:", 10)) sw->fault_cell = atoll(fault + 10);
    else if (!strncmp(fault, "rank_fail:", 10)) sw->fault_rank = atoi(fault + 10);
    else if (!strcmp(fault, "results_write")) sw->fault_results_write = PETSC_TRUE;
    else PetscCheck(!fault[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "-fault_inject %s: use journal_write:N, cell_fail:N, rank_fail:R or results_write", fault);
  }
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, help));

  if (!models_set) nmodels = 0;
  if (nmodels == 0) {
    const char *def[] = {"linear", "mle", "oracle"};
    for (int i = 0; i < 3; i++) PetscCall(PetscStrncpy(sw->models[i], def[i], ICL_NAME_LEN));
    sw->nmodels = 3;
  }
  for (PetscInt i = 0; i < nmodels; i++) {
    PetscCall(PetscStrncpy(sw->models[i], models[i], ICL_NAME_LEN));
    PetscCall(PetscFree(models[i]));
  }
  if (nmodels) sw->nmodels = nmodels;

  sw->fam = ICLFamilyFind(sw->family);
  PetscCheck(sw->fam, PETSC_COMM_SELF, ICL_ERR_INPUT, "-family %s: unknown task family; choose one of: %s", sw->family, ICLFamilyNames());
  PetscCall(CheckIntAxis("-grid_d", sw->d, sw->nd, 1, 100000000)); /* the gram engine's cost does not grow with d */
  PetscCall(CheckIntAxis("-grid_k", sw->k, sw->nk, 1, 100000));
  PetscCall(CheckIntAxis("-grid_N", sw->N, sw->nN, 1, 100000000));
  PetscCall(CheckRealAxis("-grid_R", sw->R, sw->nR, 1e-300));
  PetscCall(CheckIntAxis("-eval_M", sw->M, sw->nM, 1, 100000000));
  PetscCheck(sw->replicates >= 1 && sw->replicates <= 100000, PETSC_COMM_SELF, ICL_ERR_INPUT, "-replicates %d: use an integer in [1, 100000]", (int)sw->replicates);
  PetscCheck(sw->B >= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_tasks %d: need at least 1 training task", (int)sw->B);
  PetscCheck(sw->T >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_steps %d: must be >= 0", (int)sw->T);
  PetscCheck(PetscIsNormalReal(sw->lr) && sw->lr > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_lr %g: must be a positive finite number", (double)sw->lr);
  /* recorded option files of earlier versions name the dual form "kernel" */
  if (!strcmp(sw->method, "kernel")) PetscCall(PetscStrncpy(sw->method, "dual", sizeof sw->method));
  PetscCheck(!strcmp(sw->method, "gd") || !strcmp(sw->method, "dual") || !strcmp(sw->method, "tao") || !strcmp(sw->method, "auto"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_method %s: unknown; available: gd, dual, tao, auto", sw->method);
  if (!strcmp(sw->method, "tao")) {
    /* an unknown solver is bad input, not a failure of every cell: TAO's registry decides */
    Tao            tao;
    PetscErrorCode unknown;
    PetscCall(TaoCreate(PETSC_COMM_SELF, &tao));
    unknown = TaoSetType(tao, sw->tao_type);
    PetscCall(TaoDestroy(&tao));
    PetscCheck(!unknown, PETSC_COMM_SELF, ICL_ERR_INPUT, "-tao_type %s: not a TAO solver; e.g. lmvm, blmvm, bqnls, cg, bncg, nls, ntr", sw->tao_type);
  }
  PetscCheck(sw->eval_tasks >= 2, PETSC_COMM_SELF, ICL_ERR_INPUT, "-eval_tasks %d: need at least 2 test tasks (for a standard error)", (int)sw->eval_tasks);
  PetscCheck(sw->seed >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-seed %d: must be >= 0", (int)sw->seed);
  PetscCheck(sw->group_size >= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-group_size %d: need at least 1 rank per group", (int)sw->group_size);
  PetscCheck(sw->threads_per_rank >= 0 && sw->threads_per_rank <= 1024, PETSC_COMM_SELF, ICL_ERR_INPUT, "-threads_per_rank %d: use the cores each rank is bound to (1 or more), or 0 to keep the environment's BLAS threads", (int)sw->threads_per_rank);
  for (PetscInt i = 0; i < sw->nmodels; i++) {
    sw->types[i] = ICLModelFind(sw->models[i]);
    PetscCheck(sw->types[i], PETSC_COMM_SELF, ICL_ERR_INPUT, "-models: unknown model '%s'; available: %s", sw->models[i], ICLModelNames());
    PetscCheck(sw->types[i]->supports(sw->fam), PETSC_COMM_SELF, ICL_ERR_INPUT, "-models: model '%s' does not apply to family '%s'", sw->models[i], sw->family);
    for (PetscInt j = 0; j < i; j++) PetscCheck(strcmp(sw->models[i], sw->models[j]), PETSC_COMM_SELF, ICL_ERR_INPUT, "-models lists '%s' twice; give each model once", sw->models[i]);
  }
  /* gd and kernel have single-precision paths (float GEMMs; K in floats); tao's line searches
   * want double. */
  if (sw->precision == ICL_PRECISION_SINGLE) {
    PetscCheck(strcmp(sw->method, "tao"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_precision single applies to -train_method gd, dual and auto, not tao; use one of those, or remove -train_precision");
    PetscCheck(HasModel(sw, "linear") && !FamilyIs(sw, "sphere"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_precision single: used by model linear on families gmm, linreg and distreg only; remove it");
  }
  PetscCheck(sw->engine != ICL_ENGINE_GRAM || (HasModel(sw, "linear") && FamilyIs(sw, "gmm")), PETSC_COMM_SELF, ICL_ERR_INPUT, "-engine gram: computes model linear on family gmm only; use -family gmm with model linear, or remove -engine");
  PetscCall(CheckParams(sw, pset, paxis, pexpr));
  PetscCall(CheckSource(sw, source_set));
  PetscCall(CompileExprs(sw));
  PetscCall(ParseSpectrum(sw, "-spectrum", sw->spectrum, sw->k, sw->nk, &sw->spectrum_kind, &sw->spectrum_param, sw->spectrum_list));
  PetscCall(ParseSpectrum(sw, "-x_spectrum", sw->x_spectrum, sw->d, sw->nd, &sw->x_spectrum_kind, &sw->x_spectrum_param, sw->x_spectrum_list));
  PetscCall(ParseSpectrum(sw, "-source_spectrum", sw->source_spectrum, sw->k, sw->nk, &sw->source_spectrum_kind, &sw->source_spectrum_param, sw->source_spectrum_list));
  PetscCall(Fingerprint(sw));
  PetscFunctionReturn(0);
}
