/*
 * op_limit.c: LIMIT/OFFSET across threads with one atomic row counter:
 * each batch claims a range of row numbers and keeps the part inside
 * [offset, offset + limit).
 */
#include <stdatomic.h>

#include "common/error.h"
#include "exec/operator.h"

typedef struct op_limit {
    op base;
    _Atomic uint64_t seen;
} op_limit;

static arm_status limit_execute(op *o, void *local, const batch *in, batch *out, op_status *status,
                                arm_error *err)
{
    (void)local;
    op_limit *l = (op_limit *)o;
    uint64_t limit = o->plan->u.limit.limit, offset = o->plan->u.limit.offset;
    uint64_t end = limit == UINT64_MAX ? UINT64_MAX : offset + limit;
    uint64_t start = atomic_fetch_add(&l->seen, in->count);
    *status = start + in->count >= end ? OP_FINISHED : OP_NEED_INPUT;
    out->count = 0;
    if (start >= end || start + in->count <= offset)
        return ARM_OK;
    uint32_t from = start < offset ? (uint32_t)(offset - start) : 0;
    uint32_t to = start + in->count > end ? (uint32_t)(end - start) : in->count;
    arm_status s = ARM_OK;
    for (uint32_t c = 0; c < in->column_count && s == ARM_OK; c++)
        s = vector_reference(&out->columns[c], &in->columns[c], err);
    for (uint32_t i = from; i < to; i++)
        out->sel_storage[i - from] = batch_row(in, i);
    out->sel = out->sel_storage;
    out->count = to - from;
    return s;
}

static const op_vtable limit_vtable = {
    .name = "LIMIT",
    .execute = limit_execute,
};

arm_status op_limit_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op_limit *l = arena_zalloc(ctx->arena, sizeof *l);
    if (l == NULL)
        return error_out_of_memory(err);
    l->base.vtable = &limit_vtable;
    *out = &l->base;
    return ARM_OK;
}
