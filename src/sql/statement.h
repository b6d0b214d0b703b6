/*
 * statement.h: executing one parsed statement: queries and DML (bind, plan,
 * run), DDL, SET/SHOW, EXPLAIN [ANALYZE]. sql.c calls this per statement of
 * a script and for prepared statements.
 */
#ifndef ARM_SQL_STATEMENT_H
#define ARM_SQL_STATEMENT_H

#include "sql/ast.h"
#include "sql/binder.h"
#include "sql/sql.h"

/*
 * Runs `stmt` in session `s`, allocating in s->arena (the caller resets it).
 * `params` (may be NULL when param_count is 0) are the values of $1..$n;
 * they are cast to the types the statement gives them. The result is new.
 */
arm_status statement_execute(result_set **out, sql_session *s, const ast_stmt *stmt,
                             const value *params, uint32_t param_count, arm_error *err);

/*
 * The plan of a prepared query or DML statement, kept between executions in
 * its own arena with its table and view references retained. It is re-planned
 * when a table or view it used changed (dropped, replaced, reloaded at another
 * version: checked only once catalog_version moved), when it read something
 * that is not a catalog table (table functions, VERSION n), or when the plan
 * depended on one execution (now(), LIMIT $1).
 */
typedef struct statement_plan_cache {
    arena *arena;
    binder binder;
    plan_node *plan;
    bool is_valid;
    catalog *catalog; /* the one it was bound against (writer's, or committed for readers) */
    uint64_t catalog_version; /* the catalog's version when the plan was last known valid */
} statement_plan_cache;

/* Zeroes the cache; its arena is created on first use. */
void statement_plan_cache_init(statement_plan_cache *cache);
void statement_plan_cache_dispose(statement_plan_cache *cache);
/* statement_execute, reusing the cached plan of a query or DML statement when valid. */
arm_status statement_execute_cached(result_set **out, sql_session *s, statement_plan_cache *cache,
                                    const ast_stmt *stmt, const value *params, uint32_t param_count,
                                    arm_error *err);

/* Validates a statement that will be prepared (binds it without running). */
arm_status statement_check(sql_session *s, const ast_stmt *stmt, uint32_t param_count,
                           arm_error *err);

/*
 * The appender's side of statements (statement_append.c): resolving its
 * table by name (binder lookup with suggestions; views refused) into `out`, whose strings the
 * caller frees (sql_append_target_dispose, also on failure), and writing one batch through the
 * table's provider as INSERT's sink does. sql.c wraps the write in the writer lock and autocommit.
 */
arm_status statement_append_resolve(sql_append_target *out, sql_session *s, const char *name,
                                    arm_error *err);
arm_status statement_append(sql_session *s, const sql_append_target *t, const batch *rows,
                            arm_error *err);

/* Parses a memory size ("2GB", "512 MiB", "80%" of RAM); false when malformed. */
bool statement_parse_memory(const char *text, int64_t ram_bytes, int64_t *out_bytes);

/* The machine's physical memory in bytes (for "80%" and the default limit). */
int64_t statement_ram_bytes(void);

#endif
