#include "options.h"

#include <ctype.h>
#include <float.h>

#include "distreg.h"
#include "gmm.h"
#include "linreg.h"

#include "error.h"
#include "rng.h"
#include "train_method.h"

/* PETSc's parse errors do not name the option: say which one. */
#define OptCall(opt, call) \
  do { \
    PetscErrorCode opt_err_ = (call); \
    PetscCheck(!opt_err_, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: %s", opt, ICLErrorDetail()); \
  } while (0)

static PetscErrorCode CheckListLength(const char *opt, PetscInt nmax);

#define ICL_MAX_CHOICES 16

/* The default of a categorical parameter whose names a model declares (ICLModelChoices). */
#define ICL_MODEL_DEFAULT (-1.0)

/* "a, b or c": the first n names, for messages. */
static void JoinNames(PetscInt n, const char *const *names, char *buf, size_t len)
{
  size_t used = 0;
  buf[0]      = 0;
  for (PetscInt i = 0; i < n && used < len; i++) used += (size_t)snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
}

/* The names of a comma-separated list (a registry's), pointing into buf. */
static PetscErrorCode SplitNames(const char *csv, char *buf, size_t len, const char **names, PetscInt *n)
{
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(buf, csv, len));
  *n = 0;
  for (char *c = buf, *start = buf;; c++) {
    if (*c && *c != ',') continue;
    PetscCheck(*n < ICL_MAX_CHOICES, PETSC_COMM_SELF, PETSC_ERR_PLIB, "more than %d names in %s", ICL_MAX_CHOICES, csv);
    names[(*n)++] = start;
    if (!*c) break;
    *c = 0, start = c + 1;
  }
  PetscFunctionReturn(0);
}

/* A categorical option: one of names[0..n) (names past nshown are aliases, accepted but not
 * offered), its index in *value; -help lists the choices. PETSc's message for an unknown name
 * does not list them, so the name is checked here first. what, when given, names the kind. */
static PetscErrorCode ReadChoice(PetscOptionItems *PetscOptionsObject, const char *opt, const char *text, const char *what, PetscInt nshown, PetscInt n, const char *const *names, PetscInt *value, PetscBool *set)
{
  char      given[256], allowed[512];
  PetscBool found;
  PetscInt  i;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetString(NULL, NULL, opt, given, sizeof given, &found));
  if (found) {
    PetscCall(PetscEListFind(n, names, given, &i, &found));
    JoinNames(nshown, names, allowed, sizeof allowed);
    PetscCheck(found, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s: unknown%s%s; use %s", opt, given, what ? " " : "", what ? what : "", allowed);
  }
  OptCall(opt, PetscOptionsEList(opt, text, NULL, names, n, names[*value], value, set));
  PetscFunctionReturn(0);
}

/* name is in a comma-separated list of option names (NULL: none) */
static PetscBool Listed(const char *list, const char *name)
{
  const size_t n = strlen(name);
  for (const char *c = list; c && *c; c += strcspn(c, ","), c += *c == ',')
    if (!strncmp(c, name, n) && (c[n] == ',' || !c[n])) return PETSC_TRUE;
  return PETSC_FALSE;
}
/* the sweep's family, or one of its models, reads option -name (their params lists) */
static PetscBool FamilyReads(const ICLSweep *sw, const char *name) { return Listed(sw->fam->params, name); }
static PetscBool ModelReads(const ICLSweep *sw, const char *name)
{
  for (PetscInt i = 0; i < sw->nmodels; i++)
    if (sw->types[i] && sw->types[i]->params && Listed(sw->types[i]->params(sw->fam), name)) return PETSC_TRUE;
  return PETSC_FALSE;
}
static PetscBool ForXSpectrum(const ICLSweep *sw) { return FamilyReads(sw, "alignment") && sw->x_spectrum[0] ? PETSC_TRUE : PETSC_FALSE; }
static PetscBool ForSource(const ICLSweep *sw) { return ModelReads(sw, "lora_base") || sw->oracle_lora; }
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
/* The feature maps' names and default are the models' that read them (ICLModelChoices). */
static const char *FeatureMapNames(void)
{
  PetscInt def;
  return ICLModelChoices("feature_map", &def);
}
static int         FeatureMapFind(const char *name)
{
  char        buf[256];
  const char *names[ICL_MAX_CHOICES];
  PetscInt    n, i;
  PetscBool   found;
  if (SplitNames(FeatureMapNames(), buf, sizeof buf, names, &n) || PetscEListFind(n, names, name, &i, &found) || !found) return -1;
  return (int)i;
}
static void SetTasks(ICLCell *c, double v) { c->B = (PetscInt)v; }
static void SetSteps(ICLCell *c, double v) { c->T = (PetscInt)v; }
static void SetLr(ICLCell *c, double v) { c->lr = v; }
static void SetR(ICLCell *c, double v) { c->task.R = v; }
static void SetEvalR(ICLCell *c, double v) { c->eval_R = v; }

/* Parameters that can be single values or axes: a new one is one line here (and its use by
 * the family or model). Axes appear in results.nc in this order. */
static const ICLSweepParam params[] = {
  {"sigma", "output noise standard deviation", 0.5, 0, 1e6, PETSC_FALSE, NULL, NULL, "families linreg and distreg", NULL, SetSigma, PETSC_FALSE, PETSC_FALSE},
  {"alpha", "RAG correlation of context inputs with the query", 0, 0, 1, PETSC_FALSE, NULL, NULL, "family linreg", NULL, SetAlpha, PETSC_FALSE, PETSC_FALSE},
  {"drift", "non-stationary task drift along the sequence", 0, 0, 1e6, PETSC_FALSE, NULL, NULL, "family linreg", NULL, SetDrift, PETSC_FALSE, PETSC_FALSE},
  {"classes", "number of classes C", 2, 2, 1001, PETSC_TRUE, NULL, NULL, "family sphere", NULL, SetClasses, PETSC_FALSE, PETSC_FALSE},
  {"noise", "off-subspace noise scale", 0, 0, 1e6, PETSC_FALSE, NULL, NULL, "family sphere", NULL, SetNoise, PETSC_FALSE, PETSC_FALSE},
  {"prototypes_per_class", "prototypes (modes) P per class", 1, 1, 1001, PETSC_TRUE, NULL, NULL, "family sphere", NULL, SetPrototypes, PETSC_FALSE, PETSC_TRUE},
  {"link", "response nonlinearity g", 0, 0, ICL_LINK_COUNT, PETSC_TRUE, ICLDistregLinkFind, ICLDistregLinkNames, "family distreg", NULL, SetLink, PETSC_FALSE, PETSC_FALSE},
  {"input_law", "law of the inputs around the task mean", 0, 0, ICL_INPUT_COUNT, PETSC_TRUE, ICLDistregInputFind, ICLDistregInputNames, "family distreg", NULL, SetInputLaw, PETSC_FALSE, PETSC_FALSE},
  {"rank", "rank r of W = A B^T (lowrank; oracle on linreg: W*_r; lora and -oracle_lora: of the correction, 0 = W_0)", 0, 0, 100001, PETSC_TRUE, NULL, NULL, "models lowrank, lora and oracle (linreg)", NULL, SetRank, PETSC_FALSE, PETSC_FALSE},
  {"alignment", "of Sigma_x's eigenbasis with Sigma_beta's: 1 the same eigenvectors in order, 0 a keyed random rotation",
   1, 0, 1 + DBL_EPSILON, PETSC_FALSE, NULL, NULL, "family linreg with -x_spectrum", ForXSpectrum, SetAlignment, PETSC_FALSE, PETSC_FALSE},
  {"features", "number D of random features (prf)", 64, 1, 1000001, PETSC_TRUE, NULL, NULL, "models kernel and distill", NULL, SetFeatures, PETSC_FALSE, PETSC_FALSE},
  {"feature_map", "feature map phi of kernel attention", ICL_MODEL_DEFAULT, 0, ICL_MAX_CHOICES, PETSC_TRUE, FeatureMapFind, FeatureMapNames, "models kernel and distill", NULL, SetFeatureMap, PETSC_FALSE, PETSC_FALSE},
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

PetscBool ICLSweepReads(const ICLSweep *sw, const char *option) { return Listed("source_spectrum,source_alignment", option) ? FamilyReads(sw, option) && ForSource(sw) : FamilyReads(sw, option) || ModelReads(sw, option); }

PetscBool ICLSweepParamApplies(const ICLSweep *sw, const ICLSweepParam *q) { return q->applies ? q->applies(sw) : FamilyReads(sw, q->name) || ModelReads(sw, q->name); }

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
    char        buf[256], *names[ICL_MAX_AXIS];
    const char *choices[ICL_MAX_CHOICES];
    PetscInt    nchoices, c = (PetscInt)sw->value[i];
    PetscCall(SplitNames(q->names(), buf, sizeof buf, choices, &nchoices));
    PetscCall(PetscSNPrintf(text, sizeof text, "%s: %s", q->used_by, q->description));
    PetscCall(ReadChoice(PetscOptionsObject, opt, text, NULL, nchoices, nchoices, choices, &c, single));
    sw->value[i] = c;
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

PetscInt ICLSweepExprVariables(const ICLSweep *sw, const char **names)
{
  PetscInt n = 0;
  names[n++] = "d", names[n++] = "k", names[n++] = "N";
  for (PetscInt i = 0; i < sw->nextra; i++) names[n++] = sw->extra[i].param->name;
  names[n++] = "R";
  return n;
}

PetscBool ICLSweepParamInRange(const ICLSweepParam *q, PetscReal v) { return PetscIsNormalReal(v + 1) && v >= q->min && v < q->max && (!q->integer || v == PetscFloorReal(v)) ? PETSC_TRUE : PETSC_FALSE; }

const char *ICLSweepParamRequiredBy(const ICLSweep *sw, const ICLSweepParam *q)
{
  for (PetscInt m = 0; m < sw->nmodels; m++)
    if (sw->types[m] && Listed(sw->types[m]->requires, q->name)) return sw->models[m];
  return NULL;
}

/* max is exclusive; where it is the next double above an integer (alignment's 1 + eps), that
 * integer is the largest value, and integer parameters end at the integer below max */
void ICLSweepParamRange(const ICLSweepParam *q, char *buf, size_t len)
{
  const PetscReal top = q->integer ? PetscCeilReal(q->max) - 1 : nextafter(q->max, -PETSC_INFINITY);
  if (top == PetscFloorReal(top) && top < 1e15) (void)PetscSNPrintf(buf, len, "[%g, %g]", (double)q->min, (double)top);
  else (void)PetscSNPrintf(buf, len, "[%g, %g)", (double)q->min, (double)q->max);
}

static PetscErrorCode CheckParamValue(const char *opt, const ICLSweepParam *q, PetscReal v)
{
  char range[64];

  PetscFunctionBegin;
  ICLSweepParamRange(q, range, sizeof range);
  PetscCheck(ICLSweepParamInRange(q, v), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: value %g is out of range; use %s in %s", opt, (double)v, q->integer ? "integers" : "numbers", range);
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

/* The cell fingerprint: the canonical text less what only says which cells the sweep has, the
 * values of -grid_* (each axis keeps its name: a parameter turned from one value into an axis is
 * another sweep), -replicates and -models (a model's options are lines of their own). Draws are
 * keyed by coordinate values, so these may change without changing any cell's results. */
static void CellFingerprint(ICLSweep *sw)
{
  uint64_t h = ICLHashInit();
  for (const char *p = sw->canonical; *p;) {
    const char *end = strchr(p, '\n'), *value = strchr(p, ' ');
    const size_t n  = end ? (size_t)(end - p) : strlen(p);
    if (strncmp(p, "-replicates ", 12) && strncmp(p, "-models ", 8)) {
      const size_t keep = !strncmp(p, "-grid_", 6) && value && value < p + n ? (size_t)(value - p) : n;
      for (size_t i = 0; i < keep; i++) h = ICLHashU64(h, (unsigned char)p[i]);
      h = ICLHashU64(h, '\n');
    }
    p += n + (end ? 1 : 0);
  }
  snprintf(sw->cell_fingerprint, sizeof sw->cell_fingerprint, "%016llx", (unsigned long long)h);
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
    /* methods that compute GD's iterates (gd, dual, and auto among them) are equal to rounding,
     * as groups of any size are: not part of the fingerprint, so one sweep resumes with any of
     * them. One that stops by another rule (tao) makes a different sweep. */
    if (sw->method && !sw->method->gd_iterates) snprintf(c + used, len - used, "\n-train_method %s\n", sw->method->name);
    else snprintf(c + used, len - used, "\n");
  }
  /* single changes results beyond rounding of double, so it is another sweep; double, the
   * default, adds nothing: sweeps from before the option keep their fingerprints. */
  if (sw->precision == ICL_PRECISION_SINGLE) strncat(c, "-train_precision single\n", len - strlen(c) - 1);
  /* auto, the default, adds nothing: fingerprints of sweeps from before the option stand */
  if (sw->engine != ICL_ENGINE_AUTO) {
    static const char *const engine[] = {"", "-engine explicit\n", "-engine gram\n", "-engine wfree\n"};
    strncat(c, engine[sw->engine], len - strlen(c) - 1);
  }
  /* the training budget keeps its place of sweeps from before its axes */
  if (!Swept(sw, &params[ParamIndex("train_tasks")])) PetscCall(AppendOption(c, len, "train_tasks", 1, &sw->B, NULL));
  if (!Swept(sw, &params[ParamIndex("train_steps")])) PetscCall(AppendOption(c, len, "train_steps", 1, &sw->T, NULL));
  if (!Swept(sw, &params[ParamIndex("train_lr")])) PetscCall(AppendOption(c, len, "train_lr", 1, NULL, &sw->lr));
  PetscCall(AppendOption(c, len, "eval_M", sw->nM, sw->M, NULL));
  if (sw->eval_R > 0) PetscCall(AppendOption(c, len, "eval_R", 1, NULL, &sw->eval_R));
  PetscCall(AppendOption(c, len, "eval_tasks", 1, &sw->eval_tasks, NULL));
  for (PetscInt i = 0; i < NPARAMS; i++)
    if (!params[i].any_sweep && !Swept(sw, &params[i]) && ICLSweepParamApplies(sw, &params[i]) && !(params[i].later && sw->value[i] == params[i].def)) PetscCall(AppendOption(c, len, params[i].name, 1, NULL, &sw->value[i]));
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
  if (sw->method && sw->method->option) {
    size_t used;
    PetscCall(PetscStrlen(c, &used));
    snprintf(c + used, len - used, "-%s %s\n", sw->method->option->name, sw->method_option);
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
  CellFingerprint(sw);
  PetscFunctionReturn(0);
}

/* Parameters a model cannot run without (lowrank's rank) are positive in every cell: checked
 * here rather than failing each cell. */
static PetscErrorCode CheckRequired(const ICLSweep *sw)
{
  PetscFunctionBegin;
  for (PetscInt m = 0; m < sw->nmodels; m++)
    for (PetscInt i = 0; i < NPARAMS; i++) {
      const char *name = params[i].name;
      PetscBool   ok   = (PetscBool)(sw->value[i] > 0);
      if (!Listed(sw->types[m]->requires, name)) continue;
      for (PetscInt e = 0; e < sw->nextra; e++)
        if (sw->extra[e].param == &params[i]) ok = (PetscBool)(sw->extra[e].v[0] > 0); /* sorted: the first is the smallest */
      for (PetscInt e = 0; e < sw->nexpr; e++)
        if (sw->expr[e].param == &params[i]) ok = PETSC_TRUE; /* checked in every cell by ICLGridCheckExprs */
      PetscCheck(ok, PETSC_COMM_SELF, ICL_ERR_INPUT, "-models %s needs -%s > 0 in every cell: add -%s v or -grid_%s v1,v2,... with positive values", sw->models[m], name, name, name);
    }
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
    PetscCheck(!((single[i] && !q->any_sweep) || axis[i] || expr[i]) || ICLSweepParamApplies(sw, q), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: used by %s only, not by family %s with these models; remove it", opt, q->used_by, sw->family);
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
  PetscCall(CheckRequired(sw));
  PetscFunctionReturn(0);
}

/* Compiles every -NAME_expr over the sweep's coordinates (their values in every cell are
 * checked by ICLGridCheckExprs, once the grid is known). */
static PetscErrorCode CompileExprs(ICLSweep *sw)
{
  const char *names[ICL_EXPR_MAX_VARS];

  PetscFunctionBegin;
  for (PetscInt i = 0; i < sw->nexpr; i++) {
    const ICLSweepParam *q = sw->expr[i].param;
    char                 opt[64], *t = sw->expr[i].text, *w = t;
    PetscInt             nvars = ICLSweepExprVariables(sw, names);
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
  PetscFunctionReturn(0);
}

/* A spectrum option (-spectrum, -x_spectrum, -source_spectrum): flat | geometric:q | power:a |
 * list:l1,l2,..., checked for each of the n sizes (k, or d for -x_spectrum). */
static PetscErrorCode ParseSpectrum(const ICLSweep *sw, const char *opt, const char *t, const PetscInt *sizes, PetscInt nsizes, PetscInt *kind, PetscReal *param, PetscReal *list)
{
  static const char *const kinds[] = {"flat", "geometric", "power", "list"}; /* ICLSpectrumKind order */
  const char              *arg     = strchr(t, ':');
  char                     head[32];
  PetscInt                 n = 0;
  PetscBool                known;
  double                   lambda[ICL_MAX_AXIS];

  PetscFunctionBegin;
  *kind = ICL_SPECTRUM_FLAT;
  if (!t[0]) PetscFunctionReturn(0);
  PetscCheck(FamilyReads(sw, opt + 1), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: used by family linreg only; remove it", opt);
  /* the kind before ':', which every kind but flat has */
  PetscCall(PetscStrncpy(head, t, PetscMin(sizeof head, arg ? (size_t)(arg - t) + 1 : sizeof head)));
  PetscCall(PetscEListFind(4, kinds, head, kind, &known));
  if (!known || (*kind == ICL_SPECTRUM_FLAT) != !arg)
    SETERRQ(PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s: unknown; use flat, geometric:q (0 < q <= 1), power:a (a >= 0) or list:l1,l2,... (one positive value per direction, at least max %s)", opt, t, sizes == sw->d ? "d" : "k");
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
  static const char *const bases[] = {"trained", "optimal"};

  PetscFunctionBegin;
  sw->source_alignment = 1.0;
  OptCall("-oracle_lora", PetscOptionsBool("-oracle_lora", "oracle (linreg): the best W_0 + Delta, rank(Delta) <= -rank, W_0 the source law's optimum (exact)", NULL, sw->oracle_lora, &sw->oracle_lora, NULL));
  OptCall("-source_spectrum", PetscOptionsString("-source_spectrum", "lora, -oracle_lora: spectrum of the source law's Sigma_beta (as -spectrum; default flat)", NULL, sw->source_spectrum, sw->source_spectrum, sizeof sw->source_spectrum, &set[0]));
  OptCall("-source_alignment", PetscOptionsReal("-source_alignment", "lora, -oracle_lora: alignment of the source law (as -alignment; default 1)", NULL, sw->source_alignment, &sw->source_alignment, &set[1]));
  PetscCall(ReadChoice(PetscOptionsObject, "-lora_base", "lora: W_0 trained (by linear's GD on the source law) or optimal (its closed-form optimum)", NULL, 2, 2, bases, &sw->lora_base, &set[2]));
  set[3] = sw->oracle_lora;
  PetscCheck(sw->source_alignment >= 0 && sw->source_alignment <= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-source_alignment %g: use a number in [0, 1]", (double)sw->source_alignment);
  PetscFunctionReturn(0);
}

/* -fault_inject POINT[:N] (fault.h): testing only; N is required where the point counts. */
static PetscErrorCode ReadFault(PetscOptionItems *PetscOptionsObject, ICLSweep *sw)
{
  static const char *const points[ICL_FAULT_COUNT] = {"journal_write", "results_write", "cell_fail", "rank_fail", "step_fail", "node_ranks"}; /* ICLFaultPoint order */
  char                     fault[64] = "", *end = NULL, *colon;
  PetscBool                set, known = PETSC_FALSE;
  PetscInt                 p = 0;

  PetscFunctionBegin;
  for (int i = 0; i < ICL_FAULT_COUNT; i++) sw->fault[i] = -1;
  OptCall("-fault_inject", PetscOptionsString("-fault_inject",
                                              "testing only: journal_write:N or results_write (the process kills itself there), cell_fail:N, rank_fail:R, step_fail:N (GD step 1 of cell N fails on the group's last rank), "
                                              "node_ranks:N (nodes seen as N ranks at most)",
                                              NULL, fault, fault, sizeof fault, &set));
  if (!set) PetscFunctionReturn(0);
  colon = strchr(fault, ':');
  if (colon) *colon = 0;
  PetscCall(PetscEListFind(ICL_FAULT_COUNT, points, fault, &p, &known));
  if (known) sw->fault[p] = colon ? strtoll(colon + 1, &end, 10) : 0;
  PetscCheck(known && (p == ICL_FAULT_RESULTS_WRITE ? !colon : colon && end != colon + 1 && !*end && sw->fault[p] >= 0), PETSC_COMM_SELF, ICL_ERR_INPUT,
             "-fault_inject %s%s%s: use journal_write:N, cell_fail:N, rank_fail:R, step_fail:N, node_ranks:N or results_write", fault, colon ? ":" : "", colon ? colon + 1 : "");
  PetscCheck(ICL_FAULT_INJECTION, PETSC_COMM_SELF, ICL_ERR_INPUT, "-fault_inject: this iclsweep was built without fault injection (configure with -DICLSWEEP_FAULT_INJECTION=ON)");
  PetscFunctionReturn(0);
}

/* Once the models are known: each source option is read by its family and models. */
static PetscErrorCode CheckSource(const ICLSweep *sw, const PetscBool set[4])
{
  PetscFunctionBegin;
  for (int i = 0; i < 4; i++) {
    const char *opt[] = {"-source_spectrum", "-source_alignment", "-lora_base", "-oracle_lora"};
    PetscCheck(!set[i] || (FamilyReads(sw, "source_spectrum") && (i < 2 ? ForSource(sw) : ModelReads(sw, opt[i] + 1))), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: used by %s on "
        "family linreg only; remove it", opt[i], i < 2 ? "model lora or oracle with -oracle_lora" : i == 2 ? "model lora" : "model oracle");
  }
  PetscFunctionReturn(0);
}

/* Defaults: one MV-protocol cell (docs/models.md) at a laptop-sized d. */
static PetscErrorCode SetDefaults(ICLSweep *sw)
{
  static const PetscInt M[] = {1, 5, 10, 20, 30, 40, 50, 100};

  PetscFunctionBegin;
  PetscCall(PetscMemzero(sw, sizeof *sw));
  sw->d[0] = 100, sw->nd = 1;
  sw->k[0] = 5, sw->nk = 1;
  sw->N[0] = 40, sw->nN = 1;
  sw->R[0] = 2.0, sw->nR = 1;
  sw->replicates = 1;
  sw->nM         = (PetscInt)(sizeof M / sizeof M[0]);
  PetscCall(PetscArraycpy(sw->M, M, sw->nM));
  sw->eval_R = 0, sw->eval_tasks = 20000, sw->seed = 1, sw->group_size = 1;
  sw->dynamic = PETSC_TRUE, sw->shard = 0, sw->num_shards = 1, sw->drain_seconds = 60, sw->partial_interval = 60;
  PetscFunctionReturn(0);
}

/* The grid: family, d, k, N, R (or -R_expr) and every parameter's value, axis or expression. */
static PetscErrorCode ReadGrid(PetscOptionItems *PetscOptionsObject, ICLSweep *sw, PetscBool *pset, PetscBool *paxis, PetscBool *pexpr)
{
  char        buf[256];
  const char *families[ICL_MAX_CHOICES];
  PetscInt    n, f;
  PetscBool   set, expr;

  PetscFunctionBegin;
  PetscCall(SplitNames(ICLFamilyNames(), buf, sizeof buf, families, &n));
  PetscCall(PetscEListFind(n, families, "gmm", &f, &set)); /* the default, wherever the registry lists it */
  PetscCall(ReadChoice(PetscOptionsObject, "-family", "task family (docs/families.md)", "task family", n, n, families, &f, NULL));
  PetscCall(PetscStrncpy(sw->family, families[f], sizeof sw->family));
  PetscCall(ReadIntAxis(PetscOptionsObject, "-grid_d", "ambient dimensions d (comma list)", sw->d, &sw->nd));
  PetscCall(ReadIntAxis(PetscOptionsObject, "-grid_k", "subspace ranks k (comma list; k > d is not_applicable)", sw->k, &sw->nk));
  PetscCall(ReadIntAxis(PetscOptionsObject, "-grid_N", "training context lengths N (comma list)", sw->N, &sw->nN));
  sw->nR = ICL_MAX_AXIS;
  OptCall("-grid_R", PetscOptionsRealArray("-grid_R", "signal strengths R (comma list)", NULL, sw->R, &sw->nR, &set));
  if (!set) sw->nR = 1;
  PetscCall(ReadExpr(PetscOptionsObject, sw, &cell_params[0], &expr)); /* first: the others may read R */
  PetscCheck(!(expr && set), PETSC_COMM_SELF, ICL_ERR_INPUT, "-R_expr and -grid_R both given; give one (with -R_expr, R is not an axis)");
  for (PetscInt i = 0; i < NPARAMS; i++) {
    PetscInt def;
    sw->value[i] = params[i].def;
    if (params[i].def == ICL_MODEL_DEFAULT && ICLModelChoices(params[i].name, &def)) sw->value[i] = def;
    PetscCall(ReadParam(PetscOptionsObject, sw, i, &pset[i], &paxis[i], &pexpr[i]));
  }
  sw->B  = (PetscInt)sw->value[ParamIndex("train_tasks")];
  sw->T  = (PetscInt)sw->value[ParamIndex("train_steps")];
  sw->lr = sw->value[ParamIndex("train_lr")];
  OptCall("-replicates", PetscOptionsInt("-replicates", "independent repetitions of every cell", NULL, sw->replicates, &sw->replicates, NULL));
  PetscFunctionReturn(0);
}

/* -models, by name from the model registry (default linear,mle,oracle). */
static PetscErrorCode ReadModels(PetscOptionItems *PetscOptionsObject, ICLSweep *sw)
{
  static const char *const def[] = {"linear", "mle", "oracle"};
  char                    *models[ICL_MAX_MODELS], text[1024];
  PetscInt                 n = ICL_MAX_MODELS;
  PetscBool                set;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(text, sizeof text, "models and baselines (comma list; default linear,mle,oracle) of %s", ICLModelNames()));
  OptCall("-models", PetscOptionsStringArray("-models", text, NULL, models, &n, &set));
  if (!set || n == 0) {
    sw->nmodels = (PetscInt)(sizeof def / sizeof def[0]);
    for (PetscInt i = 0; i < sw->nmodels; i++) PetscCall(PetscStrncpy(sw->models[i], def[i], ICL_NAME_LEN));
  } else sw->nmodels = n;
  for (PetscInt i = 0; set && i < n; i++) {
    PetscCall(PetscStrncpy(sw->models[i], models[i], ICL_NAME_LEN));
    PetscCall(PetscFree(models[i]));
  }
  PetscFunctionReturn(0);
}

/* -train_method, by name or alias from the method registry (auto: NULL), and each method's own
 * option (refused with any other method). */
static PetscErrorCode ReadMethod(PetscOptionItems *PetscOptionsObject, ICLSweep *sw)
{
  const PetscInt n = ICLTrainMethodCount();
  const char    *names[2 * ICL_MAX_TRAIN_METHODS + 1];
  char           text[1024] = "training method:", cheap[256] = "";
  PetscInt       nnames = 1, m = 0;

  PetscFunctionBegin;
  /* auto, the methods, then their aliases: accepted (names in option files of earlier versions)
   * but not offered */
  names[0] = "auto";
  for (PetscInt k = 0; k < n; k++) {
    const ICLTrainMethodType *t = ICLTrainMethodAt(k);
    size_t                    at = strlen(text);
    names[nnames++]              = t->name;
    snprintf(text + at, sizeof text - at, " %s (%s%s%s%s%s%s),", t->name, t->help, t->alias ? "; " : "", t->alias ? t->alias : "", t->alias ? " is an alias" : "",
             t->option ? ", -" : "", t->option ? t->option->name : "");
    if (t->auto_cost) {
      at = strlen(cheap);
      snprintf(cheap + at, sizeof cheap - at, "%s%s", at ? " or " : "", t->name);
    }
  }
  for (PetscInt k = 0; k < n; k++)
    if (ICLTrainMethodAt(k)->alias) names[nnames++] = ICLTrainMethodAt(k)->alias;
  snprintf(text + strlen(text), sizeof text - strlen(text), " auto (%s by the cost model)", cheap);
  PetscCall(ReadChoice(PetscOptionsObject, "-train_method", text, NULL, n + 1, nnames, names, &m, NULL));
  sw->method = ICLTrainMethodFind(names[m]);
  for (PetscInt k = 0; k < n; k++) {
    const ICLTrainMethodType *t = ICLTrainMethodAt(k);
    char                      opt[ICL_NAME_LEN + 1], help[256], value[ICL_NAME_LEN];
    PetscBool                 set;
    if (!t->option) continue;
    PetscCall(PetscSNPrintf(opt, sizeof opt, "-%s", t->option->name));
    PetscCall(PetscSNPrintf(help, sizeof help, "with -train_method %s: %s", t->name, t->option->help));
    PetscCall(PetscStrncpy(value, t->option->def, sizeof value));
    OptCall(opt, PetscOptionsString(opt, help, NULL, value, value, sizeof value, &set));
    PetscCheck(!set || sw->method == t, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s %s is used with -train_method %s only; add -train_method %s or remove %s", opt, value, t->name, t->name, opt);
    if (sw->method == t) PetscCall(PetscStrncpy(sw->method_option, value, sizeof sw->method_option));
  }
  PetscFunctionReturn(0);
}

/* How trained models train: method (and its own option), arithmetic, engine. */
static PetscErrorCode ReadTraining(PetscOptionItems *PetscOptionsObject, ICLSweep *sw)
{
  /* in the order of ICLTrainPrecision and ICLEngine */
  static const char *const precisions[] = {"double", "single"}, *const engines[] = {"auto", "explicit", "gram", "wfree"};
  PetscInt                 p = ICL_PRECISION_DOUBLE, e = ICL_ENGINE_AUTO;

  PetscFunctionBegin;
  PetscCall(ReadMethod(PetscOptionsObject, sw));
  PetscCall(ReadChoice(PetscOptionsObject, "-train_precision", "arithmetic of training linear (gmm, linreg, distreg): double, or single "
      "(gd: float task stacks and SGEMM, W accumulated in double; dual: K in floats)", NULL, 2, 2, precisions, &p, NULL));
  sw->precision = (ICLTrainPrecision)p;
  /* -engine (docs/engines.md): gram gives the explicit engine's law, not its draws */
  PetscCall(ReadChoice(PetscOptionsObject, "-engine", "how gmm cells of linear are computed: explicit (d-vectors), gram (Gram matrices: the "
      "same law, cost independent of d), auto (the cheaper by cost), wfree (gram without its reduced W)", NULL, 4, 4, engines, &e, NULL));
  sw->engine = (ICLEngine)e;
  PetscFunctionReturn(0);
}

/* linreg's covariances: the spectrum of Sigma_beta, the source law's, Sigma_x's. */
static PetscErrorCode ReadCovariances(PetscOptionItems *PetscOptionsObject, ICLSweep *sw, PetscBool *source_set)
{
  PetscFunctionBegin;
  OptCall("-spectrum", PetscOptionsString("-spectrum", "linreg: spectrum of Sigma_beta: flat, geometric:q, power:a or list:l1,l2,... (scaled to sum R^2)", NULL, sw->spectrum, sw->spectrum, sizeof sw->spectrum, NULL));
  PetscCall(ReadSource(PetscOptionsObject, sw, source_set));
  OptCall("-x_spectrum", PetscOptionsString("-x_spectrum", "linreg: eigenvalues of Sigma_x, as -spectrum over d directions (scaled to tr Sigma_x = d; default flat, x ~ N(0, I))", NULL, sw->x_spectrum, sw->x_spectrum, sizeof sw->x_spectrum, NULL));
  PetscFunctionReturn(0);
}

/* The test: context lengths M, signal strength, subspace, tasks, and the master seed. */
static PetscErrorCode ReadEvaluation(PetscOptionItems *PetscOptionsObject, ICLSweep *sw)
{
  static const char *const subspaces[] = {"first", "random"};
  PetscInt                 nM = ICL_MAX_AXIS, u = 0;
  PetscBool                set, expr;

  PetscFunctionBegin;
  OptCall("-eval_M", PetscOptionsIntArray("-eval_M", "test context lengths M (comma list)", NULL, sw->M, &nM, &set));
  if (set) sw->nM = nM;
  OptCall("-eval_R", PetscOptionsReal("-eval_R", "test signal strength (default: the cell's R)", NULL, sw->eval_R, &sw->eval_R, &set));
  PetscCheck(!set || (PetscIsNormalReal(sw->eval_R) && sw->eval_R > 0), PETSC_COMM_SELF, ICL_ERR_INPUT, "-eval_R %g: must be a positive finite number", (double)sw->eval_R);
  PetscCall(ReadExpr(PetscOptionsObject, sw, &cell_params[1], &expr));
  PetscCheck(!(expr && set), PETSC_COMM_SELF, ICL_ERR_INPUT, "-eval_R_expr and -eval_R both given; give one");
  PetscCall(ReadChoice(PetscOptionsObject, "-subspace", "task subspace U: first (the first k coordinates) or random (QR of a Gaussian d x k matrix)", NULL, 2, 2, subspaces, &u, NULL));
  sw->subspace_random = u ? PETSC_TRUE : PETSC_FALSE;
  OptCall("-eval_tasks", PetscOptionsInt("-eval_tasks", "test tasks", NULL, sw->eval_tasks, &sw->eval_tasks, NULL));
  OptCall("-seed", PetscOptionsInt("-seed", "master seed", NULL, sw->seed, &sw->seed, NULL));
  PetscFunctionReturn(0);
}

/* How the sweep runs (none of these changes a result): groups, output, scheduling, shards,
 * drain, fault injection. */
static PetscErrorCode ReadRun(PetscOptionItems *PetscOptionsObject, ICLSweep *sw)
{
  static const char *const schedules[] = {"dynamic", "static"};
  PetscInt                 schedule    = 0;

  PetscFunctionBegin;
  OptCall("-group_size", PetscOptionsInt("-group_size", "ranks that train one model together", NULL, sw->group_size, &sw->group_size, NULL));
  OptCall("-threads_per_rank", PetscOptionsInt("-threads_per_rank", "BLAS threads of each rank (hybrid MPI x threads; bind each rank to as many cores); 0: as the environment says", NULL, sw->threads_per_rank, &sw->threads_per_rank, NULL));
  PetscCheck(sw->threads_per_rank >= 0 && sw->threads_per_rank <= 1024, PETSC_COMM_SELF, ICL_ERR_INPUT, "-threads_per_rank %d: use the cores each rank is bound to (1 or more), or 0 to keep the environment's BLAS threads", (int)sw->threads_per_rank);
  OptCall("-tail_threads", PetscOptionsBool("-tail_threads", "when fewer cells are left than free cores, cells handed out take the idle ranks' cores as BLAS threads", NULL, sw->tail_threads, &sw->tail_threads, NULL));
  OptCall("-output", PetscOptionsString("-output", "output directory DIR (results in DIR/results.nc)", NULL, sw->output, sw->output, sizeof sw->output, NULL));
  PetscCall(ReadChoice(PetscOptionsObject, "-schedule", "dynamic (idle ranks pull the largest cell left) or static (dealt up front)", NULL, 2, 2, schedules, &schedule, NULL));
  sw->dynamic = schedule ? PETSC_FALSE : PETSC_TRUE;
  OptCall("-shard", PetscOptionsInt("-shard", "this run's shard (0 .. num_shards-1), e.g. a Slurm array task", NULL, sw->shard, &sw->shard, NULL));
  OptCall("-num_shards", PetscOptionsInt("-num_shards", "shards the sweep is split into (cells dealt by the cost model)", NULL, sw->num_shards, &sw->num_shards, NULL));
  PetscCheck(sw->num_shards >= 1 && sw->shard >= 0 && sw->shard < sw->num_shards, PETSC_COMM_SELF, ICL_ERR_INPUT, "-shard %d -num_shards %d: need 0 <= shard < num_shards", (int)sw->shard, (int)sw->num_shards);
  OptCall("-drain_seconds", PetscOptionsReal("-drain_seconds", "after SIGTERM/SIGINT/SIGUSR1, seconds in-flight cells may take before they are dropped", NULL, sw->drain_seconds, &sw->drain_seconds, NULL));
  PetscCheck(sw->drain_seconds >= 0 && sw->drain_seconds < 1e7, PETSC_COMM_SELF, ICL_ERR_INPUT, "-drain_seconds %g: use a number of seconds >= 0", (double)sw->drain_seconds);
  OptCall("-partial_interval", PetscOptionsReal("-partial_interval", "seconds between refreshes of DIR/partial.nc during a run (also at least 5% of the run's cells apart; 0: none)", NULL, sw->partial_interval, &sw->partial_interval, NULL));
  PetscCheck(sw->partial_interval >= 0 && sw->partial_interval < 1e9, PETSC_COMM_SELF, ICL_ERR_INPUT, "-partial_interval %g: use a number of seconds >= 0 (0: no partial.nc)", (double)sw->partial_interval);
  PetscCall(ReadFault(PetscOptionsObject, sw));
  PetscFunctionReturn(0);
}

/* Axes sorted without repeats, counts and sizes in range. */
static PetscErrorCode CheckSizes(ICLSweep *sw)
{
  PetscFunctionBegin;
  PetscCall(CheckIntAxis("-grid_d", sw->d, sw->nd, 1, 100000000)); /* the gram engine's cost does not grow with d */
  PetscCall(CheckIntAxis("-grid_k", sw->k, sw->nk, 1, 100000));
  PetscCall(CheckIntAxis("-grid_N", sw->N, sw->nN, 1, 100000000));
  PetscCall(CheckRealAxis("-grid_R", sw->R, sw->nR, 1e-300));
  PetscCall(CheckIntAxis("-eval_M", sw->M, sw->nM, 1, 100000000));
  PetscCheck(sw->replicates >= 1 && sw->replicates <= 100000, PETSC_COMM_SELF, ICL_ERR_INPUT, "-replicates %d: use an integer in [1, 100000]", (int)sw->replicates);
  PetscCheck(sw->B >= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_tasks %d: need at least 1 training task", (int)sw->B);
  PetscCheck(sw->T >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_steps %d: must be >= 0", (int)sw->T);
  PetscCheck(PetscIsNormalReal(sw->lr) && sw->lr > 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_lr %g: must be a positive finite number", (double)sw->lr);
  PetscCheck(sw->eval_tasks >= 2, PETSC_COMM_SELF, ICL_ERR_INPUT, "-eval_tasks %d: need at least 2 test tasks (for a standard error)", (int)sw->eval_tasks);
  PetscCheck(sw->seed >= 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-seed %d: must be >= 0", (int)sw->seed);
  PetscCheck(sw->group_size >= 1, PETSC_COMM_SELF, ICL_ERR_INPUT, "-group_size %d: need at least 1 rank per group", (int)sw->group_size);
  PetscFunctionReturn(0);
}

/* The family and every model from their registries; each model applies to the family. */
static PetscErrorCode FindModels(ICLSweep *sw)
{
  PetscFunctionBegin;
  sw->fam = ICLFamilyFind(sw->family);
  for (PetscInt i = 0; i < sw->nmodels; i++) {
    sw->types[i] = ICLModelFind(sw->models[i]);
    PetscCheck(sw->types[i], PETSC_COMM_SELF, ICL_ERR_INPUT, "-models: unknown model '%s'; available: %s", sw->models[i], ICLModelNames());
    PetscCheck(sw->types[i]->supports(sw->fam), PETSC_COMM_SELF, ICL_ERR_INPUT, "-models: model '%s' does not apply to family '%s'", sw->models[i], sw->family);
    for (PetscInt j = 0; j < i; j++) PetscCheck(strcmp(sw->models[i], sw->models[j]), PETSC_COMM_SELF, ICL_ERR_INPUT, "-models lists '%s' twice; give each model once", sw->models[i]);
  }
  PetscFunctionReturn(0);
}

/* The training options fit the method and the models. */
static PetscErrorCode CheckTraining(const ICLSweep *sw)
{
  PetscFunctionBegin;
  if (sw->method && sw->method->option && sw->method->option->check) {
    /* an unknown value is bad input, not a failure of every cell */
    const char *problem;
    PetscCall(sw->method->option->check(sw->method_option, &problem));
    PetscCheck(!problem, PETSC_COMM_SELF, ICL_ERR_INPUT, "-%s %s: %s", sw->method->option->name, sw->method_option, problem);
  }
  /* a method says whether it has a single-precision path (gd: float GEMMs; dual: K in floats;
   * tao's line searches want double) */
  if (sw->precision == ICL_PRECISION_SINGLE) {
    char single[128];
    ICLTrainMethodNamesWith(PETSC_TRUE, single, sizeof single);
    PetscCheck(!sw->method || sw->method->single, PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_precision single applies to -train_method %s and auto, not %s; use one of those, or remove -train_precision", single, sw->method->name);
    PetscCheck(ModelReads(sw, "train_precision"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-train_precision single: used by model linear on families gmm, linreg and distreg only; remove it");
  }
  PetscCheck((sw->engine != ICL_ENGINE_GRAM && sw->engine != ICL_ENGINE_WFREE) || ModelReads(sw, "engine"), PETSC_COMM_SELF, ICL_ERR_INPUT,
             "-engine %s: computes model linear on family gmm only; use -family gmm with model linear, or remove -engine", sw->engine == ICL_ENGINE_GRAM ? "gram" : "wfree");
  /* W-free is the dual form in double precision (docs/engines.md) */
  PetscCheck(sw->engine != ICL_ENGINE_WFREE || !sw->method || sw->method == ICLTrainMethodFind("dual"), PETSC_COMM_SELF, ICL_ERR_INPUT, "-engine wfree trains by the dual form: use -train_method dual or auto, or -engine gram");
  PetscCheck(sw->engine != ICL_ENGINE_WFREE || sw->precision == ICL_PRECISION_DOUBLE, PETSC_COMM_SELF, ICL_ERR_INPUT, "-engine wfree runs in double precision: remove -train_precision single, or use -engine gram");
  PetscFunctionReturn(0);
}

PetscErrorCode ICLSweepFromOptions(MPI_Comm comm, ICLSweep *sw, PetscBool *help)
{
  static const char *const axes[] = {"-grid_d", "-grid_k", "-grid_N", "-grid_R", "-eval_M"};
  PetscBool                pset[ICL_MAX_PARAMS], paxis[ICL_MAX_PARAMS], pexpr[ICL_MAX_PARAMS], source_set[4];

  PetscFunctionBegin;
  PetscCall(SetDefaults(sw));
  for (size_t i = 0; i < sizeof axes / sizeof axes[0]; i++) PetscCall(CheckListLength(axes[i], ICL_MAX_AXIS));
  PetscCall(CheckListLength("-models", ICL_MAX_MODELS));
  /* read in this order, which -help and docs/options.md follow */
  PetscOptionsBegin(comm, NULL, "iclsweep sweep options (docs/usage.md)", NULL);
  PetscCall(ReadGrid(PetscOptionsObject, sw, pset, paxis, pexpr));
  PetscCall(ReadModels(PetscOptionsObject, sw));
  PetscCall(ReadTraining(PetscOptionsObject, sw));
  PetscCall(ReadCovariances(PetscOptionsObject, sw, source_set));
  PetscCall(ReadEvaluation(PetscOptionsObject, sw));
  PetscCall(ReadRun(PetscOptionsObject, sw));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, help));

  PetscCall(CheckSizes(sw));
  PetscCall(FindModels(sw));
  PetscCall(CheckTraining(sw));
  PetscCall(CheckParams(sw, pset, paxis, pexpr));
  PetscCall(CheckSource(sw, source_set));
  PetscCall(CompileExprs(sw));
  PetscCall(ParseSpectrum(sw, "-spectrum", sw->spectrum, sw->k, sw->nk, &sw->spectrum_kind, &sw->spectrum_param, sw->spectrum_list));
  PetscCall(ParseSpectrum(sw, "-x_spectrum", sw->x_spectrum, sw->d, sw->nd, &sw->x_spectrum_kind, &sw->x_spectrum_param, sw->x_spectrum_list));
  PetscCall(ParseSpectrum(sw, "-source_spectrum", sw->source_spectrum, sw->k, sw->nk, &sw->source_spectrum_kind, &sw->source_spectrum_param, sw->source_spectrum_list));
  PetscCall(Fingerprint(sw));
  PetscFunctionReturn(0);
}
