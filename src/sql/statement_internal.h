/*
 * statement_internal.h: helpers shared by statement.c (queries, EXPLAIN),
 * statement_ddl.c (CREATE/DROP) and statement_settings.c (SET/SHOW).
 */
#ifndef ARM_SQL_STATEMENT_INTERNAL_H
#define ARM_SQL_STATEMENT_INTERNAL_H

#include "exec/executor.h"
#include "sql/binder.h"
#include "sql/statement.h"

int64_t statement_now_micros(void);
arm_status statement_binder_init(binder *b, sql_session *s, uint32_t param_count,
                                 const value *params, arm_error *err);
/* Binds and plans SELECT, INSERT, UPDATE or DELETE. */
arm_status statement_plan(plan_node **out, binder *b, const ast_stmt *stmt, arm_error *err);
/* The threads a statement may use: SET threads, at most the pool's workers and the caller. */
uint32_t statement_thread_count(const sql_session *s);
/* Runs a plan with a fresh query_context; `profile` non-NULL for EXPLAIN ANALYZE. */
arm_status statement_run_plan(result_set **out, sql_session *s, binder *b, plan_node *plan,
                              const value *params, uint32_t param_count, plan_profile *profile,
                              arm_error *err);
/* Runs a plan with a fresh query_context, its rows delivered to `sink` in order (COPY TO). */
arm_status statement_stream_plan(sql_session *s, binder *b, plan_node *plan,
                                 const result_sink *sink, uint64_t *row_count, arm_error *err);
/* A result of VARCHAR columns from C strings (cells row-major). */
arm_status statement_text_result(result_set **out, const char *const *names, uint32_t column_count,
                                 const char *const *cells, uint32_t rows, arm_error *err);

arm_status statement_create_table(result_set **out, sql_session *s, const ast_stmt *stmt,
                                  arm_error *err);
arm_status statement_drop(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);
arm_status statement_create_view(result_set **out, sql_session *s, const ast_stmt *stmt,
                                 arm_error *err);
arm_status statement_set(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);
/* statement_copy.c */
arm_status statement_copy(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);
/* statement_versioning.c */
arm_status statement_transaction(result_set **out, sql_session *s, const ast_stmt *stmt,
                                 arm_error *err);
arm_status statement_ref(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);
arm_status statement_vacuum(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);
arm_status statement_create_schema(result_set **out, sql_session *s, const ast_stmt *stmt,
                                   arm_error *err);
/*
 * The catalog a session binds against: the writer's (in memory, or when it
 * holds the writer lock) or the storage's committed one (readers).
 */
catalog *statement_catalog(const sql_session *s);
/* CACHE TABLE t, UNCACHE TABLE t, CLEAR CACHE. */
arm_status statement_cache(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);
/* arm_cache_stats(): one row of the column cache's counters, as a table. *out has refcount 1. */
arm_status statement_cache_stats_table(struct column_cache *cache, table_def **out, arm_error *err);
arm_status statement_checkpoint(result_set **out, sql_session *s, const ast_stmt *stmt,
                                arm_error *err);
arm_status statement_show(result_set **out, sql_session *s, const ast_stmt *stmt, arm_error *err);

#endif
