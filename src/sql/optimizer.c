/*
 * optimizer.c: rewrites of the logical plan, in order: constant folding,
 * filter pushdown (into scans, through projections, joins and group keys),
 * inner-join ordering by estimated cardinality, eager aggregation (a large
 * join input aggregated by its join keys before the join), projection
 * pushdown (scans read only the columns used), cardinality estimates,
 * ORDER+LIMIT to top-N.
 * Every pass is linear in the plan size, so planning stays in microseconds.
 */
#include <string.h>

#include "common/error.h"
#include "exec/aggregate.h"
#include "sql/binder_internal.h"
#include "sql/planner.h"

/* ---- constant folding ----------------------------------------------------- */

static bool is_constant_node(const expr *e)
{
    return e->kind == EXPR_CONSTANT;
}

static bool children_constant(const expr *e)
{
    switch (e->kind) {
    case EXPR_CONSTANT: return true;
    case EXPR_COLUMN:
    case EXPR_PARAMETER:
    case EXPR_SUBQUERY: return false;
    case EXPR_CAST: return is_constant_node(e->u.cast.child);
    case EXPR_FUNCTION:
        if (e->u.function.fn->flags & FUNCTION_VOLATILE)
            return false;
        for (uint32_t i = 0; i < e->u.function.arg_count; i++)
            if (!is_constant_node(e->u.function.args[i]))
                return false;
        return true;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        for (uint32_t i = 0; i < e->u.list.count; i++)
            if (!is_constant_node(e->u.list.args[i]))
                return false;
        return true;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return is_constant_node(e->u.unary.child);
    case EXPR_CASE:
        for (uint32_t i = 0; i < e->u.case_.count; i++)
            if (!is_constant_node(e->u.case_.when[i]) || !is_constant_node(e->u.case_.then[i]))
                return false;
        return e->u.case_.otherwise == NULL || is_constant_node(e->u.case_.otherwise);
    case EXPR_IN_LIST:
        if (!is_constant_node(e->u.in_list.child))
            return false;
        for (uint32_t i = 0; i < e->u.in_list.count; i++)
            if (!is_constant_node(e->u.in_list.list[i]))
                return false;
        return true;
    }
    return false;
}

static bool is_bool_constant(const expr *e, bool wanted)
{
    return e->kind == EXPR_CONSTANT && e->type.id == TYPE_BOOLEAN && !e->u.constant.is_null &&
           e->u.constant.u.boolean == wanted;
}

/* AND/OR with some constant arguments: drop the neutral ones, short-circuit the absorbing. */
static void simplify_logical(expr **slot)
{
    expr *e = *slot;
    bool is_and = e->kind == EXPR_AND;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < e->u.list.count; i++) {
        expr *arg = e->u.list.args[i];
        if (is_bool_constant(arg, !is_and)) {
            *slot = arg; /* FALSE in AND, TRUE in OR */
            return;
        }
        if (!is_bool_constant(arg, is_and))
            e->u.list.args[kept++] = arg;
    }
    if (kept == 0) {
        *slot = e->u.list.args[0];
        return;
    }
    e->u.list.count = kept;
    if (kept == 1)
        *slot = e->u.list.args[0];
}

static arm_status fold_list(expr **items, uint32_t n, binder *b, arm_error *err)
{
    for (uint32_t i = 0; i < n; i++)
        if (optimizer_fold_constants(&items[i], b, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

static arm_status fold_children(expr *e, binder *b, arm_error *err)
{
    switch (e->kind) {
    case EXPR_CAST: return optimizer_fold_constants(&e->u.cast.child, b, err);
    case EXPR_FUNCTION: return fold_list(e->u.function.args, e->u.function.arg_count, b, err);
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT: return fold_list(e->u.list.args, e->u.list.count, b, err);
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return optimizer_fold_constants(&e->u.unary.child, b, err);
    case EXPR_CASE:
        if (fold_list(e->u.case_.when, e->u.case_.count, b, err) != ARM_OK ||
            fold_list(e->u.case_.then, e->u.case_.count, b, err) != ARM_OK)
            return err->status;
        if (e->u.case_.otherwise != NULL)
            return optimizer_fold_constants(&e->u.case_.otherwise, b, err);
        return ARM_OK;
    case EXPR_IN_LIST:
        if (optimizer_fold_constants(&e->u.in_list.child, b, err) != ARM_OK)
            return err->status;
        return fold_list(e->u.in_list.list, e->u.in_list.count, b, err);
    case EXPR_SUBQUERY:
        if (e->u.subquery.child != NULL)
            return optimizer_fold_constants(&e->u.subquery.child, b, err);
        return ARM_OK;
    default: return ARM_OK;
    }
}

arm_status optimizer_fold_constants(expr **slot, binder *b, arm_error *err)
{
    expr *e = *slot;
    if (e->kind == EXPR_CONSTANT || e->kind == EXPR_COLUMN || e->kind == EXPR_PARAMETER)
        return ARM_OK;
    if (fold_children(e, b, err) != ARM_OK)
        return err->status;
    if (e->kind == EXPR_AND || e->kind == EXPR_OR) {
        simplify_logical(slot);
        if (*slot != e)
            return ARM_OK;
    }
    if (!children_constant(e))
        return ARM_OK;
    value v;
    if (expr_evaluate_constant(e, b->arena, &v, err) != ARM_OK) {
        error_set_position(err, e->position);
        return err->status;
    }
    v.type = e->type;
    expr *constant = binder_constant(b, &v, e->position);
    if (constant == NULL)
        return error_out_of_memory(err);
    *slot = constant;
    return ARM_OK;
}

static arm_status fold_slot(void *context, expr **slot, arm_error *err)
{
    return optimizer_fold_constants(slot, context, err);
}

static arm_status fold_tree(logical_op *op, binder *b, arm_error *err)
{
    if (logical_visit_exprs(op, fold_slot, b, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < op->child_count; i++)
        if (fold_tree(op->children[i], b, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

/* ---- filter pushdown ------------------------------------------------------ */

static bool is_false_or_null(const expr *e)
{
    return e->kind == EXPR_CONSTANT && (e->u.constant.is_null || is_bool_constant(e, false));
}

static arm_status make_empty(logical_op **op, binder *b, arm_error *err)
{
    logical_outputs outputs;
    if (logical_get_outputs(*op, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    logical_op *empty = logical_create(b->arena, LOGICAL_EMPTY, NULL);
    if (empty == NULL)
        return error_out_of_memory(err);
    empty->u.empty.bindings = outputs.bindings;
    empty->u.empty.types = outputs.types;
    empty->u.empty.names = outputs.names;
    empty->u.empty.column_count = outputs.count;
    *op = empty;
    return ARM_OK;
}

/* Appends the useful conjuncts of `from` to `to`; *is_empty when one is FALSE or NULL. */
static arm_status add_conjuncts(expr_list *to, const expr_list *from, binder *b, bool *is_empty,
                                arm_error *err)
{
    for (uint32_t i = 0; i < from->count; i++) {
        expr *e = from->items[i];
        if (is_bool_constant(e, true))
            continue;
        if (is_false_or_null(e))
            *is_empty = true;
        if (expr_list_append(to, b->arena, e, err) != ARM_OK)
            return err->status;
    }
    return ARM_OK;
}

/* Leaves `filters` in a FILTER above `*op` (or turns it into EMPTY). */
static arm_status place_filter(logical_op **op, expr_list *filters, binder *b, arm_error *err)
{
    if (filters->count == 0)
        return ARM_OK;
    logical_op *filter = logical_create(b->arena, LOGICAL_FILTER, *op);
    bool is_empty = false;
    if (filter == NULL)
        return error_out_of_memory(err);
    if (add_conjuncts(&filter->u.filter.conditions, filters, b, &is_empty, err) != ARM_OK)
        return err->status;
    if (is_empty)
        return make_empty(op, b, err);
    if (filter->u.filter.conditions.count > 0)
        *op = filter;
    return ARM_OK;
}

static arm_status push_down(logical_op **op, expr_list *filters, binder *b, arm_error *err);

/* The table indexes an operator's output columns come from. */
static arm_status output_tables(uint32_t **tables, uint32_t *count, const logical_op *op, binder *b,
                                arm_error *err)
{
    logical_outputs outputs;
    if (logical_get_outputs(op, b->arena, &outputs, err) != ARM_OK)
        return err->status;
    *tables = arena_alloc(b->arena, (outputs.count + 1) * sizeof **tables);
    if (*tables == NULL)
        return error_out_of_memory(err);
    *count = 0;
    for (uint32_t i = 0; i < outputs.count; i++) {
        uint32_t t = outputs.bindings[i].table_index;
        bool seen = false;
        for (uint32_t j = 0; j < *count && !seen; j++)
            seen = (*tables)[j] == t;
        if (!seen)
            (*tables)[(*count)++] = t;
    }
    return ARM_OK;
}

static arm_status push_join(logical_op **op, expr_list *filters, binder *b, arm_error *err)
{
    logical_op *join = *op;
    join_type type = join->u.join.type;
    uint32_t *lt, *rt, ln, rn;
    if (output_tables(&lt, &ln, join->children[0], b, err) != ARM_OK ||
        output_tables(&rt, &rn, join->children[1], b, err) != ARM_OK)
        return err->status;
    expr_list left = {0}, right = {0}, above = {0}, conditions = {0};
    bool inner = type == JOIN_INNER || type == JOIN_CROSS;
    for (uint32_t i = 0; i < filters->count; i++) {
        expr *e = filters->items[i];
        expr_list *to = &above;
        if (inner)
            to = &conditions;
        if (type != JOIN_FULL && type != JOIN_RIGHT && expr_uses_only(e, lt, ln))
            to = &left;
        else if ((inner || type == JOIN_RIGHT) && expr_uses_only(e, rt, rn))
            to = &right;
        if (expr_list_append(to, b->arena, e, err) != ARM_OK)
            return err->status;
    }
    for (uint32_t i = 0; i < join->u.join.conditions.count; i++) {
        expr *e = join->u.join.conditions.items[i];
        expr_list *to = &conditions;
        if ((inner || type == JOIN_RIGHT) && expr_uses_only(e, lt, ln))
            to = &left;
        else if ((inner || type == JOIN_LEFT) && expr_uses_only(e, rt, rn))
            to = &right;
        if (expr_list_append(to, b->arena, e, err) != ARM_OK)
            return err->status;
    }
    if (type == JOIN_CROSS)
        join->u.join.type = JOIN_INNER;
    join->u.join.conditions = conditions;
    if (push_down(&join->children[0], &left, b, err) != ARM_OK ||
        push_down(&join->children[1], &right, b, err) != ARM_OK)
        return err->status;
    return place_filter(op, &above, b, err);
}

typedef struct substitution {
    uint32_t table_index;
    expr **exprs;
    binder *b;
} substitution;

static arm_status substitute_slot(void *context, expr **slot, arm_error *err)
{
    substitution *s = context;
    expr *e = *slot;
    if (e->kind != EXPR_COLUMN || e->u.column.depth != 0 ||
        e->u.column.table_index != s->table_index)
        return ARM_OK;
    expr *copy = binder_copy_expr(s->b, s->exprs[e->u.column.column]);
    if (copy == NULL)
        return error_out_of_memory(err);
    *slot = copy;
    return ARM_OK;
}

static bool has_subquery_or_volatile(const expr *e)
{
    switch (e->kind) {
    case EXPR_SUBQUERY: return true;
    case EXPR_FUNCTION:
        if (e->u.function.fn->flags & FUNCTION_VOLATILE)
            return true;
        for (uint32_t i = 0; i < e->u.function.arg_count; i++)
            if (has_subquery_or_volatile(e->u.function.args[i]))
                return true;
        return false;
    case EXPR_CAST: return has_subquery_or_volatile(e->u.cast.child);
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_COALESCE:
    case EXPR_IS_DISTINCT:
    case EXPR_IS_NOT_DISTINCT:
        for (uint32_t i = 0; i < e->u.list.count; i++)
            if (has_subquery_or_volatile(e->u.list.args[i]))
                return true;
        return false;
    case EXPR_NOT:
    case EXPR_IS_NULL:
    case EXPR_IS_NOT_NULL: return has_subquery_or_volatile(e->u.unary.child);
    case EXPR_CASE:
        for (uint32_t i = 0; i < e->u.case_.count; i++)
            if (has_subquery_or_volatile(e->u.case_.when[i]) ||
                has_subquery_or_volatile(e->u.case_.then[i]))
                return true;
        return e->u.case_.otherwise != NULL && has_subquery_or_volatile(e->u.case_.otherwise);
    case EXPR_IN_LIST:
        for (uint32_t i = 0; i < e->u.in_list.count; i++)
            if (has_subquery_or_volatile(e->u.in_list.list[i]))
                return true;
        return has_subquery_or_volatile(e->u.in_list.child);
    default: return false;
    }
}

typedef struct substitutable {
    uint32_t table_index;
    expr **exprs;
    bool ok;
} substitutable;

static arm_status check_substitutable(void *context, expr **slot, arm_error *err)
{
    (void)err;
    substitutable *s = context;
    const expr *e = *slot;
    if (e->kind == EXPR_COLUMN && e->u.column.depth == 0 &&
        e->u.column.table_index == s->table_index &&
        has_subquery_or_volatile(s->exprs[e->u.column.column]))
        s->ok = false;
    return ARM_OK;
}

/* True when the columns `e` uses are computed without subqueries or volatile functions. */
static bool can_substitute(expr *e, uint32_t table_index, expr **exprs)
{
    substitutable s = {table_index, exprs, true};
    arm_error ignored;
    expr_visit_tree(&e, check_substitutable, &s, &ignored);
    return s.ok;
}

/* Pushes filters below a projection (or group keys) by substituting its expressions. */
static arm_status push_through(logical_op **op, expr_list *filters, uint32_t table_index,
                               expr **exprs, binder *b, arm_error *err)
{
    logical_op *node = *op;
    expr_list below = {0}, above = {0};
    for (uint32_t i = 0; i < filters->count; i++) {
        expr *e = filters->items[i];
        bool ok = expr_uses_only(e, &table_index, 1) && can_substitute(e, table_index, exprs);
        if (ok) {
            substitution s = {table_index, exprs, b};
            if (expr_visit_tree(&e, substitute_slot, &s, err) != ARM_OK)
                return err->status;
        }
        if (expr_list_append(ok ? &below : &above, b->arena, e, err) != ARM_OK)
            return err->status;
    }
    if (push_down(&node->children[0], &below, b, err) != ARM_OK)
        return err->status;
    return place_filter(op, &above, b, err);
}

static arm_status push_down(logical_op **op, expr_list *filters, binder *b, arm_error *err)
{
    logical_op *node = *op;
    bool is_empty = false;
    switch (node->kind) {
    case LOGICAL_FILTER:
        if (add_conjuncts(filters, &node->u.filter.conditions, b, &is_empty, err) != ARM_OK)
            return err->status;
        *op = node->children[0];
        return push_down(op, filters, b, err);
    case LOGICAL_GET:
        if (add_conjuncts(&node->u.get.filters, filters, b, &is_empty, err) != ARM_OK)
            return err->status;
        return is_empty ? make_empty(op, b, err) : ARM_OK;
    case LOGICAL_JOIN: return push_join(op, filters, b, err);
    case LOGICAL_PROJECT:
        return push_through(op, filters, node->u.project.table_index, node->u.project.exprs, b,
                            err);
    case LOGICAL_AGGREGATE:
        if (node->u.aggregate.group_count == 0) /* one row even from no input: keep above */
            break;
        return push_through(op, filters, node->u.aggregate.group_index, node->u.aggregate.groups, b,
                            err);
    case LOGICAL_ORDER:
    case LOGICAL_DISTINCT: return push_down(&node->children[0], filters, b, err);
    default: break;
    }
    for (uint32_t i = 0; i < node->child_count; i++) {
        expr_list none = {0}; /* push_down appends to it: one per child */
        if (push_down(&node->children[i], &none, b, err) != ARM_OK)
            return err->status;
    }
    return place_filter(op, filters, b, err);
}

/* ---- cardinality estimates ------------------------------------------------ */

static double conjunct_selectivity(const expr *e)
{
    if (e->kind == EXPR_FUNCTION) {
        const char *name = e->u.function.fn->name;
        if (strcmp(name, "=") == 0)
            return 0.1;
        if (strcmp(name, "<>") == 0)
            return 0.9;
        if (name[0] == '<' || name[0] == '>')
            return 0.33;
        return 0.25;
    }
    if (e->kind == EXPR_IS_NULL)
        return 0.05;
    if (e->kind == EXPR_IS_NOT_NULL)
        return 0.95;
    if (e->kind == EXPR_IN_LIST)
        return e->u.in_list.count * 0.1 < 0.5 ? e->u.in_list.count * 0.1 : 0.5;
    return 0.5;
}

/* Equality with a constant on a column with a known distinct count: 1/ndv. */
static double get_filter_selectivity(const logical_op *get, const expr *e)
{
    table_provider *t = get->u.get.def->provider;
    if (e->kind == EXPR_FUNCTION && strcmp(e->u.function.fn->name, "=") == 0 &&
        e->u.function.arg_count == 2 && t->vtable->column_stats != NULL) {
        const expr *column = e->u.function.args[0];
        if (column->kind != EXPR_COLUMN)
            column = e->u.function.args[1];
        table_column_stats stats;
        if (column->kind == EXPR_COLUMN && column->u.column.column < t->column_count &&
            t->vtable->column_stats(t, column->u.column.column, &stats) &&
            stats.distinct_estimate > 0)
            return 1.0 / (double)stats.distinct_estimate;
    }
    return conjunct_selectivity(e);
}

static bool is_equi_condition(const expr *e, const uint32_t *lt, uint32_t ln, const uint32_t *rt,
                              uint32_t rn)
{
    if (e->kind != EXPR_FUNCTION || strcmp(e->u.function.fn->name, "=") != 0 ||
        e->u.function.arg_count != 2)
        return false;
    const expr *x = e->u.function.args[0], *y = e->u.function.args[1];
    return (expr_uses_only(x, lt, ln) && expr_uses_only(y, rt, rn)) ||
           (expr_uses_only(x, rt, rn) && expr_uses_only(y, lt, ln));
}

static double join_estimate(double left, double right, const expr_list *conditions,
                            const uint32_t *lt, uint32_t ln, const uint32_t *rt, uint32_t rn)
{
    bool has_equi = false;
    double selectivity = 1;
    for (uint32_t i = 0; i < conditions->count; i++) {
        if (!has_equi && is_equi_condition(conditions->items[i], lt, ln, rt, rn))
            has_equi = true;
        else
            selectivity *= 0.33;
    }
    double rows = has_equi ? (left > right ? left : right) : left * right;
    rows *= selectivity;
    return rows < 1 ? 1 : rows;
}

static arm_status estimate(logical_op *op, binder *b, arm_error *err)
{
    for (uint32_t i = 0; i < op->child_count; i++)
        if (estimate(op->children[i], b, err) != ARM_OK)
            return err->status;
    double child = op->child_count ? op->children[0]->estimated_rows : 1;
    switch (op->kind) {
    case LOGICAL_GET: {
        table_provider *t = op->u.get.def->provider;
        double rows = (double)t->vtable->estimated_row_count(t);
        for (uint32_t i = 0; i < op->u.get.filters.count; i++)
            rows *= get_filter_selectivity(op, op->u.get.filters.items[i]);
        op->estimated_rows = rows;
        return ARM_OK;
    }
    case LOGICAL_VALUES: op->estimated_rows = op->u.values.row_count; return ARM_OK;
    case LOGICAL_EMPTY: op->estimated_rows = 0; return ARM_OK;
    case LOGICAL_FILTER:
        op->estimated_rows = child;
        for (uint32_t i = 0; i < op->u.filter.conditions.count; i++)
            op->estimated_rows *= conjunct_selectivity(op->u.filter.conditions.items[i]);
        return ARM_OK;
    case LOGICAL_AGGREGATE:
        op->estimated_rows = op->u.aggregate.group_count == 0 ? 1 : child * 0.1 + 1;
        return ARM_OK;
    case LOGICAL_JOIN: {
        uint32_t *lt, *rt, ln, rn;
        if (output_tables(&lt, &ln, op->children[0], b, err) != ARM_OK ||
            output_tables(&rt, &rn, op->children[1], b, err) != ARM_OK)
            return err->status;
        double right = op->children[1]->estimated_rows;
        op->estimated_rows = join_estimate(child, right, &op->u.join.conditions, lt, ln, rt, rn);
        if (op->u.join.type == JOIN_LEFT && op->estimated_rows < child)
            op->estimated_rows = child;
        return ARM_OK;
    }
    case LOGICAL_LIMIT:
        op->estimated_rows = (double)op->u.limit.limit < child ? (double)op->u.limit.limit : child;
        return ARM_OK;
    case LOGICAL_ORDER:
        op->estimated_rows = child;
        if (op->u.order.is_top_n && (double)op->u.order.limit < child)
            op->estimated_rows = (double)op->u.order.limit;
        return ARM_OK;
    case LOGICAL_SET_OP:
        op->estimated_rows = child + op->children[1]->estimated_rows;
        return ARM_OK;
    case LOGICAL_INSERT:
    case LOGICAL_UPDATE:
    case LOGICAL_DELETE: op->estimated_rows = 1; return ARM_OK;
    default: op->estimated_rows = child; return ARM_OK;
    }
}

/* ---- join ordering -------------------------------------------------------- */

typedef struct join_relation {
    logical_op *op;
    uint32_t *tables;
    uint32_t table_count;
    bool used;
} join_relation;

typedef struct join_graph {
    join_relation *relations;
    uint32_t count;
    uint32_t capacity;
    expr_list conditions;
} join_graph;

static arm_status collect_relations(join_graph *g, logical_op *op, binder *b, arm_error *err)
{
    if (op->kind == LOGICAL_JOIN && op->u.join.type == JOIN_INNER) {
        for (uint32_t i = 0; i < op->u.join.conditions.count; i++)
            if (expr_list_append(&g->conditions, b->arena, op->u.join.conditions.items[i], err))
                return err->status;
        if (collect_relations(g, op->children[0], b, err) != ARM_OK)
            return err->status;
        return collect_relations(g, op->children[1], b, err);
    }
    if (g->count == g->capacity) {
        uint32_t capacity = g->capacity ? g->capacity * 2 : 8;
        join_relation *items = arena_realloc(b->arena, g->relations, g->capacity * sizeof *items,
                                             capacity * sizeof *items);
        if (items == NULL)
            return error_out_of_memory(err);
        g->relations = items;
        g->capacity = capacity;
    }
    join_relation *r = &g->relations[g->count++];
    memset(r, 0, sizeof *r);
    r->op = op;
    return output_tables(&r->tables, &r->table_count, op, b, err);
}

/* Tables of the joined set so far plus relation r. */
static arm_status union_tables(uint32_t **out, uint32_t *count, const uint32_t *a, uint32_t an,
                               const join_relation *r, binder *b, arm_error *err)
{
    *out = arena_alloc(b->arena, (an + r->table_count + 1) * sizeof **out);
    if (*out == NULL)
        return error_out_of_memory(err);
    memcpy(*out, a, an * sizeof **out);
    memcpy(*out + an, r->tables, r->table_count * sizeof **out);
    *count = an + r->table_count;
    return ARM_OK;
}

/*
 * The unattached conditions that a join of relations x and y can evaluate
 * (every table they use is in the union); `links` counts those that use
 * tables of both sides. Written to `out` (arena) when not NULL.
 */
static arm_status pair_conditions(const join_graph *g, const bool *attached, const join_relation *x,
                                  const join_relation *y, expr_list *out, uint32_t *links,
                                  uint32_t **tables, uint32_t *table_count, binder *b,
                                  arm_error *err)
{
    if (union_tables(tables, table_count, x->tables, x->table_count, y, b, err) != ARM_OK)
        return err->status;
    *links = 0;
    for (uint32_t i = 0; i < g->conditions.count; i++) {
        const expr *e = g->conditions.items[i];
        if (attached[i] || !expr_uses_only(e, *tables, *table_count))
            continue;
        if (!expr_uses_only(e, x->tables, x->table_count) &&
            !expr_uses_only(e, y->tables, y->table_count))
            (*links)++;
        if (out != NULL && expr_list_append(out, b->arena, g->conditions.items[i], err))
            return err->status;
    }
    return ARM_OK;
}

typedef struct join_choice {
    int x, y;
    bool linked;
    double rows;
    double larger_input;
} join_choice;

/* Whether joining `c` beats `best`: linked first, then fewer rows out, then smaller inputs. */
static bool better_choice(const join_choice *c, const join_choice *best)
{
    if (best->x < 0 || c->linked != best->linked)
        return best->x < 0 || c->linked;
    if (c->rows != best->rows)
        return c->rows < best->rows;
    return c->larger_input < best->larger_input;
}

static arm_status choose_pair(join_choice *best, const join_graph *g, const bool *attached,
                              binder *b, arm_error *err)
{
    best->x = best->y = -1;
    for (uint32_t x = 0; x < g->count; x++) {
        for (uint32_t y = x + 1; y < g->count; y++) {
            const join_relation *rx = &g->relations[x], *ry = &g->relations[y];
            if (rx->used || ry->used)
                continue;
            expr_list conditions = {0};
            uint32_t links, *tables, table_count;
            if (pair_conditions(g, attached, rx, ry, &conditions, &links, &tables, &table_count, b,
                                err) != ARM_OK)
                return err->status;
            double lx = rx->op->estimated_rows, ly = ry->op->estimated_rows;
            join_choice c = {(int)x, (int)y, links > 0, 0, lx > ly ? lx : ly};
            c.rows = join_estimate(lx, ly, &conditions, rx->tables, rx->table_count, ry->tables,
                                   ry->table_count);
            if (better_choice(&c, best))
                *best = c;
        }
    }
    return ARM_OK;
}

/*
 * Greedy operator ordering: repeatedly joins the two relations (tables or
 * joins made so far) linked by a condition whose join is estimated smallest,
 * the larger one probing and the smaller one built. A star's small
 * dimensions chained to each other (users, countries) are thus joined first
 * and probed once by the fact table, instead of the fact rows probing each.
 */
static arm_status build_join_order(logical_op **out, join_graph *g, binder *b, arm_error *err)
{
    bool *attached = arena_zalloc(b->arena, (g->conditions.count + 1) * sizeof *attached);
    if (attached == NULL)
        return error_out_of_memory(err);
    for (uint32_t step = 1; step < g->count; step++) {
        join_choice c;
        if (choose_pair(&c, g, attached, b, err) != ARM_OK)
            return err->status;
        join_relation *rx = &g->relations[c.x], *ry = &g->relations[c.y];
        if (rx->op->estimated_rows < ry->op->estimated_rows) { /* x probes: the larger side */
            join_relation t = *rx;
            *rx = *ry;
            *ry = t;
        }
        logical_op *join = logical_create(b->arena, LOGICAL_JOIN, rx->op);
        if (join == NULL)
            return error_out_of_memory(err);
        join->children[1] = ry->op;
        join->child_count = 2;
        join->u.join.type = JOIN_INNER;
        uint32_t links, *tables, table_count;
        if (pair_conditions(g, attached, rx, ry, &join->u.join.conditions, &links, &tables,
                            &table_count, b, err) != ARM_OK)
            return err->status;
        for (uint32_t i = 0; i < g->conditions.count; i++)
            attached[i] |= expr_uses_only(g->conditions.items[i], tables, table_count);
        join->estimated_rows = c.rows;
        rx->op = join;
        rx->tables = tables;
        rx->table_count = table_count;
        ry->used = true;
    }
    for (uint32_t i = 0; i < g->count; i++)
        if (!g->relations[i].used)
            *out = g->relations[i].op;
    return ARM_OK;
}

static arm_status reorder_joins(logical_op **op, binder *b, arm_error *err)
{
    logical_op *node = *op;
    if (node->kind == LOGICAL_JOIN && node->u.join.type == JOIN_INNER) {
        join_graph g = {0};
        if (collect_relations(&g, node, b, err) != ARM_OK)
            return err->status;
        for (uint32_t i = 0; i < g.count; i++)
            if (reorder_joins(&g.relations[i].op, b, err) != ARM_OK ||
                estimate(g.relations[i].op, b, err) != ARM_OK)
                return err->status;
        return build_join_order(op, &g, b, err);
    }
    for (uint32_t i = 0; i < node->child_count; i++)
        if (reorder_joins(&node->children[i], b, err) != ARM_OK)
            return err->status;
    /* outer joins: build (children[1]) the smaller side, flipping LEFT and RIGHT */
    join_type type = node->kind == LOGICAL_JOIN ? node->u.join.type : JOIN_INNER;
    if (node->kind == LOGICAL_JOIN &&
        (type == JOIN_LEFT || type == JOIN_RIGHT || type == JOIN_FULL) &&
        node->children[1]->estimated_rows > node->children[0]->estimated_rows) {
        logical_op *t = node->children[0];
        node->children[0] = node->children[1];
        node->children[1] = t;
        node->u.join.type = type == JOIN_LEFT ? JOIN_RIGHT : type == JOIN_RIGHT ? JOIN_LEFT : type;
    }
    return ARM_OK;
}

/* ---- eager aggregation ---------------------------------------------------- */

/* Inputs at least this many times the other side's rows are aggregated before the join. */
#define EAGER_ROWS_RATIO 64

/* Every AVG splits into a partial SUM and COUNT and their merge (aggregate_avg_split). */
static bool is_split_avg(const plan_aggregate *a)
{
    return aggregate_is_avg(a->fn) && a->arg_count == 1;
}

/* Whether every aggregate of `agg` reads only `tables` and can be computed in parts. */
static bool aggregates_split(const logical_op *agg, const uint32_t *tables, uint32_t n)
{
    for (uint32_t j = 0; j < agg->u.aggregate.aggregate_count; j++) {
        const plan_aggregate *a = &agg->u.aggregate.aggregates[j];
        if (a->is_distinct || a->filter != NULL ||
            (!is_split_avg(a) && aggregate_merge_of(a->fn) == NULL))
            return false;
        /* an empty input gives COUNT 0, but a SUM of no partial counts is NULL */
        if (agg->u.aggregate.group_count == 0 && strcmp(a->fn->name, "count") == 0)
            return false;
        for (uint32_t k = 0; k < a->arg_count; k++)
            if (!expr_uses_only(a->args[k], tables, n))
                return false;
    }
    return true;
}

/* The side of equality `e` over `tables` (0 or 1), or -1 when it does not split so. */
static int key_side(const expr *e, const uint32_t *tables, uint32_t n, const uint32_t *other,
                    uint32_t on)
{
    if (e->kind != EXPR_FUNCTION || strcmp(e->u.function.fn->name, "=") != 0 ||
        e->u.function.arg_count != 2)
        return -1;
    const expr *x = e->u.function.args[0], *y = e->u.function.args[1];
    if (expr_uses_only(x, NULL, 0) || expr_uses_only(y, NULL, 0))
        return -1;
    if (expr_uses_only(x, tables, n) && expr_uses_only(y, other, on))
        return 0;
    if (expr_uses_only(y, tables, n) && expr_uses_only(x, other, on))
        return 1;
    return -1;
}

/*
 * The partial aggregates of `agg`'s: the same for SUM, COUNT, MIN and MAX,
 * a SUM and a COUNT of the argument for a split AVG (aggregate_avg_split:
 * the SUM of integers and decimals is their exact int128 sum).
 */
static arm_status split_aggregates(logical_op *partial, const logical_op *agg, binder *b,
                                   arm_error *err)
{
    uint32_t count = agg->u.aggregate.aggregate_count, n = 0;
    plan_aggregate *parts = arena_alloc(b->arena, (2 * count + 1) * sizeof *parts);
    const char **names = arena_alloc(b->arena, (2 * count + 1) * sizeof *names);
    logical_type *types = arena_alloc(b->arena, (2 * count + 1) * sizeof *types);
    if (parts == NULL || names == NULL || types == NULL)
        return error_out_of_memory(err);
    for (uint32_t j = 0; j < count; j++) {
        const plan_aggregate *a = &agg->u.aggregate.aggregates[j];
        if (!is_split_avg(a)) {
            parts[n] = *a;
            names[n] = agg->u.aggregate.aggregate_names[j];
            types[n++] = agg->u.aggregate.aggregate_types[j];
            continue;
        }
        const aggregate_function *split[2], *merge;
        if (aggregate_avg_split(split, &merge, a->fn, err) != ARM_OK)
            return err->status;
        for (int k = 0; k < 2; k++) {
            parts[n] = (plan_aggregate){split[k], a->args, 1, false, NULL};
            names[n] = split[k]->name;
            types[n++] = split[k]->return_type;
        }
    }
    partial->u.aggregate.aggregates = parts;
    partial->u.aggregate.aggregate_names = names;
    partial->u.aggregate.aggregate_types = types;
    partial->u.aggregate.aggregate_count = n;
    return ARM_OK;
}

/*
 * Rewrites AGG(JOIN(S, O)) into AGG'(JOIN(AGG_partial(S), O)) when the
 * aggregates read only S, the groups only O, the join is inner on
 * equalities alone and S is far larger than O: S's rows collapse to one per
 * join key before the join (eager aggregation), and AGG' merges the partial
 * results (aggregate_merge_of). `side` is S's index among the join's children.
 */
static arm_status aggregate_before_join(logical_op *agg, int side, binder *b, bool *done,
                                        arm_error *err)
{
    logical_op *join = agg->children[0];
    logical_op *s = join->children[side], *o = join->children[1 - side];
    uint32_t *st, *ot, sn, on;
    *done = false;
    if (s->estimated_rows < EAGER_ROWS_RATIO * (o->estimated_rows > 1 ? o->estimated_rows : 1) ||
        output_tables(&st, &sn, s, b, err) != ARM_OK ||
        output_tables(&ot, &on, o, b, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < agg->u.aggregate.group_count; i++)
        if (!expr_uses_only(agg->u.aggregate.groups[i], ot, on))
            return ARM_OK;
    if (!aggregates_split(agg, st, sn))
        return ARM_OK;
    const expr_list *conditions = &join->u.join.conditions;
    int *sides = arena_alloc(b->arena, (conditions->count + 1) * sizeof *sides);
    if (sides == NULL)
        return error_out_of_memory(err);
    for (uint32_t k = 0; k < conditions->count; k++)
        if ((sides[k] = key_side(conditions->items[k], st, sn, ot, on)) < 0)
            return ARM_OK;
    uint32_t keys = conditions->count, count = agg->u.aggregate.aggregate_count;
    logical_op *partial = logical_create(b->arena, LOGICAL_AGGREGATE, s);
    expr **groups = arena_alloc(b->arena, (keys + 1) * sizeof *groups);
    const char **group_names = arena_alloc(b->arena, (keys + 1) * sizeof *group_names);
    plan_aggregate *merged = arena_alloc(b->arena, (count + 1) * sizeof *merged);
    if (partial == NULL || groups == NULL || group_names == NULL || merged == NULL)
        return error_out_of_memory(err);
    if (split_aggregates(partial, agg, b, err) != ARM_OK)
        return err->status;
    partial->u.aggregate.group_index = b->next_table_index++;
    partial->u.aggregate.aggregate_index = b->next_table_index++;
    for (uint32_t k = 0; k < keys; k++) { /* S's key goes below; the join compares its group */
        expr *e = conditions->items[k];
        groups[k] = e->u.function.args[sides[k]];
        group_names[k] = "key";
        e->u.function.args[sides[k]] =
            binder_column_ref(b, partial->u.aggregate.group_index, k, groups[k]->type);
        if (e->u.function.args[sides[k]] == NULL)
            return error_out_of_memory(err);
    }
    partial->u.aggregate.groups = groups;
    partial->u.aggregate.group_names = group_names;
    partial->u.aggregate.group_count = keys;
    partial->estimated_rows = o->estimated_rows;
    for (uint32_t j = 0, p = 0; j < count; j++) {
        const plan_aggregate *a = &agg->u.aggregate.aggregates[j];
        bool avg = is_split_avg(a);
        expr **args = arena_alloc(b->arena, 2 * sizeof *args);
        if (args == NULL)
            return error_out_of_memory(err);
        for (uint32_t k = 0; k < (avg ? 2u : 1u); k++, p++)
            if ((args[k] = binder_column_ref(b, partial->u.aggregate.aggregate_index, p,
                                             partial->u.aggregate.aggregate_types[p])) == NULL)
                return error_out_of_memory(err);
        const aggregate_function *split[2], *merge = NULL;
        if (avg && aggregate_avg_split(split, &merge, a->fn, err) != ARM_OK)
            return err->status;
        merged[j] = (plan_aggregate){avg ? merge : aggregate_merge_of(a->fn), args, avg ? 2 : 1,
                                     false, NULL};
        if (merged[j].fn == NULL)
            return error_out_of_memory(err);
    }
    agg->u.aggregate.aggregates = merged;
    join->children[side] = partial;
    *done = true;
    return ARM_OK;
}

static arm_status eager_aggregation(logical_op *op, binder *b, arm_error *err)
{
    for (uint32_t i = 0; i < op->child_count; i++)
        if (eager_aggregation(op->children[i], b, err) != ARM_OK)
            return err->status;
    if (op->kind != LOGICAL_AGGREGATE || op->children[0]->kind != LOGICAL_JOIN ||
        op->children[0]->u.join.type != JOIN_INNER || op->children[0]->u.join.conditions.count == 0)
        return ARM_OK;
    bool done = false;
    for (int side = 0; side < 2 && !done; side++)
        if (aggregate_before_join(op, side, b, &done, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

/* ---- projection pushdown -------------------------------------------------- */

typedef struct column_usage {
    logical_op **gets;
    bool **used;
    uint32_t count;
    uint32_t capacity;
} column_usage;

static arm_status collect_gets(column_usage *u, logical_op *op, binder *b, arm_error *err)
{
    if (op->kind == LOGICAL_GET) {
        if (u->count == u->capacity) {
            uint32_t capacity = u->capacity ? u->capacity * 2 : 8;
            logical_op **gets = arena_realloc(b->arena, u->gets, u->capacity * sizeof *gets,
                                              capacity * sizeof *gets);
            bool **used = arena_realloc(b->arena, u->used, u->capacity * sizeof *used,
                                        capacity * sizeof *used);
            if (gets == NULL || used == NULL)
                return error_out_of_memory(err);
            u->gets = gets;
            u->used = used;
            u->capacity = capacity;
        }
        u->gets[u->count] = op;
        u->used[u->count] = arena_zalloc(b->arena, op->u.get.def->column_count + 1);
        if (u->used[u->count++] == NULL)
            return error_out_of_memory(err);
    }
    for (uint32_t i = 0; i < op->child_count; i++)
        if (collect_gets(u, op->children[i], b, err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

static arm_status mark_used(void *context, expr **slot, arm_error *err)
{
    (void)err;
    column_usage *u = context;
    const expr *e = *slot;
    if (e->kind != EXPR_COLUMN || e->u.column.depth != 0)
        return ARM_OK;
    for (uint32_t i = 0; i < u->count; i++)
        if (u->gets[i]->u.get.table_index == e->u.column.table_index &&
            e->u.column.column <= u->gets[i]->u.get.def->column_count)
            u->used[i][e->u.column.column] = true;
    return ARM_OK;
}

static arm_status mark_tree(void *context, expr **slot, arm_error *err)
{
    return expr_visit_tree(slot, mark_used, context, err);
}

static arm_status mark_all(column_usage *u, logical_op *op, arm_error *err)
{
    if (logical_visit_exprs(op, mark_tree, u, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < op->child_count; i++)
        if (mark_all(u, op->children[i], err) != ARM_OK)
            return err->status;
    return ARM_OK;
}

static arm_status prune_columns(logical_op *root, binder *b, arm_error *err)
{
    column_usage u = {0};
    if (collect_gets(&u, root, b, err) != ARM_OK || mark_all(&u, root, err) != ARM_OK)
        return err->status;
    for (uint32_t i = 0; i < u.count; i++) {
        logical_op *get = u.gets[i];
        uint32_t kept = 0;
        for (uint32_t k = 0; k < get->u.get.column_id_count; k++) {
            uint32_t c = get->u.get.column_ids[k];
            if (u.used[i][c])
                get->u.get.column_ids[kept++] = c;
        }
        get->u.get.column_id_count = kept;
    }
    return ARM_OK;
}

/* ---- top-N ---------------------------------------------------------------- */

static void make_top_n(logical_op **op)
{
    logical_op *node = *op;
    for (uint32_t i = 0; i < node->child_count; i++)
        make_top_n(&node->children[i]);
    if (node->kind != LOGICAL_LIMIT || node->children[0]->kind != LOGICAL_ORDER ||
        node->u.limit.limit == UINT64_MAX)
        return;
    logical_op *order = node->children[0];
    order->u.order.is_top_n = true;
    order->u.order.limit = node->u.limit.limit;
    order->u.order.offset = node->u.limit.offset;
    *op = order;
}

arm_status optimizer_optimize(logical_op **root, binder *b, arm_error *err)
{
    expr_list none = {0};
    if (fold_tree(*root, b, err) != ARM_OK || push_down(root, &none, b, err) != ARM_OK ||
        estimate(*root, b, err) != ARM_OK || reorder_joins(root, b, err) != ARM_OK ||
        estimate(*root, b, err) != ARM_OK || eager_aggregation(*root, b, err) != ARM_OK ||
        prune_columns(*root, b, err) != ARM_OK)
        return err->status;
    make_top_n(root);
    return estimate(*root, b, err);
}
