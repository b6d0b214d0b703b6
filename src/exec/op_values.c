/*
 * op_values.c: VALUES lists (constant or parameter expressions) and EMPTY,
 * as sources. One thread emits all rows, in batches of VECTOR_SIZE.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "common/error.h"
#include "exec/operator.h"

typedef struct op_values {
    op base;
    _Atomic uint32_t next_row;
    expr_executor *rows; /* every cell expression, row-major */
    vector cell;
} op_values;

static arm_status values_init(op *o, arm_error *err)
{
    op_values *v = (op_values *)o;
    plan_node *n = o->plan;
    vector_init(&v->cell, type_make(TYPE_NULL));
    if (n->kind == PLAN_EMPTY || n->u.values.row_count == 0)
        return ARM_OK;
    uint32_t cells = n->u.values.row_count * n->column_count;
    bool all_constant = true;
    for (uint32_t i = 0; i < cells && all_constant; i++)
        all_constant = n->u.values.rows[i]->kind == EXPR_CONSTANT;
    if (all_constant)
        return ARM_OK; /* read straight from the plan: bulk INSERTs are all constants */
    return expr_executor_create(&v->rows, n->u.values.rows, cells, o->ctx, err);
}

static arm_status values_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_values *v = (op_values *)o;
    plan_node *n = o->plan;
    out->count = 0;
    if (n->kind == PLAN_EMPTY)
        return ARM_OK;
    uint32_t start = atomic_fetch_add(&v->next_row, VECTOR_SIZE);
    if (start >= n->u.values.row_count)
        return ARM_OK;
    uint32_t end = start + VECTOR_SIZE;
    if (end > n->u.values.row_count)
        end = n->u.values.row_count;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < n->column_count && s == ARM_OK; c++) {
        out->columns[c].type = n->types[c];
        s = vector_prepare_flat(&out->columns[c], end - start, err);
    }
    for (uint32_t r = start; r < end && s == ARM_OK; r++) {
        for (uint32_t c = 0; c < n->column_count && s == ARM_OK; c++) {
            const expr *cell = n->u.values.rows[r * n->column_count + c];
            value val;
            if (cell->kind == EXPR_CONSTANT) {
                val = cell->u.constant;
            } else {
                /* Other expressions are evaluated on a single virtual row. */
                s = expr_execute(v->rows, r * n->column_count + c, NULL, &v->cell, err);
                if (s != ARM_OK)
                    break;
                vector_get_value(&v->cell, 0, &val);
            }
            val.type = n->types[c];
            s = vector_set_value(&out->columns[c], r - start, &val, err);
        }
    }
    out->count = end - start;
    out->sequence = start / VECTOR_SIZE;
    return s;
}

static void values_destroy(op *o)
{
    op_values *v = (op_values *)o;
    expr_executor_destroy(v->rows);
    vector_dispose(&v->cell);
}

static const op_vtable values_vtable = {
    .name = "VALUES",
    .init = values_init,
    .source_next = values_source_next,
    .source_is_ordered = true,
    .destroy = values_destroy,
};

arm_status op_values_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op_values *v = arena_zalloc(ctx->arena, sizeof *v);
    if (v == NULL)
        return error_out_of_memory(err);
    v->base.vtable = &values_vtable;
    *out = &v->base;
    return ARM_OK;
}
