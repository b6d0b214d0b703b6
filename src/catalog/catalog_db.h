/*
 * catalog_db.h: the persistent catalog of a database folder, a SQLite
 * database in WAL mode (DESIGN.md decision 6). It records commits (with
 * parents, so branches can merge later), branches, tags, tables and their
 * versions: each table version has its definition and its manifest (the
 * content-addressed chunks holding its rows). A commit is one SQLite write
 * transaction, so a crash leaves the previous commit intact.
 *
 * Every commit maps each live table to one table version (commit_tables):
 * the state of the database at a commit is read with one query, and a commit
 * writes rows only for the tables it changed plus that mapping.
 */
#ifndef ARM_CATALOG_CATALOG_DB_H
#define ARM_CATALOG_CATALOG_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/catalog.h"

#define CATALOG_DB_FORMAT_VERSION 3
#define CATALOG_DB_FILE "catalog.db"
#define CATALOG_DB_MAIN_BRANCH "main"

typedef struct catalog_db catalog_db;

/*
 * One chunk of a table version: a Parquet object, how many rows it holds,
 * and its deletion vector: the rows of it this version no longer has, a
 * Roaring bitmap of row positions in its own object. Chunks are never
 * rewritten; deleting rows gives the chunk a new deletion vector.
 */
typedef struct catalog_chunk_ref {
    uint8_t object_id[32]; /* SHA-256 of the chunk's bytes */
    uint64_t row_count;    /* rows in the chunk's file, deleted ones included */
    uint64_t byte_size;
    uint64_t deleted_count; /* rows the deletion vector removes; 0: none */
    uint8_t deletes_id[32]; /* the deletion vector's object when deleted_count > 0 */
} catalog_chunk_ref;

/* A chunk's column statistics, encoded by the table layer (zone_map_encode); opaque here. */
typedef struct catalog_chunk_stats {
    uint8_t *data; /* NULL: none recorded */
    uint32_t length;
} catalog_chunk_stats;

/* A table as of some commit: its definition and its chunks (owned; free with _dispose). */
typedef struct catalog_table_version {
    int64_t table_id;         /* stable identity of the table across versions */
    int64_t table_version_id; /* this version's row */
    int64_t version;          /* 0 at CREATE TABLE, +1 per commit that changed it */
    int64_t commit_id;        /* the commit that wrote this version */
    table_def def;            /* provider NULL */
    catalog_chunk_ref *chunks;
    catalog_chunk_stats *chunk_stats; /* one per chunk (owned) */
    uint32_t chunk_count;
    uint64_t row_count; /* live rows: deleted ones not counted */
} catalog_table_version;

void catalog_table_version_dispose(catalog_table_version *v);

/* One change of a commit: a new version of table `table_id`, or a new table. */
typedef struct catalog_table_change {
    int64_t table_id;     /* 0: a new table */
    const table_def *def; /* NULL: the table is dropped */
    const catalog_chunk_ref *chunks;
    const catalog_chunk_stats *chunk_stats; /* one per chunk, or NULL; kept for new chunks */
    uint32_t chunk_count;
} catalog_table_change;

typedef struct catalog_commit_request {
    const char *branch;
    int64_t base_commit_id; /* the commit the transaction read */
    const catalog_table_change *changes;
    uint32_t change_count;
    const char *author;
    const char *message; /* may be NULL */
    bool views_changed;  /* views/view_count replace the views; else the head's are kept */
    const view_def *views;
    uint32_t view_count;
    int64_t parent_commit_id; /* out: the head the commit went on (!= base: it was rebased) */
} catalog_commit_request;

/*
 * Opens (or, with `create`, creates) PATH/catalog.db. A file that is not
 * our catalog is ARM_ERROR_CORRUPT; one written by a newer format is
 * ARM_ERROR_NOT_SUPPORTED. A new catalog gets branch "main" at an empty
 * root commit.
 */
arm_status catalog_db_open(catalog_db **out, const char *folder, bool create, arm_error *err);
void catalog_db_close(catalog_db *db);

/*
 * A cheap fingerprint of the catalog files (sizes and modification times of
 * catalog.db and its WAL): while it stays the same, no commit happened, so
 * a reader can skip asking SQLite for the branch head before each statement.
 */
typedef struct catalog_db_stamp {
    int64_t values[6];
} catalog_db_stamp;

/* Reads the stamp (the files stay open for the next read); callers serialize. */
void catalog_db_read_stamp(catalog_db *db, catalog_db_stamp *out);

/* The head commit of `branch`; ARM_ERROR_NOT_FOUND naming it when absent. */
arm_status catalog_db_branch_head(catalog_db *db, const char *branch, int64_t *out, arm_error *err);

/* Every table live at `commit_id` (sorted by name). Free with catalog_db_free_tables. */
arm_status catalog_db_tables_at(catalog_db *db, int64_t commit_id, catalog_table_version **out,
                                uint32_t *count, arm_error *err);
void catalog_db_free_tables(catalog_table_version *tables, uint32_t count);

/*
 * The same, except that versions the caller already holds (`known` says
 * true for their table_version_id) come back bare: ids and names, without
 * columns or chunks. Reloading a head after a commit then reads only what
 * the commit changed.
 */
arm_status catalog_db_tables_at_known(catalog_db *db, int64_t commit_id,
                                      bool (*known)(void *context, int64_t table_version_id),
                                      void *context, catalog_table_version **out, uint32_t *count,
                                      arm_error *err);

/*
 * A table by name as seen from `commit_id`: its version `version` on that
 * line of history (the latest when version < 0), or the latest version
 * committed at or before `as_of_micros` (when as_of_micros >= 0).
 * ARM_ERROR_NOT_FOUND with a message naming what is missing.
 */
arm_status catalog_db_table_version(catalog_db *db, int64_t commit_id, const char *schema_name,
                                    const char *name, int64_t version, int64_t as_of_micros,
                                    catalog_table_version *out, arm_error *err);

/*
 * Commits: when `branch` moved past base_commit_id, the commit is rebased on
 * the new head if no table it changes was changed meanwhile, and fails with
 * ARM_ERROR_CONFLICT (40001) naming the table otherwise. IDs are allocated
 * inside the write transaction.
 */
arm_status catalog_db_commit(catalog_db *db, catalog_commit_request *request,
                             int64_t *out_commit_id, arm_error *err);

/* The views live at `commit_id` (sorted by name); free with catalog_db_free_views. */
arm_status catalog_db_views_at(catalog_db *db, int64_t commit_id, view_def **out, uint32_t *count,
                               arm_error *err);
void catalog_db_free_views(view_def *views, uint32_t count);

/*
 * The ids of every chunk and deletion vector a branch or tag can still reach (through its
 * commit's ancestors), sorted, for VACUUM's mark phase. Free with free().
 */
arm_status catalog_db_reachable_chunks(catalog_db *db, uint8_t (**ids)[32], uint64_t *count,
                                       arm_error *err);

/*
 * Takes the write lock of the catalog ahead of catalog_db_commit, so that
 * work done in between (rebasing appends onto the head) cannot be overtaken
 * by another writer. The next catalog_db_commit commits or rolls back;
 * catalog_db_abort_commit gives the lock back without committing.
 */
arm_status catalog_db_begin_commit(catalog_db *db, arm_error *err);
void catalog_db_abort_commit(catalog_db *db);

/* Whether commit `ancestor` is `descendant` or one of its ancestors (parents, merge parents). */
arm_status catalog_db_is_ancestor(catalog_db *db, int64_t ancestor, int64_t descendant, bool *out,
                                  arm_error *err);

/* Moves the catalog's write-ahead log into the database file and empties it. */
arm_status catalog_db_checkpoint(catalog_db *db, arm_error *err);

/* Branches and tags. `from_commit_id` is where the new branch starts. */
arm_status catalog_db_create_branch(catalog_db *db, const char *name, int64_t from_commit_id,
                                    arm_error *err);
arm_status catalog_db_drop_branch(catalog_db *db, const char *name, arm_error *err);
arm_status catalog_db_create_tag(catalog_db *db, const char *name, int64_t commit_id,
                                 arm_error *err);
arm_status catalog_db_drop_tag(catalog_db *db, const char *name, arm_error *err);
/* The commit a tag names; ARM_ERROR_NOT_FOUND when there is no such tag. */
arm_status catalog_db_tag_commit(catalog_db *db, const char *name, int64_t *out, arm_error *err);

/*
 * Runs a read-only query on the catalog and calls `row` for each result row
 * with the columns as text (NULL for SQL NULL): the history views use it.
 */
typedef arm_status (*catalog_db_row_fn)(void *context, int column_count, const char *const *cells,
                                        arm_error *err);
arm_status catalog_db_query(catalog_db *db, const char *sql, catalog_db_row_fn row, void *context,
                            arm_error *err);

#endif
