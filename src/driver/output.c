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

PetscErrorCode ICLOutputInspect(const char *dir, const char *fingerprint, PetscBool *complete)
{
  char        path[PETSC_MAX_PATH_LEN], found[64] = "", done[8] = "";
  struct stat st;
  int         ncid, status;
  size_t      len = 0, dlen = 0;
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
  PetscCall(ICLJournalPeek(dir, &journal, found, &ncells));
  PetscCheck(!journal || !found[0] || !strcmp(found, fingerprint), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s holds a different sweep (fingerprint %s; this sweep's is %s); nothing was changed. Choose another -output, or delete %s to start over", dir, found,
             fingerprint, dir);
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/results.nc", dir));
  if (stat(path, &st)) PetscFunctionReturn(0);
  status = nc_open(path, NC_NOWRITE, &ncid);
  PetscCheck(status == NC_NOERR, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s exists but is not a readable NetCDF file (%s); move it away or choose another -output", path, nc_strerror(status));
  found[0] = 0;
  status   = nc_inq_attlen(ncid, NC_GLOBAL, "fingerprint", &len);
  if (status == NC_NOERR && len < sizeof found) status = nc_get_att_text(ncid, NC_GLOBAL, "fingerprint", found);
  if (status == NC_NOERR && nc_inq_attlen(ncid, NC_GLOBAL, "complete", &dlen) == NC_NOERR && dlen < sizeof done) nc_get_att_text(ncid, NC_GLOBAL, "complete", done);
  nc_close(ncid);
  PetscCheck(status == NC_NOERR && len < sizeof found, PETSC_COMM_SELF, ICL_ERR_INPUT, "%s was not written by iclsweep (no fingerprint attribute); choose another -output", path);
  PetscCheck(!strcmp(found, fingerprint), PETSC_COMM_SELF, ICL_ERR_INPUT, "%s holds a different sweep (fingerprint %s; this sweep's is %s); nothing was changed. Choose another -output, or delete %s to start over", dir, found, fingerprint, dir);
  *complete = !strcmp(done, "yes") ? PETSC_TRUE : PETSC_FALSE;
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

static PetscErrorCode WriteFile(const char *path, int ncid, const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov)
{
  const char *dimnames[ICL_NDIMS] = {"model", "d", "k", "N", "R"}, *coordnames[ICL_NDIMS] = {"model or baseline", "ambient dimension", "subspace rank", "training context length", "signal strength (norm of the task vector)"};
  size_t      sizes[ICL_NDIMS] = {(size_t)sw->nmodels, (size_t)sw->nd, (size_t)sw->nk, (size_t)sw->nN, (size_t)sw->nR};
  nc_type     types[ICL_NDIMS] = {NC_STRING, NC_INT, NC_INT, NC_INT, NC_DOUBLE};
  const int   ndims = 7 + (int)sw->nextra, ncell = ndims - 1; /* cell variables lack M */
  int         dims[ICL_NDIMS], coord[ICL_NDIMS], v_expr[ICL_MAX_EXPR], v_err, v_se, v_excess, v_loss, v_align, v_status, v_wall, v_flops, v_sv, v_gd, c_sv, svdims[ICL_NDIMS];
  const size_t             ncells = (size_t)res->ncells, nvals = ncells * (size_t)sw->nM;
  double                  *buf;
  char                     end[32], text[16384];
  const char              *names[ICL_MAX_MODELS];
  PetscInt                *rep;
  PetscReal               *excess;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < sw->nextra; i++) {
    dimnames[5 + i]   = sw->extra[i].param->name;
    coordnames[5 + i] = sw->extra[i].param->description;
    sizes[5 + i]      = (size_t)sw->extra[i].n;
    types[5 + i]      = sw->extra[i].param->integer ? NC_INT : NC_DOUBLE;
  }
  dimnames[ndims - 2] = "replicate", coordnames[ndims - 2] = "replicate index", sizes[ndims - 2] = (size_t)sw->replicates, types[ndims - 2] = NC_INT;
  dimnames[ndims - 1] = "M", coordnames[ndims - 1] = "test context length", sizes[ndims - 1] = (size_t)sw->nM, types[ndims - 1] = NC_INT;
  for (int i = 0; i < ndims; i++) {
    NCCall(path, nc_def_dim(ncid, dimnames[i], sizes[i], &dims[i]));
    PetscCall(DefVar(path, ncid, dimnames[i], types[i], 1, &dims[i], coordnames[i], i == 0 ? NULL : "1", &coord[i]));
  }
  for (PetscInt i = 0; i < sw->nextra; i++) {
    /* categorical axes (e.g. feature_map) hold indices; CF flags name them */
    const ICLSweepParam *q = sw->extra[i].param;
    if (q->names) {
      char meanings[256];
      int  values[ICL_MAX_AXIS], n = 0;
      PetscCall(PetscStrncpy(meanings, q->names(), sizeof meanings));
      for (char *c = meanings; *c; c++)
        if (*c == ',') *c = ' ';
      for (const char *c = meanings; *c; c++) n += *c == ' ';
      for (int j = 0; j <= n; j++) values[j] = j;
      NCCall(path, nc_put_att_int(ncid, coord[5 + i], "flag_values", NC_INT, (size_t)n + 1, values));
      PetscCall(PutText(path, ncid, coord[5 + i], "flag_meanings", meanings));
    }
  }
  PetscCall(DefVar(path, ncid, "test_error", NC_DOUBLE, ndims, dims, "test error (gmm: misclassification probability; linreg: mean squared error)", "1", &v_err));
  PetscCall(DefVar(path, ncid, "test_error_se", NC_DOUBLE, ndims, dims, "standard error of test_error (0 where exact)", "1", &v_se));
  PetscCall(DefVar(path, ncid, "excess_error", NC_DOUBLE, ndims, dims, "test error minus the Bayes error of the task", "1", &v_excess));
  PetscCall(DefVar(path, ncid, "train_loss", NC_DOUBLE, ncell, dims, "final training loss", "1", &v_loss));
  PetscCall(DefVar(path, ncid, "subspace_alignment", NC_DOUBLE, ncell, dims, "||U^T W U||_F^2 / ||W||_F^2", "1", &v_align));
  PetscCall(DefVar(path, ncid, "wall_seconds", NC_DOUBLE, ncell, dims, "wall-clock time of the cell", "s", &v_wall));
  PetscCall(DefVar(path, ncid, "flops", NC_DOUBLE, ncell, dims, "floating-point operations of the cell", "1", &v_flops));
  PetscCall(DefVar(path, ncid, "status", NC_BYTE, ncell, dims, "cell status", NULL, &v_status));
  /* singular_values: the cell's dimensions, then sv (M is the last of dims, so it is replaced) */
  PetscCall(PetscArraycpy(svdims, dims, ncell));
  NCCall(path, nc_def_dim(ncid, "sv", ICL_NUM_SV, &svdims[ncell]));
  PetscCall(DefVar(path, ncid, "sv", NC_INT, 1, &svdims[ncell], "rank of the singular value (1: the largest)", "1", &c_sv));
  PetscCall(DefVar(path, ncid, "singular_values", NC_DOUBLE, ndims, svdims, "top singular values of the trained W (fill past d or where no W)", "1", &v_sv));
  PetscCall(DefExprValues(path, ncid, sw, dims, coord, v_expr));
  PetscCall(DefVar(path, ncid, "gd_distance", NC_DOUBLE, ncell, dims, "||W/||W||_F - W_1/||W_1||_F||_F, W_1 one GD step from W = 0 (fill where undefined)", "1", &v_gd));
  {
    const signed char flags[] = {ICL_STATUS_PENDING, ICL_STATUS_OK, ICL_STATUS_DIVERGED, ICL_STATUS_FAILED, ICL_STATUS_NOT_APPLICABLE};
    NCCall(path, nc_put_att_schar(ncid, v_status, "flag_values", NC_BYTE, 5, flags));
    PetscCall(PutText(path, ncid, v_status, "flag_meanings", status_meanings));
  }
  ICLTimestamp(end, sizeof end);
  PetscCall(PutText(path, ncid, NC_GLOBAL, "Conventions", "CF-1.10"));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "title", "iclsweep: in-context learning sweep"));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "family", sw->family));
  {
    /* options outside the fingerprint (they change no result beyond rounding) */
    char method[64] = "";
    if (strcmp(sw->method, "tao")) PetscCall(PetscSNPrintf(method, sizeof method, "-train_method %s\n", sw->method));
    char replay[sizeof sw->canonical];
    PetscCall(ICLSweepReplayable(sw, replay, sizeof replay));
    PetscCall(PetscSNPrintf(text, sizeof text, "%s-output %s\n-group_size %d\n%s", replay, sw->output, (int)sw->group_size, method));
  }
  PetscCall(PutText(path, ncid, NC_GLOBAL, "options", text));
  PetscCall(PutText(path, ncid, NC_GLOBAL, "fingerprint", sw->fingerprint));
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
  NCCall(path, nc_enddef(ncid));

  for (PetscInt i = 0; i < sw->nmodels; i++) names[i] = sw->models[i];
  NCCall(path, nc_put_var_string(ncid, coord[0], names));
  NCCall(path, nc_put_var_int(ncid, coord[1], sw->d));
  NCCall(path, nc_put_var_int(ncid, coord[2], sw->k));
  NCCall(path, nc_put_var_int(ncid, coord[3], sw->N));
  if (sw->nexpr && !strcmp(sw->expr[0].param->name, "R")) {
    const double nan = NAN;
    NCCall(path, nc_put_var_double(ncid, coord[4], &nan));
  } else NCCall(path, nc_put_var_double(ncid, coord[4], sw->R));
  PetscCall(PutExprValues(path, ncid, sw, v_expr));
  for (PetscInt i = 0; i < sw->nextra; i++) NCCall(path, nc_put_var_double(ncid, coord[5 + i], sw->extra[i].v)); /* converted to NC_INT where integer */
  PetscCall(PetscMalloc1(sw->replicates, &rep));
  for (PetscInt r = 0; r < sw->replicates; r++) rep[r] = r;
  NCCall(path, nc_put_var_int(ncid, coord[ndims - 2], rep));
  PetscCall(PetscFree(rep));
  NCCall(path, nc_put_var_int(ncid, coord[ndims - 1], sw->M));
  {
    int sv[ICL_NUM_SV];
    for (int i = 0; i < ICL_NUM_SV; i++) sv[i] = i + 1;
    NCCall(path, nc_put_var_int(ncid, c_sv, sv));
  }

  PetscCall(PetscMalloc2(PetscMax(nvals, ncells * ICL_NUM_SV), &buf, nvals, &excess));
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
  PetscCall(PutDoubles(path, ncid, v_err, res->test_error, nvals, buf));
  PetscCall(PutDoubles(path, ncid, v_se, res->test_error_se, nvals, buf));
  PetscCall(PutDoubles(path, ncid, v_excess, excess, nvals, buf));
  PetscCall(PutDoubles(path, ncid, v_loss, res->train_loss, ncells, buf));
  PetscCall(PutDoubles(path, ncid, v_align, res->alignment, ncells, buf));
  PetscCall(PutDoubles(path, ncid, v_wall, res->wall, ncells, buf));
  PetscCall(PutDoubles(path, ncid, v_flops, res->flops, ncells, buf));
  PetscCall(PutDoubles(path, ncid, v_sv, res->singular_values, ncells * ICL_NUM_SV, buf));
  PetscCall(PutDoubles(path, ncid, v_gd, res->gd_distance, ncells, buf));
  if (sw->fault_results_write) raise(SIGKILL); /* testing: a crash mid-write */
  NCCall(path, nc_put_var_uchar(ncid, v_status, res->status));
  PetscCall(PetscFree2(buf, excess));
  PetscFunctionReturn(0);
}

/* Half-written files of runs that crashed while writing results.nc (we hold the journal's
 * lock, so no other run is writing one now). */
static PetscErrorCode RemoveStaleTemporaries(const char *dir)
{
  DIR           *d = opendir(dir);
  struct dirent *e;
  char           path[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCheck(d, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot list %s: %s", dir, strerror(errno));
  while ((e = readdir(d))) {
    const size_t n = strlen(e->d_name);
    if (strncmp(e->d_name, ".results.nc.", 12) || n < 4 || strcmp(e->d_name + n - 4, ".tmp")) continue;
    PetscCall(PetscSNPrintf(path, sizeof path, "%s/%s", dir, e->d_name));
    unlink(path);
  }
  closedir(d);
  PetscFunctionReturn(0);
}

PetscErrorCode ICLOutputWrite(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov)
{
  char           tmp[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  int            ncid, status;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(PetscSNPrintf(path, sizeof path, "%s/results.nc", sw->output));
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s/.results.nc.%d.tmp", sw->output, (int)getpid()));
  PetscCall(RemoveStaleTemporaries(sw->output));
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
