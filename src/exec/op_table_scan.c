/*
 * op_table_scan.c: the scan source. Pulls batches from a table provider
 * (morsels are handed out inside the provider) and applies the pushed-down
 * predicate as a selection, so filtered columns are never copied.
 */
#include <stdlib.h>

#include "common/error.h"
#include "exec/operator.h"

typedef struct op_table_scan {
    op base;
    table_scan *scan;
} op_table_scan;

typedef struct scan_local {
    table_scan_local *provider_local;
    expr_executor *predicate;
} scan_local;

static arm_status scan_init(op *o, arm_error *err)
{
    op_table_scan *s = (op_table_scan *)o;
    plan_node *n = o->plan;
    table_scan_options options = {n->u.scan.column_ids, n->column_count, n->u.scan.filters,
                                  n->u.scan.filter_count, o->ctx->committed_only};
    return n->u.scan.table->vtable->scan_begin(n->u.scan.table, &options, &s->scan, err);
}

static arm_status scan_local_create(op *o, void **out, arm_error *err)
{
    op_table_scan *s = (op_table_scan *)o;
    scan_local *local = calloc(1, sizeof *local);
    if (local == NULL)
        return error_out_of_memory(err);
    *out = local;
    table_provider *t = o->plan->u.scan.table;
    arm_status st = t->vtable->scan_local_create(s->scan, &local->provider_local, err);
    if (st == ARM_OK && o->plan->u.scan.predicate != NULL)
        st = expr_executor_create(&local->predicate, &o->plan->u.scan.predicate, 1, o->ctx, err);
    return st;
}

static void scan_local_destroy(op *o, void *l)
{
    scan_local *local = l;
    if (local->provider_local)
        o->plan->u.scan.table->vtable->scan_local_destroy(local->provider_local);
    expr_executor_destroy(local->predicate);
    free(local);
}

static arm_status scan_source_next(op *o, void *l, batch *out, arm_error *err)
{
    op_table_scan *s = (op_table_scan *)o;
    scan_local *local = l;
    table_provider *t = o->plan->u.scan.table;
    for (;;) {
        arm_status st = t->vtable->scan_next(s->scan, local->provider_local, out, err);
        if (st != ARM_OK || out->count == 0 || local->predicate == NULL)
            return st;
        uint32_t count = 0;
        if ((st = expr_select(local->predicate, 0, out, out->sel_storage, &count, err)) != ARM_OK)
            return st;
        if (count == 0)
            continue;
        if (count < out->count || out->sel != NULL) {
            out->sel = out->sel_storage;
            out->count = count;
        }
        return ARM_OK;
    }
}

static void scan_destroy(op *o)
{
    op_table_scan *s = (op_table_scan *)o;
    if (s->scan != NULL)
        o->plan->u.scan.table->vtable->scan_end(s->scan);
    s->scan = NULL;
}

static const op_vtable table_scan_vtable = {
    .name = "TABLE_SCAN",
    .init = scan_init,
    .local_create = scan_local_create,
    .local_destroy = scan_local_destroy,
    .source_next = scan_source_next,
    .destroy = scan_destroy,
};

arm_status op_table_scan_create(op **out, plan_node *plan, query_context *ctx, arm_error *err)
{
    op_table_scan *s = arena_zalloc(ctx->arena, sizeof *s);
    if (s == NULL)
        return error_out_of_memory(err);
    s->base.vtable = &table_scan_vtable;
    (void)plan;
    *out = &s->base;
    return ARM_OK;
}
