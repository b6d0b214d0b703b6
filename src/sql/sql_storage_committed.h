/*
 * sql_storage_committed.h: the last commit of the current branch as a
 * catalog of its own, for readers on connections that are not writing.
 * Its tables are read-only chunk tables over the committed versions, so a
 * reader sees neither a writer's uncommitted rows nor its uncommitted DDL
 * (a table it created is absent, one it dropped still there).
 */
#ifndef ARM_SQL_SQL_STORAGE_COMMITTED_H
#define ARM_SQL_SQL_STORAGE_COMMITTED_H

#include "cache/column_cache.h"
#include "catalog/catalog_db.h"
#include "table/table_store.h"

typedef struct committed_view committed_view;

/* Creates an empty committed view of the storage (`io` and `cache` must outlive it). */
arm_status committed_view_create(committed_view **out, const table_chunk_io *io,
                                 column_cache *cache, arm_error *err);
void committed_view_destroy(committed_view *v); /* accepts NULL */

/*
 * Makes the view hold commit `commit_id`: tables whose version it already
 * holds stay, the others are opened; views and schemas are replaced by
 * `views` (the commit's, as catalog_db_views_at gives them).
 */
arm_status committed_view_load(committed_view *v, catalog_db *cdb, int64_t commit_id,
                               const view_def *views, uint32_t view_count, arm_error *err);

catalog *committed_view_catalog(committed_view *v);

/*
 * A table whose chunks cannot be read: every use fails with `cause`, naming
 * the table (sql_storage.c), so one damaged table leaves the rest usable.
 */
arm_status sql_storage_unreadable_table(const catalog_table_version *v, const arm_error *cause,
                                        table_provider **out, arm_error *err);

#endif
