/* The journal: an append-only, checksummed, fsync'ed file of finished cells, DIR/journal.
 * A cell is durable once its record is synced; results.nc is always rebuilt from the
 * journal, so a crash at any instant loses at most the cells in flight (docs/output.md).
 *
 * Layout: a header (magic, fingerprint, cell fingerprint, grid size, record size, CRC-32) then
 * fixed-size records, each followed by its CRC-32. A torn tail or a corrupt record is dropped
 * with a warning when the journal is opened; every other record survives.
 *
 * A record names its cell twice: by number in the header's grid, and by its coordinates (key).
 * A sweep of the same cell fingerprint whose axes grew, shrank or were reordered rewrites the
 * journal with every record at its cell's number in the new grid (-1 for cells the new grid
 * lacks: kept, not loaded), so only new cells run (docs/operations.md). */
#ifndef ICL_JOURNAL_H
#define ICL_JOURNAL_H

#include "results.h"

typedef struct ICLJournal_s *ICLJournal;

/* Opens (creating when absent) DIR/journal for this sweep, takes an exclusive lock, and
 * loads every valid record into res. A journal of another cell fingerprint, a corrupt header,
 * or a DIR in use by another run is ICL_ERR_INPUT, and nothing is changed. Another grid of
 * the same cell fingerprint, or a format 2 journal of this very sweep, is rewritten first. */
PetscErrorCode ICLJournalOpen(const ICLSweep *sw, ICLJournal *j, ICLResults *res);
/* -retry: drops the records of cells whose status bit (1 << status) is in mask, so they are
 * pending again and the journal keeps one record per cell. The journal is rewritten beside
 * itself and renamed over it (a crash leaves the old one or the new one, whole); res is
 * reloaded from it. *nretry: cells made pending. */
PetscErrorCode ICLJournalRetry(const ICLSweep *sw, ICLJournal j, unsigned mask, ICLResults *res, PetscInt64 *nretry);
/* found and found_cell, the fingerprints a journal or results.nc of dir records, against this
 * sweep: by cell fingerprint, or where none is recorded (an earlier iclsweep's) by fingerprint.
 * ICL_ERR_INPUT naming the fix when they differ. */
PetscErrorCode ICLJournalCheckSweep(const ICLSweep *sw, const char *dir, const char *found, const char *found_cell);
/* Whether a run holds DIR/journal's lock right now (a run is active in DIR). */
PetscErrorCode ICLJournalActive(const char *dir, PetscBool *active);
/* Reads DIR/journal's header only: *exists, and the sweep's fingerprint, cell fingerprint
 * ("" in a format 2 journal) and grid size. */
PetscErrorCode ICLJournalPeek(const char *dir, PetscBool *exists, char fingerprint[17], char cell_fingerprint[17], PetscInt64 *ncells);
typedef struct {
  char       fingerprint[17];
  PetscInt64 ncells, dropped; /* dropped: records failing their checksum, or torn */
  PetscInt   nM, shard, num_shards;
} ICLJournalInfo;

/* Reads DIR/journal without changing or locking it (a run may be appending meanwhile) and
 * calls fn on every valid record, in file order (fn NULL: the header only). */
PetscErrorCode ICLJournalForEach(const char *dir, ICLJournalInfo *info, PetscErrorCode (*fn)(const ICLRecord *, void *), void *ctx);
/* Appends one record (durable after the next ICLJournalSync) and stores it in res. */
PetscErrorCode ICLJournalAppend(ICLJournal j, const ICLRecord *rec, ICLResults *res);
PetscErrorCode ICLJournalSync(ICLJournal j);
/* Records read back when the journal was opened, and how many were dropped. */
void           ICLJournalCounts(ICLJournal j, PetscInt64 *loaded, PetscInt64 *dropped, PetscInt64 *duplicates);
PetscErrorCode ICLJournalClose(ICLJournal *j);

#endif
