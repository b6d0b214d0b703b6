/*
 * op_table_count.c: COUNT(*) of a whole table without a scan. The planner
 * picks it for an ungrouped aggregate of only COUNT(*)s straight on a table
 * whose provider knows its exact row count; the source emits that one row,
 * asked of the provider when the query starts, so a kept plan is never stale.
 */
#include <stdatomic.h>

#include "common/error.h"
#include "exec/operator.h"

typedef struct op_table_count {
    op base;
    uint64_t row_count;
    _Atomic bool emitted;
} op_table_count;

/* The count is taken here, with the snapshot a scan's scan_begin would take. */
static arm_status table_count_init(op *o, arm_error *err)
{
    (void)err;
    op_table_count *c = (op_table_count *)o;
    table_provider *t = o->plan->u.table_count.table;
    c->row_count = t->vtable->exact_row_count(t, o->ctx->committed_only);
    atomic_init(&c->emitted, false);
    return ARM_OK;
}

static arm_status table_count_source_next(op *o, void *local, batch *out, arm_error *err)
{
    (void)local;
    op_table_count *c = (op_table_count *)o;
    out->count = 0;
    if (atomic_exchange(&c->emitted, true))
        return ARM_OK;
    for (uint32_t k = 0; k < o->plan->column_count; k++) {
        if (vector_prepare_flat(&out->columns[k], 1, err) != ARM_OK)
            return err->status;
        ((int64_t *)out->columns[k].data)[0] = (int64_t)c->row_count;
    }
    out->count = 1;
    out->sequence = 0;
    return ARM_OK;
}

static const op_vtable table_count_vtable = {
    .name = "TABLE_COUNT",
    .init = table_count_init,
    .source_next = table_count_source_next,
    .source_is_ordered = true,
};

arm_status op_table_count_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    (void)plan;
    op_table_count *c = arena_zalloc(ctx->arena, sizeof *c);
    if (c == NULL)
        return error_out_of_memory(err);
    c->base.vtable = &table_count_vtable;
    *out = &c->base;
    return ARM_OK;
}
