/*
 * statement.c: running one statement. Queries and DML are bound, planned and
 * handed to the executor with a query_context built here (per-query memory
 * budget, threads, parameters, interrupt flag); EXPLAIN renders the plan.
 * DDL lives in statement_ddl.c, SET/SHOW in statement_settings.c.
 */
#include "sql/statement.h"

#include <string.h>
#include <time.h>

#include "common/error.h"
#include "exec/executor.h"
#include "sql/planner.h"
#include "sql/sql_storage.h"
#include "sql/statement_internal.h"
#include "vector/cast.h"

int64_t statement_now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

catalog *statement_catalog(const sql_session *s)
{
    return s->db->storage != NULL && !s->holds_writer
               ? sql_storage_committed_catalog(s->db->storage)
               : s->db->catalog;
}

arm_status statement_binder_init(binder *b, sql_session *s, uint32_t param_count,
                                 const value *params, arm_error *err)
{
    arm_status status = binder_init(b, s->arena, statement_catalog(s), statement_now_micros(),
                                    param_count, params, err);
    b->storage = s->db->storage;
    b->cache = s->db->cache;
    return status;
}

/* Binds and plans a query or DML statement. */
arm_status statement_plan(plan_node **out, binder *b, const ast_stmt *stmt, arm_error *err)
{
    logical_op *root;
    arm_status status;
    if (stmt->kind == AST_STMT_SELECT)
        status = binder_bind_query(&root, b, stmt->u.query, err);
    else if (stmt->kind == AST_STMT_INSERT || stmt->kind == AST_STMT_UPDATE ||
             stmt->kind == AST_STMT_DELETE)
        status = binder_bind_dml(&root, b, stmt, err);
    else
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, "0A000", stmt->position,
                         "EXPLAIN of this statement is not supported");
    if (status != ARM_OK)
        return status;
    return planner_plan(out, b, root, err);
}

static arm_status cast_params(value **out, arena *a, const binder *b, const value *params,
                              uint32_t count, arm_error *err)
{
    *out = NULL;
    if (count < b->param_count)
        return error_set(err, ARM_ERROR_MISUSE, "08P01", -1,
                         "the statement needs %u parameters but %u were given", b->param_count,
                         count);
    if (b->param_count == 0)
        return ARM_OK;
    value *cast = arena_alloc(a, b->param_count * sizeof *cast);
    if (cast == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < b->param_count; i++) {
        if (params[i].is_null) {
            cast[i] = value_null(b->param_types[i]);
            continue;
        }
        if (cast_value(&cast[i], &params[i], b->param_types[i], a, -1, err) != ARM_OK) {
            error_detail(err, "while converting parameter $%u", i + 1);
            return err->status;
        }
    }
    *out = cast;
    return ARM_OK;
}

/* The largest row count any operator reads or makes (scans: the whole table). */
static double plan_max_rows(const plan_node *node)
{
    double rows = node->estimated_rows;
    if (node->kind == PLAN_TABLE_SCAN)
        rows = (double)node->u.scan.table->vtable->estimated_row_count(node->u.scan.table);
    for (uint32_t i = 0; i < node->child_count; i++) {
        double child = plan_max_rows(node->children[i]);
        if (child > rows)
            rows = child;
    }
    return rows;
}

/* Below this many rows a query runs on the calling thread: waking workers costs more. */
#define STATEMENT_PARALLEL_MIN_ROWS (8.0 * VECTOR_SIZE)

uint32_t statement_thread_count(const sql_session *s)
{
    uint32_t threads = atomic_load(&s->db->threads);
    uint32_t available = (s->db->pool ? thread_pool_size(s->db->pool) : 0) + 1;
    return threads == 0 ? 1 : threads < available ? threads : available;
}

/* Fills `q` to run `plan` for session `s` (params cast to their bound types). */
static arm_status setup_query(query_context *q, memory_budget *budget, sql_session *s, binder *b,
                              plan_node *plan, const value *params, uint32_t param_count,
                              arm_error *err)
{
    sql_database *db = s->db;
    value *cast;
    if (cast_params(&cast, s->arena, b, params, param_count, err) != ARM_OK)
        return err->status;
    memory_budget_init(budget, atomic_load(&db->memory_limit_bytes), &db->budget);
    memset(q, 0, sizeof *q);
    q->arena = s->arena;
    q->budget = budget;
    q->thread_count = statement_thread_count(s);
    if (plan_max_rows(plan) < STATEMENT_PARALLEL_MIN_ROWS)
        q->thread_count = 1;
    q->pool = db->pool;
    q->params = cast;
    q->param_count = b->param_count;
    q->interrupt = &s->interrupt;
    q->statement_time_micros = b->statement_time_micros;
    q->committed_only = db->storage != NULL && !s->holds_writer;
    q->subquery_count = b->subquery_count;
    if (b->subquery_count > 0) {
        q->subquery_results = arena_zalloc(s->arena, b->subquery_count * sizeof(value));
        q->subquery_sets = arena_zalloc(s->arena, b->subquery_count * sizeof(void *));
        if (q->subquery_results == NULL || q->subquery_sets == NULL)
            return error_out_of_memory(err);
    }
    return ARM_OK;
}

arm_status statement_run_plan(result_set **out, sql_session *s, binder *b, plan_node *plan,
                              const value *params, uint32_t param_count, plan_profile *profile,
                              arm_error *err)
{
    memory_budget budget;
    query_context q;
    if (setup_query(&q, &budget, s, b, plan, params, param_count, err) != ARM_OK)
        return err->status;
    q.profile = profile != NULL;
    arm_status status = executor_run(out, plan, &q, profile, err);
    /* Operators charge what they hold while the query runs; the statement ends it all. */
    memory_budget_release(&budget, atomic_load(&budget.used_bytes));
    return status;
}

arm_status statement_stream_plan(sql_session *s, binder *b, plan_node *plan,
                                 const result_sink *sink, uint64_t *row_count, arm_error *err)
{
    memory_budget budget;
    query_context q;
    if (setup_query(&q, &budget, s, b, plan, NULL, 0, err) != ARM_OK)
        return err->status;
    arm_status status = executor_run_streaming(plan, &q, sink, row_count, err);
    memory_budget_release(&budget, atomic_load(&budget.used_bytes));
    return status;
}

static arm_status run_query(result_set **out, sql_session *s, const ast_stmt *stmt,
                            const value *params, uint32_t param_count, arm_error *err)
{
    binder b;
    plan_node *plan;
    if (statement_binder_init(&b, s, param_count, params, err) != ARM_OK)
        return err->status;
    arm_status status = statement_plan(&plan, &b, stmt, err);
    if (status == ARM_OK)
        status = statement_run_plan(out, s, &b, plan, params, param_count, NULL, err);
    binder_dispose(&b);
    return status;
}

/* A result of text rows; `cells` row-major, rows * column_count. */
arm_status statement_text_result(result_set **out, const char *const *names, uint32_t column_count,
                                 const char *const *cells, uint32_t rows, arm_error *err)
{
    logical_type types[8];
    if (column_count > 8)
        return error_internal(err, "too many text columns");
    for (uint32_t c = 0; c < column_count; c++)
        types[c] = type_make(TYPE_VARCHAR);
    if (result_set_create(out, column_count, names, types, err) != ARM_OK)
        return err->status;
    batch chunk;
    if (batch_init(&chunk, column_count, types, err) != ARM_OK)
        goto fail;
    arm_status status = ARM_OK;
    for (uint32_t start = 0; status == ARM_OK && start < rows; start += VECTOR_SIZE) {
        uint32_t n = rows - start < VECTOR_SIZE ? rows - start : VECTOR_SIZE;
        batch_reset(&chunk);
        for (uint32_t c = 0; status == ARM_OK && c < column_count; c++) {
            vector *v = &chunk.columns[c];
            status = vector_prepare_flat(v, n, err);
            for (uint32_t r = 0; status == ARM_OK && r < n; r++) {
                const char *text = cells[(size_t)(start + r) * column_count + c];
                status = vector_add_string(v, text, (uint32_t)strlen(text),
                                           &((string_view *)v->data)[r], err);
            }
        }
        chunk.count = n;
        if (status == ARM_OK)
            status = result_set_append(*out, &chunk, err);
    }
    batch_dispose(&chunk);
    if (status == ARM_OK)
        return ARM_OK;
fail:
    result_set_destroy(*out);
    *out = NULL;
    return err->status;
}

static arm_status explain_result(result_set **out, sql_session *s, const char *text, arm_error *err)
{
    uint32_t lines = 0, capacity = 16;
    const char **cells = arena_alloc(s->arena, capacity * sizeof *cells);
    if (cells == NULL)
        return error_out_of_memory(err);
    const char *p = text;
    while (*p != '\0') {
        const char *end = strchr(p, '\n');
        size_t length = end ? (size_t)(end - p) : strlen(p);
        if (lines == capacity) {
            cells = arena_realloc(s->arena, cells, capacity * sizeof *cells,
                                  2 * capacity * sizeof *cells);
            capacity *= 2;
            if (cells == NULL)
                return error_out_of_memory(err);
        }
        if ((cells[lines++] = arena_strndup(s->arena, p, length)) == NULL)
            return error_out_of_memory(err);
        p += length + (end ? 1 : 0);
    }
    static const char *const name[] = {"QUERY PLAN"};
    return statement_text_result(out, name, 1, cells, lines, err);
}

static arm_status run_explain(result_set **out, sql_session *s, const ast_stmt *stmt,
                              const value *params, uint32_t param_count, arm_error *err)
{
    binder b;
    plan_node *plan;
    char *text = NULL;
    const ast_stmt *inner = stmt->u.explain.statement;
    if (statement_binder_init(&b, s, param_count, params, err) != ARM_OK)
        return err->status;
    arm_status status = statement_plan(&plan, &b, inner, err);
    plan_profile profile;
    memset(&profile, 0, sizeof profile);
    if (status == ARM_OK && stmt->u.explain.analyze) {
        result_set *discarded = NULL;
        status = statement_run_plan(&discarded, s, &b, plan, params, param_count, &profile, err);
        result_set_destroy(discarded);
    }
    if (status == ARM_OK)
        status =
            plan_explain(plan, stmt->u.explain.analyze ? &profile : NULL, s->arena, &text, err);
    binder_dispose(&b);
    if (status != ARM_OK)
        return status;
    return explain_result(out, s, text ? text : "", err);
}

arm_status statement_execute(result_set **out, sql_session *s, const ast_stmt *stmt,
                             const value *params, uint32_t param_count, arm_error *err)
{
    *out = NULL;
    switch (stmt->kind) {
    case AST_STMT_SELECT:
    case AST_STMT_INSERT:
    case AST_STMT_UPDATE:
    case AST_STMT_DELETE: return run_query(out, s, stmt, params, param_count, err);
    case AST_STMT_EXPLAIN: return run_explain(out, s, stmt, params, param_count, err);
    case AST_STMT_CREATE_TABLE: return statement_create_table(out, s, stmt, err);
    case AST_STMT_DROP: return statement_drop(out, s, stmt, err);
    case AST_STMT_CREATE_VIEW: return statement_create_view(out, s, stmt, err);
    case AST_STMT_CREATE_SCHEMA: return statement_create_schema(out, s, stmt, err);
    case AST_STMT_SET: return statement_set(out, s, stmt, err);
    case AST_STMT_SHOW: return statement_show(out, s, stmt, err);
    case AST_STMT_BEGIN:
    case AST_STMT_COMMIT:
    case AST_STMT_ROLLBACK: return statement_transaction(out, s, stmt, err);
    case AST_STMT_REF: return statement_ref(out, s, stmt, err);
    case AST_STMT_COPY: return statement_copy(out, s, stmt, err);
    case AST_STMT_VACUUM: return statement_vacuum(out, s, stmt, err);
    case AST_STMT_CHECKPOINT: return statement_checkpoint(out, s, stmt, err);
    case AST_STMT_CACHE: return statement_cache(out, s, stmt, err);
    }
    return error_internal(err, "unknown statement kind");
}

arm_status statement_check(sql_session *s, const ast_stmt *stmt, uint32_t param_count,
                           arm_error *err)
{
    if (stmt->kind != AST_STMT_SELECT && stmt->kind != AST_STMT_INSERT &&
        stmt->kind != AST_STMT_UPDATE && stmt->kind != AST_STMT_DELETE)
        return ARM_OK;
    binder b;
    plan_node *plan;
    if (statement_binder_init(&b, s, param_count, NULL, err) != ARM_OK)
        return err->status;
    arm_status status = statement_plan(&plan, &b, stmt, err);
    binder_dispose(&b);
    return status;
}

void statement_plan_cache_init(statement_plan_cache *cache)
{
    memset(cache, 0, sizeof *cache);
}

void statement_plan_cache_dispose(statement_plan_cache *cache)
{
    if (cache->is_valid)
        binder_dispose(&cache->binder);
    arena_destroy(cache->arena);
    memset(cache, 0, sizeof *cache);
}

static arm_status plan_into_cache(statement_plan_cache *cache, sql_session *s, const ast_stmt *stmt,
                                  const value *params, uint32_t param_count, arm_error *err)
{
    if (cache->is_valid)
        binder_dispose(&cache->binder);
    cache->is_valid = false;
    if (cache->arena == NULL && (cache->arena = arena_create(16u << 10, NULL)) == NULL)
        return error_out_of_memory(err);
    arena_reset(cache->arena);
    cache->catalog = statement_catalog(s);
    cache->catalog_version = catalog_version(cache->catalog);
    if (binder_init(&cache->binder, cache->arena, cache->catalog, statement_now_micros(),
                    param_count, params, err) != ARM_OK)
        return err->status;
    cache->binder.storage = s->db->storage;
    cache->binder.cache = s->db->cache;
    arm_status status = statement_plan(&cache->plan, &cache->binder, stmt, err);
    if (status != ARM_OK) {
        binder_dispose(&cache->binder);
        return status;
    }
    cache->is_valid = true;
    s->plans_made++;
    return ARM_OK;
}

/*
 * Whether the cached plan can run again. Same catalog version: nothing changed. Otherwise the
 * plan stays valid when every table it read is still the catalog's def under that name (a
 * commit or reload keeps untouched tables' defs; a changed table gets a new one) and every view
 * it expanded has the same definition; plans never hold rows, so the provider gives current ones.
 */
static bool plan_is_current(statement_plan_cache *cache, sql_session *s)
{
    if (!cache->is_valid || cache->binder.is_volatile_plan ||
        cache->catalog != statement_catalog(s))
        return false;
    uint64_t version = catalog_version(cache->catalog); /* read before the check: a later change
                                                          moves it again */
    if (version == cache->catalog_version)
        return true;
    if (!catalog_holds(cache->catalog, cache->binder.table_refs, cache->binder.table_ref_count,
                       cache->binder.view_refs, cache->binder.view_ref_count))
        return false;
    cache->catalog_version = version;
    return true;
}

arm_status statement_execute_cached(result_set **out, sql_session *s, statement_plan_cache *cache,
                                    const ast_stmt *stmt, const value *params, uint32_t param_count,
                                    arm_error *err)
{
    *out = NULL;
    if (stmt->kind != AST_STMT_SELECT && stmt->kind != AST_STMT_INSERT &&
        stmt->kind != AST_STMT_UPDATE && stmt->kind != AST_STMT_DELETE)
        return statement_execute(out, s, stmt, params, param_count, err);
    if (!plan_is_current(cache, s) &&
        plan_into_cache(cache, s, stmt, params, param_count, err) != ARM_OK)
        return err->status;
    return statement_run_plan(out, s, &cache->binder, cache->plan, params, param_count, NULL, err);
}
