/* DIR/results.nc, the gridded NetCDF-4 file of docs/output.md. It is written whole into a
 * temporary file and renamed into place, so a crash never leaves a damaged results.nc. */
#ifndef ICL_OUTPUT_H
#define ICL_OUTPUT_H

#include "provenance.h"
#include "results.h"

/* Creates dir if needed and says whether dir/results.nc holds this sweep with every cell
 * done. A dir holding a sweep of another cell fingerprint (one of the same may have other axis
 * values: it grows in place), or anything not written by iclsweep in place of results.nc or
 * the journal, is ICL_ERR_INPUT and is left untouched. */
PetscErrorCode ICLOutputInspect(const ICLSweep *sw, const char *dir, PetscBool *complete);
/* The options text and fingerprint DIR/results.nc records (an options file: -name value lines). */
PetscErrorCode ICLOutputReadOptions(const char *dir, char *options, size_t len, char fingerprint[17]);
/* Writes every cell of res (pending ones as fill); the file says whether it is complete. */
PetscErrorCode ICLOutputWrite(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov);
/* DIR/partial.nc: the same file written during a run (ICLOutputWrite removes it once
 * results.nc is in place). */
PetscErrorCode ICLOutputWritePartial(const ICLSweep *sw, const ICLResults *res, const ICLProvenance *prov);

#endif
