#include "output.h"
#include "replay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netcdf.h>

#include "durable.h"
#include "error.h"
#include "journal.h"
#include "linreg.h"
#include "train_method.h"

/* Every NetCDF call is checked; the message names the file and NetCDF's reason. */
#define NCCall(path, call) \
  do { \
    int nc_status_ = (call); \
    PetscCheck(nc_status_ == NC_NOERR, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "NetCDF error on %s: %s (%s)", path, nc_strerror(nc_status_), #call); \
  } while (0)

#define ICL_NDIMS (7 + ICL_MAX_EXTRA) /* model, d, k, N, R, family-parameter axes, replicate, M */

static const char *const status_meanings = "pending ok diverged failed not_applicable";

/* mkdir -p: a sweep's DIR may name folders that do not exist yet (runs/2026-11/mv). */
static PetscErrorCode MakeDirs(const char *dir)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCheck(strlen(dir) < sizeof path, PETSC_COMM_SELF, ICL_ERR_INPUT, "-output %s: path longer than %d characters", dir, (int)sizeof path - 1);
  PetscCall(PetscStrncpy(path, dir, sizeof path));
  for (char *p = path + 1;; p++) {
    const char c = *p;
    if (c != '/' && c != 0) continue;
    *p = 0;
    PetscCheck(mkdir(path, 0777) == 0 || errno == EEXIST, PETSC_COMM_SELF, ICL_ERR_INPUT, "-output %s: cannot create the directory %s (%s); check the path and permissions", dir, path, strerror(errno));
    if (!c) break;
    *p = c;
  }
  PetscFunctionReturn(0);
}

/* A global text attribute of at most len - 1 characters; "" when absent. */
static int GetText(int ncid, const char *name, char *value, size_t len)
{
  size_t n = 0;
  int    status = nc_inq_attlen(ncid, NC_GLOBAL, name, &n);
  value[0] = 0;
  if (status == NC_ENOTATT) return NC_NOERR;
  if (status == NC_NOERR && n >= len) return NC_EMAXNAME;
  if (status == NC_NOERR) status = nc_get_att_text(ncid, NC_GLOBAL, name, value);
  if (status == NC_NOERR) value[n] = 0;
  return status;
}

PetscErrorCode ICLOutputInspect(const ICLSweep *sw, const char *dir, PetscBool *complete)
{
  char        path[PETSC_MAX_PATH_LEN], found[64] = "", found_cell[64] = "", done[8] = "";
  struct stat st;
  int         ncid, status;
  PetscBool   journal;
  PetscInt64  ncells;

  PetscFunctionBegin;
  *complete = PETSC_FALSE;
  PetscCheck(dir[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "no output directory: give -output DIR");
  if (stat(dir, &st)) {
    PetscCheck(errno == ENOENT, PETSC_COMM_SELF, ICL_ERR_INPUT, "-output %s: cannot access it (%s)", dir, strerror(errno));
    PetscCall(MakeDirs(dir));
  } else PetscCheck(S_ISDIR(st.st_mode), PETSC_COMM_SELF, ICL_ERR_INPUT, "-output %s exists and is not a directory; choose a directory path", dir);
  PetscCheck(access(dir, W_OK | X_OK) == 0, PETSC_COMM_SELF, ICL_ERR_INPUT, "-output %s: directory is not writable (%s)", dir, strerror(errno));
  PetscCall(ICLJournalPeek(dir, &journal, found, found_cell, &ncells));
  if (journal && found[0]) PetscCall(ICLJournalCheckSweep(sw, dir, found, found_cell));
  journal = journal && found_cell[0] ? PETSC_TRUE : PETSC_FALSE; /* it holds a cell fingerprint, which governs */
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/results.nc", dir));
  if (stat(path, &st)) PetscFunctionReturn(0);
  status = nc_open(path, NC_NOWRITE, &ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s exists but is not a readable NetCDF file (%s); move it away or choose another -output", path, nc_strerror(status));
  status = GetText(ncid, "fingerprint", found, sizeof found);
  if (status == NC_NOERR) status = GetText(ncid, "cell_fingerprint", found_cell, sizeof found_cell);
  if (status == NC_NOERR) status = GetText(ncid, "complete", done, sizeof done);
  nc_close(ncid);
  PetscCheck(status == NC_NOERR && found[0], PETSC_COMM_SELF, ICL_ERR_INPUT, "%s was not written by iclsweep (no fingerprint attribute); choose another -output", path);
  /* a results.nc of an earlier iclsweep beside an upgraded journal: the journal has spoken */
  if (found_cell[0] || !journal) PetscCall(ICLJournalCheckSweep(sw, dir, found, found_cell));
  /* complete for this grid only: a grown sweep has cells to run */
  *complete = !strcmp(done, "yes") && !strcmp(found, sw->fingerprint) ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLOutputReadOptions(const char *dir, char *options, size_t len, char fingerprint[17])
{
  char   path[PETSC_MAX_PATH_LEN];
  size_t n = 0, fn = 0;
  int    ncid, status;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/results.nc", dir));
  status = nc_open(path, NC_NOWRITE, &ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s: %s; a part must hold the results.nc its run wrote (rerun the part to resume it)", path, nc_strerror(status));
  status = nc_inq_attlen(ncid, NC_GLOBAL, "options", &n);
  if (status == NC_NOERR && n < len) status = nc_get_att_text(ncid, NC_GLOBAL, "options", options);
  if (status == NC_NOERR) status = nc_inq_attlen(ncid, NC_GLOBAL, "fingerprint", &fn);
  if (status == NC_NOERR && fn < 17) status = nc_get_att_text(ncid, NC_GLOBAL, "fingerprint", fingerprint);
  nc_close(ncid);
  PetscCheck(status == NC_NOERR && n < len && fn < 17, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s lacks iclsweep's options or fingerprint attribute: not an iclsweep results file", path);
  options[n] = 0, fingerprint[fn] = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode PutText(const char *path, int ncid, int var, const char *name, const char *value)
{
  PetscFunctionBegin;
  NCCall(path, nc_put_att_text(ncid, var, name, strlen(value), value));
  PetscFunctionReturn(0);
}

/* A coordinate or data variable with its CF attributes. */
static PetscErrorCode DefVar(const char *path, int ncid, const char *name, nc_type type, int ndims, const int *dims, const char *long_name, const char *units, int *var)
{
  PetscFunctionBegin;
  NCCall(path, nc_def_var(ncid, name, type, ndims, dims, var));
  if (ndims > 1) NCCall(path, nc_def_var_deflate(ncid, *var, 1, 1, 1));
  if (type == NC_DOUBLE && ndims > 1) {
    const double fill = NC_FILL_DOUBLE;
    NCCall(path, nc_def_var_fill(ncid, *var, 0, &fill));
  }
  PetscCall(PutText(path, ncid, *var, "long_name", long_name));
  if (units) PetscCall(PutText(path, ncid, *var, "units", units));
  PetscFunctionReturn(0);
}

/* NaN is how models say "no value"; the file says it with _FillValue. */
static PetscErrorCode PutDoubles(const char *path, int ncid, int var, const PetscReal *v, size_t n, double *buf)
{
  PetscFunctionBegin;
  for (size_t i = 0; i < n; i++) buf[i] = PetscIsInfOrNanReal(v[i]) ? NC_FILL_DOUBLE : v[i];
  NCCall(path, nc_put_var_double(ncid, var, buf));
  PetscFunctionReturn(0);
}

/* NAME_value over (d, k, N, R, parameter axes) for each -NAME_expr: the value every cell used
 * (models and replicates share it). With -R_expr the R axis has one coordinate, NaN. */
static PetscErrorCode DefExprValues(const char *path, int ncid, const ICLSweep *sw, const int *dims, const int *coord, int *vars)
{
  PetscFunctionBegin;
  for (PetscInt e = 0; e < sw->nexpr; e++) {
    const ICLSweepParam *q = sw->expr[e].param;
    char                 name[64], long_name[256];
    PetscCall(PetscSNPrintf(name, sizeof name, "%s_value", q->name));
    PetscCall(PetscSNPrintf(long_name, sizeof long_name, "%s of each cell, from -%s_expr", q->description, q->name));
    PetscCall(DefVar(path, ncid, name, q->integer ? NC_INT : NC_DOUBLE, 4 + (int)sw->nextra, dims + 1, long_name, "1", &vars[e]));
    PetscCall(PutText(path, ncid, vars[e], "expression", sw->expr[e].text));
    if (!strcmp(q->name, "R")) PetscCall(PutText(path, ncid, coord[4], "comment", "not an axis: each cell's R is R_value (-R_expr)"));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PutExprValues(const char *path, int ncid, const ICLSweep *sw, const int *vars)
{
  size_t     n = (size_t)(sw->nd * sw->nk * sw->nN * sw->nR), i = 0;
  PetscReal *v, x[ICL_MAX_EXPR];

  PetscFunctionBegin;
  if (!sw->nexpr) PetscFunctionReturn(0);
  for (PetscInt j = 0; j < sw->nextra; j++) n *= (size_t)sw->extra[j].n;
  PetscCall(PetscMalloc1(n * sw->nexpr, &v));
  for (PetscInt64 c = 0; c < ICLGridSize(sw); c++) {
    ICLCellIndex ix;
    ICLGridIndex(sw, c, &ix);
    if (ix.model || ix.rep) continue; /* the cells of the first model and replicate, in C order */
    ICLGridExprValues(sw, &ix, x);
    for (PetscInt e = 0; e < sw->nexpr; e++) v[e * n + i] = x[e];
    i++;
  }
  for (PetscInt e = 0; e < sw->nexpr; e++) NCCall(path, nc_put_var_double(ncid, vars[e], v + e * n)); /* converted to NC_INT where integer */
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* results.nc's dimensions and variables, as WriteFile's steps define them: the cell's
 * dimensions (model, d, k, N, R, parameter axes, replicate), then M. */
typedef struct {
  int ndims, ncell; /* cell variables lack M */
  int dims[ICL_NDIMS], coord[ICL_NDIMS], svdims[ICL_NDIMS], hdims[ICL_NDIMS], v_expr[ICL_MAX_EXPR];
  int v_err, v_se, v_excess, v_loss, v_align, v_status, v_wall, v_flops, v_sv, v_gd, c_sv, v_hist, v_hstep;
  int v_spectrum[3];
} Layout;

/* A covariance spectrum option of linreg as the sampler resolves it, for each size of its axis. */
typedef struct {
  const char      *name, *dim, *long_name;
  PetscInt         kind, axis; /* ICLSpectrumKind; the axis of sizes, 1 (d) or 2 (k) */
  PetscReal        param;
  const PetscReal *list;
} Spectrum;

/* The sweep's spectra (docs/output.md): Sigma_beta's and the source law's eigenvalues per k at
 * R = 1 (a cell's are R^2 times these), Sigma_x's per d (trace d, where -x_spectrum is given). */
static PetscInt Spectra(const ICLSweep *sw, Spectrum *s)
{
  PetscInt n = 0;
  if (ICLSweepReads(sw, "spectrum"))
    s[n++] = (Spectrum){"spectrum", "direction", "eigenvalues of Sigma_beta at R = 1, sum 1 (a cell's are R^2 times these; fill past k)", sw->spectrum_kind, 2, sw->spectrum_param, sw->spectrum_list};
  if (ICLSweepReads(sw, "source_spectrum"))
    s[n++] = (Spectrum){"source_spectrum", "direction", "eigenvalues of the source law's Sigma_beta at R = 1, sum 1 (fill past k)", sw->source_spectrum_kind, 2, sw->source_spectrum_param, sw->source_spectrum_list};
  if (sw->x_spectrum[0]) s[n++] = (Spectrum){"x_spectrum", "x_direction", "eigenvalues of Sigma_x, sum d (fill past d)", sw->x_spectrum_kind, 1, sw->x_spectrum_param, sw->x_spectrum_list};
  return n;
}

static PetscErrorCode DefSpectra(const char *path, int ncid, const ICLSweep *sw, Layout *L)
{
  Spectrum s[3];
  PetscInt n = Spectra(sw, s);
  int      dims[2];

  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt *sizes = s[i].axis == 1 ? sw->d : sw->k, nsizes = s[i].axis == 1 ? sw->nd : sw->nk;
    dims[0] = L->dims[s[i].axis];
    if (nc_inq_dimid(ncid, s[i].dim, &dims[1]) != NC_NOERR) NCCall(path, nc_def_dim(ncid, s[i].dim, (size_t)sizes[nsizes - 1], &dims[1]));
    PetscCall(DefVar(path, ncid, s[i].name, NC_DOUBLE, 2, dims, s[i].long_name, "1", &L->v_spectrum[i]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode PutSpectra(const char *path, int ncid, const ICLSweep *sw, const Layout *L)
{
  Spectrum   s[3];
  PetscInt   n = Spectra(sw, s);
  PetscReal *v;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; i++) {
    const PetscInt *sizes = s[i].axis == 1 ? sw->d : sw->k, nsizes = s[i].axis == 1 ? sw->nd : sw->nk, width = sizes[nsizes - 1];
    PetscCall(PetscMalloc1(nsizes * width, &v));
    for (PetscInt j = 0; j < nsizes; j++) {
      PetscReal *row = v + j * width;
      for (PetscInt a = sizes[j]; a < width; a++) row[a] = NAN;
      /* checked at input (options.c), so it cannot fail here */
      (void)ICLLinregSpectrum((ICLSpectrumKind)s[i].kind, (int)sizes[j], s[i].axis == 1 ? PetscSqrtReal((PetscReal)sizes[j]) : 1.0, s[i].param, s[i].list, row);
    }
    NCCall(path, nc_put_var_double(ncid, L->v_spectrum[i], v));
    PetscCall(PetscFree(v));
  }
  PetscFunctionReturn(0);
}

/* The dimensions and their coordinate variables (categorical axes named by CF flags). */
static PetscErrorCode DefCoordinates(const char *path, int ncid, const ICLSweep *sw, Layout *L)
{
  const char *dimnames[ICL_NDIMS] = {"model", "d", "k", "N", "R"}, *coordnames[ICL_NDIMS] = {"model or baseline", "ambient dimension", "subspace rank", "training context length", "signal strength (norm of the task vector)"};
  size_t      sizes[ICL_NDIMS] = {(size_t)sw->nmodels, (size_t)sw->nd, (size_t)sw->nk, (size_t)sw->nN, (size_t)sw->nR};
  nc_type     types[ICL_NDIMS] = {NC_STRING, NC_INT, NC_INT, NC_INT, NC_DOUBLE};
  const int   ndims = 7 + (int)sw->nextra;

  PetscFunctionBegin;
  L->ndims = ndims, L->ncell = ndims - 1;
  for (PetscInt i = 0; i < sw->nextra; i++) {
    dimnames[5 + i]   = sw->extra[i].param->name;
    coordnames[5 + i] = sw->extra[i].param->description;
    sizes[5 + i]      = (size_t)sw->extra[i].n;
    /* categorical axes (link, feature_map, ...) hold names, as model does */
    types[5 + i]      = sw->extra[i].param->find ? NC_STRING : sw->extra[i].param->integer ? NC_INT : NC_DOUBLE;
  }
  dimnames[L->ndims - 2] = "replicate", coordnames[L->ndims - 2] = "replicate index", sizes[L->ndims - 2] = (size_t)sw->replicates, types[L->ndims - 2] = NC_INT;
  dimnames[L->ndims - 1] = "M", coordnames[L->ndims - 1] = "test context length", sizes[L->ndims - 1] = (size_t)sw->nM, types[L->ndims - 1] = NC_INT;
  for (int i = 0; i < L->ndims; i++) {
    NCCall(path, nc_def_dim(ncid, dimnames[i], sizes[i], &L->dims[i]));
    PetscCall(DefVar(path, ncid, dimnames[i], types[i], 1, &L->dims[i], coordnames[i], types[i] == NC_STRING ? NULL : "1", &L->coord[i]));
  }
  PetscFunctionReturn(0);
}

/* The data variables: test error and its kin over (cell, M), the per-cell diagnostics. */
static PetscErrorCode DefVariables(const char *path, int ncid, const ICLSweep *sw, Layout *L)
{
  PetscFunctionBegin;
  PetscCall(DefVar(path, ncid, "test_error", NC_DOUBLE, L->ndims, L->dims, "test error (gmm: misclassification probability; linreg: mean squared error)", "1", &L->v_err));
  PetscCall(DefVar(path, ncid, "test_error_se", NC_DOUBLE, L->ndims, L->dims, "standard error of test_error (0 where exact)", "1", &L->v_se));
  PetscCall(DefVar(path, ncid, "excess_error", NC_DOUBLE, L->ndims, L->dims, "test error minus the Bayes error of the task", "1", &L->v_excess));
  PetscCall(DefVar(path, ncid, "train_loss", NC_DOUBLE, L->ncell, L->dims, "final training loss", "1", &L->v_loss));
  PetscCall(DefVar(path, ncid, "subspace_alignment", NC_DOUBLE, L->ncell, L->dims, "||U^T W U||_F^2 / ||W||_F^2", "1", &L->v_align));
  PetscCall(DefVar(path, ncid, "wall_seconds", NC_DOUBLE, L->ncell, L->dims, "wall-clock time of the cell", "s", &L->v_wall));
  PetscCall(DefVar(path, ncid, "flops", NC_DOUBLE, L->ncell, L->dims, "floating-point operations of the cell", "1", &L->v_flops));
  PetscCall(DefVar(path, ncid, "status", NC_BYTE, L->ncell, L->dims, "cell status", NULL, &L->v_status));
  /* singular_values: the cell's dimensions, then sv (M is the last of dims, so it is replaced) */
  PetscCall(PetscArraycpy(L->svdims, L->dims, L->ncell));
  NCCall(path, nc_def_dim(ncid, "sv", ICL_NUM_SV, &L->svdims[L->ncell]));
  PetscCall(DefVar(path, ncid, "sv", NC_INT, 1, &L->svdims[L->ncell], "rank of the singular value (1: the largest)", "1", &L->c_sv));
  PetscCall(DefVar(path, ncid, "singular_values", NC_DOUBLE, L->ndims, L->svdims, "top singular values of the trained W (fill past d or where no W)", "1", &L->v_sv));
  PetscCall(DefExprValues(path, ncid, sw, L->dims, L->coord, L->v_expr));
  PetscCall(DefVar(path, ncid, "gd_distance", NC_DOUBLE, L->ncell, L->dims, "||W/||W||_F - W_1/||W_1||_F||_F, W_1 one GD step from W = 0 (fill where undefined)", "1", &L->v_gd));
  /* loss_history, history_step: the cell's dimensions, then history (as singular_values) */
  PetscCall(PetscArraycpy(L->hdims, L->dims, L->ncell));
  NCCall(path, nc_def_dim(ncid, "history", ICL_HISTORY, &L->hdims[L->ncell]));
  PetscCall(DefVar(path, ncid, "loss_history", NC_DOUBLE, L->ndims, L->hdims, "training loss along training, at up to 64 steps from the first to the last (fill where not trained)", "1", &L->v_hist));
  PetscCall(DefVar(path, ncid, "history_step", NC_DOUBLE, L->ndims, L->hdims, "training step of each loss_history point (0: before the first update)", "1", &L->v_hstep));
  PetscCall(DefSpectra(path, ncid, sw, L));
  {
    const signed char flags[] = {ICL_STATUS_PENDING, ICL_STATUS_OK, ICL_STATUS_DIVERGED, ICL_STATUS_FAILED, ICL_STATUS_NOT_APPLICABLE};
    NCCall(path, nc_put_att_schar(ncid, L->v_status, "flag_values", NC_BYTE, 5, flags));
    PetscCall(PutText(path, ncid, L->v_status, "flag_meanings", status_meanings));
  }
  PetscFunctionReturn(0);
}

/* Global attributes: the options that replay the sweep, its fingerprint, provenance. */
static PetscErrorCode PutAttributes(const char *path, int ncid, const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov)
{
  char end[32], text[16384];

  PetscFunctionBegin;
  ICLTimestamp(end, sizeof end);
  PetscCall(PutText(path, ncid, NC_GLOBAL, "Conventions", "CF-1.10"));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "title", "iclsweep: in-context learning sweep"));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "family", sw->family));
  {
    /* options outside the fingerprint (they change no result beyond rounding) */
    char method[64] = "";
    if (!sw->method || sw->method->gd_iterates) PetscCall(PetscSNPrintf(method, sizeof method, "-train_method %s\n", ICLTrainMethodName(sw->method)));
    char replay[sizeof sw->canonical];
    PetscCall(ICLSweepReplayable(sw, replay, sizeof replay));
    PetscCall(PetscSNPrintf(text, sizeof text, "%s-output %s\n-group_size %d\n%s", replay, sw->output, (int)sw->group_size, method));
  }
  PetscCall(PutText(path, ncid, NC_GLOBAL, "options", text));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "fingerprint", sw->fingerprint));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "cell_fingerprint", sw->cell_fingerprint));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "complete", res->todo ? "no" : "yes"));
  {
    const int shard[2] = {(int)sw->shard, (int)sw->num_shards};
    NCCall(path, nc_put_att_int(ncid, NC_GLOBAL, "shard", NC_INT, 1, &shard[0]));
    NCCall(path, nc_put_att_int(ncid, NC_GLOBAL, "num_shards", NC_INT, 1, &shard[1]));
  }
  PetscCall(PutText(path, ncid, NC_GLOBAL, "iclsweep_version", prov->version));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "git_commit", prov->git_commit));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "compiler", prov->compiler));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "compiler_flags", prov->cflags));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "mpi_library", prov->mpi));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "petsc_version", prov->petsc));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "netcdf_version", prov->netcdf));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "blas_library", prov->blas));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "hosts", prov->hosts));
  NCCall(path, nc_put_att_int(ncid, NC_GLOBAL, "ranks", NC_INT, 1, &prov->ranks));
  {
    const int g = (int)sw->group_size;
    NCCall(path, nc_put_att_int(ncid, NC_GLOBAL, "group_size", NC_INT, 1, &g));
  }
  {
    const double imbalance = res->busy_mean > 0 ? res->busy_max / res->busy_mean : 1.0;
    NCCall(path, nc_put_att_double(ncid, NC_GLOBAL, "load_imbalance", NC_DOUBLE, 1, &imbalance));
    NCCall(path, nc_put_att_double(ncid, NC_GLOBAL, "dispatch_seconds_per_cell", NC_DOUBLE, 1, &res->overhead));
    NCCall(path, nc_put_att_double(ncid, NC_GLOBAL, "busy_fraction", NC_DOUBLE, 1, &res->busy_fraction));
  }
  PetscCall(PutText(path, ncid, NC_GLOBAL, "start_time", prov->start));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "end_time", end));
  PetscCall(PetscSNPrintf(text, sizeof text, "%s: %s", end, prov->command));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "history", text));
  if (res->failures.len) PetscCall(PutText(path, ncid, NC_GLOBAL, "failures", res->failures.text));
  if (res->notes.len) PetscCall(PutText(path, ncid, NC_GLOBAL, "notes", res->notes.text));
  PetscFunctionReturn(0);
}

/* The coordinates' values (R's is NaN where -R_expr gives every cell its own). */
static PetscErrorCode PutCoordinates(const char *path, int ncid, const ICLSweep *sw, const Layout *L)
{
  const char *names[ICL_MAX_MODELS];
  PetscInt   *rep;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < sw->nmodels; i++) names[i] = sw->models[i];
  NCCall(path, nc_put_var_string(ncid, L->coord[0], names));
  NCCall(path, nc_put_var_int(ncid, L->coord[1], sw->d));
  NCCall(path, nc_put_var_int(ncid, L->coord[2], sw->k));
  NCCall(path, nc_put_var_int(ncid, L->coord[3], sw->N));
  if (sw->nexpr && !strcmp(sw->expr[0].param->name, "R")) {
    const double nan = NAN;
    NCCall(path, nc_put_var_double(ncid, L->coord[4], &nan));
  } else NCCall(path, nc_put_var_double(ncid, L->coord[4], sw->R));
  PetscCall(PutExprValues(path, ncid, sw, L->v_expr));
  for (PetscInt i = 0; i < sw->nextra; i++) {
    const ICLSweepParam *q = sw->extra[i].param;
    if (q->find) {
      char        buf[ICL_MAX_AXIS][ICL_NAME_LEN];
      const char *value[ICL_MAX_AXIS];
      for (PetscInt j = 0; j < sw->extra[i].n; j++) {
        value[j] = ICLParamValueName(q, (int)sw->extra[i].v[j], buf[j], sizeof buf[j]);
        PetscCheck(value[j], PETSC_COMM_SELF, PETSC_ERR_PLIB, "-grid_%s: code %d has no name", q->name, (int)sw->extra[i].v[j]);
      }
      NCCall(path, nc_put_var_string(ncid, L->coord[5 + i], value));
    } else NCCall(path, nc_put_var_double(ncid, L->coord[5 + i], sw->extra[i].v)); /* converted to NC_INT where integer */
  }
  PetscCall(PetscMalloc1(sw->replicates, &rep));
  for (PetscInt r = 0; r < sw->replicates; r++) rep[r] = r;
  NCCall(path, nc_put_var_int(ncid, L->coord[L->ndims - 2], rep));
  PetscCall(PetscFree(rep));
  NCCall(path, nc_put_var_int(ncid, L->coord[L->ndims - 1], sw->M));
  {
    int sv[ICL_NUM_SV];
    for (int i = 0; i < ICL_NUM_SV; i++) sv[i] = i + 1;
    NCCall(path, nc_put_var_int(ncid, L->c_sv, sv));
  }

  PetscFunctionReturn(0);
}

/* The values of the data variables (and the excess error, from the family's Bayes error). */
static PetscErrorCode PutData(const char *path, int ncid, const ICLSweep *sw, const ICLResults *res, const Layout *L)
{
  const size_t ncells = (size_t)res->ncells, nvals = ncells * (size_t)sw->nM;
  double      *buf;
  PetscReal   *excess;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(PetscMax(nvals, ncells * ICL_HISTORY), &buf, nvals, &excess));
  for (size_t c = 0; c < ncells; c++) {
    ICLCellIndex ix;
    ICLCell      cell;
    ICLGridIndex(sw, (PetscInt64)c, &ix);
    ICLGridCell(sw, &ix, &cell);
    ICLTaskParams test = cell.task;
    test.R                = cell.eval_R;
    const PetscReal bayes = sw->fam->bayes_error ? sw->fam->bayes_error(&test) : NAN;
    for (PetscInt a = 0; a < sw->nM; a++) excess[c * sw->nM + a] = res->test_error[c * sw->nM + a] - bayes;
  }
  PetscCall(PutDoubles(path, ncid, L->v_err, res->test_error, nvals, buf));
  PetscCall(PutDoubles(path, ncid, L->v_se, res->test_error_se, nvals, buf));
  PetscCall(PutDoubles(path, ncid, L->v_excess, excess, nvals, buf));
  PetscCall(PutDoubles(path, ncid, L->v_loss, res->train_loss, ncells, buf));
  PetscCall(PutDoubles(path, ncid, L->v_align, res->alignment, ncells, buf));
  PetscCall(PutDoubles(path, ncid, L->v_wall, res->wall, ncells, buf));
  PetscCall(PutDoubles(path, ncid, L->v_flops, res->flops, ncells, buf));
  PetscCall(PutDoubles(path, ncid, L->v_sv, res->singular_values, ncells * ICL_NUM_SV, buf));
  PetscCall(PutDoubles(path, ncid, L->v_gd, res->gd_distance, ncells, buf));
  PetscCall(PutDoubles(path, ncid, L->v_hist, res->loss_history, ncells * ICL_HISTORY, buf));
  PetscCall(PutDoubles(path, ncid, L->v_hstep, res->history_step, ncells * ICL_HISTORY, buf));
  ICL_FAULT(sw->fault[ICL_FAULT_RESULTS_WRITE] >= 0, raise(SIGKILL)); /* a crash mid-write */
  NCCall(path, nc_put_var_uchar(ncid, L->v_status, res->status));
  PetscCall(PetscFree2(buf, excess));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteFile(const char *path, int ncid, const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov)
{
  Layout L;

  PetscFunctionBegin;
  PetscCall(DefCoordinates(path, ncid, sw, &L));
  PetscCall(DefVariables(path, ncid, sw, &L));
  PetscCall(PutAttributes(path, ncid, sw, res, prov));
  NCCall(path, nc_enddef(ncid));
  PetscCall(PutCoordinates(path, ncid, sw, &L));
  PetscCall(PutSpectra(path, ncid, sw, &L));
  PetscCall(PutData(path, ncid, sw, res, &L));
  PetscFunctionReturn(0);
}

/* Half-written files of runs that crashed while writing DIR/name (we hold the journal's
 * lock, so no other run is writing one now). */
static PetscErrorCode RemoveStaleTemporaries(const char *dir, const char *name)
{
  const size_t   m = strlen(name);
  DIR           *d = opendir(dir);
  struct dirent *e;
  char           path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot list %s: %s", dir, strerror(errno));
  while ((e = readdir(d))) {
    const size_t n = strlen(e->d_name);
    if (e->d_name[0] != '.' || strncmp(e->d_name + 1, name, m) || e->d_name[m + 1] != '.' || n < 4 || strcmp(e->d_name + n - 4, ".tmp")) continue;
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/%s", dir, e->d_name));
    unlink(path);
  }
  closedir(d);
  PetscFunctionReturn(0);
}

/* DIR/name written whole under a temporary name and renamed into place. */
static PetscErrorCode WriteAs(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov, const char *name)
{
  char           tmp[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  int            ncid, status;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/%s", sw->output, name));
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s/.%s.%d.tmp", sw->output, name, (int)getpid()));
  PetscCall(RemoveStaleTemporaries(sw->output, name));
  status = nc_create(tmp, NC_NETCDF4 | NC_CLOBBER, &ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot create %s: %s", tmp, nc_strerror(status));
  ierr   = WriteFile(tmp, ncid, sw, res, prov);
  status = nc_close(ncid);
  if (!ierr && status != NC_NOERR) ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_FILE_WRITE, PETSC_ERROR_INITIAL, "closing %s failed: %s", tmp, nc_strerror(status));
  if (!ierr) ierr = ICLSyncPath(tmp);
  if (!ierr && rename(tmp, path)) ierr = PetscError(PETSC_COMM_SELF, __LINE__, PETSC_FUNCTION_NAME, __FILE__, PETSC_ERR_FILE_WRITE, PETSC_ERROR_INITIAL, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
  if (ierr) {
    unlink(tmp); /* never leave a half-written file behind */
    PetscFunctionReturn(ierr);
  }
  PetscCall(ICLSyncPath(sw->output));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLOutputWrite(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov)
{
  char partial[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCall(WriteAs(sw, res, prov, "results.nc"));
  PetscCall(PetscSNPrintf(partial, sizeof partial, "%s/partial.nc", sw->output));
  PetscCheck(!unlink(partial) || errno == ENOENT, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot remove %s: %s", partial, strerror(errno));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLOutputWritePartial(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov)
{
  PetscFunctionBegin;
  PetscCall(WriteAs(sw, res, prov, "partial.nc"));
  PetscFunctionReturn(0);
}
