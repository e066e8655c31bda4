#include "replay.h"

#include "error.h"
#include "grid.h"

const char *ICLParamValueName(const ICLSweepParam *q, int c, char *buf, size_t len)
{
  char list[512], *save = NULL;
  snprintf(list, sizeof list, "%s", q->names());
  for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
    if (q->find(t) == c) {
      snprintf(buf, len, "%s", t);
      return buf;
    }
  return NULL;
}

/* The categorical parameter an option line sets (-NAME or -grid_NAME), or NULL. */
static const ICLSweepParam *Categorical(const char *line)
{
  PetscInt             n;
  const ICLSweepParam *params = ICLSweepParams(&n);
  const char          *name   = line + 1 + (strncmp(line, "-grid_", 6) ? 0 : 5);
  for (PetscInt i = 0; i < n; i++) {
    const size_t l = strlen(params[i].name);
    if (params[i].find && !strncmp(name, params[i].name, l) && name[l] == ' ') return &params[i];
  }
  return NULL;
}

PetscErrorCode ICLSweepReplayable(const ICLSweep *sw, char *out, size_t len)
{
  const char *line = sw->canonical;
  size_t      at   = 0;

  PetscFunctionBegin;
  out[0] = 0;
  while (*line) {
    const char          *end = strchr(line, '\n');
    const size_t         n   = end ? (size_t)(end - line) : strlen(line);
    const ICLSweepParam *q   = Categorical(line);
    if (!q) at += (size_t)snprintf(out + at, at < len ? len - at : 0, "%.*s\n", (int)n, line);
    else {
      const char *v = strchr(line, ' ') + 1;
      at += (size_t)snprintf(out + at, at < len ? len - at : 0, "%.*s", (int)(v - line), line);
      for (char *next; v < line + n; v = next + 1) {
        char       name[64];
        const int  c = (int)strtod(v, &next);
        const char *s = ICLParamValueName(q, c, name, sizeof name);
        PetscCheck(s, PETSC_COMM_SELF, PETSC_ERR_PLIB, "-%s: code %d has no name", q->name, c);
        at += (size_t)snprintf(out + at, at < len ? len - at : 0, "%s%s", s, *next == ',' ? "," : "\n");
        if (*next != ',') break;
      }
    }
    PetscCheck(at < len, PETSC_COMM_SELF, ICL_ERR_INPUT, "the sweep's options are too long to record (%zu characters)", at);
    line += n + (end ? 1 : 0);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ICLCellName(const ICLSweep *sw, PetscInt64 cell, char *buf, size_t len)
{
  ICLCellIndex ix;
  size_t       at;

  PetscFunctionBegin;
  ICLGridIndex(sw, cell, &ix);
  at = (size_t)snprintf(buf, len, "model %s, d = %d, k = %d, N = %d, R = %g", sw->models[ix.model], (int)sw->d[ix.d], (int)sw->k[ix.k], (int)sw->N[ix.N], (double)sw->R[ix.R]);
  for (PetscInt i = 0; i < sw->nextra && at < len; i++) {
    const ICLSweepParam *q = sw->extra[i].param;
    const PetscReal      v = sw->extra[i].v[ix.extra[i]];
    char                 name[64];
    if (q->find && ICLParamValueName(q, (int)v, name, sizeof name)) at += (size_t)snprintf(buf + at, len - at, ", %s = %s", q->name, name);
    else at += (size_t)snprintf(buf + at, len - at, ", %s = %g", q->name, (double)v);
  }
  if (at < len) snprintf(buf + at, len - at, ", replicate %d", (int)ix.rep);
  PetscFunctionReturn(0);
}
