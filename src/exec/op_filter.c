/*
 * op_filter.c: keeps the rows where the predicate is TRUE by narrowing the
 * selection; columns pass through by reference, never copied.
 */
#include <stdlib.h>

#include "common/error.h"
#include "exec/operator.h"

static arm_status filter_local_create(op *o, void **out, arm_error *err)
{
    return expr_executor_create((expr_executor **)out, &o->plan->u.filter.predicate, 1, o->ctx,
                                err);
}

static void filter_local_destroy(op *o, void *local)
{
    (void)o;
    expr_executor_destroy(local);
}

static arm_status filter_execute(op *o, void *local, const batch *in, batch *out, op_status *status,
                                 arm_error *err)
{
    (void)o;
    *status = OP_NEED_INPUT;
    uint32_t count = 0;
    arm_status s = expr_select(local, 0, in, out->sel_storage, &count, err);
    if (s != ARM_OK || count == 0) {
        out->count = 0;
        return s;
    }
    for (uint32_t c = 0; c < in->column_count && s == ARM_OK; c++)
        s = vector_reference(&out->columns[c], &in->columns[c], err);
    out->sel = out->sel_storage;
    out->count = count;
    return s;
}

static const op_vtable filter_vtable = {
    .name = "FILTER",
    .local_create = filter_local_create,
    .local_destroy = filter_local_destroy,
    .execute = filter_execute,
};

arm_status op_filter_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op *o = arena_zalloc(ctx->arena, sizeof *o);
    if (o == NULL)
        return error_out_of_memory(err);
    o->vtable = &filter_vtable;
    *out = o;
    return ARM_OK;
}
