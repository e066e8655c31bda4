#include "results.h"

#include "replay.h"
#include "unit.h"

size_t ICLRecordSize(PetscInt nM) { return sizeof(ICLRecord) + 2 * sizeof(double) * (size_t)nM; }

PetscErrorCode ICLResultsCreate(const ICLSweep *sw, ICLResults *res)
{
  const PetscInt64 n = ICLGridSize(sw);

  PetscFunctionBegin;
  PetscCall(PetscMemzero(res, sizeof *res));
  res->sw     = sw;
  res->ncells = n;
  res->nM     = sw->nM;
  PetscCall(PetscCalloc1(n, &res->status));
  PetscCall(PetscMalloc1(n, &res->mine));
  PetscCall(ICLUnitShard(sw, res->mine));
  for (PetscInt64 c = 0; c < n; c++) res->todo += res->mine[c];
  PetscCall(PetscMalloc6(n, &res->train_loss, n, &res->alignment, n, &res->wall, n, &res->flops, n * sw->nM, &res->test_error, n * sw->nM, &res->test_error_se));
  PetscCall(PetscMalloc4(n, &res->gd_distance, n * ICL_NUM_SV, &res->singular_values, n * ICL_HISTORY, &res->loss_history, n * ICL_HISTORY, &res->history_step));
  for (PetscInt64 c = 0; c < n; c++) res->train_loss[c] = res->alignment[c] = res->wall[c] = res->flops[c] = res->gd_distance[c] = NAN;
  for (PetscInt64 i = 0; i < n * ICL_NUM_SV; i++) res->singular_values[i] = NAN;
  for (PetscInt64 i = 0; i < n * ICL_HISTORY; i++) res->loss_history[i] = res->history_step[i] = NAN;
  for (PetscInt64 i = 0; i < n * sw->nM; i++) res->test_error[i] = res->test_error_se[i] = NAN;
  res->count[ICL_STATUS_PENDING] = n;
  PetscFunctionReturn(0);
}

static PetscErrorCode Append(const ICLSweep *sw, ICLLines *l, PetscInt64 c, const char *message)
{
  char   line[1024], name[512];
  size_t len;

  PetscFunctionBegin;
  PetscCall(ICLCellName(sw, c, name, sizeof name));
  PetscCall(PetscSNPrintf(line, sizeof line, "cell %lld (%s): %.*s\n", (long long)c, name, (int)sizeof((ICLRecord *)0)->message, message));
  len = strlen(line);
  if (l->len + len + 1 > l->cap) {
    l->cap = 2 * (l->len + len + 1);
    PetscCall(PetscRealloc(l->cap, &l->text));
  }
  memcpy(l->text + l->len, line, len + 1);
  l->len += len;
  PetscFunctionReturn(0);
}

PetscErrorCode ICLResultsStore(ICLResults *res, const ICLRecord *rec, PetscBool *dup)
{
  const PetscInt64 c  = rec->cell;
  const double    *ev = (const double *)(rec + 1);

  PetscFunctionBegin;
  PetscCheck(c >= 0 && c < res->ncells && rec->status > ICL_STATUS_PENDING && rec->status <= ICL_STATUS_NOT_APPLICABLE, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "record of cell %lld with status %d does not belong to this sweep", (long long)c,
             (int)rec->status);
  *dup = res->status[c] != ICL_STATUS_PENDING ? PETSC_TRUE : PETSC_FALSE;
  if (*dup) PetscFunctionReturn(0);
  res->count[ICL_STATUS_PENDING]--;
  res->todo -= res->mine[c];
  res->count[rec->status]++;
  res->status[c]     = (unsigned char)rec->status;
  res->train_loss[c] = rec->train_loss;
  res->alignment[c]  = rec->alignment;
  res->wall[c]       = rec->wall;
  res->flops[c]      = rec->flops;
  res->gd_distance[c] = rec->gd_distance;
  PetscCall(PetscArraycpy(res->singular_values + c * ICL_NUM_SV, rec->singular_values, ICL_NUM_SV));
  PetscCall(PetscArraycpy(res->loss_history + c * ICL_HISTORY, rec->loss_history, ICL_HISTORY));
  PetscCall(PetscArraycpy(res->history_step + c * ICL_HISTORY, rec->history_step, ICL_HISTORY));
  PetscCall(PetscArraycpy(res->test_error + c * res->nM, ev, res->nM));
  PetscCall(PetscArraycpy(res->test_error_se + c * res->nM, ev + res->nM, res->nM));
  if (rec->message[0]) PetscCall(Append(res->sw, rec->status == ICL_STATUS_OK ? &res->notes : &res->failures, c, rec->message));
  PetscFunctionReturn(0);
}

PetscErrorCode ICLResultsDestroy(ICLResults *res)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(res->status));
  PetscCall(PetscFree(res->mine));
  PetscCall(PetscFree6(res->train_loss, res->alignment, res->wall, res->flops, res->test_error, res->test_error_se));
  PetscCall(PetscFree4(res->gd_distance, res->singular_values, res->loss_history, res->history_step));
  PetscCall(PetscFree(res->failures.text));
  PetscCall(PetscFree(res->notes.text));
  PetscFunctionReturn(0);
}
