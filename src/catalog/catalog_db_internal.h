/*
 * catalog_db_internal.h: what catalog_db.c shares with catalog_manifest.c:
 * the handle and the SQLite helpers.
 */
#ifndef ARM_CATALOG_CATALOG_DB_INTERNAL_H
#define ARM_CATALOG_CATALOG_DB_INTERNAL_H

#include <sqlite3.h>

#include "catalog/catalog_db.h"

struct catalog_db {
    sqlite3 *sql;
    char *path;
    char *wal_path; /* path + "-wal": the stamp reads it before every statement */
    /* catalog.db and its WAL, opened for the stamp's fstat (-1: not yet, or gone:
     * read by path); closed only after SQLite's handle (see catalog_db_read_stamp) */
    int stamp_fds[2];
    bool stamp_by_path[2]; /* the file the fd was opened on was replaced or removed */
};

/* Sets `err` from SQLite's last error (CORRUPT, CONFLICT when busy, else IO) naming `what`. */
arm_status cdb_sqlite_error(catalog_db *db, arm_error *err, const char *what);
/* Runs SQL without results (several statements allowed). */
arm_status cdb_exec(catalog_db *db, const char *sql, arm_error *err);
arm_status cdb_prepare(catalog_db *db, const char *sql, sqlite3_stmt **out, arm_error *err);
/* Steps a statement expected to finish (INSERT/UPDATE/DELETE), then finalizes it. */
arm_status cdb_step_done(catalog_db *db, sqlite3_stmt *st, arm_error *err);

/*
 * Manifests (catalog_manifest.c): a table version's chunk list is stored as
 * content-addressed segments, so a commit writes only the segments its
 * change touched. Writes the list of `change` for version `version_id` and
 * sums its live rows.
 */
arm_status manifest_write(catalog_db *db, int64_t version_id, const catalog_table_change *change,
                          uint64_t *rows, arm_error *err);
/* Reads the chunk list (and chunk statistics) of v->table_version_id into v. */
arm_status manifest_read(catalog_db *db, catalog_table_version *v, arm_error *err);
/* Adds every chunk and deletion vector id of the versions in `versions_sql` to the list. */
arm_status manifest_reachable(catalog_db *db, const char *versions_sql, uint8_t (**ids)[32],
                              uint64_t *count, uint64_t *capacity, arm_error *err);

#endif
