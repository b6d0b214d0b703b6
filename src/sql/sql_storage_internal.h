/*
 * sql_storage_internal.h: the storage handle, shared by sql_storage.c
 * (loading, committing) and sql_storage_history.c (history tables, VACUUM).
 */
#ifndef ARM_SQL_SQL_STORAGE_INTERNAL_H
#define ARM_SQL_SQL_STORAGE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "catalog/catalog_db.h"
#include "sql/sql_storage.h"
#include "sql/sql_storage_committed.h"
#include "store/object_store.h"
#include "table/table_store.h"

/* What the last load or commit wrote for one table of the in-memory catalog. */
typedef struct stored_table {
    char *schema_name;
    char *name;
    int64_t table_id;
    int64_t table_version_id; /* the version the provider was made from */
    table_provider *provider; /* identity: a recreated table has another provider */
    uint64_t change_count;    /* the provider's change count at load */
} stored_table;

struct sql_storage {
    catalog_db *cdb;
    object_store *objects;
    table_chunk_io io;
    char *branch;
    int64_t head_commit_id;
    stored_table *tables;
    uint32_t table_count;
    uint32_t table_capacity;
    char *views_fingerprint;   /* the committed views, as text: a change shows as a difference */
    catalog_db_stamp stamp;    /* catalog files when the head was last checked */
    column_cache *cache;       /* the database's (not owned): shared by every version and branch */
    committed_view *committed; /* the head as committed, for readers that are not writing */
    pthread_mutex_t lock;      /* commits and reloads of one database, one at a time */
    const _Atomic uint32_t *chunk_rows; /* the database's SET chunk_rows (not owned) */
};

#endif
