/*
 * sql_storage.h: a database folder's versioned storage as the SQL layer
 * sees it: the catalog database (SQLite), the object store of chunks, and
 * which branch and commit the in-memory catalog holds. Every statement that
 * changes tables ends with sql_storage_commit (autocommit): the tables it
 * changed are written as content-defined chunks and recorded as one commit.
 */
#ifndef ARM_SQL_SQL_STORAGE_H
#define ARM_SQL_SQL_STORAGE_H

#include "cache/column_cache.h"
#include "catalog/catalog.h"

typedef struct sql_storage sql_storage;

/*
 * Opens the storage of the database folder `folder` (creating the catalog
 * database and objects/ when new) and loads the head of branch main into
 * `cat`, which must be empty. Scans decode chunk columns into `cache`;
 * new chunks hold about *chunk_rows rows, read at each write (SET
 * chunk_rows; table_store_options_for). Both must outlive the storage.
 */
arm_status sql_storage_open(sql_storage **out, const char *folder, catalog *cat,
                            column_cache *cache, const _Atomic uint32_t *chunk_rows,
                            arm_error *err);
void sql_storage_close(sql_storage *s); /* accepts NULL */

/*
 * The current branch's last commit as a catalog of read-only tables: what
 * readers on connections that are not writing bind against, so they see
 * neither uncommitted rows nor uncommitted DDL. Owned by the storage.
 */
catalog *sql_storage_committed_catalog(sql_storage *s);

/* Reloads `cat` when another process moved the branch head since the last load or commit. */
arm_status sql_storage_refresh(sql_storage *s, catalog *cat, arm_error *err);

/*
 * Commits every table of `cat` that changed (written, created, dropped)
 * since the last load or commit. Nothing changed: no commit. On a failed
 * commit `cat` is reloaded from the branch head, so memory never shows
 * what the storage does not hold.
 */
arm_status sql_storage_commit(sql_storage *s, catalog *cat, const char *message, arm_error *err);

/* Drops uncommitted changes (a failed statement's): reloads what changed from storage. */
arm_status sql_storage_rollback(sql_storage *s, catalog *cat, arm_error *err);

/*
 * A read-only table of another version, for `t VERSION n`, `t AS OF
 * TIMESTAMP`, `t@branch` and `t@tag`: version < 0 means the latest and
 * as_of_micros < 0 means no time, `ref` NULL means the current branch.
 * *out has refcount 1 (release with table_def_release).
 */
arm_status sql_storage_open_version(sql_storage *s, const char *schema_name, const char *name,
                                    int64_t version, int64_t as_of_micros, const char *ref,
                                    table_def **out, arm_error *err);

/*
 * CREATE BRANCH / CREATE TAG: `from` (a branch or tag; NULL: the current
 * branch) names the commit, or `from_commit` (>= 0) does: a commit on from's
 * line of history, else ARM_ERROR_NOT_FOUND.
 */
arm_status sql_storage_create_ref(sql_storage *s, bool is_branch, const char *name,
                                  const char *from, int64_t from_commit, arm_error *err);
arm_status sql_storage_drop_ref(sql_storage *s, bool is_branch, const char *name, bool if_exists,
                                arm_error *err);
/* USE BRANCH: later statements read and write `name`; `cat` is loaded with its head. */
arm_status sql_storage_use_branch(sql_storage *s, catalog *cat, const char *name, arm_error *err);
const char *sql_storage_branch(const sql_storage *s);

/*
 * History as tables: "arm_log" (commits of the current branch's line, newest
 * first), "arm_branches" and "arm_tags". *out has refcount 1.
 */
arm_status sql_storage_history(sql_storage *s, const char *function, table_def **out,
                               arm_error *err);

/*
 * VACUUM: removes the chunk objects that no branch or tag can reach any more
 * (dropped branches, commits that failed after writing chunks, replaced
 * tails) and that are older than `retain_seconds`, so commits in flight in
 * other processes keep theirs. Reports what it removed.
 */
arm_status sql_storage_vacuum(sql_storage *s, int64_t retain_seconds, uint64_t *objects,
                              uint64_t *bytes, arm_error *err);

/*
 * CHECKPOINT: compacts each table's sparse chunks (more than half their
 * rows deleted, or fewer rows than a chunk's minimum) into full ones in one
 * commit, reporting how many chunks it replaced, then folds the catalog's
 * write-ahead log into catalog.db. Older versions keep their chunks until
 * VACUUM finds them unreachable.
 */
arm_status sql_storage_checkpoint(sql_storage *s, catalog *cat, uint64_t *compacted,
                                  arm_error *err);

#endif
