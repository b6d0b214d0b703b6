/*
 * planner.c: the physical planner: turns an optimized logical plan into the
 * plan_node tree of exec/plan.h. Column bindings become input positions,
 * join conditions split into hash keys and a residual, scans get their
 * predicate and `column op constant` pruning hints, ORDER+LIMIT is a TOP_N,
 * COUNT(*) straight on a table that knows its row count is a TABLE_COUNT,
 * and a projection that hands its input on unchanged is left out.
 */
#include <string.h>

#include "common/error.h"
#include "exec/aggregate.h"
#include "sql/binder_internal.h"
#include "sql/planner.h"

typedef struct resolve_context {
    const logical_outputs *inputs;
} resolve_context;

static arm_status resolve_slot(void *context, expr **slot, arm_error *err)
{
    resolve_context *r = context;
    expr *e = *slot;
    if (e->kind != EXPR_COLUMN || e->u.column.depth != 0)
        return ARM_OK;
    for (uint32_t i = 0; i < r->inputs->count; i++) {
        if (r->inputs->bindings[i].table_index == e->u.column.table_index &&
            r->inputs->bindings[i].column == e->u.column.column) {
            e->u.column.index = i;
            return ARM_OK;
        }
    }
    return error_internal(err, "planner: column binding not found in the operator's input");
}

/* Resolves the column bindings of `e` (in place) to positions in `inputs`. */
static arm_status resolve(expr *e, const logical_outputs *inputs, arm_error *err)
{
    resolve_context r = {inputs};
    expr *root = e;
    return expr_visit_tree(&root, resolve_slot, &r, err);
}

static arm_status resolve_list(expr **items, uint32_t n, const logical_outputs *inputs,
                               arm_error *err)
{
    for (uint32_t i = 0; i < n; i++)
        if (resolve(items[i], inputs, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

/* The AND of a conjunct list, or NULL when empty. */
static expr *conjoin(binder *b, expr **items, uint32_t n)
{
    if (n == 0)
        return NULL;
    if (n == 1)
        return items[0];
    expr *e = binder_new_expr(b, EXPR_AND, type_make(TYPE_BOOLEAN), -1);
    if (e != NULL) {
        e->u.list.args = items;
        e->u.list.count = n;
    }
    return e;
}

static arm_status new_node(plan_node **out, binder *b, plan_kind kind, const logical_op *op,
                           arm_error *err)
{
    logical_outputs outputs;
    if (logical_get_outputs(op, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    plan_node *node = arena_zalloc(b->arena, sizeof *node);
    if (node == NULL)
        return error_out_of_memory(err);
    node->kind = kind;
    node->column_count = outputs.count;
    node->types = outputs.types;
    node->names = outputs.names;
    node->estimated_rows = op->estimated_rows;
    *out = node;
    return ARM_OK;
}

static plan_node *add_child(plan_node *node, plan_node *child)
{
    node->children[node->child_count++] = child;
    return node;
}

/* ---- scans ---------------------------------------------------------------- */

static bool filter_op_of(const char *name, bool flipped, table_filter_op *out)
{
    static const struct {
        const char *name;
        table_filter_op op, flipped;
    } ops[] = {
        {"=", TABLE_FILTER_EQ, TABLE_FILTER_EQ}, {"<>", TABLE_FILTER_NE, TABLE_FILTER_NE},
        {"<", TABLE_FILTER_LT, TABLE_FILTER_GT}, {"<=", TABLE_FILTER_LE, TABLE_FILTER_GE},
        {">", TABLE_FILTER_GT, TABLE_FILTER_LT}, {">=", TABLE_FILTER_GE, TABLE_FILTER_LE},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(ops[i].name, name) == 0) {
            *out = flipped ? ops[i].flipped : ops[i].op;
            return true;
        }
    }
    return false;
}

/* `column op constant` (either order) or `column IS [NOT] NULL`: a pruning hint. */
static bool filter_hint(const expr *e, table_filter *out)
{
    if (e->kind == EXPR_IS_NULL || e->kind == EXPR_IS_NOT_NULL) {
        if (e->u.unary.child->kind != EXPR_COLUMN)
            return false;
        out->column = e->u.unary.child->u.column.index;
        out->op = e->kind == EXPR_IS_NULL ? TABLE_FILTER_IS_NULL : TABLE_FILTER_IS_NOT_NULL;
        out->constant = value_null(e->u.unary.child->type);
        return true;
    }
    if (e->kind != EXPR_FUNCTION || e->u.function.arg_count != 2)
        return false;
    const expr *x = e->u.function.args[0], *y = e->u.function.args[1];
    bool flipped = false;
    if (x->kind == EXPR_CONSTANT && y->kind == EXPR_COLUMN) {
        const expr *t = x;
        x = y;
        y = t;
        flipped = true;
    }
    if (x->kind != EXPR_COLUMN || y->kind != EXPR_CONSTANT || y->u.constant.is_null ||
        !type_equal(x->type, y->type) || !filter_op_of(e->u.function.fn->name, flipped, &out->op))
        return false;
    out->column = x->u.column.index;
    out->constant = y->u.constant;
    return true;
}

static arm_status plan_get(plan_node **out, binder *b, logical_op *op, arm_error *err)
{
    if (new_node(out, b, PLAN_TABLE_SCAN, op, err) != ARM_OK)
        return err->status;
    plan_node *node = *out;
    const table_def *def = op->u.get.def;
    uint32_t n = op->u.get.column_id_count;
    uint32_t *ids = arena_alloc(b->arena, (n + 1) * sizeof *ids);
    if (ids == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = op->u.get.column_ids[i];
        ids[i] = c >= def->column_count ? TABLE_COLUMN_ROW_ID : c;
    }
    node->u.scan.table = def->provider;
    node->u.scan.table_name = op->u.get.table_name;
    node->u.scan.column_ids = ids;
    expr_list *filters = &op->u.get.filters;
    if (filters->count == 0)
        return ARM_OK;
    logical_outputs outputs;
    if (logical_get_outputs(op, b->arena, &outputs, err) != ARM_OK ||
        resolve_list(filters->items, filters->count, &outputs, err) != ARM_OK)
        return err->status;
    node->u.scan.filters = arena_alloc(b->arena, filters->count * sizeof(table_filter));
    if (node->u.scan.filters == NULL)
        return error_out_of_memory(err);
    for (uint32_t i = 0; i < filters->count; i++)
        if (filter_hint(filters->items[i], &node->u.scan.filters[node->u.scan.filter_count]))
            node->u.scan.filter_count++;
    node->u.scan.predicate = conjoin(b, filters->items, filters->count);
    return node->u.scan.predicate ? ARM_OK : error_out_of_memory(err);
}

/*
 * An ungrouped aggregate of only plain COUNT(*)s (no FILTER, no DISTINCT)
 * straight on a table with no predicate, whose provider knows its exact row
 * count: every output is that count, asked of the provider at run time.
 * Anything between them (a projection may raise errors) keeps the scan.
 */
static bool counts_table_rows(const logical_op *op)
{
    if (op->kind != LOGICAL_AGGREGATE || op->u.aggregate.group_count != 0 ||
        op->u.aggregate.aggregate_count == 0 || op->children[0]->kind != LOGICAL_GET)
        return false;
    for (uint32_t j = 0; j < op->u.aggregate.aggregate_count; j++) {
        const plan_aggregate *agg = &op->u.aggregate.aggregates[j];
        if (!aggregate_is_count_star(agg->fn) || agg->is_distinct || agg->filter != NULL)
            return false;
    }
    const logical_op *get = op->children[0];
    const table_provider *t = get->u.get.def->provider;
    return get->u.get.filters.count == 0 && t != NULL && t->vtable->exact_row_count != NULL;
}

static arm_status plan_table_count(plan_node **out, binder *b, logical_op *op, arm_error *err)
{
    if (new_node(out, b, PLAN_TABLE_COUNT, op, err) != ARM_OK)
        return err->status;
    const logical_op *get = op->children[0];
    (*out)->u.table_count.table = get->u.get.def->provider;
    (*out)->u.table_count.table_name = get->u.get.table_name;
    return ARM_OK;
}

/* ---- joins ---------------------------------------------------------------- */

static arm_status table_set(uint32_t **tables, uint32_t *count, const logical_outputs *o, binder *b,
                            arm_error *err)
{
    *tables = arena_alloc(b->arena, (o->count + 1) * sizeof **tables);
    if (*tables == NULL)
        return error_out_of_memory(err);
    *count = 0;
    for (uint32_t i = 0; i < o->count; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < *count && !seen; j++)
            seen = (*tables)[j] == o->bindings[i].table_index;
        if (!seen)
            (*tables)[(*count)++] = o->bindings[i].table_index;
    }
    return ARM_OK;
}

static bool is_equality(const expr *e)
{
    return e->kind == EXPR_FUNCTION && e->u.function.arg_count == 2 &&
           strcmp(e->u.function.fn->name, "=") == 0;
}

static arm_status plan_join_keys(plan_node *node, binder *b, const logical_op *op,
                                 const logical_outputs *lo, const logical_outputs *ro,
                                 const logical_outputs *both, arm_error *err)
{
    const expr_list *conditions = &op->u.join.conditions;
    uint32_t *lt, *rt, ln, rn, n = conditions->count;
    expr **left_keys = arena_alloc(b->arena, (n + 1) * sizeof(expr *));
    expr **right_keys = arena_alloc(b->arena, (n + 1) * sizeof(expr *));
    expr **residual = arena_alloc(b->arena, (n + 1) * sizeof(expr *));
    uint32_t keys = 0, rest = 0;
    if (left_keys == NULL || right_keys == NULL || residual == NULL ||
        table_set(&lt, &ln, lo, b, err) != ARM_OK || table_set(&rt, &rn, ro, b, err) != ARM_OK)
        return err->status ? err->status : error_out_of_memory(err);
    for (uint32_t i = 0; i < n; i++) {
        expr *e = conditions->items[i];
        if (is_equality(e)) {
            expr *x = e->u.function.args[0], *y = e->u.function.args[1];
            if (expr_uses_only(y, lt, ln) && expr_uses_only(x, rt, rn)) {
                expr *t = x;
                x = y;
                y = t;
            }
            if (expr_uses_only(x, lt, ln) && expr_uses_only(y, rt, rn) &&
                !expr_uses_only(x, NULL, 0) && !expr_uses_only(y, NULL, 0)) {
                if (resolve(x, lo, err) != ARM_OK || resolve(y, ro, err) != ARM_OK)
                    return err->status;
                left_keys[keys] = x;
                right_keys[keys++] = y;
                continue;
            }
        }
        if (resolve(e, both, err) != ARM_OK)
            return err->status;
        residual[rest++] = e;
    }
    node->kind = keys > 0 ? PLAN_HASH_JOIN : PLAN_NESTED_LOOP_JOIN;
    node->u.join.left_keys = left_keys;
    node->u.join.right_keys = right_keys;
    node->u.join.key_count = keys;
    node->u.join.condition = conjoin(b, residual, rest);
    return ARM_OK;
}

static arm_status plan_join(plan_node **out, binder *b, logical_op *op, plan_node *left,
                            plan_node *right, arm_error *err)
{
    logical_outputs lo, ro, both;
    if (new_node(out, b, PLAN_HASH_JOIN, op, err) != ARM_OK ||
        logical_get_outputs(op->children[0], b->arena, &lo, err) != ARM_OK ||
        logical_get_outputs(op->children[1], b->arena, &ro, err) != ARM_OK ||
        logical_get_outputs(op, b->arena, &both, err) != ARM_OK)
        return err->status;
    plan_node *node = *out;
    add_child(add_child(node, left), right);
    node->u.join.type = op->u.join.type == JOIN_CROSS ? JOIN_INNER : op->u.join.type;
    return plan_join_keys(node, b, op, &lo, &ro, &both, err);
}

/* ---- the rest --------------------------------------------------------------- */

static arm_status plan_aggregate_node(plan_node *node, logical_op *op, const logical_outputs *in,
                                      arm_error *err)
{
    node->u.aggregate.groups = op->u.aggregate.groups;
    node->u.aggregate.group_count = op->u.aggregate.group_count;
    node->u.aggregate.aggregates = op->u.aggregate.aggregates;
    node->u.aggregate.aggregate_count = op->u.aggregate.aggregate_count;
    if (resolve_list(op->u.aggregate.groups, op->u.aggregate.group_count, in, err) != ARM_OK)
        return err->status;
    for (uint32_t j = 0; j < op->u.aggregate.aggregate_count; j++) {
        plan_aggregate *agg = &op->u.aggregate.aggregates[j];
        if (resolve_list(agg->args, agg->arg_count, in, err) != ARM_OK ||
            (agg->filter != NULL && resolve(agg->filter, in, err) != ARM_OK))
            return err->status;
    }
    return ARM_OK;
}

static arm_status plan_order(plan_node *node, logical_op *op, const logical_outputs *in,
                             arm_error *err)
{
    node->kind = op->u.order.is_top_n ? PLAN_TOP_N : PLAN_SORT;
    node->u.sort.keys = op->u.order.keys;
    node->u.sort.key_count = op->u.order.key_count;
    node->u.sort.limit = op->u.order.limit;
    node->u.sort.offset = op->u.order.offset;
    for (uint32_t i = 0; i < op->u.order.key_count; i++)
        if (resolve(op->u.order.keys[i].key, in, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

static arm_status plan_set_op(plan_node **out, binder *b, logical_op *op, plan_node *left,
                              plan_node *right, arm_error *err)
{
    if (op->u.set_op.kind != LOGICAL_SET_UNION) {
        if (new_node(out, b, PLAN_SET_OP, op, err) != ARM_OK)
            return err->status;
        (*out)->u.set_op.kind =
            op->u.set_op.kind == LOGICAL_SET_INTERSECT ? SET_OP_INTERSECT : SET_OP_EXCEPT;
        (*out)->u.set_op.all = op->u.set_op.all;
        add_child(add_child(*out, left), right);
        return ARM_OK;
    }
    plan_node *union_all;
    if (new_node(&union_all, b, PLAN_UNION_ALL, op, err) != ARM_OK)
        return err->status;
    add_child(add_child(union_all, left), right);
    *out = union_all;
    if (op->u.set_op.all)
        return ARM_OK;
    if (new_node(out, b, PLAN_DISTINCT, op, err) != ARM_OK)
        return err->status;
    add_child(*out, union_all);
    return ARM_OK;
}

static arm_status plan_modify(plan_node *node, logical_op *op)
{
    table_def *def = op->u.modify.def;
    node->kind = op->kind == LOGICAL_INSERT   ? PLAN_INSERT
                 : op->kind == LOGICAL_UPDATE ? PLAN_UPDATE
                                              : PLAN_DELETE;
    if (op->kind == LOGICAL_INSERT) {
        node->u.insert.table = def->provider;
        node->u.insert.table_name = def->name;
    } else {
        node->u.modify.table = def->provider;
        node->u.modify.table_name = def->name;
    }
    return ARM_OK;
}

static arm_status plan_unary(plan_node *node, binder *b, logical_op *op, const logical_outputs *in,
                             arm_error *err)
{
    switch (op->kind) {
    case LOGICAL_FILTER:
        node->kind = PLAN_FILTER;
        if (resolve_list(op->u.filter.conditions.items, op->u.filter.conditions.count, in, err))
            return err->status;
        node->u.filter.predicate =
            conjoin(b, op->u.filter.conditions.items, op->u.filter.conditions.count);
        return ARM_OK;
    case LOGICAL_PROJECT:
        node->kind = PLAN_PROJECT;
        node->u.project.exprs = op->u.project.exprs;
        return resolve_list(op->u.project.exprs, op->u.project.count, in, err);
    case LOGICAL_AGGREGATE:
        node->kind = PLAN_HASH_AGGREGATE;
        return plan_aggregate_node(node, op, in, err);
    case LOGICAL_ORDER: return plan_order(node, op, in, err);
    case LOGICAL_LIMIT:
        node->kind = PLAN_LIMIT;
        node->u.limit.limit = op->u.limit.limit;
        node->u.limit.offset = op->u.limit.offset;
        return ARM_OK;
    case LOGICAL_DISTINCT: node->kind = PLAN_DISTINCT; return ARM_OK;
    case LOGICAL_INSERT:
    case LOGICAL_UPDATE:
    case LOGICAL_DELETE: return plan_modify(node, op);
    default: return error_internal(err, "planner: unexpected operator");
    }
}

/*
 * A projection that hands on its input's columns as they are: same order,
 * types and names (an alias keeps it, so names stay where EXPLAIN shows
 * them). The planner drops it: no operator passes references on and no
 * expression state is made per query for nothing.
 */
static bool is_identity_projection(const plan_node *node)
{
    const plan_node *child = node->children[0];
    if (node->kind != PLAN_PROJECT || node->column_count != child->column_count)
        return false;
    for (uint32_t i = 0; i < node->column_count; i++) {
        const expr *e = node->u.project.exprs[i];
        if (e->kind != EXPR_COLUMN || e->u.column.depth != 0 || e->u.column.index != i ||
            !type_equal(e->type, child->types[i]) || node->names[i] == NULL ||
            child->names[i] == NULL || strcmp(node->names[i], child->names[i]) != 0)
            return false;
    }
    return true;
}

static arm_status plan_op(plan_node **out, binder *b, logical_op *op, arm_error *err)
{
    if (counts_table_rows(op))
        return plan_table_count(out, b, op, err);
    plan_node *children[2] = {NULL, NULL};
    for (uint32_t i = 0; i < op->child_count; i++)
        if (plan_op(&children[i], b, op->children[i], err) != ARM_OK)
            return err->status;
    switch (op->kind) {
    case LOGICAL_GET: return plan_get(out, b, op, err);
    case LOGICAL_EMPTY: return new_node(out, b, PLAN_EMPTY, op, err);
    case LOGICAL_VALUES:
        if (new_node(out, b, PLAN_VALUES, op, err) != ARM_OK)
            return err->status;
        (*out)->u.values.rows = op->u.values.rows;
        (*out)->u.values.row_count = op->u.values.row_count;
        return ARM_OK;
    case LOGICAL_JOIN: return plan_join(out, b, op, children[0], children[1], err);
    case LOGICAL_SET_OP: return plan_set_op(out, b, op, children[0], children[1], err);
    default: break;
    }
    logical_outputs in;
    if (new_node(out, b, PLAN_FILTER, op, err) != ARM_OK ||
        logical_get_outputs(op->children[0], b->arena, &in, err) != ARM_OK)
        return err->status;
    add_child(*out, children[0]);
    if (plan_unary(*out, b, op, &in, err) != ARM_OK)
        return err->status;
    if (is_identity_projection(*out))
        *out = children[0];
    return ARM_OK;
}

arm_status planner_create_physical(plan_node **out, binder *b, logical_op *root, arm_error *err)
{
    return plan_op(out, b, root, err);
}

static void number_nodes(plan_node *node, uint32_t *next)
{
    node->id = (*next)++;
    for (uint32_t i = 0; i < node->child_count; i++)
        number_nodes(node->children[i], next);
}

/* ---- columns read above each join ------------------------------------------ */

typedef struct column_marks {
    bool *used;
    uint32_t count;
} column_marks;

static arm_status mark_column(void *context, expr **slot, arm_error *err)
{
    (void)err;
    column_marks *m = context;
    const expr *e = *slot;
    if (e->kind == EXPR_COLUMN && e->u.column.depth == 0 && e->u.column.index < m->count)
        m->used[e->u.column.index] = true;
    return ARM_OK;
}

static arm_status mark_exprs(column_marks *m, expr **items, uint32_t n, arm_error *err)
{
    for (uint32_t i = 0; i < n; i++)
        if (items[i] != NULL && expr_visit_tree(&items[i], mark_column, m, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

/* The columns of node's child 0 that node reads itself or passes on to readers above. */
static arm_status child_marks(plan_node *node, const bool *used, column_marks *m, arm_error *err)
{
    bool passes_through = node->kind == PLAN_FILTER || node->kind == PLAN_SORT ||
                          node->kind == PLAN_TOP_N || node->kind == PLAN_LIMIT;
    bool reads_own = node->kind == PLAN_PROJECT || node->kind == PLAN_HASH_AGGREGATE;
    for (uint32_t c = 0; c < m->count; c++)
        m->used[c] = passes_through ? used[c] : !reads_own;
    switch (node->kind) {
    case PLAN_FILTER: return mark_exprs(m, &node->u.filter.predicate, 1, err);
    case PLAN_PROJECT: return mark_exprs(m, node->u.project.exprs, node->column_count, err);
    case PLAN_SORT:
    case PLAN_TOP_N:
        for (uint32_t i = 0; i < node->u.sort.key_count; i++)
            if (mark_exprs(m, &node->u.sort.keys[i].key, 1, err) != ARM_OK)
                return err->status;
        return ARM_OK;
    case PLAN_HASH_AGGREGATE: {
        plan_node *n = node;
        if (mark_exprs(m, n->u.aggregate.groups, n->u.aggregate.group_count, err) != ARM_OK)
            return err->status;
        for (uint32_t j = 0; j < n->u.aggregate.aggregate_count; j++) {
            plan_aggregate *agg = &n->u.aggregate.aggregates[j];
            if (mark_exprs(m, agg->args, agg->arg_count, err) != ARM_OK ||
                mark_exprs(m, &agg->filter, 1, err) != ARM_OK)
                return err->status;
        }
        return ARM_OK;
    }
    default: return ARM_OK;
    }
}

/*
 * Walks the plan top-down with the columns each node's output must carry,
 * and gives every join the set of its output columns someone reads, so that
 * join keys and other columns used only below are not gathered per row.
 * Nodes not listed in child_marks (set operations, DISTINCT, DML) need all
 * their inputs' columns.
 */
static arm_status mark_join_outputs(plan_node *node, const bool *used, arena *a, arm_error *err)
{
    bool is_join = node->kind == PLAN_HASH_JOIN || node->kind == PLAN_NESTED_LOOP_JOIN;
    if (is_join) {
        bool *keep = arena_alloc(a, node->column_count + 1);
        if (keep == NULL)
            return error_out_of_memory(err);
        memcpy(keep, used, node->column_count);
        node->u.join.output_used = keep;
        uint32_t left = node->children[0]->column_count, right = node->children[1]->column_count;
        column_marks all = {arena_zalloc(a, left + right + 1), left + right};
        if (all.used == NULL)
            return error_out_of_memory(err);
        for (uint32_t c = 0; c < node->column_count && c < left + right; c++)
            all.used[c] = used[c];
        if (mark_exprs(&all, &node->u.join.condition, 1, err) != ARM_OK)
            return err->status;
        column_marks lm = {all.used, left}, rm = {all.used + left, right};
        if (mark_exprs(&lm, node->u.join.left_keys, node->u.join.key_count, err) != ARM_OK ||
            mark_exprs(&rm, node->u.join.right_keys, node->u.join.key_count, err) != ARM_OK ||
            mark_join_outputs(node->children[0], lm.used, a, err) != ARM_OK)
            return err->status;
        return mark_join_outputs(node->children[1], rm.used, a, err);
    }
    for (uint32_t i = 0; i < node->child_count; i++) {
        column_marks m = {arena_alloc(a, node->children[i]->column_count + 1),
                          node->children[i]->column_count};
        if (m.used == NULL)
            return error_out_of_memory(err);
        if (node->child_count == 1 ? child_marks(node, used, &m, err) != ARM_OK
                                   : (memset(m.used, 1, m.count), false))
            return err->status;
        if (mark_join_outputs(node->children[i], m.used, a, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

arm_status planner_plan(plan_node **out, binder *b, logical_op *root, arm_error *err)
{
    if (optimizer_optimize(&root, b, err) != ARM_OK ||
        planner_create_physical(out, b, root, err) != ARM_OK)
        return err->status;
    bool *all = arena_alloc(b->arena, (*out)->column_count + 1);
    if (all == NULL)
        return error_out_of_memory(err);
    memset(all, 1, (*out)->column_count);
    if (mark_join_outputs(*out, all, b->arena, err) != ARM_OK)
        return err->status;
    uint32_t next = 0;
    number_nodes(*out, &next);
    return ARM_OK;
}
