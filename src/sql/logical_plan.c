/*
 * logical_plan.c: building logical operators, listing their output columns,
 * and visiting the expressions they hold (for the optimizer's rewrites).
 */
#include "sql/logical_plan.h"

#include <string.h>

#include "common/error.h"

logical_op *logical_create(arena *a, logical_kind kind, logical_op *child)
{
    logical_op *op = arena_zalloc(a, sizeof *op);
    if (op == NULL)
        return NULL;
    op->kind = kind;
    if (child != NULL) {
        op->children[0] = child;
        op->child_count = 1;
        op->estimated_rows = child->estimated_rows;
    }
    return op;
}

arm_status expr_list_append(expr_list *list, arena *a, expr *e, arm_error *err)
{
    if (list->count == list->capacity) {
        uint32_t capacity = list->capacity ? list->capacity * 2 : 4;
        expr **items = arena_realloc(a, list->items, list->capacity * sizeof(expr *),
                                     capacity * sizeof(expr *));
        if (items == NULL)
            return error_out_of_memory(err);
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = e;
    return ARM_OK;
}

static arm_status outputs_alloc(logical_outputs *out, arena *a, uint32_t count, arm_error *err)
{
    out->count = count;
    out->bindings = arena_alloc(a, (count + 1) * sizeof *out->bindings);
    out->types = arena_alloc(a, (count + 1) * sizeof *out->types);
    out->names = arena_alloc(a, (count + 1) * sizeof *out->names);
    if (out->bindings == NULL || out->types == NULL || out->names == NULL)
        return error_out_of_memory(err);
    return ARM_OK;
}

static void outputs_set(logical_outputs *out, uint32_t i, uint32_t table_index, uint32_t column,
                        logical_type type, const char *name)
{
    out->bindings[i].table_index = table_index;
    out->bindings[i].column = column;
    out->types[i] = type;
    out->names[i] = name;
}

static arm_status get_outputs(const logical_op *op, arena *a, logical_outputs *out, arm_error *err)
{
    const table_def *def = op->u.get.def;
    if (outputs_alloc(out, a, op->u.get.column_id_count, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < op->u.get.column_id_count; i++) {
        uint32_t c = op->u.get.column_ids[i];
        if (c >= def->column_count)
            outputs_set(out, i, op->u.get.table_index, c, type_make(TYPE_BIGINT), "rowid");
        else
            outputs_set(out, i, op->u.get.table_index, c, def->columns[c].type,
                        def->columns[c].name);
    }
    return ARM_OK;
}

static arm_status join_outputs(const logical_op *op, arena *a, logical_outputs *out, arm_error *err)
{
    logical_outputs left, right;
    if (logical_get_outputs(op->children[0], a, &left, err) != ARM_OK)
        return err->status;
    if (op->u.join.type == JOIN_SEMI || op->u.join.type == JOIN_ANTI) {
        *out = left;
        return ARM_OK;
    }
    if (logical_get_outputs(op->children[1], a, &right, err) != ARM_OK)
        return err->status;
    if (outputs_alloc(out, a, left.count + right.count, err) != ARM_OK)
        return err->status;
    memcpy(out->bindings, left.bindings, left.count * sizeof *out->bindings);
    memcpy(out->bindings + left.count, right.bindings, right.count * sizeof *out->bindings);
    memcpy(out->types, left.types, left.count * sizeof *out->types);
    memcpy(out->types + left.count, right.types, right.count * sizeof *out->types);
    memcpy(out->names, left.names, left.count * sizeof *out->names);
    memcpy(out->names + left.count, right.names, right.count * sizeof *out->names);
    return ARM_OK;
}

static arm_status aggregate_outputs(const logical_op *op, arena *a, logical_outputs *out,
                                    arm_error *err)
{
    uint32_t groups = op->u.aggregate.group_count;
    if (outputs_alloc(out, a, groups + op->u.aggregate.aggregate_count, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < groups; i++)
        outputs_set(out, i, op->u.aggregate.group_index, i, op->u.aggregate.groups[i]->type,
                    op->u.aggregate.group_names ? op->u.aggregate.group_names[i] : "?column?");
    for (uint32_t j = 0; j < op->u.aggregate.aggregate_count; j++)
        outputs_set(out, groups + j, op->u.aggregate.aggregate_index, j,
                    op->u.aggregate.aggregate_types[j], op->u.aggregate.aggregate_names[j]);
    return ARM_OK;
}

static arm_status numbered_outputs(logical_outputs *out, arena *a, uint32_t table_index,
                                   uint32_t count, const logical_type *types,
                                   const char *const *names, arm_error *err)
{
    if (outputs_alloc(out, a, count, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < count; i++)
        outputs_set(out, i, table_index, i, types[i], names ? names[i] : "?column?");
    return ARM_OK;
}

arm_status logical_get_outputs(const logical_op *op, arena *a, logical_outputs *out, arm_error *err)
{
    switch (op->kind) {
    case LOGICAL_GET: return get_outputs(op, a, out, err);
    case LOGICAL_VALUES:
        return numbered_outputs(out, a, op->u.values.table_index, op->u.values.column_count,
                                op->u.values.types, op->u.values.names, err);
    case LOGICAL_EMPTY:
        out->bindings = op->u.empty.bindings;
        out->types = op->u.empty.types;
        out->names = op->u.empty.names;
        out->count = op->u.empty.column_count;
        return ARM_OK;
    case LOGICAL_PROJECT: {
        if (outputs_alloc(out, a, op->u.project.count, err) != ARM_OK)
            return err->status;
        for (uint32_t i = 0; i < op->u.project.count; i++)
            outputs_set(out, i, op->u.project.table_index, i, op->u.project.exprs[i]->type,
                        op->u.project.names ? op->u.project.names[i] : "?column?");
        return ARM_OK;
    }
    case LOGICAL_AGGREGATE: return aggregate_outputs(op, a, out, err);
    case LOGICAL_JOIN: return join_outputs(op, a, out, err);
    case LOGICAL_SET_OP:
        return numbered_outputs(out, a, op->u.set_op.table_index, op->u.set_op.column_count,
                                op->u.set_op.types, op->u.set_op.names, err);
    case LOGICAL_INSERT:
    case LOGICAL_DELETE:
    case LOGICAL_UPDATE: {
        static const char *const count_name[] = {"count"};
        logical_type bigint = type_make(TYPE_BIGINT);
        return numbered_outputs(out, a, UINT32_MAX, 1, &bigint, count_name, err);
    }
    case LOGICAL_FILTER:
    case LOGICAL_ORDER:
    case LOGICAL_LIMIT:
    case LOGICAL_DISTINCT: return logical_get_outputs(op->children[0], a, out, err);
    }
    return error_internal(err, "unknown logical operator");
}

static arm_status visit_list(expr **items, uint32_t count, logical_expr_fn fn, void *context,
                             arm_error *err)
{
    for (uint32_t i = 0; i < count; i++)
        if (items[i] != NULL && fn(context, &items[i], err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

static arm_status visit_aggregates(logical_op *op, logical_expr_fn fn, void *context,
                                   arm_error *err)
{
    if (visit_list(op->u.aggregate.groups, op->u.aggregate.group_count, fn, context, err))
        return err->status;
    for (uint32_t j = 0; j < op->u.aggregate.aggregate_count; j++) {
        plan_aggregate *agg = &op->u.aggregate.aggregates[j];
        if (visit_list(agg->args, agg->arg_count, fn, context, err))
            return err->status;
        if (agg->filter != NULL && fn(context, &agg->filter, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

arm_status logical_visit_exprs(logical_op *op, logical_expr_fn fn, void *context, arm_error *err)
{
    switch (op->kind) {
    case LOGICAL_GET:
        return visit_list(op->u.get.filters.items, op->u.get.filters.count, fn, context, err);
    case LOGICAL_VALUES:
        return visit_list(op->u.values.rows, op->u.values.row_count * op->u.values.column_count, fn,
                          context, err);
    case LOGICAL_FILTER:
        return visit_list(op->u.filter.conditions.items, op->u.filter.conditions.count, fn, context,
                          err);
    case LOGICAL_PROJECT:
        return visit_list(op->u.project.exprs, op->u.project.count, fn, context, err);
    case LOGICAL_AGGREGATE: return visit_aggregates(op, fn, context, err);
    case LOGICAL_JOIN:
        return visit_list(op->u.join.conditions.items, op->u.join.conditions.count, fn, context,
                          err);
    case LOGICAL_ORDER:
        for (uint32_t i = 0; i < op->u.order.key_count; i++)
            if (fn(context, &op->u.order.keys[i].key, err) != ARM_OK)
                return err->status;
        return ARM_OK;
    default: return ARM_OK;
    }
}

arm_status expr_visit_tree(expr **slot, logical_expr_fn fn, void *context, arm_error *err)
{
    if (fn(context, slot, err) != ARM_OK)
        return err->status;
    expr *e = *slot;
    switch (e->kind) {
    case EXPR_CAST: return expr_visit_tree(&e->u.cast.child, fn, context, err);
    case EXPR_FUNCTION:
        for (uint32_t i = 0; i < e->u.function.arg_count; i++)
            if (expr_visit_tree(&e->u.function.args[i], fn, context, err) != ARM_OK)
                return err->status;
        return ARM_OK;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        for (uint32_t i = 0; i < e->u.list.count; i++)
            if (expr_visit_tree(&e->u.list.args[i], fn, context, err) != ARM_OK)
                return err->status;
        return ARM_OK;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return expr_visit_tree(&e->u.unary.child, fn, context, err);
    case EXPR_CASE:
        for (uint32_t i = 0; i < e->u.case_.count; i++) {
            if (expr_visit_tree(&e->u.case_.when[i], fn, context, err) != ARM_OK ||
                expr_visit_tree(&e->u.case_.then[i], fn, context, err) != ARM_OK)
                return err->status;
        }
        if (e->u.case_.otherwise != NULL)
            return expr_visit_tree(&e->u.case_.otherwise, fn, context, err);
        return ARM_OK;
    case EXPR_IN_LIST:
        if (expr_visit_tree(&e->u.in_list.child, fn, context, err) != ARM_OK)
            return err->status;
        for (uint32_t i = 0; i < e->u.in_list.count; i++)
            if (expr_visit_tree(&e->u.in_list.list[i], fn, context, err) != ARM_OK)
                return err->status;
        return ARM_OK;
    case EXPR_SUBQUERY:
        if (e->u.subquery.child != NULL)
            return expr_visit_tree(&e->u.subquery.child, fn, context, err);
        return ARM_OK;
    default: return ARM_OK;
    }
}

typedef struct uses_context {
    const uint32_t *tables;
    uint32_t count;
    bool ok;
} uses_context;

static arm_status check_uses(void *context, expr **slot, arm_error *err)
{
    (void)err;
    uses_context *uses = context;
    const expr *e = *slot;
    if (e->kind != EXPR_COLUMN || e->u.column.depth != 0)
        return ARM_OK;
    for (uint32_t i = 0; i < uses->count; i++)
        if (uses->tables[i] == e->u.column.table_index)
            return ARM_OK;
    uses->ok = false;
    return ARM_OK;
}

bool expr_uses_only(const expr *e, const uint32_t *tables, uint32_t count)
{
    uses_context uses = {tables, count, true};
    expr *root = (expr *)e;
    arm_error ignored;
    expr_visit_tree(&root, check_uses, &uses, &ignored);
    return uses.ok;
}
