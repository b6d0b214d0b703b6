/*
 * exec_test_table.h: helpers for the executor and pipeline tests: an
 * in-memory table provider over plain arrays (columns id BIGINT, grp
 * INTEGER, name VARCHAR, score DOUBLE with NULLs) handing out morsels of a
 * chosen size, writable; expression and plan constructors; result rendering.
 */
#ifndef ARM_TESTS_EXEC_TEST_TABLE_H
#define ARM_TESTS_EXEC_TEST_TABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/thread_pool.h"
#include "exec/executor.h"
#include "harness.h"
#include "vector/cast.h"

enum { TT_ID, TT_GRP, TT_NAME, TT_SCORE, TT_COLUMNS };

typedef struct test_table {
    table_provider base;
    uint32_t morsel_rows;
    uint64_t row_count;
    uint64_t capacity;
    int64_t *id;
    int32_t *grp;
    char **name;
    double *score;
    bool *score_null;
    bool *deleted;
    _Atomic int scans_open;
    _Atomic uint32_t batches_served;
    _Atomic bool *interrupt_after; /* set once `interrupt_batches` batches were served */
    uint32_t interrupt_batches;
    uint32_t write_calls;
    _Atomic int threads_seen_mask; /* bit 0: caller thread, bit 1: another thread */
    uint32_t delay_us;             /* per batch served, to make workers join in */
    pthread_t caller;
} test_table;

typedef struct test_scan {
    test_table *t;
    uint32_t columns[8];
    uint32_t column_count;
    _Atomic uint32_t next_morsel;
} test_scan;

/* Deterministic contents of row `i`. */
static inline void tt_fill_row(test_table *t, uint64_t i, int64_t id)
{
    char text[64];
    t->id[i] = id;
    t->grp[i] = (int32_t)(id % 7);
    if (id % 3 == 0)
        snprintf(text, sizeof text, "a rather long name %lld", (long long)id);
    else
        snprintf(text, sizeof text, "n%lld", (long long)id);
    t->name[i] = strdup(text);
    t->score[i] = (double)(id % 100) + 0.5;
    t->score_null[i] = id % 10 == 9;
    t->deleted[i] = false;
}

static inline void tt_grow(test_table *t, uint64_t rows)
{
    if (rows <= t->capacity)
        return;
    uint64_t c = rows * 2;
    t->id = realloc(t->id, c * sizeof *t->id);
    t->grp = realloc(t->grp, c * sizeof *t->grp);
    t->name = realloc(t->name, c * sizeof *t->name);
    t->score = realloc(t->score, c * sizeof *t->score);
    t->score_null = realloc(t->score_null, c * sizeof *t->score_null);
    t->deleted = realloc(t->deleted, c * sizeof *t->deleted);
    t->capacity = c;
}

static arm_status tt_scan_begin(table_provider *p, const table_scan_options *o, table_scan **out,
                                arm_error *err)
{
    test_scan *s = calloc(1, sizeof *s);
    if (s == NULL || o->column_count > 8)
        return error_internal(err, "test scan");
    s->t = (test_table *)p;
    memcpy(s->columns, o->column_ids, o->column_count * sizeof *s->columns);
    s->column_count = o->column_count;
    atomic_fetch_add(&s->t->scans_open, 1);
    *out = (table_scan *)s;
    return ARM_OK;
}

static arm_status tt_scan_local_create(table_scan *scan, table_scan_local **out, arm_error *err)
{
    (void)scan, (void)err;
    *out = NULL;
    return ARM_OK;
}

static arm_status tt_fill_column(test_table *t, uint32_t id, vector *v, uint64_t start, uint32_t n,
                                 arm_error *err)
{
    arm_status s = vector_prepare_flat(v, n, err);
    for (uint32_t r = 0; r < n && s == ARM_OK; r++) {
        uint64_t row = start + r;
        switch (id) {
        case TABLE_COLUMN_ROW_ID: ((int64_t *)v->data)[r] = (int64_t)row; break;
        case TT_ID: ((int64_t *)v->data)[r] = t->id[row]; break;
        case TT_GRP: ((int32_t *)v->data)[r] = t->grp[row]; break;
        case TT_NAME:
            s = vector_add_string(v, t->name[row], (uint32_t)strlen(t->name[row]),
                                  &((string_view *)v->data)[r], err);
            break;
        default:
            ((double *)v->data)[r] = t->score[row];
            if (t->score_null[row] && (s = vector_ensure_validity(v, err)) == ARM_OK)
                vector_set_null(v, r);
        }
    }
    return s;
}

static void tt_note_thread(test_table *t)
{
    int bit = pthread_equal(pthread_self(), t->caller) ? 1 : 2;
    atomic_fetch_or(&t->threads_seen_mask, bit);
}

static arm_status tt_scan_next(table_scan *scan, table_scan_local *local, batch *out,
                               arm_error *err)
{
    (void)local;
    test_scan *s = (test_scan *)scan;
    test_table *t = s->t;
    tt_note_thread(t);
    for (;;) {
        uint64_t start = (uint64_t)atomic_fetch_add(&s->next_morsel, 1) * t->morsel_rows;
        out->count = 0;
        out->sel = NULL;
        if (start >= t->row_count)
            return ARM_OK;
        uint32_t n = (uint32_t)(t->row_count - start < t->morsel_rows ? t->row_count - start
                                                                      : t->morsel_rows);
        uint32_t live = 0;
        for (uint32_t r = 0; r < n; r++)
            if (!t->deleted[start + r])
                out->sel_storage[live++] = r;
        if (live == 0)
            continue;
        for (uint32_t c = 0; c < s->column_count; c++) {
            vector *v = &out->columns[c];
            arm_status st = tt_fill_column(t, s->columns[c], v, start, n, err);
            if (st != ARM_OK)
                return st;
        }
        out->count = live;
        out->sel = live < n ? out->sel_storage : NULL;
        out->sequence = start / t->morsel_rows;
        if (t->delay_us > 0)
            usleep(t->delay_us);
        uint32_t served = atomic_fetch_add(&t->batches_served, 1) + 1;
        if (t->interrupt_after != NULL && served >= t->interrupt_batches)
            atomic_store(t->interrupt_after, true);
        return ARM_OK;
    }
}

static void tt_scan_local_destroy(table_scan_local *local)
{
    (void)local;
}

static void tt_scan_end(table_scan *scan)
{
    test_scan *s = (test_scan *)scan;
    atomic_fetch_sub(&s->t->scans_open, 1);
    free(s);
}

static arm_status tt_append(table_provider *p, const batch *rows, arm_error *err)
{
    (void)err;
    test_table *t = (test_table *)p;
    t->write_calls++;
    tt_grow(t, t->row_count + rows->count);
    for (uint32_t i = 0; i < rows->count; i++) {
        uint32_t r = batch_row(rows, i);
        value v;
        vector_get_value(&rows->columns[TT_ID], r, &v);
        tt_fill_row(t, t->row_count, v.u.i64);
        vector_get_value(&rows->columns[TT_GRP], r, &v);
        t->grp[t->row_count] = (int32_t)v.u.i64;
        vector_get_value(&rows->columns[TT_NAME], r, &v);
        free(t->name[t->row_count]);
        t->name[t->row_count] = strndup(v.u.str.data, v.u.str.length);
        vector_get_value(&rows->columns[TT_SCORE], r, &v);
        t->score[t->row_count] = v.is_null ? 0 : v.u.f64;
        t->score_null[t->row_count] = v.is_null;
        t->row_count++;
    }
    return ARM_OK;
}

static arm_status tt_delete(table_provider *p, const int64_t *ids, uint64_t count, arm_error *err)
{
    test_table *t = (test_table *)p;
    t->write_calls++;
    for (uint64_t i = 0; i < count; i++) {
        if (ids[i] < 0 || (uint64_t)ids[i] >= t->row_count)
            return error_internal(err, "bad row id");
        t->deleted[ids[i]] = true;
    }
    return ARM_OK;
}

static arm_status tt_update(table_provider *p, const int64_t *ids, const batch *rows,
                            arm_error *err)
{
    arm_status s = tt_delete(p, ids, rows->count, err);
    if (s == ARM_OK)
        s = tt_append(p, rows, err);
    ((test_table *)p)->write_calls--;
    return s;
}

static uint64_t tt_estimated_rows(table_provider *p)
{
    return ((test_table *)p)->row_count;
}

static void tt_destroy(table_provider *p)
{
    test_table *t = (test_table *)p;
    for (uint64_t i = 0; i < t->row_count; i++)
        free(t->name[i]);
    free(t->id);
    free(t->grp);
    free(t->name);
    free(t->score);
    free(t->score_null);
    free(t->deleted);
    free(t->base.column_types);
    free(t);
}

static const table_provider_vtable tt_vtable = {
    .scan_begin = tt_scan_begin,
    .scan_local_create = tt_scan_local_create,
    .scan_next = tt_scan_next,
    .scan_local_destroy = tt_scan_local_destroy,
    .scan_end = tt_scan_end,
    .append = tt_append,
    .delete_rows = tt_delete,
    .update_rows = tt_update,
    .estimated_row_count = tt_estimated_rows,
    .destroy = tt_destroy,
};

static char *tt_column_names[TT_COLUMNS] = {"id", "grp", "name", "score"};

/* `rows` rows with ids 0..rows-1, served in morsels of `morsel_rows` (<= VECTOR_SIZE). */
static inline test_table *test_table_create(uint64_t rows, uint32_t morsel_rows)
{
    test_table *t = calloc(1, sizeof *t);
    t->base.vtable = &tt_vtable;
    t->base.column_count = TT_COLUMNS;
    t->base.column_types = malloc(TT_COLUMNS * sizeof(logical_type));
    t->base.column_types[TT_ID] = type_make(TYPE_BIGINT);
    t->base.column_types[TT_GRP] = type_make(TYPE_INTEGER);
    t->base.column_types[TT_NAME] = type_make(TYPE_VARCHAR);
    t->base.column_types[TT_SCORE] = type_make(TYPE_DOUBLE);
    t->base.column_names = tt_column_names;
    t->morsel_rows = morsel_rows;
    t->caller = pthread_self();
    tt_grow(t, rows ? rows : 1);
    for (uint64_t i = 0; i < rows; i++)
        tt_fill_row(t, i, (int64_t)i);
    t->row_count = rows;
    return t;
}

/* ---- query context ------------------------------------------------------------------ */

typedef struct test_query {
    arena *arena;
    memory_budget budget;
    query_context ctx;
    _Atomic bool interrupt;
    value subquery_results[8];
    struct subquery_set *subquery_sets[8];
} test_query;

static inline void test_query_init(test_query *q, thread_pool *pool, uint32_t threads)
{
    memset(q, 0, sizeof *q);
    q->arena = arena_create(0, NULL);
    memory_budget_init(&q->budget, 0, NULL);
    q->ctx.arena = q->arena;
    q->ctx.budget = &q->budget;
    q->ctx.pool = pool;
    q->ctx.thread_count = threads;
    q->ctx.interrupt = &q->interrupt;
    q->ctx.subquery_results = q->subquery_results;
    q->ctx.subquery_sets = q->subquery_sets;
    q->ctx.subquery_count = 8;
}

static inline void test_query_dispose(test_query *q)
{
    arena_destroy(q->arena);
}

/* ---- expressions ---------------------------------------------------------------------- */

static inline expr *tx_column(arena *a, logical_type type, uint32_t index)
{
    return expr_column(a, type, index);
}

static inline expr *tx_bigint(arena *a, int64_t v)
{
    value x = value_bigint(v);
    return expr_constant(a, &x, -1);
}

static inline expr *tx_int(arena *a, int32_t v)
{
    value x = value_integer(v);
    return expr_constant(a, &x, -1);
}

/* A binary scalar function call ("+", ">", "=", "/"), arguments cast as resolved. */
static inline expr *tx_call(arena *a, const char *name, expr *x, expr *y)
{
    arm_error err;
    logical_type types[2] = {x->type, y->type}, cast_to[2];
    bool untyped[2] = {false, false};
    const scalar_function *fn = NULL;
    CHECK_OK(function_resolve(&fn, cast_to, name, types, untyped, 2, -1, &err), &err);
    if (fn == NULL)
        return NULL;
    expr *e = arena_zalloc(a, sizeof *e);
    e->kind = EXPR_FUNCTION;
    e->type = fn->return_type;
    e->position = -1;
    e->u.function.fn = fn;
    e->u.function.args = arena_alloc(a, 2 * sizeof(expr *));
    e->u.function.args[0] = type_equal(x->type, cast_to[0]) ? x : expr_cast(a, x, cast_to[0], -1);
    e->u.function.args[1] = type_equal(y->type, cast_to[1]) ? y : expr_cast(a, y, cast_to[1], -1);
    e->u.function.arg_count = 2;
    if (fn->bind)
        CHECK_OK(fn->bind(fn, e, a, &err), &err);
    return e;
}

static inline expr *tx_subquery(arena *a, subquery_kind kind, plan_node *plan, expr *child,
                                uint32_t id, logical_type type)
{
    expr *e = arena_zalloc(a, sizeof *e);
    e->kind = EXPR_SUBQUERY;
    e->type = type;
    e->position = -1;
    e->u.subquery.kind = kind;
    e->u.subquery.plan = plan;
    e->u.subquery.child = child;
    e->u.subquery.id = id;
    return e;
}

/* ---- plans ------------------------------------------------------------------------------ */

static inline plan_node *tp_scan(arena *a, test_table *t, const uint32_t *columns, uint32_t count,
                                 expr *predicate)
{
    plan_node *n = plan_node_create(a, PLAN_TABLE_SCAN, count);
    n->u.scan.table = &t->base;
    n->u.scan.table_name = "t";
    n->u.scan.column_ids = arena_alloc(a, count * sizeof(uint32_t));
    for (uint32_t i = 0; i < count; i++) {
        uint32_t c = columns[i];
        n->u.scan.column_ids[i] = c;
        n->types[i] = c == TABLE_COLUMN_ROW_ID ? type_make(TYPE_BIGINT) : t->base.column_types[c];
        n->names[i] = c == TABLE_COLUMN_ROW_ID ? "rowid" : tt_column_names[c];
    }
    n->u.scan.predicate = predicate;
    n->estimated_rows = (double)t->row_count;
    return n;
}

/* A node of `kind` over `child` passing its columns through (FILTER, LIMIT). */
static inline plan_node *tp_over(arena *a, plan_kind kind, plan_node *child)
{
    plan_node *n = plan_node_create(a, kind, child->column_count);
    for (uint32_t i = 0; i < child->column_count; i++) {
        n->types[i] = child->types[i];
        n->names[i] = child->names[i];
    }
    n->children[0] = child;
    n->child_count = 1;
    n->estimated_rows = child->estimated_rows;
    return n;
}

static inline plan_node *tp_filter(arena *a, plan_node *child, expr *predicate)
{
    plan_node *n = tp_over(a, PLAN_FILTER, child);
    n->u.filter.predicate = predicate;
    return n;
}

static inline plan_node *tp_limit(arena *a, plan_node *child, uint64_t limit, uint64_t offset)
{
    plan_node *n = tp_over(a, PLAN_LIMIT, child);
    n->u.limit.limit = limit;
    n->u.limit.offset = offset;
    return n;
}

static inline plan_node *tp_project(arena *a, plan_node *child, expr **exprs, const char **names,
                                    uint32_t count)
{
    plan_node *n = plan_node_create(a, PLAN_PROJECT, count);
    n->u.project.exprs = arena_alloc(a, count * sizeof(expr *));
    for (uint32_t i = 0; i < count; i++) {
        n->u.project.exprs[i] = exprs[i];
        n->types[i] = exprs[i]->type;
        n->names[i] = names[i];
    }
    n->children[0] = child;
    n->child_count = 1;
    n->estimated_rows = child->estimated_rows;
    return n;
}

/* VALUES with `rows` x `columns` cells (row-major), all of `type`. */
static inline plan_node *tp_values(arena *a, expr **cells, uint32_t rows, uint32_t columns)
{
    plan_node *n = plan_node_create(a, PLAN_VALUES, columns);
    n->u.values.rows = arena_alloc(a, (size_t)rows * columns * sizeof(expr *));
    for (uint32_t i = 0; i < rows * columns; i++)
        n->u.values.rows[i] = cells[i];
    n->u.values.row_count = rows;
    for (uint32_t c = 0; c < columns; c++) {
        n->types[c] = cells[c]->type;
        n->names[c] = "column";
    }
    n->estimated_rows = rows;
    return n;
}

/* ---- results ------------------------------------------------------------------------------ */

/* Cell (row, column) as text ("NULL" for NULL). */
static inline const char *tr_cell(const result_set *r, uint64_t row, uint32_t column, char *buf,
                                  size_t capacity)
{
    uint32_t b, i;
    if (!result_set_locate(r, row, &b, &i))
        return "<out of range>";
    value v;
    vector_get_value(&r->batches[b].columns[column], i, &v);
    if (v.is_null)
        return "NULL";
    value_format(&v, buf, capacity);
    return buf;
}

/* Every row as "a|b|c\n"; heap string. */
static inline char *tr_text(const result_set *r)
{
    size_t capacity = 256, length = 0;
    char *text = malloc(capacity);
    text[0] = 0;
    char cell[256];
    for (uint64_t row = 0; row < r->row_count; row++) {
        for (uint32_t c = 0; c < r->column_count; c++) {
            const char *s = tr_cell(r, row, c, cell, sizeof cell);
            size_t n = strlen(s);
            if (length + n + 3 > capacity) {
                capacity = (length + n + 3) * 2;
                text = realloc(text, capacity);
            }
            memcpy(text + length, s, n);
            length += n;
            text[length++] = c + 1 < r->column_count ? '|' : '\n';
            text[length] = 0;
        }
    }
    return text;
}

/* Column `column` of every row as int64 (NULL as INT64_MIN); heap array. */
static inline int64_t *tr_ints(const result_set *r, uint32_t column)
{
    int64_t *out = malloc((r->row_count ? r->row_count : 1) * sizeof *out);
    for (uint64_t row = 0; row < r->row_count; row++) {
        uint32_t b, i;
        result_set_locate(r, row, &b, &i);
        value v;
        vector_get_value(&r->batches[b].columns[column], i, &v);
        out[row] = v.is_null ? INT64_MIN : v.u.i64;
    }
    return out;
}

#endif
