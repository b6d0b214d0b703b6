/*
 * sql.c: the SQL layer's entry points (sql.h): database and session state,
 * running a script statement by statement, prepared statements, and the
 * appender's writes (each one a write statement of its own). Each
 * statement is planned in the session's arena, reset before the next one,
 * so a warm session runs a statement without calling malloc for planning.
 */
#include "sql/sql.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/column_cache.h"
#include "common/arena.h"
#include "common/error.h"
#include "sql/parser.h"
#include "sql/sql_storage.h"
#include "sql/statement.h"
#include "table/table_store.h"

#define SQL_SCRIPT_ARENA_BYTES (16u << 10)
#define SQL_STATEMENT_ARENA_BYTES (64u << 10)

arm_status sql_database_init(sql_database *db, arm_error *err)
{
    memset(db, 0, sizeof *db);
    uint32_t cores = thread_pool_default_threads();
    if (cores == 0)
        cores = 1;
    db->default_threads = cores;
    db->default_memory_limit_bytes = statement_ram_bytes() / 10 * 8;
    atomic_store(&db->threads, cores);
    atomic_store(&db->memory_limit_bytes, db->default_memory_limit_bytes);
    atomic_store(&db->chunk_rows, TABLE_STORE_DEFAULT_CHUNK_ROWS);
    memory_budget_init(&db->budget, db->default_memory_limit_bytes, NULL);
    pthread_mutex_init(&db->writer, NULL);
    if (catalog_create(&db->catalog, err) != ARM_OK)
        return err->status;
    if (thread_pool_create(&db->pool, cores - 1, err) != ARM_OK ||
        column_cache_create(column_cache_default_capacity(), &db->cache, err) != ARM_OK) {
        thread_pool_destroy(db->pool);
        catalog_destroy(db->catalog);
        db->pool = NULL;
        db->catalog = NULL;
        return err->status;
    }
    return ARM_OK;
}

void sql_database_dispose(sql_database *db)
{
    if (db == NULL)
        return;
    thread_pool_destroy(db->pool);
    sql_storage_close(db->storage);
    db->storage = NULL;
    catalog_destroy(db->catalog);
    column_cache_destroy(db->cache);
    pthread_mutex_destroy(&db->writer);
    db->pool = NULL;
    db->catalog = NULL;
    db->cache = NULL;
}

arm_status sql_database_open_storage(sql_database *db, const char *folder, arm_error *err)
{
    return sql_storage_open(&db->storage, folder, db->catalog, db->cache, &db->chunk_rows, err);
}

/* Statements that cannot change tables need no commit afterwards. */
static bool may_change_tables(const ast_stmt *stmt)
{
    switch (stmt->kind) {
    case AST_STMT_SELECT:
    case AST_STMT_SET:
    case AST_STMT_SHOW:
    case AST_STMT_BEGIN:
    case AST_STMT_COMMIT:
    case AST_STMT_ROLLBACK:
    case AST_STMT_REF:
    case AST_STMT_VACUUM:
    case AST_STMT_CACHE:
    case AST_STMT_CHECKPOINT: return false;
    case AST_STMT_EXPLAIN: return stmt->u.explain.analyze;
    default: return true;
    }
}

/*
 * The connections of one database share its tables, so one of them writes
 * at a time: a write statement holds the database's writer lock until it
 * has committed, a transaction from BEGIN to its end. Another connection's
 * commit can then never carry this one's uncommitted rows. A writer waits
 * for the lock up to WRITER_WAIT_SECONDS, as SQLite's busy timeout does.
 */
#define WRITER_WAIT_SECONDS 5

static bool needs_writer(const sql_session *s, const ast_stmt *stmt)
{
    return s->db->storage != NULL && !s->holds_writer &&
           (may_change_tables(stmt) || stmt->kind == AST_STMT_BEGIN ||
            stmt->kind == AST_STMT_CHECKPOINT);
}

static arm_status take_writer(sql_session *s, arm_error *err)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WRITER_WAIT_SECONDS;
    if (pthread_mutex_timedlock(&s->db->writer, &deadline) != 0) {
        error_set(err, ARM_ERROR_CONFLICT, "55P03", -1,
                  "database is busy: another connection of this database is writing");
        error_hint(err, "Its transaction holds the write lock until COMMIT or ROLLBACK; retry "
                        "then.");
        return ARM_ERROR_CONFLICT;
    }
    s->holds_writer = true;
    return ARM_OK;
}

static void give_writer(sql_session *s)
{
    if (s->holds_writer && !s->in_transaction) {
        s->holds_writer = false;
        pthread_mutex_unlock(&s->db->writer);
    }
}

/*
 * Autocommit around one statement (or one appender flush): take the writer
 * lock when it writes, pick up other processes' commits first, commit what
 * it changed after.
 */
static arm_status storage_begin(sql_session *s, bool takes_writer, arm_error *err)
{
    if (takes_writer && take_writer(s, err) != ARM_OK)
        return err->status;
    if (s->db->storage == NULL || s->in_transaction)
        return ARM_OK; /* a transaction reads one commit throughout */
    arm_status st = sql_storage_refresh(s->db->storage, s->db->catalog, err);
    if (st != ARM_OK)
        give_writer(s);
    return st;
}

static arm_status storage_before(sql_session *s, const ast_stmt *stmt, arm_error *err)
{
    return storage_begin(s, needs_writer(s, stmt), err);
}

/* Commits what a successful statement changed; a failed one leaves nothing behind. */
#define AUTOCOMMIT_MESSAGE_BYTES 500

/* An autocommit's message is its statement, as written (shortened). */
static const char *statement_text(sql_session *s, const char *sql, const ast_stmt *stmt)
{
    if (sql == NULL || stmt->end_position <= stmt->position)
        return NULL;
    size_t length = (size_t)(stmt->end_position - stmt->position);
    return arena_strndup(s->arena, sql + stmt->position,
                         length > AUTOCOMMIT_MESSAGE_BYTES ? AUTOCOMMIT_MESSAGE_BYTES : length);
}

/* After a write: commit (`message` may be NULL) or drop what it changed. */
static arm_status storage_finish(sql_session *s, const char *message, arm_status status,
                                 arm_error *err)
{
    if (s->db->storage == NULL)
        return status;
    bool in_transaction = s->in_transaction;
    if (status == ARM_OK)
        return in_transaction ? ARM_OK
                              : sql_storage_commit(s->db->storage, s->db->catalog, message, err);
    arm_error ignored;
    sql_storage_rollback(s->db->storage, s->db->catalog, &ignored);
    if (in_transaction) {
        s->in_transaction = false;
        if (err->hint[0] == '\0')
            error_hint(err, "The transaction was rolled back.");
    }
    return status;
}

static arm_status storage_after(sql_session *s, const char *sql, const ast_stmt *stmt,
                                arm_status status, arm_error *err)
{
    if (may_change_tables(stmt))
        status =
            storage_finish(s, status == ARM_OK ? statement_text(s, sql, stmt) : NULL, status, err);
    give_writer(s); /* kept while a transaction stays open */
    return status;
}

void sql_session_init(sql_session *s, sql_database *db)
{
    s->db = db;
    s->plans_made = 0;
    atomic_store(&s->interrupt, false);
    s->script_arena = arena_create(SQL_SCRIPT_ARENA_BYTES, NULL);
    s->arena = arena_create(SQL_STATEMENT_ARENA_BYTES, NULL);
}

void sql_session_dispose(sql_session *s)
{
    if (s == NULL)
        return;
    if (s->in_transaction && s->db->storage != NULL) { /* an open transaction ends unfinished */
        arm_error ignored;
        sql_storage_rollback(s->db->storage, s->db->catalog, &ignored);
        s->in_transaction = false;
    }
    give_writer(s);
    for (uint32_t i = 0; i < SQL_TEXT_CACHE_ENTRIES; i++) {
        sql_prepared_destroy(s->text_cache[i].prepared);
        free(s->text_cache[i].sql);
    }
    memset(s->text_cache, 0, sizeof s->text_cache);
    arena_destroy(s->script_arena);
    arena_destroy(s->arena);
    s->script_arena = NULL;
    s->arena = NULL;
}

static arm_status session_ready(sql_session *s, arm_error *err)
{
    if (s->script_arena == NULL)
        s->script_arena = arena_create(SQL_SCRIPT_ARENA_BYTES, NULL);
    if (s->arena == NULL)
        s->arena = arena_create(SQL_STATEMENT_ARENA_BYTES, NULL);
    if (s->script_arena == NULL || s->arena == NULL)
        return error_out_of_memory(err);
    return ARM_OK;
}

static arm_status run_one(result_set **out, sql_session *s, const char *sql, const ast_stmt *stmt,
                          const value *params, uint32_t param_count, arm_error *err)
{
    arena_reset(s->arena);
    atomic_store(&s->interrupt, false);
    arm_status status = storage_before(s, stmt, err);
    if (status == ARM_OK)
        status = storage_after(s, sql, stmt,
                               statement_execute(out, s, stmt, params, param_count, err), err);
    if (status != ARM_OK) {
        result_set_destroy(*out);
        *out = NULL;
    }
    return status;
}

/*
 * The text cache: a SELECT whose exact text ran recently skips parsing, and
 * binding and planning too while its cached plan is valid (nothing it
 * depends on changed: statement_execute_cached). Only single SELECTs of at
 * most SQL_TEXT_CACHE_MAX_BYTES are kept, so bulk INSERT texts pass by.
 */
#define SQL_TEXT_CACHE_MAX_BYTES 4096

static sql_prepared *cached_text(sql_session *s, const char *sql)
{
    for (uint32_t i = 0; i < SQL_TEXT_CACHE_ENTRIES; i++)
        if (s->text_cache[i].sql != NULL && strcmp(s->text_cache[i].sql, sql) == 0) {
            s->text_cache[i].last_used = ++s->text_clock;
            return s->text_cache[i].prepared;
        }
    return NULL;
}

/* A SELECT worth keeping: one statement, no parameters, short text. */
static bool is_cacheable(const char *sql, const ast_script *script)
{
    return script->count == 1 && script->parameter_count == 0 &&
           script->statements[0]->kind == AST_STMT_SELECT &&
           strlen(sql) <= SQL_TEXT_CACHE_MAX_BYTES;
}

/* Keeps `sql` prepared in the least recently used slot; NULL when it cannot. */
static sql_prepared *remember_text(sql_session *s, const char *sql)
{
    sql_prepared *p = NULL;
    char *copy = strdup(sql);
    arm_error ignored;
    if (copy == NULL || sql_prepare(&p, s, sql, &ignored) != ARM_OK) {
        free(copy);
        return NULL;
    }
    uint32_t victim = 0;
    for (uint32_t i = 1; i < SQL_TEXT_CACHE_ENTRIES; i++)
        if (s->text_cache[i].last_used < s->text_cache[victim].last_used)
            victim = i;
    sql_text_entry *e = &s->text_cache[victim];
    sql_prepared_destroy(e->prepared);
    free(e->sql);
    e->sql = copy;
    e->prepared = p;
    e->last_used = ++s->text_clock;
    return p;
}

static arm_status run_prepared_text(result_set **out, sql_prepared *p, arm_error *err)
{
    result_set *r = NULL;
    arm_status st = sql_prepared_execute(&r, p, NULL, 0, err);
    if (out != NULL)
        *out = r;
    else
        result_set_destroy(r);
    return st;
}

arm_status sql_run(result_set **out, sql_session *s, const char *sql, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (out != NULL)
        *out = NULL;
    if (session_ready(s, err) != ARM_OK)
        return err->status;
    sql_prepared *cached = cached_text(s, sql);
    if (cached != NULL)
        return run_prepared_text(out, cached, err);
    arena_reset(s->script_arena);
    ast_script script;
    if (parser_parse(&script, s->script_arena, sql, err) != ARM_OK)
        return err->status;
    if (script.parameter_count > 0)
        return error_set(err, ARM_ERROR_MISUSE, "08P01", -1,
                         "the statement has parameters: prepare it and bind their values");
    if (is_cacheable(sql, &script) && (cached = remember_text(s, sql)) != NULL)
        return run_prepared_text(out, cached, err);
    result_set *last = NULL;
    for (uint32_t i = 0; i < script.count; i++) {
        result_set *r = NULL;
        if (run_one(&r, s, sql, script.statements[i], NULL, 0, err) != ARM_OK) {
            result_set_destroy(last);
            return err->status;
        }
        result_set_destroy(last);
        last = r;
    }
    if (last == NULL && result_set_create_empty(&last, RESULT_SET_NOTHING, 0, err) != ARM_OK)
        return err->status;
    if (out != NULL)
        *out = last;
    else
        result_set_destroy(last);
    return ARM_OK;
}

/* One parsed statement kept with its own arena; re-bound at each execution. */
struct sql_prepared {
    sql_session *session;
    arena *arena;    /* the syntax tree */
    const char *sql; /* the text, in `arena` (an autocommit's message) */
    ast_stmt *stmt;
    uint32_t param_count;
    statement_plan_cache cache;
};

arm_status sql_prepare(sql_prepared **out, sql_session *s, const char *sql, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    *out = NULL;
    if (session_ready(s, err) != ARM_OK)
        return err->status;
    sql_prepared *p = calloc(1, sizeof *p);
    if (p == NULL || (p->arena = arena_create(SQL_SCRIPT_ARENA_BYTES, NULL)) == NULL) {
        free(p);
        return error_out_of_memory(err);
    }
    p->session = s;
    p->sql = arena_strdup(p->arena, sql);
    statement_plan_cache_init(&p->cache);
    ast_script script;
    arm_status status = parser_parse(&script, p->arena, sql, err);
    if (status == ARM_OK && script.count != 1)
        status = error_set(err, ARM_ERROR_SYNTAX, "42601", -1,
                           script.count == 0 ? "cannot prepare an empty statement"
                                             : "cannot insert multiple commands into a "
                                               "prepared statement");
    if (status == ARM_OK) {
        p->stmt = script.statements[0];
        p->param_count = script.parameter_count;
        arena_reset(s->arena);
        status = statement_check(s, p->stmt, p->param_count, err);
    }
    if (status != ARM_OK) {
        sql_prepared_destroy(p);
        return status;
    }
    *out = p;
    return ARM_OK;
}

uint32_t sql_prepared_param_count(const sql_prepared *p)
{
    return p ? p->param_count : 0;
}

arm_status sql_prepared_execute(result_set **out, sql_prepared *p, const value *params,
                                uint32_t param_count, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    *out = NULL;
    if (param_count < p->param_count)
        return error_set(err, ARM_ERROR_MISUSE, "08P01", -1,
                         "the statement needs %u parameters but %u were given", p->param_count,
                         param_count);
    if (session_ready(p->session, err) != ARM_OK)
        return err->status;
    sql_session *s = p->session;
    arena_reset(s->arena);
    atomic_store(&s->interrupt, false);
    arm_status status = storage_before(s, p->stmt, err);
    if (status == ARM_OK)
        status = storage_after(
            s, p->sql, p->stmt,
            statement_execute_cached(out, s, &p->cache, p->stmt, params, param_count, err), err);
    if (status != ARM_OK) {
        result_set_destroy(*out);
        *out = NULL;
    }
    return status;
}

void sql_prepared_destroy(sql_prepared *p)
{
    if (p == NULL)
        return;
    statement_plan_cache_dispose(&p->cache);
    arena_destroy(p->arena);
    free(p);
}

/* ---- appending from C ------------------------------------------------------ */

arm_status sql_append_target_init(sql_append_target *out, sql_session *s, const char *name,
                                  arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    memset(out, 0, sizeof *out);
    if (session_ready(s, err) != ARM_OK)
        return err->status;
    arena_reset(s->arena);
    arm_status status = statement_append_resolve(out, s, name, err);
    if (status != ARM_OK)
        sql_append_target_dispose(out);
    return status;
}

void sql_append_target_dispose(sql_append_target *t)
{
    if (t == NULL)
        return;
    for (uint32_t c = 0; t->column_names != NULL && c < t->column_count; c++)
        free(t->column_names[c]);
    free(t->column_names);
    free(t->column_types);
    free(t->schema_name);
    free(t->name);
    memset(t, 0, sizeof *t);
}

/* One appender flush is a write statement: the same lock, refresh and autocommit. */
arm_status sql_append(sql_session *s, const sql_append_target *t, const batch *rows, arm_error *err)
{
    arm_error local;
    if (err == NULL)
        err = &local;
    if (rows->count == 0)
        return ARM_OK;
    if (session_ready(s, err) != ARM_OK)
        return err->status;
    arena_reset(s->arena);
    bool takes_writer = s->db->storage != NULL && !s->holds_writer;
    arm_status status = storage_begin(s, takes_writer, err);
    if (status != ARM_OK)
        return status;
    status = statement_append(s, t, rows, err);
    const char *message =
        status == ARM_OK ? arena_printf(s->arena, "appender: %u rows into %s", rows->count, t->name)
                         : NULL;
    status = storage_finish(s, message, status, err);
    give_writer(s);
    return status;
}
