/*
 * op_project.c: computes the output expressions. Results are written at
 * the input's physical positions, so the selection carries over and plain
 * column references are shared, not copied.
 */
#include <string.h>

#include "common/error.h"
#include "exec/operator.h"

static arm_status project_local_create(op *o, void **out, arm_error *err)
{
    return expr_executor_create((expr_executor **)out, o->plan->u.project.exprs,
                                o->plan->column_count, o->ctx, err);
}

static void project_local_destroy(op *o, void *local)
{
    (void)o;
    expr_executor_destroy(local);
}

static arm_status project_execute(op *o, void *local, const batch *in, batch *out,
                                  op_status *status, arm_error *err)
{
    *status = OP_NEED_INPUT;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < o->plan->column_count && s == ARM_OK; c++)
        s = expr_execute(local, c, in, &out->columns[c], err);
    if (s != ARM_OK)
        return s;
    if (in->sel != NULL) {
        memcpy(out->sel_storage, in->sel, in->count * sizeof *in->sel);
        out->sel = out->sel_storage;
    }
    out->count = in->count;
    return ARM_OK;
}

static const op_vtable project_vtable = {
    .name = "PROJECT",
    .local_create = project_local_create,
    .local_destroy = project_local_destroy,
    .execute = project_execute,
};

arm_status op_project_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op *o = arena_zalloc(ctx->arena, sizeof *o);
    if (o == NULL)
        return error_out_of_memory(err);
    o->vtable = &project_vtable;
    *out = o;
    return ARM_OK;
}
