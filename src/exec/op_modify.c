/*
 * op_modify.c: INSERT, UPDATE and DELETE sinks. Rows are collected first and
 * written with one provider call at the end, so a statement is all or
 * nothing (a constraint violation in the last row leaves the table as it was).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/op_internal.h"

typedef struct op_modify {
    op base;
    pthread_mutex_t lock;
    batch rows; /* INSERT: table columns; UPDATE: the new rows */
    int64_t *row_ids;
    uint64_t row_id_count;
    uint64_t row_id_capacity;
    uint64_t rows_changed;
} op_modify;

static arm_status modify_init(op *o, arm_error *err)
{
    op_modify *m = (op_modify *)o;
    pthread_mutex_init(&m->lock, NULL);
    table_provider *t = o->plan->u.modify.table;
    if (t->vtable->append == NULL)
        return error_set(err, ARM_ERROR_NOT_SUPPORTED, NULL, -1, "table \"%s\" is read-only",
                         o->plan->u.modify.table_name);
    return batch_init(&m->rows, t->column_count, t->column_types, err);
}

static arm_status add_row_ids(op_modify *m, const vector *ids, const batch *in, arm_error *err)
{
    if (m->row_id_count + in->count > m->row_id_capacity) {
        uint64_t capacity = (m->row_id_count + in->count) * 2;
        int64_t *grown = realloc(m->row_ids, capacity * sizeof *grown);
        if (grown == NULL)
            return error_out_of_memory(err);
        m->row_ids = grown;
        m->row_id_capacity = capacity;
    }
    for (uint32_t i = 0; i < in->count; i++) {
        value v;
        vector_get_value(ids, batch_row(in, i), &v);
        m->row_ids[m->row_id_count++] = v.u.i64;
    }
    return ARM_OK;
}

static arm_status modify_sink(op *o, void *local, uint32_t input, const batch *in, arm_error *err)
{
    (void)local, (void)input;
    op_modify *m = (op_modify *)o;
    plan_kind kind = o->plan->kind;
    pthread_mutex_lock(&m->lock);
    arm_status s = ARM_OK;
    uint32_t first = kind == PLAN_INSERT ? 0 : 1;
    if (kind != PLAN_INSERT)
        s = add_row_ids(m, &in->columns[0], in, err);
    if (kind != PLAN_DELETE) {
        for (uint32_t c = 0; c < m->rows.column_count && s == ARM_OK; c++) {
            s = vector_copy_rows(&m->rows.columns[c], m->rows.count, &in->columns[c + first],
                                 in->sel, in->count, err);
            m->rows.columns[c].type = o->plan->u.modify.table->column_types[c];
        }
        if (s == ARM_OK)
            m->rows.count += in->count;
    }
    pthread_mutex_unlock(&m->lock);
    return s;
}

static arm_status modify_finalize(op *o, uint32_t input, arm_error *err)
{
    (void)input;
    op_modify *m = (op_modify *)o;
    table_provider *t = o->plan->u.modify.table;
    arm_status s = ARM_OK;
    switch (o->plan->kind) {
    case PLAN_INSERT:
        s = t->vtable->append(t, &m->rows, err);
        m->rows_changed = m->rows.count;
        break;
    case PLAN_DELETE:
        if (m->row_id_count > 0)
            s = t->vtable->delete_rows(t, m->row_ids, m->row_id_count, err);
        m->rows_changed = m->row_id_count;
        break;
    default:
        if (m->rows.count > 0)
            s = t->vtable->update_rows(t, m->row_ids, &m->rows, err);
        m->rows_changed = m->rows.count;
        break;
    }
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
    batch_dispose(&m->rows);
    free(m->row_ids);
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
