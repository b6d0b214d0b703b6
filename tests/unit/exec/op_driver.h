/*
 * op_driver.h: drives physical operators through their vtable in unit tests
 * without the executor: builds batches from values, sinks them through
 * several threads' locals, probes streaming operators and renders the output
 * rows as "a|b|c" text so results compare against naive references.
 */
#ifndef ARM_TESTS_OP_DRIVER_H
#define ARM_TESTS_OP_DRIVER_H

#include <stdlib.h>
#include <string.h>

#include "exec/operator.h"
#include "harness.h"
#include "vector/cast.h"

typedef struct op_driver {
    arena *arena;
    memory_budget budget;
    query_context ctx;
} op_driver;

typedef arm_status (*op_create_fn)(op **out, plan_node *plan, query_context *ctx, arm_error *err);

/* limit_bytes <= 0: unlimited. */
static inline void driver_init(op_driver *d, int64_t limit_bytes)
{
    memset(d, 0, sizeof *d);
    d->arena = arena_create(0, NULL);
    memory_budget_init(&d->budget, limit_bytes, NULL);
    d->ctx.arena = d->arena;
    d->ctx.budget = &d->budget;
    d->ctx.thread_count = 1;
}

static inline void driver_dispose(op_driver *d)
{
    arena_destroy(d->arena);
}

/* A plan node with `count` output columns of `types` and the given children. */
static inline plan_node *driver_plan(op_driver *d, plan_kind kind, const logical_type *types,
                                     uint32_t count, plan_node *left, plan_node *right)
{
    plan_node *n = plan_node_create(d->arena, kind, count);
    for (uint32_t i = 0; i < count; i++)
        n->types[i] = types[i];
    n->children[0] = left;
    n->children[1] = right;
    n->child_count = (left != NULL) + (right != NULL);
    return n;
}

/* Fills `b` (initialized here) with `rows` rows of row-major `cells`. */
static inline void driver_batch(batch *b, const logical_type *types, uint32_t columns,
                                const value *cells, uint32_t rows)
{
    arm_error err;
    CHECK_OK(batch_init(b, columns, types, &err), &err);
    for (uint32_t c = 0; c < columns; c++) {
        CHECK_OK(vector_prepare_flat(&b->columns[c], rows ? rows : 1, &err), &err);
        for (uint32_t r = 0; r < rows; r++) {
            value v = cells[(size_t)r * columns + c];
            v.type = types[c];
            CHECK_OK(vector_set_value(&b->columns[c], r, &v, &err), &err);
        }
    }
    b->count = rows;
}

static inline arm_status driver_create(op_driver *d, op **out, op_create_fn create, plan_node *plan,
                                       arm_error *err)
{
    arm_status s = create(out, plan, &d->ctx, err);
    if (s != ARM_OK)
        return s;
    (*out)->plan = plan;
    (*out)->ctx = &d->ctx;
    return (*out)->vtable->init ? (*out)->vtable->init(*out, err) : ARM_OK;
}

/* Sinks batches into `input`, batch i through thread local i % threads; combines; finalizes. */
static inline arm_status driver_sink(op *o, uint32_t input, const batch *batches, uint32_t count,
                                     uint32_t threads, arm_error *err)
{
    void *locals[16] = {NULL};
    arm_status s = ARM_OK;
    if (threads > 16)
        threads = 16;
    for (uint32_t t = 0; t < threads && s == ARM_OK && o->vtable->local_create; t++)
        s = o->vtable->local_create(o, &locals[t], err);
    for (uint32_t i = 0; i < count && s == ARM_OK; i++)
        if (batches[i].count > 0)
            s = o->vtable->sink(o, locals[i % threads], input, &batches[i], err);
    for (uint32_t t = 0; t < threads && s == ARM_OK; t++)
        if (o->vtable->combine)
            s = o->vtable->combine(o, locals[t], input, err);
    for (uint32_t t = 0; t < threads; t++)
        if (locals[t] && o->vtable->local_destroy)
            o->vtable->local_destroy(o, locals[t]);
    if (s == ARM_OK && o->vtable->finalize)
        s = o->vtable->finalize(o, input, err);
    return s;
}

/* Rendered rows: an array of "a|b|c" strings in the driver's arena. */
typedef struct driver_rows {
    char **rows;
    uint32_t count;
    uint32_t capacity;
} driver_rows;

static inline void driver_rows_add(op_driver *d, driver_rows *r, const char *text)
{
    if (r->count == r->capacity) {
        uint32_t capacity = r->capacity ? r->capacity * 2 : 64;
        r->rows = arena_realloc(d->arena, r->rows, r->capacity * sizeof(char *),
                                capacity * sizeof(char *));
        r->capacity = capacity;
    }
    r->rows[r->count++] = arena_strdup(d->arena, text);
}

/* Appends the text of every logical row of `b` (types from `types`). */
static inline void driver_rows_add_batch(op_driver *d, driver_rows *r, const batch *b,
                                         const logical_type *types)
{
    char line[4096];
    for (uint32_t i = 0; i < b->count; i++) {
        size_t used = 0;
        for (uint32_t c = 0; c < b->column_count; c++) {
            value v;
            vector_get_value(&b->columns[c], batch_row(b, i), &v);
            v.type = types[c];
            char cell[1024];
            value_format(&v, cell, sizeof cell);
            used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", c ? "|" : "", cell);
            if (used >= sizeof line)
                used = sizeof line - 1;
        }
        line[used] = '\0';
        driver_rows_add(d, r, line);
    }
}

/* Reads the source until it is exhausted. */
static inline arm_status driver_drain(op_driver *d, op *o, driver_rows *out, arm_error *err)
{
    void *local = NULL;
    arm_status s = ARM_OK;
    if (o->vtable->local_create)
        s = o->vtable->local_create(o, &local, err);
    batch b;
    if (s == ARM_OK)
        s = batch_init(&b, o->plan->column_count, o->plan->types, err);
    if (s != ARM_OK)
        return s;
    for (;;) {
        batch_reset(&b);
        s = o->vtable->source_next(o, local, &b, err);
        if (s != ARM_OK || b.count == 0)
            break;
        driver_rows_add_batch(d, out, &b, o->plan->types);
    }
    batch_dispose(&b);
    if (local && o->vtable->local_destroy)
        o->vtable->local_destroy(o, local);
    return s;
}

/* Streams probe batches through execute (batch i on thread local i % threads). */
static inline arm_status driver_probe(op_driver *d, op *o, const batch *batches, uint32_t count,
                                      uint32_t threads, driver_rows *out, arm_error *err)
{
    void *locals[16] = {NULL};
    arm_status s = ARM_OK;
    if (threads > 16)
        threads = 16;
    for (uint32_t t = 0; t < threads && s == ARM_OK && o->vtable->local_create; t++)
        s = o->vtable->local_create(o, &locals[t], err);
    batch b;
    if (s == ARM_OK)
        s = batch_init(&b, o->plan->column_count, o->plan->types, err);
    if (s != ARM_OK)
        return s;
    for (uint32_t i = 0; i < count && s == ARM_OK; i++) {
        op_status status = OP_HAVE_MORE_OUTPUT;
        while (status == OP_HAVE_MORE_OUTPUT && s == ARM_OK) {
            batch_reset(&b);
            s = o->vtable->execute(o, locals[i % threads], &batches[i], &b, &status, err);
            if (s == ARM_OK) {
                CHECK(b.count <= VECTOR_SIZE);
                driver_rows_add_batch(d, out, &b, o->plan->types);
            }
        }
    }
    batch_dispose(&b);
    for (uint32_t t = 0; t < threads; t++)
        if (locals[t] && o->vtable->local_destroy)
            o->vtable->local_destroy(o, locals[t]);
    return s;
}

static inline int driver_compare_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline void driver_rows_sort(driver_rows *r)
{
    if (r->count > 1)
        qsort(r->rows, r->count, sizeof(char *), driver_compare_text);
}

/* True when both sets of rows are equal as multisets; prints the first difference. */
static inline bool driver_rows_same(driver_rows *actual, driver_rows *expected)
{
    driver_rows_sort(actual);
    driver_rows_sort(expected);
    uint32_t n = actual->count < expected->count ? actual->count : expected->count;
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(actual->rows[i], expected->rows[i]) != 0) {
            fprintf(stderr, "row %u: got \"%s\", expected \"%s\"\n", i, actual->rows[i],
                    expected->rows[i]);
            return false;
        }
    if (actual->count != expected->count) {
        fprintf(stderr, "got %u rows, expected %u\n", actual->count, expected->count);
        return false;
    }
    return true;
}

static inline void driver_destroy_op(op *o)
{
    if (o && o->vtable->destroy)
        o->vtable->destroy(o);
}

#endif
