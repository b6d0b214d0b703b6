/*
 * plan.c: plan node allocation and EXPLAIN rendering: one line per
 * operator, indented by depth, with its key details, the estimated rows,
 * and rows/time per operator when a profile from EXPLAIN ANALYZE is given.
 */
#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "exec/aggregate.h"
#include "exec/executor.h"

plan_node *plan_node_create(arena *a, plan_kind kind, uint32_t column_count)
{
    plan_node *n = arena_zalloc(a, sizeof *n);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->column_count = column_count;
    if (column_count > 0) {
        n->types = arena_zalloc(a, column_count * sizeof *n->types);
        n->names = arena_zalloc(a, column_count * sizeof *n->names);
        if (n->types == NULL || n->names == NULL)
            return NULL;
    }
    return n;
}

typedef struct text_builder {
    arena *a;
    char *data;
    size_t length;
    size_t capacity;
    bool failed;
} text_builder;

static void append(text_builder *b, const char *text)
{
    size_t n = strlen(text);
    if (b->length + n + 1 > b->capacity) {
        size_t capacity = (b->length + n + 1) * 2;
        char *grown = arena_realloc(b->a, b->data, b->capacity, capacity);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, text, n + 1);
    b->length += n;
}

static const char *kind_name(const plan_node *n)
{
    switch (n->kind) {
    case PLAN_TABLE_SCAN: return "TABLE_SCAN";
    case PLAN_TABLE_COUNT: return "TABLE_COUNT";
    case PLAN_VALUES: return "VALUES";
    case PLAN_EMPTY: return "EMPTY_RESULT";
    case PLAN_FILTER: return "FILTER";
    case PLAN_PROJECT: return "PROJECTION";
    case PLAN_HASH_AGGREGATE: return n->u.aggregate.group_count ? "HASH_GROUP_BY" : "AGGREGATE";
    case PLAN_HASH_JOIN: return "HASH_JOIN";
    case PLAN_NESTED_LOOP_JOIN: return "NESTED_LOOP_JOIN";
    case PLAN_SORT: return "ORDER_BY";
    case PLAN_TOP_N: return "TOP_N";
    case PLAN_LIMIT: return "LIMIT";
    case PLAN_UNION_ALL: return "UNION_ALL";
    case PLAN_SET_OP: return n->u.set_op.kind == SET_OP_INTERSECT ? "INTERSECT" : "EXCEPT";
    case PLAN_DISTINCT: return "DISTINCT";
    case PLAN_INSERT: return "INSERT";
    case PLAN_DELETE: return "DELETE";
    case PLAN_UPDATE: return "UPDATE";
    }
    return "?";
}

static const char *join_name(join_type t)
{
    static const char *const names[] = {"INNER", "LEFT", "RIGHT", "FULL", "SEMI", "ANTI", "CROSS"};
    return t <= JOIN_CROSS ? names[t] : "?";
}

/* Names of a child's output columns, for rendering expressions over them. */
static const char *const *input_names(const plan_node *n)
{
    return n->child_count > 0 ? n->children[0]->names : NULL;
}

static void append_expr(text_builder *b, const expr *e, const char *const *names)
{
    char buf[512];
    expr_format(e, names, buf, sizeof buf);
    append(b, buf);
}

static void append_scan(text_builder *b, const plan_node *n)
{
    append(b, " ");
    append(b, n->u.scan.table_name ? n->u.scan.table_name : "?");
    append(b, " columns=[");
    for (uint32_t i = 0; i < n->column_count; i++) {
        if (i)
            append(b, ", ");
        append(b, n->names && n->names[i] ? n->names[i] : "?");
    }
    append(b, "]");
    if (n->u.scan.predicate) {
        append(b, " filter=");
        append_expr(b, n->u.scan.predicate, n->names);
    }
}

static void append_details(text_builder *b, const plan_node *n)
{
    char buf[128];
    switch (n->kind) {
    case PLAN_TABLE_SCAN: append_scan(b, n); break;
    case PLAN_TABLE_COUNT:
        append(b, " ");
        append(b, n->u.table_count.table_name ? n->u.table_count.table_name : "?");
        break;
    case PLAN_FILTER:
        append(b, " ");
        append_expr(b, n->u.filter.predicate, input_names(n));
        break;
    case PLAN_PROJECT:
        append(b, " [");
        for (uint32_t i = 0; i < n->column_count; i++) {
            if (i)
                append(b, ", ");
            append_expr(b, n->u.project.exprs[i], input_names(n));
        }
        append(b, "]");
        break;
    case PLAN_HASH_AGGREGATE:
        append(b, " groups=[");
        for (uint32_t i = 0; i < n->u.aggregate.group_count; i++) {
            if (i)
                append(b, ", ");
            append_expr(b, n->u.aggregate.groups[i], input_names(n));
        }
        append(b, "] aggregates=[");
        for (uint32_t i = 0; i < n->u.aggregate.aggregate_count; i++) {
            const plan_aggregate *agg = &n->u.aggregate.aggregates[i];
            if (i)
                append(b, ", ");
            append(b, agg->fn ? agg->fn->name : "?");
            append(b, agg->is_distinct ? "(DISTINCT " : "(");
            for (uint32_t k = 0; k < agg->arg_count; k++) {
                if (k)
                    append(b, ", ");
                append_expr(b, agg->args[k], input_names(n));
            }
            append(b, agg->arg_count ? ")" : "*)");
        }
        append(b, "]");
        break;
    case PLAN_HASH_JOIN:
    case PLAN_NESTED_LOOP_JOIN:
        append(b, " ");
        append(b, join_name(n->u.join.type));
        for (uint32_t i = 0; i < n->u.join.key_count; i++) {
            append(b, i ? " AND " : " ON ");
            append_expr(b, n->u.join.left_keys[i], n->children[0]->names);
            append(b, " = ");
            append_expr(b, n->u.join.right_keys[i], n->children[1]->names);
        }
        break;
    case PLAN_SORT:
    case PLAN_TOP_N:
        append(b, " [");
        for (uint32_t i = 0; i < n->u.sort.key_count; i++) {
            if (i)
                append(b, ", ");
            append_expr(b, n->u.sort.keys[i].key, input_names(n));
            append(b, n->u.sort.keys[i].descending ? " DESC" : " ASC");
        }
        append(b, "]");
        if (n->kind == PLAN_TOP_N) {
            snprintf(buf, sizeof buf, " limit=%llu", (unsigned long long)n->u.sort.limit);
            append(b, buf);
        }
        break;
    case PLAN_LIMIT:
        snprintf(buf, sizeof buf, " limit=%llu offset=%llu", (unsigned long long)n->u.limit.limit,
                 (unsigned long long)n->u.limit.offset);
        append(b, buf);
        break;
    case PLAN_INSERT:
    case PLAN_DELETE:
    case PLAN_UPDATE:
        append(b, " ");
        append(b, n->u.modify.table_name ? n->u.modify.table_name : "?");
        break;
    default: break;
    }
}

static void render(text_builder *b, const plan_node *n, const plan_profile *profile, int depth)
{
    for (int i = 0; i < depth; i++)
        append(b, "  ");
    append(b, kind_name(n));
    append_details(b, n);
    char buf[128];
    snprintf(buf, sizeof buf, "  (est. %.0f rows)", n->estimated_rows);
    append(b, buf);
    if (profile != NULL && n->id < profile->node_count) {
        snprintf(buf, sizeof buf, " rows=%llu time=%.3fms",
                 (unsigned long long)profile->rows_out[n->id], profile->time_ns[n->id] / 1e6);
        append(b, buf);
    }
    append(b, "\n");
    for (uint32_t i = 0; i < n->child_count; i++)
        render(b, n->children[i], profile, depth + 1);
}

arm_status plan_explain(const plan_node *plan, const struct plan_profile *profile, arena *a,
                        char **out_text, arm_error *err)
{
    text_builder b = {a, NULL, 0, 0, false};
    append(&b, "");
    render(&b, plan, profile, 0);
    if (profile != NULL) {
        char buf[96];
        snprintf(buf, sizeof buf, "Total time: %.3fms\n", profile->total_time_ns / 1e6);
        append(&b, buf);
    }
    if (b.failed)
        return error_out_of_memory(err);
    *out_text = b.data;
    return ARM_OK;
}
