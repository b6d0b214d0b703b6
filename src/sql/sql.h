/*
 * sql.h: the SQL layer's entry points: text in, result_set out. Parses,
 * binds, plans, optimizes and runs statements, including DDL, DML, SET/SHOW
 * and EXPLAIN. The C API (src/api) is a thin layer over this.
 */
#ifndef ARM_SQL_SQL_H
#define ARM_SQL_SQL_H

#include <pthread.h>
#include <stdatomic.h>

#include "catalog/catalog.h"
#include "common/memory_budget.h"
#include "common/thread_pool.h"
#include "exec/result_set.h"

/*
 * Per-database state shared by all sessions. Owned by src/api's arm_db:
 * sql_database_init creates the catalog, the thread pool and the budget,
 * sql_database_dispose destroys them (after every session is disposed).
 */
typedef struct sql_database {
    catalog *catalog;
    struct sql_storage *storage;        /* NULL for :memory: (sql_database_open_storage) */
    struct column_cache *cache;         /* decoded chunk columns (SET cache_size) */
    thread_pool *pool;                  /* sized to the core count; SET threads <= pool size + 1 */
    _Atomic uint32_t threads;           /* SET threads */
    _Atomic int64_t memory_limit_bytes; /* SET memory_limit; default 80% of RAM */
    _Atomic uint32_t chunk_rows;        /* SET chunk_rows: new chunks' average rows */
    memory_budget budget;               /* all queries of this database */
    pthread_mutex_t writer;             /* one writing connection at a time (sql.c) */
    uint32_t default_threads;           /* RESET threads: the core count */
    int64_t default_memory_limit_bytes; /* RESET memory_limit: 80% of RAM */
} sql_database;

/*
 * Per-connection state. Used by one thread at a time. `script_arena` holds
 * the syntax trees of the text being run; `arena` one statement's plan and
 * query state (reset before each statement).
 */
/* A statement text run before, kept parsed with its plan (sql_run's text cache). */
typedef struct sql_text_entry {
    char *sql;
    struct sql_prepared *prepared;
    uint64_t last_used;
} sql_text_entry;

#define SQL_TEXT_CACHE_ENTRIES 16

typedef struct sql_session {
    sql_database *db;
    _Atomic bool interrupt;
    struct arena *script_arena;
    struct arena *arena;
    bool in_transaction; /* after BEGIN: statements do not commit on their own */
    bool holds_writer;   /* holds db->writer: a write statement or a transaction is running */
    sql_text_entry text_cache[SQL_TEXT_CACHE_ENTRIES]; /* recent SELECT texts */
    uint64_t text_clock;
    uint64_t plans_made; /* plans built by prepared statements and the text cache (for tests) */
} sql_session;

arm_status sql_database_init(sql_database *db, arm_error *err);
void sql_database_dispose(sql_database *db);
/* Makes the database persistent in `folder` and loads its main branch (after init). */
arm_status sql_database_open_storage(sql_database *db, const char *folder, arm_error *err);
void sql_session_init(sql_session *s, sql_database *db);
void sql_session_dispose(sql_session *s);

/*
 * Runs every statement of `sql` in order and returns the last result
 * (`out` may be NULL). Errors carry the byte position within `sql`.
 */
arm_status sql_run(result_set **out, sql_session *s, const char *sql, arm_error *err);

typedef struct sql_prepared sql_prepared;

/* Prepares exactly one statement (a second one is ARM_ERROR_SYNTAX). */
arm_status sql_prepare(sql_prepared **out, sql_session *s, const char *sql, arm_error *err);
uint32_t sql_prepared_param_count(const sql_prepared *p);
/* params[i] is $i+1; the binder casts them to the types the statement needs. */
arm_status sql_prepared_execute(result_set **out, sql_prepared *p, const value *params,
                                uint32_t param_count, arm_error *err);
void sql_prepared_destroy(sql_prepared *p);

/*
 * A table that rows from C are appended to (the API's appender), resolved by
 * name once: its name as the catalog stores it and the columns, in order,
 * that every batch given to sql_append must have. Owns its strings.
 */
typedef struct sql_append_target {
    char *schema_name; /* NULL: the default schema */
    char *name;
    uint32_t column_count;
    logical_type *column_types;
    char **column_names;
} sql_append_target;

/*
 * Resolves `name` ("t" or "s.t"; unquoted parts fold to lower case, as in
 * SQL) in the catalog the session reads. ARM_ERROR_NOT_FOUND (42P01) with a
 * suggestion for an unknown table; ARM_ERROR_NOT_SUPPORTED for a view.
 * Dispose the target on success.
 */
arm_status sql_append_target_init(sql_append_target *out, sql_session *s, const char *name,
                                  arm_error *err);
void sql_append_target_dispose(sql_append_target *t);

/*
 * Writes `rows` (the target's columns in order and types, no selection) to
 * the table as one INSERT statement would: the writer lock, the table looked
 * up again in the current catalog (dropped, changed or read-only tables are
 * errors), NOT NULL and PRIMARY KEY checked, the
 * memory limit charged, all rows or none, and a commit of its own unless a
 * transaction is open. A failure inside a transaction rolls it back, as a
 * failed INSERT does.
 */
arm_status sql_append(sql_session *s, const sql_append_target *t, const batch *rows,
                      arm_error *err);

#endif
