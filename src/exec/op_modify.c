/*
 * op_modify.c: INSERT, UPDATE and DELETE sinks. Rows are collected first (in
 * source order, whatever the thread count) and written with one provider
 * call at finalize, so a statement is all or nothing: a constraint violation
 * in the last row leaves the table as it was. The source emits nothing; the
 * executor reports the change count.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/op_internal.h"
#include "exec/pipeline.h"

typedef struct op_modify {
    op base;
    pthread_mutex_t lock;
    result_collector input; /* what children[0] produced */
    uint64_t rows_changed;
} op_modify;

static bool type_fits(logical_type produced, logical_type column)
{
    return produced.id == TYPE_NULL || type_equal(produced, column);
}

/* The binder casts to the table's types; anything else is a planner bug. */
static arm_status check_input_types(const op *o, arm_error *err)
{
    const plan_node *n = o->plan;
    const plan_node *child = n->child_count == 1 ? n->children[0] : NULL;
    const table_provider *t = n->u.modify.table;
    if (child == NULL)
        return error_internal(err, "modify plan without an input");
    uint32_t first = n->kind == PLAN_INSERT ? 0 : 1;
    uint32_t expected = n->kind == PLAN_DELETE ? 1 : first + t->column_count;
    if (child->column_count < expected)
        return error_internal(err, "modify input has too few columns");
    if (first == 1 && child->types[0].id != TYPE_BIGINT)
        return error_internal(err, "modify input's row id column is not BIGINT");
    for (uint32_t c = first; n->kind != PLAN_DELETE && c < expected; c++)
        if (!type_fits(child->types[c], t->column_types[c - first]))
            return error_internal(err, "modify input column type differs from the table's");
    return ARM_OK;
}

static arm_status modify_init(op *o, arm_error *err)
{
    op_modify *m = (op_modify *)o;
    pthread_mutex_init(&m->lock, NULL);
    const plan_node *n = o->plan;
    table_provider *t = n->u.modify.table;
    bool writable = n->kind == PLAN_INSERT   ? t->vtable->append != NULL
                    : n->kind == PLAN_DELETE ? t->vtable->delete_rows != NULL
                                             : t->vtable->update_rows != NULL;
    if (!writable)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1, "table \"%s\" is read-only",
                         n->u.modify.table_name ? n->u.modify.table_name : "?");
    arm_status s = check_input_types(o, err);
    if (s != ARM_OK)
        return s;
    const plan_node *child = n->children[0];
    m->input.budget = o->ctx->budget;
    return result_set_create(&m->input.result, child->column_count, child->names, child->types,
                             err);
}

static arm_status modify_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)local, (void)input;
    op_modify *m = (op_modify *)o;
    pthread_mutex_lock(&m->lock);
    arm_status s = result_collector_append(&m->input, in, err);
    pthread_mutex_unlock(&m->lock);
    return s;
}

/* Row ids of every collected row (column 0), in order; heap array. */
static arm_status gather_row_ids(const result_set *r, int64_t **out, arm_error *err)
{
    int64_t *ids = malloc((r->row_count ? r->row_count : 1) * sizeof *ids);
    if (ids == NULL)
        return error_out_of_memory(err);
    uint64_t n = 0;
    for (uint32_t b = 0; b < r->batch_count; b++) {
        const vector *v = &r->batches[b].columns[0];
        if (v->validity != NULL) {
            free(ids);
            return error_internal(err, "NULL row id in a DELETE or UPDATE");
        }
        memcpy(ids + n, v->data, r->batches[b].count * sizeof *ids);
        n += r->batches[b].count;
    }
    *out = ids;
    return ARM_OK;
}

/* Concatenates columns [first, first + count) of every collected batch into `rows`. */
static arm_status gather_rows(const result_set *r, uint32_t first, const table_provider *t,
                              batch *rows, arm_error *err)
{
    arm_status s = batch_init(rows, t->column_count, t->column_types, err);
    for (uint32_t b = 0; b < r->batch_count && s == ARM_OK; b++) {
        const batch *in = &r->batches[b];
        for (uint32_t c = 0; c < t->column_count && s == ARM_OK; c++) {
            s = vector_copy_rows(&rows->columns[c], rows->count, &in->columns[c + first], NULL,
                                 in->count, err);
            rows->columns[c].type = t->column_types[c];
        }
        rows->count += in->count;
    }
    return s;
}

static arm_status modify_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input;
    op_modify *m = (op_modify *)o;
    table_provider *t = o->plan->u.modify.table;
    const result_set *r = m->input.result;
    arm_status s = result_collector_order(&m->input, 0, err);
    if (s != ARM_OK || r->row_count == 0)
        return s;
    int64_t *row_ids = NULL;
    batch rows;
    memset(&rows, 0, sizeof rows);
    switch (o->plan->kind) {
    case PLAN_INSERT:
        if ((s = gather_rows(r, 0, t, &rows, err)) == ARM_OK)
            s = t->vtable->append(t, &rows, err);
        break;
    case PLAN_DELETE:
        if ((s = gather_row_ids(r, &row_ids, err)) == ARM_OK)
            s = t->vtable->delete_rows(t, row_ids, r->row_count, err);
        break;
    default:
        if ((s = gather_row_ids(r, &row_ids, err)) == ARM_OK &&
            (s = gather_rows(r, 1, t, &rows, err)) == ARM_OK)
            s = t->vtable->update_rows(t, row_ids, &rows, err);
        break;
    }
    if (s == ARM_OK)
        m->rows_changed = r->row_count;
    free(row_ids);
    batch_dispose(&rows);
    return s;
}

static arm_status modify_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)o, (void)local, (void)err;
    out->count = 0;
    return ARM_OK;
}

static void modify_destroy(op *o)
{
    op_modify *m = (op_modify *)o;
    result_set_destroy(m->input.result);
    result_collector_dispose(&m->input);
    pthread_mutex_destroy(&m->lock);
}

uint64_t op_modify_rows_changed(const op *o)
{
    return o ? ((const op_modify *)o)->rows_changed : 0;
}

static const op_vtable modify_vtable = {
    .name = "MODIFY",
    .init = modify_init,
    .sink = modify_sink,
    .finalize = modify_finalize,
    .source_next = modify_source_next,
    .destroy = modify_destroy,
};

arm_status op_modify_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op_modify *m = arena_zalloc(ctx->arena, sizeof *m);
    if (m == NULL)
        return error_out_of_memory(err);
    m->base.vtable = &modify_vtable;
    *out = &m->base;
    return ARM_OK;
}
