/*
 * op.c: helpers shared by operators and the executor: the interrupt check
 * and a visitor over the expressions a plan node holds.
 */
#include "common/error.h"
#include "exec/op_internal.h"

arm_status op_check_interrupt(const query_context *ctx, arm_error *err)
{
    if (ctx->interrupt != NULL && atomic_load_explicit(ctx->interrupt, memory_order_relaxed))
        return error_set(err, ARM_ERROR_INTERRUPTED, "57014", -1,
                         "canceling statement due to user request");
    return ARM_OK;
}

void plan_node_for_each_expr(plan_node *node, void (*fn)(expr *e, void *context), void *context)
{
#define VISIT(x)                                                                                   \
    do {                                                                                           \
        if ((x) != NULL)                                                                           \
            fn((x), context);                                                                      \
    } while (0)
    switch (node->kind) {
    case PLAN_TABLE_SCAN: VISIT(node->u.scan.predicate); break;
    case PLAN_VALUES:
        for (uint32_t i = 0; i < node->u.values.row_count * node->column_count; i++)
            VISIT(node->u.values.rows[i]);
        break;
    case PLAN_FILTER: VISIT(node->u.filter.predicate); break;
    case PLAN_PROJECT:
        for (uint32_t i = 0; i < node->column_count; i++)
            VISIT(node->u.project.exprs[i]);
        break;
    case PLAN_HASH_AGGREGATE:
        for (uint32_t i = 0; i < node->u.aggregate.group_count; i++)
            VISIT(node->u.aggregate.groups[i]);
        for (uint32_t i = 0; i < node->u.aggregate.aggregate_count; i++) {
            for (uint32_t k = 0; k < node->u.aggregate.aggregates[i].arg_count; k++)
                VISIT(node->u.aggregate.aggregates[i].args[k]);
            VISIT(node->u.aggregate.aggregates[i].filter);
        }
        break;
    case PLAN_HASH_JOIN:
    case PLAN_NESTED_LOOP_JOIN:
        for (uint32_t i = 0; i < node->u.join.key_count; i++) {
            VISIT(node->u.join.left_keys[i]);
            VISIT(node->u.join.right_keys[i]);
        }
        VISIT(node->u.join.condition);
        break;
    case PLAN_SORT:
    case PLAN_TOP_N:
        for (uint32_t i = 0; i < node->u.sort.key_count; i++)
            VISIT(node->u.sort.keys[i].key);
        break;
    default: break;
    }
#undef VISIT
}
